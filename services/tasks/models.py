"""Tables of the tasks service (its own metadata: see shared.db.make_base)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer
from sqlmodel import Field

from shared.db import UTCDateTime, make_base, utcnow
from shared.events import define_event_tables

Base = make_base()


class ContributorProfile(Base, table=True):
    """Local read-model of a contributor's eligibility facts, kept current by contributor events."""

    __tablename__ = "contributor_profiles"

    contributor_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    version: int
    status: str = Field(max_length=20)
    vendor_id: int | None = Field(default=None, index=True)
    languages: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


event_tables = define_event_tables(Base.metadata)
