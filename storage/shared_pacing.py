"""Telegram's flood limits counted once for every bot worker: cells in PostgreSQL.

With several webhook workers each pacing alone (bot/telegram/pacing.py), N workers would
send N times Telegram's overall limit. Here each worker books its moments in one table, so
the limits hold for all of them together. Each booking is one atomic upsert of a generic
cell rate ("theoretical arrival time", GCRA) on the database's clock, so workers on
different machines need no synchronised clocks, and concurrent bookings queue on the row.

Nothing here names a respondent: a chat's cell is a 16-bit keyed tag of its id (a key
derived from the server secret), shared by about a hundred thousand possible accounts, and
idle cells are deleted. Two active chats that share a tag share one chat limit: a slower
chat now and then, never a message over the limit.
"""

from __future__ import annotations

import hmac
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import Database

TAG_BITS: Final = 16
OVERALL_CELL: Final = -1
GROUP_OFFSET: Final = 1 << TAG_BITS  # groups have a limit of their own: other cells

# One round trip: the database's own clock, the cell created or moved on, and the wait.
# statement_timestamp() is fixed for the statement, so a booking that queued on the row
# lock computes from its start: it may wait a little longer, never less.
_BOOK: Final = text(
    """
    INSERT INTO pace_cells AS c (cell, tat)
    VALUES (:cell, extract(epoch FROM statement_timestamp()) + :interval)
    ON CONFLICT (cell) DO UPDATE
    SET tat = greatest(c.tat, extract(epoch FROM statement_timestamp())) + :interval
    RETURNING greatest(
        0.0, c.tat - :interval - :tolerance - extract(epoch FROM statement_timestamp())
    )
    """
)
# A new message: its chat's cell and the overall one, locked in one order (overall first, as
# every booking does) so that two workers never deadlock.
_LOCK_BOTH: Final = text(
    """
    SELECT cell, tat, extract(epoch FROM clock_timestamp()) AS now
    FROM pace_cells WHERE cell IN (:overall, :chat) ORDER BY cell FOR UPDATE
    """
)
_CREATE_BOTH: Final = text(
    "INSERT INTO pace_cells (cell, tat) VALUES (:overall, 0), (:chat, 0) "
    "ON CONFLICT (cell) DO NOTHING"
)
_TAKE_BOTH: Final = text(
    """
    UPDATE pace_cells
    SET tat = greatest(tat, CAST(:moment AS double precision))
        + CASE WHEN cell = :overall THEN CAST(:overall_interval AS double precision)
               ELSE CAST(:chat_interval AS double precision) END
    WHERE cell IN (:overall, :chat)
    """
)
_FORGET_IDLE: Final = text(
    "DELETE FROM pace_cells "
    "WHERE cell <> :overall AND tat < extract(epoch FROM clock_timestamp()) - :idle"
)


class SharedPaceCells:
    """Flood-limit cells shared through a PostgreSQL database (`bot.telegram.pacing`)."""

    def __init__(self, database: Database, tag_key: bytes) -> None:
        if database.is_sqlite:
            raise ValueError("shared pacing needs PostgreSQL; SQLite serves one process")
        # Each booking commits at once: no transaction held across a sleep.
        self._engine: AsyncEngine = database.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._transactions = database.engine
        self._key = tag_key

    def chat_cell(self, chat_id: int | str, *, group: bool) -> int:
        """The cell of a chat: a keyed tag of its id, never the id."""
        digest = hmac.digest(self._key, str(chat_id).encode("utf-8"), "sha256")
        tag = int.from_bytes(digest[: TAG_BITS // 8], "big")
        return tag + (GROUP_OFFSET if group else 0)

    async def book(self, cell: int, rate: float, burst: int) -> float:
        """Take the cell's next conforming moment; the seconds to wait for it (0: now).
        (Edits count against the overall cell only.)"""
        interval = 1 / rate
        parameters = {"cell": cell, "interval": interval, "tolerance": (burst - 1) * interval}
        async with self._engine.connect() as connection:
            wait = (await connection.execute(_BOOK, parameters)).scalar_one()
        return float(wait)

    async def book_message(
        self, chat: int, chat_limit: tuple[float, int], overall_limit: tuple[float, int]
    ) -> tuple[float, bool]:
        """Book a new message to `chat` if its chat allows it now: (seconds until its overall
        moment, True). Else nothing is booked: (seconds until the chat allows it, False).

        Both cells are taken for the moment the message will really leave, so a chat's next
        message is counted from then, whichever worker sends it; and a message that must
        wait for its chat holds no overall moment meanwhile, so it blocks no other chat.
        """
        chat_interval, chat_tolerance = _interval_and_tolerance(chat_limit)
        overall_interval, overall_tolerance = _interval_and_tolerance(overall_limit)
        cells = {"overall": OVERALL_CELL, "chat": chat}
        async with self._transactions.begin() as connection:
            rows = (await connection.execute(_LOCK_BOTH, cells)).all()
            if len(rows) < 2:
                await connection.execute(_CREATE_BOTH, cells)
                rows = (await connection.execute(_LOCK_BOTH, cells)).all()
            tat = {row.cell: float(row.tat) for row in rows}
            now = float(rows[0].now)
            chat_ready = tat[chat] - chat_tolerance
            if chat_ready > now:
                return chat_ready - now, False
            moment = max(now, tat[OVERALL_CELL] - overall_tolerance)
            await connection.execute(
                _TAKE_BOTH,
                {
                    **cells,
                    "moment": moment,
                    "overall_interval": overall_interval,
                    "chat_interval": chat_interval,
                },
            )
        return moment - now, True

    async def forget_idle(self, idle_seconds: float) -> int:
        """Delete chat cells idle this long (their buckets are full again); how many."""
        async with self._engine.connect() as connection:
            result = await connection.execute(
                _FORGET_IDLE, {"overall": OVERALL_CELL, "idle": idle_seconds}
            )
        return int(result.rowcount)


def _interval_and_tolerance(limit: tuple[float, int]) -> tuple[float, float]:
    rate, burst = limit
    return 1 / rate, (burst - 1) / rate
