"""SQLModel tables: what the server stores, and nothing that names a respondent."""

from __future__ import annotations

from datetime import date
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
)
from sqlmodel import Field, SQLModel

# SQLite only auto-numbers an INTEGER PRIMARY KEY; elsewhere the id is a true 64-bit integer.
BigIntegerId = BigInteger().with_variant(Integer(), "sqlite")

SUBMISSION_ID_BYTES = 16
CAMPAIGN_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# SQLite numbers the rows of an ordinary table in insertion order (the hidden rowid), which
# would record the exact interleaving of every respondent's answers and submissions, finer
# than the day-granular dates. Tables whose key is random or per respondent are stored
# WITHOUT ROWID: their rows sit in key order, and the key says nothing about time.
NO_ROWID: dict[str, Any] = {"sqlite_with_rowid": False}
STARTED_UPDATE_DAYS = 2


class SubmissionStatus(StrEnum):
    """Where a submission stands; `partial` is a draft that expired before the end."""

    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    PARTIAL = "partial"
    WITHDRAWN = "withdrawn"


class SubmissionMode(StrEnum):
    """How a submission's answers were given (the `mode` column)."""

    DIRECT = "directo"  # in the answerer's own name: a respondent, or an investigator's report
    INTERVIEW = "entrevista"  # an investigator recording an interviewee's testimony


class RecordFormat(IntEnum):
    """How a submission's answer records are sealed (docs/security.md §2.2)."""

    RATCHET = 1  # format 1: a chain key K0 sealed to the staff key; records under its ratchet
    SEALED = 2  # format 2: every record sealed to the staff key on its own (HPKE)


