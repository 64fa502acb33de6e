"""Time windows, in one vocabulary across the API: `since` (inclusive) and `until` (exclusive), each an
ISO 8601 instant with an offset, and one check of a window that names the field it refuses."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from shared.errors import Unprocessable
from shared.types import Timestamp

Since = Annotated[Timestamp | None, Query(description="start of the window, inclusive")]
Until = Annotated[Timestamp | None, Query(description="end of the window, exclusive")]


class TimeWindow(BaseModel):
    """[since, until) in UTC."""

    since: datetime
    until: datetime

    @property
    def hours(self) -> float:
        return (self.until - self.since).total_seconds() / 3600


def _field_error(field: str, detail: str) -> Unprocessable:
    return Unprocessable(
        f"{field}: {detail}",
        errors=[{"pointer": f"/{field}", "field": field, "in": "query", "detail": detail}],
    )


def checked_window(since: datetime, until: datetime, *, longest: timedelta | None = None) -> TimeWindow:
    """[since, until) in UTC; refused (naming the field) when reversed, out of calendar range, or longer
    than `longest` (None: any length)."""
    try:
        since, until = since.astimezone(UTC), until.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+05:00 has no UTC instant
        raise _field_error("since", "outside the representable time range") from exc
    if since >= until:
        raise _field_error("since", "must be before until")
    if longest is not None and until - since > longest:
        raise _field_error("since", f"the window may span at most {longest.days} days")
    return TimeWindow(since=since, until=until)


def check_open_window(since: datetime | None, until: datetime | None, *, field: str = "since") -> None:
    """A filter by time may leave either end open; with both given, they are checked as one window (a
    refusal names `field`, the start's name: `since`, or `created_since` for a filter on creation)."""
    if since is not None and until is not None and since >= until:
        raise _field_error(field, f"must be before {field.replace('since', 'until')}")
    if since is not None and until is not None:
        checked_window(since, until)
