"""Staff-side reading: everything decrypted, filters, unknown keys skipped, constant memory."""

from __future__ import annotations

import asyncio
import json
import secrets
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, update
from sqlalchemy.dialects import sqlite
from sqlmodel import col

from flows.answers import SKIPPED, AnswerFormatError, Money, decode_answer, encode_answer
from storage.database import Database, open_database
from storage.keys import generate_staff_key, keyring
from storage.ratchet import new_chain_key, next_chain_key, seal_answer, seal_chain_key
from storage.reader import (
    DecodedRecord,
    DecryptedSubmission,
    RecordDecoder,
    SubmissionFilter,
    UnreadableSubmission,
    _page_query,
    assemble_answers,
    decode_record,
    read_submissions,
)
from storage.repository import Change, end_record
from storage.staff_queries import count_submissions
from storage.tables import SealedAnswer, Submission
from tests.storage.repository_support import QUESTIONNAIRE, Setup, at_version, record


async def _respond(
    setup: Setup, user_id: int, records: list[bytes], *, complete: bool, campaign: str | None
) -> None:
    pseudonym = setup.pseudonym(user_id)
    version = await setup.respond(pseudonym, records, campaign=campaign)
    if complete:
        await setup.repository().apply(
            pseudonym, update_id=10000, decide=at_version(version, Change(complete=True))
        )


async def test_staff_read_the_last_answer_per_question_in_order(database: Database) -> None:
    setup = Setup(database)
    records = [
        record("consentimiento", "acepto"),
        record("pais", "VE"),
        record("salario", Money(Decimal("3000"), "USD")),
        record("pais", "BO"),  # went back and changed it
        record("indicadores", ("retencion_salario", "amenazas")),
        record("edad", SKIPPED),
        record("testimonio", "Primera parte."),
        record("testimonio", "Segunda parte.", append=True),
        record("porcentaje", Decimal("75.5")),
    ]
    await _respond(setup, 1, records, complete=True, campaign="red_medica")
    [submission] = await setup.decrypted()
    assert submission.records == tuple(records)
    assert list(submission.answers) == [
        "consentimiento",
        "pais",
        "salario",
        "indicadores",
        "edad",
        "testimonio",
        "porcentaje",
    ]
    assert submission.answers["pais"] == "BO"
    assert submission.answers["salario"] == Money(Decimal("3000"), "USD")
    assert submission.answers["edad"] is SKIPPED
    assert submission.answers["testimonio"] == "Primera parte.\nSegunda parte."
    assert submission.malformed == 0
    meta = submission.meta
    assert (meta.status, meta.campaign, meta.questionnaire) == (
        "complete",
        "red_medica",
        QUESTIONNAIRE,
    )
    assert meta.completed_on == date(2025, 3, 14) and meta.answer_count == len(records)


def test_assembling_answers_counts_malformed_records() -> None:
    answers, malformed = assemble_answers(
        [b"not json", json.dumps({"q": 1, "v": {"t": "int", "v": 2}}).encode(), record("a", 3)]
    )
    assert answers == {"a": 3} and malformed == 2
    # A part marked `append` with nothing before it is the whole text.
    assert assemble_answers([record("t", "solo", append=True)])[0] == {"t": "solo"}


def test_text_parts_with_an_order_key_read_in_the_order_typed() -> None:
    def part(text: str, order: int, *, append: bool) -> bytes:
        value = {"q": "t", "v": {"t": "text", "v": text}, "o": order}
        return json.dumps({**value, "append": True} if append else value).encode()

    # Stored as they arrived: the second message first, the first one late.
    stored = [part("segunda", 12, append=False), part("primera", 11, append=True)]
    assert assemble_answers(stored)[0] == {"t": "primera\nsegunda"}
    # A new first part (a text given again) starts afresh.
    again = [*stored, part("otra", 20, append=False), part("más", 21, append=True)]
    assert assemble_answers(again)[0] == {"t": "otra\nmás"}


def _reference_decoding(record: bytes) -> DecodedRecord:
    """What a record means, read the plain way: json.loads, then the answer decoder."""
    try:
        obj = json.loads(record)
        question, value = obj["q"], decode_answer(obj["v"])
    except (ValueError, KeyError, TypeError, AnswerFormatError):
        return None
    if not isinstance(question, str):
        return None
    order = obj.get("o")
    if not isinstance(order, int) or isinstance(order, bool):
        order = None
    return question, value, obj.get("append") is True, order


