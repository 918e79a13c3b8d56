"""The questionnaires the bot asks, and the screens of whichever one a draft answers.

A draft's state names its questionnaire (`DraftState.questionnaire`), so a part of the
conversation that only redraws the screen (a withdrawal cancelled, a command's notice) asks
`ScreenSet` and gets that questionnaire's screens, without knowing there are several.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.attachment_limits import FileLimits
from bot.checkpoints import Checkpoints
from bot.draft_state import DraftState
from bot.i18n import Catalogs
from bot.replies import Prompt, Reply
from bot.screens import Screens
from flows.engine import Engine
from flows.model import Choice
from storage.repository import QuestionnaireRef


def questionnaire_ref(engine: Engine) -> QuestionnaireRef:
    """What a submission of `engine`'s questionnaire records about it."""
    questionnaire = engine.questionnaire
    return QuestionnaireRef(questionnaire.id, questionnaire.version, engine.hash)


class ScreenSet:
    """One `Screens` and one `Checkpoints` per questionnaire; the first is the default (the
    testimony, what a bare /start opens)."""

    def __init__(
        self,
        engines: Sequence[Engine],
        catalogs: Catalogs,
        file_limits: FileLimits | None = None,
    ) -> None:
        if not engines:
            raise ValueError("the bot asks at least one questionnaire")
        self.engines = {engine.questionnaire.id: engine for engine in engines}
        self.default = engines[0].questionnaire.id
        self._screens = {
            qid: Screens(engine, catalogs, file_limits) for qid, engine in self.engines.items()
        }
        self._checkpoints = {
            qid: Checkpoints(engine, catalogs) for qid, engine in self.engines.items()
        }

    def serves(self, questionnaire: str) -> bool:
        return questionnaire in self.engines

    def engine(self, questionnaire: str) -> Engine:
        """The engine of `questionnaire`; the default one for an id the bot does not ask
        (a draft of a questionnaire since withdrawn from service is then shown as it)."""
        return self.engines.get(questionnaire) or self.engines[self.default]

    def of(self, questionnaire: str) -> Screens:
        return self._screens.get(questionnaire) or self._screens[self.default]

    def checkpoints(self, questionnaire: str) -> Checkpoints:
        return self._checkpoints.get(questionnaire) or self._checkpoints[self.default]

    def question(
        self,
        state: DraftState,
        *,
        note: str | None = None,
        selection: int = 0,
        suggestions: Sequence[Choice] = (),
        fresh: bool = False,
    ) -> Prompt:
        """The question on screen in `state`, from its own questionnaire."""
        return self.of(state.questionnaire).question(
            state, note=note, selection=selection, suggestions=suggestions, fresh=fresh
        )

    def on_screen(self, state: DraftState | None, *notices: Reply) -> tuple[Reply, ...]:
        """`Screens.on_screen` for the questionnaire of `state`."""
        questionnaire = self.default if state is None else state.questionnaire
        return self.of(questionnaire).on_screen(state, *notices)

    def languages(
        self, locale: str, *, message_ref: int | None, grant: str | None = None
    ) -> Prompt:
        return self.of(self.default).languages(locale, message_ref=message_ref, campaign=grant)
