"""API models of contributor profiles (the tasks service's copy of each contributor)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class ContributorProfileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    contributor_id: int
    version: int
    status: str
    vendor_id: int | None
    languages: list[dict]
    skills: list[str]
    qualifications: list[dict] = []
    daily_caps_minutes: dict[str, int] = {}
    opted_out_harmful: bool = False
    timezone: str = "UTC"
    erased: bool = False
    vetting: dict[str, Any] | None = None
    updated_at: datetime