ODD_RECORDS = [
    b'{"q":"a","v":{"t":"text","v":"S\\u00ed"}}',  # escaped
    '{"q":"a","v":{"t":"text","v":"Sí, ñandú 🙂"}}'.encode(),  # UTF-8 as the bot writes
    b' {"q":"a","v":{"t":"int","v":3}} ',  # whitespace around the value
    '{"q":"a","v":{"t":"int","v":3}}'.encode("utf-16"),  # json.loads guesses UTF-16
    '{"q":"a","v":{"t":"int","v":3}}'.encode("utf-32-le"),
    b'\xef\xbb\xbf{"q":"a","v":{"t":"int","v":3}}',  # UTF-8 byte order mark
    b'{"q":"a","v":{"t":"text","v":"\xed\xa0\x80"}}',  # a lone surrogate: json.loads passes it
    b'{"q":"a","v":{"t":"text","v":"\xff"}}',  # not UTF-8
    b'{"q":"a","v":{"t":"int","v":3}}{"q":"b","v":{"t":"int","v":4}}',  # two values
    b'{"q":"a","v":{"t":"int","v":3}},',
    b'["q","a"]',
    b'{"q":1,"v":{"t":"int","v":3}}',
    b'{"q":"a","v":{"t":"answered"}}',
    b'{"q":"a","v":{"t":"text","v":"x"},"append":1}',
    b'{"q":"a","v":{"t":"text","v":"x"},"append":true}',
    b'{"q":"a","v":{"t":"text","v":"x"},"append":true,"o":7}',
    b'{"q":"a","v":{"t":"text","v":"x"},"o":true}',
    b'{"q":"a","v":{"t":"dec","v":"NaN"}}',
    b'{"q":"a","v":{"t":"int","v":NaN}}',
    b"",
    b"\x00",
]


@pytest.mark.parametrize("raw", ODD_RECORDS)
def test_a_record_decodes_as_json_loads_reads_it(raw: bytes) -> None:
    expected = _reference_decoding(raw)
    assert decode_record(raw) == expected
    decoder = RecordDecoder()
    assert decoder(raw) == expected
    assert decoder(raw) == expected  # remembered, the same


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
_VALUES = st.one_of(
    st.just(SKIPPED),
    st.text(),
    st.lists(st.text(max_size=5), max_size=3).map(tuple),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.builds(Money, st.decimals(allow_nan=False, allow_infinity=False), st.text(max_size=3)),
)


@st.composite
def _records(draw: st.DrawFn) -> bytes:
    """Answer records as the bot writes them, damaged ones, and arbitrary bytes."""
    kind = draw(st.sampled_from(["answer", "json", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=40))
    if kind == "json":
        obj: Any = draw(_JSON)
    else:
        obj = {"q": draw(st.text(max_size=8)), "v": encode_answer(draw(_VALUES))}
        if draw(st.booleans()):
            obj["append"] = draw(st.sampled_from([True, False, 1, "true"]))
    ascii_only = draw(st.booleans())
    spaced = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    text = json.dumps(obj, ensure_ascii=ascii_only, separators=spaced)
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None)
@given(st.lists(_records(), max_size=8))
def test_decoding_records_agrees_with_json_loads(records: list[bytes]) -> None:
    decoder = RecordDecoder()
    for raw in records:
        assert decode_record(raw) == _reference_decoding(raw)
    # Assembling through a shared decoder reads what assembling record by record reads.
    twice = records + records
    assert assemble_answers(twice, decoder=decoder) == assemble_answers(twice)


def test_the_decoder_stays_bounded_and_forgets() -> None:
    decoder = RecordDecoder()
    many = [record("n", number) for number in range(10_000)]
    assert [decoder(raw) for raw in many] == [
        ("n", number, False, None) for number in range(10_000)
    ]
    assert len(decoder._known) <= 4096
    long_text = record("testimonio", "Trabajaba sin descanso. " * 10)
    assert decoder(long_text) == ("testimonio", "Trabajaba sin descanso. " * 10, False, None)
    assert long_text not in decoder._known  # free texts are not kept
    decoder.forget()
    assert not decoder._known


async def test_accented_and_appended_texts_read_back(database: Database) -> None:
    setup = Setup(database)
    records = [
        record("pais", "VE"),
        record("testimonio", "Nos quitaron el pasaporte al llegar: ¡nunca más!"),
        record("testimonio", "Mi mamá 🙏 está en Camagüey.", append=True),
        b"\xff not a record",
    ]
    await _respond(setup, 1, records, complete=True, campaign=None)
    [submission] = await setup.decrypted()
    assert submission.answers == {
        "pais": "VE",
        "testimonio": "Nos quitaron el pasaporte al llegar: ¡nunca más!\n"
        "Mi mamá 🙏 está en Camagüey.",
    }
    assert submission.malformed == 1


