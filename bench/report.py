"""Report benchmark: the monthly report over 10 000 submissions against the crypto floor.

Run: `.venv/bin/python bench/report.py [--quick]`. Submissions are built fast but with the
real cryptography (`bench/sealing.py`: every answer record sealed with HPKE on its own)
from realistic answer sets: a random path through the testimony questionnaire, as
the engine routes it, each record encoded as the bot encodes it (UTF-8 JSON, accents kept),
with a testimony of its own per respondent. The report pipeline is what `oclep-admin report`
runs: stream and decrypt, prune, derive, tally, publish (and, timed apart, render the HTML
with its charts). The crypto floor (`bench.sealing.crypto_floor`) is one HPKE open per
sealed record (the answers and the end record a completed submission carries,
exactly what the report opens) with the data already in memory, measured in the same run,
best of three rounds interleaved with the report's. Peak memory (tracemalloc) at two sizes
shows whether memory grows with the data.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

# Run as a script, this file's folder is on sys.path: the project root goes first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.progress import Progress

from admin_cli.decrypting import DecryptionTally, Selection, decrypted_records
from admin_cli.records import DefinitionCatalog, report_record
from admin_cli.report.figures import Tally
from admin_cli.report.model import Period
from admin_cli.report.publish import publish
from admin_cli.report.render_html import render_html
from bench.sealing import SealedSubmission, crypto_floor, insert_sealed, seal_submission
from flows.answers import SKIPPED, AnswerValue, Money, encode_answer
from flows.engine import Engine
from flows.model import Question
from flows.parsers.provinces import PROVINCES
from storage.database import Database, open_database
from storage.keys import StaffPrivateKey, generate_staff_key, keyring
from storage.repository import QuestionnaireRef

ROUNDS = 3
MONTH = Period.of_month("2025-03")

MISSION_COUNTRIES = ("VE", "BR", "MX", "QA", "SA", "AO", "BO", "IT")
# A testimony is a few of these in some order, and a duration: each respondent's differs.
TESTIMONY = (
    "Trabajaba sin descanso y nos vigilaban día y noche.",
    "Nos retuvieron el pasaporte al llegar.",
    "El jefe de brigada decía que si hablábamos nos mandaban de regreso.",
    "Me pagaban una parte del salario; el resto se lo quedaba el Estado.",
    "No podía salir de la ciudad sin permiso.",
    "Hacíamos guardias de veinticuatro horas sin pago extra.",
    "A mi familia en Cuba la amenazaron cuando quise renunciar.",
    "Éramos seis colegas en un apartamento pequeño.",
)


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
    if question.type in ("integer", "hours"):  # hours: per week
        return rng.choice((40, 48, 56, 64, 72))
    if question.type == "country":
        return rng.choice(MISSION_COUNTRIES)
    if question.type == "province":
        return rng.choice(sorted(PROVINCES))
    if question.type == "money":
        return Money(Decimal(rng.randrange(100, 6000, 50)), "USD")
    if question.type == "attachments":  # the files are sealed apart (bench/attachments.py)
        return SKIPPED
    if question.type == "text":
        told = " ".join(rng.sample(TESTIMONY, rng.randint(1, 6)))
        return f"{told} Fueron {rng.randint(2, 60)} meses."
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
            # As the bot writes it (bot/conversation.py): compact, UTF-8, accents kept.
            record = {"q": question.id, "v": encode_answer(value)}
            records.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode())
        question = engine.next_question(answers, after=question.id)
    return records


def seal_all(
    key: StaffPrivateKey, engine: Engine, count: int, seed: int
) -> Iterator[SealedSubmission]:
    rng = random.Random(seed)
    questionnaire = QuestionnaireRef(
        engine.questionnaire.id, engine.questionnaire.version, engine.hash
    )
    for index in range(count):
        day = date(2025, 3, 1) + timedelta(days=index % 31)
        yield seal_submission(
            key.public_key,
            questionnaire,
            answer_path(rng, engine),
            created_on=day,
            completed_on=day,
            campaign="bench",
        )


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
        await insert_sealed(db, data)
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
    from flows.shipped import load_shipped

    # The questionnaire the bot ships today (version 2 since issue 11).
    engine = Engine(load_shipped("testimonio.yaml"))
    key = generate_staff_key()
    small, large = (300, 1_500) if quick else (1_000, 10_000)
    with tempfile.TemporaryDirectory() as folder:
        results = {n: await measure(Path(folder), n, key, engine) for n in (small, large)}
    definition = engine.questionnaire
    print(
        f"Report benchmark (SQLite, X25519 staff key, questionnaire {definition.id} "
        f"v{definition.version})"
    )
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
    print(f"  ratio at {large:,}: {ratio:.2f} (target >= 0.7)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for CI smoke runs")
    asyncio.run(main(parser.parse_args().quick))
