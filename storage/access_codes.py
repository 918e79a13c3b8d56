"""Access codes: the deep-link codes that decide which questionnaire a /start opens.

A code maps to a kind (a campaign shared with many people, or one investigator), a
questionnaire and a campaign label (what submissions record in `campaign`). Only a keyed hash
of the code is stored (`ServerSecret.access_code_hash`); the code itself is shown once, when
`oclep-admin codes add` makes it, and is never written to the database, a log or an error.
Staff name a code by its random `short_id`.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from flows.shipped import INVESTIGATOR_ONLY
from storage.database import Database
from storage.server_secret import ServerSecret
from storage.tables import ACCESS_CODES, AUDIT_LOG, CAMPAIGN_PATTERN, AccessCodeKind

# Telegram's deep-link payload: up to 64 characters of A-Z, a-z, 0-9, _ and -.
CODE_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
CHOSEN_CODE_MIN_LENGTH: Final = 4
# 24 random bytes: 32 characters of base64url, 192 bits. An investigator's code opens the
# field report, so it must not be guessable even by someone holding the server secret and
# the database (who can test guesses against the stored hashes offline).
INVESTIGATOR_CODE_BYTES: Final = 24
# A campaign code is written in links shared with many people; it needs no secrecy, only
# not to collide: 9 bytes, 12 characters.
CAMPAIGN_CODE_BYTES: Final = 9
SHORT_ID_BYTES: Final = 4  # 8 hex characters; unique among a few hundred codes, retried
_SHORT_ID = re.compile(r"[0-9a-f]{8}")
# A grant token: the short id and 12 bytes of its MAC in base64url, 24 characters. It fits a
# Telegram button's 64-byte callback data beside the bot's own fields.
GRANT_TOKEN_MAC_BYTES: Final = 12
GRANT_TOKEN_LENGTH: Final = 2 * SHORT_ID_BYTES + 4 * GRANT_TOKEN_MAC_BYTES // 3
_LABEL = re.compile(CAMPAIGN_PATTERN)
_C = ACCESS_CODES.c


class AccessCodeError(Exception):
    """A code request staff can fix; one sentence that never contains a code."""


@dataclass(frozen=True)
class Grant:
    """What a valid code opens: the questionnaire, and the campaign label to record."""

    short_id: str
    kind: AccessCodeKind
    questionnaire: str
    label: str


@dataclass(frozen=True)
class RevokedCode:
    """A registered code that staff revoked: the bot says so kindly, and opens nothing."""

    short_id: str
    kind: AccessCodeKind


@dataclass(frozen=True)
class CodeEntry:
    """One registered code as `oclep-admin codes list` shows it: never the code."""

    short_id: str
    kind: AccessCodeKind
    questionnaire: str
    label: str
    created_on: date
    revoked_on: date | None


@dataclass(frozen=True)
class NewCode:
    """A code just registered. `code` is to be shown once and then forgotten."""

    short_id: str
    code: str


def new_code(kind: AccessCodeKind) -> str:
    """A random code for a deep link (base64url characters only)."""
    size = INVESTIGATOR_CODE_BYTES if kind is AccessCodeKind.INVESTIGATOR else CAMPAIGN_CODE_BYTES
    return secrets.token_urlsafe(size)


def is_code(text: str) -> bool:
    """Whether `text` could be a code: a deep-link payload's characters and length."""
    return CODE_PATTERN.fullmatch(text) is not None


