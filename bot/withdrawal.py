"""Taking answers back: the unfinished questionnaire (/borrar) or a finished testimony (its
receipt), each asked for and then confirmed with a button."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot import texts
from bot.callback_data import CancelToken, WithdrawDraftToken, WithdrawReceiptToken, encode
from bot.draft_state import DraftState
from bot.pending_withdrawals import WithdrawalReferences
from bot.replies import Closing, Notice, Option, Prompt, Reply, deletion
from bot.served import ScreenSet
from bot.wording import Wording
from storage.pseudonyms import DraftKey
from storage.receipts import normalize_receipt
from storage.repository import Repository

_log = logging.getLogger(__name__)

Replies = tuple[Reply, ...]


class Withdrawal:
    """The confirmations, and the deletions once confirmed. `state` is the respondent's
    draft as the event found it (None: no questionnaire open), `locale` theirs
    (`Wording.locale`)."""

    def __init__(
        self,
        repository: Repository,
        wording: Wording,
        screens: ScreenSet,
        pending: WithdrawalReferences,
    ) -> None:
        self._repository = repository
        self._wording = wording
        self._screens = screens
        self._pending = pending

    def ask_draft(self, state: DraftState | None, locale: str) -> Reply:
        """/borrar alone: the unfinished answers, once confirmed."""
        tr = self._wording.translator(locale)
        if state is None:
            return Notice(tr(texts.DELETE_NOTHING))
        options = (
            Option(tr(texts.DELETE_YES), encode(WithdrawDraftToken(state.step))),
            Option(tr(texts.DELETE_NO), encode(CancelToken())),
        )
        return Prompt(tr(texts.DELETE_CONFIRM), options, message_ref=state.prompt_ref, fresh=True)

    async def ask_receipt(
        self, typed: str, message_ref: int | None, state: DraftState | None, locale: str
    ) -> Replies:
        """/borrar with a receipt (or a receipt typed alone): the testimony, once confirmed."""
        tr = self._wording.translator(locale)
        # The receipt was typed into the chat: in discreet mode it must not stay there.
        delete = deletion(message_ref, discreet=state is None or state.discreet)
        receipt = normalize_receipt(typed)
        if receipt is None:
            return (*delete, *self._screens.on_screen(state, Notice(tr(texts.DELETE_BAD_RECEIPT))))
        # Neither the prompt, which stays in the chat, nor its button holds the receipt.
        reference = await self._pending.hold(self._repository.receipt_hash(receipt))
        options = (
            Option(tr(texts.DELETE_RECEIPT_YES), encode(WithdrawReceiptToken(reference))),
            Option(tr(texts.DELETE_NO), encode(CancelToken())),
        )
        ref = None if state is None else state.prompt_ref
        prompt = Prompt(tr(texts.DELETE_RECEIPT_CONFIRM), options, message_ref=ref, fresh=True)
        return (*delete, prompt)

    async def withdraw_draft(
        self,
        pseudonym: DraftKey,
        state: DraftState | None,
        token: WithdrawDraftToken,
        ref: int | None,
        locale: str,
    ) -> Replies:
        """The confirmation pressed: the unfinished submission deleted with its answers."""
        if state is None or state.step != token.step:
            return (self._wording.stale(locale),)
        await self._repository.withdraw_unfinished(pseudonym)
        _log.info("draft withdrawn")
        text = self._wording.text(state.locale, texts.DELETED_DRAFT)
        return (Closing(text, ref or state.prompt_ref),)

    async def withdraw_receipt(
        self, reference: str, ref: int | None, state: DraftState | None, locale: str
    ) -> Replies:
        """The confirmation pressed: the finished submission of the held receipt deleted."""
        receipt_hash = await self._pending.take(reference)
        if receipt_hash is None:
            _log.info("withdrawal by receipt: confirmation expired")
            return self._after(texts.RECEIPT_CONFIRMATION_EXPIRED, ref, state, locale)
        deleted = await self._repository.withdraw_by_receipt_hash(receipt_hash)
        _log.info("withdrawal by receipt: %s", "done" if deleted else "not found")
        msgid = texts.DELETED_RECEIPT if deleted else texts.RECEIPT_NOT_FOUND
        return self._after(msgid, ref, state, locale)

    def cancel(self, ref: int | None, state: DraftState | None, locale: str) -> Replies:
        return self._after(texts.DELETE_CANCELLED, ref, state, locale)

    def _after(self, msgid: str, ref: int | None, state: DraftState | None, locale: str) -> Replies:
        """What was done, and the question on screen again if a questionnaire is open."""
        if state is None:
            return (Closing(self._wording.text(locale, msgid), ref),)
        if ref is not None:
            state = replace(state, prompt_ref=ref)
        notice = Notice(self._wording.text(state.locale, msgid), transient=True)
        return (notice, self._screens.question(state))
