"""Settings of the vendors service (env prefix LABELOPS_VENDORS_)."""

from functools import lru_cache

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class VendorsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABELOPS_VENDORS_", extra="ignore")

    service_name: str = "vendors"
    # Outbound webhooks: loopback receivers are for local development and tests only.
    webhooks_allow_loopback: bool = False
    webhook_timeout_seconds: float = 10.0
    webhook_retry_base_seconds: float = 5.0
    webhook_retry_cap_seconds: float = 3600.0
    webhook_max_attempts: int = 16
    webhook_poll_seconds: float = 1.0
    # Inbound VMS webhooks.
    inbound_max_body_bytes: int = 256 * 1024
    inbound_tolerance_seconds: int = 300
    inbound_dedupe_days: int = 14
    # Budgets in force are evaluated this often (alerts, hard cap); 0 turns the sweep off.
    budget_sweep_seconds: float = 300.0

    @property
    def webhooks_allow_http(self) -> bool:
        """Plain http only outside production (a test receiver on loopback has no certificate)."""
        return self.environment != "production"

    @model_validator(mode="after")
    def refuse_loopback_in_production(self) -> "VendorsSettings":
        if self.environment == "production" and self.webhooks_allow_loopback:
            raise ValueError("LABELOPS_VENDORS_WEBHOOKS_ALLOW_LOOPBACK must stay off in production")
        return self


@lru_cache
def get_settings() -> VendorsSettings:
    return VendorsSettings()
