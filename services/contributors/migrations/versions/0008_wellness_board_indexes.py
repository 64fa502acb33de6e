"""the wellness board's indexes: recent harmful exposure, recent check-ins

Revision ID: 0008
Revises: 0007

`GET /wellness/board` finds who had harmful exposure in the last day and who checked in lately; without
these it would read every exposure record (one per submission, most of severity none) and check-in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_exposure_harmful_ended",
        "exposure_records",
        ["ended_at"],
        unique=False,
        sqlite_where=sa.text("severity <> 'none'"),
        postgresql_where=sa.text("severity <> 'none'"),
    )
    op.create_index("ix_wellness_check_ins_created", "wellness_check_ins", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_wellness_check_ins_created", table_name="wellness_check_ins")
    op.drop_index("ix_exposure_harmful_ended", table_name="exposure_records")
