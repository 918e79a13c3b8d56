"""The report's entry point: records in, a disclosure-controlled `Report` out."""

from __future__ import annotations

from collections.abc import Iterable

from admin_cli.report.figures import tally
from admin_cli.report.model import Period, Report, ReportRecord
from admin_cli.report.publish import publish

DEFAULT_MIN_CELL = 5
LANGUAGES = ("es", "en")


class ReportOptionError(ValueError):
    """A report option given by staff is invalid (the message is one sentence in English)."""


def build_report(
    records: Iterable[ReportRecord],
    *,
    period: Period,
    lang: str = "es",
    min_cell: int = DEFAULT_MIN_CELL,
) -> Report:
    """Aggregate `records` (read once, in any order) into the published report.

    The caller selects the records of `period` (see `model.reference_date`); the period is the
    report's label. `min_cell` is k of the disclosure control; 1 turns it off.
    """
    if lang not in LANGUAGES:
        raise ReportOptionError(f"The report language must be one of {', '.join(LANGUAGES)}.")
    if min_cell < 1:
        raise ReportOptionError("The minimum cell size must be 1 or more.")
    return publish(tally(records), period=period, lang=lang, min_cell=min_cell)
