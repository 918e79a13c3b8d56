"""A reading the respondent must confirm (or pick among) before it is recorded."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from flows.messages import Message

_Value = TypeVar("_Value")


@dataclass(frozen=True)
class Confirm(Generic[_Value]):
    """The answer can be read as one of `options`; the respondent chooses, nothing is guessed.

    `message` asks the question ("¿Unas 60 horas por semana?", "¿Qué riales?"); the caller
    shows one button per option and records only the option pressed.
    """

    message: Message
    options: tuple[_Value, ...]
