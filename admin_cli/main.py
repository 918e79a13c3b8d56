"""Entry point of `oclep-admin`: assembles the command groups."""

import typer

from admin_cli import (
    audit_cmd,
    db_cmd,
    export_cmd,
    keys_cmd,
    ledger_cmd,
    purge_cmd,
    questionnaire_cmd,
    report_cmd,
    stats_cmd,
)

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
app.command("export")(export_cmd.export)
app.command("report")(report_cmd.report)
app.command("purge")(purge_cmd.purge)
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(ledger_cmd.app, name="ledger")


def main() -> None:
    app()
