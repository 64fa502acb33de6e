"""API models of the vendors service."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class VendorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    legal_name: str | None = Field(default=None, max_length=300)
    country: str = Field(pattern=r"^[A-Za-z]{2}$")
    external_vms_id: str | None = Field(default=None, max_length=100)


class VendorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    legal_name: str | None
    country: str
    status: str
    external_vms_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class VendorPage(BaseModel):
    items: list[VendorRead]
    next_cursor: str | None = None
