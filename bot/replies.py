"""What the conversation answers: channel-neutral replies, texts already translated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from bot.events import MessageRef


@dataclass(frozen=True)
class Option:
    """A button: `label` is shown, `token` comes back as `events.ButtonPress(token)` when pressed.

    Tokens are short ASCII strings of at most `bot.limits.CALLBACK_DATA_MAX_BYTES` bytes.
    """

    label: str
    token: str


@dataclass(frozen=True)
class Progress:
    """Where the respondent is: question `position` of about `total_estimate`.

    `label` is the same, translated and ready to show (e.g. "Pregunta 3 de unas 40").
    """

    position: int
    total_estimate: int
    label: str


@dataclass(frozen=True)
class Prompt:
    """The questionnaire message: one question with its buttons.

    - `text`: the question (and its help line), translated.
    - `options`: answer buttons first, then navigation ("Listo", "Prefiero no responder",
      "Atrás"); one per row reads best on a phone.
    - `progress`: None on screens outside the numbered questions (consent).
    - `accepts_text`: a typed answer is expected or allowed (numbers, country, free text).
    - `selected`: for a multi-select question, the indexes of `options` currently ticked
      (their labels already carry ✅); None for any other question. Toggling is carried in the
      tokens and never stored, so the selection lives only in this message.
    - `note`: a short line to show above the question (why a typed answer was not accepted,
      "Parte guardada", ...); None if nothing to say.
    - `message_ref`: the questionnaire message to edit in place, as last seen on a button
      press or reported with `Conversation.remember_prompt_message`; None: send a new one.
    - `fresh`: the respondent wrote something that is not an answer (a command) since that
      message was shown, so it is no longer at the bottom of the chat: send the prompt as a new
      message (deleting the old one at `message_ref`, if any) instead of editing it.

    After sending a *new* questionnaire message, a channel reports its id with
    `Conversation.remember_prompt_message` so later prompts edit it.
    """

    text: str
    options: tuple[Option, ...] = ()
    progress: Progress | None = None
    accepts_text: bool = False
    selected: tuple[int, ...] | None = None
    note: str | None = None
    message_ref: MessageRef | None = None
    fresh: bool = False


@dataclass(frozen=True)
class Notice:
    """A message outside the questionnaire (help, privacy, errors, confirmations).

    `transient` notices answer a button press and need not stay in the chat (Telegram: the
    text of `answerCallbackQuery`); other notices are sent as messages.
    """

    text: str
    transient: bool = False


@dataclass(frozen=True)
class Closing:
    """The questionnaire stops here for now (consent refused, paused, withdrawn).

    The questionnaire message `message_ref` (if any) should lose its buttons and show `text`.
    """

    text: str
    message_ref: MessageRef | None = None


@dataclass(frozen=True)
class Done:
    """Completion: `text` holds the thanks, the receipt and the safety advice, translated.

    `receipt` is also given alone ("1234 5678 9012 3456") so a channel may format it (e.g.
    monospace, easy to copy); `share_link` is the bot link to pass on, None when the channel
    has none (console). `message_ref` as in `Prompt`: the questionnaire message to replace.
    """

    text: str
    receipt: str = field(repr=False)
    share_link: str | None = None
    message_ref: MessageRef | None = None


@dataclass(frozen=True)
class DeleteRespondentMessage:
    """Directive: the respondent's typed message was stored; delete it (discreet mode only)."""

    message_ref: MessageRef


Reply: TypeAlias = Prompt | Notice | Closing | Done | DeleteRespondentMessage


def deletion(message_ref: int | None, *, discreet: bool) -> tuple[DeleteRespondentMessage, ...]:
    """The deletion of the respondent's own message, in discreet mode (when there is one)."""
    return (DeleteRespondentMessage(message_ref),) if discreet and message_ref else ()
