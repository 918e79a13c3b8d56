"""Bot configuration from `OCLEP_*` environment variables and an optional `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_BASE = "https://api.telegram.org"


class SettingsError(Exception):
    """A missing or wrong setting; the message is one sentence for the operator."""


class BotSettings(BaseSettings):
    """Everything the bot process reads from its environment (DESIGN.md §6)."""

    model_config = SettingsConfigDict(
        env_prefix="OCLEP_", env_file=".env", extra="ignore", frozen=True
    )

    telegram_token: SecretStr | None = None
    telegram_api_base: str = DEFAULT_API_BASE
    data_dir: Path = Path("data")
    database_url: str | None = None
    staff_public_key: Path | None = None
    server_secret_file: Path | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8080"
    draft_ttl_days: int = Field(default=30, ge=1, le=365)
    default_locale: Literal["es", "en"] = "es"
    questionnaire_file: Path | None = None  # default: flows/questionnaires/testimonio.yaml
    rate_limit_per_minute: int = Field(default=60, ge=1, le=10_000)

    @field_validator("telegram_api_base")
    @classmethod
    def _api_base_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the embedded SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'oclep.db'}"

    @property
    def effective_server_secret_file(self) -> Path:
        return self.server_secret_file or self.data_dir / "server.secret"

    @property
    def webhook_host_port(self) -> tuple[str, int]:
        host, _, port = self.webhook_listen.rpartition(":")
        if not host or not port.isdigit():
            raise SettingsError(
                "OCLEP_WEBHOOK_LISTEN must be HOST:PORT, for example 127.0.0.1:8080."
            )
        return host, int(port)


def load_settings() -> BotSettings:
    """Read the settings, turning validation problems into one clear sentence."""
    try:
        return BotSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "OCLEP_" + str(first["loc"][0]).upper() if first["loc"] else "a setting"
        raise SettingsError(
            f"The setting {name} is invalid ({first['msg']}); fix it in the environment or in .env."
        ) from None
