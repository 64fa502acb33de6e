"""Sorted cursor pagination: the cursor carries its sort, value and id; a foreign or forged one is a 422."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.dialects import sqlite

from shared.errors import Unprocessable
from shared.pagination import Keyset, SortColumn, as_datetime

people = Table(
    "people",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String),
    Column("created_at", DateTime),
)
KEYSET = Keyset(
    columns={
        "id": SortColumn(people.c.id, int),
        "name": SortColumn(people.c.name, str),
        "created_at": SortColumn(people.c.created_at, as_datetime),
    },
    id_column=people.c.id,
)


@dataclass
class Row:
    id: int
    name: str
    created_at: datetime


ROWS = [Row(i, n, datetime(2026, 1, i, tzinfo=UTC)) for i, n in ((1, "b"), (2, "a"), (3, "c"))]


def sql(stmt) -> str:
    return str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def test_sort_values_offer_both_directions():
    assert KEYSET.sort_values() == ["id", "-id", "name", "-name", "created_at", "-created_at"]


def test_a_page_with_more_rows_gives_a_cursor_and_the_last_page_none():
    items, cursor = KEYSET.page(ROWS, sort="name", limit=2)
    last, none = KEYSET.page(ROWS[:2], sort="name", limit=2)

    assert items == ROWS[:2] and cursor is not None
    assert last == ROWS[:2] and none is None


def test_the_next_page_starts_after_the_last_rows_value_and_id():
    _, cursor = KEYSET.page(ROWS, sort="-name", limit=2)

    text = sql(KEYSET.apply(select(people), sort="-name", cursor=cursor, limit=2))

    assert "people.name < 'a' OR people.name = 'a' AND people.id < 2" in text
    assert "ORDER BY people.name DESC, people.id DESC" in text and "LIMIT 3" in text


def test_datetimes_survive_the_round_trip_through_the_cursor():
    _, cursor = KEYSET.page(ROWS, sort="created_at", limit=1)

    text = sql(KEYSET.apply(select(people), sort="created_at", cursor=cursor, limit=1))

    assert "2026-01-01 00:00:00" in text


@pytest.mark.parametrize("cursor", ["garbage", "eyJzIjoiaWQifQ", "W10"])
def test_forged_cursors_are_422(cursor):
    with pytest.raises(Unprocessable):
        KEYSET.apply(select(people), sort="id", cursor=cursor, limit=10)


def test_a_cursor_is_only_valid_with_its_own_sort():
    _, cursor = KEYSET.page(ROWS, sort="name", limit=1)

    with pytest.raises(Unprocessable):
        KEYSET.apply(select(people), sort="-name", cursor=cursor, limit=10)
