"""API keys: machine credentials for integrations, created and revoked by admins."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import ApiKey
from services.gateway.repository import api_keys as repository
from services.gateway.rules.api_keys import new_api_key, shown_prefix
from services.gateway.rules.auth import secret_hash
from services.gateway.rules.users import normalized_roles
from services.gateway.schemas.api_keys import ApiKeyCreate
from services.gateway.service import audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound
from shared.pagination import PageParams, page_of


async def create_api_key(
    *, session: AsyncSession, principal: Principal, data: ApiKeyCreate
) -> tuple[ApiKey, str]:
    """A new key: the secret is returned this once and only its hash is kept."""
    secret = new_api_key()
    key = await repository.add_api_key(
        session=session,
        key=ApiKey(
            name=data.name,
            key_hash=secret_hash(secret),
            prefix=shown_prefix(secret),
            roles=normalized_roles(data.roles),
            vendor_id=data.vendor_id,
            created_by=principal.user_id,
        ),
    )
    await audit.record(
        session=session,
        actor=principal.subject,
        action="api_key.created",
        target=f"apikey:{key.id}",
        roles=key.roles,
    )
    return key, secret


async def list_api_keys(*, session: AsyncSession, page: PageParams) -> tuple[list[ApiKey], str | None]:
    """A page of API keys in id order, revoked ones included."""
    rows = await repository.list_api_keys(session=session, limit=page.limit, after_id=page.after_id)
    return page_of(rows, limit=page.limit)


async def revoke_api_key(*, session: AsyncSession, principal: Principal, key_id: int) -> ApiKey:
    """Revoke a key (once: revoking it again changes nothing). The key is locked, so of two revocations
    racing the second waits and finds it revoked: one revocation time, one audit row."""
    key = await repository.get_api_key(session=session, key_id=key_id, for_update=True)
    if key is None:
        raise NotFound(f"API key {key_id} not found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await session.flush()
        await audit.record(
            session=session, actor=principal.subject, action="api_key.revoked", target=f"apikey:{key.id}"
        )
    return key