class AccessCodes:
    """Registered codes in the database, looked up by their keyed hash."""

    def __init__(self, database: Database, secret: ServerSecret) -> None:
        self._database = database
        self._secret = secret

    async def add(
        self,
        kind: AccessCodeKind,
        questionnaire: str,
        label: str,
        today: date,
        *,
        chosen: str | None = None,
        served: frozenset[str] | None = None,
    ) -> NewCode:
        """Register a code: `chosen` (campaign codes only) or a new random one.

        `served` lists the questionnaire ids the bot can ask; a code for another one is
        refused. Raises `AccessCodeError` with one sentence for staff.
        """
        _check_grant(kind, questionnaire, label, served)
        if chosen is not None:
            _check_chosen(kind, chosen)
        for _ in range(5):
            code = chosen if chosen is not None else new_code(kind)
            short_id = secrets.token_hex(SHORT_ID_BYTES)
            try:
                async with self._database.write_transaction() as connection:
                    await connection.execute(
                        insert(ACCESS_CODES).values(
                            code_hash=self._secret.access_code_hash(code),
                            short_id=short_id,
                            kind=kind.value,
                            questionnaire_id=questionnaire,
                            label=label,
                            created_on=today,
                        )
                    )
                    await connection.execute(
                        insert(AUDIT_LOG).values(
                            occurred_on=today,
                            event="access_code_added",
                            details={"kind": kind.value, "questionnaire": questionnaire},
                        )
                    )
            except IntegrityError:
                if chosen is not None and await self._registered(code):
                    raise AccessCodeError(
                        "That code is already registered (perhaps revoked); choose another."
                    ) from None
                continue  # a short id (or a random code) met an earlier one: draw again
            return NewCode(short_id, code)
        raise AccessCodeError("Could not draw an unused code; try again.")

    async def resolve(self, code: str) -> Grant | RevokedCode | None:
        """What a /start payload opens: a `Grant`, a `RevokedCode`, or None if unknown."""
        if not is_code(code):
            return None
        async with self._database.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(*_GRANT_COLUMNS).where(
                        _C.code_hash == self._secret.access_code_hash(code)
                    )
                )
            ).one_or_none()
        return None if row is None else _outcome(row)

    def grant_token(self, short_id: str) -> str:
        """A token naming a resolved code without the code: for the bot's buttons.

        Before consent nothing is stored, so what a deep link opened must ride in the consent
        buttons. The code itself must not: once the bot deletes the `/start <code>` message,
        the chat then holds no code. The MAC (server secret) stops a forged button from
        naming a code it does not hold: short ids are listed to staff and only 32 bits.
        """
        mac = self._secret.grant_token_mac(short_id)[:GRANT_TOKEN_MAC_BYTES]
        return short_id + base64.urlsafe_b64encode(mac).decode("ascii")

    async def resolve_token(self, token: str) -> Grant | RevokedCode | None:
        """What a `grant_token` names now (revoked since? unknown?), or None if forged."""
        short_id, mac_text = token[: 2 * SHORT_ID_BYTES], token[2 * SHORT_ID_BYTES :]
        if (
            len(token) != GRANT_TOKEN_LENGTH
            or _SHORT_ID.fullmatch(short_id) is None
            or CODE_PATTERN.fullmatch(mac_text) is None
        ):
            return None
        mac = base64.urlsafe_b64decode(mac_text.encode("ascii"))
        expected = self._secret.grant_token_mac(short_id)[:GRANT_TOKEN_MAC_BYTES]
        if not hmac.compare_digest(mac, expected):
            return None
        async with self._database.engine.connect() as connection:
            row = (
                await connection.execute(select(*_GRANT_COLUMNS).where(_C.short_id == short_id))
            ).one_or_none()
        return None if row is None else _outcome(row)

    async def entries(self) -> list[CodeEntry]:
        """Every registered code, oldest first (then by short id): never the codes."""
        async with self._database.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(*_ENTRY_COLUMNS).order_by(_C.created_on, _C.short_id)
                )
            ).all()
        return [_entry(row, row.revoked_on) for row in rows]

    async def revoke(self, short_id: str, today: date) -> CodeEntry:
        """Revoke the code `short_id` names (from now on it opens nothing); the entry as it
        was. Revoking twice keeps the first date. `AccessCodeError` for an unknown id."""
        async with self._database.write_transaction() as connection:
            row = (
                await connection.execute(
                    select(*_ENTRY_COLUMNS).where(_C.short_id == short_id).with_for_update()
                )
            ).one_or_none()
            if row is None:
                raise AccessCodeError(
                    f"No code has the id {short_id!r}; `oclep-admin codes list` shows the ids."
                )
            if row.revoked_on is None:
                await connection.execute(
                    update(ACCESS_CODES).where(_C.short_id == short_id).values(revoked_on=today)
                )
                await connection.execute(
                    insert(AUDIT_LOG).values(
                        occurred_on=today,
                        event="access_code_revoked",
                        details={"kind": row.kind, "questionnaire": row.questionnaire_id},
                    )
                )
        return _entry(row, row.revoked_on or today)

    async def _registered(self, code: str) -> bool:
        async with self._database.engine.connect() as connection:
            found = await connection.execute(
                select(_C.short_id).where(_C.code_hash == self._secret.access_code_hash(code))
            )
            return found.first() is not None


def _outcome(row: Any) -> Grant | RevokedCode:
    kind = AccessCodeKind(row.kind)
    if row.revoked_on is not None:
        return RevokedCode(row.short_id, kind)
    return Grant(row.short_id, kind, row.questionnaire_id, row.label)


def _check_grant(
    kind: AccessCodeKind, questionnaire: str, label: str, served: frozenset[str] | None
) -> None:
    if served is not None and questionnaire not in served:
        raise AccessCodeError(
            f"The bot asks no questionnaire {questionnaire!r}; choose one of "
            + ", ".join(sorted(served))
            + "."
        )
    if kind is AccessCodeKind.CAMPAIGN and questionnaire in INVESTIGATOR_ONLY:
        raise AccessCodeError(
            f"The questionnaire {questionnaire!r} is opened only by investigator codes; "
            "use --kind investigator."
        )
    if _LABEL.fullmatch(label) is None:
        raise AccessCodeError(
            "A label is 1 to 64 letters, digits, '_' or '-' (it is recorded with every "
            "submission: never a person's name)."
        )


def _check_chosen(kind: AccessCodeKind, code: str) -> None:
    if kind is not AccessCodeKind.CAMPAIGN:
        raise AccessCodeError(
            "Investigator codes are always drawn at random (a chosen code could be guessed); "
            "leave out --code."
        )
    if not is_code(code) or len(code) < CHOSEN_CODE_MIN_LENGTH:
        raise AccessCodeError(
            f"A campaign code is {CHOSEN_CODE_MIN_LENGTH} to 64 letters, digits, '_' or '-' "
            "(what Telegram accepts after ?start=)."
        )


# What a resolved code opens (`_outcome`), and what `codes list` shows of a code: never
# the code, nor its keyed hash.
_GRANT_COLUMNS: Final = (_C.short_id, _C.kind, _C.questionnaire_id, _C.label, _C.revoked_on)
_ENTRY_COLUMNS: Final = (
    _C.short_id,
    _C.kind,
    _C.questionnaire_id,
    _C.label,
    _C.created_on,
    _C.revoked_on,
)


def _entry(row: Any, revoked_on: date | None) -> CodeEntry:
    return CodeEntry(
        row.short_id,
        AccessCodeKind(row.kind),
        row.questionnaire_id,
        row.label,
        row.created_on,
        revoked_on,
    )
