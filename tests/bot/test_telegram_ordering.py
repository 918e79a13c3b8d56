"""Per-chat ordering: one event of a chat at a time, in arrival order; chats in parallel."""

from __future__ import annotations

import asyncio

from bot.telegram.ordering import ChatLocks, OncePerChat


async def test_events_of_one_chat_run_one_at_a_time_in_order() -> None:
    locks = ChatLocks()
    log: list[str] = []

    async def handle(chat_id: int, name: str) -> None:
        async with locks.hold(chat_id):
            log.append(f"start {name}")
            await asyncio.sleep(0.01)
            log.append(f"end {name}")

    await asyncio.gather(handle(1, "a"), handle(1, "b"), handle(1, "c"))
    assert log == ["start a", "end a", "start b", "end b", "start c", "end c"]
    assert len(locks) == 0  # nothing kept once the chat is idle


async def test_different_chats_run_concurrently() -> None:
    locks = ChatLocks()
    inside = 0
    most = 0

    async def handle(chat_id: int) -> None:
        nonlocal inside, most
        async with locks.hold(chat_id):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(handle(chat) for chat in range(5)))
    assert most == 5


def test_once_per_chat_is_bounded() -> None:
    once = OncePerChat(capacity=2)
    assert once.first_time(1) and not once.first_time(1)
    assert once.first_time(2) and once.first_time(3)  # 1 is forgotten now
    assert once.first_time(1)
