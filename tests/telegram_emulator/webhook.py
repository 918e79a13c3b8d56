"""Webhook mode: POST queued updates to the bot's URL with the secret header, retrying."""

import asyncio
import json
from dataclasses import dataclass
from enum import Enum

import aiohttp

from .activity import ActivitySignal
from .clock import EmulatorClock
from .faults import Faults
from .updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WRONG_SECRET = "not-the-configured-secret"
DEFAULT_MAX_CONNECTIONS = 40


class WebhookSecretMode(Enum):
    """What the emulator sends in the secret header, to test the bot's check."""

    CORRECT = "correct"
    WRONG = "wrong"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One POST attempt: the update, the attempt number, the answer and the header sent."""

    update_id: int
    attempt: int
    status: int | None
    secret_sent: str | None
    error: str | None

    @property
    def accepted(self) -> bool:
        """Whether the bot answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard the emulator insists, scaled down from Telegram's minutes to test time."""

    first_delay: float = 0.05
    max_delay: float = 1.0
    max_attempts: int = 5
    request_timeout: float = 10.0


class WebhookDeliverer:
    """Workers taking updates off the queue and POSTing them while a webhook is set."""

    def __init__(
        self,
        queue: UpdateQueue,
        clock: EmulatorClock,
        signal: ActivitySignal,
        retry: RetryPolicy,
        faults: Faults | None = None,
    ) -> None:
        self._faults = faults or Faults()
        self._queue = queue
        self._clock = clock
        self._signal = signal
        self._retry = retry
        self._session: aiohttp.ClientSession | None = None
        self._workers: list[asyncio.Task[None]] = []
        self.url: str | None = None
        self.secret_token: str | None = None
        self.max_connections = DEFAULT_MAX_CONNECTIONS
        self.secret_mode = WebhookSecretMode.CORRECT
        self.deliveries: list[WebhookDelivery] = []
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None

    async def set(self, url: str, secret_token: str | None, max_connections: int) -> None:
        """Point delivery at a URL; pending updates start flowing to it."""
        await self._stop_workers()
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.last_error_date = None
        self.last_error_message = None
        if self._session is None:
            self._session = aiohttp.ClientSession()
        self._workers = [asyncio.create_task(self._work()) for _ in range(max_connections)]

    async def remove(self) -> None:
        """Stop delivering; undelivered updates go back to the queue for getUpdates."""
        await self._stop_workers()
        self.url = None
        self.secret_token = None

    async def close(self) -> None:
        """Stop the workers and release the HTTP client."""
        await self.remove()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _stop_workers(self) -> None:
        for worker in self._workers:
            worker.cancel()
        if self._workers:
            await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    def _secret_to_send(self) -> str | None:
        if self.secret_mode is WebhookSecretMode.MISSING:
            return None
        if self.secret_mode is WebhookSecretMode.WRONG:
            return WRONG_SECRET
        return self.secret_token

    async def _work(self) -> None:
        while True:
            update = await self._queue.take()
            try:
                delay = self._faults.delivery_delay()
                if delay:
                    await asyncio.sleep(delay)  # a slow connection: later updates overtake
                await self._deliver(json.dumps(update).encode(), int(update["update_id"]))
            except asyncio.CancelledError:
                self._queue.give_back(update)
                raise
            self._queue.delivered()
            self._signal.notify()

    async def _deliver(self, body: bytes, update_id: int) -> None:
        assert self._session is not None and self.url is not None
        delay = self._retry.first_delay
        for attempt in range(1, self._retry.max_attempts + 1):
            headers = {"Content-Type": "application/json"}
            secret = self._secret_to_send()
            if secret is not None:
                headers[SECRET_HEADER] = secret
            status: int | None = None
            error: str | None = None
            try:
                async with self._session.post(
                    self.url,
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self._retry.request_timeout),
                ) as response:
                    status = response.status
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as failure:
                error = type(failure).__name__
            delivery = WebhookDelivery(update_id, attempt, status, secret, error)
            self.deliveries.append(delivery)
            self._signal.notify()
            if delivery.accepted:
                return
            self.last_error_date = self._clock.now()
            self.last_error_message = (
                f"Wrong response from the webhook: {status}" if status is not None else error
            )
            if attempt < self._retry.max_attempts:
                await asyncio.sleep(delay)  # Telegram's back-off between attempts, scaled down
                delay = min(delay * 2, self._retry.max_delay)