class Submission(SQLModel, table=True):
    """One respondent's answers: metadata in clear, content only through the staff key.

    No pseudonym and no timestamps: a completed submission cannot be linked back to a
    Telegram account, and dates are kept to the day.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_status_completed_on", "status", "completed_on"),
        Index("ix_submissions_campaign", "campaign"),
        Index("ix_submissions_completed_on", "completed_on"),
        CheckConstraint(
            "status IN ('in_progress', 'complete', 'partial', 'withdrawn')",
            name="ck_submissions_status",
        ),
        NO_ROWID,
    )

    id: bytes = Field(sa_column=Column(LargeBinary(SUBMISSION_ID_BYTES), primary_key=True))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    created_on: date = Field(sa_column=Column(Date, nullable=False))
    completed_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    campaign: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    questionnaire_id: str = Field(sa_column=Column(String(64), nullable=False))
    questionnaire_version: int = Field(sa_column=Column(BigInteger, nullable=False))
    questionnaire_hash: str = Field(sa_column=Column(String(64), nullable=False))
    key_id: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))
    # Format 1: K0 sealed to the staff key (deleting it shreds every answer of the
    # submission). Format 2: empty (each record is sealed on its own).
    sealed_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    record_format: int = Field(
        default=RecordFormat.SEALED,
        sa_column=Column(SmallInteger, nullable=False, server_default="1"),
    )
    receipt_hash: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary(32), nullable=True, unique=True)
    )
    answer_count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    # How the answers were given: `directo` (the respondent or investigator in their own
    # name) or `entrevista` (an investigator recording an interviewee's testimony). In
    # clear, like the questionnaire id: it says which source a submission is, never who.
    mode: str = Field(
        default="directo",
        sa_column=Column(String(16), nullable=False, server_default="directo"),
    )


def _part_of_submission() -> Any:
    """The submission-id key column of a row that is part of a submission: deleted with it."""
    return Field(
        sa_column=Column(
            LargeBinary(SUBMISSION_ID_BYTES),
            ForeignKey("submissions.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )


class SealedAnswer(SQLModel, table=True):
    """Answer record number `sequence` of a submission.

    Format 2: `ciphertext` is an envelope sealed to the staff key and `nonce` is empty.
    Format 1: ChaCha20-Poly1305 under the ratchet key of that step, with its nonce.
    """

    __tablename__ = "sealed_answers"
    __table_args__ = (NO_ROWID,)

    submission_id: bytes = _part_of_submission()
    sequence: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    nonce: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    ciphertext: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Attachment(SQLModel, table=True):
    """Attachment number `position` of a submission: its file key sealed to the staff key.

    The content lives in `attachment_chunks` (storage/attachments/sealed_file.py). Deleting
    this row shreds the file: nothing else opens its chunks. `complete` is 0 while the file
    is still arriving (chunks written as they are sealed) and 1 once its answer is recorded;
    an incomplete attachment is discarded, never read.
    """

    __tablename__ = "attachments"
    __table_args__ = (NO_ROWID,)

    submission_id: bytes = _part_of_submission()
    position: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    sealed_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    complete: int = Field(sa_column=Column(SmallInteger, nullable=False))


class AttachmentChunk(SQLModel, table=True):
    """One sealed chunk of an attachment (64 KiB of content, or its facts, or its trailer)."""

    __tablename__ = "attachment_chunks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["submission_id", "position"],
            ["attachments.submission_id", "attachments.position"],
            ondelete="CASCADE",
        ),
        NO_ROWID,
    )

    submission_id: bytes = Field(
        sa_column=Column(LargeBinary(SUBMISSION_ID_BYTES), primary_key=True)
    )
    position: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chunk: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Draft(SQLModel, table=True):
    """An unfinished questionnaire, found again by the respondent's DRAFT pseudonym.

    The pseudonym and the sealed `state` (position, routing answers) are keyed by the epoch
    of the draft's last event and re-keyed on every event; once that epoch's key is erased
    from the server secret, neither can be linked or opened. `chain_key` is empty except in
    drafts started before record format 2 (their ratchet key, sealed with the old key).
    """

    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_expires_on", "expires_on"), NO_ROWID)

    pseudonym: bytes = Field(sa_column=Column(LargeBinary(32), primary_key=True))
    submission_id: bytes = Field(
        sa_column=Column(
            LargeBinary(SUBMISSION_ID_BYTES),
            ForeignKey("submissions.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        )
    )
    version: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_update_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    next_sequence: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    chain_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    expires_on: date = Field(sa_column=Column(Date, nullable=False))


class ProcessedUpdate(SQLModel, table=True):
    """An update already applied to a draft: the idempotency key of every draft change.

    Rows live only as long as their draft (cascade), so nothing outlasts the questionnaire.
    Keyed by the draft's submission id, which stays while the pseudonym changes by epoch.
    """

    __tablename__ = "processed_updates"
    __table_args__ = (NO_ROWID,)

    submission_id: bytes = Field(
        sa_column=Column(
            LargeBinary(SUBMISSION_ID_BYTES),
            ForeignKey("drafts.submission_id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))


class StartedUpdate(SQLModel, table=True):
    """An update that started a questionnaire, as a keyed digest of its id.

    A draft's processed updates go with it, so without this a consent press delivered again
    after its questionnaire ended (a webhook retry, a poll after a crash) would start a new
    one. Kept `STARTED_UPDATE_DAYS` (Telegram keeps an undelivered update for 24 hours); the
    digest names no respondent and no draft.
    """

    __tablename__ = "started_updates"
    __table_args__ = (Index("ix_started_updates_started_on", "started_on"), NO_ROWID)

    digest: bytes = Field(sa_column=Column(LargeBinary(32), primary_key=True))
    started_on: date = Field(sa_column=Column(Date, nullable=False))


class Tombstone(SQLModel, table=True):
    """A withdrawn submission: tells staff to delete offline copies; holds no content."""

    __tablename__ = "tombstones"
    __table_args__ = (NO_ROWID,)

    submission_id: bytes = Field(
        sa_column=Column(LargeBinary(SUBMISSION_ID_BYTES), primary_key=True)
    )
    withdrawn_on: date = Field(sa_column=Column(Date, nullable=False))


class ServerMeta(SQLModel, table=True):
    """Facts about the server stored with its data: the server secret's check value."""

    __tablename__ = "server_meta"
    __table_args__ = (NO_ROWID,)

    name: str = Field(sa_column=Column(String(32), primary_key=True))
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class AccessCodeKind(StrEnum):
    """Who a deep-link code is for: many people (a campaign) or one investigator."""

    CAMPAIGN = "campaign"
    INVESTIGATOR = "investigator"


