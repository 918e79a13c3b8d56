"""The package built and installed as a sysadmin and staff install it, once per test run.

The bot server's environment gets exactly deploy/requirements.lock (hash-checked) plus the
wheel without its dependencies; a staff environment gets `oclep[staff,postgres]`. Commands
run from a temporary folder with a clean environment: nothing of the source tree is importable.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).resolve().parents[2]
LOCK: Final = ROOT / "deploy" / "requirements.lock"


@dataclass(frozen=True)
class Venv:
    """A virtualenv and a folder outside the source tree to run its commands from."""

    path: Path
    workdir: Path

    def bin(self, name: str) -> Path:
        return self.path / "bin" / name

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment: no PYTHONPATH, no OCLEP_* from the test runner."""
        base = {"PATH": f"{self.path / 'bin'}:/usr/bin:/bin", "HOME": str(self.workdir)}
        return {**base, **extra}

    def run(self, *args: str | Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
        command = [str(arg) for arg in args]
        return subprocess.run(
            command,
            cwd=self.workdir,
            env=self.env(**extra_env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def ok(self, *args: str | Path, **extra_env: str) -> str:
        done = self.run(*args, **extra_env)
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout


def _pip(venv: Path, *args: str) -> list[str]:
    # pip's cache and the machine's local index make a reinstall take seconds.
    return [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *args]


def _create(venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `python -m build` makes from this tree, in an isolated build environment."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (found,) = out.glob("oclep-*.whl")
    return found


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> tuple[Venv, Venv]:
    """The bot server's venv (lock + wheel) and a staff venv (wheel[staff,postgres]: staff
    read a PostgreSQL copy too), made in parallel."""
    base = tmp_path_factory.mktemp("venvs")
    workdir = base / "cwd"
    workdir.mkdir()
    server, staff = base / "server", base / "staff"
    _create(server)
    _create(staff)
    logs = [base / "server-pip.log", base / "staff-pip.log"]
    with logs[0].open("wb") as server_log, logs[1].open("wb") as staff_log:
        installs = [
            subprocess.Popen(
                _pip(server, "--require-hashes", "-r", str(LOCK)),
                stdout=server_log,
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                _pip(staff, f"{wheel}[staff,postgres]"), stdout=staff_log, stderr=staff_log
            ),
        ]
        codes = [p.wait(timeout=600) for p in installs]
    assert codes == [0, 0], "\n".join(log.read_text()[-3000:] for log in logs)
    subprocess.run(
        _pip(server, "--no-deps", str(wheel)), check=True, capture_output=True, timeout=300
    )
    return Venv(server, workdir), Venv(staff, workdir)
