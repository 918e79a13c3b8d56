"""Seeded fault injection: 429s, 5xx answers, held requests and duplicated updates."""

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

# Faults without an explicit method list spare getUpdates, so the bot still hears respondents.
UNFAULTED_BY_DEFAULT = frozenset({"getUpdates"})


class FaultKind(Enum):
    """What an injected fault does to a call."""

    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    DUPLICATE_DELIVERY = "duplicate_delivery"
    DELAYED_DELIVERY = "delayed_delivery"


# Faults on how updates reach the bot, not on the bot's calls.
_UPDATE_FAULTS = frozenset({FaultKind.DUPLICATE_DELIVERY, FaultKind.DELAYED_DELIVERY})


@dataclass(slots=True)
class FaultRule:
    """One armed fault: which calls, how often, how many times at most."""

    kind: FaultKind
    methods: frozenset[str] | None
    probability: float
    rng: random.Random
    remaining: int | None
    retry_after: int = 1
    status: int = 500
    delay: float = 0.0

    def applies_to(self, method: str) -> bool:
        """Whether this rule covers the method (None: every method but getUpdates)."""
        if self.methods is None:
            return method not in UNFAULTED_BY_DEFAULT
        return method in self.methods

    def fires(self) -> bool:
        """Draw from the rule's own seeded generator; spends one of `remaining` on a hit."""
        if self.remaining == 0:
            return False
        if self.rng.random() >= self.probability:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True


@dataclass
class Faults:
    """The faults armed on one emulator; every rule is deterministic given its seed."""

    rules: list[FaultRule] = field(default_factory=list)
    injected: Counter[FaultKind] = field(default_factory=Counter)

    def rate_limit(
        self,
        methods: Iterable[str] | None = None,
        probability: float = 1.0,
        retry_after: int = 1,
        seed: int = 0,
        count: int | None = None,
    ) -> FaultRule:
        """Answer 429 with parameters.retry_after; the refused call takes no effect."""
        return self._arm(
            FaultKind.RATE_LIMIT, methods, probability, seed, count, retry_after=retry_after
        )

    def server_error(
        self,
        probability: float = 1.0,
        methods: Iterable[str] | None = None,
        status: int = 500,
        seed: int = 0,
        count: int | None = None,
    ) -> FaultRule:
        """Answer a 5xx; the call takes no effect."""
        if not 500 <= status <= 599:
            raise ValueError("a server error status is between 500 and 599")
        return self._arm(FaultKind.SERVER_ERROR, methods, probability, seed, count, status=status)

    def timeout(
        self,
        probability: float = 1.0,
        delay: float = 2.0,
        methods: Iterable[str] | None = None,
        seed: int = 0,
        count: int | None = None,
    ) -> FaultRule:
        """Hold the request `delay` seconds (set it above the client's timeout), then 504."""
        return self._arm(FaultKind.TIMEOUT, methods, probability, seed, count, delay=delay)

    def duplicate_delivery(
        self, probability: float = 1.0, seed: int = 0, count: int | None = None
    ) -> FaultRule:
        """Deliver an update twice (getUpdates or webhook), as Telegram may after a hiccup."""
        return self._arm(FaultKind.DUPLICATE_DELIVERY, None, probability, seed, count)

    def delay_delivery(
        self, probability: float = 1.0, delay: float = 0.3, seed: int = 0, count: int | None = None
    ) -> FaultRule:
        """Hold a webhook delivery `delay` seconds, so updates sent after it overtake it."""
        return self._arm(FaultKind.DELAYED_DELIVERY, None, probability, seed, count, delay=delay)

    def clear(self) -> None:
        """Disarm every fault (the injected counts stay for assertions)."""
        self.rules.clear()

    def pick(self, method: str) -> FaultRule | None:
        """The first armed call fault that fires for this call, if any."""
        if not self.rules:
            return None
        for rule in self.rules:
            if rule.kind not in _UPDATE_FAULTS and rule.applies_to(method) and rule.fires():
                self.injected[rule.kind] += 1
                return rule
        return None

    def copies_of_update(self) -> int:
        """How many times to queue a new update: 2 when a duplicate-delivery rule fires."""
        for rule in self.rules:
            if rule.kind is FaultKind.DUPLICATE_DELIVERY and rule.fires():
                self.injected[rule.kind] += 1
                return 2
        return 1

    def delivery_delay(self) -> float:
        """Seconds to hold the next webhook delivery: a delayed-delivery rule's, or 0."""
        for rule in self.rules:
            if rule.kind is FaultKind.DELAYED_DELIVERY and rule.fires():
                self.injected[rule.kind] += 1
                return rule.delay
        return 0.0

    def _arm(
        self,
        kind: FaultKind,
        methods: Iterable[str] | None,
        probability: float,
        seed: int,
        count: int | None,
        *,
        retry_after: int = 1,
        status: int = 500,
        delay: float = 0.0,
    ) -> FaultRule:
        if not 0.0 <= probability <= 1.0:
            raise ValueError("a fault probability is between 0 and 1")
        rule = FaultRule(
            kind=kind,
            methods=None if methods is None else frozenset(methods),
            probability=probability,
            rng=random.Random(seed),
            remaining=count,
            retry_after=retry_after,
            status=status,
            delay=delay,
        )
        self.rules.append(rule)
        return rule
