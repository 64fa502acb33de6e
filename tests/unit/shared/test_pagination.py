from types import SimpleNamespace

import pytest

from shared.errors import Unprocessable
from shared.pagination import decode_cursor, encode_cursor, page_of


def test_cursor_round_trips():
    assert decode_cursor(encode_cursor(12345)) == 12345


@pytest.mark.parametrize("cursor", ["!!!", "aWQ6eHl6", "Zm9vOjE"])  # junk, "id:xyz", "foo:1"
def test_foreign_cursor_is_a_422(cursor):
    with pytest.raises(Unprocessable):
        decode_cursor(cursor)


def test_page_has_a_next_cursor_only_when_more_rows_exist():
    rows = [SimpleNamespace(id=i) for i in (1, 2, 3)]

    items, cursor = page_of(rows, limit=2)
    last_items, last_cursor = page_of(rows[:2], limit=2)

    assert [r.id for r in items] == [1, 2] and decode_cursor(cursor) == 2
    assert len(last_items) == 2 and last_cursor is None
