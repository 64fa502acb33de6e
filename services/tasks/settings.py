"""Settings of the tasks service (env prefix LABELOPS_TASKS_)."""

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TasksSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABELOPS_TASKS_", extra="ignore")

    service_name: str = "tasks"


@lru_cache
def get_settings() -> TasksSettings:
    return TasksSettings()
