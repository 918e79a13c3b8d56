"""`started_updates`: the keyed digests of the updates that started a questionnaire.

A consent press delivered again after its questionnaire ended (its draft and processed
updates gone) is recognised and starts nothing (storage/tables.py, `StartedUpdate`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "started_updates",
        sa.Column("digest", sa.LargeBinary(32), primary_key=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_started_updates_started_on", "started_updates", ["started_on"])


def downgrade() -> None:
    op.drop_index("ix_started_updates_started_on", table_name="started_updates")
    op.drop_table("started_updates")
