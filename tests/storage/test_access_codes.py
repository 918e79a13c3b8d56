"""Access codes: registered, resolved by keyed hash, revoked; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import select

from storage.access_codes import (
    GRANT_TOKEN_LENGTH,
    INVESTIGATOR_CODE_BYTES,
    AccessCodeError,
    AccessCodes,
    Grant,
    RevokedCode,
    is_code,
)
from storage.database import Database
from storage.server_secret import ServerSecret
from storage.tables import ACCESS_CODES, AUDIT_LOG, AccessCodeKind
from tests.conftest import DatabaseTarget

TODAY = date(2026, 12, 2)
SERVED = frozenset({"testimonio", "informe_campo"})
INVESTIGATOR = AccessCodeKind.INVESTIGATOR
CAMPAIGN = AccessCodeKind.CAMPAIGN


@pytest.fixture
def secret() -> ServerSecret:
    return ServerSecret.generate(TODAY)


@pytest.fixture
def codes(database: Database, secret: ServerSecret) -> AccessCodes:
    return AccessCodes(database, secret)


async def test_an_investigator_code_opens_its_questionnaire(codes: AccessCodes) -> None:
    made = await codes.add(INVESTIGATOR, "informe_campo", "campo-oriente", TODAY, served=SERVED)
    # A Telegram deep-link payload, with 192 random bits.
    assert is_code(made.code) and len(made.code) == 4 * INVESTIGATOR_CODE_BYTES // 3
    assert await codes.resolve(made.code) == Grant(
        made.short_id, INVESTIGATOR, "informe_campo", "campo-oriente"
    )
    [entry] = await codes.entries()
    assert (entry.short_id, entry.kind, entry.questionnaire, entry.label) == (
        made.short_id,
        INVESTIGATOR,
        "informe_campo",
        "campo-oriente",
    )
    assert (entry.created_on, entry.revoked_on) == (TODAY, None)


async def test_drawn_codes_differ(codes: AccessCodes) -> None:
    made = [await codes.add(INVESTIGATOR, "informe_campo", "campo", TODAY) for _ in range(5)]
    assert len({m.code for m in made}) == len({m.short_id for m in made}) == 5


@pytest.mark.parametrize("payload", ["", "desconocido", "a b", "ñandú", "x" * 65, "dos\nlineas"])
async def test_unknown_or_malformed_payloads_open_nothing(codes: AccessCodes, payload: str) -> None:
    await codes.add(CAMPAIGN, "testimonio", "brasil", TODAY, chosen="desconocidO")
    assert await codes.resolve(payload) is None


async def test_codes_are_compared_exactly(codes: AccessCodes) -> None:
    await codes.add(CAMPAIGN, "testimonio", "brasil", TODAY, chosen="Brasil2026")
    assert isinstance(await codes.resolve("Brasil2026"), Grant)
    assert await codes.resolve("brasil2026") is None


async def test_a_revoked_code_is_told_apart_and_keeps_its_first_date(codes: AccessCodes) -> None:
    made = await codes.add(INVESTIGATOR, "informe_campo", "campo", TODAY)
    other = await codes.add(CAMPAIGN, "testimonio", "brasil", TODAY, chosen="brasil2026")
    revoked = await codes.revoke(made.short_id, TODAY)
    assert revoked.revoked_on == TODAY
    again = await codes.revoke(made.short_id, date(2026, 12, 9))
    assert again.revoked_on == TODAY
    assert await codes.resolve(made.code) == RevokedCode(made.short_id, INVESTIGATOR)
    assert isinstance(await codes.resolve("brasil2026"), Grant)  # the others still open
    listed = {entry.short_id: entry.revoked_on for entry in await codes.entries()}
    assert listed == {made.short_id: TODAY, other.short_id: None}


async def test_revoking_an_unknown_id_is_one_sentence(codes: AccessCodes) -> None:
    with pytest.raises(AccessCodeError, match="No code has the id 'ffffffff'"):
        await codes.revoke("ffffffff", TODAY)


async def test_a_code_is_hashed_under_this_servers_secret_only(
    database: Database, codes: AccessCodes
) -> None:
    made = await codes.add(INVESTIGATOR, "informe_campo", "campo", TODAY)
    elsewhere = AccessCodes(database, ServerSecret.generate(TODAY))
    assert await elsewhere.resolve(made.code) is None


@pytest.mark.parametrize(
    ("kind", "questionnaire", "label", "chosen", "problem"),
    [
        (INVESTIGATOR, "informe_campo", "campo", "mi-codigo-propio", "always drawn at random"),
        (CAMPAIGN, "informe_campo", "campo", None, "only by investigator codes"),
        (CAMPAIGN, "testimonio", "brasil", "abc", "4 to 64"),
        (CAMPAIGN, "testimonio", "brasil", "con espacio", "4 to 64"),
        (CAMPAIGN, "testimonio", "brasil", "x" * 65, "4 to 64"),
        (CAMPAIGN, "testimonio", "Juan Pérez", None, "never a person's name"),
        (CAMPAIGN, "encuesta", "brasil", None, "asks no questionnaire 'encuesta'"),
    ],
)
async def test_requests_staff_can_fix_are_refused_before_anything_is_stored(
    codes: AccessCodes,
    kind: AccessCodeKind,
    questionnaire: str,
    label: str,
    chosen: str | None,
    problem: str,
) -> None:
    with pytest.raises(AccessCodeError, match=problem) as raised:
        await codes.add(kind, questionnaire, label, TODAY, chosen=chosen, served=SERVED)
    if chosen:
        assert chosen not in str(raised.value)
    assert await codes.entries() == []


async def test_a_chosen_code_is_registered_once(codes: AccessCodes) -> None:
    await codes.add(CAMPAIGN, "testimonio", "brasil", TODAY, chosen="brasil2026")
    with pytest.raises(AccessCodeError, match="already registered") as raised:
        await codes.add(CAMPAIGN, "testimonio", "otra", TODAY, chosen="brasil2026")
    assert "brasil2026" not in str(raised.value)
    assert len(await codes.entries()) == 1


async def test_the_database_holds_the_keyed_hash_and_never_the_code(
    database: Database, database_target: DatabaseTarget, secret: ServerSecret
) -> None:
    codes = AccessCodes(database, secret)
    made = await codes.add(INVESTIGATOR, "informe_campo", "campo", TODAY)
    chosen = "campania-secreta-2026"
    await codes.add(CAMPAIGN, "testimonio", "brasil", TODAY, chosen=chosen)
    await codes.revoke(made.short_id, TODAY)
    await database.close()  # everything on disk
    stored = database_target.stored_bytes()
    for code in (made.code, chosen):
        assert not database_target.holds(code.encode(), stored), code
        assert not database_target.holds(hashlib.sha256(code.encode()).digest(), stored)
    # The test sees: the keyed hashes and the short id are there.
    assert database_target.holds(secret.access_code_hash(made.code), stored)
    assert made.short_id.encode() in stored


async def test_audit_rows_say_what_happened_and_nothing_of_the_code(
    database: Database, codes: AccessCodes
) -> None:
    made = await codes.add(INVESTIGATOR, "informe_campo", "campo", TODAY)
    await codes.revoke(made.short_id, TODAY)
    async with database.engine.connect() as connection:
        rows = (await connection.execute(select(AUDIT_LOG.c.event, AUDIT_LOG.c.details))).all()
        hashes = (await connection.execute(select(ACCESS_CODES.c.code_hash))).scalars().all()
    assert [(r.event, r.details) for r in rows] == [
        ("access_code_added", {"kind": "investigator", "questionnaire": "informe_campo"}),
        ("access_code_revoked", {"kind": "investigator", "questionnaire": "informe_campo"}),
    ]
    assert len(hashes) == 1 and made.code not in str(rows)


async def test_a_grant_token_names_a_code_without_it_and_cannot_be_forged(
    database: Database, codes: AccessCodes
) -> None:
    made = await codes.add(INVESTIGATOR, "informe_campo", "campo", TODAY)
    grant = await codes.resolve(made.code)
    assert isinstance(grant, Grant)
    token = codes.grant_token(grant.short_id)
    assert len(token) == GRANT_TOKEN_LENGTH and is_code(token)
    assert made.code not in token
    assert await codes.resolve_token(token) == grant
    # Another server's secret, a changed character, another short id: nothing.
    assert await AccessCodes(database, ServerSecret.generate(TODAY)).resolve_token(token) is None
    for i in range(len(token)):
        changed = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        assert await codes.resolve_token(changed) is None, i
    assert await codes.resolve_token(token + "A") is None
    assert await codes.resolve_token(token[:-1] + "+") is None
    await codes.revoke(grant.short_id, TODAY)
    assert await codes.resolve_token(token) == RevokedCode(grant.short_id, INVESTIGATOR)
