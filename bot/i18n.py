"""Respondent languages: gettext catalogs read from the .po files, no compile step needed."""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SOURCE_LOCALE: Final = "es"
SUPPORTED_LOCALES: Final = ("es", "en")
DOMAIN: Final = "messages"
DEFAULT_LOCALES_DIR: Final = Path(__file__).resolve().parent.parent / "locales"

Translate = Callable[[str], str]


class CatalogError(Exception):
    """A catalog file could not be read; the message names the file."""


def N_(text: str) -> str:  # the gettext marker Babel extracts by default
    """Mark a Spanish source string for extraction; it is translated where it is shown."""
    return text


@dataclass(frozen=True)
class Plural:
    """A Spanish source string that carries a count: gettext's msgid and msgid_plural.

    Babel extracts `Plural("…", "…")` calls (see `bot.i18n_tools.KEYWORDS`); the catalogs
    pick the form for the count (`Catalogs.ngettext`), so 1 reads "1 día", 30 "30 días".
    """

    singular: str
    plural: str


def po_path(directory: Path, locale: str) -> Path:
    """Where the catalog of `locale` lives under a locales folder."""
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


class Catalogs:
    """The translations of every supported language, loaded once per process and passed on."""

    def __init__(self, translations: Mapping[str, gettext.NullTranslations]) -> None:
        self._translations = dict(translations)

    @classmethod
    def load(cls, directory: Path = DEFAULT_LOCALES_DIR) -> Catalogs:
        """Read `<directory>/<locale>/LC_MESSAGES/messages.po` for every supported locale.

        The .po files are compiled in memory, so a fresh clone works without `make locales`.
        The source language falls back to the msgids if its catalog is missing.
        """
        translations: dict[str, gettext.NullTranslations] = {}
        for locale in SUPPORTED_LOCALES:
            path = po_path(directory, locale)
            if not path.exists() and locale == SOURCE_LOCALE:
                translations[locale] = gettext.NullTranslations()
                continue
            translations[locale] = _compile(path, locale)
        return cls(translations)

    @classmethod
    def source_only(cls) -> Catalogs:
        """Spanish msgids for every language (for tests that do not look at translations)."""
        return cls({locale: gettext.NullTranslations() for locale in SUPPORTED_LOCALES})

    def gettext(self, locale: str, msgid: str) -> str:
        """`msgid` in `locale` (the msgid itself when untranslated or unknown)."""
        if not msgid:
            return msgid
        translations = self._translations.get(locale)
        return msgid if translations is None else translations.gettext(msgid)

    def ngettext(self, locale: str, text: Plural, count: int) -> str:
        """The form of `text` for `count` in `locale` (Spanish rules when untranslated)."""
        translations = self._translations.get(locale)
        if translations is None:
            return text.singular if count == 1 else text.plural
        return translations.ngettext(text.singular, text.plural, count)

    def translator(self, locale: str) -> Translate:
        """A one-argument translate function for `locale`."""
        return lambda msgid: self.gettext(locale, msgid)


def locale_for(language_code: str | None, default: str = SOURCE_LOCALE) -> str:
    """The respondent's locale from a client language code: English for en*, else `default`."""
    if language_code and language_code.lower().startswith("en"):
        return "en"
    return default if default in SUPPORTED_LOCALES else SOURCE_LOCALE


def _compile(path: Path, locale: str) -> gettext.GNUTranslations:
    try:
        with path.open("rb") as source:
            catalog = read_po(source, locale=locale, domain=DOMAIN)
    except OSError as exc:
        raise CatalogError(f"Cannot read the catalog {path} ({exc.strerror}).") from None
    except Exception as exc:  # Babel raises several types for a malformed file
        raise CatalogError(f"The catalog {path} is malformed ({type(exc).__name__}).") from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
