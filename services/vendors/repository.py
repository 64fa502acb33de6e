"""Every query of the vendors service; `readable(...)` scopes reads to the caller once, for every list and get."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, String, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.models import (
    Benchmark,
    Budget,
    Communication,
    Contract,
    ContractVersion,
    InboundWebhook,
    Invoice,
    NegotiationRound,
    RateLine,
    Scorecard,
    Vendor,
    VmsSource,
    WebhookDelivery,
    WebhookSubscription,
)
from services.vendors.rules.access import SEES_EVERY_VENDOR
from shared.auth import Principal
from shared.db import flush_or_conflict, insert_ignoring_conflicts

# Tables a `vendor` user may read, each narrowed to its own vendor through this column.
VENDOR_SCOPED = {Vendor: Vendor.id, Contract: Contract.vendor_id, Invoice: Invoice.vendor_id}
VENDOR_SCOPED[Scorecard] = Scorecard.vendor_id

M = TypeVar("M")


def readable(model: type[M], principal: Principal) -> Select:
    """Staff see every row; a vendor user only its own vendor's rows; anyone else nothing."""
    stmt = select(model)
    if principal.has_any(*SEES_EVERY_VENDOR):
        return stmt
    column = VENDOR_SCOPED.get(model)
    if column is not None and principal.has_any("vendor") and principal.vendor_id is not None:
        return stmt.where(column == principal.vendor_id)
    return stmt.where(False)


async def get_readable(
    session: AsyncSession, model: type[M], *, principal: Principal, row_id: int
) -> M | None:
    stmt = readable(model, principal).where(model.id == row_id)  # type: ignore[attr-defined]
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_for_update(session: AsyncSession, model: type[M], *, row_id: int) -> M | None:
    stmt = select(model).where(model.id == row_id)  # type: ignore[attr-defined]
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(session: AsyncSession, stmt: Select, model: Any, *, limit: int, after_id: int | None) -> list:
    """One page in id order; limit+1 rows so the caller knows whether another page exists."""
    if after_id is not None:
        stmt = stmt.where(model.id > after_id)
    return list((await session.execute(stmt.order_by(model.id).limit(limit + 1))).scalars())


async def add(session: AsyncSession, row: M, *, conflict: str) -> M:
    """Insert `row`; a unique-key clash becomes 409 with `conflict` as the detail."""
    session.add(row)
    await flush_or_conflict(session, conflict=conflict)
    return row


flush = flush_or_conflict


# --- vendors -------------------------------------------------------------------------------------


def vendor_filters(
    stmt: Select,
    *,
    status: str | None,
    country: str | None,
    external_vms_id: str | None,
    name_contains: str | None,
    language: str | None = None,
    skill: str | None = None,
) -> Select:
    if status:
        stmt = stmt.where(Vendor.status == status)
    if country:
        stmt = stmt.where(Vendor.country == country.upper())
    if external_vms_id:
        stmt = stmt.where(Vendor.external_vms_id == external_vms_id)
    if name_contains:
        stmt = stmt.where(Vendor.name.ilike(f"%{_escape_like(name_contains)}%", escape="\\"))
    # Languages and skills are JSON lists of plain codes: the quoted code in the JSON text is an exact
    # element match on both backends without dialect-specific JSON operators.
    if language:
        stmt = stmt.where(cast(Vendor.languages, String).like(f'%"{_escape_like(language)}"%', escape="\\"))
    if skill:
        stmt = stmt.where(cast(Vendor.skills, String).like(f'%"{_escape_like(skill)}"%', escape="\\"))
    return stmt


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', "")


