"""Cursor pagination: opaque cursors over a monotonically increasing id (stable under inserts)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from shared.errors import Unprocessable

T = TypeVar("T")

MAX_PAGE_SIZE = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = raw.partition(":")
        if prefix != "id":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unprocessable(
            "cursor is not one this API returned",
            errors=[{"pointer": "/cursor", "field": "cursor", "in": "query", "detail": "invalid cursor"}],
        ) from exc


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
