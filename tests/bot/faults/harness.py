"""The fault harness: real `oclep-bot` processes, the emulator and scripted respondents.

A scripted respondent answers what is on screen per a plan and waits for the bot, as a person
would: when nothing happens for a while (the bot was killed, a reply was given up), it sends
/start, passes the safety check that brings ("Sí, es un lugar seguro"), which shows the
current question again, and waits longer the next time; it never answers a question twice
(only «Enviar» is pressed again when /start brings the review back). What it
answered is the expected export, record for record and in order, that `assert_export_equals`
compares with what staff decrypt.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from aiohttp import ClientSession, web

from bot.texts import RESUME_SAFE
from flows.answers import SKIPPED, AnswerValue
from flows.engine import Engine
from flows.parsing import Accepted, TextInput, parse_answer
from flows.shipped import load_shipped
from storage.database import describe_url, open_database, parse_database_url
from storage.keys import StaffPrivateKey, generate_staff_key, write_public_key_file
from tests.bot.e2e.support import (
    DONE_LABEL,
    RECEIPT_WORD,
    SEND_LABEL,
    SKIP_LABEL,
    Answer,
    Press,
    Respondent,
    SkipIt,
    Type,
    decrypt_all,
    label_of,
)
from tests.telegram_emulator import BotApiEmulator, RetryPolicy, SimulatedUser
from tests.telegram_emulator.chats import Chat

BOT_COMMAND: Final = Path(sys.executable).parent / "oclep-bot"
START_TIMEOUT: Final = 180.0  # importing aiogram alone took 27 s on the busy test machine
NUDGE_AFTER: Final = 3.0  # seconds without a reply before a respondent sends /start
MAX_PATIENCE: Final = 8  # at most this many times `NUDGE_AFTER` between two /start
# A respondent gives up after this long without the screen they wait for: longer than a
# restart of the bot may take on a loaded machine, so only a lost answer reaches it.
GIVE_UP_AFTER: Final = START_TIMEOUT + 120.0
SETTLE: Final = 0.1  # a person reads the screen once the bot has stopped changing it
WEBHOOK_SECRET: Final = "fault-harness-secret-0123456789"

# The health branch without multi-selects (a toggle stores nothing, so a killed bot would
# lose it by design): every kind of stored answer, and a testimony in two quick messages.
FAULT_PLAN: Final[dict[str, Answer]] = {
    "consentimiento": Press("acepto"),
    "lugar_seguro": Press("si"),
    "rol": Press("paciente_cuba"),
    "provincia": Press("holguin"),
    "necesidad_no_atendida": Press("si"),
    "ambulancia": Press("nunca_llego"),
    "consecuencia": Press("dano_grave"),
    "testimonio": Type("PARTE1", "PARTE2"),
    "cita_permitida": Press("no"),
}

Record = tuple[str, AnswerValue, bool]
_TOKEN: Final = re.compile(r"^[a-z]:(\d+):(\d+)")
DONE: Final = "<done>"
REVIEW: Final = "<review>"
RESUME: Final = "<resume>"


def testimony_part(marker: str, part: str) -> str:
    return f"{part} de {marker}: nos quitaban el pasaporte al llegar."


@dataclass
class Progress:
    """Answers given across respondents; a test waits for a count to act (kill, stop)."""

    answered: int = 0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def tick(self) -> None:
        self.answered += 1
        self._changed.set()

    async def reached(self, count: int) -> None:
        while self.answered < count:
            self._changed.clear()
            await self._changed.wait()


@dataclass
class ScriptedRespondent:
    """One respondent following `FAULT_PLAN`; `expected` is what staff must decrypt."""

    user: SimulatedUser
    engine: Engine
    marker: str
    plan: dict[str, Answer] = field(default_factory=lambda: dict(FAULT_PLAN))
    expected: list[Record] = field(default_factory=list)
    nudges: int = 0
    nudge_after: float = NUDGE_AFTER
    # Seconds without a reply before /start: from `nudge_after`, longer while the bot is slow.
    _patience: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self._patience = self.nudge_after

    def expected_answers(self) -> list[tuple[str, AnswerValue]]:
        """What staff should read: one value per question, in the order answered."""
        answers: dict[str, AnswerValue] = {}
        for question, value, append in self.expected:
            previous = answers.get(question)
            if append and isinstance(previous, str) and isinstance(value, str):
                value = f"{previous}\n{value}"
            answers[question] = value
        return list(answers.items())

    def expected_records(self) -> range:
        """How many records staff may find: one per answer sent, but an answer sent again
        unchanged (the respondent, given no reply, pressed it on a screen the bot had already
        moved past) may have been refused as stale: it may or may not add one."""
        repeated = sum(
            1
            for i, record in enumerate(self.expected)
            if not record[2] and record in self.expected[:i]
        )
        return range(len(self.expected) - repeated, len(self.expected) + 1)

    def _view(self) -> Respondent:
        return Respondent(self.user, self.engine)

    def _question_id(self) -> str | None:
        """The question on screen, `DONE`, `REVIEW`, `RESUME`, or None (nothing readable)."""
        if self._view().done_text() is not None or self._receipt_seen():
            return DONE
        message = self.user.chat.last_bot_message(with_keyboard=True)
        if message is None:
            return None
        buttons = message.snapshot().button_texts
        if SEND_LABEL in buttons:
            return REVIEW  # the review before sending (docs/conversation.md)
        if RESUME_SAFE in buttons:
            return RESUME  # /start on return: the safety check before the question
        try:
            question, _ = self._view().screen_question()
        except AssertionError:
            return None
        return question.id

    def _receipt_seen(self) -> bool:
        # Once the receipt is on screen a person stops, whatever the bot shows after it
        # (a late /start of theirs brings a consent screen they will not answer).
        return any(
            not message.buttons and RECEIPT_WORD in (message.text or "")
            for message in self.user.screen()
            if message.from_bot
        )

    def _step(self) -> int | None:
        message = self.user.chat.last_bot_message(with_keyboard=True)
        for data in [] if message is None else message.snapshot().callback_data:
            match = _TOKEN.match(data or "")
            if match:
                return int(match[2])
        return None

    async def _until(
        self, condition: Callable[[], bool], what: str, send_again_on: str | None = None
    ) -> None:
        """Wait, as a person would, until `condition` holds on a settled screen.

        The safety check that /start brings on return is passed ("Sí, es un lugar seguro"
        stores nothing and shows the question again); it never satisfies a condition. When
        nothing happens for `nudge_after` seconds: /start, never a second answer. Only the
        review (`send_again_on`) is sent again, once /start has brought it back.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GIVE_UP_AFTER
        resumed = False

        def actionable() -> bool:
            shown = self._question_id()
            return condition() or shown == RESUME or (resumed and shown == send_again_on)

        while True:
            try:
                await self.user.wait_for_screen(lambda _: actionable(), timeout=self._patience)
            except AssertionError:
                if loop.time() > deadline:
                    raise AssertionError(
                        f"{self.marker}: {what} never came; screen: {self._screen_texts()}"
                    ) from None
                self.nudges += 1
                # A person who got no answer waits longer before trying again, and keeps
                # that patience while the bot stays slow: a busy bot is not flooded with
                # /start (each brings a safety check to pass, more work for the bot).
                self._patience = min(2 * self._patience, MAX_PATIENCE * self.nudge_after)
                await self.user.send_command("/start")
                continue
            await self._settle()
            shown = self._question_id()
            if shown == RESUME:
                await self.user.press(RESUME_SAFE)
                resumed = True
            elif condition():
                self._patience = max(self.nudge_after, self._patience * 0.9)
                return
            elif resumed and shown == send_again_on:
                resumed = False
                await self.user.press(SEND_LABEL)

    def _screen_texts(self) -> list[str]:
        return [(m.text or "")[:80] for m in self.user.screen()[-3:]]

    async def _settle(self) -> None:
        chat = self.user.chat
        while True:
            seen = chat.last_activity_seq
            if not await chat.signal.wait_for(_changed_since(chat, seen), SETTLE):
                return

    async def run(self, progress: Progress) -> None:
        """Answer every question until the receipt shows."""
        await self.user.send_command("/start")
        await self._until(lambda: self._question_id() is not None, "the consent screen")
        while (current := self._question_id()) != DONE:
            assert current is not None and current != RESUME
            if current == REVIEW:
                await self.user.press(SEND_LABEL)
                # The review shown again after /start: "Enviar" again (the questionnaire is
                # sent once; a later press finds no draft and stores nothing).
                await self._until(lambda: self._question_id() == DONE, "the receipt", REVIEW)
                break
            question = self.engine.question(current)
            answer = self.plan.get(current, SkipIt())
            if isinstance(answer, Type) and question.multipart:
                step = self._step()
                assert step is not None
                for index, part in enumerate(answer.parts):
                    text = testimony_part(self.marker, part)
                    self.expected.append((current, text, index > 0))
                    await self.user.send_text(text)  # quick, without waiting in between
                saved = step + len(answer.parts)
                await self._until(lambda: self._step() == saved, "parts saved")  # noqa: B023
                await self.user.press(DONE_LABEL)
            elif isinstance(answer, Type):
                text = answer.parts[-1]
                parsed = parse_answer(question, TextInput(text), datetime.date.today().year)
                assert isinstance(parsed, Accepted)
                self.expected.append((current, parsed.value, False))
                await self.user.send_text(text)
            elif isinstance(answer, Press):
                self.expected.append((current, answer.code, False))
                await self.user.press(label_of(question, answer.code))
            else:
                self.expected.append((current, SKIPPED, False))
                await self.user.press(SKIP_LABEL)
            progress.tick()
            answered = current
            moved = lambda: self._question_id() not in (answered, None)  # noqa: B023, E731
            await self._until(moved, "a move")


