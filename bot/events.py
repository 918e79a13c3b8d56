"""What a channel tells the conversation: one respondent event, already stripped of identity."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TypeAlias

# A channel's handle on a message in the chat (Telegram: the message id in the private chat).
MessageRef: TypeAlias = int


@dataclass(frozen=True)
class Respondent:
    """Who sent the event, as far as the conversation may know.

    `user_id` is only ever turned into pseudonyms (`ServerSecret.pseudonym`, purposes DRAFT
    and RATE): the conversation never stores or logs it. `language_code` is the channel's hint
    (Telegram's `from.language_code`) used until the respondent picks a language with /idioma.
    """

    user_id: int = field(repr=False)
    language_code: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Start:
    """`/start`, optionally with a deep-link payload (`t.me/<bot>?start=<campaign>`).

    The channel passes the raw payload; the conversation keeps it only if it matches
    `[A-Za-z0-9_-]{1,64}` and silently ignores anything else.
    """

    campaign: str | None = field(default=None, repr=False)
    message_ref: MessageRef | None = None


@dataclass(frozen=True)
class ButtonPress:
    """A button press: `token` is the callback payload an `Option` of a reply handed out.

    Tokens are untrusted input: stale, forged or garbage tokens change nothing.
    `message_ref` is the message that carried the button (the questionnaire message), so the
    conversation keeps editing that one.
    """

    token: str = field(repr=False)
    message_ref: MessageRef | None = None


@dataclass(frozen=True)
class Text:
    """A typed message. `message_ref` lets the conversation ask for its deletion once stored."""

    text: str = field(repr=False)
    message_ref: MessageRef | None = None


@dataclass(frozen=True)
class Back:
    """ "Atrás" typed or chosen outside a button (the console's `atras`)."""


@dataclass(frozen=True)
class Skip:
    """ "Prefiero no responder" typed outside a button (the console's `saltar`)."""


@dataclass(frozen=True)
class Submit:
    """ "Listo" typed outside a button: submit a multi selection or end a multi-part text."""


@dataclass(frozen=True)
class Command:
    """A slash command other than /start: `name` without the slash, lower case, no @bot part.

    Known names: ayuda/help, privacidad/privacy, borrar/delete, idioma/language,
    discreto/discreet. `args` is the rest of the line (e.g. a receipt after /borrar).
    Unknown names get a short notice listing the commands. `message_ref` is the respondent's
    command message: in discreet mode the conversation asks for its deletion (a receipt typed
    after /borrar must not stay in the chat).
    """

    name: str
    args: str = field(default="", repr=False)
    message_ref: MessageRef | None = None


@dataclass(frozen=True)
class Attachment:
    """A photo or document the respondent sent (bot/attachment_intake.py).

    Everything the channel states about the file is what the respondent chose to send and
    may identify someone (a file name, a size): none of it is logged (every field is kept
    out of `repr`), and only the sealed file keeps the name and type. `content` streams the
    bytes when called; the channel binds it (Telegram: getFile, then the download), and it
    is called only once the file passed every check that needs no byte of it.
    """

    kind: str  # "photo" | "document" (storage.attachments.sealed_file.FileKind)
    media_type: str | None = field(default=None, repr=False)
    declared_size: int | None = field(default=None, repr=False)
    name: str | None = field(default=None, repr=False)
    source: str = field(default="", repr=False)  # the channel's handle on the file
    content: Callable[[], AsyncIterator[bytes]] | None = field(
        default=None, repr=False, compare=False
    )
    message_ref: MessageRef | None = None


Event: TypeAlias = Start | ButtonPress | Text | Back | Skip | Submit | Command | Attachment


def typed_message(event: Event) -> MessageRef | None:
    """The respondent's own message an event came from, or None: never the questionnaire
    message a button press names (that one is the bot's, and is edited, not deleted)."""
    if isinstance(event, Text | Command | Start | Attachment):
        return event.message_ref
    return None
