"""Two workers, one database: every update applied exactly once, no sequence lost or reused."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import select
from sqlmodel import col

from storage.database import Database
from storage.pseudonyms import DraftKey
from storage.repository import Change, ChangeResult, Decided, DraftHandle, Outcome, Repository
from storage.tables import SealedAnswer
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import Setup, at_version, record

ANSWERS = 50


def _answer_with(update_id: int):  # type: ignore[no-untyped-def]
    def decide(draft: DraftHandle) -> Decided[None]:
        # The state counts the answers seen so far, as a conversation's position would.
        seen = int(draft.state or b"0")
        change = Change(state=str(seen + 1).encode(), answers=(record("q", f"r{update_id}"),))
        return Decided(change, None)

    return decide


async def _deliver(repo: Repository, pseudonym: DraftKey, update_id: int) -> ChangeResult[None]:
    await asyncio.sleep(random.random() / 100)  # interleave the workers
    return await repo.apply(pseudonym, update_id=update_id, decide=_answer_with(update_id))


async def test_fifty_concurrent_answers_from_two_workers(
    database: Database, database_target: DatabaseTarget
) -> None:
    setup = Setup(database)
    pseudonym = setup.pseudonym(7012345678)
    await setup.start_draft(pseudonym, state=b"0")
    async with setup.two_workers(database_target.url) as workers:
        update_ids = list(range(1000, 1000 + ANSWERS))
        # Every update is delivered to both workers, and ten of them twice more.
        deliveries = [(w, u) for u in update_ids for w in workers]
        deliveries += [(workers[u % 2], u) for u in update_ids[:10]]
        random.shuffle(deliveries)
        results = await asyncio.gather(*(_deliver(w, pseudonym, u) for w, u in deliveries))

    applied = [r for r in results if r.outcome is Outcome.APPLIED]
    assert len(applied) == ANSWERS
    assert all(r.outcome is Outcome.DUPLICATE for r in results if r not in applied)
    assert sorted(s for r in applied for s in r.sequences) == list(range(ANSWERS))

    async with database.engine.connect() as connection:
        sequences = (
            await connection.execute(
                select(col(SealedAnswer.sequence)).order_by(col(SealedAnswer.sequence))
            )
        ).scalars()
        assert list(sequences) == list(range(ANSWERS))
    draft = (await setup.repository().load(pseudonym)).draft
    assert draft is not None
    assert (draft.version, draft.next_sequence, draft.state) == (ANSWERS + 1, ANSWERS, b"50")
    [submission] = await setup.decrypted()
    assert sorted(submission.records) == sorted(record("q", f"r{u}") for u in update_ids)
    assert submission.meta.answer_count == ANSWERS


async def test_two_workers_starting_the_same_respondent_share_one_draft(
    database: Database, database_target: DatabaseTarget
) -> None:
    setup = Setup(database)
    pseudonym = setup.pseudonym(6000000001)
    async with setup.two_workers(database_target.url) as workers:
        drafts = await asyncio.gather(
            *(setup.start_draft(pseudonym, state=b"s", repository=w) for w in workers * 5)
        )
    assert len({d.submission_id for d in drafts}) == 1
    assert sum(d.created for d in drafts) == 1


async def test_callers_retrying_on_conflict_record_each_answer_once(
    database: Database, database_target: DatabaseTarget
) -> None:
    # The optimistic path a caller may take through `apply`: read, compute, store only if
    # the draft is still at the version it read, and start again if it was not.
    setup = Setup(database)
    pseudonym = setup.pseudonym(7099999999)
    await setup.start_draft(pseudonym, state=b"0")
    async with setup.two_workers(database_target.url) as workers:
        conflicts = 0

        async def answer(worker: Repository, update_id: int) -> Outcome:
            nonlocal conflicts
            while True:
                draft = (await worker.load(pseudonym)).draft
                assert draft is not None
                # A real caller does other work between reading and saving (SQLite's direct
                # connection does not suspend between them): let the others run meanwhile.
                await asyncio.sleep(0)
                result = await worker.apply(
                    pseudonym,
                    update_id=update_id,
                    decide=at_version(
                        draft.version,
                        Change(
                            state=str(int(draft.state) + 1).encode(),
                            answers=(record("q", f"r{update_id}"),),
                        ),
                    ),
                )
                if result.decided is not False:  # stored, or a duplicate
                    return result.outcome
                conflicts += 1

        update_ids = list(range(1, 21))
        outcomes = await asyncio.gather(
            *(answer(workers[u % 2], u) for u in update_ids + update_ids[:5])
        )
    assert outcomes.count(Outcome.APPLIED) == 20 and outcomes.count(Outcome.DUPLICATE) == 5
    assert conflicts > 0  # the race really happened
    [submission] = await setup.decrypted()
    assert sorted(submission.records) == sorted(record("q", f"r{u}") for u in update_ids)
    draft = (await setup.repository().load(pseudonym)).draft
    assert draft is not None and draft.state == b"20" and draft.next_sequence == 20
