"""The button tokens the conversation hands out and reads back: short, untrusted, bound to a step.

Grammar (ASCII, at most `CALLBACK_DATA_MAX_BYTES` bytes):

    <a|k|m|d|t|n|s|b|y|e|p|f|u>:<question index>:<step>[:<arg>]  on the question on screen
    c<locale><choice><grant>                            consent before any draft exists
    g<locale><grant>                                    language picked
    v<digits of step><step><grant>                      set the open draft aside, start anew
    x:<step>                                            confirm deleting the unfinished draft
    w:<reference>                                       confirm deleting by receipt
    r                                                   cancel, show the question again
    z<0|1>                                              discreet mode off / on

`step` counts the navigation changes of a draft: a token from an older screen no longer
matches and changes nothing. Before consent nothing is stored, so what the deep link opened
travels inside the consent and language tokens as a grant token (`AccessCodes.grant_token`:
a code's short id and a MAC, never the code), packed into printable ASCII.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Final, TypeAlias

from bot.limits import CALLBACK_DATA_MAX_BYTES
from flows.locales import SUPPORTED_LOCALES

# Index = the digit carried by consent and language tokens.
LOCALES: Final = SUPPORTED_LOCALES
_CAMPAIGN_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
_PACK_ALPHABET: Final = "".join(chr(c) for c in range(33, 127))  # printable ASCII, no space
_CAMPAIGN_MAX: Final = 64
_QUESTION_TOKEN = re.compile(r"([akmdtnsbyepfu]):(\d{1,4}):(\d{1,9})(?::([0-9A-Za-z_]{1,32}))?")
_NUMBER_ARG = re.compile(r"[0-9a-z]{1,16}")
_SUGGESTION_ARG = re.compile(r"[0-9A-Za-z_]{1,32}")  # "isla_de_la_juventud"
_REFERENCE = re.compile(r"[A-Za-z0-9_-]{16,32}")


class Action(Enum):
    """What a question token does."""

    ANSWER = "a"  # arg: index into the question's choices (and extra choices)
    # arg: a reading proposed after a typed answer, valid only for the question it was shown
    # for: a country ("VE") or province ("holguin") suggestion, confirmed hours ("h60"), an
    # amount in a currency the respondent picks ("QAR1200"). The question's parser checks it.
    SUGGESTION = "k"
    TOGGLE = "m"  # arg: the multi selection bitmask to show (base 36)
    SUBMIT = "d"  # arg: the multi selection bitmask to submit (base 36)
    FINISH_TEXT = "t"  # "Listo" after a text sent in several parts
    CONTINUE = "n"  # past a note
    SKIP = "s"  # "Prefiero no responder"
    BACK = "b"  # "Atrás"
    DISCARD = "y"  # "Prefiero no responder" confirmed after testimony parts were saved
    # The review before sending (bot/review.py); the question index is the last question's.
    REVIEW_EDIT = "e"  # arg: index of the question to change
    REVIEW_PAGE = "p"  # arg: the page of the review to show
    SEND = "f"  # "Enviar": submit the questionnaire
    # Back to the question on screen from a checkpoint (the resume screen, the question of
    # what to do with an open draft): shows it, answers nothing (under a note too).
    RESUME = "u"


@dataclass(frozen=True)
class QuestionToken:
    action: Action
    question: int  # index in the engine's question order
    step: int
    arg: str = ""

    @property
    def mask(self) -> int:
        """The selection bitmask of a TOGGLE or SUBMIT token."""
        return int(self.arg or "0", 36)


@dataclass(frozen=True)
class ConsentToken:
    locale: str
    choice: int
    grant: str | None  # the grant token of the link's access code; None: the testimony


@dataclass(frozen=True)
class LanguageToken:
    locale: str
    grant: str | None  # only on the consent screen, before a draft exists


@dataclass(frozen=True)
class SetAsideToken:
    """Close the open draft (kept for staff as unfinished) and open what `grant` names."""

    step: int  # the open draft's step when asked: a later press finds it changed
    grant: str | None


@dataclass(frozen=True)
class WithdrawDraftToken:
    step: int


@dataclass(frozen=True)
class WithdrawReceiptToken:
    # A short-lived random reference (bot/pending_withdrawals.py), never the receipt: a button
    # stays in the chat, and the receipt is what links the chat to a testimony.
    reference: str


@dataclass(frozen=True)
class CancelToken:
    pass


@dataclass(frozen=True)
class DiscreetToken:
    on: bool


Token: TypeAlias = (
    QuestionToken
    | ConsentToken
    | LanguageToken
    | WithdrawDraftToken
    | WithdrawReceiptToken
    | CancelToken
    | DiscreetToken
    | SetAsideToken
)


def encode(token: Token) -> str:
    """The callback data of a token; never longer than Telegram allows."""
    if isinstance(token, QuestionToken):
        data = f"{token.action.value}:{token.question}:{token.step}"
        data = f"{data}:{token.arg}" if token.arg else data
    elif isinstance(token, ConsentToken):
        data = f"c{LOCALES.index(token.locale)}{token.choice}{_pack(token.grant)}"
    elif isinstance(token, LanguageToken):
        data = f"g{LOCALES.index(token.locale)}{_pack(token.grant)}"
    elif isinstance(token, SetAsideToken):
        step = str(token.step)
        data = f"v{len(step)}{step}{_pack(token.grant)}"
    elif isinstance(token, WithdrawDraftToken):
        data = f"x:{token.step}"
    elif isinstance(token, WithdrawReceiptToken):
        data = f"w:{token.reference}"
    elif isinstance(token, DiscreetToken):
        data = f"z{int(token.on)}"
    else:
        data = "r"
    if len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
        raise ValueError("a token does not fit Telegram's callback data")
    return data


def mask_arg(mask: int) -> str:
    """A selection bitmask as a token argument (base 36)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        mask, digit = divmod(mask, 36)
        text = digits[digit] + text
        if mask == 0:
            return text


