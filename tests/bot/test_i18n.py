"""Catalogs: complete English, identity Spanish, template in step with the sources."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.pofile import read_po

from bot.babel_questionnaire import extract
from bot.i18n import Catalogs, locale_for
from bot.i18n_tools import PROJECT_ROOT, extract_template, template_path, untranslated


def _msgids(catalog_path: Path) -> set[str]:
    with catalog_path.open("rb") as source:
        return {str(m.id) for m in read_po(source) if m.id}


def test_every_msgid_has_an_english_translation() -> None:
    assert untranslated("en") == []
    assert untranslated("es") == []


def test_template_is_up_to_date_with_the_sources() -> None:
    extracted = {str(m.id) for m in extract_template() if m.id}
    assert extracted == _msgids(template_path()), "run `make locales`"


def test_template_holds_code_questionnaire_and_flows_strings() -> None:
    msgids = _msgids(template_path())
    assert "Esa pregunta ya fue respondida." in msgids  # bot code
    assert "¿En qué sector fue la misión?" in msgids  # questionnaire question
    assert "Marina mercante o pesca" in msgids  # questionnaire choice
    assert "No sé" in msgids  # implied yes/no label
    assert "Pinar del Río" in msgids  # implied province
    assert "Por favor, elija una de las opciones." in msgids  # flows MSG_ constant
    assert "Escriba un año entre {lo} y {hi}." in msgids  # flows Message(...) call


def test_catalogs_translate_and_fall_back() -> None:
    catalogs = Catalogs.load(PROJECT_ROOT / "locales")
    assert catalogs.gettext("en", "Atrás") == "Back"
    assert catalogs.gettext("es", "Atrás") == "Atrás"
    assert catalogs.gettext("en", "not a msgid") == "not a msgid"
    assert catalogs.gettext("fr", "Atrás") == "Atrás"


def test_locale_from_language_code() -> None:
    assert locale_for("en-US") == "en"
    assert locale_for("EN") == "en"
    assert locale_for("es-419") == "es"
    assert locale_for("ru") == "es"
    assert locale_for(None) == "es"
    assert locale_for(None, default="en") == "en"


def test_questionnaire_extractor_reads_an_inline_definition() -> None:
    definition = """
id: mini
version: 1
title: Mini
modules:
  - id: m
    title: Módulo
    questions:
      - id: c
        type: consent
        text: ¿Acepta?
        choices:
          - {code: acepto, label: Acepto}
          - {code: no_acepto, label: No acepto}
      - id: q
        type: yesno
        text: ¿Pregunta?
        help: Una ayuda.
"""
    found = [m for _, _, m, _ in extract(io.BytesIO(definition.encode()), [], [], {})]
    assert found == [
        "Mini",
        "Módulo",
        "¿Acepta?",
        "Acepto",
        "No acepto",
        "¿Pregunta?",
        "Una ayuda.",
        "Sí",
        "No",
        "No sé",
    ]
