"""Logins and their throttling, token issue and rotation, logout, and who is behind a bearer credential."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import EMAIL_MAX_LENGTH, AuthSession, RefreshToken, User
from services.gateway.repository import api_keys as api_key_repository
from services.gateway.repository import auth as repository
from services.gateway.repository import users as user_repository
from services.gateway.rules.api_keys import API_KEY_PREFIX, API_KEY_TOUCH_SECONDS
from services.gateway.rules.auth import new_refresh_token, secret_hash, user_principal
from services.gateway.rules.passwords import Passwords
from services.gateway.schemas.auth import Me, TokenPair
from services.gateway.service import audit
from services.gateway.service.callers import CallerCache, callers_changed
from services.gateway.service.rate_limits import RateLimiter
from services.gateway.service.signing_keys import SigningKeys
from services.gateway.settings import GatewaySettings
from shared import tokens
from shared.auth import Principal
from shared.db import Database, after_commit, utcnow
from shared.errors import TooManyRequests, Unauthorized, Unprocessable
from shared.rawsql import raw_connection


async def _issue_pair(
    *, session: AsyncSession, user: User, session_id: str, keys: SigningKeys, settings: GatewaySettings
) -> TokenPair:
    principal = user_principal(user.id, user.model_dump())
    access = tokens.encode(
        tokens.ACCESS,
        key=keys.private_pem,
        subject=principal.subject,
        ttl_seconds=settings.access_token_ttl_seconds,
        claims={**principal.to_claims(), "sid": session_id},
    )
    refresh = new_refresh_token()
    await repository.add_refresh_token(
        session=session,
        token=RefreshToken(
            token_hash=secret_hash(refresh),
            family_id=session_id,
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_seconds),
        ),
    )
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=settings.access_token_ttl_seconds)


async def _refuse_if_throttled(
    limiter: RateLimiter, settings: GatewaySettings, *, email: str, ip: str
) -> None:
    account = await limiter.counter.peek(f"{limiter.namespace}:login-fail:acct:{email}")
    address = await limiter.counter.peek(f"{limiter.namespace}:login-fail:ip:{ip}")
    if account >= settings.login_failures_per_account or address >= settings.login_failures_per_ip:
        raise TooManyRequests(
            "too many failed logins; try again later",
            headers={"Retry-After": str(settings.login_failure_window_seconds)},
        )


async def login(
    *,
    session: AsyncSession,
    email: str,
    password: str,
    ip: str,
    keys: SigningKeys,
    settings: GatewaySettings,
    limiter: RateLimiter,
    passwords: Passwords,
) -> TokenPair:
    """Email + password of an enabled user → a new login session; failures are counted and audited."""
    email = email.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        # It names no account, and would make an unbounded throttling key and audit row.
        detail = f"at most {EMAIL_MAX_LENGTH} characters"
        raise Unprocessable(
            f"username: {detail}",
            errors=[{"pointer": "/username", "field": "username", "in": "body", "detail": detail}],
        )
    await _refuse_if_throttled(limiter, settings, email=email, ip=ip)
    user = await user_repository.get_user_by_email(session=session, email=email)
    if not passwords.verify(user.password_hash if user else None, password) or user is None or user.disabled:
        window = settings.login_failure_window_seconds
        await limiter.counter.hit(f"{limiter.namespace}:login-fail:acct:{email}", window)
        await limiter.counter.hit(f"{limiter.namespace}:login-fail:ip:{ip}", window)
        await audit.record(session=session, actor="anonymous", action="login.failed", target=email, ip=ip)
        # The audit row must survive the 401 that follows.
        await session.commit()
        raise Unauthorized("incorrect email or password")
    session_id = str(uuid.uuid4())
    await repository.add_auth_session(
        session=session, auth_session=AuthSession(id=session_id, user_id=user.id)
    )
    await audit.record(session=session, actor=f"user:{user.id}", action="login.succeeded", ip=ip)
    return await _issue_pair(session=session, user=user, session_id=session_id, keys=keys, settings=settings)


async def rotate_refresh_token(
    *,
    session: AsyncSession,
    refresh_token: str,
    keys: SigningKeys,
    settings: GatewaySettings,
    callers: CallerCache,
) -> TokenPair:
    """A refresh token works once; presenting a used one revokes its whole session (it was stolen)."""
    now = utcnow()
    stored = await repository.get_refresh_token(session=session, token_hash=secret_hash(refresh_token))
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise Unauthorized("refresh token is invalid or expired")
    if stored.used_at is not None or not await repository.mark_refresh_token_used(
        session=session, token_id=stored.id, at=now
    ):
        await repository.revoke_auth_session(session=session, session_id=stored.family_id, at=now)
        await audit.record(
            session=session,
            actor=f"user:{stored.user_id}",
            action="token.reuse_detected",
            target=stored.family_id,
        )
        # The revocation must survive the 401 that follows.
        await session.commit()
        callers.changed()
        raise Unauthorized("refresh token was already used; the session has been revoked")
    user = await user_repository.get_user(session=session, user_id=stored.user_id)
    if user is None or user.disabled:
        raise Unauthorized("user is disabled")
    return await _issue_pair(
        session=session, user=user, session_id=stored.family_id, keys=keys, settings=settings
    )


async def logout(*, session: AsyncSession, principal: Principal, session_id: str | None) -> None:
    """End the caller's login session: its refresh tokens and access tokens stop working at once."""
    if session_id is None:
        raise Unprocessable("API keys have no session to log out of; revoke the key instead")
    # Logouts of one session racing each other end it once, and it is audited once.
    if await repository.revoke_auth_session(session=session, session_id=session_id, at=utcnow()):
        await audit.record(session=session, actor=principal.subject, action="logout", target=session_id)
    after_commit(session, callers_changed)


