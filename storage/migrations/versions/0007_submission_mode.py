"""`submissions.mode`: how the answers were given, `directo` or `entrevista`.

An investigator may record a testimony on an interviewee's behalf (issue 15); the exports and
the report count such interviews as a source of their own. The mode is kept in clear like the
questionnaire id: it tells which source a submission is, not who gave it. Every submission
stored before this revision was given directly.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "submissions",
        sa.Column("mode", sa.String(16), nullable=False, server_default="directo"),
    )


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("mode")
