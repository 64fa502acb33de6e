"""inbound webhooks are deduplicated on a digest of the whole webhook-id

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:30:00

The unique key was (source, webhook_id) over the id's first 200 characters, so two ids sharing
them were one message. Rows already stored get the digest of what they hold, which is the whole id
for every id of 200 characters or fewer.
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

inbound = sa.table(
    "inbound_webhooks",
    sa.column("id", sa.Integer),
    sa.column("webhook_id", sa.String),
    sa.column("webhook_id_sha256", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("inbound_webhooks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("webhook_id_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    connection = op.get_bind()
    for row_id, webhook_id in connection.execute(sa.select(inbound.c.id, inbound.c.webhook_id)).all():
        digest = hashlib.sha256(webhook_id.encode()).hexdigest()
        connection.execute(inbound.update().where(inbound.c.id == row_id).values(webhook_id_sha256=digest))
    with op.batch_alter_table("inbound_webhooks", schema=None) as batch_op:
        batch_op.alter_column("webhook_id_sha256", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint("uq_inbound_webhooks", type_="unique")
        batch_op.create_unique_constraint("uq_inbound_webhooks", ["source", "webhook_id_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("inbound_webhooks", schema=None) as batch_op:
        batch_op.drop_constraint("uq_inbound_webhooks", type_="unique")
        batch_op.create_unique_constraint("uq_inbound_webhooks", ["source", "webhook_id"])
        batch_op.drop_column("webhook_id_sha256")
