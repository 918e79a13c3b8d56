"""Entry point of `oclep-admin`: assembles the command groups."""

import typer

from admin_cli import db_cmd, keys_cmd, questionnaire_cmd, stats_cmd

app = typer.Typer(
    name="oclep-admin",
    help="Staff tool: keys, database, questionnaire checks, export and the monthly report.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(db_cmd.app, name="db")
app.add_typer(questionnaire_cmd.app, name="questionnaire")
app.add_typer(stats_cmd.app, name="stats")


def main() -> None:
    app()
