"""A seized server yields nothing: the whole seizure played on SQLite and PostgreSQL.

Respondents go through the real conversation (complete, in progress, paused, withdrawn, one
who goes back and changes answers). The clock then moves past the retained window (draft
lifetime + 1 day) for some of them, the bot's periodic task runs (expiry, epoch rotation),
and more respondents come. Then the attacker takes every file the server holds: the
database files (SQLite file and WAL; PostgreSQL's data directory after CHECKPOINT, pg_wal
included, and a pg_dump), the server secret and the staff *public* key, plus a copy of every
draft row and sealed record as it stood after every single event: the worst case of old row
versions, WAL segments and backups taken at any moment.

With only that, each attack below must fail; the ones that must succeed (routing answers and
pseudonyms of drafts inside the retained window) assert success, so the test proves it sees.
"""

from __future__ import annotations

import binascii
import json
import os
import secrets
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from sqlalchemy import select, text

from bot.attachment_intake import AttachmentIntake
from bot.conversation import Conversation
from bot.events import Attachment, Event, Respondent
from bot.replies import Prompt, Reply
from flows.engine import Engine
from flows.loader import load_questionnaire
from storage.attachments.store import AttachmentStore
from storage.database import Database
from storage.envelope import HEADER_LENGTH, open_record
from storage.kdf import hkdf_sha256
from storage.keys import generate_staff_key, keyring, write_public_key_file
from storage.pseudonyms import Pseudonyms, identity_digest
from storage.repository import Repository
from storage.server_secret import DraftSealError, Purpose, ServerSecret, epoch_of
from storage.tables import ATTACHMENT_CHUNKS, ATTACHMENTS, DRAFTS, SEALED_ANSWERS
from tests.bot.conversation_support import CATALOGS, ENGINE, Chat, Typed, World
from tests.conftest import DatabaseTarget
from tests.storage.repository_support import FakeClock

TTL_DAYS = 30
WINDOW_DAYS = TTL_DAYS + 1  # epochs kept before today's


def _marker(who: str) -> str:
    """An answer text no other test could write: found in raw bytes only if it leaked."""
    return f"Relato de {who} {secrets.token_hex(8)}: me quitaron el pasaporte"


def _script(who: str, markers: dict[str, str]) -> dict[str, Any]:
    markers[who] = _marker(who)
    return {
        "lugar_seguro": "si",
        "rol": "mision_actual",
        "sector": "salud",
        "profesion_salud": "medico",
        "pais": Typed("venezuela", "VE"),
        "pudo_negarse": "no",
        "testimonio": [markers[who]],
        "cita_permitida": "no",
    }


@dataclass
class Seen:
    """Every draft row and sealed record as it stood after each event (any backup's view)."""

    drafts: set[tuple[bytes, bytes, bytes]] = field(default_factory=set)  # pseudonym, id, state
    records: set[tuple[bytes, int, bytes]] = field(default_factory=set)  # id, sequence, blob
    # The harness's own knowledge (never the attacker's): whose draft each submission was.
    owners: dict[bytes, int] = field(default_factory=dict)


class Recording(Conversation):
    """The real conversation; after every event, copies what a backup taken then would hold."""

    seen: Seen
    database: Database

    async def handle(self, respondent: Respondent, event: Event, *, update_id: int) -> Any:
        replies: tuple[Reply, ...] = await super().handle(respondent, event, update_id=update_id)
        draft = (await self._repository.load(self._pseudonym(respondent))).draft
        if draft is not None:
            self.seen.owners[draft.submission_id] = respondent.user_id
        async with self.database.engine.connect() as connection:
            for row in await connection.execute(
                select(DRAFTS.c.pseudonym, DRAFTS.c.submission_id, DRAFTS.c.state)
            ):
                self.seen.drafts.add((bytes(row[0]), bytes(row[1]), bytes(row[2])))
            for row in await connection.execute(
                select(
                    SEALED_ANSWERS.c.submission_id,
                    SEALED_ANSWERS.c.sequence,
                    SEALED_ANSWERS.c.ciphertext,
                )
            ):
                self.seen.records.add((bytes(row[0]), row[1], bytes(row[2])))
        return replies


@dataclass
class Server:
    database: Database
    clock: FakeClock
    secret_path: Path
    secret: ServerSecret
    pseudonyms: Pseudonyms
    repository: Repository
    world: World
    seen: Seen


