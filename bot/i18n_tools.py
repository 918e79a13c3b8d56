"""`make locales`: extract every msgid into locales/messages.pot and update the catalogs."""

from __future__ import annotations

import copy
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, po_path
from flows.locales import SOURCE_LOCALE, SUPPORTED_LOCALES

PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
# First matching pattern wins. Babel's Python extractor reads the source without importing
# it, so bot/telegram (the only code importing aiogram) is extracted like the rest of bot/.
# flows/ has its own extractor for its MSG_* constants; the questionnaire YAML goes through
# the extractor registered as the `questionnaire` entry point (named by module path here so
# that it works before the package is reinstalled).
METHOD_MAP: Final = [
    ("bot/**.py", "python"),
    # The public site's wording (admin_cli/site/texts.py) shares the catalogs.
    ("admin_cli/site/**.py", "python"),
    # The monthly report's wording: pgettext("report", "…") in its texts module.
    ("admin_cli/report/**.py", "python"),
    ("flows/questionnaires/**.yaml", "bot.babel_questionnaire:extract"),
    ("flows/**.py", "bot.babel_flows:extract"),
]
# `Plural(singular, plural)` (bot.i18n) is a msgid with its msgid_plural.
KEYWORDS: Final = {**DEFAULT_KEYWORDS, "Message": None, "Plural": (1, 2)}


def template_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "locales" / f"{DOMAIN}.pot"


def extract_template(root: Path = PROJECT_ROOT) -> Catalog:
    """Every msgid of the Python sources and questionnaires under `root`, in one catalog."""
    template = Catalog(project="oclep", domain=DOMAIN, locale=None, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        root, METHOD_MAP, keywords=KEYWORDS, strip_comment_tags=True
    ):
        parts = (message,) if isinstance(message, str) else message
        if not parts or not all(isinstance(part, str) and part for part in parts):
            continue  # a call with a variable or an empty string: nothing to translate
        template.add(
            message, locations=[(filename, lineno)], auto_comments=comments, context=context
        )
    return template


def write_template(template: Catalog, root: Path = PROJECT_ROOT) -> Path:
    path = template_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        write_po(target, template, width=100, sort_output=True, include_lineno=False)
    return path


def update_catalog(template: Catalog, locale: str, root: Path = PROJECT_ROOT) -> Path:
    """Bring one locale's .po in line with the template (new msgids empty, old ones dropped).

    Spanish is the source language: its catalog is the identity, refilled on every update.
    """
    path = po_path(root / "locales", locale)
    if path.exists():
        with path.open("rb") as source:
            catalog = read_po(source, locale=locale, domain=DOMAIN)
    else:
        catalog = Catalog(locale=locale, domain=DOMAIN, project="oclep")
    # Catalog.update shares message objects with the template: give each locale its own copy.
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True, update_header_comment=False)
    if locale == SOURCE_LOCALE:
        for message in catalog:
            if message.id:
                message.string = _identity(message.id, catalog.num_plurals)
    catalog.obsolete.clear()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        write_po(target, catalog, width=100, sort_output=True, include_lineno=False)
    return path


def untranslated(locale: str, root: Path = PROJECT_ROOT) -> list[str]:
    """Msgids of the template that `locale` leaves without a translation."""
    with template_path(root).open("rb") as source:
        template = read_po(source)
    with po_path(root / "locales", locale).open("rb") as source:
        catalog = read_po(source, locale=locale)
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None or found.fuzzy or not _translated(found.string):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def _identity(msgid: str | Sequence[str], num_plurals: int) -> str | tuple[str, ...]:
    """The source language's translation of a msgid: itself (every plural form past the
    first is the msgid_plural; Spanish has a third, "de millones", form in CLDR)."""
    if isinstance(msgid, str):
        return msgid
    singular, plural = msgid[0], msgid[1]
    return (singular, *[plural] * (num_plurals - 1))


def _translated(string: object) -> bool:
    """A msgstr, or every msgstr[n] of a plural message, is filled in."""
    if isinstance(string, str):
        return bool(string)
    return isinstance(string, tuple | list) and bool(string) and all(string)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["extract-and-update"]:
        print("usage: python -m bot.i18n_tools extract-and-update", file=sys.stderr)
        return 2
    template = extract_template()
    print(f"{write_template(template)}: {len(template)} messages")
    for locale in SUPPORTED_LOCALES:
        path = update_catalog(template, locale)
        missing = untranslated(locale)
        print(f"{path}: {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
