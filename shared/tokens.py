"""Every JWT in LabelOps is made and checked here: the one module that imports python-jose.

python-jose decodes with any algorithm the header names unless told otherwise and accepts tokens
without `aud`/`exp`, so every decode pins exactly one algorithm and requires the registered claims.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from jose import JWTError, jwt
from jose.exceptions import JWSError

ACCESS_ALGORITHM = "RS256"
INTERNAL_ALGORITHM = "HS256"
ISSUER = "labelops-gateway"
ACCESS_AUDIENCE = "labelops-api"
INTERNAL_AUDIENCE = "labelops-internal"
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti")


class TokenError(Exception):
    """The token is malformed, forged, expired or of the wrong kind; the message is safe to show."""


@dataclass(frozen=True)
class TokenKind:
    typ: str
    algorithm: str
    audience: str


ACCESS = TokenKind("access", ACCESS_ALGORITHM, ACCESS_AUDIENCE)
INTERNAL = TokenKind("internal", INTERNAL_ALGORITHM, INTERNAL_AUDIENCE)


def encode(kind: TokenKind, *, key: str, subject: str, ttl_seconds: int, claims: dict[str, Any]) -> str:
    now = int(time.time())
    payload = {
        **claims,
        "sub": subject,
        "iss": ISSUER,
        "aud": kind.audience,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "typ": kind.typ,
    }
    return jwt.encode(payload, key, algorithm=kind.algorithm, headers={"typ": "JWT"})


def decode(kind: TokenKind, token: str, *, key: str) -> dict[str, Any]:
    """Verify signature, pinned algorithm, issuer, audience, expiry and token type; return the claims."""
    try:
        header = jwt.get_unverified_header(token)
    except (JWTError, JWSError) as exc:
        raise TokenError("malformed token") from exc
    if header.get("alg") != kind.algorithm:
        raise TokenError("unexpected token algorithm")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[kind.algorithm],
            audience=kind.audience,
            issuer=ISSUER,
            options={f"require_{claim}": True for claim in REQUIRED_CLAIMS}
            | {"verify_aud": True, "verify_iss": True, "verify_exp": True, "verify_iat": True, "leeway": 0},
        )
    except (JWTError, JWSError) as exc:
        raise TokenError(f"invalid token: {exc}") from exc
    if claims.get("typ") != kind.typ:
        raise TokenError("wrong token type")
    return claims
