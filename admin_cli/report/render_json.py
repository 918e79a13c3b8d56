"""The report as JSON for other tools: the same published figures, hidden cells marked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from admin_cli.report import codes
from admin_cli.report.disclosure import min_base
from admin_cli.report.formatting import Formatter
from admin_cli.report.model import Count, FigureRow, FrequencyTable, Report, Spread
from admin_cli.report.publish import QUANTILE_MIN_N
from admin_cli.report.wording import ReportWording

SCHEMA = "oclep-monthly-report/3"


def render_json(
    report: Report, lang: str | None = None, wording: ReportWording | None = None
) -> str:
    """Indented UTF-8 JSON; a hidden count is {"suppressed": true, "display": "<5"} (or "x")."""
    return json.dumps(report_dict(report, lang, wording), ensure_ascii=False, indent=2) + "\n"


def report_dict(
    report: Report, lang: str | None = None, wording: ReportWording | None = None
) -> dict[str, Any]:
    fmt = Formatter(lang or report.lang, report.min_cell, wording)
    return {
        "schema": SCHEMA,
        "lang": fmt.lang,
        "period": {
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
            "month": report.period.month,
            "label": fmt.period(report.period),
        },
        "min_cell": report.min_cell,
        "audit_anchor": report.stamp.audit_anchor if report.stamp else None,
        "release": (
            {"kind": report.stamp.release, "number": report.stamp.release_number}
            if report.stamp and report.stamp.release
            else None
        ),
        "disclosure_control": report.disclosure_control,
        "disclosure": {
            "min_cell": report.min_cell,
            "min_base": min_base(report.min_cell),
            "quantile_min_n": QUANTILE_MIN_N if report.disclosure_control else 1,
        },
        # Keyed by the variable each table counts: the ids of the export and its codebook.
        "tables": {
            codes.TABLE_VARIABLES[table.table_id]: _frequency(table, fmt)
            for table in (
                *(() if report.sources is None else (report.sources,)),
                report.status,
                report.roles,
                report.campaigns,
                report.sectors,
                report.countries,
                report.ilo_total,
                report.ambulance,
            )
        },
        "figures": {
            "ilo": _figures(report.ilo, fmt),
            "frameworks": _figures(report.frameworks, fmt),
            "health": _figures(report.health, fmt),
        },
        # Field reports: an investigator's findings about a place, never added to the
        # testimonies above (docs/methodology.md §12).
        "field_reports": {
            "n": _count(report.field_reports, fmt),
            "figures": {
                "health": _figures(report.field_health, fmt),
                "ilo": _figures(report.field_ilo, fmt),
            },
            "counts": [
                {
                    "id": row.question_id,
                    "label": fmt.text(f"count.{row.question_id}"),
                    "reports": _count(row.reports, fmt),
                    "reports_without_number": _count(row.unknown, fmt),
                    "sum": row.total,
                }
                for row in report.field_counts
            ],
        },
        "distributions": {
            codes.RETENTION: {
                **_spread(report.retention.spread, fmt),
                "review": _count(report.retention.review, fmt),
            },
            codes.HOST_PAYMENT: {
                "currency": report.payments.currency,
                **_spread(report.payments.spread, fmt),
                "other_currencies": _count(report.payments.other_currencies, fmt),
            },
        },
        "questionnaire_versions": {
            "rows": [
                {
                    "questionnaire_id": row.questionnaire_id,
                    "version": row.version,
                    "hash_prefix": row.hash_prefix,
                    "count": _count(row.count, fmt),
                }
                for row in report.versions
            ],
            "total": _count(report.versions_total, fmt),
        },
    }


def _count(count: Count, fmt: Formatter) -> int | dict[str, Any]:
    # Only the display: whether a hidden cell is small or a complement stays unsaid beyond it.
    if count.value is not None:
        return count.value
    if count.suppression == "withheld":
        return {"suppressed": True, "withheld": True, "display": fmt.count(count)}
    return {"suppressed": True, "display": fmt.count(count)}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _frequency(table: FrequencyTable, fmt: Formatter) -> dict[str, Any]:
    def row_dict(code: str, count: Count, percent: Decimal | None) -> dict[str, Any]:
        return {
            "code": code,
            "label": fmt.row_label(table.table_id, code),
            "count": _count(count, fmt),
            "percent": _number(percent),
        }

    return {
        "rows": [row_dict(r.code, r.count, r.percent) for r in table.rows],
        "subtotals": [row_dict(r.code, r.count, r.percent) for r in table.subtotals],
        "total": _count(table.total, fmt),
    }


def _figures(rows: Sequence[FigureRow], fmt: Formatter) -> list[dict[str, Any]]:
    return [
        {
            "id": row.figure_id,
            "label": fmt.figure_label(row.figure_id),
            "present": _count(row.present, fmt),
            "absent": _count(row.absent, fmt),
            "answered": _count(row.answered, fmt),
            "base": _count(row.base, fmt),
            "percent_of_answered": _number(row.percent),
            **(
                {
                    "base_by_source": {
                        mode: _count(count, fmt)
                        for mode, count in zip(codes.MODES, row.base_by_source, strict=True)
                    }
                }
                if row.base_by_source
                else {}
            ),
        }
        for row in rows
    ]


def _spread(spread: Spread, fmt: Formatter) -> dict[str, Any]:
    return {
        "n": _count(spread.n, fmt),
        "median": _number(spread.median),
        "q1": _number(spread.q1),
        "q3": _number(spread.q3),
        "rounded_to": _number(spread.step),
    }
