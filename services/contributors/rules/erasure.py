"""GDPR-style erasure: a stable keyed pseudonym and the values that replace a contributor's personal data."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from uuid import UUID

# Bumping the version changes every pseudonym, so it stays fixed once contributors have been erased.
_DOMAIN = b"labelops:contributor-pseudonym:v1:"
MIN_SECRET_BYTES = 32
PSEUDONYM_HEX_CHARS = 32  # 128 bits: collisions are negligible, and the email local part stays under 64 chars
ERASED_TEXT = "[erased]"
# .invalid is reserved by RFC 2606 and never resolves, so no mail can reach anyone at the erased address.
ERASED_EMAIL_DOMAIN = "invalid"


@dataclass(frozen=True, slots=True)
class ErasedFields:
    """Replacement values for a contributor's personal fields."""

    pseudonym: str
    name: str
    email: str
    free_text: str


def _secret_bytes(secret: str | bytes) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"erasure secret must be at least {MIN_SECRET_BYTES} bytes")
    return key


def pseudonym_for(contributor_id: str | int | UUID, secret: str | bytes) -> str:
    """Return the HMAC-SHA256 pseudonym of a contributor id: stable for a secret, irreversible without it."""
    # Keyed, not a plain hash: ids are guessable (sequential or known UUIDs), so anyone could hash every
    # id and reverse a plain digest. Stability keeps aggregates and repeated erasures consistent.
    ident = str(contributor_id).strip()
    if not ident:
        raise ValueError("contributor_id must not be empty")
    digest = hmac.new(_secret_bytes(secret), _DOMAIN + ident.encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX_CHARS]


def erased_fields(contributor_id: str | int | UUID, secret: str | bytes) -> ErasedFields:
    """Return the values that replace name, email and free text when a contributor is erased."""
    pseudonym = pseudonym_for(contributor_id, secret)
    return ErasedFields(
        pseudonym=pseudonym,
        name=f"Erased contributor {pseudonym[:8]}",
        # Unique per contributor, so the unique constraint on email still holds after erasure.
        email=f"erased+{pseudonym}@{ERASED_EMAIL_DOMAIN}",
        free_text=ERASED_TEXT,
    )
