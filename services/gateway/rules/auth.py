"""Credentials: how secrets are stored and minted, and the principal a user's facts make."""

import hashlib
import secrets
from typing import Any

from shared.auth import Principal


def secret_hash(value: str) -> str:
    """What is stored of a refresh token or an API key: its SHA-256, never the secret itself."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(32)


def user_principal(user_id: int, facts: dict[str, Any]) -> Principal:
    return Principal(
        subject=f"user:{user_id}",
        roles=frozenset(facts["roles"]),
        user_id=user_id,
        vendor_id=facts["vendor_id"],
        contributor_id=facts["contributor_id"],
    )
