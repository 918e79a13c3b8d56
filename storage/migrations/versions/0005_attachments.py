"""Attachments: documents and photos sealed to the staff key, in chunks (issue 16).

- `attachments`: (submission, position) -> the file key sealed to the staff key (format 3
  envelope), and whether the file arrived whole.
- `attachment_chunks`: (submission, position, chunk) -> one sealed chunk; deleted with its
  attachment, which is deleted with its submission.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NO_ROWID = {"sqlite_with_rowid": False}


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column(
            "submission_id",
            sa.LargeBinary(16),
            sa.ForeignKey("submissions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("sealed_key", sa.LargeBinary(), nullable=False),
        sa.Column("complete", sa.SmallInteger(), nullable=False),
        **_NO_ROWID,
    )
    op.create_table(
        "attachment_chunks",
        sa.Column("submission_id", sa.LargeBinary(16), primary_key=True),
        sa.Column("position", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("chunk", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id", "position"],
            ["attachments.submission_id", "attachments.position"],
            ondelete="CASCADE",
        ),
        **_NO_ROWID,
    )


def downgrade() -> None:
    op.drop_table("attachment_chunks")
    op.drop_table("attachments")
