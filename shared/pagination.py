"""Cursor pagination: opaque cursors over a monotonically increasing id (stable under inserts), and
sorted (keyset) cursors for lists a client may order by another column (`Keyset`)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypedDict, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, and_, func, literal, or_
from sqlalchemy.sql.elements import ColumnElement

from shared.errors import Unprocessable

T = TypeVar("T")

MAX_PAGE_SIZE = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64decode(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def _invalid_cursor(title: str) -> Unprocessable:
    return Unprocessable(
        title,
        errors=[{"pointer": "/cursor", "field": "cursor", "in": "query", "detail": "invalid cursor"}],
    )


def encode_cursor(last_id: int) -> str:
    return _b64encode(f"id:{last_id}".encode())


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = _b64decode(cursor).decode()
        prefix, _, value = raw.partition(":")
        if prefix != "id":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _invalid_cursor("cursor is not one this API returned") from exc


class PageParams(BaseModel):
    limit: int
    after_id: int | None


# async on purpose: FastAPI runs a plain `def` dependency in a thread, which costs more than the work.
async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> PageParams:
    return PageParams(limit=limit, after_id=decode_cursor(cursor))


def page_of(rows: Sequence[T], *, limit: int, id_of=lambda row: row.id) -> tuple[list[T], str | None]:
    """Repositories fetch limit+1 rows; the extra row only tells whether another page exists."""
    items = list(rows[:limit])
    next_cursor = encode_cursor(id_of(items[-1])) if len(rows) > limit and items else None
    return items, next_cursor


# --- sorted (keyset) cursors ---------------------------------------------------------------------------
# The id cursor above walks ids only; a list that also sorts by name, status or a due time needs a cursor
# carrying the sort, the last row's sort value and its id. Such a cursor is only valid with the sort it
# was made for (a client changing `sort` mid-walk gets a 422, not a silently wrong page).

PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
KeysetCursor = Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")]


class KeysetArgs(TypedDict):
    """Which page of a sorted list: `**page: Unpack[KeysetArgs]` passes them on to `Keyset.apply`."""

    sort: str
    cursor: str | None
    limit: int


@dataclass(frozen=True)
class SortColumn:
    column: Any
    # Turns the cursor's JSON value back into what the column compares against.
    parse: Callable[[Any], Any] = lambda v: v
    # A nullable column sorts its nulls as this value (a far-future time: last when ascending). SQL
    # compares NULL with nothing, so without it a cursor at a null row would lose every row after it.
    null_as: Any = None

    @property
    def expression(self) -> Any:
        if self.null_as is None:
            return self.column
        return func.coalesce(self.column, literal(self.null_as, self.column.type))

    def value_of(self, row: Any, key: str) -> Any:
        value = getattr(row, key)
        return self.null_as if value is None else value


def as_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value)


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
        column, id_column = key.expression, self.id_column
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
        return items, encode_position(sort, self.columns[key].value_of(last, key), last.id)

    def _decode(self, cursor: str, sort: str, key: SortColumn) -> tuple[Any, int]:
        value, last_id = decode_position(cursor, sort)
        try:
            if value is None:
                raise ValueError("cursor without a value")
            return key.parse(value), last_id
        except (ValueError, TypeError) as exc:
            raise _invalid_cursor("cursor is not one this API returned for this sort") from exc


def encode_position(sort: str, value: Any, last_id: int) -> str:
    """A sorted list's cursor: the sort it was made for, the last row's sort value and id. Lists sorted
    in the service (not by SQL) use it too; their values may be JSON lists or null."""
    if isinstance(value, datetime):
        value = value.isoformat()
    return _b64encode(orjson.dumps({"s": sort, "v": value, "id": last_id}))


def decode_position(cursor: str, sort: str, parse: Callable[[Any], Any] = lambda v: v) -> tuple[Any, int]:
    """The (sort value turned back by `parse`, id) a cursor of `encode_position` holds; 422 for any other
    cursor or sort, or a value `parse` refuses (ValueError, TypeError)."""
    try:
        data = orjson.loads(_b64decode(cursor))
        if not isinstance(data, dict) or data.get("s") != sort or not isinstance(data.get("id"), int):
            raise ValueError("cursor made for another sort")
        return parse(data.get("v")), data["id"]
    except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise _invalid_cursor("cursor is not one this API returned for this sort") from exc