def _server(database: Database, folder: Path, clock: FakeClock) -> Server:
    staff = generate_staff_key()
    secret_path = folder / "secret" / "server.secret"
    secret = ServerSecret.load_or_create(secret_path, today=clock().date())
    write_public_key_file(folder / "staff.pub", staff.public_key)
    pseudonyms = Pseudonyms(secret, draft_ttl_days=TTL_DAYS, clock=lambda: clock().date())
    repository = Repository(
        database, secret, staff.public_key, draft_ttl=timedelta(days=TTL_DAYS), clock=clock
    )
    conversation = Recording(
        engine=ENGINE,
        repository=repository,
        pseudonyms=pseudonyms,
        catalogs=CATALOGS,
        rate_limit=10_000,
        clock=clock,
        draft_ttl_days=TTL_DAYS,
    )
    conversation.seen = Seen()
    conversation.database = database
    world = World(database, conversation, staff)
    return Server(
        database, clock, secret_path, secret, pseudonyms, repository, world, conversation.seen
    )


async def _periodic_task(server: Server) -> None:
    """What the running bot does every hour: erase old epochs, expire old drafts."""
    server.pseudonyms.rotate()
    await server.repository.expire_drafts()


def _user_id() -> int:
    return secrets.randbelow(9_000_000_000) + 1_000_000_000


@dataclass(frozen=True)
class Cast:
    """Who did what, on which side of the retained window."""

    user_ids: dict[str, int]
    markers: dict[str, str]
    before_window: tuple[str, ...]
    inside_window: tuple[str, ...]


async def _play(server: Server) -> Cast:
    markers: dict[str, str] = {}
    ids = {who: _user_id() for who in "ABCDEFGH"}

    def chat(who: str) -> Chat:
        return server.world.respondent(user_id=ids[who])

    # --- day 0 ---
    completed = chat("A")
    await completed.consent()
    await completed.walk(_script("A", markers))

    withdrawn = chat("B")
    await withdrawn.consent()
    await withdrawn.answer_each(["si", "mision_actual", "salud"])
    await withdrawn.command("borrar")
    await withdrawn.press("Sí, borrar mis respuestas")

    paused = chat("C")  # never comes back: expires into a partial submission
    await paused.consent()
    await paused.answer_each(["si", "mision_pasada", "construccion"])

    changed = chat("D")  # goes back and changes the sector, then finishes
    await changed.consent()
    await changed.answer_each(["si", "mision_actual", "construccion"])
    await changed.press("Atrás")
    await changed.press("Atrás")
    await changed.walk(_script("D", markers))

    # --- past the retained window ---
    server.clock.advance(days=WINDOW_DAYS + 10)
    await _periodic_task(server)

    late = chat("E")
    await late.consent()
    await late.walk(_script("E", markers))

    open_draft = chat("F")
    await open_draft.consent()
    await open_draft.answer_each(["si", "mision_pasada", "salud"])

    late_withdrawn = chat("G")
    await late_withdrawn.consent()
    await late_withdrawn.answer_each(["si", "familiar"])
    await late_withdrawn.command("borrar")
    await late_withdrawn.press("Sí, borrar mis respuestas")

    paused_today = chat("H")
    await paused_today.consent()
    await paused_today.answer_each(["si", "salud_cuba"])
    return Cast(ids, markers, ("A", "B", "C", "D"), ("E", "F", "G", "H"))


# --- what the attacker takes ---


def _files_below(folder: Path) -> Iterator[Path]:
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                yield path


async def _postgres_files(database: Database, target: DatabaseTarget) -> list[bytes]:
    async with database.engine.connect() as connection:
        await connection.execute(text("CHECKPOINT"))
        data_directory = (await connection.execute(text("SHOW data_directory"))).scalar_one()
    seized = [path.read_bytes() for path in _files_below(Path(data_directory))]
    return [*seized, target.stored_bytes()]  # and a pg_dump of the schema


async def _seize(server: Server, target: DatabaseTarget, folder: Path) -> list[bytes]:
    """The raw bytes of every file the server holds."""
    files = [path.read_bytes() for path in _files_below(folder)]
    if target.kind == "postgresql":
        files += await _postgres_files(server.database, target)
    return files


