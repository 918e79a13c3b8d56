"""What the database and the logs hold: no ids, no answers, no receipts, no pseudonyms in logs.

(tests/security/test_seizure.py plays the whole seizure, server secret included.)"""

from __future__ import annotations

import logging

import pytest

from bot.rate_limit import RateLimit
from storage.database import Database
from storage.repository import Change
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import Setup, at_version, random_telegram_id, record

ANSWER_TEXTS = [
    "Me quitaron el pasaporte en Caracas",
    "Trabajaba 14 horas al día sin descanso",
    "Amenazaron a mi familia en Holguín",
    "El 75 % del salario se lo quedaba el Estado",
]


def _user_id_forms(user_id: int) -> list[bytes]:
    return [
        user_id.to_bytes(8, "big", signed=True),
        user_id.to_bytes(8, "little", signed=True),
        str(user_id).encode(),
    ]


async def test_nothing_identifying_or_readable_is_stored_or_logged(
    database: Database, database_target: DatabaseTarget, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "aiosqlite", "asyncpg", "alembic", "storage"):
        caplog.set_level(logging.DEBUG, logger=name)
    setup = Setup(database)
    repo = setup.repository()
    finished_id, unfinished_id = random_telegram_id(), random_telegram_id()
    receipts: list[str] = []
    limit = RateLimit(60)  # the bot's flood limit, counted next to the storage it must not touch
    for user_id, complete in ((finished_id, True), (unfinished_id, False)):
        pseudonym = setup.pseudonym(user_id)
        assert limit.allow_event(setup.pseudonyms.rate(user_id))
        version = await setup.respond(
            pseudonym,
            [record("testimonio", text) for text in ANSWER_TEXTS],
            campaign="difusion_2025",
            state=b"routing: lugar_seguro=si",  # sealed by the server key
            first_update_id=500_000_000,
        )
        if complete:
            done = await repo.apply(
                pseudonym, update_id=600000000, decide=at_version(version, Change(complete=True))
            )
            assert done.receipt is not None
            receipts.append(done.receipt)

    secrets_of_respondents = [
        *_user_id_forms(finished_id),
        *_user_id_forms(unfinished_id),
        *(text.encode() for text in ANSWER_TEXTS),
        *(record("testimonio", text) for text in ANSWER_TEXTS),
        b"lugar_seguro",
        *(r.encode() for r in receipts),
        *(r.replace(" ", "").encode() for r in receipts),
    ]
    stored = database_target.stored_bytes()
    leaked = [s for s in secrets_of_respondents if database_target.holds(s, stored)]
    assert leaked == []
    # The same search finds what is in clear, so it would find a leak.
    assert database_target.holds(b"difusion_2025", stored)

    logs = caplog.text.encode()
    pseudonyms = [
        pseudonym
        for user_id in (finished_id, unfinished_id)
        for pseudonym, _ in setup.pseudonym(user_id).candidates
    ]
    in_logs = [
        s
        for s in secrets_of_respondents + pseudonyms + [repr(p).encode() for p in pseudonyms]
        if s in logs or s.hex().encode() in logs
    ]
    assert in_logs == []

    # Staff still read everything.
    results = await setup.decrypted()
    assert sorted(r.meta.status for r in results) == ["complete", "in_progress"]
    assert all(r.answers == {"testimonio": ANSWER_TEXTS[-1]} for r in results)
    assert all(len(r.records) == len(ANSWER_TEXTS) for r in results)
