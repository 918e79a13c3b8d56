"""An earlier answer as the respondent reads it back: on the review and after "Atrás".

What can be shown: a routing answer the draft keeps, or an answer of this sitting that the
process still remembers (bot/answer_memory.py). Anything else was sealed to the staff key on
arrival and cannot be read here: the caller says so instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from bot import texts
from bot.draft_state import DraftState
from bot.i18n import Translate
from flows.answers import Answered, Money, NavigationValue, Skipped
from flows.model import (
    CountryQuestion,
    HoursQuestion,
    PercentQuestion,
    ProvinceQuestion,
    Question,
    TextQuestion,
)
from flows.parsers.countries import country_name
from flows.parsers.provinces import PROVINCES

# A free text is shown by its beginning: enough to recognise it on a phone screen.
_TEXT_SHOWN: Final = 60


def shown_in_state(question: Question, state: DraftState, tr: Translate) -> str | None:
    """The known answer to `question` in `state`, as shown to the respondent."""
    value = known_answer(state, question.id)
    return shown_answer(question, value, tr, locale=state.locale, discreet=state.discreet)


def known_answer(state: DraftState, question_id: str) -> NavigationValue | None:
    """The answer the draft or this sitting's memory holds for a question, if any."""
    value = state.routing.get(question_id)
    if value is None or isinstance(value, Answered):
        return state.recalled.get(question_id, value)
    return value


def shown_answer(
    question: Question,
    value: NavigationValue | None,
    tr: Translate,
    *,
    locale: str,
    discreet: bool,
) -> str | None:
    """The answer as the respondent gave it (labels, amounts), or None when it is not known.

    In discreet mode a typed text is not written back into the chat: only that there is one.
    """
    if value is None or isinstance(value, Answered):
        return None
    if isinstance(value, Skipped):
        return tr(texts.SKIP)
    if isinstance(value, Money):
        return f"{value.amount} {value.currency}"
    if isinstance(value, bool):  # not an answer value; never shown as a number
        return None
    if isinstance(value, int | Decimal):
        if isinstance(question, HoursQuestion):
            return tr(texts.HOURS_PER_WEEK).format(hours=value)
        return f"{value} %" if isinstance(question, PercentQuestion) else str(value)
    return _shown_words(question, value, tr, locale=locale, discreet=discreet)


def _shown_words(
    question: Question,
    value: str | tuple[str, ...],
    tr: Translate,
    *,
    locale: str,
    discreet: bool,
) -> str:
    """A text, a place or the labels of the chosen codes."""
    if isinstance(question, TextQuestion):
        assert isinstance(value, str)
        if discreet:
            return tr(texts.TEXT_NOT_SHOWN)
        return value if len(value) <= _TEXT_SHOWN else value[: _TEXT_SHOWN - 1] + "…"
    if isinstance(question, CountryQuestion) and isinstance(value, str):
        return country_name(value, locale)
    if isinstance(question, ProvinceQuestion) and isinstance(value, str):
        return PROVINCES.get(value, value)
    return _labels(question, value if isinstance(value, tuple) else (str(value),), tr)


def _labels(question: Question, codes: tuple[str, ...], tr: Translate) -> str:
    labels = []
    for code in codes:
        choice = question.choice(code)
        labels.append(tr(choice.label) if choice is not None else code)
    return ", ".join(labels)
