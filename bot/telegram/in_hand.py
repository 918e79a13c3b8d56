"""Which fetched updates may be confirmed to Telegram: none past one not yet committed."""

from __future__ import annotations


class UpdatesInHand:
    """The update ids a poller has fetched, and the offset that confirms only committed ones.

    getUpdates confirms every update below the `offset` it is given. An update counts as done
    once its handling has committed (the conversation's transaction, or for a channel notice
    the whole reply): the offset is the lowest update id in hand that has not, so a process
    killed at any moment gets every uncommitted update again after a restart. Done updates
    above that id come again with the next fetch while the offset waits; `take` skips them.
    """

    def __init__(self) -> None:
        self._pending: set[int] = set()  # fetched, handling not committed
        self._next: int | None = None  # one past the highest id ever fetched

    def __len__(self) -> int:
        return len(self._pending)

    @property
    def offset(self) -> int | None:
        """The offset for the next getUpdates: confirms everything done below it."""
        if self._pending:
            return min(self._pending)
        return self._next

    def take(self, update_id: int) -> bool:
        """True for an update not seen before (now in hand); False for one in hand or done."""
        if update_id in self._pending:
            return False
        if self._next is not None and update_id < self._next:
            return False  # done already, fetched again because the offset waits for another
        self._pending.add(update_id)
        self._next = update_id + 1
        return True

    def done(self, update_id: int) -> None:
        """The update's handling committed: it may be confirmed."""
        self._pending.discard(update_id)
