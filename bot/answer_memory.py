"""What a respondent answered in this sitting, kept in this process's memory only.

The server holds no key that opens a sealed answer (docs/security.md §2), so the draft keeps
only routing answers. To show the respondent the rest of what they answered, on the review
before sending and under a question reached with "Atrás", the bot keeps each answer it has
just stored in memory, next to the draft it belongs to: never on disk, never in the draft,
gone at "Enviar", at a withdrawal, after `idle` without an event, when the process stops, or
when `capacity` drafts are held (the least recent goes). An answer not in memory any more
(a restart, a long pause, another webhook worker) is shown as "saved, encrypted", as before.

The ticks of a multi-select box live in its buttons, never on the server; the last ticks
drawn for a draft are kept here too, so that "listo" typed acts as the «Listo» button.

Nothing here is new exposure: the process reads every answer as it arrives anyway. A memory
dump of the running bot is in the threat model (docs/security.md §6); the systemd unit
forbids swap and core dumps so that it does not reach a disk either.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final

from flows.answers import AnswerValue

DEFAULT_CAPACITY: Final = 5_000
DEFAULT_IDLE: Final = timedelta(hours=2)
_NOTHING: Final[Mapping[str, AnswerValue]] = MappingProxyType({})


@dataclass(frozen=True)
class Ticks:
    """The boxes last drawn ticked on one multi-select screen (`step` names the screen)."""

    question_id: str
    step: int
    mask: int


@dataclass
class _Sitting:
    touched: datetime
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    ticks: Ticks | None = None


class AnswerMemory:
    """Recent answers per draft (its submission id), bounded in count and in time."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        capacity: int = DEFAULT_CAPACITY,
        idle: timedelta = DEFAULT_IDLE,
    ) -> None:
        self._clock = clock
        self._capacity = capacity
        self._idle = idle
        self._sittings: OrderedDict[bytes, _Sitting] = OrderedDict()

    def answers(self, draft: bytes) -> Mapping[str, AnswerValue]:
        """The answers kept for `draft` (a read-only view; empty when none)."""
        sitting = self._current(draft)
        return _NOTHING if sitting is None else MappingProxyType(dict(sitting.answers))

    def ticks(self, draft: bytes) -> Ticks | None:
        sitting = self._current(draft)
        return None if sitting is None else sitting.ticks

    def keep(self, draft: bytes, answers: Mapping[str, AnswerValue]) -> None:
        """Answers just stored for `draft` (call once the transaction has committed)."""
        if not answers:
            return
        sitting = self._touch(draft)
        sitting.answers.update(answers)
        sitting.ticks = None

    def tick(self, draft: bytes, ticks: Ticks) -> None:
        self._touch(draft).ticks = ticks

    def forget(self, draft: bytes) -> None:
        """The draft is sent or withdrawn: nothing of it stays."""
        self._sittings.pop(draft, None)

    def __len__(self) -> int:
        return len(self._sittings)

    def _current(self, draft: bytes) -> _Sitting | None:
        sitting = self._sittings.get(draft)
        if sitting is not None and self._clock() - sitting.touched > self._idle:
            del self._sittings[draft]
            return None
        return sitting

    def _touch(self, draft: bytes) -> _Sitting:
        now = self._clock()
        sitting = self._current(draft)
        if sitting is None:
            sitting = _Sitting(now)
            self._sittings[draft] = sitting
        sitting.touched = now
        self._sittings.move_to_end(draft)
        self._drop_stale(now)
        return sitting

    def _drop_stale(self, now: datetime) -> None:
        # Least recent first: drop what is over capacity, then what has been idle too long.
        while len(self._sittings) > self._capacity:
            self._sittings.popitem(last=False)
        while self._sittings:
            oldest = next(iter(self._sittings.values()))
            if now - oldest.touched <= self._idle:
                break
            self._sittings.popitem(last=False)
