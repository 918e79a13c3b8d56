"""Pydantic models of a questionnaire definition, with the checks that make it well-formed."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from flows.parsers import PROVINCES

QuestionType: TypeAlias = Literal[
    "consent",
    "single",
    "multi",
    "yesno",
    "integer",
    "hours",
    "decimal",
    "percent",
    "money",
    "year",
    "country",
    "province",
    "text",
    "note",
    # Photos or documents (bot/attachment_intake.py); the answer is how many were sent.
    "attachments",
]

# Types whose answer is one choice code (compared with `in` / `not_in`).
CODE_TYPES: frozenset[str] = frozenset(
    {"consent", "single", "multi", "yesno", "country", "province"}
)
NUMBER_TYPES: frozenset[str] = frozenset({"integer", "hours", "decimal", "percent", "year"})
CHOICE_LIST_TYPES: frozenset[str] = frozenset({"consent", "single", "multi"})
RANGE_TYPES: frozenset[str] = frozenset({"integer", "hours", "decimal", "percent", "money", "year"})
# Types that may offer extra buttons next to typing ("Sigue" for a year, "No sé" for money).
EXTRA_CHOICE_TYPES: frozenset[str] = NUMBER_TYPES | {"money"}

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


class Question(_Strict):
    """One question; which keys are allowed depends on its `type` (checked by the model)."""

    id: str = Field(pattern=ID_PATTERN)
    type: QuestionType
    text: str = Field(min_length=1)
    help: str | None = None
    when: Condition | None = None
    choices: tuple[Choice, ...] = ()
    extra_choices: tuple[Choice, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    min_from: str | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    multipart: bool = False
    stop: Stop | None = None
    # Version 2 on. `skip: false` offers no "Prefiero no responder" where only Sí/No fits.
    skip: bool = True

    @model_validator(mode="before")
    @classmethod
    def _implied_choices(cls, data: Any) -> Any:
        # yesno questions always offer the same three choices, province questions Cuba's
        # provinces: the file need not repeat them.
        if not isinstance(data, dict) or "choices" in data:
            return data
        if data.get("type") == "yesno":
            return {**data, "choices": [{"code": c, "label": lbl} for c, lbl in YESNO_CHOICES]}
        if data.get("type") == "province":
            choices = [{"code": c, "label": name} for c, name in PROVINCES.items()]
            return {**data, "choices": choices}
        return data

    @model_validator(mode="after")
    def _keys_fit_type(self) -> Question:
        def problem(text: str) -> DefinitionProblem:
            return DefinitionProblem(f"question '{self.id}'", text)

        kind = self.type
        if kind in CHOICE_LIST_TYPES and len(self.choices) < 2:
            raise problem(f"a {kind} question needs at least two choices")
        if self.choices and kind not in CODE_TYPES:
            raise problem(f"a {kind} question takes no `choices`")
        if kind == "yesno" and tuple((c.code, c.label) for c in self.choices) != YESNO_CHOICES:
            raise problem("a yesno question has the fixed choices si / no / no_sabe")
        if kind == "country":
            for choice in self.choices:
                if len(choice.code) != 2 or not choice.code.isupper():
                    raise problem(f"country choice '{choice.code}' is not an ISO 3166 code")
        if self.extra_choices and kind not in EXTRA_CHOICE_TYPES:
            raise problem(f"a {kind} question takes no `extra_choices`")
        for choice in (*self.choices, *self.extra_choices):
            if choice.exclusive and kind != "multi":
                raise problem(f"choice '{choice.code}' is exclusive, but only multi allows that")
        codes = [c.code for c in (*self.choices, *self.extra_choices)]
        for code in codes:
            if codes.count(code) > 1:
                raise problem(f"duplicate choice code '{code}'")
        if kind == "multi" and all(c.exclusive for c in self.choices):
            raise problem("a multi question needs at least one choice that is not exclusive")
        if (self.min is not None or self.max is not None) and kind not in RANGE_TYPES:
            raise problem(f"a {kind} question takes no `min` / `max`")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise problem("`min` is greater than `max`")
        if self.min_from is not None and kind != "year":
            raise problem("only a year question takes `min_from`")
        if self.currency is not None and kind != "money":
            raise problem("only a money question takes `currency`")
        if (self.min_length is not None or self.max_length is not None) and kind != "text":
            raise problem("only a text question takes `min_length` / `max_length`")
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise problem("`min_length` is greater than `max_length`")
        if self.multipart and kind != "text":
            raise problem("only a text question takes `multipart`")
        if self.stop is not None:
            if kind not in ("consent", "single", "yesno"):
                raise problem(f"a {kind} question takes no `stop`")
            for code in self.stop.codes:
                if code not in codes:
                    raise problem(f"`stop` names unknown choice code '{code}'")
        return self

    @property
    def answerable(self) -> bool:
        """Whether the respondent gives an answer (a note is only shown)."""
        return self.type != "note"

    @property
    def skippable(self) -> bool:
        """ "Prefiero no responder" is offered everywhere but at consent and `skip: false`."""
        return self.type != "consent" and self.skip

    def all_choices(self) -> tuple[Choice, ...]:
        """Choices and extra choices (such as `sigue` for a year)."""
        return (*self.choices, *self.extra_choices)

    def choice(self, code: str) -> Choice | None:
        """The choice with this code, or None."""
        return next((c for c in self.all_choices() if c.code == code), None)


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
