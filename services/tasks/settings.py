"""Settings of the tasks service (env prefix LABELOPS_TASKS_)."""

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TasksSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABELOPS_TASKS_", extra="ignore")

    service_name: str = "tasks"
    # How often expired leases are reclaimed and expired grants recorded in the background.
    sweep_seconds: float = 5.0


@lru_cache
def get_settings() -> TasksSettings:
    return TasksSettings()
