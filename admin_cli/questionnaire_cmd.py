"""`oclep-admin questionnaire`: Check, preview and document questionnaire definitions."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown

from admin_cli.report.wording import label_problems
from flows.catalogs import CatalogError, Catalogs
from flows.codebook import codebook, codebook_csv, codebook_markdown, preview_markdown
from flows.engine import Engine
from flows.loader import DefinitionError, definition_hash
from flows.model import (
    ConsentQuestion,
    Questionnaire,
    SingleQuestion,
    YesNoQuestion,
)
from flows.paths import path_lengths, screens_summary
from flows.shipped import load_named

app = typer.Typer(
    help="Check, preview and document questionnaire definitions.", no_args_is_help=True
)

DefinitionFile = Annotated[
    str,
    typer.Argument(
        help="A shipped questionnaire's name (testimonio, informe_campo, testimonio_v1, "
        "testimonio_v2) or a definition file (YAML).",
        show_default=False,
    ),
]


class CodebookFormat(StrEnum):
    csv = "csv"
    md = "md"


def _load(path: str) -> Questionnaire:
    """Load the definition, or print its one problem and exit with status 1."""
    try:
        return load_named(path)
    except DefinitionError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None


@app.command()
def check(path: DefinitionFile) -> None:
    """Validate a definition: exit 0 with a summary, or 1 with the problem.

    A questionnaire the monthly report reads must also give a label, translated in every
    language, to each code and figure the report shows.
    """
    questionnaire = _load(path)
    try:
        problems = label_problems(questionnaire, Catalogs.load())
    except CatalogError as exc:
        problems = [str(exc)]
    if problems:
        console = Console(stderr=True)
        for problem in problems:
            console.print(f"[red]error:[/red] {path}: {problem}", markup=True, highlight=False)
        raise typer.Exit(1)
    questions = [q for q in questionnaire.questions() if q.answerable]
    typer.echo(
        f"OK {path}: {questionnaire.id} version {questionnaire.version}, "
        f"{len(questionnaire.modules)} modules, {len(questions)} questions, "
        f"{len(questionnaire.indicators)} figures, hash {definition_hash(questionnaire)[:12]}"
    )


@app.command()
def preview(
    path: DefinitionFile,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print Markdown instead of formatted text.")
    ] = False,
) -> None:
    """Show every question with its type, choices, conditions and the figures it feeds."""
    document = preview_markdown(_load(path))
    if markdown:
        typer.echo(document, nl=False)
    else:
        Console().print(Markdown(document))


@app.command()
def paths(
    path: DefinitionFile,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="The question whose answer groups the paths (default: rol, or else the first "
            "single-choice question that neither ends nor pauses, e.g. tipo_lugar).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the shortest, median and longest number of screens per role: every question
    shown, consent and safety check included, plus the review screen before sending."""
    questionnaire = _load(path)
    by = by or _grouping_question(questionnaire)
    try:
        question = questionnaire.question(by)
    except KeyError:
        typer.echo(f"error: {path} has no question '{by}'; pass --by with a question id.", err=True)
        raise typer.Exit(1) from None
    if not isinstance(question, SingleQuestion | ConsentQuestion | YesNoQuestion):
        typer.echo(
            f"error: '{by}' is a {question.type} question; --by needs a single choice.", err=True
        )
        raise typer.Exit(1)
    typer.echo(screens_summary(path_lengths(Engine(questionnaire), by), by), nl=False)


def _grouping_question(questionnaire: Questionnaire) -> str:
    """`rol` where there is one; otherwise the first question that sorts who answers."""
    ids = [question.id for question in questionnaire.questions()]
    if "rol" in ids:
        return "rol"
    return next(
        (
            q.id
            for q in questionnaire.questions()
            if isinstance(q, SingleQuestion) and q.stop is None
        ),
        "rol",
    )


@app.command(name="codebook")
def codebook_command(
    path: DefinitionFile,
    format: Annotated[
        CodebookFormat, typer.Option("--format", help="csv or md (Markdown).")
    ] = CodebookFormat.csv,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of the screen.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
) -> None:
    """Write the codebook: variable, type, Spanish text, codes, condition, figures fed."""
    questionnaire = _load(path)
    rows = codebook(questionnaire)
    text = (
        codebook_csv(rows)
        if format is CodebookFormat.csv
        else codebook_markdown(questionnaire, rows)
    )
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.exists() and not force:
        typer.echo(f"error: {out} exists; use --force to overwrite it.", err=True)
        raise typer.Exit(1)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"error: cannot write {out} ({exc.__class__.__name__}).", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Wrote {len(rows)} variables to {out}.")
