"""Line charts of series across months as inline SVG: drawn by hand, so the same figures give
the same bytes (no timestamp, no random id), and the text stays text for screen readers.

Each chart has a title and a description and sits next to a table of the same values (the
table is the text alternative; the SVG is `role="img"`). A month that did not publish a value
is a gap in the line, never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from admin_cli.site.trends import Series

# Colours distinguishable in grey and for common colour blindness (Okabe-Ito), each at least
# 3:1 against white as WCAG 1.4.11 asks of graphical objects; lines also differ in dash.
PALETTE = ("#0072b2", "#b35900", "#007a5e", "#9e3a8a", "#5c5c5c", "#8a6d00")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
_W, _H = 640, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 40, 16, 40


def _n(value: float) -> str:
    """Coordinates with one decimal, always written the same way."""
    return f"{value:.1f}"


def _nice_top(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return float(step * 5 if value > step * 4 else max(step * 4, value))
    return value


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    labels: Sequence[str],
    months: Sequence[str],
    *,
    top: float | None = None,
    unit: str = "",
) -> str:
    """One chart: x = months (labels given), y from 0 to `top` (or a round value above the
    largest), one line per series with a legend."""
    values = [p.value for s in series for p in s.points if p.value is not None]
    ceiling = top if top is not None else _nice_top(max(values, default=1.0) or 1.0)
    plot_w = _W - _LEFT - _RIGHT
    plot_h = _H - _TOP - _BOTTOM
    legend_h = 18 * len(series)
    step = plot_w / max(len(months) - 1, 1)

    def x(i: int) -> float:
        return _LEFT + (i * step if len(months) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return _TOP + plot_h - (v / ceiling) * plot_h if ceiling else _TOP + plot_h

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H + legend_h}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" class="chart">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for k in range(5):
        value = ceiling * k / 4
        yy = _n(y(value))
        out.append(
            f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{yy}" y2="{yy}" stroke="#d0d5da" '
            'stroke-width="1"/>'
        )
        label = f"{value:g}{unit}"
        out.append(
            f'<text x="{_LEFT - 6}" y="{_n(y(value) + 4)}" text-anchor="end" '
            f'font-size="12" fill="#333">{escape(label)}</text>'
        )
    for i, month in enumerate(months):
        out.append(
            f'<text x="{_n(x(i))}" y="{_H - _BOTTOM + 18}" text-anchor="middle" font-size="12" '
            f'fill="#333">{escape(month)}</text>'
        )
    for index, (one, label) in enumerate(zip(series, labels, strict=True)):
        colour = PALETTE[index % len(PALETTE)]
        dash = DASHES[(index // len(PALETTE)) % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        paths: list[list[str]] = []
        for i, point in enumerate(one.points):
            if point.value is None:
                if run:
                    paths.append(run)
                run = []
                continue
            run.append(f"{_n(x(i))},{_n(y(point.value))}")
        if run:
            paths.append(run)
        for path in paths:
            if len(path) > 1:
                out.append(
                    f'<polyline points="{" ".join(path)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash_attr}/>'
                )
            for xy in path:
                cx, cy = xy.split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="3.5" fill="{colour}"/>')
        ly = _H + 18 * index + 4
        out.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + 28}" y1="{ly}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>'
        )
        out.append(
            f'<text x="{_LEFT + 36}" y="{ly + 4}" font-size="12" fill="#222">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
