"""Access codes: deep-link codes staff register, stored only as keyed hashes.

- `access_codes`: HMAC of the code under a key derived from the server secret, a random short
  id for staff, the kind (campaign | investigator), the questionnaire it opens, the campaign
  label submissions record, the day it was made and the day it was revoked. No code in clear.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NO_ROWID = {"sqlite_with_rowid": False}


def upgrade() -> None:
    op.create_table(
        "access_codes",
        sa.Column("code_hash", sa.LargeBinary(32), primary_key=True),
        sa.Column("short_id", sa.String(16), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("questionnaire_id", sa.String(64), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.CheckConstraint("kind IN ('campaign', 'investigator')", name="ck_access_codes_kind"),
        **_NO_ROWID,
    )


def downgrade() -> None:
    op.drop_table("access_codes")
