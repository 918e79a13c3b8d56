"""State that several webhook workers share: flood-limit cells and pending withdrawals.

- `pace_cells`: Telegram's flood limits counted once for all workers (storage/shared_pacing.py).
- `pending_withdrawals`: the confirmation of `/borrar <recibo>` may reach any worker; the
  receipt's keyed hash is sealed under the button's reference (storage/withdrawal_references.py).

Both are short-lived and UNLOGGED on PostgreSQL: kept out of the write-ahead log (so out of
replicas and WAL archives), emptied by a crash, which costs at most a respondent typing
/borrar again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NO_ROWID = {"sqlite_with_rowid": False}


def upgrade() -> None:
    op.create_table(
        "pace_cells",
        sa.Column("cell", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("tat", sa.Float(), nullable=False),
        **_NO_ROWID,
    )
    op.create_table(
        "pending_withdrawals",
        sa.Column("lookup", sa.LargeBinary(32), primary_key=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        **_NO_ROWID,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE pace_cells SET UNLOGGED")
        op.execute("ALTER TABLE pending_withdrawals SET UNLOGGED")


def downgrade() -> None:
    op.drop_table("pending_withdrawals")
    op.drop_table("pace_cells")
