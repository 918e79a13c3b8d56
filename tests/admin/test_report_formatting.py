"""Locale formatting of the report (Babel) and the completeness of its wording."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from admin_cli.report import Period, codes
from admin_cli.report.formatting import Formatter
from admin_cli.report.model import Count
from admin_cli.report.texts import TEXTS
from flows.locales import SUPPORTED_LOCALES


def test_percentages_follow_the_language() -> None:
    assert Formatter("es", 5).percent(Decimal("12.5")) == "12,5\xa0%"
    assert Formatter("en", 5).percent(Decimal("12.5")) == "12.5%"
    assert Formatter("es", 5).percent(Decimal("100")) == "100,0\xa0%"
    assert Formatter("en", 5).percent(None) == "—"


def test_numbers_amounts_and_dates() -> None:
    es, en = Formatter("es", 5), Formatter("en", 5)
    assert es.number(Decimal("12345.67"), 1) == "12.345,7"
    assert en.number(Decimal("12345.67"), 1) == "12,345.7"
    assert en.money(Decimal("3475"), "USD") == "$3,475.00"
    assert es.money(Decimal("3475"), "USD") == "3.475,00\xa0US$"
    assert es.date(date(2025, 3, 4)) == "4 de marzo de 2025"
    assert en.date(date(2025, 3, 4)) == "March 4, 2025"
    assert es.period(Period.of_month("2025-03")) == "marzo de 2025"
    assert en.period(Period(date(2025, 3, 1), date(2025, 4, 15))) == (
        "March 1, 2025 – April 15, 2025"
    )


def test_counts_show_their_suppression() -> None:
    fmt = Formatter("es", 5)
    assert fmt.count(Count(1234)) == "1.234"
    assert fmt.count(Count(12345)) == "12.345"
    assert fmt.count(Count(None, "primary")) == "<5"
    assert fmt.count(Count(None, "complementary")) == "x"
    assert fmt.count(Count(None, "withheld")) == "n/p"
    assert Formatter("en", 10).count(Count(None, "primary")) == "<10"


def test_row_labels() -> None:
    es, en = Formatter("es", 5), Formatter("en", 5)
    assert es.row_label("countries", "SA") == "Arabia Saudí"
    assert en.row_label("countries", "SA") == "Saudi Arabia"
    assert es.row_label("countries", "ZZ9") == "ZZ9"  # an unknown code is shown as it is
    assert es.row_label("countries", codes.OTHERS) == "Otros países"
    assert en.row_label("campaigns", codes.NO_CAMPAIGN) == "No campaign"
    assert en.row_label("campaigns", "Marinos") == "Marinos"
    assert es.row_label("roles", "abandono") == "Abandonó una misión"
    assert en.row_label("ambulance", "nunca_llego") == "Never arrived"
    assert en.row_label("sectors", "codigo_nuevo") == "codigo_nuevo"


def test_both_languages_have_the_same_wording_keys() -> None:
    assert set(TEXTS) == set(SUPPORTED_LOCALES)
    assert all(set(TEXTS[lang]) == set(TEXTS["es"]) for lang in SUPPORTED_LOCALES)


@pytest.mark.parametrize("lang", SUPPORTED_LOCALES)
def test_every_figure_and_code_has_a_label(lang: str) -> None:
    words = TEXTS[lang]
    figures = (*codes.ILO_FIGURES, *codes.FRAMEWORK_FIGURES, *codes.HEALTH_FIGURES)
    for figure_id in figures:
        assert words[f"figure.{figure_id}"]
    for prefix, values in (
        ("role", codes.ROLES),
        ("sector", codes.SECTORS),
        ("ambulance", codes.AMBULANCE),
        ("status", codes.STATUSES),
    ):
        for code in values:
            assert words[f"{prefix}.{code}"]
    for code in (codes.NO_ANSWER, codes.OTHERS, codes.NO_CAMPAIGN, codes.MISSION):
        assert words[f"code.{code}"]
