"""Tables of the vendors service (its own metadata: see shared.db.make_base)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from shared.db import DecimalText, UTCDateTime, make_base, utcnow
from shared.events import define_event_tables

Base = make_base()


def money_column(*, nullable: bool = False) -> Any:
    return Field(sa_column=Column(DecimalText(), nullable=nullable))


class Vendor(Base, table=True):
    __tablename__ = "vendors"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    legal_name: str | None = Field(default=None, max_length=300)
    country: str = Field(max_length=2)
    status: str = Field(default="prospect", max_length=20, index=True)
    external_vms_id: str | None = Field(default=None, max_length=100, index=True)
    # Small nested lists read and written with the vendor: JSON keeps them in one row.
    sites: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    contacts: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Communication(Base, table=True):
    __tablename__ = "communications"

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int | None = Field(default=None, foreign_key="vendors.id", index=True)
    prospect_name: str | None = Field(default=None, max_length=200)
    direction: str = Field(max_length=10)
    channel: str = Field(max_length=20)
    subject: str = Field(max_length=300)
    body: str | None = Field(default=None, max_length=10000)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    follow_up_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    follow_up_done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Contract(Base, table=True):
    __tablename__ = "contracts"

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    title: str = Field(max_length=200)
    status: str = Field(default="draft", max_length=20, index=True)
    starts_on: date
    ends_on: date
    currency: str = Field(max_length=3)
    payment_terms_days: int
    sla_terms: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    credit_rules: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContractVersion(Base, table=True):
    """Every saved state of a contract, so terms in force at any time can be read back."""

    __tablename__ = "contract_versions"
    __table_args__ = (UniqueConstraint("contract_id", "version", name="uq_contract_versions"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contracts.id", index=True)
    version: int
    snapshot: dict = Field(sa_column=Column(JSON, nullable=False))
    changed_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RateLine(Base, table=True):
    __tablename__ = "rate_lines"
    __table_args__ = (UniqueConstraint("contract_id", "task_type", "language", "unit", name="uq_rate_lines"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contracts.id", index=True)
    task_type: str = Field(max_length=50)
    language: str = Field(max_length=35)
    unit: str = Field(max_length=10)
    unit_price: Decimal = money_column()
    # [{"from_units": "1000", "unit_price": "0.40"}, ...] — Decimal strings, never floats.
    tiers: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Benchmark(Base, table=True):
    __tablename__ = "benchmarks"
    __table_args__ = (
        UniqueConstraint("task_type", "language", "region", "unit", "currency", name="uq_benchmarks"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_type: str = Field(max_length=50)
    language: str = Field(max_length=35)
    region: str = Field(max_length=50)
    unit: str = Field(max_length=10)
    currency: str = Field(max_length=3)
    p25: Decimal = money_column()
    median: Decimal = money_column()
    p75: Decimal = money_column()
    source: str | None = Field(default=None, max_length=200)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NegotiationRound(Base, table=True):
    __tablename__ = "negotiation_rounds"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contracts.id", index=True)
    proposed_by: str = Field(max_length=10)
    region: str = Field(max_length=50)
    status: str = Field(default="open", max_length=20)
    note: str | None = Field(default=None, max_length=5000)
    lines: list[dict] = Field(sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Budget(Base, table=True):
    __tablename__ = "budgets"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(index=True)
    vendor_id: int | None = Field(default=None, foreign_key="vendors.id", index=True)
    amount: Decimal = money_column()
    currency: str = Field(max_length=3)
    period_start: date
    period_end: date
    hard_cap: bool = Field(default=False)
    alert_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Vendors whose queue permissions this budget suspended through the tasks service.
    suspended_vendor_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invoice(Base, table=True):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("vendor_id", "number", name="uq_invoices_vendor_number"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    contract_id: int | None = Field(default=None, foreign_key="contracts.id")
    number: str = Field(max_length=50)
    status: str = Field(default="draft", max_length=20, index=True)
    currency: str = Field(max_length=3)
    period_start: date
    period_end: date
    lines: list[dict] = Field(sa_column=Column(JSON, nullable=False))
    total: Decimal = money_column()
    status_note: str | None = Field(default=None, max_length=2000)
    # Set when approved: what is to be paid (the claim, or only its supported part) and on what basis.
    approved_total: Decimal | None = money_column(nullable=True)
    approval_basis: str | None = Field(default=None, max_length=20)
    override_reason: str | None = Field(default=None, max_length=2000)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InvoiceAudit(Base, table=True):
    """Every status change of an invoice, by API or VMS, with who, why and the reconciliation it saw."""

    __tablename__ = "invoice_audit"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    actor: str = Field(max_length=100)
    channel: str = Field(max_length=10)  # api | vms
    note: str | None = Field(default=None, max_length=2000)
    override_reason: str | None = Field(default=None, max_length=2000)
    approval_basis: str | None = Field(default=None, max_length=20)
    total_claimed: Decimal | None = money_column(nullable=True)
    total_supported: Decimal | None = money_column(nullable=True)
    approved_total: Decimal | None = money_column(nullable=True)
    has_discrepancies: bool | None = Field(default=None)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Scorecard(Base, table=True):
    __tablename__ = "scorecards"

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    contract_id: int = Field(foreign_key="contracts.id")
    period_start: date
    period_end: date
    status: str = Field(default="draft", max_length=20)
    result: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class VmsSource(Base, table=True):
    __tablename__ = "vms_sources"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=50, unique=True)
    secret: str = Field(max_length=200)
    # The vendors this source may act on; empty (a source registered before bindings) acts on none.
    vendor_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InboundWebhook(Base, table=True):
    """Webhook ids already processed per source: a redelivered message has no second effect."""

    __tablename__ = "inbound_webhooks"
    __table_args__ = (UniqueConstraint("source", "webhook_id_sha256", name="uq_inbound_webhooks"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=50)
    # Standard Webhooks sets no length for an id: dedupe on a digest of the whole of it, and keep its
    # first 200 characters to read.
    webhook_id_sha256: str = Field(max_length=64)
    webhook_id: str = Field(max_length=200)
    event_type: str = Field(max_length=100)
    outcome: str = Field(max_length=300)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class VmsInboundLog(Base, table=True):
    """Every signed VMS message and what became of it: processed, a duplicate, or refused and why (400,
    404, 422, 503). Its body is never kept: a refused body was never checked."""

    __tablename__ = "vms_inbound_log"
    __table_args__ = (Index("ix_vms_inbound_log_source", "source", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=50)
    webhook_id: str = Field(max_length=200)
    event_type: str | None = Field(default=None, max_length=100)
    status: int
    outcome: str = Field(max_length=300)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class WebhookSubscription(Base, table=True):
    __tablename__ = "webhook_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048)
    secret: str = Field(max_length=200)
    event_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="active", max_length=20)
    disabled_reason: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=300)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(Base, table=True):
    """The outbound outbox: one row per (message, subscription), retried until delivered or dead."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscriptions.id", index=True)
    message_id: str = Field(max_length=60)
    event_type: str = Field(max_length=100)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=500)
    log: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


event_tables = define_event_tables(Base.metadata)
