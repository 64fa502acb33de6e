"""Which submit calls the hot path binds itself, and which it leaves to FastAPI."""

from services.tasks.routes.hot_path import _submission

BODY = b'{"answer": "cat", "time_spent_seconds": 7}'


def _scope(*headers: tuple[bytes, bytes]) -> dict:
    return {"headers": list(headers)}


JSON = (b"content-type", b"application/json")


def test_a_well_formed_submit_is_bound_with_its_key():
    data, key = _submission(_scope(JSON, (b"idempotency-key", b"abc")), BODY)

    assert (data.answer, data.time_spent_seconds, key) == ("cat", 7, "abc")


def test_json_with_a_charset_and_no_key_is_bound():
    data, key = _submission(_scope((b"content-type", b"Application/JSON; charset=utf-8")), BODY)

    assert data.time_spent_seconds == 7 and key is None


def test_anything_fastapi_must_judge_is_left_to_it():
    cases = [
        _submission(_scope(), BODY),
        _submission(_scope((b"content-type", b"text/plain")), BODY),
        _submission(_scope(JSON, (b"idempotency-key", b"a"), (b"idempotency-key", b"b")), BODY),
        _submission(_scope(JSON, (b"idempotency-key", b"")), BODY),
        _submission(_scope(JSON, (b"idempotency-key", b"k" * 201)), BODY),
        _submission(_scope(JSON), b'{"answer": "cat", "time_spent_seconds": -1}'),
        _submission(_scope(JSON), b'{"answer": "cat", "time_spent_seconds": 7, "extra": 1}'),
        _submission(_scope(JSON), b"{not json"),
    ]

    assert cases == [None] * len(cases)
