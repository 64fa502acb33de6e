"""Standard Webhooks signatures (https://www.standardwebhooks.com/), symmetric ``v1`` scheme.

Signed content is ``f"{webhook-id}.{webhook-timestamp}."`` followed by the raw body bytes, signed
with HMAC-SHA256 under the base64-decoded secret (``whsec_`` + base64). Replay protection by
``webhook-id`` needs storage and is the caller's job; ``verify`` returns the id to dedupe on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

SECRET_PREFIX = "whsec_"
HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"
DEFAULT_TOLERANCE_SECONDS = 300


class WebhookVerificationError(Exception):
    """An inbound webhook failed verification; the message says why. Answer it with 401 or 400."""


class MissingHeaders(WebhookVerificationError):
    """A required ``webhook-*`` header is absent or empty."""


class MalformedHeaders(WebhookVerificationError):
    """A ``webhook-*`` header is present but unparseable (e.g. a non-integer timestamp)."""


class StaleTimestamp(WebhookVerificationError):
    """The timestamp is outside the tolerance window (too old or too far in the future)."""


class BadSignature(WebhookVerificationError):
    """No ``v1`` signature in the header matches the expected one."""


def _secret_key(secret: str) -> bytes:
    # Secrets issued elsewhere sometimes arrive without the prefix; the key bytes are the same.
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("webhook secret is not valid base64 after the 'whsec_' prefix") from None
    if not key:
        raise ValueError("webhook secret is empty")
    return key


def generate_secret(nbytes: int = 32) -> str:
    """Return a new random secret ``whsec_<base64 of nbytes random bytes>`` (24..64 bytes per the spec)."""
    if not 24 <= nbytes <= 64:
        raise ValueError(f"secret length must be 24..64 bytes, got {nbytes}")
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(nbytes)).decode("ascii")


def _signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def _check_inputs(msg_id: str, timestamp: int, body: bytes) -> None:
    if not isinstance(body, bytes | bytearray | memoryview):
        # Signing a re-serialised str instead of the raw bytes is the classic verification bug.
        raise TypeError(f"body must be the raw bytes, not {type(body).__name__}")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise TypeError(f"timestamp must be int seconds since the epoch, not {type(timestamp).__name__}")
    if not msg_id:
        raise ValueError("msg_id must not be empty")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return ``"v1,<base64 HMAC-SHA256(key, f'{msg_id}.{timestamp}.' + body)>"`` for the ``webhook-signature`` header."""
    _check_inputs(msg_id, timestamp, body)
    return "v1," + _signature(_secret_key(secret), msg_id, timestamp, bytes(body))


def signed_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the three ``webhook-*`` headers for an outbound delivery of ``body``."""
    return {
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: sign(secret, msg_id, timestamp, body),
    }


@dataclass(frozen=True)
class VerifiedWebhook:
    """Identity of a verified message: dedupe on ``msg_id``."""

    msg_id: str
    timestamp: int


def _header(headers: Mapping[str, str], name: str) -> str:
    # HTTP header names are case-insensitive but a plain dict is not.
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if value is None or not value.strip():
        raise MissingHeaders(f"missing required header {name}")
    return value.strip()


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> VerifiedWebhook:
    """Return the message id and timestamp if a ``v1`` signature matches and the timestamp is fresh, else raise.

    Checks, in order: the three ``webhook-*`` headers are present (``MissingHeaders``), the timestamp
    is an integer (``MalformedHeaders``) within ``tolerance_seconds`` of ``now`` either way
    (``StaleTimestamp``), and one of the space-separated ``v1,<sig>`` entries matches under a
    constant-time comparison (``BadSignature``); entries with other versions are ignored.
    """
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"body must be the raw bytes, not {type(body).__name__}")
    key = _secret_key(secret)
    msg_id = _header(headers, HEADER_ID)
    raw_timestamp = _header(headers, HEADER_TIMESTAMP)
    signature_header = _header(headers, HEADER_SIGNATURE)

    if not raw_timestamp.isascii() or not raw_timestamp.isdigit():
        raise MalformedHeaders(f"{HEADER_TIMESTAMP} is not an integer number of seconds")
    timestamp = int(raw_timestamp)
    if timestamp < now - tolerance_seconds:
        raise StaleTimestamp(f"message timestamp too old ({now - timestamp}s > {tolerance_seconds}s)")
    if timestamp > now + tolerance_seconds:
        raise StaleTimestamp(f"message timestamp too new ({timestamp - now}s in the future)")

    expected = _signature(key, msg_id, timestamp, bytes(body)).encode("ascii")
    matched = False
    for entry in signature_header.split():
        version, _, candidate = entry.partition(",")
        if version != "v1":
            continue
        # Keep comparing after a match so timing does not reveal which entry matched.
        matched |= hmac.compare_digest(candidate.encode(), expected)
    if not matched:
        raise BadSignature("no matching v1 signature in webhook-signature")
    return VerifiedWebhook(msg_id=msg_id, timestamp=timestamp)
