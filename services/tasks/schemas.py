"""API models of the tasks service."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class ContributorProfileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    contributor_id: int
    version: int
    status: str
    vendor_id: int | None
    languages: list[dict]
    skills: list[str]
    updated_at: datetime
