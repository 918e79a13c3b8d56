"""Pseudonym benchmark: what the memory-hard identity digest costs the bot and an enumerator.

Run: `.venv/bin/python bench/pseudonyms.py [--ids N]`. Measures, in one run, the CPU time of
one Argon2id identity digest (storage/pseudonyms.py) and of the keyed hash alone (one
HMAC-SHA256, what a pseudonym cost before: the baseline), and prints the ratio, the cost to
enumerate every Telegram id (10^10) with the server secret in hand, in core-years, and how
long a cached lookup takes (what a respondent pays after the first event in a process).
"""

from __future__ import annotations

import argparse
import hmac
import secrets
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.pseudonyms import (  # noqa: E402
    IDENTITY_ITERATIONS,
    IDENTITY_MEMORY_KIB,
    Pseudonyms,
    identity_digest,
)
from storage.server_secret import ServerSecret  # noqa: E402

TELEGRAM_IDS = 10**10
SECONDS_PER_YEAR = 365.25 * 24 * 3600


def cpu_per_call(function: object, count: int) -> float:
    call = function  # a zero-argument callable
    assert callable(call)
    start = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=40, help="digests to time")
    options = parser.parse_args()
    salt = secrets.token_bytes(16)
    pepper = secrets.token_bytes(32)
    ids = iter(range(5_000_000_000, 6_000_000_000))
    argon = cpu_per_call(lambda: identity_digest(salt, next(ids)), options.ids)
    keyed = cpu_per_call(
        lambda: hmac.digest(pepper, next(ids).to_bytes(8, "big"), "sha256"), options.ids * 1000
    )
    secret = ServerSecret.generate(date(2026, 1, 1))
    pseudonyms = Pseudonyms(secret, draft_ttl_days=30, clock=lambda: date(2026, 1, 31))
    pseudonyms.identity(42)
    cached = cpu_per_call(lambda: pseudonyms.draft_key(42), options.ids * 10)
    print(
        f"Argon2id ({IDENTITY_MEMORY_KIB // 1024} MiB, {IDENTITY_ITERATIONS} passes): "
        f"{argon * 1000:.1f} ms CPU per id"
    )
    print(f"keyed hash alone (baseline): {keyed * 1e6:.2f} µs per id; ratio {argon / keyed:,.0f}")
    print(
        f"enumerating 10^10 ids: {argon * TELEGRAM_IDS / SECONDS_PER_YEAR:.1f} core-years "
        f"(baseline: {keyed * TELEGRAM_IDS / 3600:.1f} core-hours)"
    )
    print(f"cached lookup (the day's pseudonyms, one per epoch): {cached * 1e6:.1f} µs CPU")


if __name__ == "__main__":
    main()
