"""HTTP for inbound VMS webhooks and the VMS sources that sign them (/api/v1/webhooks)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from services.vendors.deps import Paging, SettingsDep, VmsSourcesManage, VmsSourceToEdit
from services.vendors.schemas.webhooks import (
    InboundLogPage,
    InboundResult,
    VmsSourceCreate,
    VmsSourceCreated,
    VmsSourceRead,
    VmsSourceUpdate,
)
from services.vendors.service import webhooks as service
from shared.db import ReadSessionDep, SessionDep
from shared.errors import PayloadTooLarge, problem_for
from shared.http import ServicesDep
from shared.openapi import raw_json_body
from shared.pagination import Page

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


@router.post("/vms-sources", status_code=201, response_model=VmsSourceCreated)
async def register_vms_source(data: VmsSourceCreate, session: SessionDep, _principal: VmsSourcesManage):
    """Register a VMS source bound to its vendors; its signing secret is returned here once and never again."""
    source, secret = await service.register_source(session=session, data=data)
    return VmsSourceCreated(**VmsSourceRead.model_validate(source).model_dump(), secret=secret)


@router.patch("/vms-sources/{source_id}", response_model=VmsSourceRead)
async def bind_vms_source(source: VmsSourceToEdit, data: VmsSourceUpdate, session: SessionDep):
    """Replace the vendors the source may act on; its events about any other vendor answer 404."""
    return await service.bind_source(session=session, source=source, data=data)


@router.get("/vms-sources", response_model=Page[VmsSourceRead])
async def list_vms_sources(session: ReadSessionDep, principal: VmsSourcesManage, page: Paging):
    """The registered VMS sources with the vendors each is bound to (never their secrets)."""
    items, next_cursor = await service.list_sources(session=session, principal=principal, page=page)
    return Page[VmsSourceRead](items=items, next_cursor=next_cursor)


@router.post(
    "/vms/{source}",
    response_model=InboundResult,
    # Read raw below (the signature covers the bytes); documented here, validated by the same models.
    openapi_extra=raw_json_body(
        "VmsInboundEvent",
        description="A Standard Webhooks message (`webhook-id`, `webhook-timestamp` and `webhook-signature` "
        "headers), its `data` validated by the schema of its `type` before anything is stored",
    ),
)
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
    try:
        return await service.receive(
            session=session, services=services, settings=settings, source=source,
            headers=dict(request.headers), body=bytes(body),
        )  # fmt: skip
    except service.InboundRefused as refused:
        # Answered, not raised: the transaction commits the log row saying why it was refused.
        return await problem_for(request, refused.cause)


receive_vms_webhook.public_route = True  # type: ignore[attr-defined]


@router.get("/vms-inbound-log", response_model=InboundLogPage)
async def vms_inbound_log(
    session: ReadSessionDep,
    _principal: VmsSourcesManage,
    page: Paging,
    source: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
):
    """Every signed VMS message, newest first, with what it was answered and why (a refusal's field and
    reason); the bodies are not kept. Kept as long as webhook ids are (INBOUND_DEDUPE_DAYS)."""
    items, next_cursor = await service.inbound_log(session=session, source=source, status=status, page=page)
    return InboundLogPage(items=items, next_cursor=next_cursor)
