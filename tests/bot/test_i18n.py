"""Catalogs: complete English, identity Spanish, template in step with the sources."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from bot import texts
from bot.babel_questionnaire import extract
from bot.i18n import Catalogs, Plural, locale_for
from bot.i18n_tools import PROJECT_ROOT, extract_template, template_path, untranslated
from bot.telegram import texts as telegram_texts


def _msgids(catalog_path: Path) -> set[str]:
    with catalog_path.open("rb") as source:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}


def test_every_msgid_has_an_english_translation() -> None:
    assert untranslated("en") == []
    assert untranslated("es") == []


def test_template_is_up_to_date_with_the_sources() -> None:
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in extract_template() if m.id}
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


def test_the_telegram_adapters_texts_are_extracted_and_translated() -> None:
    msgids = _msgids(template_path())
    catalogs = Catalogs.load(PROJECT_ROOT / "locales")
    for msgid in (
        telegram_texts.NOT_AN_ANSWER,
        telegram_texts.EDITS_IGNORED,
        telegram_texts.PRIVATE_CHATS_ONLY,
    ):
        assert msgid in msgids
        assert catalogs.gettext("en", msgid) != msgid
        assert catalogs.gettext("es", msgid) == msgid
    assert catalogs.gettext("en", telegram_texts.NOT_AN_ANSWER).startswith("Please answer")


def test_extraction_does_not_import_aiogram() -> None:
    """Only bot/telegram imports aiogram; extracting its texts must not need it."""
    script = (
        "import sys\n"
        "sys.modules['aiogram'] = None  # any import of aiogram now fails\n"
        "from bot.i18n_tools import extract_template\n"
        "ids = {m.id for m in extract_template() if m.id}\n"
        "assert any(isinstance(i, str) and i.startswith('Este bot solo funciona') for i in ids)\n"
        "assert 'bot.telegram.texts' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_plural_messages_pick_the_form_for_the_count() -> None:
    catalogs = Catalogs.load(PROJECT_ROOT / "locales")
    one = catalogs.ngettext("es", texts.UNFINISHED_KEPT, 1).format(days=1)
    thirty = catalogs.ngettext("es", texts.UNFINISHED_KEPT, 30).format(days=30)
    assert "Después de 1 día sin actividad" in one
    assert "Después de 30 días sin actividad" in thirty
    assert "After {days} day without" in catalogs.ngettext("en", texts.UNFINISHED_KEPT, 1)
    assert "After {days} days without" in catalogs.ngettext("en", texts.UNFINISHED_KEPT, 30)
    # Without a translation (or a catalog), Spanish's rule: singular for exactly one.
    bare = Plural("{n} día", "{n} días")
    assert catalogs.ngettext("en", bare, 1) == "{n} día"
    assert catalogs.ngettext("fr", bare, 0) == "{n} días"
    assert Catalogs.source_only().ngettext("es", bare, 30) == "{n} días"


def test_plural_messages_are_extracted_with_their_plural() -> None:
    with template_path().open("rb") as source:
        template = read_po(source)
    found = template.get(texts.UNFINISHED_KEPT.singular)
    assert found is not None and found.pluralizable
    assert found.id == (texts.UNFINISHED_KEPT.singular, texts.UNFINISHED_KEPT.plural)


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
