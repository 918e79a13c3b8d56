"""Opening a questionnaire: /start, the consent, and the cap on testimonies per day."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot import texts
from bot.callback_data import ConsentToken
from bot.checkpoints import Checkpoints
from bot.completion_cap import CompletionCap
from bot.draft_state import DraftState, decode_state, encode_state
from bot.events import Respondent
from bot.replies import Closing, Notice, Reply, deletion
from bot.screens import Screens
from bot.wording import Wording
from flows.engine import Engine
from flows.parsing import Accepted, TextInput, parse_answer
from storage.pseudonyms import DraftKey, Pseudonyms
from storage.repository import AlreadyStartedError, QuestionnaireRef, Repository

_log = logging.getLogger(__name__)

Replies = tuple[Reply, ...]


class Opening:
    """What /start shows, and the draft a consent opens.

    `campaigns` is the allow-list of registered campaign codes; any other deep-link code is
    dropped silently, so a personal link cannot mark a respondent's submission.
    """

    def __init__(
        self,
        engine: Engine,
        repository: Repository,
        pseudonyms: Pseudonyms,
        wording: Wording,
        screens: Screens,
        checkpoints: Checkpoints,
        cap: CompletionCap,
        *,
        campaigns: frozenset[str],
        clock: Callable[[], datetime],
        bot_username: str | None = None,
    ) -> None:
        self._engine = engine
        self._repository = repository
        self._pseudonyms = pseudonyms
        self._wording = wording
        self._screens = screens
        self._checkpoints = checkpoints
        self._cap = cap
        self._campaigns = campaigns
        self._clock = clock
        self._bot_username = bot_username
        questionnaire = engine.questionnaire
        self._ref = QuestionnaireRef(questionnaire.id, questionnaire.version, engine.hash)

    def registered(self, campaign: str | None) -> str | None:
        """The campaign code if it is registered; anything else is dropped without a word."""
        return campaign if campaign is not None and campaign in self._campaigns else None

    def share_link(self, campaign: str | None) -> str | None:
        """The bot link a respondent may pass on, with their own campaign if registered."""
        if not self._bot_username:
            return None
        link = f"https://t.me/{self._bot_username}"
        registered = self.registered(campaign)
        return f"{link}?start={registered}" if registered else link

    async def start(
        self, respondent: Respondent, key: DraftKey, campaign: str | None, message_ref: int | None
    ) -> Replies:
        """/start: where the respondent is (a draft open), else the consent question."""
        found = await self._repository.load(key)
        if found.draft is not None:
            state = decode_state(found.draft.state)
            # On return: where the respondent is, and the safety check, before the question.
            return (
                *deletion(message_ref, discreet=state.discreet),
                self._checkpoints.resume(state),
            )
        locale = self._wording.locale(respondent)
        delete = deletion(message_ref, discreet=True)
        # An earlier questionnaire that just expired: say where its answers went.
        kept = (self._wording.kept_notice(locale, texts.EXPIRED_KEPT),) if found.expired else ()
        if self._cap.reached(self._pseudonyms.rate(respondent.user_id)):
            limit = await self._limit_reached(respondent, locale)
            return (*delete, *kept, Notice(limit))
        consent = self._screens.consent(locale, self.registered(campaign), fresh=True)
        return (*delete, *kept, consent)

    async def consent(
        self,
        respondent: Respondent,
        key: DraftKey,
        token: ConsentToken,
        ref: int | None,
        *,
        update_id: int,
    ) -> Replies | None:
        """A consent button: None once the draft is open (the press is then an answer to the
        consent question), else the replies that end it there (refused, stale, cap, or none
        at all for an update that started a questionnaire before)."""
        consent = self._engine.first_question()
        if token.choice >= len(consent.choices):
            return (self._wording.stale(self._wording.locale(respondent)),)
        draft = (await self._repository.load(key)).draft
        code = consent.choices[token.choice].code
        stop = consent.stop
        if stop is not None and stop.outcome == "end" and code in stop.codes:
            if draft is not None:
                return (self._wording.stale(self._wording.locale(respondent)),)
            message = self._wording.text(token.locale, stop.message)
            return (Closing(message, ref),)  # refused: nothing was ever stored
        if draft is None:
            if self._cap.reached(self._pseudonyms.rate(respondent.user_id)):
                return (Closing(await self._limit_reached(respondent, token.locale), ref),)
            initial = DraftState(current=consent.id, locale=token.locale, prompt_ref=ref)
            try:
                await self._repository.start_or_resume(
                    key,
                    questionnaire=self._ref,
                    campaign=self.registered(token.campaign),
                    initial_state=encode_state(initial),
                    started_by=update_id,
                )
            except AlreadyStartedError:
                # Delivered again after the questionnaire it started has ended (a webhook
                # retry, a poll after a crash): the respondent did nothing new.
                _log.info("event ButtonPress: a consent already applied")
                return ()
        return None

    def typed_consent(self, respondent: Respondent, text: str | None) -> ConsentToken | None:
        """A typed "acepto", "sí" or "yes" before any draft: the consent button it means.

        The campaign of a deep link travels in the consent buttons only, so a typed consent
        starts without one (counted as no campaign, never as a wrong one).
        """
        if text is None:
            return None
        consent = self._engine.first_question()
        locale = self._wording.locale(respondent)
        parsed = parse_answer(
            consent,
            TextInput(text),
            self._clock().year,
            translate=self._wording.translator(locale),
        )
        if not isinstance(parsed, Accepted):
            return None
        index = [c.code for c in consent.choices].index(str(parsed.value))
        return ConsentToken(locale, index, None)

    async def _limit_reached(self, respondent: Respondent, locale: str) -> str:
        """The kind refusal at the cap on completed testimonies; the first one of the day is
        counted in the database, without anything that says whose (`oclep-admin stats`)."""
        if self._cap.first_refusal(self._pseudonyms.rate(respondent.user_id)):
            await self._repository.count_testimony_limit_refusal()
        count = self._cap.per_day
        text = self._wording.counted(locale, texts.TESTIMONY_LIMIT_REACHED, count)
        return text.format(count=count)
