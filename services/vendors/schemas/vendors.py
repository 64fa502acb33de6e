"""API models: vendors (their profile, sites and contacts)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field

from services.vendors.schemas.base import Code, Country, Language, Name, Read, Write


class Site(Write):
    country: Country
    timezone: str = Field(min_length=1, max_length=64)
    headcount: int = Field(strict=True, ge=0, le=1_000_000)


class Contact(Write):
    name: Name
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    role: str | None = Field(default=None, max_length=100)


# The vendor profile's field types, shared by the API and the VMS `vendor.updated` event.
LegalName = Annotated[str, Field(max_length=300)]


ExternalVmsId = Annotated[str, Field(max_length=100)]


Sites = Annotated[list[Site], Field(max_length=100)]


Languages = Annotated[list[Language], Field(max_length=100)]


Skills = Annotated[list[Code], Field(max_length=100)]


Contacts = Annotated[list[Contact], Field(max_length=50)]


class VendorCreate(Write):
    name: Name
    legal_name: LegalName | None = None
    country: Country
    external_vms_id: ExternalVmsId | None = None
    sites: Sites = Field(default_factory=list)
    languages: Languages = Field(default_factory=list)
    skills: Skills = Field(default_factory=list)
    contacts: Contacts = Field(default_factory=list)


class VendorUpdate(Write):
    name: Name | None = None
    legal_name: LegalName | None = None
    country: Country | None = None
    external_vms_id: ExternalVmsId | None = None
    sites: Sites | None = None
    languages: Languages | None = None
    skills: Skills | None = None
    contacts: Contacts | None = None


class VendorRead(Read):
    id: int
    name: str
    legal_name: str | None
    country: str
    status: str
    external_vms_id: str | None
    sites: list[dict]
    languages: list[str]
    skills: list[str]
    contacts: list[dict]
    version: int
    created_at: datetime
    updated_at: datetime


class VendorPage(BaseModel):
    items: list[VendorRead]
    next_cursor: str | None = None
