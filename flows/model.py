"""Pydantic models of a questionnaire definition, with the checks that make it well-formed."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Self, TypeAlias

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from flows.parsers import PROVINCES

YESNO_CHOICES: tuple[tuple[str, str], ...] = (("si", "Sí"), ("no", "No"), ("no_sabe", "No sé"))

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"


class DefinitionProblem(ValueError):
    """A definition problem found by a model check: which element, and what is wrong."""

    def __init__(self, subject: str | None, problem: str) -> None:
        super().__init__(problem)
        self.subject = subject
        self.problem = problem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ---------------------------------------------------------------------------------------------
# Conditions: the one small language shared by `when:`, `applies_when:` and indicator rules.


class InCodes(_Strict):
    """`{q: id, in: [codes]}`: the answer is one of the codes (multi: any selected code is)."""

    q: str
    codes: tuple[str, ...] = Field(alias="in", min_length=1)


class NotInCodes(_Strict):
    """`{q: id, not_in: [codes]}`: answered, and no code of the answer is in the list."""

    q: str
    codes: tuple[str, ...] = Field(alias="not_in", min_length=1)


class Bounds(_Strict):
    """Numeric bounds shared by question and figure comparisons."""

    gte: Decimal | None = None
    gt: Decimal | None = None
    lte: Decimal | None = None
    lt: Decimal | None = None

    @model_validator(mode="after")
    def _one_bound_at_least(self) -> Bounds:
        if self.gte is None and self.gt is None and self.lte is None and self.lt is None:
            raise ValueError("a comparison needs at least one of gte, gt, lte, lt")
        return self

    def holds(self, number: Decimal) -> bool:
        return (
            (self.gte is None or number >= self.gte)
            and (self.gt is None or number > self.gt)
            and (self.lte is None or number <= self.lte)
            and (self.lt is None or number < self.lt)
        )


class Compare(Bounds):
    """`{q: id, gte: n}` (also gt, lte, lt, combinable): a number answer within the bounds."""

    q: str


class IsAnswered(_Strict):
    """`{q: id, answered: true}`: given an answer that is not "Prefiero no responder"."""

    q: str
    answered: bool


class FigurePresent(_Strict):
    """`{figure: id, present: true}`: an earlier derived figure is (or is not) present."""

    figure: str
    present: bool


class FigureCompare(Bounds):
    """`{figure: id, gte: n}`: an earlier numeric figure has a value within the bounds."""

    figure: str


class AllOf(_Strict):
    """`{all: [conditions]}`."""

    items: tuple[Condition, ...] = Field(alias="all", min_length=1)


class AnyOf(_Strict):
    """`{any: [conditions]}`."""

    items: tuple[Condition, ...] = Field(alias="any", min_length=1)


class Not(_Strict):
    """`{not: condition}`."""

    item: Condition = Field(alias="not")


_TAG_BY_CLASS: dict[type[BaseModel], str] = {}


def _condition_tag(value: Any) -> str | None:
    """Pick the condition variant from the keys present, so errors name the right shape."""
    if isinstance(value, BaseModel):
        return _TAG_BY_CLASS.get(type(value))
    if not isinstance(value, dict):
        return None
    keys = set(value)
    for combinator in ("all", "any", "not"):
        if combinator in keys:
            return combinator
    if "q" in keys:
        for operator in ("in", "not_in", "answered"):
            if operator in keys:
                return operator
        if keys & {"gte", "gt", "lte", "lt"}:
            return "compare"
    if "figure" in keys:
        return "figure_present" if "present" in keys else "figure_compare"
    return None


Condition: TypeAlias = Annotated[
    Annotated[InCodes, Tag("in")]
    | Annotated[NotInCodes, Tag("not_in")]
    | Annotated[Compare, Tag("compare")]
    | Annotated[IsAnswered, Tag("answered")]
    | Annotated[FigurePresent, Tag("figure_present")]
    | Annotated[FigureCompare, Tag("figure_compare")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message=(
            "a condition is {q, in|not_in|gte|gt|lte|lt|answered}, {figure, present|gte|...}, "
            "or all / any / not"
        ),
    ),
]

_TAG_BY_CLASS.update(
    {
        InCodes: "in",
        NotInCodes: "not_in",
        Compare: "compare",
        IsAnswered: "answered",
        FigurePresent: "figure_present",
        FigureCompare: "figure_compare",
        AllOf: "all",
        AnyOf: "any",
        Not: "not",
    }
)
AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def condition_atoms(condition: Condition) -> Iterator[Condition]:
    """Every leaf (non all/any/not) of a condition, depth first."""
    if isinstance(condition, AllOf | AnyOf):
        for item in condition.items:
            yield from condition_atoms(item)
    elif isinstance(condition, Not):
        yield from condition_atoms(condition.item)
    else:
        yield condition


def condition_questions(condition: Condition | None) -> list[str]:
    """Ids of the questions a condition refers to, in order of appearance."""
    if condition is None:
        return []
    return [
        atom.q
        for atom in condition_atoms(condition)
        if isinstance(atom, InCodes | NotInCodes | Compare | IsAnswered)
    ]


def condition_figures(condition: Condition | None) -> list[str]:
    """Ids of the derived figures a condition refers to, in order of appearance."""
    if condition is None:
        return []
    return [
        atom.figure
        for atom in condition_atoms(condition)
        if isinstance(atom, FigurePresent | FigureCompare)
    ]


# ---------------------------------------------------------------------------------------------
# Questions


class Choice(_Strict):
    """One answer option: a stable code (exported) and its Spanish label (shown)."""

    code: str = Field(pattern=CODE_PATTERN)
    label: str = Field(min_length=1)
    exclusive: bool = False


class Stop(_Strict):
    """Answering one of `in` codes ends (`end`) or pauses (`pause`) the questionnaire."""

    codes: tuple[str, ...] = Field(alias="in", min_length=1)
    outcome: Literal["end", "pause"]
    message: str = Field(min_length=1)


class _QuestionBase(_Strict):
    """What every question has. Each kind below adds the keys that belong to it, and the
    model refuses any other key (`extra="forbid"`)."""

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1)
    help: str | None = None
    when: Condition | None = None

    @property
    def answerable(self) -> bool:
        """Whether the respondent gives an answer (a note is only shown)."""
        return True

    @property
    def skippable(self) -> bool:
        """ "Prefiero no responder" is offered everywhere but at consent and `skip: false`."""
        return True

    def all_choices(self) -> tuple[Choice, ...]:
        """The buttons that answer it: choices, and extra choices (`sigue` for a year)."""
        return ()

    def choice(self, code: str) -> Choice | None:
        """The choice with this code, or None."""
        return next((c for c in self.all_choices() if c.code == code), None)

    def _problem(self, text: str) -> DefinitionProblem:
        return DefinitionProblem(f"question '{self.id}'", text)

    def _check_choices(self, kind: str = "", *, least: int = 0, exclusive: bool = False) -> None:
        if len(self.all_choices()) < least:
            raise self._problem(f"a {kind} question needs at least two choices")
        codes = [c.code for c in self.all_choices()]
        for choice in self.all_choices():
            if choice.exclusive and not exclusive:
                raise self._problem(
                    f"choice '{choice.code}' is exclusive, but only multi allows that"
                )
            if codes.count(choice.code) > 1:
                raise self._problem(f"duplicate choice code '{choice.code}'")

    def _check_stop(self, stop: Stop | None) -> None:
        for code in stop.codes if stop is not None else ():
            if self.choice(code) is None:
                raise self._problem(f"`stop` names unknown choice code '{code}'")


class _Skippable(_QuestionBase):
    # Version 2 on. `skip: false` offers no "Prefiero no responder" where only Sí/No fits.
    skip: bool = True

    @property
    def skippable(self) -> bool:
        return self.skip


# Read-only constants for the kinds that lack a key, so that code reading every question's
# buttons, parts or stop (bot/screens.py, the engine's routing) needs no case per kind; the
# file cannot set them (they are not fields, and `extra="forbid"` refuses them).
class _NoChoices:
    choices: ClassVar[tuple[Choice, ...]] = ()


class _OneMessage:
    multipart: ClassVar[bool] = False


class _NoStop:
    stop: ClassVar[None] = None


class _WithChoices(_Skippable, _OneMessage):
    """A question answered by pressing one of its `choices` (or typing its label)."""

    choices: tuple[Choice, ...] = ()
    # Choices a kind always offers (yesno, province): the file need not list them.
    implied_choices: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _implied(cls, data: Any) -> Any:
        if cls.implied_choices and isinstance(data, dict) and "choices" not in data:
            implied = [{"code": code, "label": label} for code, label in cls.implied_choices]
            return {**data, "choices": implied}
        return data

    def all_choices(self) -> tuple[Choice, ...]:
        return self.choices


class ConsentQuestion(_QuestionBase, _OneMessage):
    """Agreement to take part: never skipped; `stop` ends the conversation on a refusal."""

    type: Literal["consent"]
    choices: tuple[Choice, ...] = ()
    stop: Stop | None = None

    @property
    def skippable(self) -> bool:
        return False

    def all_choices(self) -> tuple[Choice, ...]:
        return self.choices

    @model_validator(mode="after")
    def _fits(self) -> ConsentQuestion:
        self._check_choices(self.type, least=2)
        self._check_stop(self.stop)
        return self


class SingleQuestion(_WithChoices):
    """One of the listed choices."""

    type: Literal["single"]
    stop: Stop | None = None

    @model_validator(mode="after")
    def _fits(self) -> SingleQuestion:
        self._check_choices(self.type, least=2)
        self._check_stop(self.stop)
        return self


class MultiQuestion(_WithChoices, _NoStop):
    """Any of the listed choices; an `exclusive` one ("ninguna") clears the others."""

    type: Literal["multi"]

    @model_validator(mode="after")
    def _fits(self) -> MultiQuestion:
        self._check_choices(self.type, least=2, exclusive=True)
        if all(c.exclusive for c in self.choices):
            raise self._problem("a multi question needs at least one choice that is not exclusive")
        return self


class YesNoQuestion(_WithChoices):
    """Sí / No / No sé, always the same three choices (the file need not repeat them)."""

    type: Literal["yesno"]
    stop: Stop | None = None
    implied_choices: ClassVar[tuple[tuple[str, str], ...]] = YESNO_CHOICES

    @model_validator(mode="after")
    def _fits(self) -> YesNoQuestion:
        if tuple((c.code, c.label) for c in self.choices) != YESNO_CHOICES:
            raise self._problem("a yesno question has the fixed choices si / no / no_sabe")
        self._check_stop(self.stop)
        return self


class CountryQuestion(_WithChoices, _NoStop):
    """A country, typed by name; `choices` are optional buttons for the likely ones."""

    type: Literal["country"]

    @model_validator(mode="after")
    def _fits(self) -> CountryQuestion:
        for choice in self.choices:
            if len(choice.code) != 2 or not choice.code.isupper():
                raise self._problem(f"country choice '{choice.code}' is not an ISO 3166 code")
        self._check_choices(self.type)
        return self


class ProvinceQuestion(_WithChoices, _NoStop):
    """A Cuban province, typed or pressed; the choices are Cuba's provinces unless listed."""

    type: Literal["province"]
    implied_choices: ClassVar[tuple[tuple[str, str], ...]] = tuple(PROVINCES.items())

    @model_validator(mode="after")
    def _fits(self) -> ProvinceQuestion:
        self._check_choices(self.type)
        return self


