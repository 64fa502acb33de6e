"""Tables of the contributors service (its own metadata: see shared.db.make_base)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from shared.db import UTCDateTime, make_base, utcnow
from shared.events import define_event_tables

Base = make_base()


class Contributor(Base, table=True):
    __tablename__ = "contributors"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=200)
    country: str = Field(max_length=2, index=True)
    timezone: str = Field(max_length=64)
    languages: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source_channel: str | None = Field(default=None, max_length=50)
    campaign_id: int | None = Field(default=None, index=True)
    vendor_id: int | None = Field(default=None, index=True)
    status: str = Field(default="applied", max_length=20, index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


event_tables = define_event_tables(Base.metadata)