async def test_filters_by_status_campaign_and_day(database: Database) -> None:
    setup = Setup(database)
    await _respond(setup, 1, [record("a", "1")], complete=True, campaign="norte")
    setup.clock.advance(days=5)
    await _respond(setup, 2, [record("a", "2")], complete=True, campaign="sur")
    await _respond(setup, 3, [record("a", "3")], complete=False, campaign="norte")

    async def answers(**filters: object) -> list[str]:
        found = await setup.decrypted(filters=SubmissionFilter(**filters))  # type: ignore[arg-type]
        return sorted(str(s.answers["a"]) for s in found)

    assert await answers() == ["1", "2", "3"]
    assert await answers(statuses=frozenset({"complete"})) == ["1", "2"]
    assert await answers(campaign="norte") == ["1", "3"]
    assert await answers(since=date(2025, 3, 19)) == ["2", "3"]
    assert await answers(until=date(2025, 3, 18)) == ["1"]
    assert await answers(statuses=frozenset({"partial"})) == []


async def test_every_submission_is_read_once_across_batches(database: Database) -> None:
    setup = Setup(database)
    for user_id in range(1, 12):
        await _respond(setup, user_id, [record("n", user_id)], complete=True, campaign=None)
    found = await setup.decrypted(batch_size=3)
    assert sorted(s.answers["n"] for s in found) == list(range(1, 12))  # type: ignore[type-var]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 4, 100])
async def test_pages_skip_what_the_filters_leave_out_in_id_order(
    database: Database, batch_size: int
) -> None:
    setup = Setup(database)
    wanted = []
    for user_id in range(1, 13):
        # Every third one is left unfinished, and the days advance: filters cut across pages.
        complete = user_id % 3 != 0
        await _respond(setup, user_id, [record("n", user_id)], complete=complete, campaign=None)
        if complete and user_id > 2:
            wanted.append(user_id)
        setup.clock.advance(days=1)
    filters = SubmissionFilter(statuses=frozenset({"complete"}), since=date(2025, 3, 16))
    assert await count_submissions(database, filters) == len(wanted) == 6
    found = await setup.decrypted(filters=filters, batch_size=batch_size)
    assert [s.meta.id for s in found] == sorted(s.meta.id for s in found)
    assert sorted(s.answers["n"] for s in found) == wanted  # type: ignore[type-var]


async def test_sqlite_pages_walk_the_primary_key_instead_of_sorting(tmp_path: Path) -> None:
    # SQLite only (a query plan), so not run through the two-backend `database` fixture.
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'plan.db'}", upgrade=True)
    filters = SubmissionFilter(statuses=frozenset({"complete", "partial"}), since=date(2025, 3, 1))
    compiled = _page_query(filters, 500).compile(dialect=sqlite.dialect())
    parameters = compiled.construct_expanded_state({"after": b""})
    values = [v.isoformat() if isinstance(v, date) else v for v in parameters.positional_parameters]
    async with database.engine.connect() as connection:
        plan = await connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {parameters.statement}", tuple(values)
        )
        steps = " ".join(str(row[-1]) for row in plan)
    await database.close()
    # Not the status index and a sort of every match, for each page.
    assert "PRIMARY KEY" in steps and "TEMP B-TREE" not in steps, steps


async def test_records_under_an_unknown_key_are_reported_and_skipped(database: Database) -> None:
    setup = Setup(database)
    await _respond(setup, 1, [record("a", "old key")], complete=True, campaign=None)
    old_key = setup.staff_key
    setup.staff_key = generate_staff_key(pq=True)  # rotation to a post-quantum key
    await _respond(setup, 2, [record("a", "new key")], complete=True, campaign=None)
    setup.staff_key = generate_staff_key()  # a key nobody gives the reader
    await _respond(setup, 3, [record("a", "lost key")], complete=True, campaign=None)
    lost_key_id = setup.staff_key.key_id

    # Other keys of both suites are given, but not the two used for 2 and 3.
    given = keyring([old_key, generate_staff_key(), generate_staff_key(pq=True)])
    results = [r async for r in read_submissions(database, given)]
    readable = sorted(str(r.answers["a"]) for r in results if isinstance(r, DecryptedSubmission))
    unreadable = [r for r in results if isinstance(r, UnreadableSubmission)]
    assert readable == ["old key"]
    assert len(unreadable) == 2
    reasons = " ".join(r.reason for r in unreadable)
    assert lost_key_id.hex() in reasons and "not given" in reasons


