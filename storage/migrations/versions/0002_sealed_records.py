"""Answers sealed one by one to the staff key (record format 2); epoch-keyed drafts.

- `submissions.record_format`: 1 for the ratchet (a sealed K0 in `sealed_key`), 2 for records
  sealed each to the staff key (`sealed_key` then empty).
- `processed_updates` is keyed by the draft's submission id, not its pseudonym: the pseudonym
  of a draft now changes with the epoch. The table only ever holds ids of updates applied to
  open drafts, so it is recreated empty (a redelivered update of an open draft is still
  recognised by the draft's `last_update_id` ordering in the conversation).
- `server_meta`: the server secret's check value.

Columns that format 2 leaves unused (`sealed_key`, `sealed_answers.nonce`, `drafts.chain_key`)
stay NOT NULL and hold empty bytes: SQLite cannot relax NOT NULL without rebuilding tables
that others reference with cascading deletes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NO_ROWID = {"sqlite_with_rowid": False}


def upgrade() -> None:
    op.add_column(
        "submissions",
        sa.Column("record_format", sa.SmallInteger(), nullable=False, server_default="1"),
    )
    op.rename_table("processed_updates", "processed_updates_v1")
    op.create_table(
        "processed_updates",
        sa.Column(
            "submission_id",
            sa.LargeBinary(16),
            sa.ForeignKey("drafts.submission_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        **_NO_ROWID,
    )
    op.execute(
        "INSERT INTO processed_updates (submission_id, update_id) "
        "SELECT d.submission_id, p.update_id FROM processed_updates_v1 p "
        "JOIN drafts d ON d.pseudonym = p.pseudonym"
    )
    op.drop_table("processed_updates_v1")
    op.create_table(
        "server_meta",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        **_NO_ROWID,
    )


def downgrade() -> None:
    op.drop_table("server_meta")
    op.drop_table("processed_updates")
    op.create_table(
        "processed_updates",
        sa.Column(
            "pseudonym",
            sa.LargeBinary(32),
            sa.ForeignKey("drafts.pseudonym", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        **_NO_ROWID,
    )
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("record_format")
