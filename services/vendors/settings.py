"""Settings of the vendors service (env prefix LABELOPS_VENDORS_)."""

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class VendorsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABELOPS_VENDORS_", extra="ignore")

    service_name: str = "vendors"


@lru_cache
def get_settings() -> VendorsSettings:
    return VendorsSettings()
