"""Entry point of `oclep-admin`: assembles the command groups."""

from collections.abc import Callable
from importlib import import_module
from typing import Annotated, Any

import typer

from admin_cli import codes_cmd, db_cmd, keys_cmd, purge_cmd, questionnaire_cmd, stats_cmd
from storage.version import version_option

# Installed by `oclep[staff]` only: the bot server runs purge, db and stats without them.
STAFF_EXTRAS = ("matplotlib", "numpy", "openpyxl", "scipy", "PIL", "pikepdf")

app = typer.Typer(
    name="oclep-admin",
    help="Staff tool: keys, database, questionnaire checks, export and the monthly report.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root(
    _version: Annotated[bool, version_option("oclep-admin")] = False,
) -> None:
    """Staff tool: keys, database, questionnaire checks, export and the monthly report."""


def _staff_only(module: str, attribute: str) -> Any | None:
    """`attribute` of `module`, or None when the module needs the missing staff extras."""
    try:
        return getattr(import_module(f"admin_cli.{module}"), attribute)
    except ModuleNotFoundError as exc:
        if exc.name not in STAFF_EXTRAS:
            raise
        return None


def _needs_staff_extras(name: str) -> Callable[..., Any]:
    """A stand-in command saying, in one sentence, which extras `name` needs."""

    def needs_staff_extras() -> None:
        typer.echo(
            f"Error: `oclep-admin {name}` needs the staff extras, which this installation "
            "lacks; install them with `pip install 'oclep[staff]'` on a staff computer.",
            err=True,
        )
        raise typer.Exit(1)

    needs_staff_extras.__doc__ = f"Needs the staff extras: pip install 'oclep[staff]'. ({name})"
    return needs_staff_extras


app.add_typer(keys_cmd.app, name="keys")
app.add_typer(db_cmd.app, name="db")
app.add_typer(questionnaire_cmd.app, name="questionnaire")
app.command("stats")(stats_cmd.stats)
app.add_typer(codes_cmd.app, name="codes")
# Decrypting, export, report and the audit log run on staff computers: the bot server
# (no staff extras) still runs keys, db, questionnaire, stats, codes and purge.
for _name, _module in (("export", "export_cmd"), ("report", "report_cmd")):
    app.command(_name)(_staff_only(_module, _name) or _needs_staff_extras(_name))
app.command("purge")(purge_cmd.purge)
for _name, _module in (
    ("audit", "audit_cmd"),
    ("ledger", "ledger_cmd"),
    ("site", "site_cmd"),
    ("quotes", "quotes_cmd"),
    ("attachments", "attachments_cmd"),
):
    _group = _staff_only(_module, "app")
    if _group is not None:
        app.add_typer(_group, name=_name)
    else:
        app.command(_name)(_needs_staff_extras(_name))


def main() -> None:
    app()
