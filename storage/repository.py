"""The conversation's persistence: drafts, sealed answers, completion, withdrawal, expiry."""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Generic, NamedTuple, Protocol, TypeVar

from sqlalchemy import bindparam, case, delete, exists, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database
from storage.envelope import seal_record
from storage.expiry import END_KEY, end_record, expire, expire_drafts
from storage.keys import StaffPublicKey
from storage.pseudonyms import DraftKey
from storage.receipts import new_receipt, normalize_receipt
from storage.server_secret import EpochKeys, ServerSecret
from storage.tables import (
    ATTACHMENTS,
    AUDIT_LOG,
    CAMPAIGN_PATTERN,
    DRAFTS,
    PROCESSED_UPDATES,
    SEALED_ANSWERS,
    STARTED_UPDATE_DAYS,
    STARTED_UPDATES,
    SUBMISSION_ID_BYTES,
    SUBMISSIONS,
    TOMBSTONES,
    RecordFormat,
    SubmissionMode,
    SubmissionStatus,
)

DEFAULT_DRAFT_TTL: Final = timedelta(days=30)
_CAMPAIGN = re.compile(CAMPAIGN_PATTERN)
_STATE_LABEL = b"oclep draft state v2\x00"
__all__ = ["END_KEY", "end_record"]  # re-exported: the reader checks end records with them

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


# The audit event of a refusal at the cap on completed testimonies (counted by storage/stats.py).
TESTIMONY_LIMIT_REFUSED: Final = "testimony_limit_refused"


class InvalidCampaignError(ValueError):
    """A campaign code outside [A-Za-z0-9_-]{1,64}; callers drop such codes before calling."""


class AlreadyStartedError(Exception):
    """The update asked to start a questionnaire has started one already (since ended)."""


class ConflictError(Exception):
    """A locked draft changed under us: a bug, not a user's doing; the event is dropped and
    the respondent may send it again."""


@dataclass(frozen=True)
class QuestionnaireRef:
    """Which questionnaire definition a submission answers."""

    id: str
    version: int
    hash: str  # hex SHA-256 of the canonical definition (flows.loader.definition_hash)

    @property
    def hash_bytes(self) -> bytes:
        return bytes.fromhex(self.hash)


@dataclass(frozen=True)
class DraftHandle:
    """An unfinished questionnaire as the conversation sees it (the chain key stays inside)."""

    submission_id: bytes
    questionnaire: QuestionnaireRef
    campaign: str | None
    version: int
    last_update_id: int
    next_sequence: int
    state: bytes = field(repr=False)  # holds routing answers: never in logs
    expires_on: date
    created: bool = False  # True only when `start_or_resume` has just created it


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this update id was already applied: nothing changed
    NO_DRAFT = "no_draft"  # nothing in progress under this pseudonym (or it has expired)


@dataclass(frozen=True)
class Change:
    """What one event does to a draft, decided by the conversation.

    `answers` are answer-record plaintexts appended in order; `state` replaces the draft
    state (ignored with `complete=True`, which ends the draft and issues a receipt).
    """

    state: bytes | None = field(default=None, repr=False)  # routing answers
    answers: tuple[bytes, ...] = field(default=(), repr=False)  # answer plaintexts
    complete: bool = False


R = TypeVar("R")


@dataclass(frozen=True)
class Decided(Generic[R]):
    """What a caller's `decide` returns to `Repository.apply`: the change to store (None:
    nothing) and the caller's own reading of the draft (its replies, say), handed back in
    `ChangeResult.decided` once the change is committed."""

    change: Change | None
    value: R


@dataclass(frozen=True)
class ChangeResult(Generic[R]):
    """The result of one change: the draft afterwards (or as it stands, if not applied)."""

    outcome: Outcome
    draft: DraftHandle | None
    sequences: tuple[int, ...] = ()  # sequence numbers given to the new answer records
    receipt: str | None = field(default=None, repr=False)  # only when the change completed
    expired: bool = False  # NO_DRAFT because the draft was past its expiry (expired now)
    decided: R | None = field(default=None, repr=False)  # `decide`'s value, if it ran


@dataclass(frozen=True)
class Found:
    """What `Repository.load` found under a draft key."""

    draft: DraftHandle | None  # None: no draft in progress (or it had expired)
    expired: bool = False  # the draft was past its expiry date: it is expired now


