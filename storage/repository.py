"""The conversation's persistence: drafts, sealed answers, completion, withdrawal, expiry."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import delete, exists, false, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col

from storage.database import Database
from storage.keys import StaffPublicKey
from storage.ratchet import new_chain_key, next_chain_key, seal_answer, seal_chain_key
from storage.receipts import new_receipt, normalize_receipt
from storage.server_secret import ServerSecret
from storage.tables import (
    CAMPAIGN_PATTERN,
    SUBMISSION_ID_BYTES,
    AuditEvent,
    Draft,
    ProcessedUpdate,
    RateCounter,
    SealedAnswer,
    Submission,
    SubmissionStatus,
    Tombstone,
)

DEFAULT_DRAFT_TTL: Final = timedelta(days=30)
_RATE_ATTEMPTS: Final = 20
_CAMPAIGN = re.compile(CAMPAIGN_PATTERN)
_STATE_LABEL = b"oclep draft state\x00"
_CHAIN_LABEL = b"oclep draft chain\x00"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class InvalidCampaignError(ValueError):
    """A campaign code outside [A-Za-z0-9_-]{1,64}; callers drop such codes before calling."""


class ConflictError(Exception):
    """A locked draft changed under us, or a rate counter kept racing: a bug, not a user's
    doing; the event is dropped and the respondent may send it again."""


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
    NO_DRAFT = "no_draft"  # nothing in progress under this pseudonym


@dataclass(frozen=True)
class Change:
    """What one event does to a draft, decided by the conversation.

    `answers` are answer-record plaintexts appended in order; `state` replaces the draft
    state (ignored with `complete=True`, which ends the draft and issues a receipt).
    """

    state: bytes | None = None
    answers: tuple[bytes, ...] = ()
    complete: bool = False


@dataclass(frozen=True)
class ChangeResult:
    """The result of one change: the draft afterwards (or as it stands, if not applied)."""

    outcome: Outcome
    draft: DraftHandle | None
    sequences: tuple[int, ...] = ()  # sequence numbers given to the new answer records
    receipt: str | None = None  # only when the change completed the submission


@dataclass(frozen=True)
class _Loaded:
    handle: DraftHandle
    chain_key: bytes
    update_seen: bool


def _state_context(pseudonym: bytes, submission_id: bytes) -> bytes:
    return _STATE_LABEL + pseudonym + submission_id


def _chain_context(pseudonym: bytes, submission_id: bytes, next_sequence: int) -> bytes:
    # Binding the position stops an old chain-key blob from being replayed beside a newer
    # sequence counter.
    return _CHAIN_LABEL + pseudonym + submission_id + next_sequence.to_bytes(8, "big")


class Repository:
    """Everything the conversation stores, one transaction per respondent event.

    Every change to a draft is a compare-and-swap on its version counter and is keyed by the
    Telegram update id, so an update delivered twice, or to two workers, is applied once.
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

    # --- reading a draft ---

    async def load(self, pseudonym: bytes) -> DraftHandle | None:
        """The draft under `pseudonym`, or None."""
        async with self._engine.connect() as connection:
            loaded = await self._load_on(connection, pseudonym, update_id=None)
        return None if loaded is None else loaded.handle

    async def _load_on(
        self,
        connection: AsyncConnection,
        pseudonym: bytes,
        update_id: int | None,
        *,
        lock: bool = False,
    ) -> _Loaded | None:
        seen: Any = (
            exists()
            .where(col(ProcessedUpdate.pseudonym) == pseudonym)
            .where(col(ProcessedUpdate.update_id) == update_id)
            if update_id is not None
            else false()
        )
        query = (
            select(
                col(Draft.submission_id),
                col(Draft.version),
                col(Draft.last_update_id),
                col(Draft.next_sequence),
                col(Draft.state),
                col(Draft.chain_key),
                col(Draft.expires_on),
                col(Submission.questionnaire_id),
                col(Submission.questionnaire_version),
                col(Submission.questionnaire_hash),
                col(Submission.campaign),
                seen.label("seen"),
            )
            .join(Submission, col(Submission.id) == col(Draft.submission_id))
            .where(col(Draft.pseudonym) == pseudonym)
        )
        if lock and not self._database.is_sqlite:
            # PostgreSQL: lock the draft row until commit, in a statement of its own: the
            # read below then takes a fresh snapshot that sees everything the previous lock
            # holder committed (READ COMMITTED would re-check only the locked row itself).
            # SQLite: the write transaction already holds the lock; no FOR UPDATE is rendered.
            await connection.execute(
                select(col(Draft.version))
                .where(col(Draft.pseudonym) == pseudonym)
                .with_for_update()
            )
        row = (await connection.execute(query)).one_or_none()
        if row is None:
            return None
        submission_id = bytes(row.submission_id)
        state = self._secret.open_draft(bytes(row.state), _state_context(pseudonym, submission_id))
        chain_key = self._secret.open_draft(
            bytes(row.chain_key), _chain_context(pseudonym, submission_id, row.next_sequence)
        )
        handle = DraftHandle(
            submission_id=submission_id,
            questionnaire=QuestionnaireRef(
                row.questionnaire_id, row.questionnaire_version, row.questionnaire_hash
            ),
            campaign=row.campaign,
            version=row.version,
            last_update_id=row.last_update_id,
            next_sequence=row.next_sequence,
            state=state,
            expires_on=row.expires_on,
        )
        return _Loaded(handle=handle, chain_key=chain_key, update_seen=bool(row.seen))

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
        `initial_state` and K0, both sealed with the server's draft key.
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
            async with self._database.write_transaction() as connection:
                await connection.execute(
                    insert(Submission).values(
                        id=submission_id,
                        status=SubmissionStatus.IN_PROGRESS.value,
                        created_on=today,
                        completed_on=None,
                        campaign=campaign,
                        questionnaire_id=questionnaire.id,
                        questionnaire_version=questionnaire.version,
                        questionnaire_hash=questionnaire.hash,
                        key_id=self._staff_key.key_id,
                        sealed_key=sealed_k0,
                        receipt_hash=None,
                        answer_count=0,
                    )
                )
                await connection.execute(
                    insert(Draft).values(
                        pseudonym=pseudonym,
                        submission_id=submission_id,
                        version=1,
                        last_update_id=0,
                        next_sequence=0,
                        state=self._secret.seal_draft(
                            initial_state, _state_context(pseudonym, submission_id)
                        ),
                        chain_key=self._secret.seal_draft(
                            k0, _chain_context(pseudonym, submission_id, 0)
                        ),
                        expires_on=expires_on,
                    )
                )
        except IntegrityError:
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
        """End the questionnaire: `final_answers` appended, status complete, receipt issued,
        draft (state, routing answers, chain key) deleted, all in one transaction."""
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
        Returning None stores nothing (outcome APPLIED, draft unchanged).
        """
        return await self._locked(pseudonym, update_id, decide, expected_version=None)

    async def change(
        self, pseudonym: bytes, *, update_id: int, expected_version: int, change: Change
    ) -> ChangeResult:
        """Apply `change` if the draft is at `expected_version` and `update_id` is new."""
        return await self._locked(
            pseudonym, update_id, lambda _draft: change, expected_version=expected_version
        )

    async def _locked(
        self,
        pseudonym: bytes,
        update_id: int,
        decide: Callable[[DraftHandle], Change | None],
        *,
        expected_version: int | None,
    ) -> ChangeResult:
        try:
            async with self._database.write_transaction() as connection:
                loaded = await self._load_on(connection, pseudonym, update_id, lock=True)
                if loaded is None:
                    return ChangeResult(Outcome.NO_DRAFT, None)
                if loaded.update_seen:
                    return ChangeResult(Outcome.DUPLICATE, loaded.handle)
                if expected_version is not None and loaded.handle.version != expected_version:
                    return ChangeResult(Outcome.CONFLICT, loaded.handle)
                change = decide(loaded.handle)
                if change is None:
                    return ChangeResult(Outcome.APPLIED, loaded.handle)
                result = await self._write(connection, pseudonym, update_id, loaded, change)
        except IntegrityError:
            # The unique (draft, update id) key is the last line of defence against a
            # second application; the lock makes this path unreachable in practice.
            return ChangeResult(Outcome.DUPLICATE, await self.load(pseudonym))
        if result.sequences or change.complete:
            # The replaced chain key and the old state must not survive in the WAL.
            await self._database.scrub()
        return result

    async def _write(
        self,
        connection: AsyncConnection,
        pseudonym: bytes,
        update_id: int,
        loaded: _Loaded,
        change: Change,
    ) -> ChangeResult:
        draft = loaded.handle
        submission_id = draft.submission_id
        questionnaire_hash = draft.questionnaire.hash_bytes
        chain_key = loaded.chain_key
        rows: list[dict[str, Any]] = []
        for offset, plaintext in enumerate(change.answers):
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
        next_sequence = draft.next_sequence + len(rows)
        sequences = tuple(row["sequence"] for row in rows)
        today = self._today()
        # The row is locked, so the compare-and-swap cannot fail; it stays as the guarantee
        # that a draft is never saved over a version its writer did not read.
        same_version = (col(Draft.pseudonym) == pseudonym) & (col(Draft.version) == draft.version)

        if change.complete:
            receipt = new_receipt()
            gone = await connection.execute(delete(Draft).where(same_version))
            if gone.rowcount != 1:
                raise ConflictError("the draft changed while locked")
            if rows:
                await connection.execute(insert(SealedAnswer), rows)
            await connection.execute(
                update(Submission)
                .where(col(Submission.id) == submission_id)
                .values(
                    status=SubmissionStatus.COMPLETE.value,
                    completed_on=today,
                    receipt_hash=self._secret.receipt_hash(receipt),
                    answer_count=col(Submission.answer_count) + len(rows),
                )
            )
            return ChangeResult(Outcome.APPLIED, None, sequences, receipt)

        if change.state is None:
            raise ValueError("a change that does not complete the draft needs its new state")
        values: dict[str, Any] = {
            "version": draft.version + 1,
            "last_update_id": max(draft.last_update_id, update_id),
            "state": self._secret.seal_draft(
                change.state, _state_context(pseudonym, submission_id)
            ),
            "expires_on": today + self._draft_ttl,
        }
        if rows:
            values["next_sequence"] = next_sequence
            values["chain_key"] = self._secret.seal_draft(
                chain_key, _chain_context(pseudonym, submission_id, next_sequence)
            )
        swapped = await connection.execute(update(Draft).where(same_version).values(values))
        if swapped.rowcount != 1:
            raise ConflictError("the draft changed while locked")
        await connection.execute(
            insert(ProcessedUpdate).values(pseudonym=pseudonym, update_id=update_id)
        )
        if rows:
            await connection.execute(insert(SealedAnswer), rows)
            await connection.execute(
                update(Submission)
                .where(col(Submission.id) == submission_id)
                .values(answer_count=col(Submission.answer_count) + len(rows))
            )
        handle = DraftHandle(
            submission_id=submission_id,
            questionnaire=draft.questionnaire,
            campaign=draft.campaign,
            version=values["version"],
            last_update_id=values["last_update_id"],
            next_sequence=next_sequence,
            state=change.state,
            expires_on=values["expires_on"],
        )
        return ChangeResult(Outcome.APPLIED, handle, sequences)

    # --- withdrawal and expiry ---

    async def withdraw_unfinished(self, pseudonym: bytes) -> bool:
        """Delete the unfinished submission under `pseudonym` with its answers; True if any."""
        owned = select(col(Draft.submission_id)).where(col(Draft.pseudonym) == pseudonym)
        return await self._withdraw(col(Submission.id).in_(owned.scalar_subquery()), "draft")

    async def withdraw_by_receipt(self, receipt_text: str) -> bool:
        """Delete the finished submission this receipt was issued for; True if it existed."""
        receipt = normalize_receipt(receipt_text)
        if receipt is None:
            return False
        receipt_hash = self._secret.receipt_hash(receipt)
        return await self._withdraw(col(Submission.receipt_hash) == receipt_hash, "receipt")

    async def _withdraw(self, which: Any, via: str) -> bool:
        today = self._today()
        async with self._database.write_transaction() as connection:
            # The sealed K0 goes with the row: any stray copy of the answers alone can no
            # longer be opened. Cascades remove answers, draft and processed updates.
            deleted = await connection.execute(
                delete(Submission).where(which).returning(col(Submission.id))
            )
            ids = [bytes(row[0]) for row in deleted]
            if not ids:
                return False
            await connection.execute(
                insert(Tombstone), [{"submission_id": i, "withdrawn_on": today} for i in ids]
            )
            await _audit(connection, today, "submission_withdrawn", {"via": via})
        await self._database.scrub()
        return True

    async def expire_drafts(self) -> int:
        """Drafts past their expiry become `partial` submissions (none if no answer was given);
        their state, routing answers and chain key are deleted. Returns how many expired."""
        today = self._today()
        async with self._database.write_transaction() as connection:
            # Deleting first locks the rows, so a concurrent save cannot revive an expired
            # draft: its compare-and-swap then finds nothing.
            expired = await connection.execute(
                delete(Draft)
                .where(col(Draft.expires_on) < today)
                .returning(col(Draft.submission_id))
            )
            ids = [bytes(row[0]) for row in expired]
            if not ids:
                return 0
            empty = await connection.execute(
                delete(Submission)
                .where(col(Submission.id).in_(ids))
                .where(col(Submission.answer_count) == 0)
                .returning(col(Submission.id))
            )
            emptied = len(empty.all())
            await connection.execute(
                update(Submission)
                .where(col(Submission.id).in_(ids))
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

    # --- rate limiting ---

    async def rate_hit(self, pseudonym: bytes, *, limit: int, window_seconds: int = 60) -> bool:
        """Count one event of a RATE pseudonym; False once `limit` is passed in this window.

        Only the current window is ever kept: older counters are deleted on every hit, so the
        table holds no history of when anyone wrote.
        """
        window = int(self._clock().timestamp()) // window_seconds * window_seconds
        this_counter = (col(RateCounter.pseudonym) == pseudonym) & (
            col(RateCounter.window_start) == window
        )
        for _ in range(_RATE_ATTEMPTS):
            try:
                async with self._database.write_transaction() as connection:
                    counted = await connection.execute(
                        update(RateCounter)
                        .where(this_counter)
                        .values(count=col(RateCounter.count) + 1)
                        .returning(col(RateCounter.count))
                    )
                    count = counted.scalar_one_or_none()
                    if count is None:
                        await connection.execute(
                            insert(RateCounter).values(
                                pseudonym=pseudonym, window_start=window, count=1
                            )
                        )
                        count = 1
                    await connection.execute(
                        delete(RateCounter).where(col(RateCounter.window_start) < window)
                    )
                return count <= limit
            except IntegrityError:
                continue  # another worker created this window's counter first: count again
        raise ConflictError("the rate counter kept changing")


async def _audit(
    connection: AsyncConnection, today: date, event: str, details: dict[str, Any]
) -> None:
    await connection.execute(
        insert(AuditEvent).values(occurred_on=today, event=event, details=details)
    )
