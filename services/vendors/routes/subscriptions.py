"""HTTP for outbound webhook subscriptions and their deliveries (/api/v1/webhook-subscriptions)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.vendors.deps import (
    InternalRecordsRead,
    Paging,
    SettingsDep,
    SubscriptionToEdit,
    SubscriptionToRead,
    VendorsManage,
)
from services.vendors.schemas.subscriptions import (
    DeliveryPage,
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPage,
    SubscriptionRead,
    SubscriptionUpdate,
)
from services.vendors.service import subscriptions as service
from shared.db import ReadSessionDep, SessionDep
from shared.types import PathId

router = APIRouter(prefix="/api/v1/webhook-subscriptions", tags=["webhook-subscriptions"])


@router.post("", status_code=201, response_model=SubscriptionCreated)
async def create_subscription(
    data: SubscriptionCreate, settings: SettingsDep, session: SessionDep, _principal: VendorsManage
):
    """The signing secret is returned here once; store it to verify our deliveries."""
    row, secret = await service.create_subscription(session=session, data=data, settings=settings)
    return SubscriptionCreated(**SubscriptionRead.model_validate(row).model_dump(), secret=secret)


@router.get("/{subscription_id}", response_model=SubscriptionRead)
async def read_subscription(subscription: SubscriptionToRead):
    return subscription


@router.patch("/{subscription_id}", response_model=SubscriptionRead)
async def update_subscription(
    subscription: SubscriptionToEdit,
    data: SubscriptionUpdate,
    settings: SettingsDep,
    session: SessionDep,
):
    return await service.update_subscription(
        session=session, subscription=subscription, data=data, settings=settings
    )


@router.get("", response_model=SubscriptionPage)
async def list_subscriptions(session: ReadSessionDep, principal: InternalRecordsRead, page: Paging):
    items, next_cursor = await service.list_subscriptions(session=session, principal=principal, page=page)
    return SubscriptionPage(items=items, next_cursor=next_cursor)


@router.post("/{subscription_id}/ping", status_code=202, response_model=DeliveryRead)
async def ping_subscription(subscription: SubscriptionToEdit, session: SessionDep):
    """Queue a signed `webhook.ping` to this subscription; follow it in the delivery log."""
    return await service.ping(session=session, subscription=subscription)


@router.get("/{subscription_id}/deliveries", response_model=DeliveryPage)
async def list_deliveries(
    subscription: SubscriptionToRead,
    session: ReadSessionDep,
    page: Paging,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed|dead_letter)$")] = None,
):
    items, next_cursor = await service.list_deliveries(
        session=session, subscription=subscription, page=page, status=status
    )
    return DeliveryPage(items=items, next_cursor=next_cursor)


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/redeliver", status_code=202, response_model=DeliveryRead
)
async def redeliver(
    subscription_id: PathId, delivery_id: PathId, session: SessionDep, principal: VendorsManage
):
    # Loaded here rather than by SubscriptionToEdit: a dependency's path parameter would be listed
    # after the route's own delivery_id, and the OpenAPI document keeps the path's order.
    subscription = await service.get_subscription(
        session=session, principal=principal, subscription_id=subscription_id
    )
    delivery = await service.get_delivery(session=session, subscription=subscription, delivery_id=delivery_id)
    return await service.redeliver(session=session, subscription=subscription, delivery=delivery)
