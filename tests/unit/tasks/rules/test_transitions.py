"""The project lifecycle table and review sampling."""

from __future__ import annotations

from services.tasks.rules.transitions import allowed_targets, review_sampled


def test_archived_is_terminal():
    assert allowed_targets("archived") == []


def test_review_sampling_takes_about_the_ratio():
    share = sum(review_sampled(i, 0.25) for i in range(1, 10_001)) / 10_000
    assert 0.22 < share < 0.28
