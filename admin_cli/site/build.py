"""Assemble the whole site in memory, then write it: same ledger, same bytes.

Nothing depends on the clock or the machine: pages come from the ledger's months in period
order, files are written in sorted order with their modification time set to the last
release's issue time, and the checksum list covers every file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from admin_cli.report.formatting import Formatter
from admin_cli.site import pages
from admin_cli.site import texts as t
from admin_cli.site.dictionary import dictionary
from admin_cli.site.layout import CSP, CSS, page
from admin_cli.site.opendata import DataTable, combined, month_tables
from admin_cli.site.quotes import PublishedQuote
from admin_cli.site.source import PublishedMonth, SiteError
from admin_cli.site.texts import LANGUAGES, Texts, load_catalogs
from admin_cli.site.trends import audit_cumulative, cumulative

LICENCE: Final = """\
The open data of this site (the files under data/) are published under the Creative Commons
Attribution 4.0 International licence (CC BY 4.0): https://creativecommons.org/licenses/by/4.0/
Cite the observatory and the month. Los datos abiertos de este sitio se publican bajo la
licencia Creative Commons Atribución 4.0 Internacional (CC BY 4.0).
"""


@dataclass(frozen=True)
class BuiltSite:
    files: dict[str, bytes]
    cumulative: dict[str, int]
    withdrawn: list[str]


def assemble(
    months: Sequence[PublishedMonth],
    quotes: Sequence[PublishedQuote],
    *,
    methodology: str,
    bot_link: str | None = None,
    withdrawn: Sequence[str] = (),
) -> BuiltSite:
    """Every file of the site, by its path under the output folder."""
    sums = cumulative(months)
    exposed = audit_cumulative(months, sums)
    if exposed:
        raise SiteError(
            f"The cumulative figures would let a reader work out {sorted(exposed)[0]}, which "
            "its month hid; nothing was written."
        )
    files: dict[str, str] = {"assets/site.css": CSS}
    tables_by_month = {m.period: month_tables(m.period, m.report) for m in months}
    names = [table.name for table in tables_by_month[months[-1].period]]
    for m in months:
        for table in tables_by_month[m.period]:
            files[f"data/{m.period}/{table.name}.csv"] = table.csv()
            files[f"data/{m.period}/{table.name}.json"] = table.json()
        files[f"data/{m.period}/report.json"] = (
            json.dumps(m.report, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        )
    for name in names:
        parts = [tbl for m in months for tbl in tables_by_month[m.period] if tbl.name == name]
        merged = combined(parts)
        files[f"data/all/{name}.csv"] = merged.csv()
        files[f"data/all/{name}.json"] = merged.json()
    cumulative_table = DataTable(
        "cumulative",
        ("cell", "first_month", "last_month", "value"),
        tuple((k, months[0].period, months[-1].period, v) for k, v in sums.items()),
    )
    files["data/all/cumulative.csv"] = cumulative_table.csv()
    files["data/all/cumulative.json"] = cumulative_table.json()
    words = dictionary(methodology)
    files["data/dictionary.csv"] = words.csv()
    files["data/dictionary.json"] = words.json()
    files["data/LICENSE.txt"] = LICENCE
    latest = months[-1].period
    catalogs = load_catalogs()
    for lang in LANGUAGES:
        tr = Texts.load(lang, catalogs)

        def put(path: str, title: str, body: str, current: str | None, tr: Texts = tr) -> None:
            files[f"{tr.lang}/{path}"] = page(
                tr, title=title, body=body, path=path, current=current, latest=latest
            )

        put("index.html", tr(t.HOME_TITLE), pages.home(months, tr), "home")
        put("months.html", tr(t.MONTHS_TITLE), pages.months_index(months, tr), "months")
        for m in months:
            fmt = Formatter(lang, m.min_cell)
            put(
                f"months/{m.period}.html",
                f"{tr(t.MONTH_TITLE)}: {pages.month_label(m.period, fmt)}",
                pages.month_page(m, quotes, tr),
                None,
            )
        put("trends.html", tr(t.TRENDS_TITLE), pages.trends(months, sums, tr), "trends")
        put(
            "data.html",
            tr(t.DATA_TITLE),
            pages.data_page(months, [*names, "cumulative"], words, tr),
            "data",
        )
        put("quotes.html", tr(t.QUOTES_TITLE), pages.quotes_page(quotes, tr), "quotes")
        put(
            "methodology.html",
            tr(t.METHODOLOGY_TITLE),
            pages.text_page(t.METHODOLOGY_BODY, tr),
            "methodology",
        )
        put("reading.html", tr(t.READING_TITLE), pages.text_page(t.READING_BODY, tr), "reading")
        put(
            "testimony.html",
            tr(t.TESTIMONY_TITLE),
            pages.text_page(t.TESTIMONY_BODY, tr, bot_link),
            "testimony",
        )
    files["index.html"] = _landing()
    encoded = {path: text.encode("utf-8") for path, text in sorted(files.items())}
    sums_list = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(encoded.items())
    )
    encoded["SHA256SUMS"] = sums_list.encode("ascii")
    return BuiltSite(encoded, sums, list(withdrawn))


def _landing() -> str:
    """The root page: both languages, each in its own words."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="es">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        "<title>Observatorio · Observatory</title>\n"
        '<link rel="stylesheet" href="assets/site.css">\n'
        '</head>\n<body>\n<main id="main">\n'
        "<h1>Base pública de evidencias</h1>\n"
        '<p><a href="es/index.html">Entrar en español</a></p>\n'
        '<p lang="en"><a href="en/index.html" hreflang="en">Enter in English</a></p>\n'
        "</main>\n</body>\n</html>\n"
    )


def write_site(site: BuiltSite, out: Path, *, issued: str, force: bool = False) -> None:
    """Write the site into `out` (created; an existing folder only with `force`, replaced
    whole, so no file of an earlier build, e.g. a withdrawn quote, survives)."""
    if out.exists() and not force:
        raise SiteError(f"{out} already exists; give --force to replace it with the new build.")
    stamp = datetime.fromisoformat(issued).timestamp()
    # Staged beside the target, so the final rename stays on one file system.
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=out.parent))
    try:
        for path, data in sorted(site.files.items()):
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            os.utime(target, (stamp, stamp))
        for folder in sorted({p.parent for p in staging.rglob("*")}, reverse=True):
            os.utime(folder, (stamp, stamp))
        staging.chmod(0o755)
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
