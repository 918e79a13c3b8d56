"""Bot configuration from `OCLEP_*` environment variables and an optional `.env` file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.attachment_limits import (
    DEFAULT_FILES_PER_DRAFT,
    DEFAULT_MB_PER_DAY,
    DEFAULT_MB_PER_DRAFT,
    MAX_FILE_MB,
    MB,
    FileLimits,
)
from flows.locales import SOURCE_LOCALE, SUPPORTED_LOCALES
from storage.settings import StorageSettings, setting_problem

DEFAULT_API_BASE = "https://api.telegram.org"


class SettingsError(Exception):
    """A missing or wrong setting; the message is one sentence for the operator."""


class BotSettings(StorageSettings):
    """Everything the bot process reads from its environment (DESIGN.md §6); where the data
    lives (data folder, database, staff public key) is shared with the staff commands."""

    telegram_token: SecretStr | None = None
    telegram_api_base: str = DEFAULT_API_BASE
    server_secret_file: Path | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8080"
    # Opt-in: HOST:PORT of a listener serving /metrics (Prometheus) and /healthz.
    metrics_listen: str | None = None
    draft_ttl_days: int = Field(default=30, ge=1, le=365)
    # Completed testimonies per account and day (bot/completion_cap.py); counted in memory.
    testimonies_per_day: int = Field(default=3, ge=1, le=1_000)
    default_locale: str = SOURCE_LOCALE
    questionnaire_file: Path | None = None  # default: flows/questionnaires/testimonio.yaml
    # Pace outgoing messages to Telegram's flood limits (bot/telegram/pacing.py); off only
    # for benchmarks of the bot's own capacity against an emulator without limits.
    telegram_pacing: bool = True
    # Messages per second across all chats, for all workers together (Telegram allows about
    # 30; kept under it for network jitter). Lower it if a bot shares its token's limit.
    telegram_messages_per_second: float = Field(default=25.0, gt=0, le=30)
    rate_limit_per_minute: int = Field(default=60, ge=1, le=10_000)
    # SQLite only: the hot path's direct connection (docs/storage.md). Off only to measure
    # what it buys (bench/bot.py --compare-sqlalchemy).
    sqlite_direct: bool = True
    # How long a stop (SIGTERM) lets updates in hand finish, replies included; systemd's
    # TimeoutStopSec must exceed it (docs/telegram.md).
    stop_grace_seconds: float = Field(default=20.0, ge=1.0, le=600.0)
    # Documents as evidence (bot/attachment_intake.py): files per questionnaire, MB per file
    # (Telegram's 20 MB at most), per questionnaire, and per account and UTC day (counted in
    # memory). The attachments question states them before any file is sent.
    attachment_max_files: int = Field(default=DEFAULT_FILES_PER_DRAFT, ge=1, le=100)
    attachment_max_file_mb: int = Field(default=MAX_FILE_MB, ge=1, le=MAX_FILE_MB)
    attachment_max_draft_mb: int = Field(default=DEFAULT_MB_PER_DRAFT, ge=1, le=2_000)
    attachment_max_day_mb: int = Field(default=DEFAULT_MB_PER_DAY, ge=1, le=100_000)

    @field_validator("attachment_max_draft_mb")
    @classmethod
    def _draft_holds_a_file(cls, value: int, info: ValidationInfo) -> int:
        per_file = info.data.get("attachment_max_file_mb")
        if isinstance(per_file, int) and value < per_file:
            raise ValueError(f"must be at least OCLEP_ATTACHMENT_MAX_FILE_MB ({per_file})")
        return value

    @field_validator("attachment_max_day_mb")
    @classmethod
    def _day_holds_a_draft(cls, value: int, info: ValidationInfo) -> int:
        per_draft = info.data.get("attachment_max_draft_mb")
        if isinstance(per_draft, int) and value < per_draft:
            raise ValueError(f"must be at least OCLEP_ATTACHMENT_MAX_DRAFT_MB ({per_draft})")
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _api_base_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def file_limits(self) -> FileLimits:
        """The attachment limits, in files and bytes."""
        return FileLimits(
            files=self.attachment_max_files,
            file_bytes=self.attachment_max_file_mb * MB,
            draft_bytes=self.attachment_max_draft_mb * MB,
            day_bytes=self.attachment_max_day_mb * MB,
        )

    @property
    def effective_server_secret_file(self) -> Path:
        return self.server_secret_file or self.data_dir / "server.secret"

    @property
    def server_secret_beside_database(self) -> bool:
        """True when the server secret sits in the folder of the SQLite database file, so a
        copy of that folder (a backup) carries both the data and the key that opens drafts."""
        try:
            url = make_url(self.effective_database_url)
        except ArgumentError:
            return False
        if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
            return False
        database_folder = Path(url.database).expanduser().resolve().parent
        secret_folder = self.effective_server_secret_file.expanduser().resolve().parent
        return database_folder == secret_folder

    @property
    def webhook_host_port(self) -> tuple[str, int]:
        return _host_port("OCLEP_WEBHOOK_LISTEN", self.webhook_listen, "127.0.0.1:8080")

    @property
    def metrics_host_port(self) -> tuple[str, int]:
        return _host_port("OCLEP_METRICS_LISTEN", self.metrics_listen or "", "127.0.0.1:9464")


def _host_port(setting: str, value: str, example: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise SettingsError(f"{setting} must be HOST:PORT, for example {example}.")
    return host, int(port)


# systemd's LoadCredential= puts each credential in a file of $CREDENTIALS_DIRECTORY named by
# its id; credentials named like the settings (oclep_telegram_token, oclep_webhook_secret)
# fill them, so the token and the webhook secret never sit in an environment file. The
# environment and .env win over a credential.
CREDENTIALS_VARIABLE: Final = "CREDENTIALS_DIRECTORY"


def load_settings() -> BotSettings:
    """Read the settings, turning validation problems into one clear sentence."""
    credentials = os.environ.get(CREDENTIALS_VARIABLE)
    try:
        if credentials:
            return BotSettings(_secrets_dir=Path(credentials))
        return BotSettings()
    except ValidationError as exc:
        raise SettingsError(setting_problem(exc)) from None