def _key_material(secret_file: bytes, seized: ServerSecret, today_epoch: int) -> list[bytes]:
    """Every 32-byte value the seized secret holds or derives: an attacker tries them all."""
    keys = [secret_file[i : i + 32] for i in range(0, len(secret_file) - 31)]
    for epoch in range(seized.oldest_epoch, today_epoch + 1):
        chain = secret_file[-40:-8]
        for _ in range(epoch - seized.oldest_epoch):
            chain = hkdf_sha256(chain, b"oclep next epoch")
        keys.append(chain)
        for label in (b"oclep pseudonym pepper", b"oclep rate pepper", b"oclep draft key"):
            keys.append(hkdf_sha256(chain, label))
    return keys


def _opens_as_hpke(blob: bytes, info: bytes, candidate: bytes) -> bool:
    """The record opened as the staff would, with `candidate` as the private key (the format
    is public, so the attacker builds the right `info`)."""
    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
    private = x25519.X25519PrivateKey.from_private_bytes(candidate)
    try:
        suite.decrypt(blob[HEADER_LENGTH:], private, info=info)
    except (InvalidTag, ValueError):
        return False
    return True


def _record_info(blob: bytes, submission_id: bytes, sequence: int, questionnaire: bytes) -> bytes:
    binding = submission_id + sequence.to_bytes(8, "big") + questionnaire
    return b"oclep answer record v2\x00" + blob[:HEADER_LENGTH] + binding


def _opens_as_aead(blob: bytes, candidate: bytes) -> bool:
    body = blob[HEADER_LENGTH:]
    try:
        ChaCha20Poly1305(candidate).decrypt(body[:12], body[12:], None)
        return True
    except (InvalidTag, ValueError):
        return False


def _open_state(seized: ServerSecret, today_epoch: int, row: tuple[bytes, bytes, bytes]) -> bytes:
    pseudonym, submission_id, state = row
    for epoch in range(seized.oldest_epoch, today_epoch + 1):
        keys = seized.epoch_keys(epoch)
        assert keys is not None
        try:
            return keys.open_draft(state, b"oclep draft state v2\x00" + pseudonym + submission_id)
        except DraftSealError:
            continue
    raise DraftSealError


def _found_in(files: list[bytes], needles: Iterable[bytes]) -> set[bytes]:
    """The needles found in the files, raw or hex-encoded (pg_dump writes bytea as hex).

    Searched with `grep -F` (Aho-Corasick) over the hex of every file, in one pass for all
    needles: Python's `re` and `in` take minutes for hundreds of needles over a PostgreSQL
    data directory. A raw needle is found as its hex, a hex-encoded one as the hex of that.
    """
    forms: dict[str, bytes] = {}
    for needle in needles:
        forms[needle.hex()] = needle
        forms[needle.hex().encode().hex()] = needle
    with tempfile.NamedTemporaryFile("w", suffix=".patterns") as patterns:
        patterns.write("\n".join(forms) + "\n")
        patterns.flush()
        found = subprocess.run(
            ["grep", "-F", "-o", "-a", "-f", patterns.name],
            input=b"\n".join(binascii.hexlify(blob) for blob in files),
            capture_output=True,
            check=False,
        )
    assert found.returncode in (0, 1), found.stderr  # 1: nothing found
    matches = found.stdout.decode().split()
    # An odd offset in the hex is not a byte boundary: such a hit is not the needle's bytes,
    # but it is kept (a false alarm fails the test loudly rather than hiding a leak).
    return {forms[match] for match in matches}


def _user_id_forms(user_id: int) -> list[bytes]:
    return [
        user_id.to_bytes(8, "big", signed=True),
        user_id.to_bytes(8, "little", signed=True),
        str(user_id).encode(),
    ]


