"""Tables of the vendors service (its own metadata: see shared.db.make_base)."""

from datetime import datetime

from sqlmodel import Field

from shared.db import UTCDateTime, make_base, utcnow
from shared.events import define_event_tables

Base = make_base()


class Vendor(Base, table=True):
    __tablename__ = "vendors"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    legal_name: str | None = Field(default=None, max_length=300)
    country: str = Field(max_length=2)
    status: str = Field(default="prospect", max_length=20, index=True)
    external_vms_id: str | None = Field(default=None, max_length=100, index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


event_tables = define_event_tables(Base.metadata)