def _changed_since(chat: Chat, seen: int) -> Callable[[], bool]:
    return lambda: chat.last_activity_seq > seen


def respondents(
    emulator: BotApiEmulator,
    engine: Engine,
    count: int,
    first_id: int,
    *,
    nudge_after: float = NUDGE_AFTER,
) -> list[ScriptedRespondent]:
    return [
        ScriptedRespondent(
            emulator.user(first_id + n), engine, marker=f"R{n:03d}", nudge_after=nudge_after
        )
        for n in range(count)
    ]


async def assert_export_equals(
    database_url: str, staff_key: StaffPrivateKey, scripted: Sequence[ScriptedRespondent]
) -> None:
    """Staff's decrypted submissions hold exactly what the respondents sent, in order.

    Each submission is matched to its respondent by the marker in the testimony. Compared:
    the answers as staff read them (question by question, in the order answered, text parts
    joined in the order typed) and the number of records (a duplicate adds one).
    """
    submissions = await decrypt_all(database_url, staff_key)
    stored: dict[str, tuple[list[tuple[str, AnswerValue]], int]] = {}
    unmatched = 0
    for submission in submissions:
        answers = list(submission.answers.items())
        markers = {m for _, v in answers if isinstance(v, str) for m in re.findall(r"R\d{3}", v)}
        if len(markers) != 1:
            unmatched += 1
            continue
        stored[markers.pop()] = (answers, len(submission.records))
    problems = [
        _difference(respondent, found)
        for respondent in scripted
        if (found := stored.get(respondent.marker)) is None
        or found[0] != respondent.expected_answers()
        or found[1] not in respondent.expected_records()
    ]
    assert not problems and unmatched == 0 and len(submissions) == len(scripted), (
        f"{len(submissions)} submissions for {len(scripted)} respondents, {unmatched} "
        "unmatched:\n" + "\n".join(problems)
    )


