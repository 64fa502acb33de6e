"""Field types every contributors API model shares (validated here, so errors name the field)."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, Strict, StrictBool, StringConstraints

from services.contributors.rules.lifecycle import ContributorStatus
from services.contributors.rules.locale import validate_country, validate_timezone
from shared.types import MAX_ID

# Request bodies take JSON numbers and booleans as such: lax parsing would read "7" as 7 and 1 as true,
# which the documented schema refuses (and schemathesis checks that the API does too).
BodyId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
Flag = StrictBool


def strict_int(ge: int, le: int) -> Any:
    return Annotated[int, Strict(), Field(ge=ge, le=le)]


# The JSON-schema constraints let clients (and schemathesis) see the shape; the validators decide.
Country = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2}$", min_length=2, max_length=2),
    AfterValidator(validate_country),
]
TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(validate_timezone)]
Skill = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^,;\r\n]+$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
# Where a contributor came from; "vms" and "vendor" are staff onboarded by a vendor.
SourceChannel = Literal[
    "job_board",
    "social",
    "referral",
    "community",
    "university",
    "ads",
    "events",
    "vms",
    "vendor",
    "direct",
    "other",
]
Status = ContributorStatus


def unique(values: list, what: str) -> list:
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} appears twice")
        seen.add(value)
    return values


def _iso_date_text(value: Any) -> Any:
    # pydantic would read 0 or 1700000000 as Unix times; the API contract is an ISO 8601 date.
    if isinstance(value, date) or (isinstance(value, str) and len(value) == 10):
        return value
    raise ValueError("expected an ISO 8601 date, e.g. 2026-01-31")


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
