"""`oclep-admin site build` from a ledger of six published months: open data equal to the
ledger, safe cumulative figures, quotes, reproducible bytes, refusal of a broken ledger."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from admin_cli.export.columns import META_COLUMNS
from admin_cli.ledger import Ledger
from admin_cli.site.quotes import flag_details, read_quotes
from admin_cli.site.source import published_months
from admin_cli.site.trends import audit_cumulative, cumulative
from tests.admin.cli_support import one_sentence, run
from tests.admin.site.conftest import build_site
from tests.admin.site.ledger_fixture import MONTHS, FixtureLedger
from tests.admin.site.quotes_fixture import (
    APPROVED_REDACTED,
    APPROVED_TEXT,
    PENDING_TEXT,
    WITHDRAWN_TEXT,
)


def _ledger_reports(fixture: FixtureLedger) -> dict[str, dict[str, Any]]:
    """The last release of each month, read straight from the ledger file."""
    found: dict[str, dict[str, Any]] = {}
    for line in fixture.ledger.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        found[entry["period"]] = entry["report"]
    return found


def _all_files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_every_month_has_its_pages_in_both_languages(site: Path) -> None:
    for lang in ("es", "en"):
        for month in MONTHS:
            assert (site / lang / "months" / f"{month}.html").is_file()
        for name in (
            "index",
            "months",
            "trends",
            "data",
            "quotes",
            "methodology",
            "reading",
            "testimony",
        ):
            html = (site / lang / f"{name}.html").read_text(encoding="utf-8")
            assert f'<html lang="{lang}">' in html
    english = (site / "en" / "trends.html").read_text(encoding="utf-8")
    assert "Trends across months" in english  # from the English catalog, not the msgid
    # The campaign name is data: escaped, never markup.
    month = (site / "es" / "months" / "2025-06.html").read_text(encoding="utf-8")
    assert "Salud &lt;b&gt;2025&lt;/b&gt; &amp; &quot;otros&quot;" in month


def test_the_last_month_shows_the_final_release_not_the_provisional(site: Path) -> None:
    page = (site / "es" / "months" / "2025-06.html").read_text(encoding="utf-8")
    assert "Publicación 2 (definitiva)" in page
    assert "PROVISIONAL" not in page


def test_open_data_equal_the_ledger(six_months: FixtureLedger, site: Path) -> None:
    reports = _ledger_reports(six_months)
    assert sorted(reports) == list(MONTHS)
    for month, report in reports.items():
        folder = site / "data" / month
        assert json.loads((folder / "report.json").read_text(encoding="utf-8")) == report
        for variable, table in report["tables"].items():
            rows = json.loads((folder / f"table_{variable}.json").read_text(encoding="utf-8"))
            expected = [*table["rows"], *table["subtotals"]]
            assert [r["code"] for r in rows] == [*(e["code"] for e in expected), "_total"]
            for row, source in zip(
                rows, [*(e["count"] for e in expected), table["total"]], strict=True
            ):
                if isinstance(source, int):
                    assert (row["count"], row["display"]) == (source, str(source))
                else:
                    assert row["count"] is None and row["display"] == source["display"]
            with (folder / f"table_{variable}.csv").open(encoding="utf-8", newline="") as handle:
                assert [r["code"] for r in csv.DictReader(handle)] == [r["code"] for r in rows]
        for group, figures in report["figures"].items():
            rows = json.loads((folder / f"figures_{group}.json").read_text(encoding="utf-8"))
            for row, figure in zip(rows, figures, strict=True):
                assert row["figure_id"] == figure["id"]
                assert row["percent_of_answered"] == figure["percent_of_answered"]
                for part in ("present", "absent", "answered", "base"):
                    value = figure[part]
                    assert row[part] == (value if isinstance(value, int) else None)
    # The all-months file is every month's rows, in month order.
    everything = json.loads((site / "data" / "all" / "table_rol.json").read_text(encoding="utf-8"))
    assert [r["month"] for r in everything] == sorted(r["month"] for r in everything)
    assert len(everything) == sum(len(reports[m]["tables"]["rol"]["rows"]) + 2 for m in MONTHS)


def test_checksums_cover_every_file(site: Path) -> None:
    import hashlib

    listed = {}
    for line in (site / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        digest, path = line.split("  ", 1)
        listed[path] = digest
    files = {k: v for k, v in _all_files(site).items() if k != "SHA256SUMS"}
    assert listed == {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}


def test_data_dictionary_has_every_figure_with_its_methodology_definition(site: Path) -> None:
    rows = json.loads((site / "data" / "dictionary.json").read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in rows}
    assert by_id["ilo_violencia"]["definition"].startswith("physical and sexual violence:")
    assert "violencia_fisica = si" in by_id["ilo_violencia"]["definition"]
    assert (
        by_id["salud_ambulancia_mas_6h"]["label_en"] != by_id["salud_ambulancia_mas_6h"]["label_es"]
    )
    assert "CC BY 4.0" in (site / "data" / "LICENSE.txt").read_text(encoding="utf-8")
    # Every id is the codebook's: a meta column of the export, or a variable or figure of
    # docs/codebook.md (generated from the questionnaire).
    codebook = (Path(__file__).resolve().parents[3] / "docs" / "codebook.md").read_text("utf-8")
    meta = {name for name, _ in META_COLUMNS}
    unknown = [r["id"] for r in rows if r["id"] not in meta and f"\n| {r['id']} |" not in codebook]
    assert unknown == []


def test_cumulative_figures_disclose_no_hidden_cell(six_months: FixtureLedger, site: Path) -> None:
    months = published_months(Ledger(six_months.ledger).entries())
    shown = {
        r["cell"]: r["value"]
        for r in json.loads((site / "data" / "all" / "cumulative.json").read_text(encoding="utf-8"))
    }
    assert shown == cumulative(months) and "n_total" in shown
    assert shown["n_total"] == sum(t.total for t in six_months.tallies.values())
    assert audit_cumulative(months, shown) == set()
    # Some month hid some role: it has no cumulative figure, since the sum would give it away.
    hidden = [
        (m.period, key)
        for m in months
        for key, (low, high) in m.view.known.items()
        if key.startswith("roles.") and low != high
    ]
    assert hidden, "the fixture should hide a role in some month"
    assert all(key not in shown for _, key in hidden)


def test_the_audit_catches_a_cumulative_figure_that_would_disclose(
    six_months: FixtureLedger,
) -> None:
    months = published_months(Ledger(six_months.ledger).entries())
    month, key = next(
        (m.period, key)
        for m in months
        for key, (low, high) in m.view.known.items()
        if key.startswith("roles.")
        and low != high
        and all(o.view.known[key][0] == o.view.known[key][1] for o in months if o is not m)
    )
    code = key.split(".", 1)[1]
    true_sum = sum(t.roles[code] for t in six_months.tallies.values())
    assert f"{month}:{key}" in audit_cumulative(months, {**cumulative(months), key: true_sum})


def test_two_builds_are_byte_identical(
    six_months: FixtureLedger, quotes_file: Path, site: Path, tmp_path: Path
) -> None:
    again = build_site(
        six_months,
        tmp_path / "again",
        "--quotes",
        quotes_file,
        "--bot-link",
        "https://t.me/ejemplo_testimonio_bot",
    )
    assert _all_files(again) == _all_files(site)
    assert [p.stat().st_mtime for p in sorted(again.rglob("*"))] == [
        p.stat().st_mtime for p in sorted(site.rglob("*"))
    ]


def test_only_the_approved_redacted_quote_is_published(site: Path, quotes_file: Path) -> None:
    everything = b"\n".join(_all_files(site).values()).decode("utf-8")
    assert APPROVED_REDACTED in (site / "es" / "quotes.html").read_text(encoding="utf-8").replace(
        "&quot;", '"'
    )
    assert APPROVED_REDACTED in (site / "en" / "months" / "2025-03.html").read_text(
        encoding="utf-8"
    )
    for secret in (
        APPROVED_TEXT,
        PENDING_TEXT,
        WITHDRAWN_TEXT,
        "Maracaibo",
        "Ramírez",
        "Los Olivos",
    ):
        assert secret not in everything
    # Only month, role category and region go with it.
    page = (site / "en" / "quotes.html").read_text(encoding="utf-8")
    assert "Worker on a mission" in page and "Latin America and the Caribbean" in page
    assert "VE" not in page.split("<main", 1)[1] and "mision_actual" not in page
    withdrawn = [q for q in read_quotes(quotes_file).quotes if q.status == "withdrawn"]
    assert [q.id for q in withdrawn] == ["q-withdrawn000003"] and withdrawn[0].text == ""


def test_flagged_details_of_the_fixture_quote() -> None:
    assert [(f.kind, f.text) for f in flag_details(APPROVED_TEXT)] == [
        ("place", "Maracaibo"),
        ("date", "marzo de 2019"),
        ("name", "Ramírez"),
        ("institution", "CDI Los Olivos"),
        ("number", "40"),
    ]


def test_approving_a_quote_with_a_flagged_detail_left_is_refused(tmp_path: Path) -> None:
    from tests.admin.site.quotes_fixture import write_quotes_file

    path = write_quotes_file(tmp_path / "quotes.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    for quote in data["quotes"]:
        if quote["id"] == "q-pending00000002":
            quote["text"] = quote["redacted"] = "Me vigilaba el jefe Ramírez en Maracaibo."
            quote["flags"] = [f.model_dump() for f in flag_details(quote["text"])]
    path.write_text(json.dumps(data), encoding="utf-8")
    refused = run(["quotes", "approve", "--file", path, "q-pending00000002"])
    assert refused.exit_code == 1
    assert "flagged detail" in one_sentence(refused)
    withdrawn = run(["quotes", "approve", "--file", path, "q-withdrawn000003"])
    assert withdrawn.exit_code == 1 and "withdrawn" in one_sentence(withdrawn)


def test_a_tampered_ledger_stops_the_build(six_months: FixtureLedger, tmp_path: Path) -> None:
    lines = six_months.ledger.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[2])
    entry["report"]["tables"]["status"]["total"] += 1
    lines[2] = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    forged = tmp_path / "ledger.jsonl"
    forged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "site"
    result = run(["site", "build", "--ledger", forged, *six_months.key_args(), "--out", out])
    assert result.exit_code == 1
    assert "edited" in one_sentence(result)
    assert not out.exists()


def test_a_quote_of_a_small_group_says_neither_role_nor_region(six_months: FixtureLedger) -> None:
    from admin_cli.site import texts as t
    from admin_cli.site.quotes import Candidate, approve, merge, publishable

    months = published_months(Ledger(six_months.ledger).entries())
    march = next(m for m in months if m.period == "2025-03")
    # In the fixture's March, Venezuela has at least k mission respondents and Angola none.
    countries = {r["code"]: r["count"] for r in march.report["tables"]["pais"]["rows"]}
    assert isinstance(countries["VE"], int) and countries["VE"] >= march.min_cell
    assert "AO" not in countries
    file, _ = merge(
        None,
        [
            Candidate("q-ve", "2025-03", "mision_actual", "VE", "Nos vigilaban."),
            Candidate("q-ao", "2025-03", "mision_actual", "AO", "Nos vigilaban."),
            Candidate("q-feb", "2025-07", "mision_actual", "VE", "Nos vigilaban."),
        ],
    )
    shown, _ = publishable(approve(file, ["q-ve", "q-ao", "q-feb"]), months)
    # In id order: Angola first. One quote known to come from Angola would point at one
    # of very few people; and 2025-07 is no published month, so its quote waits.
    assert [(q.role_label, q.region_label) for q in shown] == [
        (t.ROLE_MISSION, t.REGION_UNKNOWN),
        (t.ROLE_MISSION, t.REGION_AMERICAS),
    ]
