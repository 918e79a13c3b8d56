"""The conversation's part of a draft: where the respondent is, and what navigation needs.

It is stored sealed with the server's draft key (storage/repository.py) and holds only routing
answers (`Engine.routing_value`): never an answer no condition reads, never free text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.answer_memory import Ticks
from flows.answers import AnswerValue, NavigationValue, decode_navigation_value, encode_answer

STATE_FORMAT = 1
# The questionnaire of states written before the bot asked more than one.
FIRST_QUESTIONNAIRE = "testimonio"


class DraftStateError(ValueError):
    """The stored state is not one this version of the bot wrote."""


@dataclass(frozen=True)
class DraftState:
    """Position and preferences of one respondent's unfinished questionnaire."""

    current: str  # id of the question on screen
    step: int = 0  # bumps on every navigation change; button tokens carry it
    routing: Mapping[str, NavigationValue] = field(default_factory=dict, repr=False)
    locale: str = "es"
    discreet: bool = True
    prompt_ref: int | None = None  # the questionnaire message in the chat
    text_parts: int = 0  # parts already stored for a text sent in several messages
    text_chars: int = 0  # their characters in all (bot/text_room.py bounds both)
    # Message order (bot/answer_order.py): the newest respondent message applied, and the
    # newest one applied when the question on screen was put there.
    last_message: int = 0
    asked_after: int = 0
    # The review before sending (bot/review.py): the ids of the questions listed when it was
    # first reached (all derivable from `routing`), and whether it is the screen shown.
    reviewed: tuple[str, ...] | None = None
    on_review: bool = False
    # Never stored (`encode_state` leaves them out): this sitting's answers and the ticks on
    # screen, from the process's memory (bot/answer_memory.py), to show and to act on.
    recalled: Mapping[str, AnswerValue] = field(default_factory=dict, repr=False, compare=False)
    ticked: Ticks | None = field(default=None, repr=False, compare=False)
    # Files sealed so far for this questionnaire (bot/attachment_intake.py): how many, and
    # their bytes, for the per-draft limits. The files themselves never pass through here.
    files: int = 0
    file_bytes: int = 0
    # Which questionnaire the draft answers (its id), and how it was opened: by an
    # investigator's code (no daily cap; limits per report), as an interview recorded on
    # someone's behalf (`SubmissionMode.INTERVIEW`).
    questionnaire: str = FIRST_QUESTIONNAIRE
    investigator: bool = False
    interview: bool = False


def encode_state(state: DraftState) -> bytes:
    """Compact JSON bytes of the state."""
    document: dict[str, Any] = {
        "f": STATE_FORMAT,
        "c": state.current,
        "s": state.step,
        "r": {qid: encode_answer(value) for qid, value in state.routing.items()},
        "l": state.locale,
        "d": state.discreet,
        "p": state.prompt_ref,
        "t": state.text_parts,
        "tc": state.text_chars,
        "m": state.last_message,
        "a": state.asked_after,
    }
    if state.questionnaire != FIRST_QUESTIONNAIRE:
        document["q"] = state.questionnaire
    if state.investigator:
        document["iv"] = True
    if state.interview:
        document["im"] = True
    if state.files:
        document["fn"] = state.files
        document["fb"] = state.file_bytes
    if state.reviewed is not None:
        document["v"] = list(state.reviewed)
        document["o"] = state.on_review
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def decode_state(data: bytes) -> DraftState:
    """The state `encode_state` wrote; `DraftStateError` otherwise."""
    try:
        document = json.loads(data)
        if document.get("f") != STATE_FORMAT:
            raise DraftStateError("unknown draft state format")
        return DraftState(
            current=str(document["c"]),
            step=int(document["s"]),
            routing={
                str(qid): decode_navigation_value(value)
                for qid, value in dict(document["r"]).items()
            },
            locale=str(document["l"]),
            discreet=bool(document["d"]),
            prompt_ref=None if document["p"] is None else int(document["p"]),
            text_parts=int(document["t"]),
            text_chars=int(document.get("tc", 0)),  # absent in states written before the cap
            # Drafts written before message order was kept have neither: 0 orders nothing out.
            last_message=int(document.get("m", 0)),
            asked_after=int(document.get("a", 0)),
            reviewed=None if "v" not in document else tuple(str(q) for q in document["v"]),
            on_review=bool(document.get("o", False)),
            files=int(document.get("fn", 0)),
            file_bytes=int(document.get("fb", 0)),
            questionnaire=str(document.get("q", FIRST_QUESTIONNAIRE)),
            investigator=bool(document.get("iv", False)),
            interview=bool(document.get("im", False)),
        )
    except DraftStateError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise DraftStateError("unreadable draft state") from exc
