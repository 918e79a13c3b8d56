"""`oclep-admin quotes prepare` over the conversation-built fixture: exactly the complete
testimonies whose respondents allowed quotation, flagged; a withdrawal drops the text."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from admin_cli.site.quotes import flag_details, read_quotes
from tests.admin.cli_support import key_args, run
from tests.admin.fixtures.builder import FixtureDatabase


def _quotable(built: FixtureDatabase) -> list[str]:
    return sorted(
        k.submission_id
        for k in built.known
        if k.status == "complete"
        and k.answers.get("cita_permitida") == "si"
        and isinstance(k.answers.get("testimonio"), str)
    )


def test_prepare_offers_the_consented_testimonies_and_marks_withdrawals(
    built: FixtureDatabase, tmp_path: Path
) -> None:
    source = Path(built.url.removeprefix("sqlite+aiosqlite:///"))
    database = tmp_path / "oclep.db"
    shutil.copy(source, database)
    url = f"sqlite+aiosqlite:///{database}"
    review = tmp_path / "quotes.json"
    quotable = _quotable(built)
    assert len(quotable) >= 5, "the fixture should hold some quotable testimonies"

    first = run(["quotes", "prepare", *key_args(built, database_url=url), "--file", review])
    assert first.exit_code == 0, first.stderr
    quotes = read_quotes(review).quotes
    assert review.stat().st_mode & 0o777 == 0o600
    assert len(quotes) == len(quotable) and {q.status for q in quotes} == {"pending"}
    texts = {k.answers["testimonio"] for k in built.known if k.submission_id in quotable}
    assert {q.text for q in quotes} == texts
    assert all(q.flags == flag_details(q.text) for q in quotes)
    # The file names no submission: ids are keyed digests.
    raw = review.read_text(encoding="utf-8")
    assert not any(sid in raw for sid in quotable)

    # One respondent withdraws (what /borrar does): the next prepare marks the quote.
    gone = quotable[0]
    with sqlite3.connect(database) as connection:
        connection.execute(
            "DELETE FROM sealed_answers WHERE submission_id = ?", (bytes.fromhex(gone),)
        )
        connection.execute("DELETE FROM submissions WHERE id = ?", (bytes.fromhex(gone),))
    again = run(["quotes", "prepare", *key_args(built, database_url=url), "--file", review])
    assert again.exit_code == 0, again.stderr
    after = read_quotes(review).quotes
    withdrawn = [q for q in after if q.status == "withdrawn"]
    assert len(withdrawn) == 1 and withdrawn[0].text == withdrawn[0].redacted == ""
    assert withdrawn[0].id in again.stderr + again.stdout  # listed for takedown
    assert len(after) == len(quotes)
