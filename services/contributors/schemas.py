"""API models of the contributors service: Create / Update / Read per resource."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

LanguageCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$", max_length=35)
]
Proficiency = Literal["native", "fluent", "basic"]
Skill = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]


class Language(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: LanguageCode
    proficiency: Proficiency


class ContributorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=254)
    full_name: str = Field(min_length=1, max_length=200)
    country: str = Field(pattern=r"^[A-Za-z]{2}$")
    timezone: str = Field(min_length=1, max_length=64)
    languages: list[Language] = Field(default_factory=list, max_length=20)
    skills: list[Skill] = Field(default_factory=list, max_length=50)
    source_channel: str | None = Field(default=None, max_length=50)
    campaign_id: int | None = Field(default=None, ge=1)
    vendor_id: int | None = Field(default=None, ge=1)


class ContributorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    country: str
    timezone: str
    languages: list[Language]
    skills: list[str]
    source_channel: str | None
    campaign_id: int | None
    vendor_id: int | None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class ContributorPage(BaseModel):
    items: list[ContributorRead]
    next_cursor: str | None = None
