"""`oclep-admin attachments clean`: shareable copies of exported files, metadata removed."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from admin_cli.attachments.clean import Outcome, clean_copy
from admin_cli.attachments.export import MANIFEST_JSON
from admin_cli.audit import output_digest
from admin_cli.console import status_console
from admin_cli.errors import CommandError, exit_on_errors

CLEAN_MANIFEST = "clean-manifest.csv"

app = typer.Typer(
    name="attachments",
    help="Documents and photos exported with `oclep-admin export --attachments`.",
    no_args_is_help=True,
)


def _manifest(folder: Path) -> list[dict[str, Any]]:
    path = folder / MANIFEST_JSON
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(
            f"{path} does not exist; give the folder written by `export --attachments`."
        ) from None
    except (OSError, ValueError):
        raise CommandError(f"{path} cannot be read as an attachments manifest.") from None
    if not isinstance(rows, list) or not all(
        isinstance(r, dict) and {"file", "sha256", "media_type"} <= r.keys() for r in rows
    ):
        raise CommandError(f"{path} is not an attachments manifest.")
    return rows


@app.command("clean")
def clean(
    folder: Annotated[
        Path,
        typer.Argument(help="The folder written by `export --attachments`.", file_okay=False),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where the cleaned copies go (default: FOLDER/clean).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Copies without metadata (EXIF, GPS, XMP, document properties); originals kept.

    Every original is checked against the SHA-256 of the manifest first: a file changed
    since the export is refused, so the chain of evidence stays whole.
    """
    with exit_on_errors():
        rows = _manifest(folder)
        target = out or folder / "clean"
        for row in rows:
            original = folder / str(row["file"])
            if Path(str(row["file"])).name != row["file"] or not original.is_file():
                raise CommandError(f"{original} is missing; nothing was cleaned.")
            if output_digest(original) != row["sha256"]:
                raise CommandError(
                    f"{original} does not match the SHA-256 of the manifest (changed since the"
                    " export); nothing was cleaned."
                )
        target.mkdir(mode=0o700, exist_ok=True)
        report: list[tuple[str, str, str, str]] = []
        for row in rows:
            name = str(row["file"])
            descriptor, part_name = tempfile.mkstemp(dir=target, suffix=".part")
            os.close(descriptor)
            part = Path(part_name)
            outcome = clean_copy(folder / name, part, str(row["media_type"]))
            if outcome is Outcome.CLEANED:
                if (target / name).exists():
                    part.unlink()
                    raise CommandError(f"{target / name} already exists; remove it first.")
                part.rename(target / name)
                report.append((name, str(row["sha256"]), output_digest(target / name), outcome))
            else:
                part.unlink(missing_ok=True)
                report.append((name, str(row["sha256"]), "", outcome))
        with (target / CLEAN_MANIFEST).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["file", "original_sha256", "clean_sha256", "outcome"])
            writer.writerows(report)
        (target / CLEAN_MANIFEST).chmod(0o600)
    table = Table(title=f"Cleaned copies in {target}")
    table.add_column("outcome")
    table.add_column("files", justify="right")
    for outcome in Outcome:
        table.add_row(outcome.value, str(sum(1 for r in report if r[3] == outcome)))
    status_console().print(table)
