"""The gettext catalogs of every supported language: the bot's texts, the questionnaires'
texts and the report's wording (context `report`), compiled into the installed package or
read from the source tree's .po files (a clone works without a compile step).

In `flows` because the catalogs translate the questionnaires, and both the bot and the
staff tool read them; only Babel and the standard library are needed (setup.py uses it).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from flows.locales import SOURCE_LOCALE, SUPPORTED_LOCALES

Translate = Callable[[str], str]

DOMAIN: Final = "messages"
# The .po sources, beside the packages in a clone (absent from an installed wheel).
DEFAULT_LOCALES_DIR: Final = Path(__file__).resolve().parent.parent / "locales"
# Where the wheel carries the compiled catalogs (a path inside the installed `bot` package,
# named here, not imported): bot/locales/<locale>/LC_MESSAGES/messages.mo,
# written by the build (setup.py) from the .po files.
PACKAGED_LOCALES: Final = "locales"


class CatalogError(Exception):
    """A catalog file could not be read; the message names the file."""


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


def packaged_mo(locale: str) -> Traversable:
    """The compiled catalog of `locale` inside the installed package (may not exist)."""
    return files("bot") / PACKAGED_LOCALES / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def compile_po(path: Path, locale: str) -> bytes:
    """The .mo bytes of a .po file (fuzzy entries left out); `CatalogError` if unreadable."""
    try:
        with path.open("rb") as source:
            catalog = read_po(source, locale=locale, domain=DOMAIN)
    except OSError as exc:
        raise CatalogError(f"Cannot read the catalog {path} ({exc.strerror}).") from None
    except Exception as exc:  # Babel raises several types for a malformed file
        raise CatalogError(f"The catalog {path} is malformed ({type(exc).__name__}).") from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


class Catalogs:
    """The translations of every supported language, loaded once per process and passed on."""

    def __init__(
        self,
        translations: Mapping[str, gettext.NullTranslations],
        translated: Mapping[str, frozenset[tuple[str | None, str]]] | None = None,
    ) -> None:
        self._translations = dict(translations)
        # (context, msgid) of each translated message, per locale (`translates`).
        self._translated = dict(translated or {})

    @classmethod
    def load(cls, directory: Path | None = None) -> Catalogs:
        """The catalog of every supported locale.

        Without `directory`: the compiled catalogs the installed package carries, else (a
        clone, an editable install) the .po files of the source tree. With `directory`: its
        `<locale>/LC_MESSAGES/messages.po` files. .po files are compiled in memory, so a
        fresh clone works without `make locales`. The source language falls back to the
        msgids if its catalog is missing.
        """
        translations: dict[str, gettext.NullTranslations] = {}
        translated: dict[str, frozenset[tuple[str | None, str]]] = {}
        for locale in SUPPORTED_LOCALES:
            packaged = packaged_mo(locale)
            if directory is None and packaged.is_file():
                mo = packaged.read_bytes()
                translations[locale] = _translations(mo, str(packaged))
                translated[locale] = _translated_ids(mo)
                continue
            path = po_path(directory or DEFAULT_LOCALES_DIR, locale)
            if not path.exists() and locale == SOURCE_LOCALE:
                translations[locale] = gettext.NullTranslations()
                continue
            mo = compile_po(path, locale)
            translations[locale] = _translations(mo, str(path))
            translated[locale] = _translated_ids(mo)
        return cls(translations, translated)

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

    def translates(self, locale: str, msgid: str, context: str | None = None) -> bool:
        """Whether `locale`'s catalog holds a translation of `msgid` (the source language
        translates everything: its msgids are its texts)."""
        if locale == SOURCE_LOCALE:
            return True
        return (context, msgid) in self._translated.get(locale, frozenset())

    def pgettext(self, locale: str, context: str, msgid: str) -> str:
        """`msgid` of `context` (gettext's msgctxt) in `locale`; the msgid when untranslated."""
        translations = self._translations.get(locale)
        return msgid if translations is None else translations.pgettext(context, msgid)

    def ngettext(self, locale: str, text: Plural, count: int) -> str:
        """The form of `text` for `count` in `locale` (Spanish rules when untranslated)."""
        translations = self._translations.get(locale)
        if translations is None:
            return text.singular if count == 1 else text.plural
        return translations.ngettext(text.singular, text.plural, count)

    def translator(self, locale: str) -> Translate:
        """A one-argument translate function for `locale`."""
        return lambda msgid: self.gettext(locale, msgid)


def _translations(mo: bytes, source: str) -> gettext.GNUTranslations:
    try:
        return gettext.GNUTranslations(io.BytesIO(mo))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"The catalog {source} is malformed ({type(exc).__name__}).") from None


def _translated_ids(mo: bytes) -> frozenset[tuple[str | None, str]]:
    """(context, msgid) of every message a compiled catalog translates."""
    catalog = read_mo(io.BytesIO(mo))
    return frozenset(
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id and message.string
    )
