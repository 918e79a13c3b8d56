"""Shared fixtures: the same tests run on SQLite always and on PostgreSQL when configured.

`OCLEP_TEST_DATABASE_URL` (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test) names a
server and a database; every test gets its own fresh schema there, dropped afterwards, so
tests are isolated and can run repeatedly and in parallel.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.database import Database, open_database, parse_database_url

POSTGRES_ENV = "OCLEP_TEST_DATABASE_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_ENV) else [])


@dataclass(frozen=True)
class DatabaseTarget:
    """Where a test's database lives, and how to read everything it holds at rest."""

    kind: str  # "sqlite" | "postgresql"
    url: str
    path: Path | None = None  # the SQLite file
    schema: str | None = None  # the PostgreSQL schema holding this test's tables

    def stored_bytes(self) -> bytes:
        """SQLite: the database file and its WAL; PostgreSQL: a pg_dump of the test's schema."""
        if self.path is not None:
            parts = [self.path, Path(f"{self.path}-wal")]
            return b"".join(p.read_bytes() for p in parts if p.exists())
        parsed = make_url(self.url)
        command = ["pg_dump", "--no-owner", "-h", parsed.host or "127.0.0.1"]
        command += ["-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]
        command += ["-n", self.schema or "public", parsed.database or ""]
        environment = dict(os.environ)
        if parsed.password:
            environment["PGPASSWORD"] = parsed.password
        return subprocess.run(command, check=True, capture_output=True, env=environment).stdout

    def holds(self, value: bytes, stored: bytes | None = None) -> bool:
        """Whether `value` is stored at rest, raw or hex-encoded (pg_dump writes bytea as hex)."""
        stored = self.stored_bytes() if stored is None else stored
        return value in stored or value.hex().encode() in stored


async def _postgres_admin(server: URL, sql: str) -> None:
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(sql)
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_target(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DatabaseTarget]:
    """An empty database: a SQLite file in tmp_path, or a fresh PostgreSQL schema.

    A schema per test (selected with the URL's `search_path`) is ten times cheaper than a
    database per test and just as isolated.
    """
    if request.param == "sqlite":
        path = tmp_path / "data" / "oclep.db"
        yield DatabaseTarget("sqlite", f"sqlite+aiosqlite:///{path}", path)
        return
    server = parse_database_url(os.environ[POSTGRES_ENV]).difference_update_query(["search_path"])
    schema = f"oclep_test_{secrets.token_hex(6)}"
    await _postgres_admin(server, f'CREATE SCHEMA "{schema}"')
    try:
        url = server.update_query_dict({"search_path": schema})
        yield DatabaseTarget("postgresql", url.render_as_string(hide_password=False), None, schema)
    finally:
        await _postgres_admin(server, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
async def database(database_target: DatabaseTarget) -> AsyncIterator[Database]:
    """An open database at the newest schema, on each configured backend."""
    db = await open_database(database_target.url, upgrade=True)
    try:
        yield db
    finally:
        await db.close()
