"""Staff-side reading: stream submissions and decrypt them with the staff private keys."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from typing import Any, Final, NamedTuple, TypeAlias

from sqlalchemy import LargeBinary, Select, bindparam, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import col

from flows.answers import AnswerValue, decode_answer
from storage.database import Database
from storage.envelope import EnvelopeError, envelope_key_id, open_record
from storage.expiry import END_KEY
from storage.keys import StaffPrivateKey
from storage.ratchet import ChainCiphertext, ChainWalker, SealedAnswerError, open_chain_key
from storage.repository import QuestionnaireRef
from storage.tables import SUBMISSIONS, RecordFormat, SealedAnswer, Submission, SubmissionStatus

DEFAULT_BATCH_SIZE: Final = 500
# json's C scanner (typeshed does not declare it): (text, offset) -> (value, end offset).
_SCAN_VALUE: Final[Callable[[str, int], tuple[Any, int]]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
# Records this short (choice codes, numbers, amounts) recur across submissions: a read decodes
# each distinct one once. Free texts are longer and unique; the bound keeps memory flat.
_REMEMBERED_LENGTH: Final = 128
_REMEMBERED_RECORDS: Final = 4096


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
    mode: str = "directo"  # `SubmissionMode`: given directly, or recorded in an interview


# One answer record decoded: question id, value, whether it is a part to append, and a text
# part's order key (its message id; None without one); None when the record is not answer JSON.
DecodedRecord: TypeAlias = tuple[str, AnswerValue, bool, int | None] | None


class RecordDecoder:
    """Decodes answer records, remembering the short ones for the rest of one read.

    Across thousands of submissions the same few hundred records (a choice code, a year,
    an amount) come back again and again; parsing each distinct one once takes most of the
    JSON work out of reading. Decoded values are immutable, so sharing them is safe.
    """

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[bytes, DecodedRecord] = {}

    def __call__(self, record: bytes) -> DecodedRecord:
        if len(record) > _REMEMBERED_LENGTH:
            return decode_record(record)
        known = self._known
        try:
            return known[record]
        except KeyError:
            decoded = known[record] = decode_record(record)
            if len(known) > _REMEMBERED_RECORDS:
                known.clear()  # a pathological read: start remembering afresh
            return decoded

    def forget(self) -> None:
        """Drop what was remembered (at the end of a read: nothing outlives it here)."""
        self._known.clear()


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
    # The reader's decoder, shared by the submissions of one read (see `RecordDecoder`).
    decoder: Callable[[bytes], DecodedRecord] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def _assembled(self) -> tuple[dict[str, AnswerValue], int]:
        return assemble_answers(self.records, decoder=self.decoder)

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


def assemble_answers(
    records: Iterable[bytes], *, decoder: Callable[[bytes], DecodedRecord] | None = None
) -> tuple[dict[str, AnswerValue], int]:
    """The last answer per question in first-answered order, and how many records were bad.

    A record is `{"q": id, "v": encoded value}`; with `"append": true` a text value is joined
    (with a newline) to the text already given for that question, so a testimony sent in
    several messages reads as one. Parts with an order key (`"o"`, the message id) are joined
    in that order, which is the order typed even when they were stored in another.
    `decoder` (default `decode_record`) decodes one record.
    """
    decode = decode_record if decoder is None else decoder
    answers: dict[str, AnswerValue] = {}
    parts: dict[str, list[tuple[int, str]]] = {}  # ordered text parts per question
    malformed = 0
    for record in records:
        decoded = decode(record)
        if decoded is None:
            malformed += 1
            continue
        question, value, append, order = decoded
        answers[question] = _joined(parts, question, answers.get(question), value, append, order)
    return answers, malformed


def _joined(
    parts: dict[str, list[tuple[int, str]]],
    question: str,
    previous: AnswerValue | None,
    value: AnswerValue,
    append: bool,
    order: int | None,
) -> AnswerValue:
    """The answer after one record: a text part joined to the text given before it (by
    order key when the parts carry one), any other value as it is. `parts` keeps the
    ordered text parts per question."""
    if append and isinstance(previous, str) and isinstance(value, str):
        ordered = parts.get(question)
        if ordered is not None and order is not None:
            ordered.append((order, value))
            ordered.sort(key=lambda part: part[0])  # stable: equal keys keep their order
            return "\n".join(text for _, text in ordered)
        parts.pop(question, None)
        return f"{previous}\n{value}"
    if order is not None and isinstance(value, str):
        parts[question] = [(order, value)]
    else:
        parts.pop(question, None)
    return value


def decode_record(record: bytes) -> DecodedRecord:
    """One answer record as (question id, value, append), or None if it is not answer JSON."""
    try:
        obj = _parsed_record(record)
        question, value = obj["q"], decode_answer(obj["v"])
    except (ValueError, KeyError, TypeError):  # AnswerFormatError is a ValueError
        return None
    if not isinstance(question, str):
        return None
    order = obj.get("o")
    if not isinstance(order, int) or isinstance(order, bool):
        order = None
    return question, value, obj.get("append") is True, order


def _parsed_record(record: bytes) -> Any:
    """`json.loads(record)`, through json's C scanner when the record allows it.

    json.loads's own overhead (guessing the encoding, matching whitespace) cost more than
    parsing a short record. The scanner reads the UTF-8 text from its start; only a value
    that spans the whole record is taken. Anything else (whitespace around it, a NUL that
    makes json.loads guess UTF-16 or 32, bytes that are not UTF-8, a bad record) gets
    json.loads itself, so the result is always what json.loads gives.
    """
    if b"\x00" not in record:
        try:
            text = record.decode()
            value, end = _SCAN_VALUE(text, 0)
        except (StopIteration, ValueError):
            pass
        else:
            if end == len(text):
                return value
    return json.loads(record)


class _Unindexed(ColumnElement[Any]):
    """A column SQLite must not look up through an index here (`+column` on SQLite).

    Pages are read in id order. Left alone, SQLite answered a status filter from the
    (status, completed_on) index and sorted every matching submission again for each page:
    work that grows with the square of the submissions read. Walking the primary key from
    the last id read finds each page directly. (A campaign filter may use its index: that
    one lists each campaign's submissions in id order.)
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _plain_column(element: _Unindexed, compiler: SQLCompiler, **options: Any) -> str:
    return compiler.process(element.column, **options)


@compiles(_Unindexed, "sqlite")
def _unindexed_column(element: _Unindexed, compiler: SQLCompiler, **options: Any) -> str:
    return f"+{compiler.process(element.column, **options)}"


def _page_query(filters: SubmissionFilter, batch_size: int) -> Select[*tuple[Any, ...]]:
    """The next `batch_size` matching submissions after the id bound to `after`."""
    query = select(*_METADATA_COLUMNS)
    if filters.statuses is not None:
        query = query.where(_Unindexed(SUBMISSIONS.c.status).in_(sorted(filters.statuses)))
    if filters.campaign is not None:
        query = query.where(col(Submission.campaign) == filters.campaign)
    day = func.coalesce(col(Submission.completed_on), col(Submission.created_on))
    if filters.since is not None:
        query = query.where(day >= filters.since)
    if filters.until is not None:
        query = query.where(day <= filters.until)
    after = bindparam("after", type_=LargeBinary)
    return query.where(col(Submission.id) > after).order_by(col(Submission.id)).limit(batch_size)


def _day(value: date | str) -> date:
    # SQLite's driver returns dates as SQLAlchemy stores them there: ISO text.
    return date.fromisoformat(value) if isinstance(value, str) else value


class _Metas:
    """Builds `SubmissionMeta`s, with one `QuestionnaireRef` per definition for a read."""

    def __init__(self) -> None:
        self._refs: dict[tuple[str, int, str], QuestionnaireRef] = {}

    def __call__(self, row: _SubmissionRow) -> SubmissionMeta:
        """The meta of a row of `_METADATA_COLUMNS`."""
        key = (row.questionnaire_id, row.questionnaire_version, row.questionnaire_hash)
        ref = self._refs.get(key)
        if ref is None:
            ref = self._refs[key] = QuestionnaireRef(*key)
        return SubmissionMeta(
            id=bytes(row.id),
            status=row.status,
            created_on=_day(row.created_on),
            completed_on=None if row.completed_on is None else _day(row.completed_on),
            campaign=row.campaign,
            questionnaire=ref,
            key_id=bytes(row.key_id),
            answer_count=row.answer_count,
            mode=row.mode,
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
# One sealed record as the page query returns it: submission id, sequence, nonce, ciphertext.
_SealedRow: TypeAlias = Sequence[Any]


def _decrypt(
    meta: SubmissionMeta,
    record_format: int,
    sealed_key: bytes,
    sealed_answers: Sequence[_SealedRow],
    private_keys: Mapping[bytes, StaffPrivateKey],
    decoder: RecordDecoder,
) -> ReadResult:
    # Every record must be there: sequences 0..n-1 with n the stored answer count, then the
    # end record at n if the submission was closed with one. A gap or a missing tail means
    # records were dropped.
    count = meta.answer_count
    sequences = [row[1] for row in sealed_answers]
    if sequences != list(range(count)) and sequences != list(range(count + 1)):
        return UnreadableSubmission(meta, INCOMPLETE)
    try:
        questionnaire_hash = meta.questionnaire.hash_bytes
    except ValueError:  # a questionnaire hash that is not 32 bytes of hex
        return UnreadableSubmission(meta, "its questionnaire hash is damaged")
    if record_format == RecordFormat.SEALED:
        opened = _open_sealed(meta, questionnaire_hash, sealed_answers, private_keys)
    else:
        opened = _open_ratchet(meta, questionnaire_hash, sealed_key, sealed_answers, private_keys)
    if isinstance(opened, UnreadableSubmission):
        return opened
    records = opened
    # A completed submission ends with a sealed record stating how many came before it, so a
    # dropped tail is noticed even if the stored count was edited to match. Expiry (the bot's
    # or `oclep-admin purge`) seals one too; a format 1 partial submission whose chain key
    # could not be opened at expiry has none, and its count is only the stored one.
    if len(records) == count + 1:
        if _end_count(records.pop()) != count:
            return UnreadableSubmission(meta, INCOMPLETE)
    elif meta.status == SubmissionStatus.COMPLETE.value:
        return UnreadableSubmission(meta, INCOMPLETE)
    return DecryptedSubmission(meta, tuple(records), decoder)


def _open_sealed(
    meta: SubmissionMeta,
    questionnaire_hash: bytes,
    sealed_answers: Sequence[_SealedRow],
    private_keys: Mapping[bytes, StaffPrivateKey],
) -> list[bytes] | UnreadableSubmission:
    """Format 2: one HPKE open per record, each with the key its envelope names."""
    records: list[bytes] = []
    for _, sequence, _, envelope in sealed_answers:
        try:
            records.append(
                open_record(private_keys, envelope, meta.id, sequence, questionnaire_hash)
            )
        except EnvelopeError:
            key_id = envelope_key_id(envelope)
            if key_id is not None and key_id not in private_keys:
                return UnreadableSubmission(
                    meta, f"sealed to key {key_id.hex()}, which was not given"
                )
            return UnreadableSubmission(meta, f"answer record {sequence} cannot be opened")
    return records


def _open_ratchet(
    meta: SubmissionMeta,
    questionnaire_hash: bytes,
    sealed_key: bytes,
    sealed_answers: Sequence[_SealedRow],
    private_keys: Mapping[bytes, StaffPrivateKey],
) -> list[bytes] | UnreadableSubmission:
    """Format 1: K0 opened once with the staff key, every record under its ratchet key."""
    key_id = envelope_key_id(sealed_key)
    if key_id is None:
        return UnreadableSubmission(meta, "its sealed key is damaged")
    if key_id not in private_keys:
        return UnreadableSubmission(meta, f"sealed to key {key_id.hex()}, which was not given")
    try:
        k0 = open_chain_key(private_keys, sealed_key, meta.id, questionnaire_hash)
    except EnvelopeError:
        return UnreadableSubmission(meta, "its sealed key cannot be opened with the given key")
    walker = ChainWalker(k0, meta.id, questionnaire_hash)
    records: list[bytes] = []
    for _, sequence, nonce, ciphertext in sealed_answers:
        try:
            records.append(walker.open(sequence, ChainCiphertext(nonce, ciphertext)))
        except SealedAnswerError:
            return UnreadableSubmission(meta, f"answer record {sequence} cannot be opened")
    return records


@dataclass(frozen=True)
class _Page:
    submissions: list[Sequence[Any]]  # the metadata columns, in id order
    answers: dict[bytes, list[_SealedRow]]  # submission id -> its sealed records in order

    @property
    def last_id(self) -> bytes:
        return bytes(self.submissions[-1][0])


class _SubmissionRow(NamedTuple):
    """A row of `_METADATA_COLUMNS`: one submission's clear metadata and sealed key."""

    id: bytes
    status: str
    created_on: date | str
    completed_on: date | str | None
    campaign: str | None
    questionnaire_id: str
    questionnaire_version: int
    questionnaire_hash: str
    key_id: bytes
    sealed_key: bytes
    answer_count: int
    record_format: int
    mode: str


# Selected in the order of `_SubmissionRow`'s fields, so that a row is read by name.
_METADATA_COLUMNS = tuple(col(getattr(Submission, name)) for name in _SubmissionRow._fields)
_SEALED_ANSWERS_OF = (
    select(
        col(SealedAnswer.submission_id),
        col(SealedAnswer.sequence),
        col(SealedAnswer.nonce),
        col(SealedAnswer.ciphertext),
    )
    .where(col(SealedAnswer.submission_id).in_(bindparam("ids", expanding=True)))
    .order_by(col(SealedAnswer.submission_id), col(SealedAnswer.sequence))
)
# How many submissions are decrypted between two turns of the event loop: the next page is
# fetched meanwhile, and a bot sharing the loop stays responsive.
_YIELD_EVERY: Final = 25


_Rows: TypeAlias = Callable[[Select[*tuple[Any, ...]], dict[str, Any]], Awaitable[list[Any]]]


async def _fetch_page(
    database: Database, page_query: Select[*tuple[Any, ...]], after: bytes
) -> _Page | None:
    """The page after `after`: its submissions and their sealed records, in one snapshot
    (SQLite: one transaction; PostgreSQL: one read-only REPEATABLE READ transaction, so a
    submission withdrawn meanwhile is read whole or not at all).

    The statements are Core statements compiled for the connection's dialect, but their rows
    come straight from the driver (tuples, asyncpg records): a page is some 16 000 sealed
    records, and SQLAlchemy's result layer (a Row object and type processing per value)
    cost more than the database's own work on them.
    """
    async with database.engine.connect() as connection:
        dialect = connection.dialect
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None, "an open connection has its driver's connection"

        async def rows(statement: Select[*tuple[Any, ...]], parameters: dict[str, Any]) -> Any:
            state = statement.compile(dialect=dialect).construct_expanded_state(parameters)
            values = state.positional_parameters
            if database.is_sqlite:
                # Dates as SQLAlchemy stores them in SQLite: ISO text.
                values = tuple(v.isoformat() if isinstance(v, date) else v for v in values)
                return await driver.execute_fetchall(state.statement, values)
            return await driver.fetch(state.statement, *values)

        if database.is_sqlite:
            async with connection.begin():  # BEGIN (storage.database): one snapshot
                return await _read_page(rows, page_query, after)
        async with driver.transaction(isolation="repeatable_read", readonly=True):
            return await _read_page(rows, page_query, after)


async def _read_page(
    rows: _Rows, page_query: Select[*tuple[Any, ...]], after: bytes
) -> _Page | None:
    submissions = list(await rows(page_query, {"after": after}))
    if not submissions:
        return None
    ids = [bytes(row[0]) for row in submissions]
    answers: dict[bytes, list[_SealedRow]] = {i: [] for i in ids}
    # Grouped in one pass: the records come ordered by submission id, then sequence.
    found = await rows(_SEALED_ANSWERS_OF, {"ids": ids})
    for submission_id, records in groupby(found, itemgetter(0)):
        answers[bytes(submission_id)] = list(records)
    return _Page(submissions, answers)


async def read_submissions(
    database: Database,
    private_keys: Mapping[bytes, StaffPrivateKey],
    *,
    filters: SubmissionFilter | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> AsyncGenerator[ReadResult, None]:
    """Stream matching submissions, decrypted, in id order, `batch_size` at a time.

    Memory stays constant whatever the size of the database: at most a page and a half of
    submissions and their answers are held (the one being decrypted and the next, fetched
    while its second half is decrypted), by keyset pagination on the id in short read
    transactions.
    A submission sealed to a key not in `private_keys`, or damaged, is yielded as an
    `UnreadableSubmission` and reading goes on.
    """
    page_query = _page_query(filters or SubmissionFilter(), batch_size)
    metas = _Metas()
    decoder = RecordDecoder()

    def fetch_after(last_id: bytes) -> asyncio.Task[_Page | None]:
        return asyncio.create_task(_fetch_page(database, page_query, last_id))

    # Every id is greater than the empty one (SQLite and PostgreSQL compare bytes).
    upcoming: asyncio.Task[_Page | None] | None = fetch_after(b"")
    try:
        while upcoming is not None and (page := await upcoming) is not None:
            upcoming = None
            # The next page is asked for halfway through this one, whose first half is let
            # go by then; a short page is the last, with no query for an empty one after it.
            full = len(page.submissions) == batch_size
            halfway = len(page.submissions) // 2 if full else -1
            for position, raw in enumerate(page.submissions):
                row = _SubmissionRow._make(raw)
                if position == halfway:
                    upcoming = fetch_after(page.last_id)
                if position % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                meta = metas(row)
                answers = page.answers.pop(meta.id)
                yield _decrypt(
                    meta, row.record_format, bytes(row.sealed_key), answers, private_keys, decoder
                )
    finally:
        decoder.forget()
        # A page still being fetched is one short read: it is let finish rather than
        # cancelled (a cancelled PostgreSQL query makes asyncpg open a second connection
        # to stop it), and dropped.
        if upcoming is not None:
            try:
                with contextlib.suppress(Exception):
                    await upcoming
            except asyncio.CancelledError:
                upcoming.cancel()
                raise
