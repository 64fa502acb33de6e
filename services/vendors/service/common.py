"""Small helpers the resource modules share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.vendors.repository import common as common_repository
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import NotFound

T = TypeVar("T")


def not_found(kind: str, row_id: int | str) -> NotFound:
    return NotFound(f"{kind} {row_id} not found")


def found(row: T | None, kind: str, row_id: int | str) -> T:
    """Load-or-404: the row a readable_* lookup returned, or the 404 naming the kind and id asked for."""
    if row is None:
        raise not_found(kind, row_id)
    return row


async def lock_for_edit(session: AsyncSession, row: T, kind: str) -> T:
    """The row an edit is about to change, locked until the edit commits and read as last committed.

    Two edits of one row (two approvals of an invoice, a manager's budget evaluation and the sweep's)
    then run one after the other, and the second decides on what the first wrote: one approval, one
    event, one alert. A row deleted meanwhile is a 404."""
    row_id = row.id  # type: ignore[attr-defined]
    return found(await common_repository.get_for_update(session, type(row), row_id=row_id), kind, row_id)


def actor(principal: Principal) -> str:
    return principal.subject[:100]


def jsonable(value: Any) -> Any:
    """Decimals become strings (never floats) so JSON columns and event payloads keep exact money."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def touch(row: Any) -> None:
    """Record a change: bump the version the ETag is built from."""
    row.version += 1
    row.updated_at = utcnow()
