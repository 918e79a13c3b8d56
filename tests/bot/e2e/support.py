"""Running the real Telegram bot against the emulator, and a respondent who reads the screen."""

from __future__ import annotations

import asyncio
import datetime
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.settings import BotSettings
from bot.telegram.app import serve
from bot.telegram.mapping import ALLOWED_UPDATES
from bot.telegram.redaction import NOISY_LOGGERS, RedactingFilter
from bot.telegram.session import RetryPolicy, Sleep
from flows.answers import SKIPPED, AnswerValue
from flows.engine import Engine
from flows.model import Question
from flows.parsing import Accepted, TextInput, parse_answer
from flows.shipped import load_shipped
from storage.database import open_database
from storage.keys import StaffPrivateKey, generate_staff_key, keyring
from storage.reader import DecryptedSubmission, read_submissions
from tests.telegram_emulator import BotApiEmulator, SimulatedUser, VisibleMessage

SKIP_LABEL = "Prefiero no responder"
BACK_LABEL = "Atrás"
DONE_LABEL = "Listo"
SEND_LABEL = "Enviar"
RECEIPT_WORD = "recibo"
# Quick retries: the emulator answers at once, and a test should not sleep for real.
FAST_RETRIES = RetryPolicy(first_delay=0.01, max_delay=0.05)


def questionnaire_engine() -> Engine:
    """The engine of the questionnaire the bot runs."""
    return Engine(load_shipped())


def bot_settings(
    emulator: BotApiEmulator, data_dir: Path, database_url: str | None = None, **extra: Any
) -> BotSettings:
    """Settings pointing the bot at the emulator and a data folder; no .env, no environment.

    The server secret lies beside the data folder, not in it: the Telegram bot refuses a
    secret inside the data folder (bot/startup_safety.py).
    """
    values: dict[str, Any] = {
        "telegram_token": emulator.token,
        "telegram_api_base": emulator.api_base,
        "data_dir": data_dir,
        "server_secret_file": secret_beside(data_dir),
        "database_url": database_url,
        "rate_limit_per_minute": 10_000,
        **extra,
    }
    return BotSettings.model_validate(values)


def secret_beside(data_dir: Path) -> Path:
    """Where the tests keep a data folder's server secret: next to the folder, outside it."""
    return data_dir.with_name(f"{data_dir.name}-server.secret")


@dataclass
class RunningBot:
    """A bot running in this process, and what a test needs to look at afterwards."""

    settings: BotSettings
    staff_key: StaffPrivateKey
    task: asyncio.Task[None]
    stop: asyncio.Event

    async def submissions(self) -> list[DecryptedSubmission]:
        """Every submission, decrypted with the staff key (unreadable ones fail the test)."""
        return await decrypt_all(self.settings.effective_database_url, self.staff_key)


async def decrypt_all(database_url: str, staff_key: StaffPrivateKey) -> list[DecryptedSubmission]:
    """What staff read from the database: every submission, decrypted."""
    database = await open_database(database_url)
    try:
        found = []
        async for result in read_submissions(database, keyring([staff_key])):
            assert isinstance(result, DecryptedSubmission), result
            found.append(result)
        return found
    finally:
        await database.close()


