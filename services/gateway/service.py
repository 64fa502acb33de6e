"""Rules of the gateway: logins and their throttling, token issue and rotation, API keys, users, audit."""

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import repository
from services.gateway.callers import CallerCache
from services.gateway.keys import SigningKeys
from services.gateway.models import EMAIL_MAX_LENGTH, ApiKey, AuditEvent, AuthSession, RefreshToken, User
from services.gateway.passwords import hash_password, password_problems, verify_password
from services.gateway.ratelimit import RateLimiter
from services.gateway.schemas import ApiKeyCreate, TokenPair, UserCreate, UserUpdate
from services.gateway.settings import GatewaySettings
from shared import tokens
from shared.auth import Principal
from shared.db import Database, after_commit, utcnow
from shared.errors import Conflict, NotFound, TooManyRequests, Unauthorized, Unprocessable
from shared.rawsql import raw_connection

API_KEY_PREFIX = "lo_"
# last_used_at is a hint for admins, not an access log: one write a minute per key is enough.
API_KEY_TOUCH_SECONDS = 60


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def user_principal(user_id: int, facts: dict[str, Any]) -> Principal:
    return Principal(
        subject=f"user:{user_id}",
        roles=frozenset(facts["roles"]),
        user_id=user_id,
        vendor_id=facts["vendor_id"],
        contributor_id=facts["contributor_id"],
    )


async def audit(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    ip: str | None = None,
    **detail,
) -> None:
    await repository.add_audit_event(
        session, AuditEvent(actor=actor, action=action, target=target, ip=ip, detail=detail)
    )


