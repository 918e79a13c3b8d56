"""Opening a questionnaire: /start and its link, the consent, and the cap on testimonies.

What a `/start <code>` opens comes from the database (`storage/access_codes.py`): a campaign
code opens its questionnaire under the campaign's label, an investigator's code opens the
field report, or records a testimony as an interview (`SubmissionMode.INTERVIEW`) when the
code is for the testimony. An unknown code opens the testimony as a bare /start does; a
revoked one opens nothing and says so in one kind sentence. Before consent nothing is
stored: what the link opened rides in the consent buttons as a grant token, never the code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot import texts
from bot.callback_data import ConsentToken, LanguageToken, SetAsideToken, encode
from bot.completion_cap import CompletionCap
from bot.draft_state import DraftState, decode_state, encode_state
from bot.events import Respondent
from bot.replies import Closing, Notice, Option, Prompt, Reply, deletion
from bot.served import ScreenSet, questionnaire_ref
from bot.wording import Wording
from flows.model import Question, Stop
from flows.parsing import Accepted, TextInput, parse_answer
from flows.shipped import INVESTIGATOR_ONLY
from storage.access_codes import AccessCodes, Grant, RevokedCode
from storage.pseudonyms import DraftKey, Pseudonyms
from storage.repository import AlreadyStartedError, DraftHandle, Repository
from storage.tables import AccessCodeKind, SubmissionMode

_log = logging.getLogger(__name__)

Replies = tuple[Reply, ...]


@dataclass(frozen=True)
class Entry:
    """What a link opens: a questionnaire, the campaign label to record, and how."""

    questionnaire: str
    campaign: str | None = None
    grant: str | None = None  # the grant token the buttons carry; None: a bare /start
    investigator: bool = False
    mode: SubmissionMode = SubmissionMode.DIRECT

    def opens_same(self, draft: DraftHandle, state: DraftState) -> bool:
        """Whether the open draft is what this link opens, so /start simply resumes it. An
        investigator's link always means a new report or interview."""
        return (
            not self.investigator
            and not state.investigator
            and draft.questionnaire.id == self.questionnaire
            and not state.interview
        )


