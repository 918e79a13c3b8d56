"""Repository behaviour: drafts, answers, compare-and-swap, duplicates, completion, expiry."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

import storage.repository as repository_module
from storage.database import Database
from storage.pseudonyms import DraftKey
from storage.reader import SubmissionFilter
from storage.receipts import normalize_receipt
from storage.repository import (
    Change,
    ConflictError,
    Decided,
    DraftHandle,
    InvalidCampaignError,
    Outcome,
    _Loaded,
)
from storage.tables import (
    AuditEvent,
    Draft,
    ProcessedUpdate,
    SealedAnswer,
    Submission,
)
from tests.storage.repository_support import (
    QUESTIONNAIRE,
    Setup,
    at_version,
    count_rows,
    record,
)


async def _start(setup: Setup, user_id: int = 1234567890, campaign: str | None = None) -> DraftKey:
    pseudonym = setup.pseudonym(user_id)
    await setup.repository().start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=campaign, initial_state=b"state-0"
    )
    return pseudonym


async def test_start_creates_an_in_progress_submission_and_resume_returns_it(
    database: Database,
) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = setup.pseudonym(5550001234)
    first = await repo.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign="brigada-VE_1", initial_state=b"s0"
    )
    again = await repo.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=None, initial_state=b"other"
    )
    assert first.created and not again.created
    assert again.submission_id == first.submission_id
    assert (again.state, again.version, again.next_sequence) == (b"s0", 1, 0)
    assert again.campaign == "brigada-VE_1" and again.questionnaire == QUESTIONNAIRE
    async with database.engine.connect() as connection:
        row = (await connection.execute(select(Submission))).one()
    assert row.status == "in_progress"
    assert row.created_on == date(2025, 3, 14) and row.completed_on is None
    assert row.key_id == setup.staff_key.key_id and row.receipt_hash is None


async def test_each_respondent_gets_a_separate_draft(database: Database) -> None:
    setup = Setup(database)
    await _start(setup, 1111111111)
    await _start(setup, 2222222222)
    assert await count_rows(database, Draft) == 2
    assert await count_rows(database, Submission) == 2


@pytest.mark.parametrize("campaign", ["", "a" * 65, "con espacio", "ñandú", "x;drop"])
async def test_a_campaign_outside_the_allowed_alphabet_is_refused(
    database: Database, campaign: str
) -> None:
    setup = Setup(database)
    with pytest.raises(InvalidCampaignError):
        await setup.repository().start_or_resume(
            setup.pseudonym(1), questionnaire=QUESTIONNAIRE, campaign=campaign, initial_state=b""
        )
    assert await count_rows(database, Submission) == 0


async def test_answers_get_consecutive_sequences_and_the_new_state(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    version = 1
    for update_id, text in enumerate(["uno", "dos", "tres"], start=100):
        result = await repo.apply(
            pseudonym,
            update_id=update_id,
            decide=at_version(version, Change(state=text.encode(), answers=(record("q", text),))),
        )
        assert result.outcome is Outcome.APPLIED and result.draft is not None
        version = result.draft.version
    assert result.sequences == (2,)
    draft = (await repo.load(pseudonym)).draft
    assert draft is not None
    assert (draft.version, draft.next_sequence, draft.last_update_id) == (4, 3, 102)
    assert draft.state == b"tres"
    [submission] = await setup.decrypted()
    assert [r for r in submission.records] == [record("q", t) for t in ["uno", "dos", "tres"]]
    assert submission.meta.answer_count == 3


async def test_a_decision_refusing_a_stale_version_changes_nothing(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    await repo.apply(
        pseudonym,
        update_id=1,
        decide=at_version(1, Change(state=b"1", answers=(record("a", "x"),))),
    )
    stale = await repo.apply(
        pseudonym,
        update_id=2,
        decide=at_version(1, Change(state=b"2", answers=(record("b", "y"),))),
    )
    assert stale.outcome is Outcome.APPLIED and stale.decided is False
    assert stale.draft is not None and stale.draft.version == 2 and stale.draft.state == b"1"
    assert await count_rows(database, SealedAnswer) == 1


async def test_the_same_update_id_twice_changes_nothing(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    first = await repo.apply(
        pseudonym,
        update_id=77,
        decide=at_version(1, Change(state=b"1", answers=(record("a", "x"),))),
    )
    assert first.draft is not None
    again = await repo.apply(
        pseudonym,
        update_id=77,
        decide=at_version(first.draft.version, Change(state=b"2", answers=(record("a", "x"),))),
    )
    saved_again = await repo.apply(
        pseudonym, update_id=77, decide=at_version(first.draft.version, Change(state=b"3"))
    )
    assert again.outcome is Outcome.DUPLICATE and saved_again.outcome is Outcome.DUPLICATE
    draft = (await repo.load(pseudonym)).draft
    assert draft is not None and (draft.version, draft.state) == (2, b"1")
    assert await count_rows(database, SealedAnswer) == 1


async def test_an_older_update_not_yet_seen_is_still_applied(database: Database) -> None:
    # Webhook deliveries may overtake each other; exactly-once must not drop them.
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    await repo.apply(pseudonym, update_id=50, decide=at_version(1, Change(state=b"a")))
    late = await repo.apply(
        pseudonym,
        update_id=49,
        decide=at_version(2, Change(state=b"b", answers=(record("q", "x"),))),
    )
    assert late.outcome is Outcome.APPLIED
    assert late.draft is not None and late.draft.last_update_id == 50


async def test_save_state_stores_no_answer(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    result = await repo.apply(pseudonym, update_id=3, decide=at_version(1, Change(state=b"back")))
    assert result.outcome is Outcome.APPLIED and result.sequences == ()
    draft = (await repo.load(pseudonym)).draft
    assert draft is not None and (draft.state, draft.next_sequence) == (b"back", 0)
    assert await count_rows(database, SealedAnswer) == 0


async def test_concurrent_applies_each_decide_on_the_latest_draft(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    seen: list[tuple[int, bytes]] = []

    def decide_for(update_id: int) -> Callable[[DraftHandle], Decided[None]]:
        def decide(draft: DraftHandle) -> Decided[None]:
            seen.append((draft.version, draft.state))
            change = Change(state=draft.state + b"+%d" % update_id, answers=(record("q", "x"),))
            return Decided(change, None)

        return decide

    results = await asyncio.gather(
        *(repo.apply(pseudonym, update_id=u, decide=decide_for(u)) for u in (1, 2, 3))
    )
    assert [r.outcome for r in results] == [Outcome.APPLIED] * 3
    # Each decision saw the draft its predecessor left: versions 1, 2, 3 in some order.
    assert sorted(version for version, _ in seen) == [1, 2, 3]
    draft = (await repo.load(pseudonym)).draft
    assert draft is not None and draft.version == 4
    assert sorted(draft.state.split(b"+")[1:]) == [b"1", b"2", b"3"]
    assert sorted(s for r in results for s in r.sequences) == [0, 1, 2]


async def test_apply_with_no_change_stores_nothing(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    result = await repo.apply(pseudonym, update_id=9, decide=lambda draft: Decided(None, None))
    assert result.outcome is Outcome.APPLIED
    assert await count_rows(database, ProcessedUpdate) == 0
    draft = (await repo.load(pseudonym)).draft
    assert draft is not None and draft.version == 1


async def test_changes_without_a_draft_say_so(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    nobody = setup.pseudonym(42)
    assert (await repo.load(nobody)).draft is None
    result = await repo.apply(nobody, update_id=1, decide=at_version(1, Change(state=b"")))
    assert result.outcome is Outcome.NO_DRAFT
    applied = await repo.apply(
        nobody, update_id=1, decide=lambda d: Decided(Change(state=b""), None)
    )
    assert applied.outcome is Outcome.NO_DRAFT


async def test_complete_issues_a_receipt_and_deletes_the_draft(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    await repo.apply(
        pseudonym,
        update_id=1,
        decide=at_version(1, Change(state=b"1", answers=(record("a", "x"),))),
    )
    setup.clock.advance(days=2)
    done = await repo.apply(
        pseudonym,
        update_id=2,
        decide=at_version(2, Change(answers=tuple([record("fin", "si")]), complete=True)),
    )
    assert done.outcome is Outcome.APPLIED and done.receipt is not None
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", done.receipt)
    assert done.sequences == (1,)
    assert (await repo.load(pseudonym)).draft is None
    assert await count_rows(database, Draft) == 0
    assert await count_rows(database, ProcessedUpdate) == 0
    async with database.engine.connect() as connection:
        row = (await connection.execute(select(Submission))).one()
    assert row.status == "complete" and row.completed_on == date(2025, 3, 16)
    assert row.answer_count == 2  # the end record is not an answer
    receipt = normalize_receipt(done.receipt)
    assert receipt is not None and row.receipt_hash == setup.secret.receipt_hash(receipt)
    assert done.receipt.replace(" ", "").encode() not in bytes(row.receipt_hash)


async def test_a_completion_refusing_a_stale_version_changes_nothing(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    await repo.apply(pseudonym, update_id=1, decide=at_version(1, Change(state=b"1")))
    stale = await repo.apply(pseudonym, update_id=2, decide=at_version(1, Change(complete=True)))
    assert stale.decided is False and stale.receipt is None
    assert await count_rows(database, Draft) == 1
    assert await count_rows(database, Submission, col(Submission.status) == "complete") == 0


async def test_a_new_questionnaire_can_start_after_completion(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    await repo.apply(pseudonym, update_id=1, decide=at_version(1, Change(complete=True)))
    again = await repo.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=None, initial_state=b""
    )
    assert again.created
    assert await count_rows(database, Submission) == 2


async def test_expired_drafts_become_partial_and_empty_ones_vanish(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    answered = await _start(setup, 1000000001)
    await repo.apply(
        answered, update_id=1, decide=at_version(1, Change(state=b"1", answers=(record("a", "x"),)))
    )
    await _start(setup, 1000000002)  # never answered anything
    setup.clock.advance(days=20)
    recent = await _start(setup, 1000000003)
    await repo.apply(recent, update_id=5, decide=at_version(1, Change(state=b"r")))

    setup.clock.advance(days=10)
    assert await repo.expire_drafts() == 0  # expires_on is the last day still kept
    setup.clock.advance(days=1)
    assert await repo.expire_drafts() == 2

    assert (await repo.load(answered)).draft is None
    assert (await repo.load(recent)).draft is not None
    async with database.engine.connect() as connection:
        statuses = sorted((await connection.execute(select(col(Submission.status)))).scalars())
        audit = (await connection.execute(select(AuditEvent))).one()
    assert statuses == ["in_progress", "partial"]
    assert await count_rows(database, ProcessedUpdate) == 1  # only the live draft's
    assert audit.event == "drafts_expired"
    assert audit.details == {"partial": 1, "empty_deleted": 1}
    [partial] = await setup.decrypted(filters=SubmissionFilter(statuses=frozenset({"partial"})))
    assert partial.records == (record("a", "x"),)


async def test_a_save_racing_expiry_cannot_revive_the_draft(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    setup.clock.advance(days=31)
    assert await repo.expire_drafts() == 1
    late = await repo.apply(pseudonym, update_id=1, decide=at_version(1, Change(state=b"x")))
    assert late.outcome is Outcome.NO_DRAFT


async def test_the_audit_log_is_append_only(database: Database) -> None:
    setup = Setup(database)
    repo = setup.repository()
    pseudonym = await _start(setup)
    assert await repo.withdraw_unfinished(pseudonym)
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.engine.begin() as connection:
            await connection.execute(update(AuditEvent).values(event="edited"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("DELETE FROM audit_log")
    assert await count_rows(database, AuditEvent) == 1


@pytest.mark.parametrize("also_stale_sequence", [False, True], ids=["version", "sequence"])
@pytest.mark.parametrize("completes", [False, True], ids=["answer", "completion"])
async def test_a_failed_compare_and_swap_raises_and_leaves_nothing(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    also_stale_sequence: bool,
    completes: bool,
) -> None:
    # The row lock makes a stale read impossible; it is injected here to show that the
    # compare-and-swap still refuses it, whatever the statements behind it would hit (a
    # stale sequence collides with a stored answer): ConflictError, never DUPLICATE.
    setup = Setup(database)
    repository = setup.repository()
    pseudonym = setup.pseudonym(7_000_000_777)
    await repository.start_or_resume(
        pseudonym, questionnaire=QUESTIONNAIRE, campaign=None, initial_state=b"0"
    )
    await repository.apply(
        pseudonym, update_id=1, decide=at_version(1, Change(state=b"1", answers=(record("a", 1),)))
    )
    tables = (SealedAnswer, ProcessedUpdate, Submission, Draft)
    before = [await count_rows(database, table) for table in tables]
    opened = repository_module._opened

    def stale(key: DraftKey, candidates: Sequence[bytes], rows: Sequence[Any]) -> _Loaded | None:
        loaded = opened(key, candidates, rows)
        assert loaded is not None
        handle = loaded.handle
        return replace(
            loaded,
            handle=replace(
                handle,
                version=handle.version + 100,
                next_sequence=handle.next_sequence - int(also_stale_sequence),
            ),
        )

    monkeypatch.setattr(repository_module, "_opened", stale)
    change = Change(
        answers=(record("b", 2),), state=None if completes else b"2", complete=completes
    )
    with pytest.raises(ConflictError):
        await repository.apply(pseudonym, update_id=2, decide=lambda _draft: Decided(change, None))
    monkeypatch.setattr(repository_module, "_opened", opened)
    assert [await count_rows(database, table) for table in tables] == before
    draft = (await repository.load(pseudonym)).draft
    assert draft is not None and draft.version == 2 and draft.next_sequence == 1
