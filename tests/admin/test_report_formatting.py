"""Locale formatting of the report (Babel), and its wording: the catalogs (context
`report`) and the questionnaire's labels, none missing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from admin_cli.report import codes
from admin_cli.report.formatting import Formatter
from admin_cli.report.model import Count, Period
from admin_cli.report.texts import REPORT_CONTEXT, SOURCE
from admin_cli.report.wording import MissingLabel, ReportWording, label_problems
from flows.catalogs import Catalogs
from flows.loader import parse_questionnaire
from flows.locales import SUPPORTED_LOCALES
from flows.shipped import load_shipped


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


def test_row_labels_are_the_questionnaires_labels() -> None:
    es, en = Formatter("es", 5), Formatter("en", 5)
    assert es.row_label("countries", "SA") == "Arabia Saudí"
    assert en.row_label("countries", "SA") == "Saudi Arabia"
    assert es.row_label("countries", "ZZ9") == "ZZ9"  # an unknown code is shown as it is
    assert es.row_label("countries", codes.OTHERS) == "Otros países"
    assert en.row_label("campaigns", codes.NO_CAMPAIGN) == "No campaign"
    assert en.row_label("campaigns", "Marinos") == "Marinos"
    choice = load_shipped().question("rol").choice("abandono")
    assert choice is not None
    assert es.row_label("roles", "abandono") == choice.label
    assert en.row_label("ambulance", "nunca_llego") == "It never came"  # the bot's English
    # A code only the first version used keeps that version's label.
    assert es.row_label("ambulance", "6_24h") == "De 6 a 24 horas"
    assert es.figure_label("ilo_engano") == "Engaño"
    assert en.figure_label("ilo_engano") == "Deception"


def test_a_code_without_a_label_is_an_error_not_a_raw_code() -> None:
    with pytest.raises(MissingLabel):
        Formatter("en", 5).row_label("sectors", "codigo_nuevo")
    with pytest.raises(MissingLabel):
        Formatter("es", 5).figure_label("figura_nueva")


@pytest.mark.parametrize("lang", SUPPORTED_LOCALES)
def test_every_wording_key_is_translated(lang: str) -> None:
    catalogs = Catalogs.load()
    wording = ReportWording(lang, [load_shipped()], catalogs)
    for key, spanish in SOURCE.items():
        assert wording.text(key)
        assert catalogs.translates(lang, spanish, REPORT_CONTEXT), key


def test_the_shipped_questionnaires_label_every_row_of_the_report() -> None:
    assert label_problems(load_shipped(), Catalogs.load()) == []


MISSING_SECTOR = """
id: prueba
version: 1
title: Prueba
modules:
  - id: m
    title: Módulo
    questions:
      - id: sector
        type: single
        text: ¿En qué sector?
        choices:
          - {code: salud, label: Salud}
          - {code: minas, label: Minería}
"""


def test_a_new_code_without_translation_is_named() -> None:
    problems = label_problems(parse_questionnaire(MISSING_SECTOR, "prueba.yaml"), Catalogs.load())
    assert problems == [
        "The label 'Minería' of the code 'minas' has no translation in the 'en' catalog; "
        "run `make locales` and translate it."
    ]