async def _issue_pair(
    session: AsyncSession, *, user: User, session_id: str, keys: SigningKeys, settings: GatewaySettings
) -> TokenPair:
    principal = user_principal(user.id, user.model_dump())
    access = tokens.encode(
        tokens.ACCESS,
        key=keys.private_pem,
        subject=principal.subject,
        ttl_seconds=settings.access_token_ttl_seconds,
        claims={**principal.to_claims(), "sid": session_id},
    )
    refresh = "rt_" + secrets.token_urlsafe(32)
    await repository.add_refresh_token(
        session,
        RefreshToken(
            token_hash=_sha256(refresh),
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
    session: AsyncSession,
    *,
    email: str,
    password: str,
    ip: str,
    keys: SigningKeys,
    settings: GatewaySettings,
    limiter: RateLimiter,
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
    user = await repository.get_user_by_email(session, email=email)
    if not verify_password(user.password_hash if user else None, password) or user is None or user.disabled:
        window = settings.login_failure_window_seconds
        await limiter.counter.hit(f"{limiter.namespace}:login-fail:acct:{email}", window)
        await limiter.counter.hit(f"{limiter.namespace}:login-fail:ip:{ip}", window)
        await audit(session, actor="anonymous", action="login.failed", target=email, ip=ip)
        # The audit row must survive the 401 that follows.
        await session.commit()
        raise Unauthorized("incorrect email or password")
    session_id = str(uuid.uuid4())
    await repository.add_auth_session(session, AuthSession(id=session_id, user_id=user.id))
    await audit(session, actor=f"user:{user.id}", action="login.succeeded", ip=ip)
    return await _issue_pair(session, user=user, session_id=session_id, keys=keys, settings=settings)


def callers_changed(app: Any) -> None:
    """After-commit hook of every write to users or login sessions."""
    app.state.callers.changed()


async def rotate_refresh_token(
    session: AsyncSession,
    *,
    refresh_token: str,
    keys: SigningKeys,
    settings: GatewaySettings,
    callers: CallerCache,
) -> TokenPair:
    """A refresh token works once; presenting a used one revokes its whole session (it was stolen)."""
    now = utcnow()
    stored = await repository.get_refresh_token(session, token_hash=_sha256(refresh_token))
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise Unauthorized("refresh token is invalid or expired")
    if stored.used_at is not None or not await repository.mark_refresh_token_used(
        session, token_id=stored.id, at=now
    ):
        await repository.revoke_auth_session(session, session_id=stored.family_id, at=now)
        await audit(
            session, actor=f"user:{stored.user_id}", action="token.reuse_detected", target=stored.family_id
        )
        # The revocation must survive the 401 that follows.
        await session.commit()
        callers.changed()
        raise Unauthorized("refresh token was already used; the session has been revoked")
    user = await repository.get_user(session, user_id=stored.user_id)
    if user is None or user.disabled:
        raise Unauthorized("user is disabled")
    return await _issue_pair(session, user=user, session_id=stored.family_id, keys=keys, settings=settings)


async def logout(session: AsyncSession, *, principal: Principal, session_id: str | None) -> None:
    """End the caller's login session: its refresh tokens and access tokens stop working at once."""
    if session_id is None:
        raise Unprocessable("API keys have no session to log out of; revoke the key instead")
    await repository.revoke_auth_session(session, session_id=session_id, at=utcnow())
    await audit(session, actor=principal.subject, action="logout", target=session_id)
    after_commit(session, callers_changed)


class VerifiedTokens:
    """Signature checks are the costly part of authentication; a verified token is remembered until it
    expires. Revocation and disabled users are checked on every request (services.gateway.callers)."""

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
            return await repository.caller_facts(conn, user_id=user_id, session_id=session_id)

    facts = await callers.facts(user_id, session_id, load)
    if facts is None or facts["disabled"] or facts["revoked_at"] is not None:
        raise Unauthorized("the session has ended or the user is disabled")
    # Roles and links come from the database (through CallerCache, which forgets on every change), so a
    # change applies at the caller's next request.
    return user_principal(user_id, facts), session_id


async def _authenticate_api_key(*, token: str, db: Database) -> Principal:
    async with db.autocommit.connect() as conn:
        key = await repository.api_key_facts(conn, key_hash=_sha256(token))
    if key is None or key["revoked_at"] is not None:
        raise Unauthorized("API key is invalid or revoked")
    now = utcnow()
    if key["last_used_at"] is None or (now - key["last_used_at"]).total_seconds() > API_KEY_TOUCH_SECONDS:
        async with db.sessionmaker() as writer, writer.begin():
            await repository.touch_api_key(writer, key_id=key["id"], at=now)
    return Principal(subject=f"apikey:{key['id']}", roles=frozenset(key["roles"]), vendor_id=key["vendor_id"])


def _check_password(password: str, email: str) -> None:
    problems = password_problems(password, email=email)
    if problems:
        raise Unprocessable(
            "password " + "; ".join(problems),
            errors=[
                {"pointer": "/password", "field": "password", "in": "body", "detail": p} for p in problems
            ],
        )


async def create_user(session: AsyncSession, *, actor: Principal, data: UserCreate) -> User:
    values = data.model_dump()
    password = values.pop("password")
    values["email"] = values["email"].lower()
    _check_password(password, values["email"])
    values["roles"] = sorted(set(values["roles"]))
    user = await repository.add_user(session, User(**values, password_hash=hash_password(password)))
    await audit(
        session, actor=actor.subject, action="user.created", target=f"user:{user.id}", roles=user.roles
    )
    return user


async def update_user(session: AsyncSession, *, actor: Principal, user_id: int, data: UserUpdate) -> User:
    """Change roles, links or the disabled flag; the last enabled admin cannot be demoted or disabled."""
    user = await get_user(session, user_id=user_id)
    changes = data.model_dump(exclude_unset=True)
    if "roles" in changes:
        changes["roles"] = sorted(set(changes["roles"]))
    stays_admin = "admin" in changes.get("roles", user.roles) and not changes.get("disabled", user.disabled)
    demotes_an_admin = "admin" in user.roles and not user.disabled and not stays_admin
    if demotes_an_admin and not set(await repository.enabled_admin_ids(session)) - {user.id}:
        raise Conflict("this is the last enabled admin; appoint another admin first")
    before = {k: getattr(user, k) for k in changes}
    for key, value in changes.items():
        setattr(user, key, value)
    await session.flush()
    after_commit(session, callers_changed)
    action = "user.disabled" if changes.get("disabled") else "user.updated"
    await audit(
        session, actor=actor.subject, action=action, target=f"user:{user.id}", before=before, after=changes
    )
    return user


async def get_user(session: AsyncSession, *, user_id: int) -> User:
    user = await repository.get_user(session, user_id=user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


async def create_api_key(
    session: AsyncSession, *, actor: Principal, data: ApiKeyCreate
) -> tuple[ApiKey, str]:
    """A new key: the secret is returned this once and only its hash is kept."""
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = await repository.add_api_key(
        session,
        ApiKey(
            name=data.name,
            key_hash=_sha256(secret),
            prefix=secret[:10],
            roles=sorted(set(data.roles)),
            vendor_id=data.vendor_id,
            created_by=actor.user_id,
        ),
    )
    await audit(
        session, actor=actor.subject, action="api_key.created", target=f"apikey:{key.id}", roles=key.roles
    )
    return key, secret


async def revoke_api_key(session: AsyncSession, *, actor: Principal, key_id: int) -> ApiKey:
    key = await repository.get_api_key(session, key_id=key_id)
    if key is None:
        raise NotFound(f"API key {key_id} not found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await session.flush()
        await audit(session, actor=actor.subject, action="api_key.revoked", target=f"apikey:{key.id}")
    return key


async def ensure_bootstrap_admin(session: AsyncSession, *, email: str, password: str) -> bool:
    """Create the first admin from settings if that email has no user yet; True when created."""
    if await repository.get_user_by_email(session, email=email) is not None:
        return False
    await repository.add_user(
        session, User(email=email.lower(), password_hash=hash_password(password), roles=["admin"])
    )
    return True
