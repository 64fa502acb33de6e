"""API models of announcements and the contributor feed."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.contributors.schemas.common import BodyId, Country, Status, unique
from shared.languages import LanguageTag
from shared.types import Timestamp


def _unique(what: str):
    return AfterValidator(lambda values: unique(values, what))


class Audience(BaseModel):
    """Who sees an announcement: every given dimension must match (any value within it); none = everyone."""

    model_config = ConfigDict(extra="forbid")

    project_ids: Annotated[list[BodyId], Field(max_length=200), _unique("project")] = Field(
        default_factory=list
    )
    languages: Annotated[list[LanguageTag], Field(max_length=100), _unique("language")] = Field(
        default_factory=list
    )
    countries: Annotated[list[Country], Field(max_length=250), _unique("country")] = Field(
        default_factory=list
    )
    statuses: Annotated[list[Status], Field(max_length=8), _unique("status")] = Field(default_factory=list)
    vendor_ids: Annotated[list[BodyId], Field(max_length=200), _unique("vendor")] = Field(
        default_factory=list
    )


class AnnouncementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
    audience: Audience = Field(default_factory=Audience)
    publish_at: Timestamp | None = Field(default=None, description="default: now")
    expires_at: Timestamp | None = None

    @model_validator(mode="after")
    def expires_after_publishing(self) -> "AnnouncementCreate":
        if self.expires_at is not None and self.publish_at is not None and self.expires_at <= self.publish_at:
            raise ValueError("expires_at must be after publish_at")
        return self


class AnnouncementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    audience: Audience
    publish_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    created_by: str
    created_at: datetime


class AnnouncementPage(BaseModel):
    items: list[AnnouncementRead]
    next_cursor: str | None = None


class FeedItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    publish_at: datetime
    expires_at: datetime | None


class FeedPage(BaseModel):
    contributor_id: int
    items: list[FeedItem]
    next_cursor: str | None = None
