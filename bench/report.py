"""Report benchmark: the monthly report over 10 000 submissions against the crypto floor.

Run: `.venv/bin/python bench/report.py [--quick]`. Submissions are built fast but with the
real cryptography (K0 sealed with HPKE, every answer sealed along the ratchet) from
realistic answer sets: a random path through the testimony questionnaire, as the engine
routes it. The report pipeline is what `oclep-admin report` runs: stream and decrypt, prune,
derive, tally, publish (and, timed apart, render the HTML with its charts). The crypto floor
is one HPKE open + one AEAD open per sealed record (the answers and the end record a
completed submission carries, exactly what the report opens) with the data already in memory,
measured in the same run, best of three rounds interleaved with the report's. Peak memory
(tracemalloc) at two sizes shows whether memory grows with the data.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import secrets
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# Run as a script, this file's folder is on sys.path: the project root goes first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import json

from rich.progress import Progress
from sqlalchemy import insert

from admin_cli.decrypting import DecryptionTally, Selection, decrypted_records
from admin_cli.records import DefinitionCatalog, report_record
from admin_cli.report import Period, render_html
from admin_cli.report.figures import Tally
from admin_cli.report.publish import publish
from flows.answers import SKIPPED, AnswerValue, Money, encode_answer
from flows.engine import Engine
from flows.model import Question
from storage.database import Database, open_database
from storage.keys import StaffPrivateKey, generate_staff_key, keyring
from storage.ratchet import (
    ChainWalker,
    SealedAnswer,
    new_chain_key,
    next_chain_key,
    open_chain_key,
    seal_answer,
    seal_chain_key,
)
from storage.repository import end_record
from storage.tables import SealedAnswer as SealedAnswerRow
from storage.tables import Submission

INSERT_CHUNK = 500
ROUNDS = 3
MONTH = Period.of_month("2025-03")


@dataclass(frozen=True)
class Sealed:
    row: dict[str, Any]
    answers: list[dict[str, Any]]


def _value(rng: random.Random, question: Question) -> AnswerValue:
    if question.type == "consent":
        return "acepto"
    if question.id == "lugar_seguro":
        return "si"
    if rng.random() < 0.05:
        return SKIPPED
    codes = [c.code for c in question.all_choices()]
    if question.type == "multi":
        plain = [c.code for c in question.choices if not c.exclusive]
        picked = set(rng.sample(plain, rng.randint(1, min(3, len(plain)))))
        return tuple(c for c in plain if c in picked)
    if question.type == "year":
        return rng.randint(2008, 2024)
    if question.type == "integer":
        return rng.choice((40, 48, 56, 64, 72))
    if question.type == "money":
        return Money(Decimal(rng.randrange(100, 6000, 50)), "USD")
    if question.type == "text":
        return "Trabajaba sin descanso y nos vigilaban. " * rng.randint(1, 6)
    return rng.choice(codes)


def answer_path(rng: random.Random, engine: Engine) -> list[bytes]:
    """One respondent's answer records along the path the engine routes."""
    answers: dict[str, AnswerValue] = {}
    records = []
    question: Question | None = engine.first_question()
    while question is not None:
        if question.answerable:
            value = _value(rng, question)
            answers[question.id] = value
            record = {"q": question.id, "v": encode_answer(value)}
            records.append(json.dumps(record, separators=(",", ":")).encode())
        question = engine.next_question(answers, after=question.id)
    return records


def seal_all(key: StaffPrivateKey, engine: Engine, count: int, seed: int) -> Iterator[Sealed]:
    rng = random.Random(seed)
    digest = engine.hash
    questionnaire_hash = bytes.fromhex(digest)
    for index in range(count):
        submission_id = secrets.token_bytes(16)
        chain_key = new_chain_key()
        sealed_key = seal_chain_key(key.public_key, chain_key, submission_id, questionnaire_hash)
        rows = []
        # A completed submission ends with a sealed record counting the answers before it.
        records = answer_path(rng, engine)
        records.append(end_record(len(records)))
        for sequence, plaintext in enumerate(records):
            nonce, ciphertext = seal_answer(
                chain_key, submission_id, sequence, questionnaire_hash, plaintext
            )
            rows.append(
                {
                    "submission_id": submission_id,
                    "sequence": sequence,
                    "nonce": nonce,
                    "ciphertext": ciphertext,
                }
            )
            chain_key = next_chain_key(chain_key)
        day = date(2025, 3, 1) + timedelta(days=index % 31)
        yield Sealed(
            {
                "id": submission_id,
                "status": "complete",
                "created_on": day,
                "completed_on": day,
                "campaign": "bench",
                "questionnaire_id": engine.questionnaire.id,
                "questionnaire_version": engine.questionnaire.version,
                "questionnaire_hash": digest,
                "key_id": key.key_id,
                "sealed_key": sealed_key,
                "receipt_hash": None,
                "answer_count": len(rows) - 1,  # the end record is not an answer
            },
            rows,
        )


