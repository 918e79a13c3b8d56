"""`oclep-admin keys`: Staff key pairs: create and inspect."""

import typer

app = typer.Typer(help="Staff key pairs: create and inspect.", no_args_is_help=True)
