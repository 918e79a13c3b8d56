"""What passes between the conversation and a question flow: the act, and the step it takes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.callback_data import Action
from bot.replies import Reply
from flows.answers import AnswerValue
from storage.repository import Change

Replies = tuple[Reply, ...]


@dataclass(frozen=True)
class Act:
    """One thing the respondent did to the question on screen."""

    action: Action
    arg: str = ""
    text: str | None = None
    message_ref: int | None = None  # the respondent's typed message


@dataclass(frozen=True)
class Step:
    """What one event does: the change to store and the replies, decided from the draft."""

    change: Change | None
    replies: Replies
    completes: bool = False  # Done follows once the receipt is known
    withdraws: bool = False  # consent withdrawn: delete the draft and its answers
    campaign: str | None = None
    locale: str = "es"
    discreet: bool = True
    draft: bytes = b""  # the draft's submission id
    questionnaire: str = ""  # its questionnaire's id
    investigator: bool = False  # opened by an investigator's code (no daily cap)
    interview: bool = False  # an interview: the receipt is for the interviewee
    # The answers this step stores, for this sitting's memory once committed.
    kept: Mapping[str, AnswerValue] = field(default_factory=dict, repr=False)
