import random
from datetime import timedelta

import pytest

from services.vendors.retry import (
    DEFAULT_MAX_ATTEMPTS,
    DeliveryOutcome,
    backoff_ceiling,
    classify_attempt,
    next_attempt_delay,
    should_give_up,
)


def fixed(value: float):
    return lambda: value


# --- backoff ceiling -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "seconds"), [(1, 5), (2, 10), (3, 20), (10, 2560), (11, 3600), (16, 3600), (10_000, 3600)]
)
def test_ceiling_doubles_from_five_seconds_up_to_one_hour(attempt, seconds):
    assert backoff_ceiling(attempt) == timedelta(seconds=seconds)


def test_custom_base_and_cap():
    # 1 s × 2^4 = 16 s, capped at 10 s
    assert backoff_ceiling(5, base=timedelta(seconds=1), cap=timedelta(seconds=10)) == timedelta(seconds=10)


def test_cap_below_base_is_rejected():
    with pytest.raises(ValueError, match="base <= cap"):
        backoff_ceiling(1, base=timedelta(seconds=10), cap=timedelta(seconds=5))


def test_whole_default_schedule_spans_at_most_about_six_and_a_half_hours():
    # retries after attempts 1..15: 5 + 10 + … + 2560 = 5115 s, then 5 × 3600 s
    total = sum((backoff_ceiling(attempt) for attempt in range(1, DEFAULT_MAX_ATTEMPTS)), timedelta())

    assert total == timedelta(seconds=23115)


# --- jittered delay --------------------------------------------------------------------------------


def test_delay_is_the_rng_fraction_of_the_ceiling():
    assert next_attempt_delay(3, rng=fixed(0.5)) == timedelta(seconds=10)


def test_full_jitter_can_retry_immediately():
    assert next_attempt_delay(7, rng=fixed(0.0)) == timedelta(0)


def test_delay_stays_below_the_ceiling():
    assert next_attempt_delay(1, rng=fixed(0.999999)) == timedelta(microseconds=4_999_995)


def test_jitter_applies_to_the_capped_ceiling():
    delay = next_attempt_delay(5, base=timedelta(seconds=1), cap=timedelta(seconds=10), rng=fixed(0.25))

    assert delay == timedelta(seconds=2.5)


def test_seeded_rng_gives_spread_delays_within_bounds():
    rng = random.Random(1234)

    delays = [next_attempt_delay(4, rng=rng.random) for _ in range(200)]

    assert all(timedelta(0) <= delay < timedelta(seconds=40) for delay in delays)
    assert len(set(delays)) > 150


@pytest.mark.parametrize("value", [1.0, -0.1])
def test_rng_outside_unit_interval_is_rejected(value):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        next_attempt_delay(1, rng=fixed(value))


def test_attempts_start_at_one():
    with pytest.raises(ValueError, match="start at 1"):
        next_attempt_delay(0, rng=fixed(0.5))


def test_bool_attempt_is_rejected():
    with pytest.raises(TypeError):
        next_attempt_delay(True, rng=fixed(0.5))


# --- give up / dead letter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "status", "outcome"),
    [
        (1, 200, DeliveryOutcome.DELIVERED),
        (3, 204, DeliveryOutcome.DELIVERED),
        (16, 299, DeliveryOutcome.DELIVERED),
        (1, 500, DeliveryOutcome.RETRY),
        (1, 429, DeliveryOutcome.RETRY),
        (1, 400, DeliveryOutcome.RETRY),
        (1, 301, DeliveryOutcome.RETRY),
        (2, None, DeliveryOutcome.RETRY),
        (15, 503, DeliveryOutcome.RETRY),
        (16, 503, DeliveryOutcome.DEAD_LETTER),
        (16, None, DeliveryOutcome.DEAD_LETTER),
        (1, 410, DeliveryOutcome.DISABLE_SUBSCRIPTION),
        (16, 410, DeliveryOutcome.DISABLE_SUBSCRIPTION),
    ],
)
def test_classify_attempt(attempt, status, outcome):
    assert classify_attempt(attempt, status) is outcome


def test_gone_gives_up_on_the_first_attempt():
    assert should_give_up(1, 410) is True


def test_failure_before_last_attempt_keeps_retrying():
    assert should_give_up(DEFAULT_MAX_ATTEMPTS - 1, 500) is False


def test_failure_on_last_attempt_gives_up():
    assert should_give_up(DEFAULT_MAX_ATTEMPTS, 500) is True


def test_success_never_gives_up():
    assert should_give_up(DEFAULT_MAX_ATTEMPTS, 200) is False


def test_max_attempts_is_configurable():
    assert (should_give_up(2, None, max_attempts=3), should_give_up(3, None, max_attempts=3)) == (False, True)


def test_max_attempts_must_be_positive():
    with pytest.raises(ValueError, match="max_attempts"):
        classify_attempt(1, 500, max_attempts=0)
