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

from bot.i18n import DOMAIN, SOURCE_LOCALE, SUPPORTED_LOCALES, po_path

PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
# First matching pattern wins. flows/ has its own extractor for its MSG_* constants; the
# questionnaire YAML goes through the extractor registered as the `questionnaire` entry point
# (named by module path here so that it works before the package is reinstalled).
METHOD_MAP: Final = [
    ("bot/**.py", "python"),
    ("flows/questionnaires/**.yaml", "bot.babel_questionnaire:extract"),
    ("flows/**.py", "bot.babel_flows:extract"),
]
KEYWORDS: Final = {**DEFAULT_KEYWORDS, "Message": None}
SKIPPED_FILES: Final = ("bot/telegram",)  # the adapter only renders texts made here


def template_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "locales" / f"{DOMAIN}.pot"


def extract_template(root: Path = PROJECT_ROOT) -> Catalog:
    """Every msgid of the Python sources and questionnaires under `root`, in one catalog."""
    template = Catalog(project="oclep", domain=DOMAIN, locale=None, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        root, METHOD_MAP, keywords=KEYWORDS, strip_comment_tags=True
    ):
        if not isinstance(message, str) or not message:
            continue
        if filename.startswith(SKIPPED_FILES):
            continue
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
            if message.id and isinstance(message.id, str):
                message.string = message.id
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
        found = catalog.get(message.id)
        if found is None or not found.string or found.fuzzy:
            missing.append(str(message.id))
    return missing


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
