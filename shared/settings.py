"""Settings common to every process, read from the environment through pydantic-settings.

Each service subclasses `ServiceSettings` with its own env prefix (`LABELOPS_<NAME>_`); the few values
that must agree across processes (environment, internal token secret, service URLs) have one global
name each, so a deployment sets them once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Only ever accepted in development and tests; `refuse_default_secrets` rejects it elsewhere.
DEV_INTERNAL_SECRET = "dev-internal-secret-do-not-use-in-production-0000"

SERVICE_PORTS = {"gateway": 8000, "contributors": 8001, "vendors": 8002, "tasks": 8003}
SERVICE_NAMES = ("contributors", "vendors", "tasks")
# The console is a process but no backend service: it has no database (nothing to migrate or create for
# it) and the gateway routes nothing to it, so it is in neither list above.
CONSOLE_PORT = 8004


def _global(name: str) -> AliasChoices:
    return AliasChoices(name)


class ServiceSettings(BaseSettings):
    """Base for every process's settings; subclasses set `service_name` and the env prefix."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None, populate_by_name=True)

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias=_global("LABELOPS_ENV")
    )
    data_dir: Path = Field(Path("var"), validation_alias=_global("LABELOPS_DATA_DIR"))
    internal_token_secret: SecretStr = Field(
        SecretStr(DEV_INTERNAL_SECRET), validation_alias=_global("LABELOPS_INTERNAL_TOKEN_SECRET")
    )
    internal_token_ttl_seconds: int = Field(120, validation_alias=_global("LABELOPS_INTERNAL_TOKEN_TTL"))
    log_level: str = Field("INFO", validation_alias=_global("LABELOPS_LOG_LEVEL"))
    contributors_url: str = Field(
        "http://127.0.0.1:8001", validation_alias=_global("LABELOPS_CONTRIBUTORS_URL")
    )
    vendors_url: str = Field("http://127.0.0.1:8002", validation_alias=_global("LABELOPS_VENDORS_URL"))
    tasks_url: str = Field("http://127.0.0.1:8003", validation_alias=_global("LABELOPS_TASKS_URL"))
    # Where peers deliver events to the gateway (it acts on contributor status changes).
    gateway_url: str = Field("http://127.0.0.1:8000", validation_alias=_global("LABELOPS_GATEWAY_URL"))
    http_timeout_seconds: float = Field(10.0, validation_alias=_global("LABELOPS_HTTP_TIMEOUT"))
    # Empty means "the embedded SQLite file under data_dir"; see `effective_database_url`.
    database_url: str = ""
    # Connections kept open per process; requests beyond them wait for one. Four services at 16 stay
    # inside PostgreSQL's default limit of 100 connections.
    database_pool_size: int = 16
    # Open the whole pool at startup instead of on demand (production replicas: a burst right after a
    # start otherwise waits for backends to be forked). Off by default so test clusters stay small.
    database_pool_prefill: bool = False
    outbox_poll_seconds: float = 1.0
    # PostgreSQL's plan_cache_mode for the service's connections (None: the server's own, `auto`).
    database_plan_cache_mode: Literal["auto", "force_generic_plan", "force_custom_plan"] | None = None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{self.service_name}.db').resolve()}"

    def service_url(self, name: str) -> str:
        urls = {
            "gateway": self.gateway_url,
            "contributors": self.contributors_url,
            "vendors": self.vendors_url,
            "tasks": self.tasks_url,
        }
        return urls[name]

    @model_validator(mode="after")
    def refuse_default_secrets(self) -> ServiceSettings:
        if (
            self.environment == "production"
            and self.internal_token_secret.get_secret_value() == DEV_INTERNAL_SECRET
        ):
            raise ValueError("LABELOPS_INTERNAL_TOKEN_SECRET must be set outside development")
        if len(self.internal_token_secret.get_secret_value()) < 32:
            raise ValueError("LABELOPS_INTERNAL_TOKEN_SECRET must be at least 32 characters")
        return self