async def test_both_rotated_keys_read_everything(database: Database) -> None:
    setup = Setup(database)
    first = setup.staff_key
    await _respond(setup, 1, [record("a", "x")], complete=True, campaign=None)
    setup.staff_key = generate_staff_key(pq=True)
    await _respond(setup, 2, [record("a", "y")], complete=True, campaign=None)
    results = [r async for r in read_submissions(database, keyring([first, setup.staff_key]))]
    assert sorted(str(r.answers["a"]) for r in results if isinstance(r, DecryptedSubmission)) == [
        "x",
        "y",
    ]


async def test_a_tampered_answer_makes_that_submission_unreadable_only(
    database: Database,
) -> None:
    setup = Setup(database)
    await _respond(setup, 1, [record("a", "x"), record("b", "y")], complete=True, campaign=None)
    await _respond(setup, 2, [record("a", "z")], complete=True, campaign=None)
    [target] = [s for s in await setup.decrypted() if len(s.records) == 2]
    async with database.engine.begin() as connection:
        await connection.execute(
            update(SealedAnswer)
            .where(col(SealedAnswer.submission_id) == target.meta.id)
            .where(col(SealedAnswer.sequence) == 1)
            .values(ciphertext=b"tampered" * 8)
        )
    results = await setup.read_all()
    unreadable = [r for r in results if isinstance(r, UnreadableSubmission)]
    assert [r.meta.id for r in unreadable] == [target.meta.id]
    assert "answer record 1" in unreadable[0].reason
    assert sum(isinstance(r, DecryptedSubmission) for r in results) == 1


async def _bulk(database: Database, setup: Setup, count: int, answers: int) -> None:
    """Insert `count` complete submissions sealed with the real cryptography, fast."""
    questionnaire_hash = QUESTIONNAIRE.hash_bytes
    submissions, sealed = [], []
    for _ in range(count):
        submission_id = secrets.token_bytes(16)
        chain_key = new_chain_key()
        submissions.append(
            {
                "id": submission_id,
                "status": "complete",
                "created_on": date(2025, 3, 1),
                "completed_on": date(2025, 3, 1),
                "campaign": None,
                "questionnaire_id": QUESTIONNAIRE.id,
                "questionnaire_version": QUESTIONNAIRE.version,
                "questionnaire_hash": QUESTIONNAIRE.hash,
                "key_id": setup.staff_key.key_id,
                "sealed_key": seal_chain_key(
                    setup.staff_key.public_key, chain_key, submission_id, questionnaire_hash
                ),
                "receipt_hash": None,
                "answer_count": answers,
            }
        )
        for sequence in range(answers + 1):
            # After the answers, the end record that closes the submission, as completion does.
            last = sequence == answers
            plaintext = end_record(sequence) if last else record(f"q{sequence}", "respuesta " * 20)
            nonce, ciphertext = seal_answer(
                chain_key, submission_id, sequence, questionnaire_hash, plaintext
            )
            sealed.append(
                {
                    "submission_id": submission_id,
                    "sequence": sequence,
                    "nonce": nonce,
                    "ciphertext": ciphertext,
                }
            )
            chain_key = next_chain_key(chain_key)
    async with database.engine.begin() as connection:
        await connection.execute(insert(Submission), submissions)
        await connection.execute(insert(SealedAnswer), sealed)


async def _peak_while_reading(setup: Setup) -> tuple[int, int]:
    keys = keyring([setup.staff_key])
    tracemalloc.start()
    try:
        count = 0
        async for result in read_submissions(setup.database, keys, batch_size=100):
            assert isinstance(result, DecryptedSubmission)
            count += 1
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_memory_stays_flat_as_the_database_grows(database: Database) -> None:
    setup = Setup(database)
    await _bulk(database, setup, 300, 5)
    small_count, small_peak = await _peak_while_reading(setup)
    await _bulk(database, setup, 1200, 5)
    large_count, large_peak = await _peak_while_reading(setup)
    assert (small_count, large_count) == (300, 1500)
    # Five times the submissions, about the same peak (one batch at a time).
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)


@pytest.mark.parametrize("read", [1, 2, 4])
async def test_stopping_early_leaves_no_fetch_running(database: Database, read: int) -> None:
    setup = Setup(database)
    for user_id in range(1, 6):
        await _respond(setup, user_id, [record("n", user_id)], complete=True, campaign=None)
    await database.scrub()  # the completions' background scrub, which is not the reader's
    reading = read_submissions(database, keyring([setup.staff_key]), batch_size=2)
    # After 2 or 4, the next page is being fetched (from the middle of each page).
    for _ in range(read):
        assert isinstance(await anext(reading), DecryptedSubmission)
    await reading.aclose()
    assert asyncio.all_tasks() == {asyncio.current_task()}