@dataclass(frozen=True)
class _Loaded:
    handle: DraftHandle
    pseudonym: bytes = field(repr=False)  # the one it is stored under now
    update_seen: bool


# What `_decide_and_write` returns for an expired draft (never given to callers).
_EXPIRED: Final[ChangeResult[Any]] = ChangeResult(Outcome.NO_DRAFT, None)


def _state_context(pseudonym: bytes, submission_id: bytes) -> bytes:
    return _STATE_LABEL + pseudonym + submission_id


# Hot-path statements, built once: constructing SQLAlchemy statements costs more CPU than
# SQLite spends running them. Bound parameter names differ from column names, as UPDATE
# requires.
_D = DRAFTS.c
_S = SUBMISSIONS.c
_P = PROCESSED_UPDATES.c


def _candidate_names(count: int) -> list[str]:
    return [f"b_candidate{i}" for i in range(count)]


def _among_candidates(count: int) -> Any:
    # One bound parameter per retained epoch (not an expanding IN): the statement compiles
    # once for both SQLAlchemy and the direct SQLite path.
    return _D.pseudonym.in_([bindparam(name) for name in _candidate_names(count)])


class _DraftRow(NamedTuple):
    """A row of the load statement: a draft with its submission's clear metadata."""

    which: int  # the index of the candidate pseudonym it is stored under
    submission_id: bytes
    version: int
    last_update_id: int
    next_sequence: int
    sealed_state: bytes
    expires_on: date | str
    questionnaire_id: str
    questionnaire_version: int
    questionnaire_hash: str
    campaign: str | None
    seen: bool  # this update id was already applied to it


def _load_statement(count: int) -> Any:
    # Which candidate matched, as its index: the pseudonym itself is never selected, so no
    # result row (logged by SQLAlchemy at DEBUG, whatever `hide_parameters` says) holds one.
    which = case(
        *[
            (_D.pseudonym == bindparam(name), literal_column(str(i)))
            for i, name in enumerate(_candidate_names(count))
        ],
        else_=literal_column("-1"),
    )
    columns = {
        "which": which.label("which"),
        "submission_id": _D.submission_id,
        "version": _D.version,
        "last_update_id": _D.last_update_id,
        "next_sequence": _D.next_sequence,
        "sealed_state": _D.state,
        "expires_on": _D.expires_on,
        "questionnaire_id": _S.questionnaire_id,
        "questionnaire_version": _S.questionnaire_version,
        "questionnaire_hash": _S.questionnaire_hash,
        "campaign": _S.campaign,
        "seen": exists()
        .where(_P.submission_id == _D.submission_id)
        .where(_P.update_id == bindparam("b_update_id"))
        .label("seen"),
    }
    # Selected in the order of `_DraftRow`'s fields, so that a row is read by name.
    return (
        select(*(columns[name] for name in _DraftRow._fields))
        .join(SUBMISSIONS, _S.id == _D.submission_id)
        .where(_among_candidates(count))
    )


class _CandidateStatements:
    """The load and lock statements for each number of candidate pseudonyms, built once."""

    def __init__(self) -> None:
        self._built: dict[int, tuple[Any, Any]] = {}

    def __call__(self, count: int) -> tuple[Any, Any]:
        built = self._built.get(count)
        if built is None:
            lock = select(_D.version).where(_among_candidates(count)).with_for_update()
            built = self._built[count] = (_load_statement(count), lock)
        return built


_BY_CANDIDATES = _CandidateStatements()
_SAME_VERSION = (_D.pseudonym == bindparam("b_pseudonym")) & (_D.version == bindparam("b_version"))
# Writes that must hit exactly one row return it: the count works the same on every driver.
# Every save re-keys the draft under the current epoch's pseudonym.
_SAVE = (
    update(DRAFTS)
    .where(_SAME_VERSION)
    .values(
        pseudonym=bindparam("b_new_pseudonym"),
        version=bindparam("b_new_version"),
        last_update_id=bindparam("b_last_update_id"),
        next_sequence=bindparam("b_next_sequence"),
        state=bindparam("b_state"),
        expires_on=bindparam("b_expires_on"),
    )
    .returning(_D.version)
)
_END_DRAFT = delete(DRAFTS).where(_SAME_VERSION).returning(_D.version)
_MARK_PROCESSED = insert(PROCESSED_UPDATES)
_INSERT_ANSWERS = insert(SEALED_ANSWERS)
_COUNT_ANSWERS = (
    update(SUBMISSIONS)
    .where(_S.id == bindparam("b_id"))
    .values(answer_count=_S.answer_count + bindparam("b_added"))
)
_MARK_COMPLETE = _COUNT_ANSWERS.values(
    status=bindparam("b_status"),
    completed_on=bindparam("b_today"),
    receipt_hash=bindparam("b_receipt_hash"),
)
_INSERT_SUBMISSION = insert(SUBMISSIONS)
_INSERT_STARTED = insert(STARTED_UPDATES)
_FORGET_STARTED = delete(STARTED_UPDATES).where(
    STARTED_UPDATES.c.started_on < bindparam("b_before")
)
_STARTED_BY = select(STARTED_UPDATES.c.digest).where(STARTED_UPDATES.c.digest == bindparam("b"))
_INSERT_DRAFT = insert(DRAFTS)


