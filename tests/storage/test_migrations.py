"""Opening the database: migrations, SQLite hardening, clear errors for bad configuration."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from storage.database import (
    Database,
    DatabaseConfigError,
    DatabaseSchemaError,
    DatabaseUnavailableError,
    _alembic_config,
    head_revision,
    open_database,
)
from storage.tables import METADATA
from tests.conftest import DatabaseTarget


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, METADATA))


def _downgrade_to_base(connection: Connection) -> None:
    config = _alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "base")


async def test_the_migrations_build_exactly_the_tables_of_the_code(database: Database) -> None:
    assert await database.schema_revision() == head_revision()
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_upgrade_is_idempotent_and_downgrade_reverses_it(database: Database) -> None:
    await database.upgrade()
    async with database.engine.begin() as connection:
        await connection.run_sync(_downgrade_to_base)
    assert await database.schema_revision() is None
    await database.upgrade()
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_an_embedded_sqlite_database_creates_and_upgrades_itself(tmp_path: Path) -> None:
    path = tmp_path / "nuevo" / "datos" / "oclep.db"
    async with await open_database(f"sqlite+aiosqlite:///{path}") as database:
        assert await database.schema_revision() == head_revision()
        async with database.engine.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in (
                    "journal_mode",
                    "secure_delete",
                    "busy_timeout",
                    "trusted_schema",
                    "foreign_keys",
                    "synchronous",
                )
            }
        # While open, the write-ahead log exists and has the database file's mode.
        assert _modes(path) == {"folder": 0o700, "database": 0o600, "wal": 0o600}
    assert pragmas == {
        "journal_mode": "wal",
        "secure_delete": 1,
        "busy_timeout": 5000,
        "trusted_schema": 0,
        "foreign_keys": 1,
        "synchronous": 1,  # NORMAL
    }


def _modes(path: Path) -> dict[str, int]:
    wal = Path(f"{path}-wal")
    return {
        "folder": stat.S_IMODE(path.parent.stat().st_mode),
        "database": stat.S_IMODE(path.stat().st_mode),
        "wal": stat.S_IMODE(wal.stat().st_mode),
    }


async def test_a_postgres_database_is_only_checked_unless_asked_to_upgrade(
    database_target: DatabaseTarget,
) -> None:
    if database_target.kind != "postgresql":
        # SQLite upgrades itself (see above); here the same call on an empty SQLite works.
        async with await open_database(database_target.url) as database:
            assert await database.schema_revision() == head_revision()
        return
    with pytest.raises(DatabaseSchemaError, match="oclep-admin db upgrade --database-url"):
        await open_database(database_target.url)
    async with await open_database(database_target.url, upgrade=True):
        pass
    async with await open_database(database_target.url) as database:
        assert await database.schema_revision() == head_revision()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a valid URL"),
        ("mysql://user@host/db", "'mysql', which is not supported"),
        ("postgresql+asyncpg://user@host", "names no database"),
        ("sqlite+aiosqlite:///x.db?search_path=s", "PostgreSQL only"),
        ("postgresql://u@h/db?search_path=a;drop", "one schema name"),
    ],
)
async def test_a_bad_url_is_one_clear_sentence(url: str, message: str) -> None:
    with pytest.raises(DatabaseConfigError, match=message) as caught:
        await open_database(url)
    assert str(caught.value).count(". ") == 0 and str(caught.value).endswith(".")


async def test_an_unreachable_server_is_one_clear_sentence_without_the_password() -> None:
    with pytest.raises(DatabaseUnavailableError) as caught:
        await open_database("postgresql://staff:s3cr3t@127.0.0.1:1/oclep")
    assert "s3cr3t" not in str(caught.value)
    assert "127.0.0.1:1" in str(caught.value)


async def test_a_missing_file_is_refused_when_it_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    with pytest.raises(DatabaseConfigError, match="There is no database"):
        await open_database(f"sqlite:///{path}", must_exist=True)
    assert not path.exists()
