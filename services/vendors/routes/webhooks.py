"""HTTP for VMS webhooks in (/api/v1/webhooks/...) and subscriptions out (/api/v1/webhook-subscriptions)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from services.vendors.deps import InternalRecordsRead, Paging, SettingsDep, VendorsManage, VmsSourcesManage
from services.vendors.schemas.webhooks import (
    DeliveryPage,
    DeliveryRead,
    InboundResult,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPage,
    SubscriptionRead,
    SubscriptionUpdate,
    VmsSourceCreate,
    VmsSourceCreated,
    VmsSourceRead,
    VmsSourceUpdate,
)
from services.vendors.service import inbound, subscriptions
from shared.db import ReadSessionDep, SessionDep
from shared.errors import PayloadTooLarge
from shared.http import ServicesDep
from shared.types import PathId

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
subscription_router = APIRouter(prefix="/api/v1/webhook-subscriptions", tags=["webhook-subscriptions"])


@router.post("/vms-sources", status_code=201, response_model=VmsSourceCreated)
async def register_vms_source(data: VmsSourceCreate, session: SessionDep, _principal: VmsSourcesManage):
    """Register a VMS source bound to its vendors; its signing secret is returned here once and never again."""
    source, secret = await inbound.register_source(session, data=data)
    return VmsSourceCreated(**VmsSourceRead.model_validate(source).model_dump(), secret=secret)


@router.patch("/vms-sources/{source_id}", response_model=VmsSourceRead)
async def bind_vms_source(
    source_id: PathId, data: VmsSourceUpdate, session: SessionDep, principal: VmsSourcesManage
):
    """Replace the vendors the source may act on; its events about any other vendor answer 404."""
    source = await inbound.get_source(session, principal=principal, source_id=source_id)
    return await inbound.bind_source(session, source=source, data=data)


@router.get("/vms-sources", response_model=list[VmsSourceRead])
async def list_vms_sources(session: ReadSessionDep, principal: VmsSourcesManage):
    return await inbound.list_sources(session, principal=principal)


@router.post("/vms/{source}", response_model=InboundResult)
async def receive_vms_webhook(
    source: Annotated[str, Path(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.:-]+$")],
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    settings: SettingsDep,
):
    """Standard Webhooks-signed VMS events; authenticated by signature, not by a user token."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > settings.inbound_max_body_bytes:
        raise PayloadTooLarge(f"webhook bodies are limited to {settings.inbound_max_body_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.inbound_max_body_bytes:
            raise PayloadTooLarge(f"webhook bodies are limited to {settings.inbound_max_body_bytes} bytes")
    return await inbound.receive(
        session, services=services, settings=settings, source=source, headers=dict(request.headers),
        body=bytes(body),
    )  # fmt: skip


receive_vms_webhook.public_route = True  # type: ignore[attr-defined]


@subscription_router.post("", status_code=201, response_model=SubscriptionCreated)
async def create_subscription(
    data: SubscriptionCreate, settings: SettingsDep, session: SessionDep, _principal: VendorsManage
):
    """The signing secret is returned here once; store it to verify our deliveries."""
    row, secret = await subscriptions.create_subscription(session, data=data, settings=settings)
    return SubscriptionCreated(**SubscriptionRead.model_validate(row).model_dump(), secret=secret)


@subscription_router.get("/{subscription_id}", response_model=SubscriptionRead)
async def read_subscription(subscription_id: PathId, session: ReadSessionDep, principal: InternalRecordsRead):
    return await subscriptions.get_subscription(session, principal=principal, subscription_id=subscription_id)


@subscription_router.patch("/{subscription_id}", response_model=SubscriptionRead)
async def update_subscription(
    subscription_id: PathId,
    data: SubscriptionUpdate,
    settings: SettingsDep,
    session: SessionDep,
    principal: VendorsManage,
):
    row = await subscriptions.get_subscription(session, principal=principal, subscription_id=subscription_id)
    return await subscriptions.update_subscription(session, subscription=row, data=data, settings=settings)


@subscription_router.get("", response_model=SubscriptionPage)
async def list_subscriptions(session: ReadSessionDep, principal: InternalRecordsRead, page: Paging):
    items, next_cursor = await subscriptions.list_subscriptions(session, principal=principal, page=page)
    return SubscriptionPage(items=items, next_cursor=next_cursor)


@subscription_router.post("/{subscription_id}/ping", status_code=202, response_model=DeliveryRead)
async def ping_subscription(subscription_id: PathId, session: SessionDep, principal: VendorsManage):
    """Queue a signed `webhook.ping` to this subscription; follow it in the delivery log."""
    row = await subscriptions.get_subscription(session, principal=principal, subscription_id=subscription_id)
    return await subscriptions.ping(session, subscription=row)


@subscription_router.get("/{subscription_id}/deliveries", response_model=DeliveryPage)
async def list_deliveries(
    subscription_id: PathId,
    session: ReadSessionDep,
    principal: InternalRecordsRead,
    page: Paging,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed|dead_letter)$")] = None,
):
    row = await subscriptions.get_subscription(session, principal=principal, subscription_id=subscription_id)
    items, next_cursor = await subscriptions.list_deliveries(
        session, subscription=row, page=page, status=status
    )
    return DeliveryPage(items=items, next_cursor=next_cursor)


@subscription_router.post(
    "/{subscription_id}/deliveries/{delivery_id}/redeliver", status_code=202, response_model=DeliveryRead
)
async def redeliver(
    subscription_id: PathId, delivery_id: PathId, session: SessionDep, principal: VendorsManage
):
    row = await subscriptions.get_subscription(session, principal=principal, subscription_id=subscription_id)
    delivery = await subscriptions.get_delivery(session, subscription=row, delivery_id=delivery_id)
    return await subscriptions.redeliver(session, subscription=row, delivery=delivery)