class _Statements(Protocol):
    """Where a transaction's statements run: SQLAlchemy, or SQLite's direct connection."""

    async def rows(
        self, statement: Any, parameters: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]: ...


@dataclass(frozen=True)
class _Alchemy:
    connection: AsyncConnection

    async def rows(
        self, statement: Any, parameters: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        result = await self.connection.execute(statement, dict(parameters or {}))
        return [tuple(row) for row in result.all()] if result.returns_rows else []


def _day(value: date | str) -> date:
    # The direct SQLite connection returns dates as SQLAlchemy stores them: ISO text.
    return date.fromisoformat(value) if isinstance(value, str) else value


class Repository:
    """Everything the conversation stores, one transaction per respondent event.

    Every change to a draft is a compare-and-swap on its version counter and is keyed by the
    Telegram update id, so an update delivered twice, or to two workers, is applied once.
    A draft past its expiry date is treated as absent by every method (and expired).
    Answers are sealed to the staff public key as they arrive (record format 2): nothing
    this class holds, and nothing it stores, opens them again.
    """

    def __init__(
        self,
        database: Database,
        secret: ServerSecret,
        staff_key: StaffPublicKey,
        *,
        draft_ttl: timedelta = DEFAULT_DRAFT_TTL,
        clock: Clock = utc_now,
    ) -> None:
        self._database = database
        self._engine = database.engine
        self._secret = secret
        self._staff_key = staff_key
        self._draft_ttl = draft_ttl
        self._clock = clock

    def _today(self) -> date:
        return self._clock().date()

    async def load(self, key: DraftKey) -> Found:
        """The draft under `key`, if any. A draft past its expiry date is not returned but
        expired (`Found.expired`), so the caller can say what became of it."""
        loaded = None
        for candidates in _lookups(key):
            parameters = _lookup(candidates, None)
            statement, _ = _BY_CANDIDATES(len(candidates))
            if self._database.has_sqlite_writer:
                rows = await self._database.sqlite_read(statement, parameters)
            else:
                async with self._engine.connect() as connection:
                    rows = await _Alchemy(connection).rows(statement, parameters)
            loaded = _opened(key, candidates, rows)
            if loaded is not None:
                break
        if loaded is None:
            return Found(None)
        if self._is_expired(loaded.handle):
            await self.expire_drafts()
            return Found(None, expired=True)
        return Found(loaded.handle)

    def _is_expired(self, draft: DraftHandle) -> bool:
        return draft.expires_on < self._today()

    async def _load_on(
        self, statements: _Statements, key: DraftKey, update_id: int | None
    ) -> _Loaded | None:
        for candidates in _lookups(key):
            parameters = _lookup(candidates, update_id)
            load, lock = _BY_CANDIDATES(len(candidates))
            if not self._database.is_sqlite:
                # PostgreSQL: lock the draft row until commit, in a statement of its own: the
                # read below then takes a fresh snapshot that sees everything the previous
                # lock holder committed (READ COMMITTED would re-check only the locked row).
                # SQLite: the write transaction already holds the lock.
                await statements.rows(lock, parameters)
            loaded = _opened(key, candidates, await statements.rows(load, parameters))
            if loaded is not None:
                return loaded
        return None

    async def start_or_resume(
        self,
        key: DraftKey,
        *,
        questionnaire: QuestionnaireRef,
        campaign: str | None,
        initial_state: bytes,
        started_by: int | None = None,
        mode: SubmissionMode = SubmissionMode.DIRECT,
    ) -> DraftHandle:
        """The draft under `key`; if none, a new in-progress submission and its draft.

        The new submission gets a random id; the draft holds `initial_state`, sealed with the
        current epoch's draft key under the current pseudonym. An expired draft is expired
        first, then a new one starts. `started_by` is the update asking for it: an update
        that has started a questionnaire before starts none again (`AlreadyStartedError`).
        `mode` is stored in clear with the submission (`SubmissionMode`).
        """
        if campaign is not None and not _CAMPAIGN.fullmatch(campaign):
            raise InvalidCampaignError("a campaign code is 1-64 of A-Z a-z 0-9 _ -")
        existing = (await self.load(key)).draft
        if existing is not None:
            return existing
        today = self._today()
        submission_id = secrets.token_bytes(SUBMISSION_ID_BYTES)
        expires_on = today + self._draft_ttl
        digest = None if started_by is None else self._secret.update_digest(started_by)
        try:
            async with self._hot_write() as statements:
                if digest is not None:
                    await _mark_started_on(statements, digest, today)
                await _insert_draft_on(
                    statements,
                    key,
                    submission_id,
                    questionnaire=questionnaire,
                    campaign=campaign,
                    key_id=self._staff_key.key_id,
                    mode=mode,
                    initial_state=initial_state,
                    today=today,
                    expires_on=expires_on,
                )
        except (IntegrityError, sqlite3.IntegrityError) as error:
            # Another worker started this respondent's draft first: use theirs.
            resumed = (await self.load(key)).draft
            if resumed is None:
                if digest is not None:  # the same update, started and ended by another worker
                    raise AlreadyStartedError from error
                raise
            return resumed
        return DraftHandle(
            submission_id=submission_id,
            questionnaire=questionnaire,
            campaign=campaign,
            version=1,
            last_update_id=0,
            next_sequence=0,
            state=initial_state,
            expires_on=expires_on,
            created=True,
        )

    async def apply(
        self,
        key: DraftKey,
        *,
        update_id: int,
        decide: Callable[[DraftHandle], Decided[R]],
    ) -> ChangeResult[R]:
        """Store the change `decide` computes from the current draft, in one transaction.

        The one way to change a draft. The draft is locked while `decide` runs, so concurrent
        updates for one respondent queue instead of conflicting; `decide` must be quick and
        must not touch the database. Its `Decided.change` None stores nothing (outcome
        APPLIED, draft unchanged); its `Decided.value` comes back in `ChangeResult.decided`.
        An update id seen before gives DUPLICATE, and an expired draft NO_DRAFT (and is
        expired), both without calling `decide`.
        """
        try:
            async with self._hot_write() as statements:
                result = await self._decide_and_write(statements, key, update_id, decide)
        except (IntegrityError, sqlite3.IntegrityError):
            # The unique (draft, update id) key is the last line of defence against a
            # second application; the lock makes this path unreachable in practice.
            return ChangeResult(Outcome.DUPLICATE, (await self.load(key)).draft)
        if result is _EXPIRED:
            await self.expire_drafts()
            return ChangeResult(Outcome.NO_DRAFT, None, expired=True)
        if result.receipt is not None:
            # The ended draft's routing answers leave SQLite's WAL at the next checkpoint, in
            # the background. No answer key rides in a draft any more, so no reply waits for
            # a scrub; between completions the periodic checkpoint is enough (what the WAL
            # holds is sealed with epoch keys that are erased after the retained window).
            self._database.request_scrub()
        return result

    @asynccontextmanager
    async def _hot_write(self) -> AsyncIterator[_Statements]:
        """A write transaction for a respondent's event: on a SQLite file the direct writer
        (storage/sqlite_direct.py), elsewhere SQLAlchemy."""
        if self._database.has_sqlite_writer:
            async with self._database.sqlite_write() as writer:
                yield writer
        else:
            async with self._database.write_transaction() as connection:
                yield _Alchemy(connection)

    async def _decide_and_write(
        self,
        statements: _Statements,
        key: DraftKey,
        update_id: int,
        decide: Callable[[DraftHandle], Decided[R]],
    ) -> ChangeResult[R]:
        loaded = await self._load_on(statements, key, update_id)
        if loaded is None:
            return ChangeResult(Outcome.NO_DRAFT, None)
        if self._is_expired(loaded.handle):
            # Changing it would push its expiry forward: it is expired instead, after this
            # transaction.
            return _EXPIRED
        if loaded.update_seen:
            return ChangeResult(Outcome.DUPLICATE, loaded.handle)
        decided = decide(loaded.handle)
        if decided.change is None:
            return ChangeResult(Outcome.APPLIED, loaded.handle, decided=decided.value)
        return await self._write(statements, key, update_id, loaded, decided)

    async def _write(
        self,
        statements: _Statements,
        key: DraftKey,
        update_id: int,
        loaded: _Loaded,
        decided: Decided[R],
    ) -> ChangeResult[R]:
        change = decided.change
        assert change is not None
        draft = loaded.handle
        plaintexts = list(change.answers)
        answer_count = draft.next_sequence + len(plaintexts)
        if change.complete:
            plaintexts.append(end_record(answer_count))
        rows = _sealed_rows(self._staff_key, draft, plaintexts)
        sequences = tuple(range(draft.next_sequence, answer_count))
        if change.complete:
            receipt = new_receipt()
            receipt_hash = self._secret.receipt_hash(receipt)
            await _complete_on(
                statements, loaded, rows, len(sequences), self._today(), receipt_hash
            )
            return ChangeResult(Outcome.APPLIED, None, sequences, receipt, decided=decided.value)
        if change.state is None:
            raise ValueError("a change that does not complete the draft needs its new state")
        saved = replace(
            draft,
            version=draft.version + 1,
            last_update_id=max(draft.last_update_id, update_id),
            next_sequence=answer_count,
            state=change.state,
            expires_on=self._today() + self._draft_ttl,
            created=False,
        )
        await _save_on(statements, key, update_id, loaded, saved, rows)
        return ChangeResult(Outcome.APPLIED, saved, sequences, decided=decided.value)

    async def withdraw_unfinished(self, key: DraftKey) -> bool:
        """Delete the unfinished submission under `key` with its answers; True if any."""
        owned = select(_D.submission_id).where(_D.pseudonym.in_(list(_pseudonyms(key))))
        return await self._withdraw(_S.id.in_(owned.scalar_subquery()), "draft")

    async def withdraw_by_receipt(self, receipt_text: str) -> bool:
        """Delete the finished submission this receipt was issued for; True if it existed."""
        receipt = normalize_receipt(receipt_text)
        if receipt is None:
            return False
        return await self.withdraw_by_receipt_hash(self._secret.receipt_hash(receipt))

    def receipt_hash(self, receipt: str) -> bytes:
        """The keyed hash stored for a normalized receipt (`storage.receipts`): what a caller
        may hold while the respondent confirms a withdrawal, instead of the receipt."""
        return self._secret.receipt_hash(receipt)

    async def withdraw_by_receipt_hash(self, receipt_hash: bytes) -> bool:
        """`withdraw_by_receipt` from the receipt's keyed hash (`receipt_hash`)."""
        return await self._withdraw(_S.receipt_hash == receipt_hash, "receipt")

    async def _withdraw(self, which: Any, via: str) -> bool:
        async with self._database.write_transaction() as connection:
            withdrawn = await _withdraw_on(connection, which, self._today(), via)
        if withdrawn:
            await self._database.scrub()
        return withdrawn

    async def expire_drafts(self) -> int:
        """Drafts past their expiry become `partial` submissions (none if no answer was given),
        closed with an end record sealed to the staff key; their state and routing answers
        are deleted. Returns how many expired."""
        return await expire_drafts(self._database, self._staff_key, self._today())

    async def set_aside(self, key: DraftKey, submission_id: bytes) -> bool:
        """Close the draft under `key` now, as its expiry would: its answers become a
        `partial` submission for staff (nothing is deleted), so that another questionnaire
        can start. Only the draft `submission_id` names (the one the respondent was shown);
        False if it is no longer the open one."""
        draft = (await self.load(key)).draft
        if draft is None or draft.submission_id != submission_id:
            return False
        outcome = await expire(
            self._database,
            self._staff_key,
            self._today(),
            only=submission_id,
            event="draft_set_aside",
        )
        return outcome.expired == 1

    async def count_testimony_limit_refusal(self) -> None:
        """Record that an account was refused a new testimony today (the cap on completed
        testimonies, bot/completion_cap.py): one audit row with the day and nothing else, no
        pseudonym, so `oclep-admin stats` can count refusals without telling whose."""
        async with self._database.write_transaction() as connection:
            await _audit(connection, self._today(), TESTIMONY_LIMIT_REFUSED, {})


def _opened(key: DraftKey, candidates: Sequence[bytes], rows: Sequence[Any]) -> _Loaded | None:
    """The first row that opens (the load statement matches one draft at most)."""
    for row in rows:
        loaded = _open_row(key, candidates, row)
        if loaded is not None:
            return loaded
    return None


def _open_row(key: DraftKey, candidates: Sequence[bytes], raw: Any) -> _Loaded | None:
    """The draft of one row, read by name, its state opened with its epoch's key."""
    row = _DraftRow._make(raw)
    if not 0 <= row.which < len(candidates):  # pragma: no cover - the query matched one
        return None
    pseudonym, submission_id = candidates[row.which], bytes(row.submission_id)
    keys = key.keys_of(pseudonym)
    if keys is None:  # pragma: no cover - the query matched one of the candidates
        return None
    context = _state_context(pseudonym, submission_id)
    handle = DraftHandle(
        submission_id=submission_id,
        questionnaire=QuestionnaireRef(
            row.questionnaire_id, row.questionnaire_version, row.questionnaire_hash
        ),
        campaign=row.campaign,
        version=row.version,
        last_update_id=row.last_update_id,
        next_sequence=row.next_sequence,
        state=keys.open_draft(bytes(row.sealed_state), context),
        expires_on=_day(row.expires_on),
    )
    return _Loaded(handle=handle, pseudonym=pseudonym, update_seen=bool(row.seen))


def _sealed_rows(
    staff_key: StaffPublicKey, draft: DraftHandle, plaintexts: Sequence[bytes]
) -> list[dict[str, Any]]:
    """Each record sealed to the staff key at its position (format 2)."""
    questionnaire_hash = draft.questionnaire.hash_bytes
    return [
        {
            "submission_id": draft.submission_id,
            "sequence": sequence,
            "nonce": b"",
            "ciphertext": seal_record(
                staff_key,
                plaintext,
                draft.submission_id,
                sequence,
                questionnaire_hash,
            ),
        }
        for sequence, plaintext in enumerate(plaintexts, start=draft.next_sequence)
    ]


async def _mark_started_on(statements: _Statements, digest: bytes, today: date) -> None:
    """Record the update that starts a questionnaire (its keyed digest), so that the same
    update, delivered again, starts none; `AlreadyStartedError` if it has started one."""
    if await statements.rows(_STARTED_BY, {"b": digest}):
        raise AlreadyStartedError
    before = today - timedelta(days=STARTED_UPDATE_DAYS)
    await statements.rows(_FORGET_STARTED, {"b_before": before})
    await statements.rows(_INSERT_STARTED, {"digest": digest, "started_on": today})


async def _insert_draft_on(
    statements: _Statements,
    key: DraftKey,
    submission_id: bytes,
    *,
    questionnaire: QuestionnaireRef,
    campaign: str | None,
    key_id: bytes,
    mode: SubmissionMode,
    initial_state: bytes,
    today: date,
    expires_on: date,
) -> None:
    """A new in-progress submission and its draft, the state sealed under `key`."""
    await statements.rows(
        _INSERT_SUBMISSION,
        {
            "id": submission_id,
            "status": SubmissionStatus.IN_PROGRESS.value,
            "created_on": today,
            "completed_on": None,
            "campaign": campaign,
            "questionnaire_id": questionnaire.id,
            "questionnaire_version": questionnaire.version,
            "questionnaire_hash": questionnaire.hash,
            "key_id": key_id,
            "sealed_key": b"",
            "record_format": int(RecordFormat.SEALED),
            "receipt_hash": None,
            "answer_count": 0,
            "mode": SubmissionMode(mode).value,
        },
    )
    await statements.rows(
        _INSERT_DRAFT,
        {
            "pseudonym": key.pseudonym,
            "submission_id": submission_id,
            "version": 1,
            "last_update_id": 0,
            "next_sequence": 0,
            "state": _seal_state(key.keys, key.pseudonym, submission_id, initial_state),
            "chain_key": b"",
            "expires_on": expires_on,
        },
    )


async def _complete_on(
    statements: _Statements,
    loaded: _Loaded,
    rows: Sequence[Mapping[str, Any]],
    answers_added: int,
    today: date,
    receipt_hash: bytes,
) -> None:
    """End a locked draft: its last records stored, the submission complete with the
    receipt's hash, the draft (state, routing answers) deleted."""
    draft = loaded.handle
    # The row is locked, so the compare-and-swap cannot fail; it stays as the guarantee
    # that a draft is never saved over a version its writer did not read.
    same_version = {"b_pseudonym": loaded.pseudonym, "b_version": draft.version}
    if len(await statements.rows(_END_DRAFT, same_version)) != 1:
        raise ConflictError("the draft changed while locked")
    for row in rows:
        await statements.rows(_INSERT_ANSWERS, row)
    await statements.rows(
        _MARK_COMPLETE,
        {
            "b_id": draft.submission_id,
            "b_added": answers_added,  # the end record is not an answer
            "b_status": SubmissionStatus.COMPLETE.value,
            "b_today": today,
            "b_receipt_hash": receipt_hash,
        },
    )


async def _save_on(
    statements: _Statements,
    key: DraftKey,
    update_id: int,
    loaded: _Loaded,
    saved: DraftHandle,
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Save a locked draft as `saved`, re-keyed under today's pseudonym, with its new
    records and the update marked as processed."""
    draft = loaded.handle
    values: dict[str, Any] = {
        "b_pseudonym": loaded.pseudonym,
        "b_version": draft.version,  # compare-and-swap, as in `_complete_on`
        "b_new_pseudonym": key.pseudonym,
        "b_new_version": saved.version,
        "b_last_update_id": saved.last_update_id,
        "b_next_sequence": saved.next_sequence,
        "b_state": _seal_state(key.keys, key.pseudonym, draft.submission_id, saved.state),
        "b_expires_on": saved.expires_on,
    }
    if len(await statements.rows(_SAVE, values)) != 1:
        raise ConflictError("the draft changed while locked")
    await statements.rows(
        _MARK_PROCESSED, {"submission_id": draft.submission_id, "update_id": update_id}
    )
    for row in rows:
        await statements.rows(_INSERT_ANSWERS, row)
    if rows:
        await statements.rows(_COUNT_ANSWERS, {"b_id": draft.submission_id, "b_added": len(rows)})


def _pseudonyms(key: DraftKey) -> Iterable[bytes]:
    return (pseudonym for pseudonym, _ in key.candidates)


def _lookups(key: DraftKey) -> Iterable[Sequence[bytes]]:
    """Today's pseudonym first (every event re-keys the draft under it, so a respondent's
    second event of the day finds it with one index lookup), then the other epochs."""
    pseudonyms = [pseudonym for pseudonym, _ in key.candidates]
    yield pseudonyms[:1]
    if len(pseudonyms) > 1:
        yield pseudonyms[1:]


def _lookup(candidates: Sequence[bytes], update_id: int | None) -> dict[str, Any]:
    parameters: dict[str, Any] = dict(
        zip(_candidate_names(len(candidates)), candidates, strict=True)
    )
    parameters["b_update_id"] = update_id
    return parameters


def _seal_state(keys: EpochKeys, pseudonym: bytes, submission_id: bytes, state: bytes) -> bytes:
    return keys.seal_draft(state, _state_context(pseudonym, submission_id))


async def _audit(
    connection: AsyncConnection, today: date, event: str, details: dict[str, Any]
) -> None:
    await connection.execute(
        insert(AUDIT_LOG).values(occurred_on=today, event=event, details=details)
    )


async def _withdraw_on(connection: AsyncConnection, which: Any, today: date, via: str) -> bool:
    """Delete the submissions `which` selects, leaving a tombstone each; False if none."""
    # Attachments' sealed file keys go first (crypto-shredding: without its key no chunk
    # opens), their chunks with them; then the row, whose cascades remove answers, draft and
    # processed updates. One transaction (the caller's): all or nothing.
    doomed = select(_S.id).where(which).scalar_subquery()
    await connection.execute(delete(ATTACHMENTS).where(ATTACHMENTS.c.submission_id.in_(doomed)))
    deleted = await connection.execute(delete(SUBMISSIONS).where(which).returning(_S.id))
    ids = [bytes(row[0]) for row in deleted]
    if not ids:
        return False
    await connection.execute(
        insert(TOMBSTONES), [{"submission_id": i, "withdrawn_on": today} for i in ids]
    )
    await _audit(connection, today, "submission_withdrawn", {"via": via})
    return True