class AccessCode(SQLModel, table=True):
    """A deep-link code staff registered: what it opens, and never the code itself.

    `code_hash` is HMAC-SHA256 under a key derived from the server secret (storage/
    access_codes.py): without the secret file the codes cannot be tested against it, and
    with it only by guessing codes, which for an investigator's code means 192 random bits.
    `short_id` is random, for staff to name a code in `oclep-admin codes revoke`.
    """

    __tablename__ = "access_codes"
    __table_args__ = (
        CheckConstraint("kind IN ('campaign', 'investigator')", name="ck_access_codes_kind"),
        NO_ROWID,
    )

    code_hash: bytes = Field(sa_column=Column(LargeBinary(32), primary_key=True))
    short_id: str = Field(sa_column=Column(String(16), nullable=False, unique=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    questionnaire_id: str = Field(sa_column=Column(String(64), nullable=False))
    label: str = Field(sa_column=Column(String(64), nullable=False))
    created_on: date = Field(sa_column=Column(Date, nullable=False))
    revoked_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))


class AuditEvent(SQLModel, table=True):
    """Append-only log of storage events; details never hold ids, pseudonyms or content."""

    __tablename__ = "audit_log"

    id: int | None = Field(
        default=None, sa_column=Column(BigIntegerId, primary_key=True, autoincrement=True)
    )
    occurred_on: date = Field(sa_column=Column(Date, nullable=False))
    event: str = Field(sa_column=Column(String(64), nullable=False))
    details: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class PaceCell(SQLModel, table=True):
    """One flood-limit cell shared by the bot's webhook workers (storage/shared_pacing.py).

    `cell` is -1 for the overall limit, else a 16-bit keyed tag of a chat (65 536 and up for
    groups): each tag stands for about a hundred thousand accounts, so a row says nothing of
    whom the bot wrote to. `tat` is the cell's theoretical arrival time (database clock,
    seconds). UNLOGGED on PostgreSQL: never in the write-ahead log, replicas or WAL archives.
    """

    __tablename__ = "pace_cells"
    __table_args__ = (NO_ROWID,)

    cell: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    tat: float = Field(sa_column=Column(Float, nullable=False))


class PendingWithdrawal(SQLModel, table=True):
    """A `/borrar <recibo>` awaiting its confirming press, for whichever worker it reaches.

    Keyed by a digest of the button's random reference, holding the receipt's keyed hash
    sealed under a key derived from that reference (storage/withdrawal_references.py): the
    row opens only with the reference, which exists only in the respondent's chat.
    """

    __tablename__ = "pending_withdrawals"
    __table_args__ = (NO_ROWID,)

    lookup: bytes = Field(sa_column=Column(LargeBinary(32), primary_key=True))
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False))


METADATA = SQLModel.metadata


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


# The tables as SQLAlchemy Core objects, for statements on hot paths (no ORM layer).
SUBMISSIONS: Table = _table(Submission)
SEALED_ANSWERS: Table = _table(SealedAnswer)
ATTACHMENTS: Table = _table(Attachment)
ATTACHMENT_CHUNKS: Table = _table(AttachmentChunk)
DRAFTS: Table = _table(Draft)
PROCESSED_UPDATES: Table = _table(ProcessedUpdate)
TOMBSTONES: Table = _table(Tombstone)
STARTED_UPDATES: Table = _table(StartedUpdate)
AUDIT_LOG: Table = _table(AuditEvent)
SERVER_META: Table = _table(ServerMeta)
ACCESS_CODES: Table = _table(AccessCode)
PACE_CELLS: Table = _table(PaceCell)
PENDING_WITHDRAWALS: Table = _table(PendingWithdrawal)
