"""A broken definition fails at load time with one error naming file, element and problem."""

from pathlib import Path

import pytest

from flows.loader import DefinitionError, load_questionnaire, parse_questionnaire
from tests.flows.support import HEADER, form, questions


def error_of(body: str, *, whole: bool = False) -> str:
    with pytest.raises(DefinitionError) as caught:
        form(body) if whole else questions(body)
    return str(caught.value)


def test_invalid_yaml_names_the_file_and_line() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_questionnaire(HEADER + "modules: [\n", "broken.yaml")
    message = str(caught.value)
    assert message.startswith("broken.yaml: invalid YAML at line")


def test_a_definition_that_is_not_a_mapping() -> None:
    with pytest.raises(DefinitionError, match="must be a YAML mapping"):
        parse_questionnaire("- a\n- b\n", "list.yaml")


def test_unknown_type() -> None:
    message = error_of("- {id: a, type: slider, text: A}")
    assert message.startswith("inline.yaml: question 'a': unknown type 'slider'")


def test_unknown_key_on_a_question() -> None:
    message = error_of("- {id: a, type: yesno, text: A, colour: red}")
    assert message == "inline.yaml: question 'a': unknown key 'colour'"


def test_unknown_key_on_the_questionnaire() -> None:
    message = error_of(
        "modules: [{id: m, title: M, questions: [{id: a, type: note, text: x}]}]\nauthor: x\n",
        whole=True,
    )
    assert message == "inline.yaml: unknown key 'author'"


def test_missing_key() -> None:
    assert error_of("- {id: a, type: yesno}") == "inline.yaml: question 'a': missing key 'text'"


def test_missing_type() -> None:
    assert error_of("- {id: a, text: A}") == "inline.yaml: question 'a': missing key 'type'"


def test_duplicate_question_id() -> None:
    message = error_of(
        """
        - {id: a, type: yesno, text: A}
        - {id: a, type: integer, text: Again}
        """
    )
    assert message == "inline.yaml: question 'a': duplicate question id"


def test_duplicate_yaml_key() -> None:
    message = error_of("- {id: a, type: yesno, text: A, text: B}")
    assert "duplicate key 'text'" in message


def test_duplicate_choice_code() -> None:
    message = error_of(
        "- {id: a, type: single, text: A, choices: [{code: x, label: X}, {code: x, label: Y}]}"
    )
    assert message == "inline.yaml: question 'a': duplicate choice code 'x'"


def test_condition_on_a_later_question() -> None:
    message = error_of(
        """
        - {id: a, type: yesno, text: A, when: {q: b, in: [si]}}
        - {id: b, type: yesno, text: B}
        """
    )
    assert message == (
        "inline.yaml: question 'a': refers to question 'b', which does not come before it"
    )


def test_condition_on_itself() -> None:
    message = error_of("- {id: a, type: yesno, text: A, when: {q: a, in: [si]}}")
    assert "refers to question 'a', which does not come before it" in message


def test_condition_on_an_unknown_question() -> None:
    message = error_of("- {id: a, type: yesno, text: A, when: {q: zzz, answered: true}}")
    assert message == "inline.yaml: question 'a': refers to unknown question 'zzz'"


def test_module_condition_on_a_question_inside_the_module() -> None:
    message = error_of(
        """
        modules:
          - id: m
            title: M
            when: {q: a, in: [si]}
            questions: [{id: a, type: yesno, text: A}]
        """,
        whole=True,
    )
    assert (
        message == "inline.yaml: module 'm': refers to question 'a', which does not come before it"
    )


def test_unknown_choice_code_in_a_condition() -> None:
    message = error_of(
        """
        - {id: a, type: yesno, text: A}
        - {id: b, type: yesno, text: B, when: {q: a, in: [yes]}}
        """
    )
    assert message == "inline.yaml: question 'b': unknown choice code 'yes' of question 'a'"


def test_comparison_on_a_choice_question() -> None:
    message = error_of(
        """
        - {id: a, type: yesno, text: A}
        - {id: b, type: yesno, text: B, when: {q: a, gte: 3}}
        """
    )
    assert "compares 'a' with gte/gt/lte/lt, but it is a yesno question" in message


def test_codes_on_a_number_question() -> None:
    message = error_of(
        """
        - {id: a, type: integer, text: A}
        - {id: b, type: yesno, text: B, when: {q: a, in: ["3"]}}
        """
    )
    assert "uses `in` on 'a', but it is a integer question" in message


def test_condition_on_a_note() -> None:
    message = error_of(
        """
        - {id: a, type: note, text: Hola}
        - {id: b, type: yesno, text: B, when: {q: a, answered: true}}
        """
    )
    assert "refers to note 'a', which has no answer" in message