class _Numeric(_Skippable, _NoChoices, _OneMessage, _NoStop):
    """A typed number within optional bounds; `extra_choices` are buttons next to typing."""

    extra_choices: tuple[Choice, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None

    def all_choices(self) -> tuple[Choice, ...]:
        return self.extra_choices

    @model_validator(mode="after")
    def _bounds_fit(self) -> Self:
        self._check_choices()
        if self.min is not None and self.max is not None and self.min > self.max:
            raise self._problem("`min` is greater than `max`")
        return self


class IntegerQuestion(_Numeric):
    """A whole number."""

    type: Literal["integer"]


class HoursQuestion(_Numeric):
    """Hours per week."""

    type: Literal["hours"]


class DecimalQuestion(_Numeric):
    """A number with decimals."""

    type: Literal["decimal"]


class PercentQuestion(_Numeric):
    """A per cent."""

    type: Literal["percent"]


class YearQuestion(_Numeric):
    """A year, not in the future, and not before the answer to `min_from` (a year question)."""

    type: Literal["year"]
    min_from: str | None = None


class MoneyQuestion(_Numeric):
    """An amount with its currency (`currency` is the one assumed when none is typed)."""

    type: Literal["money"]
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class TextQuestion(_Skippable, _NoChoices, _NoStop):
    """Free text; `multipart` lets the answer come in several messages until «Listo»."""

    type: Literal["text"]
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    multipart: bool = False

    @model_validator(mode="after")
    def _fits(self) -> TextQuestion:
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise self._problem("`min_length` is greater than `max_length`")
        return self


class NoteQuestion(_QuestionBase, _NoChoices, _OneMessage, _NoStop):
    """Text shown with «Continuar»; nothing is answered."""

    type: Literal["note"]

    @property
    def answerable(self) -> bool:
        return False


class AttachmentsQuestion(_Skippable, _NoChoices, _OneMessage, _NoStop):
    """Photos or documents (bot/attachment_intake.py); the answer is how many were sent."""

    type: Literal["attachments"]


_QUESTION_CLASSES: dict[str, type[_QuestionBase]] = {
    "consent": ConsentQuestion,
    "single": SingleQuestion,
    "multi": MultiQuestion,
    "yesno": YesNoQuestion,
    "integer": IntegerQuestion,
    "hours": HoursQuestion,
    "decimal": DecimalQuestion,
    "percent": PercentQuestion,
    "money": MoneyQuestion,
    "year": YearQuestion,
    "country": CountryQuestion,
    "province": ProvinceQuestion,
    "text": TextQuestion,
    "note": NoteQuestion,
    "attachments": AttachmentsQuestion,
}
QUESTION_TYPES: tuple[str, ...] = tuple(_QUESTION_CLASSES)
# Every key some kind of question takes: another kind's key is named as such when refused.
QUESTION_KEYS: frozenset[str] = frozenset(
    field.alias or name
    for kind in _QUESTION_CLASSES.values()
    for name, field in kind.model_fields.items()
)


def _question_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("type")
        return kind if isinstance(kind, str) else None
    return getattr(value, "type", None)


Question: TypeAlias = Annotated[
    Annotated[ConsentQuestion, Tag("consent")]
    | Annotated[SingleQuestion, Tag("single")]
    | Annotated[MultiQuestion, Tag("multi")]
    | Annotated[YesNoQuestion, Tag("yesno")]
    | Annotated[IntegerQuestion, Tag("integer")]
    | Annotated[HoursQuestion, Tag("hours")]
    | Annotated[DecimalQuestion, Tag("decimal")]
    | Annotated[PercentQuestion, Tag("percent")]
    | Annotated[MoneyQuestion, Tag("money")]
    | Annotated[YearQuestion, Tag("year")]
    | Annotated[CountryQuestion, Tag("country")]
    | Annotated[ProvinceQuestion, Tag("province")]
    | Annotated[TextQuestion, Tag("text")]
    | Annotated[NoteQuestion, Tag("note")]
    | Annotated[AttachmentsQuestion, Tag("attachments")],
    Discriminator(
        _question_tag,
        custom_error_type="question_type",
        custom_error_message="`type` is one of " + ", ".join(QUESTION_TYPES),
    ),
]

# Kinds by what their answer is, for the checks and the export.
CodeQuestion: TypeAlias = (
    ConsentQuestion
    | SingleQuestion
    | MultiQuestion
    | YesNoQuestion
    | CountryQuestion
    | ProvinceQuestion
)
# A typed number within optional bounds, with optional `extra_choices` buttons.
NumericQuestion: TypeAlias = (
    IntegerQuestion
    | HoursQuestion
    | DecimalQuestion
    | PercentQuestion
    | YearQuestion
    | MoneyQuestion
)
# A plain number (money is an amount with a currency): conditions may compare it.
ComparableQuestion: TypeAlias = (
    IntegerQuestion | HoursQuestion | DecimalQuestion | PercentQuestion | YearQuestion
)


class Module(_Strict):
    """A group of questions; its `when` applies to every question in it."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    when: Condition | None = None
    questions: tuple[Question, ...] = Field(min_length=1)


# ---------------------------------------------------------------------------------------------
# Derived figures


class _IndicatorBase(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1)
    group: str | None = None
    applies_when: Condition | None = None


class ConditionIndicator(_IndicatorBase):
    """Present when its rule holds (see flows/derive.py for the three-valued reading)."""

    kind: Literal["condition"] = "condition"
    present: Condition


class CountIndicator(_IndicatorBase):
    """The number of listed figures that are present (e.g. `ilo_total`)."""

    kind: Literal["count"]
    figures: tuple[str, ...] = Field(min_length=1)


class AllOfIndicator(_IndicatorBase):
    """Present when every listed figure is present (e.g. ICLS forced labour)."""

    kind: Literal["all_of"]
    figures: tuple[str, ...] = Field(min_length=2)


class RetentionIndicator(_IndicatorBase):
    """Per cent of `paid` that did not reach the worker: 100 × (1 − Σ received / paid)."""

    kind: Literal["retention"]
    paid: str
    received: tuple[str, ...] = Field(min_length=1)


def _indicator_tag(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("kind", "condition")
        return kind if isinstance(kind, str) else "condition"
    return str(getattr(value, "kind", "condition"))


Indicator: TypeAlias = Annotated[
    Annotated[ConditionIndicator, Tag("condition")]
    | Annotated[CountIndicator, Tag("count")]
    | Annotated[AllOfIndicator, Tag("all_of")]
    | Annotated[RetentionIndicator, Tag("retention")],
    Discriminator(
        _indicator_tag,
        custom_error_type="indicator_kind",
        custom_error_message="`kind` is one of condition, count, all_of, retention",
    ),
]

NUMERIC_FIGURE_KINDS: frozenset[str] = frozenset({"count", "retention"})
STATE_FIGURE_KINDS: frozenset[str] = frozenset({"condition", "all_of"})


# ---------------------------------------------------------------------------------------------
# The questionnaire


class Questionnaire(_Strict):
    """A versioned questionnaire: modules of questions, and the figures derived from answers."""

    id: str = Field(pattern=ID_PATTERN)
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    locale: str = "es"
    closing: str | None = None
    modules: tuple[Module, ...] = Field(min_length=1)
    indicators: tuple[Indicator, ...] = ()

    def questions(self) -> tuple[Question, ...]:
        """Every question in order."""
        return tuple(q for module in self.modules for q in module.questions)

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if none."""
        for question in self.questions():
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def module_of(self, question_id: str) -> Module:
        """The module that holds the question; KeyError if none."""
        for module in self.modules:
            if any(q.id == question_id for q in module.questions):
                return module
        raise KeyError(question_id)

    def indicator(self, figure_id: str) -> Indicator:
        """The indicator with this id; KeyError if none."""
        for indicator in self.indicators:
            if indicator.id == figure_id:
                return indicator
        raise KeyError(figure_id)

    @model_validator(mode="after")
    def _references_resolve(self) -> Questionnaire:
        from flows.checks import check_questionnaire  # the checks need the finished models

        check_questionnaire(self)
        return self
