"""The conversation's persistence: drafts, sealed answers, completion, withdrawal, expiry."""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Protocol

from sqlalchemy import bindparam, case, delete, exists, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database
from storage.envelope import seal_record
from storage.expiry import END_KEY, end_record, expire_drafts
from storage.keys import StaffPublicKey
from storage.pseudonyms import DraftKey
from storage.receipts import new_receipt, normalize_receipt
from storage.server_secret import EpochKeys, ServerSecret
from storage.tables import (
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
    SubmissionStatus,
)

DEFAULT_DRAFT_TTL: Final = timedelta(days=30)
DEFAULT_RATE_RESPONDENTS: Final = 100_000  # counters kept per window; beyond, the oldest go
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
    CONFLICT = "conflict"  # the draft is no longer at `expected_version`: reload and retry
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


@dataclass(frozen=True)
class ChangeResult:
    """The result of one change: the draft afterwards (or as it stands, if not applied)."""

    outcome: Outcome
    draft: DraftHandle | None
    sequences: tuple[int, ...] = ()  # sequence numbers given to the new answer records
    receipt: str | None = field(default=None, repr=False)  # only when the change completed
    expired: bool = False  # NO_DRAFT because the draft was past its expiry (expired now)


@dataclass(frozen=True)
class _Loaded:
    handle: DraftHandle
    pseudonym: bytes = field(repr=False)  # the one it is stored under now
    update_seen: bool


# What `_decide_and_write` returns for an expired draft (never given to callers).
_EXPIRED: Final = ChangeResult(Outcome.NO_DRAFT, None)


def _state_context(pseudonym: bytes, submission_id: bytes) -> bytes:
    return _STATE_LABEL + pseudonym + submission_id