@asynccontextmanager
async def running_bot(
    emulator: BotApiEmulator,
    data_dir: Path,
    *,
    database_url: str | None = None,
    staff_key: StaffPrivateKey | None = None,
    allowed_updates: Sequence[str] | None = ALLOWED_UPDATES,
    sleep: Sleep = asyncio.sleep,
    **settings: Any,
) -> AsyncIterator[RunningBot]:
    """Run the real bot (aiogram over HTTP) against the emulator until the block ends;
    `sleep` serves its retry waits (a scaled clock)."""
    key = staff_key or generate_staff_key()
    config = bot_settings(emulator, data_dir, database_url, **settings)
    if database_url is not None:
        # PostgreSQL is upgraded by staff (`oclep-admin db upgrade`), not by the bot.
        database = await open_database(database_url, upgrade=True)
        await database.close()
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        serve(
            config,
            stop,
            ready=ready,
            staff_key=key.public_key,
            allowed_updates=allowed_updates,
            poll_seconds=5,
            retry_policy=FAST_RETRIES,
            sleep=sleep,
        )
    )
    ready_wait = asyncio.ensure_future(ready.wait())
    await asyncio.wait({task, ready_wait}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    ready_wait.cancel()
    if task.done():
        task.result()  # raises the start-up error
    assert ready.is_set(), "the bot did not start within 15 s"
    if not config.webhook_url:
        await emulator.wait_until(lambda: emulator.bot_is_polling, description="the first poll")
    running = RunningBot(config, key, task, stop)
    try:
        yield running
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


@dataclass(frozen=True)
class Press:
    """Press the button of a choice code (single, yes/no, consent, province...)."""

    code: str


@dataclass(frozen=True)
class Type:
    """Type one or more messages (several parts, then "Listo", for a multi-part text)."""

    parts: tuple[str, ...]

    def __init__(self, *parts: str) -> None:
        object.__setattr__(self, "parts", parts)


@dataclass(frozen=True)
class Tick:
    """Tick these codes of a multi-select question, then "Listo"."""

    codes: tuple[str, ...]

    def __init__(self, *codes: str) -> None:
        object.__setattr__(self, "codes", codes)


@dataclass(frozen=True)
class SkipIt:
    """ "Prefiero no responder"."""


Answer = Press | Type | Tick | SkipIt


@dataclass
class Respondent:
    """A simulated respondent who finds the question on screen and answers it per a plan.

    `given` is what staff should decrypt afterwards: question id -> value.
    """

    user: SimulatedUser
    engine: Engine
    given: dict[str, AnswerValue] = field(default_factory=dict)
    typed_message_ids: list[int] = field(default_factory=list)

    def screen_question(self) -> tuple[Question, VisibleMessage]:
        """The question shown in the questionnaire message (the newest with buttons)."""
        message = self.user.chat.last_bot_message(with_keyboard=True)
        assert message is not None, f"no question on screen: {self.user.screen()!r}"
        shown = message.snapshot()
        text = shown.text or ""
        matches = [q for q in self.engine.questions if q.text.strip() and q.text in text]
        assert matches, f"no question matches the screen: {text[:200]!r}"
        return max(matches, key=lambda q: len(q.text)), shown

    async def start(self, campaign: str | None = None) -> None:
        """/start (with a deep-link payload)."""
        await self.user.send_command("/start", campaign)
        await self.user.wait_for_reply()

    async def press(self, label: str) -> None:
        """Press a button on the questionnaire message and wait for the bot."""
        await self.user.press(label)
        await self.user.wait_for_reply()

    async def answer(self, answer: Answer) -> str:
        """Answer the question on screen; returns its id."""
        question, _ = self.screen_question()
        if isinstance(answer, SkipIt):
            await self.press(SKIP_LABEL)
            self.given[question.id] = SKIPPED
        elif isinstance(answer, Press):
            await self.press(label_of(question, answer.code))
            self.given[question.id] = answer.code
        elif isinstance(answer, Tick):
            for code in answer.codes:
                await self.press(label_of(question, code))
            await self.press(DONE_LABEL)
            order = [c.code for c in question.choices]
            self.given[question.id] = tuple(sorted(answer.codes, key=order.index))
        else:
            for part in answer.parts:
                self.typed_message_ids.append(await self.user.send_text(part))
                await self.user.wait_for_reply()
            if question.multipart:
                await self.press(DONE_LABEL)
            self.given[question.id] = _typed_value(question, answer.parts)
        return question.id

    async def complete(self, plan: Mapping[str, Answer], default: Answer = SkipIt()) -> str:
        """Answer every question per `plan` (others with `default`) until the receipt shows."""
        return await self.walk(plan, {}, default)

    async def type(self, text: str) -> str:
        """Type a message; returns the questionnaire screen's text afterwards."""
        self.typed_message_ids.append(await self.user.send_text(text))
        await self.user.wait_for_reply()
        return self.screen_text()

    def screen_text(self) -> str:
        """The text of the newest bot message with buttons."""
        message = self.user.chat.last_bot_message(with_keyboard=True)
        assert message is not None, f"no message with buttons: {self.user.screen()!r}"
        return message.snapshot().text or ""

    async def walk(
        self,
        plan: Mapping[str, Answer],
        steps: Mapping[str, Callable[[Respondent], Awaitable[None]]],
        default: Answer = SkipIt(),
    ) -> str:
        """Answer per `plan` until the receipt shows, "Enviar" on the review; `steps` answer
        their questions (exact typing, checks on the screen); others get `default`. Returns
        the final message."""
        for _ in range(len(self.engine.questions) + 5):
            done = self.done_text()
            if done is not None:
                return done
            if await self.send_if_review():
                continue
            question, _ = self.screen_question()
            if question.id in steps:
                await steps[question.id](self)
            else:
                await self.answer(plan.get(question.id, default))
        raise AssertionError("the questionnaire did not end")

    async def send_if_review(self) -> bool:
        """Press "Enviar" if the review before sending is on screen."""
        message = self.user.chat.last_bot_message(with_keyboard=True)
        if message is None or SEND_LABEL not in message.snapshot().button_texts:
            return False
        await self.press(SEND_LABEL)
        return True

    def done_text(self) -> str | None:
        """The final message, once the questionnaire is complete."""
        # Newest first: a notice (such as "pulse «Listo»") may sit below the final message,
        # but a screen with buttons below it means a new questionnaire has begun since.
        for shown in reversed(self.user.screen()):
            if shown.from_bot and shown.buttons:
                return None
            if shown.from_bot and RECEIPT_WORD in (shown.text or ""):
                return shown.text
        return None


def label_of(question: Question, code: str) -> str:
    """The button label of a choice code."""
    for choice in question.all_choices():
        if choice.code == code:
            return choice.label
    raise AssertionError(f"{question.id} has no choice {code!r}")


def _typed_value(question: Question, parts: Sequence[str]) -> AnswerValue:
    if question.multipart:
        return "\n".join(parts)
    parsed = parse_answer(question, TextInput(parts[-1]), datetime.date.today().year)
    assert isinstance(parsed, Accepted), f"{question.id}: {parts[-1]!r} is not accepted"
    return parsed.value


@contextmanager
def captured_logs(secrets: Sequence[str]) -> Iterator[io.StringIO]:
    """Everything logged while the block runs, through the production redaction and levels."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    root_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)  # more than production logs, to search everything
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def identity_traces(user_id: int, *texts: str) -> list[bytes]:
    """What must never be stored or logged: the id (decimal, 8-byte big-endian), the texts."""
    traces = [str(user_id).encode(), user_id.to_bytes(8, "big")]
    return traces + [text.encode() for text in texts if text]
