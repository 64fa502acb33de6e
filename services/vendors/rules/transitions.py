"""State machines as data: each status names the statuses it may move to."""

from __future__ import annotations

from collections.abc import Mapping

from shared.errors import InvalidTransition

VENDOR_STATUSES: Mapping[str, tuple[str, ...]] = {
    "prospect": ("onboarding", "terminated"),
    "onboarding": ("active", "terminated"),
    "active": ("suspended", "terminated"),
    "suspended": ("active", "terminated"),
    "terminated": (),
}
CONTRACT_STATUSES: Mapping[str, tuple[str, ...]] = {
    "draft": ("negotiating", "terminated"),
    "negotiating": ("active", "draft", "terminated"),
    "active": ("expired", "terminated"),
    "expired": (),
    "terminated": (),
}
INVOICE_STATUSES: Mapping[str, tuple[str, ...]] = {
    "draft": ("submitted",),
    "submitted": ("approved", "disputed"),
    "disputed": ("submitted", "approved"),
    "approved": ("paid",),
    "paid": (),
}


def check_transition(machine: Mapping[str, tuple[str, ...]], *, current: str, target: str) -> None:
    """Raise 409 listing the allowed targets unless `current → target` is in `machine`."""
    allowed = list(machine.get(current, ()))
    if target not in allowed:
        raise InvalidTransition(current, target, allowed)