class Opening:
    """What /start shows, and the draft a consent opens."""

    def __init__(
        self,
        screens: ScreenSet,
        repository: Repository,
        pseudonyms: Pseudonyms,
        wording: Wording,
        cap: CompletionCap,
        *,
        access: AccessCodes | None,
        clock: Callable[[], datetime],
        bot_username: str | None = None,
    ) -> None:
        self._screens = screens
        self._repository = repository
        self._pseudonyms = pseudonyms
        self._wording = wording
        self._cap = cap
        self._access = access
        self._clock = clock
        self._bot_username = bot_username

    def share_link(self, state_investigator: bool) -> str | None:
        """The bot link a respondent may pass on (never a code: only its hash is kept);
        none after an investigator's report or interview."""
        if not self._bot_username or state_investigator:
            return None
        return f"https://t.me/{self._bot_username}"

    async def entry(self, payload: str | None) -> Entry | RevokedCode:
        """What a /start payload opens: unknown or absent, the testimony."""
        if payload is None or self._access is None:
            return Entry(self._screens.default)
        return self._entry_of(await self._access.resolve(payload))

    async def entry_of_token(self, grant: str | None) -> Entry | RevokedCode | None:
        """What a button's grant token names now (revoked since?); None if forged."""
        if grant is None:
            return Entry(self._screens.default)
        if self._access is None:
            return None
        resolved = await self._access.resolve_token(grant)
        return None if resolved is None else self._entry_of(resolved)

    def _entry_of(self, resolved: Grant | RevokedCode | None) -> Entry | RevokedCode:
        if resolved is None or isinstance(resolved, RevokedCode):
            return Entry(self._screens.default) if resolved is None else resolved
        if not self._screens.serves(resolved.questionnaire):
            # Registered for a questionnaire this bot no longer asks: the testimony, as for
            # an unknown code (the label is not recorded: it belongs to the other one).
            _log.warning("a code names a questionnaire the bot does not ask")
            return Entry(self._screens.default)
        investigator = resolved.kind is AccessCodeKind.INVESTIGATOR
        interview = investigator and resolved.questionnaire not in INVESTIGATOR_ONLY
        assert self._access is not None
        return Entry(
            resolved.questionnaire,
            campaign=resolved.label,
            grant=self._access.grant_token(resolved.short_id),
            investigator=investigator,
            mode=SubmissionMode.INTERVIEW if interview else SubmissionMode.DIRECT,
        )

    async def start(
        self,
        respondent: Respondent,
        key: DraftKey,
        payload: str | None,
        message_ref: int | None,
        *,
        update_id: int | None = None,
    ) -> Replies:
        """/start: where the respondent is (a draft open), what to do with it when the link
        opens something else, else the consent question of what the link opens."""
        found = await self._repository.load(key)
        entry = await self.entry(payload)
        if found.draft is not None:
            return self._draft_open(found.draft, entry, payload, message_ref, update_id)
        return await self._first_screen(respondent, entry, found.expired, message_ref)

    def _draft_open(
        self,
        draft: DraftHandle,
        entry: Entry | RevokedCode,
        payload: str | None,
        message_ref: int | None,
        update_id: int | None,
    ) -> Replies:
        """/start with a draft open: the draft resumed, or the choice between it and what
        the link opens."""
        state = decode_state(draft.state)
        delete = deletion(message_ref, discreet=state.discreet)
        if update_id is not None and 0 < update_id <= draft.last_update_id:
            # A /start sent before the draft's latest change (Telegram numbers updates in
            # order): delivered again, or late. It was answered when it came; the
            # question on screen stays, without a resume screen the respondent never
            # asked for.
            return delete
        checkpoints = self._screens.checkpoints(state.questionnaire)
        if isinstance(entry, RevokedCode):
            notice = Notice(self._wording.text(state.locale, texts.LINK_REVOKED))
            return (*delete, notice, checkpoints.resume(state))
        if payload is None or entry.grant is None or entry.opens_same(draft, state):
            # On return: where the respondent is, and the safety check, first.
            return (*delete, checkpoints.resume(state))
        # One questionnaire at a time: ask, never drop the open one unasked.
        set_aside = encode(SetAsideToken(state.step, entry.grant))
        return (*delete, checkpoints.open_draft(state, set_aside))

    async def _first_screen(
        self,
        respondent: Respondent,
        entry: Entry | RevokedCode,
        expired: bool,
        message_ref: int | None,
    ) -> Replies:
        """/start with no draft open: the consent question, unless the link is revoked or
        the day's testimonies are done. Discreet, the default: nothing says otherwise yet."""
        locale = self._wording.locale(respondent)
        delete = deletion(message_ref, discreet=True)
        if isinstance(entry, RevokedCode):
            return (*delete, Notice(self._wording.text(locale, texts.LINK_REVOKED)))
        # An earlier questionnaire that just expired: say where its answers went.
        kept = (self._wording.kept_notice(locale, texts.EXPIRED_KEPT),) if expired else ()
        if not entry.investigator and self._cap.reached(self._rate(respondent)):
            limit = await self._limit_reached(respondent, locale)
            return (*delete, *kept, Notice(limit))
        return (*delete, *kept, self.consent_screen(entry, locale, fresh=True))

    def consent_screen(
        self, entry: Entry, locale: str, *, message_ref: int | None = None, fresh: bool = False
    ) -> Prompt:
        """The consent question of what `entry` opens; in interview mode, first what the
        interviewer is to do with it."""
        tr = self._wording.translator(locale)
        question = self._screens.engine(entry.questionnaire).first_question()
        options = [
            Option(tr(choice.label), encode(ConsentToken(locale, i, entry.grant)))
            for i, choice in enumerate(question.choices)
        ]
        other = "en" if locale == "es" else "es"
        switch = texts.SWITCH_TO_ENGLISH if other == "en" else texts.SWITCH_TO_SPANISH
        options.append(Option(switch, encode(LanguageToken(other, entry.grant))))
        text = tr(question.text)
        if entry.mode is SubmissionMode.INTERVIEW:
            text = f"{tr(texts.INTERVIEW_CONSENT)}\n\n{text}"
        return Prompt(text=text, options=tuple(options), message_ref=message_ref, fresh=fresh)

    async def set_aside(
        self, respondent: Respondent, key: DraftKey, token: SetAsideToken, ref: int | None
    ) -> tuple[Replies, bytes | None]:
        """ "Guardarlo y empezar otro": the open draft closed (kept for staff as unfinished,
        as at its expiry), then the consent of what the link opens. Also the id of the draft
        closed, for the conversation's memory."""
        found = await self._repository.load(key)
        draft = found.draft
        state = None if draft is None else decode_state(draft.state)
        locale = self._wording.locale(respondent, state)
        if draft is None or state is None or state.step != token.step:
            return (self._wording.stale(locale),), None
        entry = await self.entry_of_token(token.grant)
        if entry is None:
            return (self._wording.stale(locale),), None
        if isinstance(entry, RevokedCode):
            notice = Notice(self._wording.text(locale, texts.LINK_REVOKED))
            return (notice, self._screens.checkpoints(state.questionnaire).resume(state)), None
        if not await self._repository.set_aside(key, draft.submission_id):
            return (self._wording.stale(locale),), None
        _log.info("event ButtonPress: a draft set aside")
        done = Notice(self._wording.text(locale, texts.SET_ASIDE_DONE), transient=True)
        if not entry.investigator and self._cap.reached(self._rate(respondent)):
            limit = await self._limit_reached(respondent, locale)
            return (Closing(limit, ref),), draft.submission_id
        screen = self.consent_screen(entry, locale, message_ref=ref)
        return (done, screen), draft.submission_id

    async def consent(
        self,
        respondent: Respondent,
        key: DraftKey,
        token: ConsentToken,
        ref: int | None,
        *,
        update_id: int,
    ) -> Replies | str:
        """A consent button: the questionnaire id once the draft is open (the press is then
        an answer to its consent question), else the replies that end it there (refused,
        stale, revoked, the daily cap, or none at all for an update that started a
        questionnaire before)."""
        entry = await self.entry_of_token(token.grant)
        locale = self._wording.locale(respondent)
        if entry is None:
            return (self._wording.stale(locale),)
        if isinstance(entry, RevokedCode):
            return (Closing(self._wording.text(token.locale, texts.LINK_REVOKED), ref),)
        consent = self._screens.engine(entry.questionnaire).first_question()
        if token.choice >= len(consent.choices):
            return (self._wording.stale(locale),)
        draft = (await self._repository.load(key)).draft
        if draft is not None and not _same_opening(draft, entry):
            # A consent screen of another questionnaire, pressed after this one opened.
            return (self._wording.stale(locale),)
        refusal = _refusal(consent, token.choice)
        if refusal is not None:
            if draft is not None:
                return (self._wording.stale(locale),)
            message = self._wording.text(token.locale, refusal.message)
            return (Closing(message, ref),)  # refused: nothing was ever stored
        if draft is None:
            refused = await self._open_draft(respondent, key, entry, token, ref, update_id)
            if refused is not None:
                return refused
        return entry.questionnaire

    async def _open_draft(
        self,
        respondent: Respondent,
        key: DraftKey,
        entry: Entry,
        token: ConsentToken,
        ref: int | None,
        update_id: int,
    ) -> Replies | None:
        """The draft a consent opens, on the consent question; None once it is open, else
        the replies that end it there (the daily cap, or none for a consent applied
        before)."""
        if not entry.investigator and self._cap.reached(self._rate(respondent)):
            return (Closing(await self._limit_reached(respondent, token.locale), ref),)
        engine = self._screens.engine(entry.questionnaire)
        initial = DraftState(
            current=engine.first_question().id,
            locale=token.locale,
            prompt_ref=ref,
            questionnaire=entry.questionnaire,
            investigator=entry.investigator,
            interview=entry.mode is SubmissionMode.INTERVIEW,
        )
        try:
            await self._repository.start_or_resume(
                key,
                questionnaire=questionnaire_ref(engine),
                campaign=entry.campaign,
                initial_state=encode_state(initial),
                started_by=update_id,
                mode=entry.mode,
            )
        except AlreadyStartedError:
            # Delivered again after the questionnaire it started has ended (a webhook
            # retry, a poll after a crash): the respondent did nothing new.
            _log.info("event ButtonPress: a consent already applied")
            return ()
        return None

    def typed_consent(self, respondent: Respondent, text: str | None) -> ConsentToken | None:
        """A typed "acepto", "sí" or "yes" before any draft: the consent button it means.

        What a deep link opened travels in the consent buttons only, so a typed consent
        starts the testimony without a campaign (counted as none, never as a wrong one).
        """
        if text is None:
            return None
        consent = self._screens.engine(self._screens.default).first_question()
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

    def _rate(self, respondent: Respondent) -> bytes:
        return self._pseudonyms.rate(respondent.user_id)

    async def _limit_reached(self, respondent: Respondent, locale: str) -> str:
        """The kind refusal at the cap on completed testimonies; the first one of the day is
        counted in the database, without anything that says whose (`oclep-admin stats`)."""
        if self._cap.first_refusal(self._rate(respondent)):
            await self._repository.count_testimony_limit_refusal()
        count = self._cap.per_day
        text = self._wording.counted(locale, texts.TESTIMONY_LIMIT_REACHED, count)
        return text.format(count=count)


def _same_opening(draft: DraftHandle, entry: Entry) -> bool:
    """Whether a consent press belongs to the open draft: same questionnaire, same mode."""
    state = decode_state(draft.state)
    return draft.questionnaire.id == entry.questionnaire and state.interview == (
        entry.mode is SubmissionMode.INTERVIEW
    )


def _refusal(consent: Question, choice: int) -> Stop | None:
    """The stop a consent button ends the questionnaire with, unopened; None if it agrees."""
    stop = consent.stop
    if stop is None or stop.outcome != "end":
        return None
    return stop if consent.choices[choice].code in stop.codes else None
