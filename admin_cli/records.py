"""Decrypted submissions made final: pruned answers, derived figures and review flags.

Shared by export and report, so that a spreadsheet row and a report count always read the
same answers: the last answer per question wins (the reader assembles them), then the engine
of the submission's own questionnaire version drops answers on branches made irrelevant by
going back, then `flows.derive` computes the figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from admin_cli.errors import CommandError
from admin_cli.report.model import ReportRecord
from admin_cli.report.money import AMOUNT_FLAGS, amount_flags
from flows.answers import AnswerValue
from flows.derive import Derivation, Figure
from flows.engine import Engine
from flows.loader import definition_hash, load_questionnaire
from flows.model import Questionnaire
from flows.shipped import load_all_shipped
from storage.reader import DecryptedSubmission

DAMAGED_RECORDS: Final = "damaged_records"
# Review flags: reasons for staff to look at the source answers of a row.
REVIEW_FLAGS: Final = {
    **AMOUNT_FLAGS,
    DAMAGED_RECORDS: "Some answer records of this submission were not valid answer JSON and "
    "were left out.",
}


class DefinitionCatalog:
    """The questionnaire definitions staff can read submissions with, found by their hash."""

    def __init__(self, questionnaires: Iterable[Questionnaire]) -> None:
        self._engines: dict[str, Engine] = {}
        # Compiled once per definition: a report derives every submission with it.
        self._derivations: dict[str, Derivation] = {}
        for questionnaire in questionnaires:
            digest = definition_hash(questionnaire)
            if digest not in self._engines:
                self._engines[digest] = Engine(questionnaire)
                self._derivations[digest] = Derivation(questionnaire)

    @classmethod
    def load(cls, paths: Iterable[Path] = ()) -> DefinitionCatalog:
        """The shipped definitions plus `paths` (files, or folders of *.yaml files)."""
        files: list[Path] = []
        for path in paths:
            files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        return cls([*load_all_shipped(), *(load_questionnaire(file) for file in files)])

    def engine(self, definition_hash_hex: str) -> Engine | None:
        return self._engines.get(definition_hash_hex)

    def derivation(self, definition_hash_hex: str) -> Derivation:
        """The compiled figures of that definition (`flows.derive.Derivation`)."""
        return self._derivations[definition_hash_hex]

    @property
    def questionnaires(self) -> list[Questionnaire]:
        """Every definition, by questionnaire id then version."""
        found = [engine.questionnaire for engine in self._engines.values()]
        return sorted(found, key=lambda q: (q.id, q.version))


@dataclass(frozen=True)
class SubmissionRecord:
    """One submission as staff analyse it."""

    source: DecryptedSubmission
    questionnaire: Questionnaire
    answers: dict[str, AnswerValue]  # pruned, in questionnaire order
    figures: dict[str, Figure]  # every indicator, in file order
    review: tuple[str, ...]  # keys of REVIEW_FLAGS

    @property
    def status(self) -> str:
        return self.source.meta.status


def final_record(submission: DecryptedSubmission, catalog: DefinitionCatalog) -> SubmissionRecord:
    """Prune, derive and flag one decrypted submission.

    `CommandError` when the catalog lacks the submission's questionnaire definition: reading
    answers with another version's rules would silently miscount.
    """
    ref = submission.meta.questionnaire
    engine = catalog.engine(ref.hash)
    if engine is None:
        raise CommandError(
            f"Some submissions answer questionnaire {ref.id} version {ref.version} "
            f"(hash {ref.hash[:12]}), whose definition was not given; pass its YAML file "
            "with --questionnaire."
        )
    answers = engine.prune_answers(submission.answers)
    figures = catalog.derivation(ref.hash)(answers)
    return SubmissionRecord(
        source=submission,
        questionnaire=engine.questionnaire,
        answers=answers,
        figures=figures,
        review=_review_flags(answers, figures, submission.malformed),
    )


def _review_flags(
    answers: Mapping[str, AnswerValue], figures: Mapping[str, Figure], malformed: int
) -> tuple[str, ...]:
    flags = list(amount_flags(answers, figures))
    if malformed:
        flags.append(DAMAGED_RECORDS)
    return tuple(flags)


def report_record(record: SubmissionRecord) -> ReportRecord:
    """The record as the report library reads it (complete and partial submissions only)."""
    meta = record.source.meta
    if meta.status not in ("complete", "partial"):
        raise ValueError(f"a {meta.status} submission does not go into a report")
    # A field report (INVESTIGATOR_ONLY) goes in too: the report's tally keeps it apart from
    # the testimonies, in tables of its own (docs/methodology.md §12.3).
    return ReportRecord(
        status="complete" if meta.status == "complete" else "partial",
        created_on=meta.created_on,
        completed_on=meta.completed_on,
        campaign=meta.campaign,
        questionnaire_id=meta.questionnaire.id,
        questionnaire_version=meta.questionnaire.version,
        questionnaire_hash=meta.questionnaire.hash,
        answers=record.answers,
        mode=meta.mode,
        figures=record.figures,
    )
