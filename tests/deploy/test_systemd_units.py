"""deploy/: the systemd units pass `systemd-analyze verify` and `security`, and their command
lines run for real from the installed wheel, with the environment and credentials the units
describe (systemd itself does not run here: the test plays its part, NOTIFY_SOCKET included).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shlex
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

from bot.settings import BotSettings
from tests.bot.e2e.support import Respondent, questionnaire_engine
from tests.conftest import DatabaseTarget
from tests.deploy.conftest import ROOT, Venv
from tests.sd_notify import notify_socket
from tests.telegram_emulator import BotApiEmulator

UNITS: Final = ROOT / "deploy" / "systemd"
INSTALL_PREFIX: Final = "/opt/oclep/venv"
MAX_EXPOSURE: Final = 2.0  # systemd-analyze's scale: 0 (locked down) to 10 (exposed)
START_TIMEOUT: Final = 120.0
WATCHDOG_SECONDS: Final = 3


def unit_entries(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) for every setting of a unit file, in order (keys may repeat)."""
    entries, section = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.append((section, key.strip(), value.strip()))
    return entries


def values(path: Path, key: str) -> list[str]:
    return [value for section, name, value in unit_entries(path) if name == key]


def installed_copy(unit: Path, venv: Venv, folder: Path) -> Path:
    """The unit with its ExecStart pointing into the test's installed venv."""
    folder.mkdir(exist_ok=True)
    copy = folder / unit.name
    copy.write_text(unit.read_text().replace(INSTALL_PREFIX, str(venv.path)))
    return copy


def test_the_units_verify(installed: tuple[Venv, Venv], tmp_path: Path) -> None:
    server, _ = installed
    copies = [installed_copy(unit, server, tmp_path) for unit in sorted(UNITS.iterdir())]
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, copies)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("unit", ["oclep-bot.service", "oclep-purge.service"])
def test_the_services_are_locked_down(
    unit: str, installed: tuple[Venv, Venv], tmp_path: Path
) -> None:
    server, _ = installed
    copy = installed_copy(UNITS / unit, server, tmp_path)
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(rf"Overall exposure level for {re.escape(unit)}: ([0-9.]+)", done.stdout)
    assert found is not None, done.stdout + done.stderr
    assert float(found.group(1)) <= MAX_EXPOSURE
    unit_file = UNITS / unit
    assert values(unit_file, "CapabilityBoundingSet") == [""]
    for key, expected in (
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("PrivateTmp", "yes"),
    ):
        assert values(unit_file, key) == [expected], key
    # The bot's server secret has a state folder of its own (never a credential: the bot
    # rewrites it to erase old keys); purge never reads it.
    expected_state = ["oclep", "oclep-secret"] if unit == "oclep-bot.service" else ["oclep"]
    assert values(unit_file, "StateDirectory") == expected_state


def test_the_env_example_names_only_real_settings() -> None:
    """A typo in .env.example would be a setting the bot silently ignores."""
    known = {f"OCLEP_{name.upper()}" for name in BotSettings.model_fields}
    named = re.findall(r"^#?(OCLEP_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)
    assert named and set(named) <= known
    # No secret in the environment file: those are credentials.
    assert not {"OCLEP_TELEGRAM_TOKEN", "OCLEP_WEBHOOK_SECRET"} & set(named)


@dataclass
class Systemd:
    """What systemd would give the service: environment, credentials, a notify socket."""

    root: Path
    credential_sources: dict[str, Path]

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def credentials(self) -> Path:
        return self.root / "credentials"

    @property
    def notify_path(self) -> Path:
        return self.root / "notify.sock"

    def expand(self, value: str) -> str:
        return value.replace("%S", str(self.state)).replace("%d", str(self.credentials))

    def environment(self, unit: Path, venv: Venv, env_file: Path) -> dict[str, str]:
        """EnvironmentFile=, Environment= and LoadCredential= of `unit`, as systemd applies them."""
        assert values(unit, "EnvironmentFile") == ["/etc/oclep/oclep.env"]
        env = {"PATH": f"{venv.path / 'bin'}:/usr/bin:/bin"}
        for line in env_file.read_text().splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key] = value
        for assignment in values(unit, "Environment"):
            key, _, value = self.expand(assignment).partition("=")
            env[key] = value
        self.credentials.mkdir(mode=0o700, exist_ok=True)
        for credential in values(unit, "LoadCredential"):
            name, _, source = credential.partition(":")
            target = self.credentials / name
            with contextlib.suppress(FileNotFoundError):
                target.chmod(0o600)
            target.write_bytes(self.credential_sources[source].read_bytes())
            target.chmod(0o400)  # as systemd leaves them: read-only, for the service's user
        env["CREDENTIALS_DIRECTORY"] = str(self.credentials)
        for directory in values(unit, "StateDirectory"):
            (self.state / directory).mkdir(mode=0o700, parents=True, exist_ok=True)
        return env

    def command(self, unit: Path, venv: Venv) -> list[str]:
        (exec_start,) = values(unit, "ExecStart")
        return shlex.split(exec_start.replace(INSTALL_PREFIX, str(venv.path)))

    def workdir(self, unit: Path) -> Path:
        (workdir,) = values(unit, "WorkingDirectory")
        return Path(self.expand(workdir))


