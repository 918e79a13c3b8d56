"""Entry point of `oclep-admin`: assembles the command groups."""

import typer

app = typer.Typer(
    name="oclep-admin",
    help="Staff tool: keys, database, questionnaire checks, export and the monthly report.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Staff tool of the observatory."""


def main() -> None:
    app()
