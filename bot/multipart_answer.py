"""A text answered in several messages (the testimony): each part stored as it comes.

Kept apart from `bot/question_flow.py` because its bookkeeping (parts and characters so
far, the room left, the whole text remembered for this sitting) concerns only these
questions.
"""

from __future__ import annotations

from dataclasses import replace

from bot import texts
from bot.answer_record import answer_record
from bot.draft_state import DraftState, encode_state
from bot.screens import Screens
from bot.step import Step
from bot.text_room import TextRoom
from bot.wording import Wording
from flows.model import Question
from storage.repository import Change


class MultipartAnswer:
    """The parts of a multi-part text, for one questionnaire's screens."""

    def __init__(self, wording: Wording, screens: Screens) -> None:
        self._wording = wording
        self._screens = screens

    def record(
        self,
        state: DraftState,
        answered: DraftState,
        question: Question,
        part: str,
        *,
        order: int | None,
    ) -> Step:
        """One part of a text sent in several messages: stored, and the question stays;
        refused, with what room is left, when it does not fit."""
        room = TextRoom(state.text_parts, state.text_chars)
        if not room.fits(len(part)):
            refused = self._screens.question(state, note=self._no_room(state.locale, room))
            return Step(None, (refused,))
        record = answer_record(question.id, part, append=state.text_parts > 0, order=order)
        stays = replace(
            answered,
            step=state.step + 1,
            text_parts=state.text_parts + 1,
            text_chars=state.text_chars + len(part),
        )
        left = TextRoom(stays.text_parts, stays.text_chars)
        saved = texts.PART_SAVED if left.fits(1) else texts.TEXT_FULL
        prompt = self._screens.question(stays, note=self._wording.text(state.locale, saved))
        # The whole text so far, if this sitting remembers its earlier parts; else nothing
        # (a beginning shown as the whole answer would mislead).
        earlier = state.recalled.get(question.id) if state.text_parts > 0 else ""
        kept = {question.id: f"{earlier}\n{part}" if earlier else part}
        change = Change(encode_state(stays), (record,))
        return Step(change, (prompt,), kept=kept if isinstance(earlier, str) else {})

    def _no_room(self, locale: str, room: TextRoom) -> str:
        if room.parts_left == 0:
            return self._wording.text(locale, texts.TEXT_FULL)
        text = self._wording.counted(locale, texts.TEXT_PART_TOO_LONG, room.chars_left)
        return text.format(chars=room.chars_left)
