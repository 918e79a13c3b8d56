"""Screens that stop the respondent before something cannot be undone or seen again.

The conversation shows them instead of the question: before discarding saved testimony parts,
before resuming (where the respondent is, and the safety check), when /discreto is typed (the
current state and both choices), and above a question reached with "Atrás" (what the draft
can say of the earlier answer). Each holds only what the draft state holds, routing answers
and the position, and what this sitting's memory still holds (bot/answer_memory.py); never
an answer read back from the database, where it is sealed to the staff key.
"""

from __future__ import annotations

from bot import texts
from bot.callback_data import Action, DiscreetToken, QuestionToken, encode
from bot.draft_state import DraftState
from bot.i18n import Catalogs
from bot.replies import Option, Prompt
from bot.shown_answers import shown_in_state
from flows.catalogs import Translate
from flows.engine import Engine


class Checkpoints:
    """Renders the checkpoint screens for one engine and the catalogs."""

    def __init__(self, engine: Engine, catalogs: Catalogs) -> None:
        self._engine = engine
        self._catalogs = catalogs
        self._index = {question.id: i for i, question in enumerate(engine.questions)}

    def _token(self, state: DraftState, action: Action) -> str:
        return encode(QuestionToken(action, self._index[state.current], state.step))

    def discard_parts(self, state: DraftState) -> Prompt:
        """Asked when "Prefiero no responder" is pressed after testimony parts were saved."""
        tr = self._catalogs.translator(state.locale)
        text = self._catalogs.ngettext(state.locale, texts.DISCARD_PARTS, state.text_parts)
        options = (
            Option(tr(texts.KEEP_WRITING), self._token(state, Action.CONTINUE)),
            Option(tr(texts.DISCARD_YES), self._token(state, Action.DISCARD)),
        )
        return Prompt(text.format(n=state.text_parts), options, message_ref=state.prompt_ref)

    def resume(self, state: DraftState) -> Prompt:
        """Where the respondent is, and the safety check, before the question on return."""
        tr = self._catalogs.translator(state.locale)
        text = self._where(state, tr(texts.RESUME), tr)
        options = (Option(tr(texts.RESUME_SAFE), self._token(state, Action.RESUME)),)
        return Prompt(text, options, message_ref=state.prompt_ref, fresh=True)

    def _where(self, state: DraftState, template: str, tr: Translate) -> str:
        """`template` filled with where the draft stands: section, position, estimated total."""
        progress = self._engine.progress(state.routing, current=state.current)
        section = self._engine.questionnaire.module_of(state.current).title
        return template.format(
            section=tr(section), position=progress.position, total=progress.total_estimate
        )

    def open_draft(self, state: DraftState, set_aside: str) -> Prompt:
        """Another questionnaire asked for while this one is open: where it stands, and the
        two ways on (`set_aside`: the token of the button that closes it for the new one)."""
        tr = self._catalogs.translator(state.locale)
        text = self._where(state, tr(texts.DRAFT_OPEN), tr)
        options = (
            Option(tr(texts.KEEP_OPEN_DRAFT), self._token(state, Action.RESUME)),
            Option(tr(texts.SET_DRAFT_ASIDE), set_aside),
        )
        return Prompt(text, options, message_ref=state.prompt_ref, fresh=True)

    def discreet(self, state: DraftState) -> Prompt:
        """/discreto: the current state, and one button to turn it on and one to turn it off."""
        tr = self._catalogs.translator(state.locale)
        text = tr(texts.DISCREET_IS_ON if state.discreet else texts.DISCREET_IS_OFF)
        options = (
            Option(tr(texts.DISCREET_TURN_ON), encode(DiscreetToken(True))),
            Option(tr(texts.DISCREET_TURN_OFF), encode(DiscreetToken(False))),
        )
        return Prompt(text, options, message_ref=state.prompt_ref, fresh=True)

    def previous_answer(self, state: DraftState) -> str:
        """The note above a question reached with "Atrás": its answer if the draft holds it."""
        tr = self._catalogs.translator(state.locale)
        question = self._engine.question(state.current)
        shown = shown_in_state(question, state, tr)
        if shown is None:
            return tr(texts.PREVIOUS_SEALED)
        return tr(texts.PREVIOUS_ANSWER).format(answer=shown)
