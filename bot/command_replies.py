"""The replies to the respondent's slash commands, /start aside (no I/O)."""

from __future__ import annotations

from bot import texts
from bot.checkpoints import Checkpoints
from bot.commands import CommandName
from bot.draft_state import DraftState
from bot.events import Command
from bot.replies import Notice, Reply, deletion
from bot.served import ScreenSet
from bot.withdrawal import Withdrawal
from bot.wording import Wording

Replies = tuple[Reply, ...]


class CommandReplies:
    """/ayuda, /privacidad, /idioma, /discreto and /borrar, given the draft as the event
    found it (`state`, None without a questionnaire open) and the respondent's `locale`."""

    def __init__(
        self,
        wording: Wording,
        screens: ScreenSet,
        checkpoints: Checkpoints,
        withdrawal: Withdrawal,
    ) -> None:
        self._wording = wording
        self._screens = screens
        self._checkpoints = checkpoints
        self._withdrawal = withdrawal

    async def reply(
        self, name: CommandName | None, event: Command, state: DraftState | None, locale: str
    ) -> Replies:
        if name is CommandName.DELETE and event.args.strip():
            return await self._withdrawal.ask_receipt(event.args, event.message_ref, state, locale)
        # A command stays in the chat only with discreet mode off.
        delete = deletion(event.message_ref, discreet=state is None or state.discreet)
        return (*delete, *self._answer(name, state, locale))

    def _answer(self, name: CommandName | None, state: DraftState | None, locale: str) -> Replies:
        tr = self._wording.translator(locale)
        if name is CommandName.HELP or name is CommandName.PRIVACY:
            about = texts.HELP if name is CommandName.HELP else texts.PRIVACY
            notice = Notice(f"{tr(about)}\n\n{self._wording.unfinished_kept(locale)}")
            return self._screens.on_screen(state, notice)
        if name is CommandName.LANGUAGE:
            ref = None if state is None else state.prompt_ref
            return (self._screens.languages(locale, message_ref=ref),)
        if name is CommandName.DISCREET:
            if state is None:
                return (Notice(tr(texts.DISCREET_BEFORE_START)),)
            return (self._checkpoints.discreet(state),)
        if name is CommandName.DELETE:
            return (self._withdrawal.ask_draft(state, locale),)
        return self._screens.on_screen(state, Notice(tr(texts.UNKNOWN_COMMAND)))
