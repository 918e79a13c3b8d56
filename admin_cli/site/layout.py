"""The HTML frame every page shares: language, skip link, navigation, footer, print styles.

No script, no external resource: one stylesheet from the site itself and system fonts.
"""

from __future__ import annotations

from html import escape
from typing import Final

from admin_cli.site import texts as t
from admin_cli.site.texts import Texts

CSS: Final = """\
:root { color-scheme: light; --ink: #1b2630; --muted: #4a5560; --rule: #c9d0d6;
  --accent: #1f5a85; --warn: #a4221a; }
* { box-sizing: border-box; }
html { font: 100%/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
body { margin: 0; color: var(--ink); background: #fff; }
.skip { position: absolute; left: -999rem; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 2; }
header, main, footer { max-width: 62rem; margin: 0 auto; padding: 0 1.25rem; }
header { border-bottom: 3px solid var(--accent); padding-top: 1rem; }
.site-name { font-weight: 700; font-size: 1.2rem; color: var(--ink); text-decoration: none; }
nav ul { list-style: none; padding: 0; margin: .5rem 0 0; display: flex; flex-wrap: wrap;
  gap: .25rem 1rem; }
nav a, .lang a { color: var(--accent); }
nav a[aria-current="page"] { font-weight: 700; color: var(--ink); }
a { color: var(--accent); }
a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.lang { float: right; margin: 0; }
h1 { font-size: 1.8rem; margin: 1.5rem 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.1rem; }
.table-wrap { overflow-x: auto; }
.table-wrap:focus-visible { outline: 3px solid var(--accent); }
table { border-collapse: collapse; width: 100%; margin: .75rem 0 1.5rem; font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .4rem; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
thead th { border-bottom: 2px solid var(--ink); }
.note { color: var(--muted); }
.banner { border: 2px solid var(--warn); color: var(--warn); font-weight: 700;
  padding: .4rem .8rem; }
figure { margin: 1rem 0; }
svg.chart { width: 100%; max-width: 40rem; height: auto; display: block; }
blockquote { margin: 1rem 0; padding: .5rem 1rem; border-left: 4px solid var(--accent);
  background: #f3f6f8; }
blockquote footer { padding: 0; color: var(--muted); font-size: .9rem; }
footer.site { border-top: 1px solid var(--rule); margin-top: 3rem; padding: 1rem 1.25rem 2rem;
  color: var(--muted); font-size: .9rem; }
@media print {
  nav, .skip, .lang { display: none; }
  header, main, footer { max-width: none; }
  a { color: var(--ink); }
  h2, h3 { break-after: avoid; }
  table, figure, blockquote { break-inside: avoid; }
}
"""

# Wherever the site is hosted, the browser itself refuses any script, frame, form target
# or resource from elsewhere: only the site's stylesheet loads.
CSP: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"
)

# (page key, file name, label): the navigation, in order.
PAGES: Final = (
    ("home", "index.html", t.NAV_HOME),
    ("months", "months.html", t.NAV_MONTHS),
    ("trends", "trends.html", t.NAV_TRENDS),
    ("data", "data.html", t.NAV_DATA),
    ("quotes", "quotes.html", t.NAV_QUOTES),
    ("methodology", "methodology.html", t.NAV_METHODOLOGY),
    ("reading", "reading.html", t.NAV_READING),
    ("testimony", "testimony.html", t.NAV_TESTIMONY),
)


def page(
    tr: Texts,
    *,
    title: str,
    body: str,
    path: str,
    current: str | None,
    latest: str,
) -> str:
    """A whole page. `path` is the page's path under its language folder ("index.html",
    "months/2025-03.html"): links are relative, so the site works from any folder."""
    depth = path.count("/") + 1
    up = "../" * depth
    here = "../" * (depth - 1)
    other = "en" if tr.lang == "es" else "es"
    links = []
    for key, name, label in PAGES:
        mark = ' aria-current="page"' if key == current else ""
        links.append(f'<li><a href="{here}{name}"{mark}>{escape(tr(label))}</a></li>')
    other_label = "English" if other == "en" else "Español"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{tr.lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{escape(title)} · {escape(tr(t.SITE_NAME))}</title>\n"
        f'<link rel="stylesheet" href="{up}assets/site.css">\n'
        f'<link rel="alternate" hreflang="{other}" href="{up}{other}/{path}">\n'
        "</head>\n<body>\n"
        f'<a class="skip" href="#main">{escape(tr(t.SKIP))}</a>\n'
        "<header>\n"
        f'<p class="lang"><a href="{up}{other}/{path}" hreflang="{other}" lang="{other}">'
        f"{other_label}</a></p>\n"
        f'<a class="site-name" href="{here}index.html">{escape(tr(t.SITE_NAME))}</a>\n'
        f'<nav aria-label="{escape(tr(t.NAV_LABEL))}"><ul>\n' + "\n".join(links) + "\n</ul></nav>\n"
        "</header>\n"
        f'<main id="main">\n<h1>{escape(title)}</h1>\n{body}\n</main>\n'
        f'<footer class="site"><p>{escape(tr(t.FOOTER))}</p>'
        f"<p>{escape(tr(t.FOOTER_BUILT))} {escape(latest)}</p></footer>\n"
        "</body>\n</html>\n"
    )


def paragraphs(tr: Texts, msgids: tuple[str, ...]) -> str:
    return "\n".join(f"<p>{escape(tr(m))}</p>" for m in msgids)


def wrap(caption: str) -> str:
    """The scrolling box of a wide table: focusable and named, so that keyboard users can
    scroll it too (WCAG 2.1.1; axe's scrollable-region-focusable)."""
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}"><table>'
    )


def table(
    caption: str,
    head: list[str],
    rows: list[list[str]],
    numeric: set[int] | None = None,
    *,
    row_headers: bool = True,
) -> str:
    """A data table; the first cell of each row is its header (`scope="row"`)."""
    numeric = numeric or set()

    def cls(i: int) -> str:
        return ' class="n"' if i in numeric else ""

    out = [
        wrap(caption),
        f"<caption>{escape(caption)}</caption>",
        "<thead><tr>",
    ]
    out += [f'<th scope="col"{cls(i)}>{escape(h)}</th>' for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i == 0 and row_headers:
                cells.append(f'<th scope="row">{escape(value)}</th>')
            else:
                cells.append(f"<td{cls(i)}>{escape(value)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)