def decode(data: str) -> Token | None:
    """The token in callback data, or None for anything this conversation did not hand out."""
    if not data or len(data.encode("utf-8", "replace")) > CALLBACK_DATA_MAX_BYTES:
        return None
    if not data.isascii():
        return None
    # The first character names the kind of token; no question action uses c g r z x w v.
    reader = _READERS.get(data[0], _question_token)
    try:
        return reader(data)
    except _Garbage:
        return None


def _consent_token(data: str) -> ConsentToken | None:
    if len(data) < 4 or not data[1].isdigit() or not data[2].isdigit():
        return None
    locale = _locale(data[1])
    campaign = _unpack(data[3:])
    return None if locale is None else ConsentToken(locale, int(data[2]), campaign)


def _language_token(data: str) -> LanguageToken | None:
    if len(data) < 3 or not data[1].isdigit():
        return None
    locale = _locale(data[1])
    campaign = _unpack(data[2:])
    return None if locale is None else LanguageToken(locale, campaign)


def _set_aside_token(data: str) -> SetAsideToken | None:
    if len(data) < 4 or not data[1].isdigit():
        return None
    digits = int(data[1])
    step = data[2 : 2 + digits]
    if digits == 0 or len(step) != digits or not step.isdigit():
        return None
    return SetAsideToken(int(step), _unpack(data[2 + digits :]))


def _cancel_token(data: str) -> CancelToken | None:
    return CancelToken() if data == "r" else None


def _discreet_token(data: str) -> DiscreetToken | None:
    return DiscreetToken(data == "z1") if data in ("z0", "z1") else None


def _withdraw_draft_token(data: str) -> WithdrawDraftToken | None:
    if data.startswith("x:") and data[2:].isdigit() and len(data) <= 11:
        return WithdrawDraftToken(int(data[2:]))
    return None


def _withdraw_receipt_token(data: str) -> WithdrawReceiptToken | None:
    if data.startswith("w:") and _REFERENCE.fullmatch(data[2:]):
        return WithdrawReceiptToken(data[2:])
    return None


def _question_token(data: str) -> QuestionToken | None:
    match = _QUESTION_TOKEN.fullmatch(data)
    if match is None:
        return None
    action = Action(match[1])
    arg = match[4] or ""
    needs_arg = action in (
        Action.ANSWER,
        Action.SUGGESTION,
        Action.TOGGLE,
        Action.SUBMIT,
        Action.REVIEW_EDIT,
        Action.REVIEW_PAGE,
    )
    if needs_arg != bool(arg):
        return None
    if action is Action.SUGGESTION and not _SUGGESTION_ARG.fullmatch(arg):
        return None
    if action in (Action.ANSWER, Action.REVIEW_EDIT, Action.REVIEW_PAGE) and not arg.isdigit():
        return None
    if action in (Action.TOGGLE, Action.SUBMIT) and not _NUMBER_ARG.fullmatch(arg):
        return None
    return QuestionToken(action, int(match[2]), int(match[3]), arg)


def _locale(digit: str) -> str | None:
    index = int(digit)
    return LOCALES[index] if index < len(LOCALES) else None


def _pack(campaign: str | None) -> str:
    # A leading 1 (sentinel) keeps leading "A"s (digit 0); no campaign packs as 0. Base 94
    # squeezes a 64-character campaign into 59 characters, so consent tokens stay ≤ 64 bytes.
    value = 0
    if campaign is not None:
        value = 1
        for char in campaign:
            value = value * 64 + _CAMPAIGN_ALPHABET.index(char)
    base = len(_PACK_ALPHABET)
    text = ""
    while True:
        value, digit = divmod(value, base)
        text = _PACK_ALPHABET[digit] + text
        if value == 0:
            return text


class _Garbage(ValueError):
    pass


_READERS: Final[dict[str, Callable[[str], Token | None]]] = {
    "c": _consent_token,
    "g": _language_token,
    "r": _cancel_token,
    "z": _discreet_token,
    "x": _withdraw_draft_token,
    "w": _withdraw_receipt_token,
    "v": _set_aside_token,
}


def _unpack(text: str) -> str | None:
    """The packed campaign, None for none; `_Garbage` for anything `_pack` cannot write."""
    if not text or len(text) > 60:
        raise _Garbage
    value = 0
    for char in text:
        digit = _PACK_ALPHABET.find(char)
        if digit < 0:
            raise _Garbage
        value = value * len(_PACK_ALPHABET) + digit
    if value == 0:
        return None
    chars: list[str] = []
    while value > 1:
        value, digit = divmod(value, 64)
        chars.append(_CAMPAIGN_ALPHABET[digit])
    if value != 1 or not 1 <= len(chars) <= _CAMPAIGN_MAX:
        raise _Garbage
    return "".join(reversed(chars))
