"""The project lifecycle as data."""

PROJECT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("active", "archived"),
    "active": ("paused", "completed"),
    "paused": ("active", "completed"),
    "completed": ("archived",),
    "archived": (),
}

# A closed project takes no new tasks and no new grants, and its held leases take no answers.
CLOSED_STATUSES = ("completed", "archived")


def allowed_targets(current: str) -> list[str]:
    return list(PROJECT_TRANSITIONS.get(current, ()))


def review_sampled(task_id: int, review_ratio: float) -> bool:
    """Whether a task's submissions go to review: a stable hash of the id, so the share is review_ratio."""
    if review_ratio <= 0:
        return False
    return ((task_id * 2654435761) % 2**32) / 2**32 < review_ratio
