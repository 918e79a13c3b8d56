"""Turn a respondent's raw input into an answer value for one question, or a Spanish message."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, TypeAlias, assert_never

from flows import parsers
from flows.answers import SKIPPED, AnswerValue, Money, NavigationValue
from flows.messages import Message
from flows.model import (
    AttachmentsQuestion,
    Choice,
    ConsentQuestion,
    CountryQuestion,
    DecimalQuestion,
    HoursQuestion,
    IntegerQuestion,
    MoneyQuestion,
    MultiQuestion,
    NoteQuestion,
    NumericQuestion,
    PercentQuestion,
    ProvinceQuestion,
    Question,
    SingleQuestion,
    TextQuestion,
    YearQuestion,
    YesNoQuestion,
)

SKIP_CODE: Final = "_skip"  # the "Prefiero no responder" button
TEXT_MAX_DEFAULT: Final = 4000
NUMBER_LIMIT: Final = 10**9

MSG_CHOOSE: Final = "Por favor, elija una de las opciones."
MSG_CONSENT: Final = "Para continuar, elija «Acepto» o «No acepto»."
MSG_NO_SKIP_CONSENT: Final = "Esta pregunta no se puede saltar: elija «Acepto» o «No acepto»."
MSG_EMPTY_SELECTION: Final = "Elija al menos una opción, o pulse «Prefiero no responder»."
MSG_EXCLUSIVE: Final = "«{label}» no se puede combinar con otras opciones."
MSG_NUMBER: Final = "Por favor, escriba un número."
MSG_TEXT: Final = "Por favor, escriba su respuesta con palabras."
MSG_NOTE: Final = "Esta pantalla no necesita respuesta. Pulse «Continuar»."
MSG_ATTACHMENTS: Final = "Envíe fotos o archivos, o pulse «Listo» cuando termine."
MSG_COUNTRY: Final = "No reconocí ese país. Escriba su nombre completo, por ejemplo «Venezuela»."
MSG_PROVINCE: Final = "No reconocí esa provincia. Elija una de la lista."
MSG_YEAR_BEFORE_START: Final = "El año no puede ser anterior a {year}, cuando empezó la misión."
MSG_PERCENT_RANGE: Final = "Escriba un porcentaje entre {min} y {max}."

# Typed words that mean the "Listo" button on a multi-select or a testimony in several parts.
_DONE_WORDS: Final = frozenset(
    {"listo", "lista", "ya", "ya esta", "termine", "he terminado", "fin", "eso es todo"}
    | {"done", "finished", "that's all", "thats all"}
)
# Typed consent: "Acepto" and "No acepto" match their labels; these are the other ways.
_CONSENT_WORDS: Final = {
    **dict.fromkeys(["si", "sí", "s", "yes", "y", "ok", "okay", "de acuerdo", "acepto"], "acepto"),
    **dict.fromkeys(["i accept", "accept", "agree", "i agree", "claro", "dale"], "acepto"),
    **dict.fromkeys(["no", "n", "no acepto", "i do not accept", "i don't accept"], "no_acepto"),
}
_HOURS_CODE: Final = re.compile(r"h([0-9]{1,3})")
_MONEY_CODE: Final = re.compile(r"([A-Z]{3})([0-9]{1,9})(?:_([0-9]{1,4}))?")

Translate: TypeAlias = Callable[[str], str]

_TOKEN_SEPARATORS: Final = re.compile(r"\s*(?:,|;|/|\n|\by\b)\s*")
_EDGE_PUNCTUATION: Final = " .!¡?¿\"'«»()"


@dataclass(frozen=True)
class ChoiceInput:
    """Buttons pressed: one code, or several for a multi (the skip button is `_skip`)."""

    codes: tuple[str, ...]


@dataclass(frozen=True)
class TextInput:
    """A typed message."""

    text: str


@dataclass(frozen=True)
class SkipInput:
    """ "Prefiero no responder"."""


RawInput: TypeAlias = ChoiceInput | TextInput | SkipInput


@dataclass(frozen=True)
class Accepted:
    """A valid answer."""

    value: AnswerValue


@dataclass(frozen=True)
class Rejected:
    """Why the input was not accepted, and choices that may be what the respondent meant."""

    message: Message
    suggestions: tuple[Choice, ...] = ()


ParseResult: TypeAlias = Accepted | Rejected


def parse_answer(
    question: Question,
    raw: RawInput,
    today_year: int,
    answers: Mapping[str, NavigationValue] | None = None,
    *,
    translate: Translate | None = None,
    mission_country: str | None = None,
) -> ParseResult:
    """Validate one input for `question`; never raises on respondent input.

    `today_year` bounds year questions; `answers` (routing answers suffice) gives the value a
    `min_from` year question must not precede. `translate` gives the label the respondent
    reads (English), matched as well as the Spanish one. `mission_country` (ISO 3166), when
    the caller can read it, decides currency words several countries share ("riales").
    """
    if isinstance(raw, SkipInput) or (isinstance(raw, ChoiceInput) and raw.codes == (SKIP_CODE,)):
        if not question.answerable:
            return _reject(MSG_NOTE)
        return _reject(MSG_NO_SKIP_CONSENT) if not question.skippable else Accepted(SKIPPED)
    match question:
        case NoteQuestion():
            return _reject(MSG_NOTE)
        case ConsentQuestion() | SingleQuestion() | YesNoQuestion():
            return _parse_one_choice(question, raw, translate)
        case MultiQuestion():
            return _parse_multi(question, raw, translate)
        case CountryQuestion():
            return _parse_country(question, raw)
        case ProvinceQuestion():
            return _parse_province(question, raw)
        case AttachmentsQuestion():
            # Files arrive as files (the channel), and «Listo» counts them: nothing typed answers.
            return _reject(MSG_ATTACHMENTS)
        case TextQuestion():
            return _parse_text(question, raw)
        case _:
            return _parse_number(
                question, raw, today_year, answers or {}, translate, mission_country
            )


def _parse_text(question: TextQuestion, raw: ChoiceInput | TextInput) -> ParseResult:
    if not isinstance(raw, TextInput):
        return _reject(MSG_TEXT)
    low = question.min_length if question.min_length is not None else 1
    high = question.max_length if question.max_length is not None else TEXT_MAX_DEFAULT
    return _accept_or_reject(parsers.check_text(raw.text, low, high))


def means_done(text: str) -> bool:
    """Whether a typed message is the word for "Listo" ("listo", "ya", "done"), nothing else."""
    return fold(text) in _DONE_WORDS


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a label or typed answer, for matching."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.replace("_", " ").split()).strip(_EDGE_PUNCTUATION)


def match_choice(
    question: Question, text: str, translate: Translate | None = None
) -> Choice | None:
    """The choice a typed text names: its number in the list, its label (as shown), or code."""
    wanted = fold(text)
    if not wanted:
        return None
    choices = question.all_choices()
    if wanted.isdigit() and wanted.isascii() and 1 <= int(wanted) <= len(question.choices):
        return question.choices[int(wanted) - 1]
    for choice in choices:
        if wanted in (fold(choice.label), fold(choice.code)):
            return choice
    if translate is not None:
        for choice in choices:
            if wanted == fold(translate(choice.label)):
                return choice
    return None


def _parse_one_choice(
    question: Question, raw: ChoiceInput | TextInput, translate: Translate | None
) -> ParseResult:
    refusal = MSG_CONSENT if isinstance(question, ConsentQuestion) else MSG_CHOOSE
    if isinstance(raw, ChoiceInput):
        if len(raw.codes) == 1 and question.choice(raw.codes[0]) is not None:
            return Accepted(raw.codes[0])
        return _reject(refusal)
    choice = match_choice(question, raw.text, translate)
    if choice is None and isinstance(question, ConsentQuestion):
        choice = question.choice(_CONSENT_WORDS.get(fold(raw.text), ""))
    return Accepted(choice.code) if choice is not None else _reject(refusal)


def _parse_multi(
    question: Question, raw: ChoiceInput | TextInput, translate: Translate | None
) -> ParseResult:
    whole = match_choice(question, raw.text, translate) if isinstance(raw, TextInput) else None
    if isinstance(raw, ChoiceInput):
        picked = [question.choice(code) for code in raw.codes]
    elif whole is not None:
        picked = [whole]  # a label that itself holds a separator, such as " y "
    else:
        tokens = [token for token in _TOKEN_SEPARATORS.split(raw.text) if fold(token)]
        picked = [match_choice(question, token, translate) for token in tokens]
    if any(choice is None for choice in picked):
        return _reject(MSG_CHOOSE)
    codes = {choice.code for choice in picked if choice is not None}
    if not codes:
        return _reject(MSG_EMPTY_SELECTION)
    if len(codes) > 1:
        for choice in question.choices:
            if choice.exclusive and choice.code in codes:
                return _reject(MSG_EXCLUSIVE, label=choice.label)
    return Accepted(tuple(c.code for c in question.choices if c.code in codes))


def _parse_country(question: Question, raw: ChoiceInput | TextInput) -> ParseResult:
    if isinstance(raw, ChoiceInput):
        if len(raw.codes) == 1 and (
            question.choice(raw.codes[0]) is not None or _is_country_code(raw.codes[0])
        ):
            return Accepted(raw.codes[0])
        return _reject(MSG_CHOOSE)
    button = match_choice(question, raw.text)
    if button is not None and not fold(raw.text).isdigit():
        return Accepted(button.code)
    match = parsers.match_country(raw.text, "es")
    if match.code is not None:
        return Accepted(match.code)
    suggestions = tuple(
        Choice(code=code, label=parsers.country_name(code))
        for code in match.suggestions
        if _is_country_code(code)
    )
    return Rejected(match.message or Message(MSG_COUNTRY), suggestions)


def _parse_province(question: Question, raw: ChoiceInput | TextInput) -> ParseResult:
    if isinstance(raw, ChoiceInput):
        if len(raw.codes) == 1 and question.choice(raw.codes[0]) is not None:
            return Accepted(raw.codes[0])
        return _reject(MSG_PROVINCE)
    button = match_choice(question, raw.text)
    if button is not None:
        return Accepted(button.code)
    match = parsers.match_province(raw.text)
    if match.code is not None and question.choice(match.code) is not None:
        return Accepted(match.code)
    suggestions = tuple(
        choice for code in match.suggestions if (choice := question.choice(code)) is not None
    )
    return Rejected(match.message or Message(MSG_PROVINCE), suggestions)


def _parse_number(
    question: NumericQuestion,
    raw: ChoiceInput | TextInput,
    today_year: int,
    answers: Mapping[str, NavigationValue],
    translate: Translate | None,
    mission_country: str | None,
) -> ParseResult:
    if isinstance(raw, ChoiceInput):
        if len(raw.codes) == 1 and question.choice(raw.codes[0]) is not None:
            return Accepted(raw.codes[0])
        confirmed = _confirmed_value(question, raw.codes)
        return _reject(MSG_NUMBER) if confirmed is None else Accepted(confirmed)
    extra = match_choice(question, raw.text, translate) if question.extra_choices else None
    if extra is not None and not fold(raw.text).isdigit():
        return Accepted(extra.code)
    text = raw.text
    low_d = question.min if question.min is not None else Decimal(-NUMBER_LIMIT)
    high_d = question.max if question.max is not None else Decimal(NUMBER_LIMIT)
    match question:
        case IntegerQuestion():
            low, high = _int_bounds(question, -NUMBER_LIMIT, NUMBER_LIMIT)
            return _accept_or_reject(parsers.parse_integer(text, low, high))
        case YearQuestion():
            return _parse_year(question, text, today_year, answers)
        case DecimalQuestion():
            return _accept_or_reject(parsers.parse_decimal(text, low_d, high_d))
        case PercentQuestion():
            return _parse_percent(text, low_d, high_d)
        case HoursQuestion():
            return _parse_hours(question, text)
        case MoneyQuestion():
            low_d = question.min if question.min is not None else Decimal(0)
            currency = question.currency or "USD"
            money = parsers.parse_money(text, low_d, high_d, currency, country=mission_country)
            if isinstance(money, parsers.Confirm):
                return Rejected(money.message, tuple(money_choice(m) for m in money.options))
            return _accept_or_reject(money)
        case _:
            assert_never(question)


def _parse_year(
    question: YearQuestion, text: str, today_year: int, answers: Mapping[str, NavigationValue]
) -> ParseResult:
    low, high = _int_bounds(question, 1900, today_year)
    parsed_year = parsers.parse_year(text, low, high)
    start = answers.get(question.min_from) if question.min_from else None
    if isinstance(parsed_year, int) and isinstance(start, int) and parsed_year < start:
        return _reject(MSG_YEAR_BEFORE_START, year=start)
    return _accept_or_reject(parsed_year)


def _parse_percent(text: str, low: Decimal, high: Decimal) -> ParseResult:
    percent = parsers.parse_percent(text)
    if isinstance(percent, Decimal) and not low <= percent <= high:
        return _reject(MSG_PERCENT_RANGE, min=str(max(low, 0)), max=str(min(high, 100)))
    return _accept_or_reject(percent)


def _parse_hours(question: HoursQuestion, text: str) -> ParseResult:
    _, high = _int_bounds(question, 0, parsers.HOURS_PER_WEEK_MAX)
    hours = parsers.parse_weekly_hours(text, high)
    if isinstance(hours, parsers.Confirm):
        options = tuple(Choice(code=f"h{n}", label=f"✓ {n} h") for n in hours.options)
        return Rejected(hours.message, options)
    return _accept_or_reject(hours)


def money_choice(money: Money) -> Choice:
    """A button for one reading of an amount: its code carries the value, "QAR1200" (or _5)."""
    whole, _, fraction = format(money.amount, "f").partition(".")
    code = f"{money.currency}{whole}" + (f"_{fraction}" if fraction else "")
    label = f"{parsers.show_money(money)} · {parsers.currency_place(money.currency)}"
    return Choice(code=code, label=label)


def _confirmed_value(question: NumericQuestion, codes: tuple[str, ...]) -> AnswerValue | None:
    """The value of a confirmation button (`money_choice`, hours "h60"), if it fits."""
    if len(codes) != 1:
        return None
    code = codes[0]
    if isinstance(question, HoursQuestion) and (match := _HOURS_CODE.fullmatch(code)):
        low, high = _int_bounds(question, 0, parsers.HOURS_PER_WEEK_MAX)
        return int(match[1]) if low <= int(match[1]) <= high else None
    if isinstance(question, MoneyQuestion) and (match := _MONEY_CODE.fullmatch(code)):
        amount = Decimal(match[2] + (f".{match[3]}" if match[3] else ""))
        floor = question.min if question.min is not None else Decimal(0)
        ceiling = question.max if question.max is not None else Decimal(NUMBER_LIMIT)
        return Money(amount, match[1]) if floor <= amount <= ceiling else None
    return None


def _int_bounds(question: NumericQuestion, low: int, high: int) -> tuple[int, int]:
    return (
        int(question.min) if question.min is not None else low,
        int(question.max) if question.max is not None else high,
    )


def _accept_or_reject(result: AnswerValue | Message) -> ParseResult:
    return Rejected(result) if isinstance(result, Message) else Accepted(result)


def _reject(msgid: str, **params: str | int) -> Rejected:
    return Rejected(Message(msgid, params))


def _is_country_code(code: str) -> bool:
    return code in parsers.country_codes()
