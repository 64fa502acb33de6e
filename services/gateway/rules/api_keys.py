"""The API key format: `lo_` and a random URL-safe secret, recognisable and shown only by its prefix."""

import secrets

API_KEY_PREFIX = "lo_"
# last_used_at is a hint for admins, not an access log: one write a minute per key is enough.
API_KEY_TOUCH_SECONDS = 60


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def shown_prefix(secret: str) -> str:
    """The part of a key an admin sees in listings, enough to tell keys apart."""
    return secret[:10]
