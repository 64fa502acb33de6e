"""A queue's grants as the console lists them: the filters its page accepts, each grant's state, and where a
grant or revoke form goes back to."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.console.rules.display import parse_time
from services.console.rules.tables import chosen
from shared.types import MAX_ID

# "live": what the API lists by default (neither revoked nor expired); "all": with `include_ended`.
GRANT_STATUSES = ("live", "all")
# The API's orders: as given (id), or by expiry, the soonest first.
GRANT_SORTS = ("id", "-id", "expires_at", "-expires_at")


def grants_page(project_id: int, queue_id: int) -> str:
    return f"/projects/{project_id}/queues/{queue_id}/permissions"


def grant_filters(*, contributor_id: str, status: str, sort: str = "id") -> dict[str, str]:
    """The page's filters and order as the API takes them: an id it would refuse (not a number, out of
    range) is no filter and an unknown order the first given, so a hand-edited URL is a page, not a 422."""
    contributor_id = contributor_id.strip()
    valid = contributor_id.isdigit() and 1 <= int(contributor_id) <= MAX_ID
    return {
        "contributor_id": str(int(contributor_id)) if valid else "",
        "status": chosen(status, GRANT_STATUSES, "live"),
        "sort": chosen(sort, GRANT_SORTS, "id"),
    }


def grant_query(params: Mapping[str, str]) -> dict[str, str | None]:
    """The API's query for the page's filters (`grant_filters`): the page and its file ask the same."""
    return {
        "contributor_id": params["contributor_id"],
        "include_ended": "true" if params["status"] == "all" else None,
        "sort": params["sort"],
    }


def grant_state(grant: Mapping[str, Any], *, now: datetime) -> str:
    """revoked, expired, suspended or live: the first that holds (only a live grant lets `next` lease)."""
    if grant.get("revoked_at"):
        return "revoked"
    expires_at = parse_time(grant.get("expires_at"))
    if expires_at is not None and expires_at <= now:
        return "expired"
    return "suspended" if grant.get("suspended") else "live"


def return_to(back: str, *, project_id: int, queue_id: int) -> str:
    """A form sent from the queue's grants page goes back to it as it was (its filters and page); from the
    project page, or with any other `back`, to the queue on the project page: never to another address."""
    page = grants_page(project_id, queue_id)
    if back == page or back.startswith(page + "?"):
        return back
    return f"/projects/{project_id}#queue-{queue_id}"
