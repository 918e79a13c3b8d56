"""`oclep-admin stats`: Counts of submissions (no key needed)."""

import typer

app = typer.Typer(help="Counts of submissions (no key needed).", no_args_is_help=True)
