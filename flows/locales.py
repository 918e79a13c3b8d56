"""The languages a questionnaire, the bot and the report are offered in: one list for all.

Spanish is the source language (the msgids of the catalogs in `locales/`); every other
language is a catalog there.
"""

from typing import Final

SOURCE_LOCALE: Final = "es"
SUPPORTED_LOCALES: Final = ("es", "en")
