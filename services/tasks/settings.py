"""Settings of the tasks service (env prefix LABELOPS_TASKS_)."""

from functools import lru_cache
from typing import Literal

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TasksSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABELOPS_TASKS_", extra="ignore")

    service_name: str = "tasks"
    # How often expired leases are reclaimed and expired grants recorded in the background.
    sweep_seconds: float = 5.0
    # The lease statement (assignment/queries.py) is planned anew on every call under `auto`: PostgreSQL
    # keeps preferring custom plans for it, and planning it costs about 2 ms, more than running it
    # (0.8 ms). Its generic plan is as fast as a custom one, so the hot path keeps one plan per connection.
    database_plan_cache_mode: Literal["auto", "force_generic_plan", "force_custom_plan"] | None = (
        "force_generic_plan"
    )


@lru_cache
def get_settings() -> TasksSettings:
    return TasksSettings()
