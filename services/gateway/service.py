"""Rules of the gateway: logins, token issue and rotation, users, the bootstrap admin."""

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import repository
from services.gateway.keys import SigningKeys
from services.gateway.models import RefreshToken, User
from services.gateway.passwords import hash_password, verify_password
from services.gateway.schemas import TokenPair, UserCreate
from services.gateway.settings import GatewaySettings
from shared import tokens
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Unauthorized


def principal_of(user: User) -> Principal:
    return Principal(
        subject=f"user:{user.id}",
        roles=frozenset(user.roles),
        user_id=user.id,
        vendor_id=user.vendor_id,
        contributor_id=user.contributor_id,
    )


def _hash_refresh(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _issue_pair(
    session: AsyncSession, *, user: User, family_id: str, keys: SigningKeys, settings: GatewaySettings
) -> TokenPair:
    principal = principal_of(user)
    access = tokens.encode(
        tokens.ACCESS,
        key=keys.private_pem,
        subject=principal.subject,
        ttl_seconds=settings.access_token_ttl_seconds,
        claims=principal.to_claims(),
    )
    refresh = "rt_" + secrets.token_urlsafe(32)
    await repository.add_refresh_token(
        session,
        RefreshToken(
            token_hash=_hash_refresh(refresh),
            family_id=family_id,
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_seconds),
        ),
    )
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=settings.access_token_ttl_seconds)


async def login(
    session: AsyncSession, *, email: str, password: str, keys: SigningKeys, settings: GatewaySettings
) -> TokenPair:
    """Email + password of an enabled user → a new token family."""
    user = await repository.get_user_by_email(session, email=email)
    if not verify_password(user.password_hash if user else None, password) or user is None or user.disabled:
        raise Unauthorized("incorrect email or password")
    return await _issue_pair(session, user=user, family_id=str(uuid.uuid4()), keys=keys, settings=settings)


async def rotate_refresh_token(
    session: AsyncSession, *, refresh_token: str, keys: SigningKeys, settings: GatewaySettings
) -> TokenPair:
    """A refresh token works once; presenting a used one revokes its whole family (it was stolen)."""
    now = utcnow()
    stored = await repository.get_refresh_token_for_update(session, token_hash=_hash_refresh(refresh_token))
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise Unauthorized("refresh token is invalid or expired")
    if stored.used_at is not None or not await repository.mark_refresh_token_used(
        session, token_id=stored.id, at=now
    ):
        await repository.revoke_refresh_family(session, family_id=stored.family_id, at=now)
        # The revocation must survive the 401 that follows, so it commits on its own.
        await session.commit()
        raise Unauthorized("refresh token was already used; the session has been revoked")
    user = await repository.get_user(session, user_id=stored.user_id)
    if user is None or user.disabled:
        raise Unauthorized("user is disabled")
    return await _issue_pair(session, user=user, family_id=stored.family_id, keys=keys, settings=settings)


async def authenticate_access_token(session: AsyncSession, *, token: str, keys: SigningKeys) -> Principal:
    """Verify a user's access token and that the user still exists and is enabled."""
    try:
        claims = tokens.decode(tokens.ACCESS, token, key=keys.public_pem)
    except tokens.TokenError as exc:
        raise Unauthorized(str(exc)) from exc
    user_id = claims.get("uid")
    user = await repository.get_user(session, user_id=user_id) if isinstance(user_id, int) else None
    if user is None or user.disabled:
        raise Unauthorized("user is disabled or no longer exists")
    return principal_of(user)


async def create_user(session: AsyncSession, *, data: UserCreate) -> User:
    values = data.model_dump()
    password = values.pop("password")
    values["email"] = values["email"].lower()
    values["roles"] = sorted(set(values["roles"]))
    return await repository.add_user(session, User(**values, password_hash=hash_password(password)))


async def ensure_bootstrap_admin(session: AsyncSession, *, email: str, password: str) -> bool:
    """Create the first admin from settings if that email has no user yet; True when created."""
    if await repository.get_user_by_email(session, email=email) is not None:
        return False
    await repository.add_user(
        session, User(email=email.lower(), password_hash=hash_password(password), roles=["admin"])
    )
    return True