class _RateWindows:
    """Fixed-window event counters per RATE pseudonym, in this process's memory only.

    Only the current window is kept (a new window starts empty), so nothing records when
    anyone wrote, not even on disk; past `max_respondents` counters in one window the
    oldest are dropped (those respondents start again at zero).
    """

    def __init__(self, max_respondents: int) -> None:
        self._max = max_respondents
        self._window = -1
        self._counts: dict[bytes, int] = {}

    def hit(self, pseudonym: bytes, window: int) -> int:
        if window != self._window:
            self._window = window
            self._counts = {}
        count = self._counts.pop(pseudonym, 0) + 1
        self._counts[pseudonym] = count  # most recently seen last
        if len(self._counts) > self._max:
            del self._counts[next(iter(self._counts))]
        return count


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
    return (
        select(
            which.label("which"),
            _D.submission_id,
            _D.version,
            _D.last_update_id,
            _D.next_sequence,
            _D.state,
            _D.expires_on,
            _S.questionnaire_id,
            _S.questionnaire_version,
            _S.questionnaire_hash,
            _S.campaign,
            exists()
            .where(_P.submission_id == _D.submission_id)
            .where(_P.update_id == bindparam("b_update_id"))
            .label("seen"),
        )
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
        rate_respondents: int = DEFAULT_RATE_RESPONDENTS,
    ) -> None:
        self._database = database
        self._engine = database.engine
        self._secret = secret
        self._staff_key = staff_key
        self._draft_ttl = draft_ttl
        self._clock = clock
        self._rates = _RateWindows(rate_respondents)

    def _today(self) -> date:
        return self._clock().date()

    # --- reading a draft ---

    async def load(self, key: DraftKey, *, expired: list[bool] | None = None) -> DraftHandle | None:
        """The draft under `key`, or None (also when it has expired: it is expired, and True
        is appended to `expired`, so the caller can say what became of it)."""
        loaded = None
        for candidates in _lookups(key):
            parameters = _lookup(candidates, None)
            statement, _ = _BY_CANDIDATES(len(candidates))
            if self._database.has_sqlite_writer:
                rows = await self._database.sqlite_read(statement, parameters)
            else:
                async with self._engine.connect() as connection:
                    rows = await _Alchemy(connection).rows(statement, parameters)
            loaded = self._opened(key, candidates, rows)
            if loaded is not None:
                break
        if loaded is None:
            return None
        if self._is_expired(loaded.handle):
            await self.expire_drafts()
            if expired is not None:
                expired.append(True)
            return None
        return loaded.handle

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
            loaded = self._opened(key, candidates, await statements.rows(load, parameters))
            if loaded is not None:
                return loaded
        return None

    def _opened(
        self, key: DraftKey, candidates: Sequence[bytes], rows: Sequence[Any]
    ) -> _Loaded | None:
        for row in rows:
            loaded = self._open_row(key, candidates, row)
            if loaded is not None:
                return loaded
        return None

    def _open_row(self, key: DraftKey, candidates: Sequence[bytes], row: Any) -> _Loaded | None:
        (
            which,
            submission_id,
            version,
            last_update_id,
            next_sequence,
            sealed_state,
            expires_on,
            questionnaire_id,
            questionnaire_version,
            questionnaire_hash,
            campaign,
            seen,
        ) = row
        if not 0 <= which < len(candidates):  # pragma: no cover - the query matched one
            return None
        pseudonym, submission_id = candidates[which], bytes(submission_id)
        keys = key.keys_of(pseudonym)
        if keys is None:  # pragma: no cover - the query matched one of the candidates
            return None
        state = keys.open_draft(bytes(sealed_state), _state_context(pseudonym, submission_id))
        handle = DraftHandle(
            submission_id=submission_id,
            questionnaire=QuestionnaireRef(
                questionnaire_id, questionnaire_version, questionnaire_hash
            ),
            campaign=campaign,
            version=version,
            last_update_id=last_update_id,
            next_sequence=next_sequence,
            state=state,
            expires_on=_day(expires_on),
        )
        return _Loaded(handle=handle, pseudonym=pseudonym, update_seen=bool(seen))

    # --- starting ---

    async def start_or_resume(
        self,
        key: DraftKey,
        *,
        questionnaire: QuestionnaireRef,
        campaign: str | None,
        initial_state: bytes,
        started_by: int | None = None,
    ) -> DraftHandle:
        """The draft under `key`; if none, a new in-progress submission and its draft.

        The new submission gets a random id; the draft holds `initial_state`, sealed with the
        current epoch's draft key under the current pseudonym. An expired draft is expired
        first, then a new one starts. `started_by` is the update asking for it: an update
        that has started a questionnaire before starts none again (`AlreadyStartedError`).
        """
        if campaign is not None and not _CAMPAIGN.fullmatch(campaign):
            raise InvalidCampaignError("a campaign code is 1-64 of A-Z a-z 0-9 _ -")
        existing = await self.load(key)
        if existing is not None:
            return existing
        today = self._today()
        submission_id = secrets.token_bytes(SUBMISSION_ID_BYTES)
        expires_on = today + self._draft_ttl
        digest = None if started_by is None else self._secret.update_digest(started_by)
        try:
            async with self._hot_write() as statements:
                if digest is not None:
                    if await statements.rows(_STARTED_BY, {"b": digest}):
                        raise AlreadyStartedError
                    before = today - timedelta(days=STARTED_UPDATE_DAYS)
                    await statements.rows(_FORGET_STARTED, {"b_before": before})
                    await statements.rows(_INSERT_STARTED, {"digest": digest, "started_on": today})
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
                        "key_id": self._staff_key.key_id,
                        "sealed_key": b"",
                        "record_format": int(RecordFormat.SEALED),
                        "receipt_hash": None,
                        "answer_count": 0,
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
        except (IntegrityError, sqlite3.IntegrityError) as error:
            # Another worker started this respondent's draft first: use theirs.
            resumed = await self.load(key)
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

    # --- changing a draft ---

    async def apply(
        self,
        key: DraftKey,
        *,
        update_id: int,
        decide: Callable[[DraftHandle], Change | None],
    ) -> ChangeResult:
        """Apply the change `decide` computes from the current draft, in one transaction.

        The draft is locked while `decide` runs, so concurrent updates for one respondent
        queue instead of conflicting; `decide` must be quick and must not touch the database.
        Returning None stores nothing (outcome APPLIED, draft unchanged). An expired draft
        gives NO_DRAFT without calling `decide`, and is expired.
        """
        return await self._locked(key, update_id, decide, expected_version=None)

    async def change(
        self, key: DraftKey, *, update_id: int, expected_version: int, change: Change
    ) -> ChangeResult:
        """Apply `change` if the draft is at `expected_version` and `update_id` is new."""
        return await self._locked(
            key, update_id, lambda _draft: change, expected_version=expected_version
        )

    async def record_answer(
        self,
        key: DraftKey,
        *,
        update_id: int,
        expected_version: int,
        plaintext: bytes,
        new_state: bytes,
    ) -> ChangeResult:
        """Append one sealed answer and save the new state, if the draft is still at
        `expected_version`; CONFLICT otherwise (reload, recompute, call again)."""
        return await self.change(
            key,
            update_id=update_id,
            expected_version=expected_version,
            change=Change(state=new_state, answers=(plaintext,)),
        )

    async def save_state(
        self, key: DraftKey, *, update_id: int, expected_version: int, new_state: bytes
    ) -> ChangeResult:
        """Save a new state without an answer (going back, a notice shown, a preference)."""
        return await self.change(
            key,
            update_id=update_id,
            expected_version=expected_version,
            change=Change(state=new_state),
        )

    async def complete(
        self,
        key: DraftKey,
        *,
        update_id: int,
        expected_version: int,
        final_answers: Sequence[bytes] = (),
    ) -> ChangeResult:
        """End the questionnaire: `final_answers` and the end record appended, status
        complete, receipt issued, draft (state, routing answers) deleted, all in one
        transaction."""
        return await self.change(
            key,
            update_id=update_id,
            expected_version=expected_version,
            change=Change(answers=tuple(final_answers), complete=True),
        )

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

    async def _locked(
        self,
        key: DraftKey,
        update_id: int,
        decide: Callable[[DraftHandle], Change | None],
        *,
        expected_version: int | None,
    ) -> ChangeResult:
        try:
            async with self._hot_write() as statements:
                result = await self._decide_and_write(
                    statements, key, update_id, decide, expected_version
                )
        except (IntegrityError, sqlite3.IntegrityError):
            # The unique (draft, update id) key is the last line of defence against a
            # second application; the lock makes this path unreachable in practice.
            return ChangeResult(Outcome.DUPLICATE, await self.load(key))
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

    async def _decide_and_write(
        self,
        statements: _Statements,
        key: DraftKey,
        update_id: int,
        decide: Callable[[DraftHandle], Change | None],
        expected_version: int | None,
    ) -> ChangeResult:
        loaded = await self._load_on(statements, key, update_id)
        if loaded is None:
            return ChangeResult(Outcome.NO_DRAFT, None)
        if self._is_expired(loaded.handle):
            # Changing it would push its expiry forward: it is expired instead, after this
            # transaction.
            return _EXPIRED
        if loaded.update_seen:
            return ChangeResult(Outcome.DUPLICATE, loaded.handle)
        if expected_version is not None and loaded.handle.version != expected_version:
            return ChangeResult(Outcome.CONFLICT, loaded.handle)
        change = decide(loaded.handle)
        if change is None:
            return ChangeResult(Outcome.APPLIED, loaded.handle)
        return await self._write(statements, key, update_id, loaded, change)

    def _sealed_rows(self, draft: DraftHandle, plaintexts: Sequence[bytes]) -> list[dict[str, Any]]:
        """Each record sealed to the staff key at its position (format 2)."""
        questionnaire_hash = draft.questionnaire.hash_bytes
        return [
            {
                "submission_id": draft.submission_id,
                "sequence": sequence,
                "nonce": b"",
                "ciphertext": seal_record(
                    self._staff_key,
                    plaintext,
                    draft.submission_id,
                    sequence,
                    questionnaire_hash,
                ),
            }
            for sequence, plaintext in enumerate(plaintexts, start=draft.next_sequence)
        ]

    async def _write(
        self,
        statements: _Statements,
        key: DraftKey,
        update_id: int,
        loaded: _Loaded,
        change: Change,
    ) -> ChangeResult:
        draft = loaded.handle
        submission_id = draft.submission_id
        plaintexts = list(change.answers)
        answer_count = draft.next_sequence + len(plaintexts)
        if change.complete:
            plaintexts.append(end_record(answer_count))
        rows = self._sealed_rows(draft, plaintexts)
        sequences = tuple(range(draft.next_sequence, answer_count))
        today = self._today()
        # The row is locked, so the compare-and-swap cannot fail; it stays as the guarantee
        # that a draft is never saved over a version its writer did not read.
        same_version = {"b_pseudonym": loaded.pseudonym, "b_version": draft.version}

        if change.complete:
            receipt = new_receipt()
            if len(await statements.rows(_END_DRAFT, same_version)) != 1:
                raise ConflictError("the draft changed while locked")
            for row in rows:
                await statements.rows(_INSERT_ANSWERS, row)
            await statements.rows(
                _MARK_COMPLETE,
                {
                    "b_id": submission_id,
                    "b_added": len(sequences),  # the end record is not an answer
                    "b_status": SubmissionStatus.COMPLETE.value,
                    "b_today": today,
                    "b_receipt_hash": self._secret.receipt_hash(receipt),
                },
            )
            return ChangeResult(Outcome.APPLIED, None, sequences, receipt)

        if change.state is None:
            raise ValueError("a change that does not complete the draft needs its new state")
        last_update_id = max(draft.last_update_id, update_id)
        expires_on = today + self._draft_ttl
        values: dict[str, Any] = {
            **same_version,
            "b_new_pseudonym": key.pseudonym,
            "b_new_version": draft.version + 1,
            "b_last_update_id": last_update_id,
            "b_next_sequence": answer_count,
            "b_state": _seal_state(key.keys, key.pseudonym, submission_id, change.state),
            "b_expires_on": expires_on,
        }
        if len(await statements.rows(_SAVE, values)) != 1:
            raise ConflictError("the draft changed while locked")
        await statements.rows(
            _MARK_PROCESSED, {"submission_id": submission_id, "update_id": update_id}
        )
        for row in rows:
            await statements.rows(_INSERT_ANSWERS, row)
        if rows:
            await statements.rows(_COUNT_ANSWERS, {"b_id": submission_id, "b_added": len(rows)})
        handle = DraftHandle(
            submission_id=submission_id,
            questionnaire=draft.questionnaire,
            campaign=draft.campaign,
            version=draft.version + 1,
            last_update_id=last_update_id,
            next_sequence=answer_count,
            state=change.state,
            expires_on=expires_on,
        )
        return ChangeResult(Outcome.APPLIED, handle, sequences)

    # --- withdrawal and expiry ---

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
        today = self._today()
        async with self._database.write_transaction() as connection:
            # The sealed records go with the row. Cascades remove answers, draft and
            # processed updates.
            deleted = await connection.execute(delete(SUBMISSIONS).where(which).returning(_S.id))
            ids = [bytes(row[0]) for row in deleted]
            if not ids:
                return False
            await connection.execute(
                insert(TOMBSTONES), [{"submission_id": i, "withdrawn_on": today} for i in ids]
            )
            await _audit(connection, today, "submission_withdrawn", {"via": via})
        await self._database.scrub()
        return True

    async def expire_drafts(self) -> int:
        """Drafts past their expiry become `partial` submissions (none if no answer was given),
        closed with an end record sealed to the staff key; their state and routing answers
        are deleted. Returns how many expired."""
        return await expire_drafts(self._database, self._staff_key, self._today())

    async def count_testimony_limit_refusal(self) -> None:
        """Record that an account was refused a new testimony today (the cap on completed
        testimonies, bot/completion_cap.py): one audit row with the day and nothing else, no
        pseudonym, so `oclep-admin stats` can count refusals without telling whose."""
        async with self._database.write_transaction() as connection:
            await _audit(connection, self._today(), TESTIMONY_LIMIT_REFUSED, {})

    # --- rate limiting ---

    async def rate_hit(self, pseudonym: bytes, *, limit: int, window_seconds: int = 60) -> bool:
        """Count one event of a RATE pseudonym; False once `limit` is passed in this window.

        Counted in this process's memory, not in the database: a respondent's event costs no
        write transaction of its own, and no activity record rests on disk. With several
        bot processes each counts separately (docs/storage.md).
        """
        window = int(self._clock().timestamp()) // window_seconds
        return self._rates.hit(pseudonym, window) <= limit


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