async def who_am_i(*, session: AsyncSession, principal: Principal) -> Me:
    """The caller as the gateway knows it: the user's account, or what an API key carries."""
    if principal.user_id is None:
        return Me(
            id=None,
            email=None,
            display_name=None,
            roles=sorted(principal.roles),
            vendor_id=principal.vendor_id,
            contributor_id=None,
            subject=principal.subject,
        )
    user = await user_repository.get_user(session=session, user_id=principal.user_id)
    if user is None:
        raise Unauthorized("user no longer exists")
    return Me(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=user.roles,
        vendor_id=user.vendor_id,
        contributor_id=user.contributor_id,
        subject=principal.subject,
    )


class VerifiedTokens:
    """Signature checks are the costly part of authentication; a verified token is remembered until it
    expires. Revocation and disabled users are checked on every request (service.callers)."""

    MAX_ENTRIES = 50_000

    def __init__(self) -> None:
        self._claims: dict[str, dict[str, Any]] = {}

    def claims(self, token: str, *, public_key: str) -> dict[str, Any]:
        now = int(utcnow().timestamp())
        cached = self._claims.get(token)
        if cached is not None and cached["exp"] > now:
            return cached
        try:
            claims = tokens.decode(tokens.ACCESS, token, key=public_key)
        except tokens.TokenError as exc:
            raise Unauthorized(str(exc)) from exc
        if len(self._claims) >= self.MAX_ENTRIES:
            self._claims = {t: c for t, c in self._claims.items() if c["exp"] > now}
            if len(self._claims) >= self.MAX_ENTRIES:
                self._claims.clear()
        self._claims[token] = claims
        return claims


async def authenticate_bearer(
    *, token: str, keys: SigningKeys, verified: VerifiedTokens, callers: CallerCache, db: Database
) -> tuple[Principal, str | None]:
    """The caller behind a bearer credential (access token or API key), and its login session id."""
    if token.startswith(API_KEY_PREFIX):
        return await _authenticate_api_key(token=token, db=db), None
    claims = verified.claims(token, public_key=keys.public_pem)
    user_id, session_id = claims.get("uid"), claims.get("sid")
    if not isinstance(user_id, int) or not isinstance(session_id, str):
        raise Unauthorized("token does not name a user session")

    async def load() -> dict[str, Any] | None:
        async with raw_connection(db.engine) as conn:
            return await repository.caller_facts(conn=conn, user_id=user_id, session_id=session_id)

    facts = await callers.facts(user_id, session_id, load)
    if facts is None or facts["disabled"] or facts["revoked_at"] is not None:
        raise Unauthorized("the session has ended or the user is disabled")
    # Roles and links come from the database (through CallerCache, which forgets on every change), so a
    # change applies at the caller's next request.
    return user_principal(user_id, facts), session_id


async def _authenticate_api_key(*, token: str, db: Database) -> Principal:
    async with db.autocommit.connect() as conn:
        key = await api_key_repository.api_key_facts(conn=conn, key_hash=secret_hash(token))
    if key is None or key["revoked_at"] is not None:
        raise Unauthorized("API key is invalid or revoked")
    now = utcnow()
    if key["last_used_at"] is None or (now - key["last_used_at"]).total_seconds() > API_KEY_TOUCH_SECONDS:
        async with db.sessionmaker() as writer, writer.begin():
            await api_key_repository.touch_api_key(session=writer, key_id=key["id"], at=now)
    return Principal(subject=f"apikey:{key['id']}", roles=frozenset(key["roles"]), vendor_id=key["vendor_id"])
