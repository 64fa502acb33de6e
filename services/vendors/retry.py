"""Outbound webhook delivery schedule: exponential backoff with full jitter, then dead letter.

Attempts are numbered from 1 (the first delivery). With the defaults, the ceiling before attempt
n+1 is min(1 h, 5 s × 2^(n−1)): 5 s, 10 s, 20 s, … 2560 s, then 1 h; 16 attempts in total span at
most ~6.4 h (≈3.2 h on average) before the message is dead-lettered for manual redelivery.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

DEFAULT_BASE = timedelta(seconds=5)
DEFAULT_CAP = timedelta(hours=1)
DEFAULT_MAX_ATTEMPTS = 16
GONE = 410

_MICROSECOND = timedelta(microseconds=1)


def backoff_ceiling(
    attempt: int, *, base: timedelta = DEFAULT_BASE, cap: timedelta = DEFAULT_CAP
) -> timedelta:
    """Return the upper bound of the delay after failed attempt ``attempt``: min(cap, base × 2^(attempt−1))."""
    _check_attempt(attempt)
    if base <= timedelta(0) or cap < base:
        raise ValueError(f"need 0 < base <= cap, got base={base}, cap={cap}")
    base_us = base // _MICROSECOND
    cap_us = cap // _MICROSECOND
    # Integer shift: base × 2^k overflows timedelta long before Python ints run out.
    return timedelta(microseconds=min(cap_us, base_us << (attempt - 1)))


def next_attempt_delay(
    attempt: int,
    *,
    base: timedelta = DEFAULT_BASE,
    cap: timedelta = DEFAULT_CAP,
    rng: Callable[[], float] = random.random,
) -> timedelta:
    """Return the wait before retrying failed attempt ``attempt``: uniform in [0, ceiling) ("full jitter").

    ``rng`` returns a float in [0, 1) like ``random.random``; full jitter spreads retries from many
    failed deliveries so a recovering receiver is not hit by them all at once.
    """
    ceiling = backoff_ceiling(attempt, base=base, cap=cap)
    fraction = rng()
    if not 0 <= fraction < 1:
        raise ValueError(f"rng must return a value in [0, 1), got {fraction}")
    return timedelta(microseconds=int((ceiling // _MICROSECOND) * fraction))


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD_LETTER = "dead_letter"
    DISABLE_SUBSCRIPTION = "disable_subscription"


def classify_attempt(
    attempt: int, status_code: int | None, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> DeliveryOutcome:
    """Return what to do after attempt ``attempt`` ended with ``status_code`` (None = no HTTP response).

    2xx → delivered; 410 Gone → disable the subscription (the receiver says it will never want it
    again); any other status, a redirect (never followed) or a network error → retry while
    ``attempt < max_attempts``, dead letter after that.
    """
    _check_attempt(attempt)
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
    if status_code is not None and 200 <= status_code < 300:
        return DeliveryOutcome.DELIVERED
    if status_code == GONE:
        return DeliveryOutcome.DISABLE_SUBSCRIPTION
    if attempt >= max_attempts:
        return DeliveryOutcome.DEAD_LETTER
    return DeliveryOutcome.RETRY


def should_give_up(
    attempt: int, status_code: int | None, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> bool:
    """Return True when a failed delivery must not be retried: 410 Gone, or ``attempt`` ≥ ``max_attempts``."""
    return classify_attempt(attempt, status_code, max_attempts=max_attempts) in (
        DeliveryOutcome.DEAD_LETTER,
        DeliveryOutcome.DISABLE_SUBSCRIPTION,
    )


def _check_attempt(attempt: int) -> None:
    if isinstance(attempt, bool) or not isinstance(attempt, int):
        raise TypeError(f"attempt must be an int, not {type(attempt).__name__}")
    if attempt < 1:
        raise ValueError(f"attempt numbers start at 1, got {attempt}")
