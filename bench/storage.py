"""Storage benchmark: answers recorded per second, and staff reading against the crypto floor.

Run: `.venv/bin/python bench/storage.py [--quick]`. PostgreSQL is measured too when
OCLEP_TEST_DATABASE_URL (or the local default) reaches a server; it works in a throw-away
schema. Every ratio compares numbers measured in this same run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# Run as a script, this file's folder is on sys.path and its own name would shadow
# the `storage` package: the project root goes first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.ext.asyncio import create_async_engine

from bench.sealing import SealedSubmission, crypto_floor, insert_sealed, seal_submission
from storage.database import (
    Database,
    DatabaseError,
    open_database,
    parse_database_url,
)
from storage.keys import StaffPrivateKey, generate_staff_key, keyring
from storage.pseudonyms import Pseudonyms
from storage.reader import DecryptedSubmission, read_submissions
from storage.repository import Change, Decided, QuestionnaireRef, Repository
from storage.server_secret import ServerSecret

QUESTIONNAIRE = QuestionnaireRef("bench", 1, hashlib.sha256(b"bench").hexdigest())
ANSWER = b'{"q":"testimonio","v":{"t":"text","v":"' + b"Trabajaba sin descanso. " * 4 + b'"}}'
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Sizes:
    respondents: int
    answers_each: int
    read_small: int
    read_large: int
    answers_per_submission: int
    rounds: int


FULL = Sizes(respondents=40, answers_each=25, read_small=1_000, read_large=10_000,
             answers_per_submission=40, rounds=3)  # fmt: skip
QUICK = Sizes(respondents=10, answers_each=10, read_small=500, read_large=1_500,
              answers_per_submission=40, rounds=2)  # fmt: skip


# --- building data fast, with the real cryptography (bench/sealing.py) ---


def seal_submissions(key: StaffPrivateKey, count: int, answers: int) -> Iterator[SealedSubmission]:
    for _ in range(count):
        yield seal_submission(
            key.public_key,
            QUESTIONNAIRE,
            [ANSWER] * answers,
            created_on=date(2025, 3, 1),
            completed_on=date(2025, 3, 2),
            campaign="bench",
        )


async def bulk_insert(database: Database, key: StaffPrivateKey, count: int, answers: int) -> None:
    await insert_sealed(database, seal_submissions(key, count, answers))


# --- measurements ---


async def answers_per_second(database: Database, sizes: Sizes, *, concurrent: bool) -> float:
    now = datetime(2025, 3, 1, tzinfo=UTC)
    secret = ServerSecret.generate(now.date())
    pseudonyms = Pseudonyms(secret, draft_ttl_days=30, clock=now.date)
    key = generate_staff_key()
    repo = Repository(database, secret, key.public_key, clock=lambda: now)

    async def respondent(user_id: int) -> None:
        await pseudonyms.warm(user_id)
        pseudonym = pseudonyms.draft_key(user_id)
        draft = await repo.start_or_resume(
            pseudonym, questionnaire=QUESTIONNAIRE, campaign=None, initial_state=b"x" * 200
        )
        assert draft.version == 1
        change = Change(state=b"x" * 200, answers=(ANSWER,))
        for update_id in range(sizes.answers_each):
            result = await repo.apply(
                pseudonym, update_id=update_id, decide=lambda _draft: Decided(change, None)
            )
            assert result.draft is not None

    base = secrets.randbelow(10**9) + 10**9
    users = [base + i for i in range(sizes.respondents)]
    start = time.perf_counter()
    if concurrent:
        await asyncio.gather(*(respondent(u) for u in users))
    else:
        for user in users:
            await respondent(user)
    return sizes.respondents * sizes.answers_each / (time.perf_counter() - start)


async def read_rate(database: Database, key: StaffPrivateKey) -> tuple[int, float]:
    keys = keyring([key])
    start = time.perf_counter()
    count = 0
    async for result in read_submissions(database, keys):
        assert isinstance(result, DecryptedSubmission)
        count += 1
    return count, count / (time.perf_counter() - start)


async def read_peak_memory(database: Database, key: StaffPrivateKey) -> int:
    keys = keyring([key])
    gc.collect()
    tracemalloc.start()
    try:
        async for _ in read_submissions(database, keys):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- databases ---


@asynccontextmanager
async def sqlite_database(folder: Path, name: str) -> Any:
    database = await open_database(f"sqlite+aiosqlite:///{folder / name}")
    try:
        yield database
    finally:
        await database.close()


@asynccontextmanager
async def postgres_database() -> Any:
    server = parse_database_url(os.environ.get("OCLEP_TEST_DATABASE_URL", DEFAULT_POSTGRES))
    schema = f"oclep_bench_{secrets.token_hex(4)}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = server.update_query_dict({"search_path": schema})
        database = await open_database(url.render_as_string(hide_password=False), upgrade=True)
        try:
            yield database
        finally:
            await database.close()
    finally:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.dispose()


async def postgres_reachable() -> bool:
    try:
        async with postgres_database():
            return True
    except (DatabaseError, OSError) as exc:
        print(f"PostgreSQL: not measured ({type(exc).__name__}).")
        return False


# --- report ---


async def bench_backend(label: str, database: Database, sizes: Sizes) -> None:
    sequential = await answers_per_second(database, sizes, concurrent=False)
    concurrent = await answers_per_second(database, sizes, concurrent=True)
    print(f"{label}: answers recorded/s  one respondent at a time {sequential:8.0f}")
    print(
        f"{label}: answers recorded/s  {sizes.respondents} respondents at once  {concurrent:8.0f}"
    )


async def bench_reading(label: str, database: Database, sizes: Sizes) -> None:
    key = generate_staff_key()
    per = sizes.answers_per_submission
    started = time.perf_counter()
    await bulk_insert(database, key, sizes.read_small, per)
    small_peak = await read_peak_memory(database, key)
    await bulk_insert(database, key, sizes.read_large - sizes.read_small, per)
    built = time.perf_counter() - started
    large_peak = await read_peak_memory(database, key)
    # Alternate the two measurements and keep the best of each: other load on the machine
    # then disturbs both alike instead of whichever happened to run during it.
    floor_data = list(seal_submissions(key, min(sizes.read_large, 2_000), per))
    count, rate, floor = 0, 0.0, 0.0
    for _ in range(sizes.rounds):
        count, this_rate = await read_rate(database, key)
        rate, floor = max(rate, this_rate), max(floor, crypto_floor(key, floor_data))
    print(f"{label}: built {count} submissions x {per} sealed answers in {built:.1f} s")
    print(
        f"{label}: reading {rate:8.0f} submissions/s; crypto floor {floor:8.0f} submissions/s;"
        f" ratio {rate / floor:.2f} (target >= 0.5)"
    )
    print(
        f"{label}: peak memory while reading {sizes.read_small} submissions"
        f" {small_peak / 2**20:.1f} MiB, {sizes.read_large} submissions"
        f" {large_peak / 2**20:.1f} MiB; ratio {large_peak / small_peak:.2f} (flat ~ 1)"
    )


async def main(quick: bool) -> None:
    sizes = QUICK if quick else FULL
    print(f"storage benchmark ({'quick' if quick else 'full'}), Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        async with sqlite_database(Path(folder), "answers.db") as database:
            await bench_backend("SQLite", database, sizes)
        async with sqlite_database(Path(folder), "reading.db") as database:
            await bench_reading("SQLite", database, sizes)
    if await postgres_reachable():
        async with postgres_database() as database:
            await bench_backend("PostgreSQL", database, sizes)
        async with postgres_database() as database:
            await bench_reading("PostgreSQL", database, sizes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    asyncio.run(main(parser.parse_args().quick))
