"""The respondent's language, and the few texts every part of the conversation says."""

from __future__ import annotations

from bot import texts
from bot.draft_state import DraftState
from bot.events import Respondent
from bot.i18n import Catalogs, Plural, Translate, locale_for
from bot.replies import Notice


class Wording:
    """The one place the conversation picks a locale: the draft's (chosen with /idioma or a
    language button) when there is a draft, else the channel's hint, else the default."""

    def __init__(self, catalogs: Catalogs, *, default_locale: str, draft_ttl_days: int) -> None:
        self.catalogs = catalogs
        self._default_locale = default_locale
        self._draft_ttl_days = draft_ttl_days

    def locale(self, respondent: Respondent, state: DraftState | None = None) -> str:
        """The respondent's locale: the draft's if there is one, else a guess from the
        channel's language hint."""
        if state is not None:
            return state.locale
        return locale_for(respondent.language_code, self._default_locale)

    def text(self, locale: str, msgid: str) -> str:
        return self.catalogs.gettext(locale, msgid)

    def translator(self, locale: str) -> Translate:
        return self.catalogs.translator(locale)

    def counted(self, locale: str, plural: Plural, count: int) -> str:
        """The plural form for `count`, not yet formatted."""
        return self.catalogs.ngettext(locale, plural, count)

    def stale(self, locale: str) -> Notice:
        """A button from a screen no longer shown."""
        return Notice(self.text(locale, texts.STALE), transient=True)

    def unfinished_kept(self, locale: str) -> str:
        """How long unfinished answers stay deletable (docs/security.md)."""
        days = self._draft_ttl_days
        return self.counted(locale, texts.UNFINISHED_KEPT, days).format(days=days)

    def kept_notice(self, locale: str, plural: Plural) -> Notice:
        """A notice about unfinished answers kept as an incomplete testimony."""
        days = self._draft_ttl_days
        return Notice(self.counted(locale, plural, days).format(days=days))