async def test_the_units_command_lines_run_the_bot_and_the_purge(
    installed: tuple[Venv, Venv], database_target: DatabaseTarget, tmp_path: Path
) -> None:
    server, staff = installed
    keys = tmp_path / "keys"
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("a long staff passphrase for this test\n")
    staff.ok(
        staff.bin("oclep-admin"), "keys", "init", "--out", keys, "--passphrase-file", passphrase
    )
    # As docs/deploy.md says: the token in a root file; the bot makes the server secret.
    (tmp_path / "etc" / "credentials").mkdir(parents=True)
    env_file = tmp_path / "etc" / "oclep.env"
    example = (ROOT / ".env.example").read_text()
    example = example.replace("/etc/oclep/staff.pub", str(keys / "staff.pub"))
    example = re.sub(r"^OCLEP_DATABASE_URL=.*$", "", example, flags=re.M)
    env_file.write_text(example + f"OCLEP_DATABASE_URL={database_target.url}\n")
    if database_target.kind == "postgresql":
        server.ok(
            server.bin("oclep-admin"), "db", "upgrade", OCLEP_DATABASE_URL=database_target.url
        )

    async with await BotApiEmulator.start() as emulator:
        token = tmp_path / "etc" / "credentials" / "telegram-token"
        token.write_text(emulator.token + "\n")
        systemd = Systemd(
            tmp_path / "systemd",
            {"/etc/oclep/credentials/telegram-token": token},
        )
        systemd.root.mkdir()
        bot_unit = UNITS / "oclep-bot.service"
        env = systemd.environment(bot_unit, server, env_file)
        assert "OCLEP_TELEGRAM_TOKEN" not in env  # the token comes as a credential only
        env["OCLEP_TELEGRAM_API_BASE"] = emulator.api_base  # the emulator instead of Telegram
        env["NOTIFY_SOCKET"] = str(systemd.notify_path)
        env["WATCHDOG_USEC"] = str(WATCHDOG_SECONDS * 1_000_000)
        (watchdog_sec,) = values(bot_unit, "WatchdogSec")
        assert int(watchdog_sec) > 25 + 45  # above a long poll plus its margin (bot/health.py)
        log = tmp_path / "bot.log"
        async with notify_socket(systemd.notify_path) as notify:
            with log.open("wb") as sink:
                bot = await asyncio.create_subprocess_exec(
                    *systemd.command(bot_unit, server),
                    cwd=systemd.workdir(bot_unit),
                    env=env,
                    stdout=sink,
                    stderr=sink,
                )
            try:
                await emulator.wait_until(
                    lambda: "READY=1" in notify.notices, START_TIMEOUT, "READY=1"
                )
                respondent = Respondent(emulator.user(7_200_000_001), questionnaire_engine())
                await respondent.start()
                assert respondent.user.last_bot_message() is not None
                await emulator.wait_until(
                    lambda: notify.notices.count("WATCHDOG=1") >= 2,
                    WATCHDOG_SECONDS * 4,
                    "two WATCHDOG=1 pings",
                )
            finally:
                bot.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(bot.wait(), 60)
            assert code == 0, log.read_text()
            assert "STOPPING=1" in notify.notices
        # The bot made its server secret in its own state folder, apart from the data (so a
        # backup of the data folder never holds it), and can rewrite it to erase old keys.
        secret = systemd.state / "oclep-secret" / "server.secret"
        assert secret.is_file() and secret.stat().st_mode & 0o777 == 0o600
        assert not (systemd.state / "oclep" / "server.secret").exists()

    purge_unit = UNITS / "oclep-purge.service"
    purge_env = systemd.environment(purge_unit, server, env_file)
    purge = await asyncio.create_subprocess_exec(
        *systemd.command(purge_unit, server),
        cwd=systemd.workdir(purge_unit),
        env=purge_env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(purge.communicate(), 300)
    assert purge.returncode == 0, (out + err).decode()
    assert b"Traceback" not in err


def test_the_caddy_snippet_is_valid(tmp_path: Path) -> None:
    done = subprocess.run(
        ["caddy", "validate", "--config", str(ROOT / "deploy" / "Caddyfile")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Valid configuration" in done.stdout + done.stderr
