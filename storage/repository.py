"""The conversation's persistence: drafts, sealed answers, completion, withdrawal, expiry."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Protocol

from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database
from storage.keys import StaffPublicKey
from storage.ratchet import new_chain_key, next_chain_key, seal_answer, seal_chain_key
from storage.receipts import new_receipt, normalize_receipt
from storage.server_secret import DraftSealError, ServerSecret
from storage.tables import (
    AUDIT_LOG,
    CAMPAIGN_PATTERN,
    DRAFTS,
    PROCESSED_UPDATES,
    SEALED_ANSWERS,
    SUBMISSION_ID_BYTES,
    SUBMISSIONS,
    TOMBSTONES,
    SubmissionStatus,
)

DEFAULT_DRAFT_TTL: Final = timedelta(days=30)
DEFAULT_RATE_RESPONDENTS: Final = 100_000  # counters kept per window; beyond, the oldest go
END_KEY: Final = "end"
_CAMPAIGN = re.compile(CAMPAIGN_PATTERN)
_STATE_LABEL = b"oclep draft state\x00"
_CHAIN_LABEL = b"oclep draft chain\x00"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class InvalidCampaignError(ValueError):
    """A campaign code outside [A-Za-z0-9_-]{1,64}; callers drop such codes before calling."""


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
class ExpiryPreview:
    """What `expire_drafts` would do now (`Repository.preview_expiry`)."""

    expired: int  # drafts past their expiry date
    with_answers: int  # of those, the ones that become partial submissions
    closable: int  # of those, the ones this server secret closes with an end record


@dataclass(frozen=True)
class _Loaded:
    handle: DraftHandle
    chain_key: bytes = field(repr=False)
    update_seen: bool


# What `_decide_and_write` returns for an expired draft (never given to callers).
_EXPIRED: Final = ChangeResult(Outcome.NO_DRAFT, None)


def end_record(count: int) -> bytes:
    """The plaintext of the record sealed after the last answer of a finished submission.

    It is sealed at sequence `count` (the number of answer records before it, which is also
    the submission's `answer_count`: the end record is not counted) with the next chain key,
    so the count is authenticated: a reader that finds no end record, or one that disagrees
    with the stored count, knows records were dropped.
    """
    return json.dumps({END_KEY: count}, separators=(",", ":")).encode()


def _state_context(pseudonym: bytes, submission_id: bytes) -> bytes:
    return _STATE_LABEL + pseudonym + submission_id


def _chain_context(pseudonym: bytes, submission_id: bytes, next_sequence: int) -> bytes:
    # Binding the position stops an old chain-key blob from being replayed beside a newer
    # sequence counter.
    return _CHAIN_LABEL + pseudonym + submission_id + next_sequence.to_bytes(8, "big")


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
_LOAD = (
    select(
        _D.submission_id,
        _D.version,
        _D.last_update_id,
        _D.next_sequence,
        _D.state,
        _D.chain_key,
        _D.expires_on,
        _S.questionnaire_id,
        _S.questionnaire_version,
        _S.questionnaire_hash,
        _S.campaign,
        exists()
        .where(_P.pseudonym == bindparam("b_pseudonym"))
        .where(_P.update_id == bindparam("b_update_id"))
        .label("seen"),
    )
    .join(SUBMISSIONS, _S.id == _D.submission_id)
    .where(_D.pseudonym == bindparam("b_pseudonym"))
)
_LOCK = select(_D.version).where(_D.pseudonym == bindparam("b_pseudonym")).with_for_update()
_SAME_VERSION = (_D.pseudonym == bindparam("b_pseudonym")) & (_D.version == bindparam("b_version"))
# Writes that must hit exactly one row return it: the count works the same on every driver.
_SAVE = (
    update(DRAFTS)
    .where(_SAME_VERSION)
    .values(
        version=bindparam("b_new_version"),
        last_update_id=bindparam("b_last_update_id"),
        state=bindparam("b_state"),
        expires_on=bindparam("b_expires_on"),
    )
    .returning(_D.version)
)
_SAVE_WITH_KEY = _SAVE.values(
    next_sequence=bindparam("b_next_sequence"), chain_key=bindparam("b_chain_key")
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

    async def load(
        self, pseudonym: bytes, *, expired: list[bool] | None = None
    ) -> DraftHandle | None:
        """The draft under `pseudonym`, or None (also when it has expired: it is expired,
        and True is appended to `expired`, so the caller can say what became of it)."""
        parameters = {"b_pseudonym": pseudonym, "b_update_id": None}
        if self._database.has_sqlite_writer:
            rows = await self._database.sqlite_read(_LOAD, parameters)
        else:
            async with self._engine.connect() as connection:
                rows = await _Alchemy(connection).rows(_LOAD, parameters)
        loaded = self._opened(pseudonym, rows)
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
        self, statements: _Statements, pseudonym: bytes, update_id: int | None
    ) -> _Loaded | None:
        parameters = {"b_pseudonym": pseudonym, "b_update_id": update_id}
        if not self._database.is_sqlite:
            # PostgreSQL: lock the draft row until commit, in a statement of its own: the
            # read below then takes a fresh snapshot that sees everything the previous lock
            # holder committed (READ COMMITTED would re-check only the locked row itself).
            # SQLite: the write transaction already holds the lock.
            await statements.rows(_LOCK, parameters)
        return self._opened(pseudonym, await statements.rows(_LOAD, parameters))

    def _opened(self, pseudonym: bytes, rows: Sequence[tuple[Any, ...]]) -> _Loaded | None:
        if not rows:
            return None
        (
            submission_id,
            version,
            last_update_id,
            next_sequence,
            sealed_state,
            sealed_chain_key,
            expires_on,
            questionnaire_id,
            questionnaire_version,
            questionnaire_hash,
            campaign,
            seen,
        ) = rows[0]
        submission_id = bytes(submission_id)
        state = self._secret.open_draft(
            bytes(sealed_state), _state_context(pseudonym, submission_id)
        )
        chain_key = self._secret.open_draft(
            bytes(sealed_chain_key), _chain_context(pseudonym, submission_id, next_sequence)
        )
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
        return _Loaded(handle=handle, chain_key=chain_key, update_seen=bool(seen))

    # --- starting ---

    async def start_or_resume(
        self,
        pseudonym: bytes,
        *,
        questionnaire: QuestionnaireRef,
        campaign: str | None,
        initial_state: bytes,
    ) -> DraftHandle:
        """The draft under `pseudonym`; if none, a new in-progress submission and its draft.

        The new submission gets a random id and K0 sealed to the staff key; the draft holds
        `initial_state` and K0, both sealed with the server's draft key. An expired draft is
        expired first, then a new one starts.
        """
        if campaign is not None and not _CAMPAIGN.fullmatch(campaign):
            raise InvalidCampaignError("a campaign code is 1-64 of A-Z a-z 0-9 _ -")
        existing = await self.load(pseudonym)
        if existing is not None:
            return existing
        today = self._today()
        submission_id = secrets.token_bytes(SUBMISSION_ID_BYTES)
        k0 = new_chain_key()
        sealed_k0 = seal_chain_key(self._staff_key, k0, submission_id, questionnaire.hash_bytes)
        expires_on = today + self._draft_ttl
        try:
            async with self._hot_write() as statements:
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
                        "sealed_key": sealed_k0,
                        "receipt_hash": None,
                        "answer_count": 0,
                    },
                )
                await statements.rows(
                    _INSERT_DRAFT,
                    {
                        "pseudonym": pseudonym,
                        "submission_id": submission_id,
                        "version": 1,
                        "last_update_id": 0,
                        "next_sequence": 0,
                        "state": self._secret.seal_draft(
                            initial_state, _state_context(pseudonym, submission_id)
                        ),
                        "chain_key": self._secret.seal_draft(
                            k0, _chain_context(pseudonym, submission_id, 0)
                        ),
                        "expires_on": expires_on,
                    },
                )
        except (IntegrityError, sqlite3.IntegrityError):
            # Another worker started this respondent's draft first: use theirs.
            resumed = await self.load(pseudonym)
            if resumed is None:
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

    async def record_answer(
        self,
        pseudonym: bytes,
        *,
        update_id: int,
        expected_version: int,
        plaintext: bytes,
        new_state: bytes,
    ) -> ChangeResult:
        """Append one sealed answer and save the new state, if the draft is still at
        `expected_version`; CONFLICT otherwise (reload, recompute, call again)."""
        return await self.change(
            pseudonym,
            update_id=update_id,
            expected_version=expected_version,
            change=Change(state=new_state, answers=(plaintext,)),
        )

    async def save_state(
        self, pseudonym: bytes, *, update_id: int, expected_version: int, new_state: bytes
    ) -> ChangeResult:
        """Save a new state without an answer (going back, a notice shown, a preference)."""
        return await self.change(
            pseudonym,
            update_id=update_id,
            expected_version=expected_version,
            change=Change(state=new_state),
        )

    async def complete(
        self,
        pseudonym: bytes,
        *,
        update_id: int,
        expected_version: int,
        final_answers: Sequence[bytes] = (),
    ) -> ChangeResult:
        """End the questionnaire: `final_answers` and the end record appended, status
        complete, receipt issued, draft (state, routing answers, chain key) deleted, all in
        one transaction."""
        return await self.change(
            pseudonym,
            update_id=update_id,
            expected_version=expected_version,
            change=Change(answers=tuple(final_answers), complete=True),
        )

    async def apply(
        self,
        pseudonym: bytes,
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
        return await self._locked(pseudonym, update_id, decide, expected_version=None)

    async def change(
        self, pseudonym: bytes, *, update_id: int, expected_version: int, change: Change
    ) -> ChangeResult:
        """Apply `change` if the draft is at `expected_version` and `update_id` is new."""
        return await self._locked(
            pseudonym, update_id, lambda _draft: change, expected_version=expected_version
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
        pseudonym: bytes,
        update_id: int,
        decide: Callable[[DraftHandle], Change | None],
        *,
        expected_version: int | None,
    ) -> ChangeResult:
        try:
            async with self._hot_write() as statements:
                result = await self._decide_and_write(
                    statements, pseudonym, update_id, decide, expected_version
                )
        except (IntegrityError, sqlite3.IntegrityError):
            # The unique (draft, update id) key is the last line of defence against a
            # second application; the lock makes this path unreachable in practice.
            return ChangeResult(Outcome.DUPLICATE, await self.load(pseudonym))
        if result is _EXPIRED:
            await self.expire_drafts()
            return ChangeResult(Outcome.NO_DRAFT, None, expired=True)
        if result.sequences or result.receipt is not None:
            # The replaced chain key must not survive in the WAL: the reply waits for the
            # (shared) checkpoint, so the respondent sees the next question only after the
            # old key is gone, or a bounded time has passed (then retried in the background).
            await self._database.scrub()
        return result

    async def _decide_and_write(
        self,
        statements: _Statements,
        pseudonym: bytes,
        update_id: int,
        decide: Callable[[DraftHandle], Change | None],
        expected_version: int | None,
    ) -> ChangeResult:
        loaded = await self._load_on(statements, pseudonym, update_id)
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
        return await self._write(statements, pseudonym, update_id, loaded, change)

    async def _write(
        self,
        statements: _Statements,
        pseudonym: bytes,
        update_id: int,
        loaded: _Loaded,
        change: Change,
    ) -> ChangeResult:
        draft = loaded.handle
        submission_id = draft.submission_id
        questionnaire_hash = draft.questionnaire.hash_bytes
        chain_key = loaded.chain_key
        plaintexts = list(change.answers)
        answer_count = draft.next_sequence + len(plaintexts)
        if change.complete:
            plaintexts.append(end_record(answer_count))
        rows: list[dict[str, Any]] = []
        for offset, plaintext in enumerate(plaintexts):
            sequence = draft.next_sequence + offset
            sealed = seal_answer(chain_key, submission_id, sequence, questionnaire_hash, plaintext)
            rows.append(
                {
                    "submission_id": submission_id,
                    "sequence": sequence,
                    "nonce": sealed.nonce,
                    "ciphertext": sealed.ciphertext,
                }
            )
            chain_key = next_chain_key(chain_key)
        sequences = tuple(range(draft.next_sequence, answer_count))
        today = self._today()
        # The row is locked, so the compare-and-swap cannot fail; it stays as the guarantee
        # that a draft is never saved over a version its writer did not read.
        same_version = {"b_pseudonym": pseudonym, "b_version": draft.version}

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
            "b_new_version": draft.version + 1,
            "b_last_update_id": last_update_id,
            "b_state": self._secret.seal_draft(
                change.state, _state_context(pseudonym, submission_id)
            ),
            "b_expires_on": expires_on,
        }
        if rows:
            values["b_next_sequence"] = answer_count
            values["b_chain_key"] = self._secret.seal_draft(
                chain_key, _chain_context(pseudonym, submission_id, answer_count)
            )
        if len(await statements.rows(_SAVE_WITH_KEY if rows else _SAVE, values)) != 1:
            raise ConflictError("the draft changed while locked")
        await statements.rows(_MARK_PROCESSED, {"pseudonym": pseudonym, "update_id": update_id})
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

    async def withdraw_unfinished(self, pseudonym: bytes) -> bool:
        """Delete the unfinished submission under `pseudonym` with its answers; True if any."""
        owned = select(_D.submission_id).where(_D.pseudonym == pseudonym)
        return await self._withdraw(_S.id.in_(owned.scalar_subquery()), "draft")

    async def withdraw_by_receipt(self, receipt_text: str) -> bool:
        """Delete the finished submission this receipt was issued for; True if it existed."""
        receipt = normalize_receipt(receipt_text)
        if receipt is None:
            return False
        receipt_hash = self._secret.receipt_hash(receipt)
        return await self._withdraw(_S.receipt_hash == receipt_hash, "receipt")

    async def _withdraw(self, which: Any, via: str) -> bool:
        today = self._today()
        async with self._database.write_transaction() as connection:
            # The sealed K0 goes with the row: any stray copy of the answers alone can no
            # longer be opened. Cascades remove answers, draft and processed updates.
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
        closed with an end record; their state, routing answers and chain key are deleted.
        Returns how many expired."""
        today = self._today()
        async with self._database.write_transaction() as connection:
            # Deleting first locks the rows, so a concurrent save cannot revive an expired
            # draft: its compare-and-swap then finds nothing.
            expired = (
                await connection.execute(
                    delete(DRAFTS)
                    .where(_D.expires_on < today)
                    .returning(_D.pseudonym, _D.submission_id, _D.next_sequence, _D.chain_key)
                )
            ).all()
            if not expired:
                return 0
            ids = [bytes(row.submission_id) for row in expired]
            hashes = await connection.execute(
                select(_S.id, _S.questionnaire_hash).where(_S.id.in_(ids))
            )
            ends = self._end_records(expired, {bytes(i): h for i, h in hashes})
            if ends:
                await connection.execute(_INSERT_ANSWERS, ends)
            empty = await connection.execute(
                delete(SUBMISSIONS)
                .where(_S.id.in_(ids))
                .where(_S.answer_count == 0)
                .returning(_S.id)
            )
            emptied = len(empty.all())
            await connection.execute(
                update(SUBMISSIONS)
                .where(_S.id.in_(ids))
                .values(status=SubmissionStatus.PARTIAL.value)
            )
            await _audit(
                connection,
                today,
                "drafts_expired",
                {"partial": len(ids) - emptied, "empty_deleted": emptied},
            )
        await self._database.scrub()
        return len(ids)

    async def preview_expiry(self) -> ExpiryPreview:
        """What `expire_drafts` would do now, changing nothing. A staff command checks with it
        that it holds the bot's server secret (a wrong one closes none of the drafts with an
        end record) before expiring anything."""
        today = self._today()
        async with self._engine.connect() as connection:
            drafts = (
                await connection.execute(
                    select(_D.pseudonym, _D.submission_id, _D.next_sequence, _D.chain_key).where(
                        _D.expires_on < today
                    )
                )
            ).all()
            ids = [bytes(row.submission_id) for row in drafts]
            hashes = (
                await connection.execute(select(_S.id, _S.questionnaire_hash).where(_S.id.in_(ids)))
            ).all()
        # The very end records `expire_drafts` would seal (then dropped): the same rule.
        ends = self._end_records(drafts, {bytes(i): h for i, h in hashes})
        with_answers = sum(1 for row in drafts if row.next_sequence > 0)
        return ExpiryPreview(len(drafts), with_answers, len(ends))

    def _end_records(self, drafts: Sequence[Any], hashes: dict[bytes, str]) -> list[dict[str, Any]]:
        """The end record of every expired draft that holds answers (its chain key is read
        one last time). A draft whose key cannot be opened gets none: staff still read its
        answers, but only the stored count says how many there were (the chain does not)."""
        ends: list[dict[str, Any]] = []
        for draft in drafts:
            count = draft.next_sequence
            if count == 0:
                continue
            pseudonym, submission_id = bytes(draft.pseudonym), bytes(draft.submission_id)
            try:
                chain_key = self._secret.open_draft(
                    bytes(draft.chain_key), _chain_context(pseudonym, submission_id, count)
                )
                questionnaire_hash = bytes.fromhex(hashes[submission_id])
            except (DraftSealError, KeyError, ValueError):
                continue
            sealed = seal_answer(
                chain_key, submission_id, count, questionnaire_hash, end_record(count)
            )
            ends.append(
                {
                    "submission_id": submission_id,
                    "sequence": count,
                    "nonce": sealed.nonce,
                    "ciphertext": sealed.ciphertext,
                }
            )
        return ends

    # --- rate limiting ---

    async def rate_hit(self, pseudonym: bytes, *, limit: int, window_seconds: int = 60) -> bool:
        """Count one event of a RATE pseudonym; False once `limit` is passed in this window.

        Counted in this process's memory, not in the database: a respondent's event costs no
        write transaction of its own, and no activity record rests on disk. With several
        bot processes each counts separately (docs/storage.md).
        """
        window = int(self._clock().timestamp()) // window_seconds
        return self._rates.hit(pseudonym, window) <= limit


async def _audit(
    connection: AsyncConnection, today: date, event: str, details: dict[str, Any]
) -> None:
    await connection.execute(
        insert(AUDIT_LOG).values(occurred_on=today, event=event, details=details)
    )