def test_a_condition_of_unknown_shape() -> None:
    message = error_of(
        """
        - {id: a, type: yesno, text: A}
        - {id: b, type: yesno, text: B, when: {q: a, equals: si}}
        """
    )
    assert message.startswith("inline.yaml: question 'b': when: a condition is")


def test_exclusive_choice_outside_multi() -> None:
    message = error_of(
        """
        - id: a
          type: single
          text: A
          choices: [{code: x, label: X}, {code: ninguna, label: Ninguna, exclusive: true}]
        """
    )
    assert message == (
        "inline.yaml: question 'a': choice 'ninguna' is exclusive, but only multi allows that"
    )


def test_keys_that_do_not_fit_the_type() -> None:
    assert "a text question takes no `min`" in error_of("- {id: a, type: text, text: A, min: 1}")
    assert "a integer question takes no `currency`" in error_of(
        "- {id: a, type: integer, text: A, currency: USD}"
    )
    assert "a single question takes no `multipart`" in error_of(
        "- {id: a, type: single, text: A, multipart: true,"
        " choices: [{code: x, label: X}, {code: y, label: Y}]}"
    )
    assert "a consent question takes no `skip`" in error_of(
        "- {id: a, type: consent, text: A, skip: false,"
        " choices: [{code: x, label: X}, {code: y, label: Y}]}"
    )
    assert "a note question takes no `stop`" in error_of(
        "- {id: a, type: note, text: A, stop: {in: [x], outcome: end, message: M}}"
    )
    assert "a integer question takes no `choices`" in error_of(
        "- {id: a, type: integer, text: A, choices: [{code: x, label: X}]}"
    )
    assert "`min` is greater than `max`" in error_of(
        "- {id: a, type: integer, text: A, min: 5, max: 1}"
    )


def test_single_needs_two_choices() -> None:
    message = error_of("- {id: a, type: single, text: A, choices: [{code: x, label: X}]}")
    assert "needs at least two choices" in message


def test_country_buttons_need_iso_codes() -> None:
    message = error_of("- {id: a, type: country, text: A, choices: [{code: XX, label: X}]}")
    assert "unknown country code 'XX'" in message


def test_stop_on_an_unknown_code() -> None:
    message = error_of(
        """
        - id: a
          type: consent
          text: A
          choices: [{code: acepto, label: Sí}, {code: no_acepto, label: No}]
          stop: {in: [nunca], outcome: end, message: Adiós}
        """
    )
    assert "`stop` names unknown choice code 'nunca'" in message


def test_indicator_on_an_unknown_question() -> None:
    message = error_of(
        """
        modules: [{id: m, title: M, questions: [{id: a, type: yesno, text: A}]}]
        indicators:
          - {id: f, label: F, present: {q: b, in: [si]}}
        """,
        whole=True,
    )
    assert message == "inline.yaml: indicator 'f': refers to unknown question 'b'"


def test_indicator_on_a_later_or_unknown_figure() -> None:
    message = error_of(
        """
        modules: [{id: m, title: M, questions: [{id: a, type: yesno, text: A}]}]
        indicators:
          - {id: f, label: F, present: {figure: g, present: true}}
          - {id: g, label: G, present: {q: a, in: [si]}}
        """,
        whole=True,
    )
    assert "refers to figure 'g', which is unknown or not defined before it" in message


def test_retention_needs_money_questions() -> None:
    message = error_of(
        """
        modules: [{id: m, title: M, questions: [{id: a, type: integer, text: A}]}]
        indicators:
          - {id: r, kind: retention, label: R, paid: a, received: [a]}
        """,
        whole=True,
    )
    assert message == "inline.yaml: indicator 'r': 'a' is not a money question"


def test_routing_conditions_cannot_use_figures() -> None:
    message = error_of(
        """
        - {id: a, type: yesno, text: A}
        - {id: b, type: yesno, text: B, when: {figure: f, present: true}}
        """
    )
    assert "a `when` cannot refer to derived figure 'f'" in message


def test_an_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(DefinitionError) as caught:
        load_questionnaire(missing)
    assert str(caught.value) == f"{missing}: cannot read the file (FileNotFoundError)"


def test_stop_only_on_single_answer_choice_questions() -> None:
    message = error_of(
        """
        - id: a
          type: multi
          text: Pregunta A
          choices: [{code: x, label: X}, {code: y, label: Y}]
          stop: {in: [x], outcome: end, message: Adiós}
        """
    )
    assert message == "inline.yaml: question 'a': a multi question takes no `stop`"
