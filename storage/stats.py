"""Counts of submissions from the clear metadata alone: no key needed, nothing decrypted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import col

from storage.database import Database
from storage.repository import TESTIMONY_LIMIT_REFUSED
from storage.tables import AuditEvent, Submission, SubmissionStatus, Tombstone

WITHDRAWN = SubmissionStatus.WITHDRAWN.value
# The order statuses are shown in; withdrawn ones are counted from their tombstones.
STATUS_ORDER = tuple(status.value for status in SubmissionStatus)


@dataclass(frozen=True)
class DayCounts:
    """Submissions of one day (completion day, else start day) by status."""

    day: date
    by_status: dict[str, int]


@dataclass(frozen=True)
class SubmissionStats:
    by_status: dict[str, int]
    by_day: list[DayCounts]  # oldest first
    by_campaign: list[tuple[str | None, int]]  # largest first; None: no campaign
    by_questionnaire: list[tuple[str, int, int]]  # (id, version, count)
    # Accounts refused a new testimony at the daily cap, per day (one per account and day
    # and bot process; the audit rows carry the day only). Oldest first.
    limit_refusals_by_day: list[tuple[date, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Submissions held now (withdrawn ones are no longer held)."""
        return sum(n for status, n in self.by_status.items() if status != WITHDRAWN)


async def submission_stats(database: Database) -> SubmissionStats:
    """Count submissions by status, day, campaign and questionnaire version."""
    day = func.coalesce(col(Submission.completed_on), col(Submission.created_on)).label("day")
    count = func.count().label("n")
    async with database.engine.connect() as connection:
        per_day_status = (
            await connection.execute(
                select(day, col(Submission.status), count).group_by(day, col(Submission.status))
            )
        ).all()
        withdrawn_per_day = (
            await connection.execute(
                select(col(Tombstone.withdrawn_on), count).group_by(col(Tombstone.withdrawn_on))
            )
        ).all()
        per_campaign = (
            await connection.execute(
                select(col(Submission.campaign), count).group_by(col(Submission.campaign))
            )
        ).all()
        per_questionnaire = (
            await connection.execute(
                select(
                    col(Submission.questionnaire_id), col(Submission.questionnaire_version), count
                )
                .group_by(col(Submission.questionnaire_id), col(Submission.questionnaire_version))
                .order_by(col(Submission.questionnaire_id), col(Submission.questionnaire_version))
            )
        ).all()
        limit_refusals = (
            await connection.execute(
                select(col(AuditEvent.occurred_on), count)
                .where(col(AuditEvent.event) == TESTIMONY_LIMIT_REFUSED)
                .group_by(col(AuditEvent.occurred_on))
                .order_by(col(AuditEvent.occurred_on))
            )
        ).all()

    by_status = dict.fromkeys(STATUS_ORDER, 0)
    days: dict[date, dict[str, int]] = {}
    for row_day, status, n in per_day_status:
        by_status[status] += n
        days.setdefault(_as_date(row_day), dict.fromkeys(STATUS_ORDER, 0))[status] += n
    for row_day, n in withdrawn_per_day:
        by_status[WITHDRAWN] += n
        days.setdefault(_as_date(row_day), dict.fromkeys(STATUS_ORDER, 0))[WITHDRAWN] += n
    return SubmissionStats(
        by_status=by_status,
        by_day=[DayCounts(d, counts) for d, counts in sorted(days.items())],
        by_campaign=sorted(
            ((c, n) for c, n in per_campaign),
            key=lambda item: (-item[1], item[0] is None, item[0] or ""),
        ),
        by_questionnaire=[(q, v, n) for q, v, n in per_questionnaire],
        limit_refusals_by_day=[(_as_date(d), n) for d, n in limit_refusals],
    )


def _as_date(value: date | str) -> date:
    # SQLite returns a coalesce() of dates as text: it has no type to carry through.
    return value if isinstance(value, date) else date.fromisoformat(value)
