"""Staff-side reading: stream submissions and decrypt them with the staff private keys."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import accumulate
from typing import Any, Final, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Row
from sqlmodel import col

from flows.answers import AnswerFormatError, AnswerValue, decode_answer
from storage.database import Database
from storage.envelope import EnvelopeError, envelope_key_id
from storage.keys import StaffPrivateKey
from storage.ratchet import ChainWalker, SealedAnswerError, open_chain_key
from storage.ratchet import SealedAnswer as SealedRecord
from storage.repository import END_KEY, QuestionnaireRef
from storage.tables import SealedAnswer, Submission, SubmissionStatus

DEFAULT_BATCH_SIZE: Final = 500
# json's C scanner (typeshed does not declare it): (text, offset) -> (value, end offset).
_SCAN_VALUE: Final[Callable[[str, int], tuple[Any, int]]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]

_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class SubmissionFilter:
    """Which submissions to read. `since`/`until` are inclusive and apply to the completion
    day, or to the start day of submissions that never completed."""

    statuses: frozenset[str] | None = None
    since: date | None = None
    until: date | None = None
    campaign: str | None = None


@dataclass(frozen=True)
class SubmissionMeta:
    """What the database says about a submission in clear."""

    id: bytes
    status: str
    created_on: date
    completed_on: date | None
    campaign: str | None
    questionnaire: QuestionnaireRef
    key_id: bytes
    answer_count: int


@dataclass(frozen=True)
class DecryptedSubmission:
    """A submission opened with a staff key.

    `records` are the answer-record plaintexts in sequence order. `answers` (computed on
    first use) is the last value per question, in the order questions were first answered,
    with text parts marked `append` joined; `malformed` counts records that are not answer
    JSON.
    """

    meta: SubmissionMeta
    records: tuple[bytes, ...] = field(repr=False)

    @cached_property
    def _assembled(self) -> tuple[dict[str, AnswerValue], int]:
        return assemble_answers(self.records)

    @property
    def answers(self) -> dict[str, AnswerValue]:
        return self._assembled[0]

    @property
    def malformed(self) -> int:
        return self._assembled[1]


@dataclass(frozen=True)
class UnreadableSubmission:
    """A submission that could not be opened, and why (reported, then skipped)."""

    meta: SubmissionMeta
    reason: str


ReadResult = DecryptedSubmission | UnreadableSubmission


def assemble_answers(records: Iterable[bytes]) -> tuple[dict[str, AnswerValue], int]:
    """The last answer per question in first-answered order, and how many records were bad.

    A record is `{"q": id, "v": encoded value}`; with `"append": true` a text value is joined
    (with a newline) to the text already given for that question, so a testimony sent in
    several messages reads as one.
    """
    answers: dict[str, AnswerValue] = {}
    malformed = 0
    all_records = list(records)
    joined = b"".join(all_records)
    # Offsets in bytes equal offsets in characters only for ASCII; a NUL would change how
    # json.loads guesses a record's encoding, so such records are read one by one.
    text = joined.decode("ascii") if joined.isascii() and b"\x00" not in joined else None
    # The running totals from 0 are each record's start; the last (the end) goes unused.
    starts = accumulate((len(r) for r in all_records), initial=0)
    for record, start in zip(all_records, starts, strict=False):
        try:
            obj = _parsed_record(record, text, start)
            question, value = obj["q"], decode_answer(obj["v"])
            if not isinstance(question, str):
                raise AnswerFormatError("question id is not a string")
        except (ValueError, KeyError, TypeError, AnswerFormatError):
            malformed += 1
            continue
        previous = answers.get(question)
        if obj.get("append") is True and isinstance(previous, str) and isinstance(value, str):
            value = f"{previous}\n{value}"
        answers[question] = value
    return answers, malformed


def _parsed_record(record: bytes, text: str | None, start: int) -> Any:
    """`json.loads(record)`, read from `text` at `start` (where the record is) when given.

    A submission has dozens of records and json.loads's per-call overhead dominated reading
    them; the scanner parses one value at an offset of the joined text instead. Only a value
    ending exactly at the record's end is taken, so a record is never read together with its
    neighbours; anything else (whitespace around it, a bad record) gets json.loads itself.
    """
    if text is not None:
        try:
            value, end = _SCAN_VALUE(text, start)
        except (StopIteration, ValueError):
            pass
        else:
            if end == start + len(record):
                return value
    return json.loads(record)


def _filtered(query: _Query, filters: SubmissionFilter) -> _Query:
    if filters.statuses is not None:
        query = query.where(col(Submission.status).in_(sorted(filters.statuses)))
    if filters.campaign is not None:
        query = query.where(col(Submission.campaign) == filters.campaign)
    day = func.coalesce(col(Submission.completed_on), col(Submission.created_on))
    if filters.since is not None:
        query = query.where(day >= filters.since)
    if filters.until is not None:
        query = query.where(day <= filters.until)
    return query


def _meta(row: Row[*tuple[Any, ...]]) -> SubmissionMeta:
    return SubmissionMeta(
        id=bytes(row.id),
        status=row.status,
        created_on=row.created_on,
        completed_on=row.completed_on,
        campaign=row.campaign,
        questionnaire=QuestionnaireRef(
            row.questionnaire_id, row.questionnaire_version, row.questionnaire_hash
        ),
        key_id=bytes(row.key_id),
        answer_count=row.answer_count,
    )


def _end_count(record: bytes) -> int | None:
    """The count an end record states, or None if `record` is not an end record."""
    try:
        obj = json.loads(record)
    except ValueError:
        return None
    if not isinstance(obj, dict) or set(obj) != {END_KEY}:
        return None
    count = obj[END_KEY]
    return count if isinstance(count, int) and not isinstance(count, bool) else None


INCOMPLETE: Final = "incomplete"


def _decrypt(
    meta: SubmissionMeta,
    sealed_key: bytes,
    sealed_answers: Sequence[tuple[int, bytes, bytes]],
    private_keys: Mapping[bytes, StaffPrivateKey],
) -> ReadResult:
    key_id = envelope_key_id(sealed_key)
    if key_id is None:
        return UnreadableSubmission(meta, "its sealed key is damaged")
    if key_id not in private_keys:
        return UnreadableSubmission(meta, f"sealed to key {key_id.hex()}, which was not given")
    # Every record must be there: sequences 0..n-1 with n the stored answer count, then the
    # end record at n if the submission was closed with one. A gap or a missing tail means
    # records were dropped (the chain would still open the rest).
    count = meta.answer_count
    sequences = [row[0] for row in sealed_answers]
    if sequences != list(range(count)) and sequences != list(range(count + 1)):
        return UnreadableSubmission(meta, INCOMPLETE)
    try:
        questionnaire_hash = meta.questionnaire.hash_bytes
        k0 = open_chain_key(private_keys, sealed_key, meta.id, questionnaire_hash)
    except ValueError:  # a questionnaire hash that is not 32 bytes of hex
        return UnreadableSubmission(meta, "its questionnaire hash is damaged")
    except EnvelopeError:
        return UnreadableSubmission(meta, "its sealed key cannot be opened with the given key")
    walker = ChainWalker(k0, meta.id, questionnaire_hash)
    records: list[bytes] = []
    for sequence, nonce, ciphertext in sealed_answers:
        try:
            records.append(walker.open(sequence, SealedRecord(nonce, ciphertext)))
        except SealedAnswerError:
            return UnreadableSubmission(meta, f"answer record {sequence} cannot be opened")
    # A completed submission ends with a sealed record stating how many came before it, so a
    # dropped tail is noticed even if the stored count was edited to match. Expiry seals one
    # too when it runs with the server secret; a partial submission expired without it
    # (`oclep-admin purge`) has none, and its count is only the stored one.
    if len(records) == count + 1:
        if _end_count(records.pop()) != count:
            return UnreadableSubmission(meta, INCOMPLETE)
    elif meta.status == SubmissionStatus.COMPLETE.value:
        return UnreadableSubmission(meta, INCOMPLETE)
    return DecryptedSubmission(meta, tuple(records))


@dataclass(frozen=True)
class _Page:
    submissions: Sequence[Row[*tuple[Any, ...]]]
    answers: dict[bytes, list[tuple[int, bytes, bytes]]]

    @property
    def last_id(self) -> bytes:
        return bytes(self.submissions[-1].id)


_METADATA_COLUMNS = (
    col(Submission.id),
    col(Submission.status),
    col(Submission.created_on),
    col(Submission.completed_on),
    col(Submission.campaign),
    col(Submission.questionnaire_id),
    col(Submission.questionnaire_version),
    col(Submission.questionnaire_hash),
    col(Submission.key_id),
    col(Submission.sealed_key),
    col(Submission.answer_count),
)
# How many submissions are decrypted between two turns of the event loop: the next page is
# fetched meanwhile, and a bot sharing the loop stays responsive.
_YIELD_EVERY: Final = 25


async def _fetch_page(
    database: Database, filters: SubmissionFilter, batch_size: int, after: bytes | None
) -> _Page | None:
    page = _filtered(select(*_METADATA_COLUMNS), filters).order_by(col(Submission.id))
    if after is not None:
        page = page.where(col(Submission.id) > after)
    async with database.engine.connect() as connection:
        submissions = (await connection.execute(page.limit(batch_size))).all()
        if not submissions:
            return None
        ids = [bytes(row.id) for row in submissions]
        answer_rows = await connection.execute(
            select(
                col(SealedAnswer.submission_id),
                col(SealedAnswer.sequence),
                col(SealedAnswer.nonce),
                col(SealedAnswer.ciphertext),
            )
            .where(col(SealedAnswer.submission_id).in_(ids))
            .order_by(col(SealedAnswer.submission_id), col(SealedAnswer.sequence))
        )
        answers: dict[bytes, list[tuple[int, bytes, bytes]]] = {i: [] for i in ids}
        for submission_id, sequence, nonce, ciphertext in answer_rows:
            answers[bytes(submission_id)].append((sequence, nonce, ciphertext))
    return _Page(submissions, answers)


async def read_submissions(
    database: Database,
    private_keys: Mapping[bytes, StaffPrivateKey],
    *,
    filters: SubmissionFilter | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> AsyncGenerator[ReadResult, None]:
    """Stream matching submissions, decrypted, in id order, `batch_size` at a time.

    Memory stays constant whatever the size of the database: at most two pages of
    submissions and their answers are held (the one being decrypted and the next, fetched
    meanwhile), by keyset pagination on the id in short read transactions.
    A submission sealed to a key not in `private_keys`, or damaged, is yielded as an
    `UnreadableSubmission` and reading goes on.
    """
    filters = filters or SubmissionFilter()
    upcoming = asyncio.create_task(_fetch_page(database, filters, batch_size, None))
    try:
        while (page := await upcoming) is not None:
            upcoming = asyncio.create_task(_fetch_page(database, filters, batch_size, page.last_id))
            for position, row in enumerate(page.submissions):
                if position % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                meta = _meta(row)
                answers = page.answers.pop(meta.id)
                yield _decrypt(meta, bytes(row.sealed_key), answers, private_keys)
    finally:
        upcoming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await upcoming
