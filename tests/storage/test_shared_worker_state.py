"""State several bot workers share in the database: pending withdrawals and flood cells."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.callback_data import WithdrawReceiptToken, decode, encode
from storage.database import Database, open_database
from storage.shared_pacing import OVERALL_CELL, TAG_BITS, SharedPaceCells
from storage.withdrawal_references import StoredWithdrawalReferences
from tests.conftest import DatabaseTarget

RECEIPT_HASH = bytes.fromhex("5e" * 32)


async def _pending_rows(database: Database) -> int:
    async with database.engine.connect() as connection:
        rows = await connection.exec_driver_sql("SELECT count(*) FROM pending_withdrawals")
        return int(rows.scalar_one())


async def test_a_reference_taken_by_another_worker_withdraws_once_and_stores_nothing_readable(
    database_target: DatabaseTarget,
) -> None:
    now = [1_800_000_000.0]
    first = await open_database(database_target.url, upgrade=True)
    second = await open_database(database_target.url)  # another worker's connection
    try:
        holder = StoredWithdrawalReferences(first, ttl=300, clock=lambda: now[0])
        taker = StoredWithdrawalReferences(second, ttl=300, clock=lambda: now[0])
        reference = await holder.hold(RECEIPT_HASH)
        assert decode(encode(WithdrawReceiptToken(reference))) == WithdrawReceiptToken(reference)

        stored = database_target.stored_bytes()
        assert not database_target.holds(RECEIPT_HASH, stored)
        assert not database_target.holds(reference.encode(), stored)

        assert await taker.take(reference) == RECEIPT_HASH
        assert await holder.take(reference) is None  # one press withdraws once
        late = await holder.hold(RECEIPT_HASH)
        now[0] += 302
        assert await taker.take(late) is None  # expired
        assert await taker.take("not-a-reference!") is None
        assert await taker.take("A" * 16) is None  # well formed, never issued

        # A confirmation never pressed does not stay: even sealed, it says when.
        await holder.hold(RECEIPT_HASH)
        assert await _pending_rows(first) == 1
        now[0] += 302
        await taker.forget_expired()
        assert await _pending_rows(first) == 0
    finally:
        await first.close()
        await second.close()


async def test_presses_racing_on_two_workers_withdraw_once(
    database_target: DatabaseTarget,
) -> None:
    first = await open_database(database_target.url, upgrade=True)
    second = await open_database(database_target.url)
    try:
        workers = [StoredWithdrawalReferences(db, ttl=300) for db in (first, second)]
        references = [await workers[0].hold(RECEIPT_HASH) for _ in range(10)]
        taken = await asyncio.gather(
            *(worker.take(reference) for reference in references for worker in workers)
        )
        assert taken.count(RECEIPT_HASH) == len(references)
        assert taken.count(None) == len(references)
    finally:
        await first.close()
        await second.close()


@pytest.fixture
def postgres_only(database_target: DatabaseTarget) -> DatabaseTarget:
    if database_target.kind != "postgresql":
        pytest.skip("shared flood cells need PostgreSQL (one SQLite process paces alone)")
    return database_target


async def test_two_workers_booking_one_cell_get_the_rate_of_one(
    postgres_only: DatabaseTarget,
) -> None:
    rate, burst, calls = 20.0, 4, 40
    first = await open_database(postgres_only.url, upgrade=True)
    second = await open_database(postgres_only.url)
    try:
        cells = [SharedPaceCells(db, bytes(32)) for db in (first, second)]
        started = time.monotonic()

        async def send(cell: SharedPaceCells) -> float:
            await asyncio.sleep(await cell.book(OVERALL_CELL, rate, burst))
            return time.monotonic() - started

        moments = sorted(await asyncio.gather(*(send(cells[i % 2]) for i in range(calls))))
        # GCRA: the k-th message (from 0) may leave no earlier than (k - burst + 1) / rate.
        early = [k for k, t in enumerate(moments) if t < (k - burst + 1) / rate - 0.005]
        assert early == []
        # And the two together are paced as one, not each at the full rate.
        assert moments[-1] >= (calls - burst) / rate - 0.005
    finally:
        await first.close()
        await second.close()


async def test_chat_cells_are_keyed_tags_and_idle_ones_are_forgotten(
    postgres_only: DatabaseTarget,
) -> None:
    database = await open_database(postgres_only.url, upgrade=True)
    try:
        cells = SharedPaceCells(database, bytes(range(32)))
        other_key = SharedPaceCells(database, bytes(32))
        tags = {cells.chat_cell(7_000_000_000 + n, group=False) for n in range(2_000)}
        assert all(0 <= tag < 1 << TAG_BITS for tag in tags)
        assert len(tags) > 1_900  # spread over the tag space
        chat = 7_123_456_789
        assert cells.chat_cell(chat, group=True) != cells.chat_cell(chat, group=False)
        assert cells.chat_cell(chat, group=False) != other_key.chat_cell(chat, group=False)
        await cells.book(cells.chat_cell(chat, group=False), 1.0, 2)
        await cells.book(OVERALL_CELL, 25.0, 10)
        stored = postgres_only.stored_bytes()
        assert str(chat).encode() not in stored
        await asyncio.sleep(1.2)
        assert await cells.forget_idle(0.1) == 1  # the chat's cell; the overall one stays
        assert await cells.book(OVERALL_CELL, 25.0, 10) == 0.0
    finally:
        await database.close()
