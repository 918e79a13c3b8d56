"""docs/codebook*.md: the codebooks of the questionnaires the bot asks, as the CLI writes them."""

from pathlib import Path

import pytest

from flows.codebook import codebook, codebook_markdown
from flows.model import Questionnaire
from flows.shipped import load_shipped
from tests.flows.support import load_testimonio, load_testimonio_v2, load_testimonio_v3

# Each version and the one before it: the changelog explains every difference.
PAIRS = [(load_testimonio(), load_testimonio_v2()), (load_testimonio_v2(), load_testimonio_v3())]

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize(
    ("definition", "page"),
    [("testimonio.yaml", "codebook.md"), ("informe_campo.yaml", "codebook-informe_campo.md")],
)
def test_codebook_page_is_up_to_date(definition: str, page: str) -> None:
    questionnaire = load_shipped(definition)
    expected = codebook_markdown(questionnaire, codebook(questionnaire))
    assert (DOCS / page).read_text(encoding="utf-8") == expected, (
        f"regenerate: oclep-admin questionnaire codebook {definition} "
        f"--format md --out docs/{page} --force"
    )


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=["v1-v2", "v2-v3"])
def test_changelog_names_every_variable_that_changed_or_went(
    old: Questionnaire, new: Questionnaire
) -> None:
    """Every variable of a version missing from the next, and every new one, is explained in
    the changelog."""
    v1 = {q.id for q in old.questions()}
    v2 = {q.id for q in new.questions()}
    changelog = (DOCS / "codebook-changelog.md").read_text(encoding="utf-8")
    assert v1 ^ v2, "the versions differ in variables"
    missing = [variable for variable in sorted(v1 ^ v2) if f"`{variable}`" not in changelog]
    assert missing == []


def test_changelog_names_every_code_that_changed() -> None:
    """v1 → v2 changed codes of kept questions; v2 → v3 changed none (its changes are
    variables, checked above)."""
    v1, v2 = load_testimonio(), load_testimonio_v2()
    changelog = (DOCS / "codebook-changelog.md").read_text(encoding="utf-8")
    changed: list[str] = []
    for question in v2.questions():
        try:
            old = v1.question(question.id)
        except KeyError:
            continue
        old_codes = {c.code for c in old.all_choices()}
        new_codes = {c.code for c in question.all_choices()}
        changed += [f"{question.id}:{code}" for code in sorted(old_codes ^ new_codes)]
    assert changed
    missing = [item for item in changed if f"`{item.split(':')[1]}`" not in changelog]
    assert missing == []
