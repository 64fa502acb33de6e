"""Sorted cursor pagination (keyset): any allowed column, ascending or descending, id as tie-breaker.

The kit's cursor (`shared.pagination`) walks ids only; lists here also sort by name, status or due
time, so the cursor carries the sort, the last row's sort value and its id. A cursor is only valid with
the sort it was made for (a client changing `sort` mid-walk gets a 422, not a silently wrong page).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import Select, and_, or_
from sqlalchemy.sql.elements import ColumnElement

from shared.errors import Unprocessable

T = TypeVar("T")


@dataclass(frozen=True)
class SortColumn:
    column: Any
    # Turns the cursor's JSON value back into what the column compares against.
    parse: Callable[[Any], Any] = lambda v: v


def as_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value)


def _cursor_error() -> Unprocessable:
    return Unprocessable(
        "cursor is not one this API returned for this sort",
        errors=[{"pointer": "/cursor", "field": "cursor", "in": "query", "detail": "invalid cursor"}],
    )


@dataclass(frozen=True)
class Keyset:
    """The sortable columns of one list, by the name clients use in `?sort=` (prefix `-` = descending)."""

    columns: Mapping[str, SortColumn]
    id_column: Any

    def sort_values(self) -> list[str]:
        return [name for key in self.columns for name in (key, f"-{key}")]

    def apply(self, stmt: Select, *, sort: str, cursor: str | None, limit: int) -> Select:
        """Order by the sort and id, start after the cursor's row, fetch one row more than the page."""
        descending = sort.startswith("-")
        key = self.columns[sort.removeprefix("-")]
        column, id_column = key.column, self.id_column
        if cursor:
            value, last_id = self._decode(cursor, sort, key)
            if descending:
                after: ColumnElement = or_(column < value, and_(column == value, id_column < last_id))
            else:
                after = or_(column > value, and_(column == value, id_column > last_id))
            if column is id_column:
                after = id_column < last_id if descending else id_column > last_id
            stmt = stmt.where(after)
        if descending:
            stmt = stmt.order_by(column.desc(), id_column.desc())
        else:
            stmt = stmt.order_by(column.asc(), id_column.asc())
        return stmt.limit(limit + 1)

    def page(self, rows: Sequence[T], *, sort: str, limit: int) -> tuple[list[T], str | None]:
        """The page's rows and the cursor of the next page (None on the last page)."""
        items = list(rows[:limit])
        if len(rows) <= limit or not items:
            return items, None
        last = items[-1]
        key = sort.removeprefix("-")
        value = getattr(last, key)
        if isinstance(value, datetime):
            value = value.isoformat()
        raw = orjson.dumps({"s": sort, "v": value, "id": last.id})
        return items, base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _decode(self, cursor: str, sort: str, key: SortColumn) -> tuple[Any, int]:
        try:
            data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            if not isinstance(data, dict) or data.get("s") != sort or not isinstance(data.get("id"), int):
                raise ValueError("cursor made for another sort")
            value = data.get("v")
            if value is None:
                raise ValueError("cursor without a value")
            return key.parse(value), data["id"]
        except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
            raise _cursor_error() from exc
