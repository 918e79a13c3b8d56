"""Clear-metadata queries for staff commands: counts, campaigns, tombstones, storage events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func, select
from sqlmodel import col

from storage.database import Database
from storage.reader import SubmissionFilter
from storage.tables import AuditEvent, Submission, Tombstone


@dataclass(frozen=True)
class TombstoneEntry:
    """A withdrawn submission: its id (to delete offline copies) and the day it was withdrawn."""

    submission_id: bytes
    withdrawn_on: date


@dataclass(frozen=True)
class StorageEvent:
    """One row of the database's own audit log (bot-side events; no ids, no content)."""

    id: int
    occurred_on: date
    event: str
    details: dict[str, Any]


def _matching(filters: SubmissionFilter) -> Any:
    """The WHERE clause of `storage.reader.read_submissions` for the same filters."""
    clauses: list[Any] = []
    if filters.statuses is not None:
        clauses.append(col(Submission.status).in_(sorted(filters.statuses)))
    if filters.campaign is not None:
        clauses.append(col(Submission.campaign) == filters.campaign)
    day = func.coalesce(col(Submission.completed_on), col(Submission.created_on))
    if filters.since is not None:
        clauses.append(day >= filters.since)
    if filters.until is not None:
        clauses.append(day <= filters.until)
    return clauses


async def count_submissions(database: Database, filters: SubmissionFilter) -> int:
    """How many submissions `read_submissions` would yield for `filters` (nothing decrypted)."""
    query = select(func.count()).select_from(Submission).where(*_matching(filters))
    async with database.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def campaign_exists(database: Database, campaign: str) -> bool:
    """Whether any submission held now carries this campaign code."""
    query = select(exists().where(col(Submission.campaign) == campaign))
    async with database.engine.connect() as connection:
        return bool((await connection.execute(query)).scalar_one())


async def list_tombstones(database: Database) -> list[TombstoneEntry]:
    """Every tombstone, oldest first."""
    query = select(col(Tombstone.submission_id), col(Tombstone.withdrawn_on)).order_by(
        col(Tombstone.withdrawn_on), col(Tombstone.submission_id)
    )
    async with database.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return [TombstoneEntry(bytes(row[0]), row[1]) for row in rows]


async def storage_events(database: Database, *, limit: int = 100) -> list[StorageEvent]:
    """The newest `limit` rows of the database audit log, oldest first."""
    query = (
        select(
            col(AuditEvent.id),
            col(AuditEvent.occurred_on),
            col(AuditEvent.event),
            col(AuditEvent.details),
        )
        .order_by(col(AuditEvent.id).desc())
        .limit(limit)
    )
    async with database.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return [StorageEvent(int(r[0]), r[1], str(r[2]), dict(r[3])) for r in reversed(rows)]
