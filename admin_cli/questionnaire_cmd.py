"""`oclep-admin questionnaire`: Check, preview and document questionnaire definitions."""

import typer

app = typer.Typer(
    help="Check, preview and document questionnaire definitions.", no_args_is_help=True
)