async def insert_all(database: Database, data: list[Sealed]) -> None:
    for start in range(0, len(data), INSERT_CHUNK):
        batch = data[start : start + INSERT_CHUNK]
        async with database.engine.begin() as connection:
            await connection.execute(insert(Submission), [s.row for s in batch])
            await connection.execute(insert(SealedAnswerRow), [a for s in batch for a in s.answers])


def crypto_floor(key: StaffPrivateKey, data: list[Sealed]) -> float:
    """Submissions/s for one HPKE open + one AEAD open per answer, data already in memory."""
    keys = keyring([key])
    start = time.perf_counter()
    for sealed in data:
        submission_id = sealed.row["id"]
        questionnaire_hash = bytes.fromhex(sealed.row["questionnaire_hash"])
        k0 = open_chain_key(keys, sealed.row["sealed_key"], submission_id, questionnaire_hash)
        walker = ChainWalker(k0, submission_id, questionnaire_hash)
        for answer in sealed.answers:
            walker.open(answer["sequence"], SealedAnswer(answer["nonce"], answer["ciphertext"]))
    return len(data) / (time.perf_counter() - start)


async def report_pipeline(
    database: Database, key: StaffPrivateKey, catalog: DefinitionCatalog, count: int
) -> Tally:
    """What `oclep-admin report` does between the passphrase and rendering."""
    keys = keyring([key])
    chosen = Selection(frozenset({"complete", "partial"}), MONTH.start, MONTH.end)
    decryption = DecryptionTally()
    raw = Tally()
    with Progress(disable=True) as progress:
        async for record in decrypted_records(
            database, keys, chosen, catalog, decryption, progress, count
        ):
            raw.add(report_record(record))
    decryption.check()
    assert decryption.read == count, decryption
    return raw


async def measure(
    folder: Path, count: int, key: StaffPrivateKey, engine: Engine
) -> dict[str, float]:
    catalog = DefinitionCatalog([engine.questionnaire])
    data = list(seal_all(key, engine, count, seed=count))
    answers = sum(len(s.answers) - 1 for s in data) / count  # without the end record
    async with await open_database(f"sqlite+aiosqlite:///{folder / f'bench-{count}.db'}") as db:
        await insert_all(db, data)
        # Best of ROUNDS interleaved rounds each: the ratio compares like with like even when
        # the machine's load changes during the run.
        floors, pipelines = [], []
        for _ in range(ROUNDS):
            gc.collect()
            floors.append(crypto_floor(key, data))
            gc.collect()
            start = time.perf_counter()
            raw = await report_pipeline(db, key, catalog, count)
            report = publish(raw, period=MONTH, lang="es", min_cell=5)
            pipelines.append(time.perf_counter() - start)
        del data
        floor, pipeline = max(floors), min(pipelines)
        start = time.perf_counter()
        html = render_html(report)
        rendering = time.perf_counter() - start
        gc.collect()
        tracemalloc.start()
        try:
            await report_pipeline(db, key, catalog, count)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return {
        "answers": answers,
        "floor": floor,
        "rate": count / pipeline,
        "end_to_end": count / (pipeline + rendering),
        "render_s": rendering,
        "html_kib": len(html) / 1024,
        "peak_mib": peak / 2**20,
    }


async def main(quick: bool) -> None:
    from admin_cli.records import SHIPPED_DEFINITIONS
    from flows.loader import load_questionnaire

    engine = Engine(load_questionnaire(SHIPPED_DEFINITIONS / "testimonio.yaml"))
    key = generate_staff_key()
    small, large = (300, 1_500) if quick else (1_000, 10_000)
    with tempfile.TemporaryDirectory() as folder:
        results = {n: await measure(Path(folder), n, key, engine) for n in (small, large)}
    print("Report benchmark (SQLite, X25519 staff key, questionnaire testimonio v1)")
    for n, r in results.items():
        print(
            f"  {n:>6} submissions, {r['answers']:.1f} answers each: report {r['rate']:,.0f}/s "
            f"(crypto floor {r['floor']:,.0f}/s, ratio {r['rate'] / r['floor']:.2f}); "
            f"with HTML rendering {r['end_to_end']:,.0f}/s (render {r['render_s']:.2f} s, "
            f"{r['html_kib']:.0f} KiB); peak memory {r['peak_mib']:.1f} MiB"
        )
    growth = results[large]["peak_mib"] / results[small]["peak_mib"]
    print(f"  peak memory {large:,} vs {small:,} submissions: x{growth:.2f} (flat is ~1)")
    ratio = results[large]["rate"] / results[large]["floor"]
    print(f"  ratio at {large:,}: {ratio:.2f} (target >= 0.5)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for CI smoke runs")
    asyncio.run(main(parser.parse_args().quick))
