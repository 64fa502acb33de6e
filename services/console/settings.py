"""Settings of the console (env prefix LABELOPS_CONSOLE_). Where the gateway is comes from the global
LABELOPS_GATEWAY_URL, like every other process."""

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# Only ever accepted in development and tests, like the internal token's default.
DEV_COOKIE_SECRET = "dev-console-cookie-secret-do-not-use-in-production"


class ConsoleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABELOPS_CONSOLE_", extra="ignore")

    service_name: str = "console"
    # Encrypts the session cookie (Fernet, key derived from it): the tokens never reach the browser in
    # clear and a tampered cookie is no session.
    cookie_secret: SecretStr = SecretStr(DEV_COOKIE_SECRET)
    # Secure cookies (HTTPS only). Unset: on in production, off elsewhere (make run serves plain HTTP).
    secure_cookies: bool | None = None
    # The access token is refreshed (rotation) this long before it expires, so a page never fails on it.
    refresh_margin_seconds: int = 30
    # The session cookie lives as long as the gateway's refresh token (rotated on every refresh).
    session_max_age_seconds: int = 14 * 24 * 3600
    # Rows per table page; the gateway's cursor does the paging.
    page_size: int = 25
    # Times are shown in the viewer's time zone (the browser's, sent as a cookie); before the browser has
    # told it, in this one.
    default_timezone: str = "UTC"
    # Where `make install` (npm ci) put htmx and Chart.js; they are served from here, never committed.
    assets_dir: Path = Path(__file__).resolve().parent / "node_modules"

    @property
    def cookies_secure(self) -> bool:
        return self.environment == "production" if self.secure_cookies is None else self.secure_cookies

    @model_validator(mode="after")
    def refuse_default_secrets(self) -> "ConsoleSettings":
        """Replaces the base check: the console is given no internal token secret (it calls no service
        directly, only the gateway's public API), so only its own cookie secret is checked."""
        secret = self.cookie_secret.get_secret_value()
        if self.environment == "production" and secret == DEV_COOKIE_SECRET:
            raise ValueError("LABELOPS_CONSOLE_COOKIE_SECRET must be set outside development")
        if len(secret) < 32:
            raise ValueError("LABELOPS_CONSOLE_COOKIE_SECRET must be at least 32 characters")
        if self.environment == "production" and self.secure_cookies is False:
            raise ValueError("LABELOPS_CONSOLE_SECURE_COOKIES cannot be off in production")
        return self


@lru_cache
def get_settings() -> ConsoleSettings:
    return ConsoleSettings()
