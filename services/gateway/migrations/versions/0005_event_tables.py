"""the gateway receives events: the inbox (and outbox) of shared.events

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from shared.migrations import create_event_tables, drop_event_tables

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
