"""Loading: YAML scalars, implied choices, and the canonical definition hash."""

import hashlib
import json

from flows.loader import canonical_json, definition_hash
from flows.parsers import PROVINCES
from tests.flows.support import questions

BASE = """
- {id: a, type: yesno, text: Pregunta A}
- id: b
  type: single
  text: Pregunta B
  when: {q: a, in: [no]}
  choices: [{code: 10_25, label: Del 10 al 25 %}, {code: off, label: Apagado}]
"""


def test_yaml_1_1_booleans_and_underscored_numbers_stay_codes() -> None:
    question = questions(BASE).question("b")
    assert [c.code for c in question.choices] == ["10_25", "off"]
    assert question.when is not None and question.when.model_dump(by_alias=True) == {
        "q": "a",
        "in": ("no",),
    }


def test_yesno_questions_get_si_no_no_sabe() -> None:
    choices = questions(BASE).question("a").choices
    assert [(c.code, c.label) for c in choices] == [
        ("si", "Sí"),
        ("no", "No"),
        ("no_sabe", "No sé"),
    ]


def test_province_questions_get_the_provinces() -> None:
    question = questions("- {id: p, type: province, text: Provincia}").question("p")
    assert [c.code for c in question.choices] == list(PROVINCES)
    assert len(question.choices) == 16


def test_hash_is_sha256_of_sorted_compact_json() -> None:
    questionnaire = questions(BASE)
    text = canonical_json(questionnaire)
    assert json.loads(text)["modules"][0]["questions"][1]["when"] == {"q": "a", "in": ["no"]}
    recanonical = json.dumps(
        json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert text == recanonical
    assert b'"type":"single"' in text  # compact: no space after ':' or ','
    assert definition_hash(questionnaire) == hashlib.sha256(text).hexdigest()


def test_hash_ignores_yaml_layout_but_not_content() -> None:
    flow_style = questions(BASE)
    block_style = questions(
        """
        - id: a
          text: Pregunta A
          type: yesno
        - id: b
          type: single
          text: Pregunta B
          when:
            q: a
            in: ["no"]
          choices:
            - code: "10_25"
              label: Del 10 al 25 %
            - {label: Apagado, code: "off"}
        """
    )
    relabelled = questions(BASE.replace("Apagado", "Apagada"))
    assert definition_hash(flow_style) == definition_hash(block_style)
    assert definition_hash(flow_style) != definition_hash(relabelled)
