"""Field types every API shares."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import AwareDatetime, BeforeValidator, Field


def _iso8601_text(value: Any) -> Any:
    # pydantic would read 0.5 or 1700000000 as Unix times; the API contract is ISO 8601 with an offset.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or "T" not in value.upper():
        raise ValueError("expected an ISO 8601 date-time with a UTC offset, e.g. 2026-01-31T09:00:00Z")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso8601_text)]
"""An ISO 8601 date-time with an offset, as text; naive times and numbers are refused."""


# Ids are 32-bit integers in every table: larger values are a client error, not a database error.
MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a body or query parameter."""
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in the URL path."""
