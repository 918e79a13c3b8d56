"""The respondent's preferences set by buttons: the language and discreet mode."""

from __future__ import annotations

from dataclasses import replace

from bot import texts
from bot.callback_data import DiscreetToken, LanguageToken
from bot.draft_state import DraftState, decode_state, encode_state
from bot.replies import Notice, Reply
from bot.served import ScreenSet
from bot.wording import Wording
from storage.pseudonyms import DraftKey
from storage.repository import Change, Decided, DraftHandle, Outcome, Repository

Replies = tuple[Reply, ...]


class Preferences:
    """Each button stores its setting in the draft state, in one transaction."""

    def __init__(self, repository: Repository, wording: Wording, screens: ScreenSet) -> None:
        self._repository = repository
        self._wording = wording
        self._screens = screens

    async def language(
        self,
        key: DraftKey,
        token: LanguageToken,
        ref: int | None,
        update_id: int,
    ) -> Replies | None:
        """A language picked (/idioma, or the consent's switch): the screen again in it.
        None before a draft: the caller shows the consent question of what the link opens."""

        def decide(handle: DraftHandle) -> Decided[DraftState]:
            state = decode_state(handle.state)
            state = replace(state, locale=token.locale, prompt_ref=ref or state.prompt_ref)
            return Decided(Change(state=encode_state(state)), state)

        result = await self._repository.apply(key, update_id=update_id, decide=decide)
        if result.outcome is Outcome.NO_DRAFT:
            return None
        if result.decided is None:  # DUPLICATE
            assert result.draft is not None
            return (self._screens.question(decode_state(result.draft.state)),)
        return (self._screens.question(result.decided),)

    async def discreet(
        self, key: DraftKey, token: DiscreetToken, ref: int | None, update_id: int, locale: str
    ) -> Replies:
        """/discreto's buttons: set the mode as pressed (never a toggle), then the question;
        a stale notice in `locale` when there is no draft to set it in."""

        def decide(handle: DraftHandle) -> Decided[DraftState]:
            state = replace(decode_state(handle.state), discreet=token.on)
            return Decided(Change(state=encode_state(state)), state)

        result = await self._repository.apply(key, update_id=update_id, decide=decide)
        if result.outcome is not Outcome.APPLIED or result.decided is None:
            return (self._wording.stale(locale),)
        state = replace(result.decided, prompt_ref=ref or result.decided.prompt_ref)
        said = texts.DISCREET_ON if token.on else texts.DISCREET_OFF
        notice = Notice(self._wording.text(state.locale, said), transient=True)
        return (notice, self._screens.question(state))
