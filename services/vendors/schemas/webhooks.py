"""API models: VMS sources, inbound webhook results and the VMS events they carry."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.vendors.rules.transitions import INVOICE_STATUSES, VENDOR_STATUSES
from services.vendors.schemas.base import Code, Country, Language, Name, Read, RefId, Write
from services.vendors.schemas.vendors import (
    Contacts,
    ExternalVmsId,
    Languages,
    LegalName,
    Sites,
    Skills,
    VendorUpdate,
)

# The vendors a VMS source acts for: its events may touch only these (others answer 404).
BoundVendors = Annotated[list[RefId], Field(min_length=1, max_length=100)]


class VmsSourceCreate(Write):
    source: Code
    vendor_ids: BoundVendors
    secret: str | None = Field(
        default=None, min_length=30, max_length=200, pattern=r"^(whsec_)?[A-Za-z0-9+/=]+$"
    )


class VmsSourceUpdate(Write):
    vendor_ids: BoundVendors


class VmsSourceRead(Read):
    id: int
    source: str
    vendor_ids: list[int]
    created_at: datetime


class VmsSourceCreated(VmsSourceRead):
    secret: str


class InboundLogRead(Read):
    id: int
    source: str
    webhook_id: str
    event_type: str | None
    status: int = Field(description="what the VMS was answered: 200, or the refusal's 400/404/422/503")
    outcome: str
    received_at: datetime


class InboundLogPage(BaseModel):
    items: list[InboundLogRead]
    next_cursor: str | None = None


class InboundResult(BaseModel):
    status: Literal["processed", "duplicate"]
    webhook_id: str
    outcome: str | None = None


class VmsEvent(BaseModel):
    """The Standard Webhooks envelope; `data` is validated by the schema of its `type`."""

    # A VMS adds envelope and data fields over time; fields we do not read reach nothing, so they
    # are ignored rather than refused.
    model_config = ConfigDict(extra="ignore")

    type: str = Field(min_length=1, max_length=100)
    data: dict[str, Any] = Field(default_factory=dict)


class VmsEventData(BaseModel):
    model_config = ConfigDict(extra="ignore")


VendorRef = Annotated[ExternalVmsId, Field(min_length=1)]


class VendorUpdatedData(VmsEventData):
    """`vendor.updated`: the profile fields sent replace the vendor's (absent or null: unchanged)."""

    external_vms_id: VendorRef
    legal_name: LegalName | None = None
    country: Country | None = None
    sites: Sites | None = None
    languages: Languages | None = None
    skills: Skills | None = None
    contacts: Contacts | None = None
    status: Literal[tuple(VENDOR_STATUSES)] | None = None  # type: ignore[valid-type]

    def profile(self) -> VendorUpdate:
        """The change as the vendors API takes it, so both paths apply one set of rules."""
        return VendorUpdate(**self.model_dump(exclude={"external_vms_id", "status"}, exclude_none=True))


class WorkerLanguage(Write):
    code: Language
    proficiency: Literal["native", "fluent", "basic"]


class WorkerOnboardedData(VmsEventData):
    """`worker.onboarded`: the worker becomes (or updates) a contributor of the vendor."""

    vendor_external_id: VendorRef
    email: EmailStr = Field(max_length=254)
    full_name: Name
    country: Country
    timezone: str = Field(min_length=1, max_length=64)
    languages: list[WorkerLanguage] = Field(default_factory=list, max_length=20)
    skills: list[Code] = Field(default_factory=list, max_length=50)


class WorkerOffboardedData(VmsEventData):
    """`worker.offboarded`: the contributor with this email is offboarded."""

    email: EmailStr = Field(max_length=254)
    reason: str | None = Field(default=None, max_length=500)


class InvoiceStatusChangedData(VmsEventData):
    """`invoice.status_changed`: the vendor's invoice moves, if its state machine allows it."""

    vendor_external_id: VendorRef
    invoice_number: str = Field(min_length=1, max_length=50)
    status: Literal[tuple(INVOICE_STATUSES)]  # type: ignore[valid-type]


# --- the inbound events as the receiver documents and validates them ------------------------------------
# The receiver reads the body raw (the signature covers its bytes), so no route parameter declares it: its
# OpenAPI request body references `VmsInboundEvent`, and `parse_data` validates each message by these same
# envelope models.


class VendorUpdatedEvent(VmsEvent):
    type: Literal["vendor.updated"]
    data: VendorUpdatedData


class WorkerOnboardedEvent(VmsEvent):
    type: Literal["worker.onboarded"]
    data: WorkerOnboardedData


class WorkerOffboardedEvent(VmsEvent):
    type: Literal["worker.offboarded"]
    data: WorkerOffboardedData


class InvoiceStatusChangedEvent(VmsEvent):
    type: Literal["invoice.status_changed"]
    data: InvoiceStatusChangedData


VmsInboundEvent = Annotated[
    VendorUpdatedEvent | WorkerOnboardedEvent | WorkerOffboardedEvent | InvoiceStatusChangedEvent,
    Field(
        discriminator="type",
        description="A Standard Webhooks message whose `data` is checked by the schema of its `type`; "
        "a message of any other type is acknowledged and ignored.",
    ),
]
