"""Respondent languages: the gettext markers of the bot's texts, and the respondent's locale.

The catalogs themselves are loaded by `flows.catalogs` (shared with the staff tool).
"""

from __future__ import annotations

from flows.catalogs import (
    DEFAULT_LOCALES_DIR,
    DOMAIN,
    PACKAGED_LOCALES,
    CatalogError,
    Catalogs,
    Plural,
    Translate,
    compile_po,
    packaged_mo,
    po_path,
)
from flows.locales import SOURCE_LOCALE, SUPPORTED_LOCALES

__all__ = [
    "DEFAULT_LOCALES_DIR",
    "DOMAIN",
    "N_",
    "PACKAGED_LOCALES",
    "CatalogError",
    "Catalogs",
    "Plural",
    "Translate",
    "compile_po",
    "locale_for",
    "packaged_mo",
    "po_path",
]


def N_(text: str) -> str:  # the gettext marker Babel extracts by default
    """Mark a Spanish source string for extraction; it is translated where it is shown."""
    return text


def locale_for(language_code: str | None, default: str = SOURCE_LOCALE) -> str:
    """The respondent's locale from a client language code: English for en*, else `default`."""
    if language_code and language_code.lower().startswith("en"):
        return "en"
    return default if default in SUPPORTED_LOCALES else SOURCE_LOCALE
