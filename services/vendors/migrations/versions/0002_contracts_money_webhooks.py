"""vendor relationships, contracts, money, webhooks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:08:37.288648
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "benchmarks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("p25", sa.String(length=40), nullable=False),
        sa.Column("median", sa.String(length=40), nullable=False),
        sa.Column("p75", sa.String(length=40), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_type", "language", "region", "unit", "currency", name="uq_benchmarks"),
    )
    op.create_table(
        "inbound_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("webhook_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("received_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "webhook_id", name="uq_inbound_webhooks"),
    )
    with op.batch_alter_table("inbound_webhooks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_webhooks_received_at"), ["received_at"], unique=False)

    op.create_table(
        "vms_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source"),
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("disabled_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("hard_cap", sa.Boolean(), nullable=False),
        sa.Column("alert_sent_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("suspended_vendor_ids", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budgets_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budgets_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "communications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("prospect_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.Column("occurred_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("follow_up_due_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("follow_up_done_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_communications_follow_up_due_at"), ["follow_up_due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_communications_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("sla_terms", sa.JSON(), nullable=False),
        sa.Column("credit_rules", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contracts_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("log", sa.JSON(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_subscription_id"), ["subscription_id"], unique=False
        )

    op.create_table(
        "contract_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "version", name="uq_contract_versions"),
    )
    with op.batch_alter_table("contract_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_versions_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("total", sa.String(length=40), nullable=False),
        sa.Column("status_note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vendor_id", "number", name="uq_invoices_vendor_number"),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "negotiation_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("negotiation_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_negotiation_rounds_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "rate_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("task_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("unit_price", sa.String(length=40), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "task_type", "language", "unit", name="uq_rate_lines"),
    )
    with op.batch_alter_table("rate_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_lines_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scorecards_vendor_id"), ["vendor_id"], unique=False)

    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sites", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("skills", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("contacts", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_column("contacts")
        batch_op.drop_column("skills")
        batch_op.drop_column("languages")
        batch_op.drop_column("sites")

    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecards_vendor_id"))

    op.drop_table("scorecards")
    with op.batch_alter_table("rate_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_lines_contract_id"))

    op.drop_table("rate_lines")
    with op.batch_alter_table("negotiation_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_negotiation_rounds_contract_id"))

    op.drop_table("negotiation_rounds")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_status"))

    op.drop_table("invoices")
    with op.batch_alter_table("contract_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_versions_contract_id"))

    op.drop_table("contract_versions")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_subscription_id"))
        batch_op.drop_index("ix_webhook_deliveries_due")

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_contracts_status"))

    op.drop_table("contracts")
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communications_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_communications_follow_up_due_at"))

    op.drop_table("communications")
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budgets_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_budgets_project_id"))

    op.drop_table("budgets")
    op.drop_table("webhook_subscriptions")
    op.drop_table("vms_sources")
    with op.batch_alter_table("inbound_webhooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_webhooks_received_at"))

    op.drop_table("inbound_webhooks")
    op.drop_table("benchmarks")
