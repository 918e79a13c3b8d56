"""Build step that pyproject.toml cannot declare: compile the gettext catalogs into the wheel.

The .po files under locales/ are the source (edited by translators, updated by
`make locales`); the wheel carries them compiled, as bot/locales/<locale>/LC_MESSAGES/
messages.mo, which `bot.i18n.Catalogs.load` reads with importlib.resources.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithCatalogs(build_py):
    """build_py, plus one compiled .mo per locale next to the bot package."""

    def run(self) -> None:
        super().run()
        # bot.i18n and flows.locales need only babel and the standard library.
        sys.path.insert(0, str(ROOT))
        from bot.i18n import DEFAULT_LOCALES_DIR, DOMAIN, PACKAGED_LOCALES, compile_po, po_path
        from flows.locales import SUPPORTED_LOCALES

        for locale in SUPPORTED_LOCALES:
            source = po_path(DEFAULT_LOCALES_DIR, locale)
            if not source.exists():
                continue  # the source language falls back to its msgids
            target = Path(self.build_lib, "bot", PACKAGED_LOCALES, locale, "LC_MESSAGES")
            target.mkdir(parents=True, exist_ok=True)
            (target / f"{DOMAIN}.mo").write_bytes(compile_po(source, locale))


setup(cmdclass={"build_py": BuildWithCatalogs})
