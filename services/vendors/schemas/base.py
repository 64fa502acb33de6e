"""Field types and bases shared by the API models: <Thing>Create / <Thing>Update / <Thing>Read.

Money is `Decimal` in and out (serialized as a JSON string); a currency always travels with it.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from services.vendors.rules.money import validate_currency
from services.vendors.rules.rate_cards import WILDCARD_LANGUAGE
from shared.languages import MAX_LANGUAGE_TAG_LENGTH, validate_language_tag
from shared.types import MAX_ID


def _date_text(value: Any) -> Any:
    # pydantic would read 0 as 1970-01-01; the contract is an ISO 8601 date as text.
    if isinstance(value, date) or (isinstance(value, str) and len(value) == 10):
        return value
    raise ValueError("expected an ISO 8601 date, e.g. 2026-01-31")


def not_a_bool(value: Any) -> Any:
    # JSON true is not a quantity, however lax pydantic is about it.
    if isinstance(value, bool):
        raise ValueError("expected a decimal number (preferably as a string), not a boolean")
    return value


Day = Annotated[date, BeforeValidator(_date_text)]
RefId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]

Name = Annotated[str, Field(min_length=1, max_length=200)]
Code = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.:-]+$")]


def _tag_or_any(value: str) -> str:
    return value if value == WILDCARD_LANGUAGE else validate_language_tag(value)


# A BCP 47 tag as every service takes it (shared/languages.py), or `*` (any language) on a rate card.
Language = Annotated[
    str,
    Field(
        min_length=1, max_length=MAX_LANGUAGE_TAG_LENGTH, pattern=r"^(\*|[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*)$"
    ),
    AfterValidator(_tag_or_any),
]
Country = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(validate_currency)]
Price = Annotated[Decimal, BeforeValidator(not_a_bool), Field(ge=0, max_digits=18, decimal_places=6)]
Units = Annotated[Decimal, BeforeValidator(not_a_bool), Field(ge=0, max_digits=18, decimal_places=4)]
Unit = Literal["task", "hour", "item"]


class Write(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# A move in a state machine (vendors, contracts, invoices).
class TransitionRequest(Write):
    to: str = Field(min_length=1, max_length=20)
    reason: str | None = Field(default=None, max_length=500)
