"""The console's session: the gateway's token pair, the viewer and a CSRF token, sealed into one
encrypted cookie (Fernet: AES-128-CBC + HMAC-SHA256, with its time of issue), so the console keeps no state
and the browser can neither read the tokens nor forge a session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field, replace

from cryptography.fernet import Fernet, InvalidToken

SESSION_COOKIE = "labelops_console"
TIMEZONE_COOKIE = "labelops_tz"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, as the gateway's /auth/me answered at sign-in."""

    email: str
    roles: tuple[str, ...]
    user_id: int | None = None
    vendor_id: int | None = None
    contributor_id: int | None = None

    def has_any(self, *roles: str) -> bool:
        return bool(set(roles) & set(self.roles))


@dataclass(frozen=True)
class ConsoleSession:
    """Anonymous (no viewer, no tokens) until sign-in; the CSRF token is bound to the session and
    replaced at sign-in, so a token seen before signing in is worth nothing after."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    viewer: Viewer | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    access_expires_at: float = 0.0

    @property
    def signed_in(self) -> bool:
        return self.viewer is not None and self.access_token is not None

    def needs_refresh(self, *, now: float, margin_seconds: float) -> bool:
        return self.signed_in and now >= self.access_expires_at - margin_seconds

    def with_tokens(
        self, *, access_token: str, refresh_token: str, expires_in: int, now: float
    ) -> ConsoleSession:
        return replace(
            self, access_token=access_token, refresh_token=refresh_token, access_expires_at=now + expires_in
        )


def cookie_cipher(secret: str) -> Fernet:
    """Fernet wants 32 url-safe base64 bytes; any secret of 32+ characters is stretched into them."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def seal(session: ConsoleSession, cipher: Fernet) -> str:
    payload = asdict(session)
    return cipher.encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()


def unseal(cookie: str | None, cipher: Fernet, *, max_age_seconds: int) -> ConsoleSession | None:
    """The session in the cookie, or None when there is none, it was tampered with or it is too old."""
    if not cookie:
        return None
    try:
        payload = json.loads(cipher.decrypt(cookie.encode(), ttl=max_age_seconds))
        viewer = payload.pop("viewer")
        return ConsoleSession(
            **payload, viewer=Viewer(**{**viewer, "roles": tuple(viewer["roles"])}) if viewer else None
        )
    except (InvalidToken, ValueError, TypeError, KeyError):
        return None


def csrf_matches(session: ConsoleSession, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(session.csrf.encode(), presented.encode())
