"""Where the data lives, read from `OCLEP_*` variables and an optional `.env` (DESIGN.md §6).

The bot's settings extend these; every staff command that opens the database or seals to
the staff key reads the same ones, so staff and the bot find the same files.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.database import DatabaseConfigError


class StorageSettings(BaseSettings):
    """The data folder, the database and the staff public key, as the bot uses them."""

    model_config = SettingsConfigDict(
        env_prefix="OCLEP_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Path("data")
    database_url: str | None = None
    staff_public_key: Path | None = None

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the embedded SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'oclep.db'}"


def load_storage_settings() -> StorageSettings:
    """The settings of the environment and `.env`; a wrong one is one sentence
    (`DatabaseConfigError`)."""
    try:
        return StorageSettings()
    except ValidationError as exc:
        raise DatabaseConfigError(setting_problem(exc)) from None


def setting_problem(exc: ValidationError) -> str:
    """The first problem of a settings validation, as one sentence naming the variable."""
    first = exc.errors()[0]
    name = "OCLEP_" + str(first["loc"][0]).upper() if first["loc"] else "a setting"
    return f"The setting {name} is invalid ({first['msg']}); fix it in the environment or in .env."
