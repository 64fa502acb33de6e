"""Settings of the contributors service (env prefix LABELOPS_CONTRIBUTORS_)."""

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ContributorsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABELOPS_CONTRIBUTORS_", extra="ignore")

    service_name: str = "contributors"


@lru_cache
def get_settings() -> ContributorsSettings:
    return ContributorsSettings()
