"""Locale-aware display of published counts, percentages, amounts, dates and row labels (Babel)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent

from admin_cli.report import codes
from admin_cli.report.model import Count, Period
from admin_cli.report.texts import COMPLEMENT_MARK, WITHHELD_MARK
from admin_cli.report.wording import ReportWording, shipped_wording

HIDDEN_PERCENT = "—"
_LAST_DIGIT = re.compile(r"0(?=[^0#]*$)")


class Formatter:
    """Formats the values of one report in one language; never sees a hidden value."""

    def __init__(self, lang: str, min_cell: int, wording: ReportWording | None = None) -> None:
        self.lang = lang
        # The labels of the shipped questionnaire unless the caller gives others.
        self.wording = wording or shipped_wording(lang)
        self.min_cell = min_cell
        self.locale = Locale.parse(lang)
        # The locale's own percent pattern with one decimal: "#,##0.0 %" (es), "#,##0.0%" (en).
        pattern = self.locale.percent_formats[None].pattern
        self._percent_pattern = _LAST_DIGIT.sub("0.0", pattern, count=1)

    def text(self, key: str) -> str:
        return self.wording.text(key)

    @property
    def small(self) -> str:
        """How a count below k is shown."""
        return f"<{self.min_cell}"

    def count(self, count: Count) -> str:
        if count.value is not None:
            return format_decimal(count.value, locale=self.locale)
        if count.suppression == "withheld":
            return WITHHELD_MARK
        return self.small if count.suppression == "primary" else COMPLEMENT_MARK

    def percent(self, value: Decimal | None) -> str:
        """A percentage given on the 0-100 scale, e.g. 12.5 -> "12,5 %" (es) or "12.5%" (en)."""
        if value is None:
            return HIDDEN_PERCENT
        return format_percent(value / 100, format=self._percent_pattern, locale=self.locale)

    def number(self, value: Decimal | None, places: int = 1) -> str:
        if value is None:
            return HIDDEN_PERCENT
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def money(self, value: Decimal | None, currency: str) -> str:
        if value is None:
            return HIDDEN_PERCENT
        return format_currency(value, currency, locale=self.locale)

    def date(self, day: date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def period(self, period: Period) -> str:
        if period.month is not None:
            return format_skeleton("yMMMM", period.start, locale=self.locale)
        return f"{self.date(period.start)} – {self.date(period.end)}"

    def country(self, code: str) -> str:
        name = self.locale.territories.get(code)
        return name if isinstance(name, str) else code

    def row_label(self, table_id: str, code: str) -> str:
        """The label of a table row; country and campaign rows are data, not wording."""
        if table_id == "countries" and not code.startswith("_"):
            return self.country(code)
        if table_id == "campaigns":
            return self.text("code._no_campaign") if code == codes.NO_CAMPAIGN else code
        return self.wording.code_label(table_id, code)

    def figure_label(self, figure_id: str) -> str:
        return self.wording.figure_label(figure_id)
