"""The console channel: the same conversation in a terminal, for development and demos."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final, TextIO

from bot.callback_data import Action, QuestionToken, decode
from bot.conversation import Conversation
from bot.devkeys import DevStaffKey
from bot.events import Back, ButtonPress, Command, Event, Respondent, Skip, Start, Submit, Text
from bot.i18n import N_, Catalogs
from bot.replies import Closing, DeleteRespondentMessage, Done, Notice, Prompt, Reply

# One respondent per data folder: a fixed id, so a later run resumes the same draft.
CONSOLE_USER_ID: Final = 1
RULE: Final = "!" * 78

HINT: Final = N_(
    "Escriba el número de una opción (o #número si la pregunta pide escribir), su respuesta, "
    "o: atras, saltar, listo, /ayuda, /borrar. Ctrl-D para salir."
)
BYE: Final = N_("Hasta pronto.")
BYE_UNFINISHED: Final = N_("Hasta pronto. Puede seguir después: sus respuestas quedan guardadas.")

_BACK_WORDS: Final = frozenset({"atras", "atrás", "back"})
_SKIP_WORDS: Final = frozenset({"saltar", "skip"})
_DONE_WORDS: Final = frozenset({"listo", "done"})


def banner(key: DevStaffKey, data_dir: str) -> str:
    """The warning shown before anything else: this mode must never hold real testimonies."""
    made = "generated now" if key.created else "reused"
    return "\n".join(
        [
            RULE,
            "!!  DEVELOPMENT CONSOLE - NOT FOR PRODUCTION - DO NOT COLLECT REAL TESTIMONIES  !!",
            RULE,
            f"Data folder: {data_dir}",
            f"Development staff key ({made}): {key.public_path}",
            f"Its private key AND passphrase lie in the same folder ({key.private_path.name},",
            f"{key.passphrase_path.name}): anyone with this folder can read every answer.",
            "In production the bot holds only a public key made with `oclep-admin keys init`.",
            RULE,
        ]
    )


def _command(line: str) -> Event:
    name, _, args = line[1:].partition(" ")
    if name.lower() in ("start", "comenzar"):
        return Start(args.strip() or None)
    return Command(name, args.strip())


@dataclass
class _UpdateIds:
    """Increasing update ids that stay unique across runs on the same data folder."""

    last: int = field(default_factory=lambda: time.time_ns() // 1000)

    def __iter__(self) -> Iterator[int]:
        while True:
            self.last = max(self.last + 1, time.time_ns() // 1000)
            yield self.last


class ConsoleChannel:
    """Reads lines from `stdin`, prints replies to `stdout`; EOF ends the session."""

    def __init__(
        self,
        conversation: Conversation,
        catalogs: Catalogs,
        stdin: TextIO,
        stdout: TextIO,
        *,
        locale: str = "es",
    ) -> None:
        self._conversation = conversation
        self._catalogs = catalogs
        self._stdin = stdin
        self._stdout = stdout
        self._locale = locale
        self._respondent = Respondent(CONSOLE_USER_ID, locale)
        self._last_prompt: Prompt | None = None
        # Whether answers of an unfinished questionnaire are stored, as the replies show it.
        self._unfinished = False

    async def run(self) -> None:
        """Start (or resume) the questionnaire, then one event per input line until EOF."""
        self._print(self._catalogs.gettext(self._locale, HINT))
        update_ids = iter(_UpdateIds())
        await self._send(Start(), next(update_ids))
        while True:
            line = await asyncio.to_thread(self._stdin.readline)
            if not line:
                bye = BYE_UNFINISHED if self._unfinished else BYE
                self._print("\n" + self._catalogs.gettext(self._locale, bye))
                return
            event = self.event_for(line.strip())
            if event is not None:
                await self._send(event, next(update_ids))

    def event_for(self, line: str) -> Event | None:
        """The event a typed line stands for (None: nothing to send)."""
        if not line:
            return None
        if line.startswith("/"):
            return _command(line)
        word = line.lower()
        if word in _BACK_WORDS:
            return Back()
        if word in _SKIP_WORDS:
            return Skip()
        if word in _DONE_WORDS:
            return self._done_choice() or Submit()
        return self._option_picked(line) or Text(line)

    def _option_picked(self, line: str) -> ButtonPress | None:
        """A typed option number ("2", or "#2" where the question takes text too)."""
        prompt = self._last_prompt
        if prompt is None or not (line.startswith("#") or not prompt.accepts_text):
            return None
        number = line.removeprefix("#")
        index = int(number) - 1 if number.isdigit() else -1
        return (
            ButtonPress(prompt.options[index].token) if 0 <= index < len(prompt.options) else None
        )

    def _done_choice(self) -> ButtonPress | None:
        # "listo" presses the prompt's own Listo button, which carries the multi selection,
        # or "Enviar" on the review.
        for option in self._last_prompt.options if self._last_prompt else ():
            token = decode(option.token)
            if isinstance(token, QuestionToken) and token.action in (
                Action.SUBMIT,
                Action.FINISH_TEXT,
                Action.SEND,
            ):
                return ButtonPress(option.token)
        return None

    async def _send(self, event: Event, update_id: int) -> None:
        for reply in await self._conversation.handle(self._respondent, event, update_id=update_id):
            self._render(reply)

    def _render(self, reply: Reply) -> None:
        if isinstance(reply, Prompt):
            self._last_prompt = reply
            # Numbered questions come only after consent, which stores the draft; the consent,
            # language and /borrar screens (no progress) say nothing either way.
            if reply.progress is not None:
                self._unfinished = True
            lines = [""]
            if reply.progress is not None:
                lines.append(f"[{reply.progress.label}]")
            if reply.note:
                lines.append(f"» {reply.note}")
            lines.append(reply.text)
            # Where a typed answer is allowed, a bare number is an answer ("1" hour), so the
            # options show the "#" that picks them instead of leaving a hurried typist to guess.
            mark = "#" if reply.accepts_text else ""
            lines += [f"  {mark}{i}. {option.label}" for i, option in enumerate(reply.options, 1)]
            self._print("\n".join(lines))
        elif isinstance(reply, Notice):
            self._print(f"» {reply.text}")
        elif isinstance(reply, Closing | Done):
            # Completed, refused, deleted: nothing left to continue. A paused questionnaire
            # also ends in a Closing, whose own text already says the answers are kept.
            self._last_prompt = None
            self._unfinished = False
            self._print(f"\n{reply.text}")
        elif isinstance(reply, DeleteRespondentMessage):
            pass  # a terminal has no chat history to clean

    def _print(self, text: str) -> None:
        self._stdout.write(text + "\n")
        self._stdout.flush()
