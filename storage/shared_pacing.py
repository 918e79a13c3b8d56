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
# A message that waited for the overall limit after its chat's moment counts from when it
# really left, or the chat's next message could follow it too closely.
_LEFT: Final = text(
    """
    UPDATE pace_cells
    SET tat = greatest(tat, extract(epoch FROM clock_timestamp()) + :interval)
    WHERE cell = :cell
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
        self._key = tag_key

    def chat_cell(self, chat_id: int | str, *, group: bool) -> int:
        """The cell of a chat: a keyed tag of its id, never the id."""
        digest = hmac.digest(self._key, str(chat_id).encode("utf-8"), "sha256")
        tag = int.from_bytes(digest[: TAG_BITS // 8], "big")
        return tag + (GROUP_OFFSET if group else 0)

    async def book(self, cell: int, rate: float, burst: int) -> float:
        """Take the cell's next conforming moment; the seconds to wait for it (0: now)."""
        interval = 1 / rate
        parameters = {"cell": cell, "interval": interval, "tolerance": (burst - 1) * interval}
        async with self._engine.connect() as connection:
            wait = (await connection.execute(_BOOK, parameters)).scalar_one()
        return float(wait)

    async def left(self, cell: int, rate: float) -> None:
        """Count the cell's message from now, when it leaves later than booked."""
        async with self._engine.connect() as connection:
            await connection.execute(_LEFT, {"cell": cell, "interval": 1 / rate})

    async def forget_idle(self, idle_seconds: float) -> int:
        """Delete chat cells idle this long (their buckets are full again); how many."""
        async with self._engine.connect() as connection:
            result = await connection.execute(
                _FORGET_IDLE, {"overall": OVERALL_CELL, "idle": idle_seconds}
            )
        return int(result.rowcount)
