"""Initial schema: submissions, sealed answers, drafts, processed updates, tombstones, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite: no hidden rowid (it would record the order of every insert): see storage/tables.py.
_NO_ROWID = {"sqlite_with_rowid": False}
_SQLITE_APPEND_ONLY = (
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
)
_POSTGRES_APPEND_ONLY = (
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
)


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.LargeBinary(16), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("campaign", sa.String(64), nullable=True),
        sa.Column("questionnaire_id", sa.String(64), nullable=False),
        sa.Column("questionnaire_version", sa.BigInteger(), nullable=False),
        sa.Column("questionnaire_hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.LargeBinary(32), nullable=False),
        sa.Column("sealed_key", sa.LargeBinary(), nullable=False),
        sa.Column("receipt_hash", sa.LargeBinary(32), nullable=True, unique=True),
        sa.Column("answer_count", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "status IN ('in_progress', 'complete', 'partial', 'withdrawn')",
            name="ck_submissions_status",
        ),
        **_NO_ROWID,
    )
    op.create_index(
        "ix_submissions_status_completed_on", "submissions", ["status", "completed_on"]
    )
    op.create_index("ix_submissions_campaign", "submissions", ["campaign"])
    op.create_index("ix_submissions_completed_on", "submissions", ["completed_on"])

    op.create_table(
        "sealed_answers",
        sa.Column(
            "submission_id",
            sa.LargeBinary(16),
            sa.ForeignKey("submissions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("sequence", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        **_NO_ROWID,
    )

    op.create_table(
        "drafts",
        sa.Column("pseudonym", sa.LargeBinary(32), primary_key=True),
        sa.Column(
            "submission_id",
            sa.LargeBinary(16),
            sa.ForeignKey("submissions.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("last_update_id", sa.BigInteger(), nullable=False),
        sa.Column("next_sequence", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("chain_key", sa.LargeBinary(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        **_NO_ROWID,
    )
    op.create_index("ix_drafts_expires_on", "drafts", ["expires_on"])

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

    op.create_table(
        "tombstones",
        sa.Column("submission_id", sa.LargeBinary(16), primary_key=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=False),
        **_NO_ROWID,
    )

    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_APPEND_ONLY if dialect == "sqlite" else _POSTGRES_APPEND_ONLY:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    for table in (
        "audit_log",
        "tombstones",
        "processed_updates",
        "drafts",
        "sealed_answers",
        "submissions",
    ):
        op.drop_table(table)