async def vendor_by_external_id(
    session: AsyncSession, *, external_vms_id: str, among: list[int]
) -> Vendor | None:
    """The vendor with this VMS id among `among` (a VMS source's vendors): it never sees the others."""
    stmt = (
        select(Vendor)
        .where(Vendor.external_vms_id == external_vms_id, Vendor.id.in_(among))
        .order_by(Vendor.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def missing_vendor_ids(session: AsyncSession, *, vendor_ids: list[int]) -> list[int]:
    found = set((await session.execute(select(Vendor.id).where(Vendor.id.in_(vendor_ids)))).scalars())
    return sorted(set(vendor_ids) - found)


# --- communications ------------------------------------------------------------------------------


def follow_ups_due(*, before: datetime) -> Select:
    return select(Communication).where(
        Communication.follow_up_due_at.is_not(None),
        Communication.follow_up_due_at <= before,
        Communication.follow_up_done_at.is_(None),
    )


def communication_filters(stmt: Select, *, vendor_id: int | None, channel: str | None) -> Select:
    if vendor_id is not None:
        stmt = stmt.where(Communication.vendor_id == vendor_id)
    if channel:
        stmt = stmt.where(Communication.channel == channel)
    return stmt


def contract_filters(stmt: Select, *, vendor_id: int | None, status: str | None) -> Select:
    if vendor_id is not None:
        stmt = stmt.where(Contract.vendor_id == vendor_id)
    if status:
        stmt = stmt.where(Contract.status == status)
    return stmt


def scorecard_filters(stmt: Select, *, vendor_id: int | None) -> Select:
    return stmt if vendor_id is None else stmt.where(Scorecard.vendor_id == vendor_id)


# --- contracts -----------------------------------------------------------------------------------


async def overlapping_active_contract(
    session: AsyncSession, *, vendor_id: int, starts_on: date, ends_on: date, other_than: int
) -> Contract | None:
    stmt = select(Contract).where(
        Contract.vendor_id == vendor_id,
        Contract.status == "active",
        Contract.id != other_than,
        Contract.starts_on <= ends_on,
        Contract.ends_on >= starts_on,
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def active_contract_on(session: AsyncSession, *, vendor_id: int, on: date) -> Contract | None:
    stmt = select(Contract).where(
        Contract.vendor_id == vendor_id,
        Contract.status == "active",
        Contract.starts_on <= on,
        Contract.ends_on >= on,
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def contract_versions(session: AsyncSession, *, contract_id: int) -> list[ContractVersion]:
    stmt = (
        select(ContractVersion)
        .where(ContractVersion.contract_id == contract_id)
        .order_by(ContractVersion.version)
    )
    return list((await session.execute(stmt)).scalars())


async def rate_lines(session: AsyncSession, *, contract_id: int) -> list[RateLine]:
    stmt = select(RateLine).where(RateLine.contract_id == contract_id).order_by(RateLine.id)
    return list((await session.execute(stmt)).scalars())


async def replace_rate_lines(session: AsyncSession, *, contract_id: int, lines: list[RateLine]) -> None:
    for line in await rate_lines(session, contract_id=contract_id):
        await session.delete(line)
    await session.flush()
    session.add_all(lines)
    await flush(session, conflict="the rate card has two lines for the same task type, language and unit")


# --- benchmarks ----------------------------------------------------------------------------------


async def find_benchmark(
    session: AsyncSession, *, task_type: str, language: str, region: str, unit: str, currency: str
) -> Benchmark | None:
    stmt = select(Benchmark).where(
        Benchmark.task_type == task_type,
        Benchmark.language == language,
        Benchmark.region == region,
        Benchmark.unit == unit,
        Benchmark.currency == currency,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def benchmark_filters(
    stmt: Select, *, task_type: str | None, language: str | None, region: str | None
) -> Select:
    if task_type:
        stmt = stmt.where(Benchmark.task_type == task_type)
    if language:
        stmt = stmt.where(Benchmark.language == language)
    if region:
        stmt = stmt.where(Benchmark.region == region)
    return stmt


def negotiations_of(*, contract_id: int | None) -> Select:
    stmt = select(NegotiationRound)
    return stmt if contract_id is None else stmt.where(NegotiationRound.contract_id == contract_id)


# --- budgets, invoices, scorecards ---------------------------------------------------------------


def budget_filters(stmt: Select, *, project_id: int | None, vendor_id: int | None) -> Select:
    if project_id is not None:
        stmt = stmt.where(Budget.project_id == project_id)
    if vendor_id is not None:
        stmt = stmt.where(Budget.vendor_id == vendor_id)
    return stmt


async def budgets_in_force(session: AsyncSession, *, on: date) -> list[int]:
    """Budgets whose period covers `on` (a suspension outside it is lifted by raising the budget)."""
    stmt = select(Budget.id).where(Budget.period_start <= on, Budget.period_end >= on)
    return list((await session.execute(stmt.order_by(Budget.id))).scalars())


def invoice_filters(stmt: Select, *, vendor_id: int | None, status: str | None) -> Select:
    if vendor_id is not None:
        stmt = stmt.where(Invoice.vendor_id == vendor_id)
    if status:
        stmt = stmt.where(Invoice.status == status)
    return stmt


async def approved_invoices(
    session: AsyncSession, *, vendor_id: int, period_start: date, period_end: date
) -> list[Invoice]:
    stmt = select(Invoice).where(
        Invoice.vendor_id == vendor_id,
        Invoice.status.in_(("approved", "paid")),
        Invoice.period_start >= period_start,
        Invoice.period_end <= period_end,
    )
    return list((await session.execute(stmt)).scalars())


# --- webhooks ------------------------------------------------------------------------------------


async def vms_source(session: AsyncSession, *, source: str) -> VmsSource | None:
    return (await session.execute(select(VmsSource).where(VmsSource.source == source))).scalar_one_or_none()


def webhook_id_digest(webhook_id: str) -> str:
    return hashlib.sha256(webhook_id.encode()).hexdigest()


async def claim_inbound_webhook(
    session: AsyncSession, *, source: str, webhook_id: str, event_type: str
) -> bool:
    """True when this webhook id (all of it) is new for the source (the unique key makes a race lose cleanly)."""
    row = {
        "source": source,
        "webhook_id_sha256": webhook_id_digest(webhook_id),
        "webhook_id": webhook_id[:200],
        "event_type": event_type,
        "outcome": "processing",
    }
    return await insert_ignoring_conflicts(session, InboundWebhook.__table__, row)  # type: ignore[attr-defined]


async def record_inbound_outcome(
    session: AsyncSession, *, source: str, webhook_id: str, outcome: str
) -> None:
    await session.execute(
        update(InboundWebhook)
        .where(
            InboundWebhook.source == source,
            InboundWebhook.webhook_id_sha256 == webhook_id_digest(webhook_id),
        )
        .values(outcome=outcome[:300])
    )


async def active_subscriptions(session: AsyncSession) -> list[WebhookSubscription]:
    stmt = select(WebhookSubscription).where(WebhookSubscription.status == "active")
    return list((await session.execute(stmt)).scalars())


def deliveries_of(*, subscription_id: int, status: str | None) -> Select:
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    return stmt if status is None else stmt.where(WebhookDelivery.status == status)


async def claim_due_deliveries(
    session: AsyncSession, *, now: datetime, hold_until: datetime, limit: int
) -> list[int]:
    """Mark due deliveries as taken until `hold_until`, so another replica does not send them too."""
    due = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list((await session.execute(due)).scalars())
    if ids:
        await session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(next_attempt_at=hold_until)
        )
    return ids


async def delivery_counts(session: AsyncSession) -> dict[str, int]:
    stmt = select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
    return {status: count for status, count in (await session.execute(stmt)).all()}


async def latest_attainments(session: AsyncSession) -> list[str | None]:
    """The overall SLA attainment of the most recent scorecard of each active vendor (None: unmeasured)."""
    latest = (
        select(func.max(Scorecard.id))
        .join(Vendor, Vendor.id == Scorecard.vendor_id)
        .where(Vendor.status == "active")
        .group_by(Scorecard.vendor_id)
    )
    results = (await session.execute(select(Scorecard.result).where(Scorecard.id.in_(latest)))).scalars()
    return [result.get("overall_attainment") for result in results]


async def purge_inbound_before(session: AsyncSession, *, before: datetime) -> None:
    await session.execute(InboundWebhook.__table__.delete().where(InboundWebhook.received_at < before))  # type: ignore[attr-defined]


async def invoice_by_number(session: AsyncSession, *, vendor_id: int, number: str) -> Invoice | None:
    stmt = select(Invoice).where(Invoice.vendor_id == vendor_id, Invoice.number == number)
    return (await session.execute(stmt)).scalar_one_or_none()
