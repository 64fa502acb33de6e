import random

import pytest
from pydantic import ValidationError

from shared.errors import field_pointer, validation_errors
from shared.events import MAX_BACKOFF_SECONDS, backoff_seconds
from shared.settings import DEV_INTERNAL_SECRET, ServiceSettings


def test_production_refuses_the_development_internal_secret(monkeypatch):
    monkeypatch.setenv("LABELOPS_ENV", "production")
    monkeypatch.delenv("LABELOPS_INTERNAL_TOKEN_SECRET", raising=False)

    with pytest.raises(ValidationError, match="LABELOPS_INTERNAL_TOKEN_SECRET"):
        ServiceSettings()


def test_production_accepts_a_real_secret(monkeypatch):
    monkeypatch.setenv("LABELOPS_ENV", "production")
    monkeypatch.setenv("LABELOPS_INTERNAL_TOKEN_SECRET", "r" * 48)

    assert ServiceSettings().internal_token_secret.get_secret_value() != DEV_INTERNAL_SECRET


def test_short_secrets_are_refused(monkeypatch):
    monkeypatch.setenv("LABELOPS_INTERNAL_TOKEN_SECRET", "short")

    with pytest.raises(ValidationError):
        ServiceSettings()


def test_field_pointer_drops_the_location_kind_and_escapes():
    assert field_pointer(("body", "languages", 0, "code")) == "/languages/0/code"
    assert field_pointer(("query", "a/b")) == "/a~1b"


def test_validation_errors_name_field_and_location():
    [error] = validation_errors([{"loc": ("query", "limit"), "msg": "too small", "type": "greater_than"}])

    assert error == {
        "pointer": "/limit",
        "field": "limit",
        "in": "query",
        "detail": "too small",
        "type": "greater_than",
    }


def test_backoff_grows_exponentially_within_jitter_and_is_capped():
    rng = random.Random(7)

    delays = [backoff_seconds(attempt, rng) for attempt in (1, 2, 3, 4, 30)]

    assert 0.5 <= delays[0] <= 1 and 1 <= delays[1] <= 2 and 2 <= delays[2] <= 4 and 4 <= delays[3] <= 8
    assert MAX_BACKOFF_SECONDS / 2 <= delays[4] <= MAX_BACKOFF_SECONDS