def _difference(
    respondent: ScriptedRespondent, found: tuple[list[tuple[str, AnswerValue]], int] | None
) -> str:
    if found is None:
        return f"{respondent.marker}: no submission"
    got, records = found
    want = respondent.expected_answers()
    lost = sum(1 for item in want if item not in got)
    wrong = sum(1 for item in got if item not in want)
    reordered = sorted(map(repr, got)) == sorted(map(repr, want)) and got != want
    return (
        f"{respondent.marker}: lost {lost}, under a wrong question {wrong}, reordered "
        f"{reordered}, records {records} for {len(respondent.expected)} sent "
        f"(expected {respondent.expected_records()})"
        f"\n  sent:   {want}\n  stored: {got}"
    )


@dataclass
class BotFleet:
    """Where `oclep-bot run` processes of one test run, and how to start them."""

    emulator: BotApiEmulator
    folder: Path
    database_url: str
    staff_key: StaffPrivateKey = field(default_factory=generate_staff_key)
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)
    start_seconds: list[float] = field(default_factory=list)  # until polling or webhook set

    @property
    def described_database(self) -> str:
        """The database as the bot names it in messages."""
        url = parse_database_url(self.database_url)
        return str(url.database) if url.get_backend_name() == "sqlite" else describe_url(url)

    @property
    def log(self) -> Path:
        return self.folder / "bot.log"

    def environment(self, **extra: str) -> dict[str, str]:
        key_file = self.folder / "staff.pub"
        if not key_file.exists():
            write_public_key_file(key_file, self.staff_key.public_key)
        return {
            "PATH": os.environ.get("PATH", ""),
            "OCLEP_TELEGRAM_TOKEN": self.emulator.token,
            "OCLEP_TELEGRAM_API_BASE": self.emulator.api_base,
            "OCLEP_DATA_DIR": str(self.folder / "data"),
            "OCLEP_SERVER_SECRET_FILE": str(self.folder / "secret" / "server.secret"),
            "OCLEP_DATABASE_URL": self.database_url,
            "OCLEP_STAFF_PUBLIC_KEY": str(key_file),
            "OCLEP_RATE_LIMIT_PER_MINUTE": "10000",
            **extra,
        }

    async def prepare(self) -> None:
        """Create the schema (PostgreSQL is upgraded by staff, never by the bot)."""
        (self.folder / "secret").mkdir(mode=0o700, exist_ok=True)
        database = await open_database(self.database_url, upgrade=True)
        await database.close()

    async def start(self, **extra: str) -> asyncio.subprocess.Process:
        with self.log.open("ab") as sink:
            process = await asyncio.create_subprocess_exec(
                str(BOT_COMMAND),
                "run",
                cwd=self.folder,
                env=self.environment(**extra),
                stdout=sink,
                stderr=sink,
            )
        self.processes.append(process)
        return process

    async def start_polling(self, **extra: str) -> asyncio.subprocess.Process:
        """A polling process, returned once it polls."""
        polls = len(self.emulator.calls_to("getUpdates"))
        started = time.monotonic()
        process = await self.start(**extra)
        await self.emulator.wait_until(
            lambda: (
                len(self.emulator.calls_to("getUpdates")) > polls or process.returncode is not None
            ),
            START_TIMEOUT,
            "the bot polling",
        )
        assert process.returncode is None, self.log.read_text()
        self.start_seconds.append(time.monotonic() - started)
        return process

    async def start_webhook(self, port: int, public_url: str) -> asyncio.subprocess.Process:
        """A webhook worker listening on `port`, returned once it has set the webhook."""
        hooks = len(self.emulator.calls_to("setWebhook"))
        started = time.monotonic()
        process = await self.start(
            OCLEP_WEBHOOK_URL=public_url,
            OCLEP_WEBHOOK_SECRET=WEBHOOK_SECRET,
            OCLEP_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
        )
        await self.emulator.wait_until(
            lambda: (
                len(self.emulator.calls_to("setWebhook")) > hooks or process.returncode is not None
            ),
            START_TIMEOUT,
            "the webhook set",
        )
        assert process.returncode is None, self.log.read_text()
        self.start_seconds.append(time.monotonic() - started)
        return process

    async def kill(self, process: asyncio.subprocess.Process) -> None:
        process.send_signal(signal.SIGKILL)
        await process.wait()

    async def terminate(self, process: asyncio.subprocess.Process, within: float) -> int:
        """SIGTERM; the exit code, failing when the stop takes longer than `within`."""
        process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(process.wait(), within)

    async def close(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.kill()
                await process.wait()

    def assert_log_clean(self, scripted: Sequence[ScriptedRespondent]) -> None:
        output = self.log.read_bytes()
        assert self.emulator.token.encode() not in output
        for respondent in scripted:
            assert str(respondent.user.user_id).encode() not in output
            assert respondent.marker.encode() not in output
        assert b"Traceback" not in output


class RoundRobinProxy:
    """A load balancer in front of webhook workers: each POST goes to the next worker."""

    def __init__(self, ports: Sequence[int]) -> None:
        self._ports = list(ports)
        self._next = 0
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._session = ClientSession()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        port = self._ports[self._next % len(self._ports)]
        self._next += 1
        body = await request.read()
        async with self._session.post(
            f"http://127.0.0.1:{port}{request.path}", data=body, headers=request.headers
        ) as answer:
            return web.Response(status=answer.status, body=await answer.read())

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()


@dataclass
class Scenario:
    """One fault test's world: the emulator, where the bots run, the respondents."""

    emulator: BotApiEmulator
    fleet: BotFleet
    respondents: list[ScriptedRespondent]
    progress: Progress = field(default_factory=Progress)

    def load(self) -> list[asyncio.Task[None]]:
        """Every respondent answering at once, in the background."""
        return [asyncio.create_task(r.run(self.progress)) for r in self.respondents]


@asynccontextmanager
async def scenario(
    folder: Path,
    database_url: str,
    first_id: int,
    count: int,
    *,
    webhook_retry: RetryPolicy | None = None,
) -> AsyncIterator[Scenario]:
    """A fault test's world; when the block ends without error, staff's decrypted export
    must equal what the respondents sent, and the bot's log must name none of them."""
    async with await BotApiEmulator.start(webhook_retry=webhook_retry) as emulator:
        fleet = BotFleet(emulator, folder, database_url)
        await fleet.prepare()
        engine = Engine(load_shipped())
        world = Scenario(emulator, fleet, respondents(emulator, engine, count, first_id))
        try:
            yield world
        finally:
            await fleet.close()
    # The emulator gives up a webhook delivery after its retry policy (Telegram insists for
    # hours): an update it dropped is the harness's loss, not the bot's.
    given_up = given_up_deliveries(emulator, webhook_retry or RetryPolicy())
    assert not given_up, f"the emulator gave up delivering updates {given_up}"
    print(f"bot starts took {', '.join(f'{s:.1f}' for s in fleet.start_seconds)} s")
    await assert_export_equals(database_url, fleet.staff_key, world.respondents)
    fleet.assert_log_clean(world.respondents)


def given_up_deliveries(emulator: BotApiEmulator, policy: RetryPolicy) -> list[int]:
    """Update ids whose last webhook delivery attempt the emulator made, and failed."""
    return sorted(
        d.update_id
        for d in emulator.webhook_deliveries
        if d.attempt >= policy.max_attempts and not d.accepted
    )
