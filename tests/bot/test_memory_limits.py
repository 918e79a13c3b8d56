"""The in-memory bounds: pending /borrar confirmations, completed testimonies per day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.callback_data import WithdrawReceiptToken, decode, encode
from bot.completion_cap import CompletionCap
from bot.pending_withdrawals import PendingWithdrawals


async def test_a_pending_withdrawal_is_used_once_and_expires() -> None:
    now = [100.0]
    pending = PendingWithdrawals(ttl=300, max_pending=2, clock=lambda: now[0])
    first = await pending.hold(b"hash-1")
    assert decode(encode(WithdrawReceiptToken(first))) == WithdrawReceiptToken(first)
    assert await pending.take(first) == b"hash-1"
    assert await pending.take(first) is None  # once only
    late = await pending.hold(b"hash-2")
    now[0] += 301
    assert await pending.take(late) is None  # expired
    a, b, c = [await pending.hold(v) for v in (b"a", b"b", b"c")]
    assert len(pending) == 2 and await pending.take(a) is None  # the oldest made room
    assert (await pending.take(b), await pending.take(c)) == (b"b", b"c")
    assert decode("w:short") is None and decode("w:" + "1234567890123456") is not None


def test_completed_testimonies_are_counted_per_day_and_forgotten_after_it() -> None:
    today = [datetime(2026, 12, 2, 23, 59, tzinfo=UTC)]
    cap = CompletionCap(per_day=2, clock=lambda: today[0])
    for _ in range(2):
        assert not cap.reached(b"account")
        cap.completed(b"account")
    assert cap.reached(b"account") and not cap.reached(b"another")
    assert cap.first_refusal(b"account") and not cap.first_refusal(b"account")
    today[0] += timedelta(minutes=2)  # past midnight UTC
    assert not cap.reached(b"account")
    assert cap.first_refusal(b"account")