async def test_a_seized_server_opens_nothing_and_links_no_finished_testimony(
    database: Database, database_target: DatabaseTarget, tmp_path: Path
) -> None:
    folder = tmp_path / "server"
    if database_target.path is not None:
        assert database_target.path.is_relative_to(tmp_path)
    clock = FakeClock(datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    server = _server(database, folder, clock)
    cast = await _play(server)
    seizure_day = clock().date()
    today_epoch = epoch_of(seizure_day)

    # The files, plus the database file itself when it lives beside the test (SQLite).
    files = await _seize(server, database_target, folder)
    if database_target.path is not None:
        files += [database_target.stored_bytes()]
    secret_file = server.secret_path.read_bytes()
    seized = ServerSecret.load(server.secret_path)
    assert seized.oldest_epoch == today_epoch - WINDOW_DAYS  # the chain moved on

    # 1. No Telegram id and no answer text in clear, anywhere.
    needles = [form for uid in cast.user_ids.values() for form in _user_id_forms(uid)]
    needles += [m.encode() for m in cast.markers.values()]
    needles += [json.dumps(m, ensure_ascii=False).encode() for m in cast.markers.values()]
    assert _found_in(files, needles) == set()

    # 2. No sealed answer opens with anything the server holds, in any backup.
    assert server.seen.records, "the test saw the sealed records"
    candidates = _key_material(secret_file, seized, today_epoch)
    questionnaire = bytes.fromhex(ENGINE.hash)
    for submission_id, sequence, blob in server.seen.records:
        info = _record_info(blob, submission_id, sequence, questionnaire)
        for candidate in candidates:
            assert not _opens_as_hpke(blob, info, candidate)
            assert not _opens_as_aead(blob, candidate)
    # ...while the staff key opens every one of them (withdrawn ones included, from the
    # backups), and the same HPKE call opens them with the staff key: the test can see.
    staff = keyring([server.world.staff_key])
    staff_raw = server.world.staff_key._raw  # the X25519 private key the staff holds
    for submission_id, sequence, blob in server.seen.records:
        open_record(staff, blob, submission_id, sequence, questionnaire)
        info = _record_info(blob, submission_id, sequence, questionnaire)
        assert _opens_as_hpke(blob, info, staff_raw)

    # 3. Routing answers: every state of a draft last touched before the window stays shut;
    #    every state written inside the window opens (the attack works where it may).
    who_of = {uid: who for who, uid in cast.user_ids.items()}
    owner = {sid: who_of[uid] for sid, uid in server.seen.owners.items()}
    assert set(owner.values()) == set(cast.user_ids)
    for row in server.seen.drafts:
        if owner[row[1]] in cast.before_window:
            with pytest.raises(DraftSealError):
                _open_state(seized, today_epoch, row)
        else:
            _open_state(seized, today_epoch, row)
    open_draft = [row for row in server.seen.drafts if owner[row[1]] == "F"]
    assert any(b"mision_pasada" in _open_state(seized, today_epoch, row) for row in open_draft)

    # 4. Linking ids to submissions by recomputing pseudonyms with the seized secret:
    #    nobody from before the window; the drafts of those inside it, yes.
    attacker = Pseudonyms(seized, draft_ttl_days=TTL_DAYS, clock=lambda: seizure_day)
    seen_pseudonyms = {row[0] for row in server.seen.drafts}
    guesses = {
        who: {
            keys.pseudonym(Purpose.DRAFT, identity_digest(seized.identity_salt(), user_id))
            for keys in attacker.retained_epochs()
        }
        for who, user_id in cast.user_ids.items()
    }
    # The pseudonyms could also sit in raw file bytes the test did not parse.
    in_files = _found_in(files, set().union(*guesses.values()))
    for who, guessed in guesses.items():
        linked = guessed & seen_pseudonyms
        if who in cast.before_window:
            assert linked == set() and guessed & in_files == set(), who
        else:
            assert linked, who


# --- attachments: documents and photos given as evidence ---

DOCUMENTS_QUESTIONNAIRE = (
    Path(__file__).resolve().parents[1] / "bot" / "e2e" / "fixtures" / "documentos.yaml"
)


def _evidence_file(who: str, size: int) -> tuple[bytes, str]:
    """A file that could only come from this test: a marker line, then random bytes (a
    PDF header, so the intake's format check takes it)."""
    marker = f"CONTRATO SECRETO de {who} {secrets.token_hex(8)}"
    return b"%PDF-1.7\n% " + marker.encode() + b"\n" + os.urandom(size), marker


def _samples(content: bytes, width: int = 24, every: int = 4096) -> list[bytes]:
    """Windows of the file spread over all of it (and its last bytes): any part of the
    content stored in clear, or a chunk of it, contains one."""
    found = [content[i : i + width] for i in range(0, len(content) - width, every)]
    return [*found, content[-width:]]


async def test_a_seized_server_holds_no_byte_of_any_attachment(
    database: Database, database_target: DatabaseTarget, tmp_path: Path
) -> None:
    folder = tmp_path / "server"
    clock = FakeClock(datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    staff = generate_staff_key()
    secret_path = folder / "secret" / "server.secret"
    secret = ServerSecret.load_or_create(secret_path, today=clock().date())
    write_public_key_file(folder / "staff.pub", staff.public_key)
    engine = Engine(load_questionnaire(DOCUMENTS_QUESTIONNAIRE))
    pseudonyms = Pseudonyms(secret, draft_ttl_days=TTL_DAYS, clock=lambda: clock().date())
    repository = Repository(
        database, secret, staff.public_key, draft_ttl=timedelta(days=TTL_DAYS), clock=clock
    )
    conversation = Conversation(
        engine=engine,
        repository=repository,
        pseudonyms=pseudonyms,
        catalogs=CATALOGS,
        rate_limit=10_000,
        clock=clock,
        draft_ttl_days=TTL_DAYS,
        attachments=AttachmentIntake(
            engine=engine,
            catalogs=CATALOGS,
            store=AttachmentStore(database),
            staff_key=staff.public_key,
        ),
    )
    world = World(database, conversation, staff, engine=engine)
    sent: dict[str, bytes] = {}
    markers: list[str] = []
    names: list[str] = []

    async def send_file(chat: Chat, who: str, size: int) -> None:
        content, marker = _evidence_file(who, size)
        sent[who] = content
        markers.append(marker)
        names.append(f"nomina_{who}_{secrets.token_hex(4)}.pdf")

        async def stream() -> AsyncIterator[bytes]:
            for start in range(0, len(content), 50_000):
                yield content[start : start + 50_000]

        await chat.send(
            Attachment(
                kind="document",
                media_type="application/pdf",
                declared_size=len(content),
                name=names[-1],
                content=stream,
                message_ref=next(chat.message_ids),
            )
        )
        assert any("recibido" in (p.note or "") for p in chat.replies if isinstance(p, Prompt))

    finished = world.respondent(user_id=_user_id())
    await finished.consent()
    await finished.type("Me retuvieron el pasaporte")
    await finished.press("Listo")
    await send_file(finished, "A1", 300_000)
    await send_file(finished, "A2", 5_000)
    await finished.press("Listo")
    await finished.press("Enviar")
    assert finished.done()

    withdrawn = world.respondent(user_id=_user_id())
    await withdrawn.consent()
    await withdrawn.type("Otro relato")
    await withdrawn.press("Listo")
    await send_file(withdrawn, "B", 200_000)
    await withdrawn.command("borrar")
    await withdrawn.press("Sí, borrar mis respuestas")

    open_draft = world.respondent(user_id=_user_id())  # still answering at the seizure
    await open_draft.consent()
    await open_draft.type("Un relato a medias")
    await open_draft.press("Listo")
    await send_file(open_draft, "C", 100_000)

    files = await _seize(
        Server(database, clock, secret_path, secret, pseudonyms, repository, world, Seen()),
        database_target,
        folder,
    )
    if database_target.path is not None:
        files += [database_target.stored_bytes()]

    # No window of any file's content, no marker, no file name, anywhere the server keeps.
    needles = [sample for content in sent.values() for sample in _samples(content)]
    needles += [m.encode() for m in markers] + [n.encode() for n in names]
    assert _found_in(files, needles) == set()
    # The same search finds the sealed chunks that are there: it sees what is stored.
    async with database.engine.connect() as connection:
        stored = [
            bytes(row[0])
            for row in await connection.execute(select(ATTACHMENT_CHUNKS.c.sealed).limit(3))
        ]
        file_keys = [
            (bytes(row[0]), int(row[1]), bytes(row[2]))
            for row in await connection.execute(
                select(
                    ATTACHMENTS.c.submission_id, ATTACHMENTS.c.position, ATTACHMENTS.c.sealed_key
                )
            )
        ]
    assert len(stored) == 3 and _found_in(files, [s[:32] for s in stored]) == {
        s[:32] for s in stored
    }
    # The withdrawn respondent's file is gone: two files finished, one in an open draft.
    assert len(file_keys) == 3
    # No sealed file key opens with anything the server holds; the staff key opens each.
    seized = ServerSecret.load(secret_path)
    candidates = _key_material(secret_path.read_bytes(), seized, epoch_of(clock().date()))
    for submission_id, position, sealed_key in file_keys:
        info = (
            b"oclep attachment key v3\x00"
            + sealed_key[:HEADER_LENGTH]
            + submission_id
            + position.to_bytes(8, "big")
        )
        assert not any(_opens_as_hpke(sealed_key, info, c) for c in candidates)
        assert _opens_as_hpke(sealed_key, info, staff._raw)
