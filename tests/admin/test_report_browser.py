"""The HTML report in headless Chromium: charts load as data URIs, no console errors.

The check reads Chromium's serialized DOM (`--dump-dom`) and its log on stderr; nothing is
injected into the report. A screenshot is kept in test-artifacts/report.png for a human look.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.admin.cli_support import key_args, run
from tests.admin.fixtures.builder import FixtureDatabase

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1200,3000",
)
CONSOLE_ERROR = re.compile(r"Uncaught|CONSOLE\(\d+\)|Refused to|ERR_|Failed to load", re.I)


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def report_html(built: FixtureDatabase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "informe.html"
    result = run(["report", "--month", "2025-03", *key_args(built), "--out", out])
    assert result.exit_code == 0, result.stderr
    return out


def test_charts_render_without_console_errors(report_html: Path, tmp_path: Path) -> None:
    dumped = chromium(report_html.as_uri(), tmp_path / "profile", "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    images = re.findall(r"<img\b[^>]*>", dumped.stdout)
    assert len(images) >= 3  # ILO indicators, ilo_total histogram, health (+ wages)
    for tag in images:
        source = re.search(r'src="([^"]+)"', tag)
        assert source and source.group(1).startswith("data:image/"), tag[:120]
    problems = [line for line in dumped.stderr.splitlines() if CONSOLE_ERROR.search(line)]
    assert problems == []

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    shot = chromium(report_html.as_uri(), tmp_path / "profile2", f"--screenshot={screenshot}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 50_000  # a rendered page with charts, not a blank one
