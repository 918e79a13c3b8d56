"""Typed input and output of the monthly report: decrypted records in, published figures out."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from flows.answers import AnswerValue

RecordStatus = Literal["complete", "partial"]
# primary: a count below k in a quasi-identifier table, shown "<k"; complementary: hidden to
# protect another cell, shown "x"; withheld: part of a table or row not published because too
# few testimonies make it up (shown "n/p").
Suppression = Literal["none", "primary", "complementary", "withheld"]

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class FigureLike(Protocol):
    """What the report reads of a derived figure (`flows.derive.Figure` satisfies it)."""

    @property
    def state(self) -> str:
        """ "present", "absent", "unknown" or "not_applicable"."""

    @property
    def value(self) -> Decimal | int | None:
        """The number behind the figure (ilo_total, retencion_salarial_pct), if any."""

    @property
    def review(self) -> bool:
        """True when staff should review the source answers (a wage retention out of range)."""


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """One decrypted submission as the report sees it: answers plus derived figures."""

    status: RecordStatus
    created_on: date
    completed_on: date | None
    campaign: str | None
    questionnaire_id: str
    questionnaire_version: int
    questionnaire_hash: str
    answers: Mapping[str, AnswerValue]
    figures: Mapping[str, FigureLike]
    # `directo` or `entrevista` (storage.tables.SubmissionMode): which source it is.
    mode: str = "directo"


class PeriodError(ValueError):
    """A report period given by staff is malformed (the message is one sentence in English)."""


@dataclass(frozen=True, slots=True)
class Period:
    """The inclusive date range a report covers; `month` is set when it is a calendar month."""

    start: date
    end: date
    month: str | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError("The end of the report period is before its start.")

    @classmethod
    def of_month(cls, text: str) -> Period:
        """The calendar month written `YYYY-MM`."""
        match = _MONTH.fullmatch(text.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise PeriodError(f"The month must be written YYYY-MM, got {text!r}.")
        year, month = int(match.group(1)), int(match.group(2))
        last_day = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last_day), f"{year:04d}-{month:02d}")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def reference_date(record: ReportRecord) -> date:
    """The day a record counts for: completion when complete, otherwise its creation."""
    return record.completed_on or record.created_on


# --- published output: nothing below holds a value that disclosure control has hidden ---


@dataclass(frozen=True, slots=True)
class Count:
    """A published count: `value` is None exactly when the count is suppressed."""

    value: int | None
    suppression: Suppression = "none"

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a frequency table; `percent` (0-100, one decimal) is None when hidden."""

    code: str
    count: Count
    percent: Decimal | None


@dataclass(frozen=True, slots=True)
class FrequencyTable:
    """Counts of one variable whose rows add up to `total`; subtotals add up named rows."""

    table_id: str
    rows: tuple[Row, ...]
    total: Count
    subtotals: tuple[Row, ...] = ()


@dataclass(frozen=True, slots=True)
class FigureRow:
    """A derived figure: present + absent = answered, out of `base` people it applies to.

    `percent` is present as a share of `answered` (the respondents for whom it is known).
    The rest of `base` gave no usable answer; that non-response is not an attribute of anyone's
    situation, so it is not a protected cell (see `disclosure`).
    """

    figure_id: str
    present: Count
    absent: Count
    answered: Count
    base: Count
    percent: Decimal | None
    # The base by source (testimonies given by the person, interviews), in `codes.MODES`
    # order; empty for a field report's figure (one source).
    base_by_source: tuple[Count, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldCount:
    """An investigators' count summed over the field reports that gave a number for it.

    `total` is None unless published: over fewer than k reports a sum is close to one
    report's own number."""

    question_id: str
    reports: Count  # field reports that gave a number
    unknown: Count  # field reports where the finding was reported but not its number
    total: int | None


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and quartiles of a list of numbers, rounded to `step`; None unless published.

    Never the minimum or maximum: each is one respondent's own value.
    """

    n: Count
    median: Decimal | None
    q1: Decimal | None
    q3: Decimal | None
    step: Decimal = Decimal(1)

    @property
    def published(self) -> bool:
        return self.median is not None


@dataclass(frozen=True, slots=True)
class WageRetention:
    """Distribution of `retencion_salarial_pct` and how many values are flagged for review."""

    spread: Spread
    review: Count


@dataclass(frozen=True, slots=True)
class HostPayments:
    """Monthly payments by the host country to the Cuban state, in `currency` only."""

    currency: str
    spread: Spread
    other_currencies: Count


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One questionnaire version included in the report and how many records used it."""

    questionnaire_id: str
    version: int
    hash_prefix: str
    count: Count


ReleaseKind = Literal["final", "provisional"]


@dataclass(frozen=True, slots=True)
class Stamp:
    """Where a report stands on the record: the audit log entry of the command that made it
    (`n:hash`) and, when it was recorded in the release ledger, its kind and number."""

    audit_anchor: str
    release: ReleaseKind | None = None
    release_number: int | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """Every published figure of one report, already under disclosure control."""

    period: Period
    lang: str
    min_cell: int
    status: FrequencyTable
    roles: FrequencyTable
    campaigns: FrequencyTable
    sectors: FrequencyTable
    countries: FrequencyTable
    ilo: tuple[FigureRow, ...]
    ilo_total: FrequencyTable
    frameworks: tuple[FigureRow, ...]
    retention: WageRetention
    payments: HostPayments
    health: tuple[FigureRow, ...]
    ambulance: FrequencyTable
    versions: tuple[VersionRow, ...]
    versions_total: Count
    stamp: Stamp | None = None
    # The sources (docs/methodology.md §12): testimonies by mode (they sum to the
    # testimonies' total), and the field reports, counted apart and never added to them.
    sources: FrequencyTable | None = None
    field_reports: Count = Count(0)
    field_health: tuple[FigureRow, ...] = ()
    field_ilo: tuple[FigureRow, ...] = ()
    field_counts: tuple[FieldCount, ...] = ()

    @property
    def disclosure_control(self) -> bool:
        return self.min_cell > 1
