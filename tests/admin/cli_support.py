"""Running `oclep-admin` in the tests: arguments for the built fixture, and the runner."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from typer.testing import CliRunner, Result

from admin_cli.main import app
from tests.admin.fixtures.builder import V2_PATH, FixtureDatabase


def run(args: Sequence[object]) -> Result:
    """Invoke the CLI in-process; stderr is kept apart from stdout."""
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def key_args(built: FixtureDatabase, *, database_url: str | None = None) -> list[str]:
    """Key, passphrase file, database and the version-2 definition of the fixture."""
    return [
        "--key",
        str(built.private_key),
        "--passphrase-file",
        str(built.passphrase_file),
        "--database-url",
        database_url or built.url,
        "--questionnaire",
        str(V2_PATH),
    ]


def one_sentence(result: Result) -> str:
    """The single error line of a refused command (and no traceback anywhere)."""
    output = result.stderr + result.stdout
    assert "Traceback" not in output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    """Files a refused command may have left in the output folder (there must be none)."""
    return sorted(p.name for p in folder.iterdir())
