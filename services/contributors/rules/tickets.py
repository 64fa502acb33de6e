"""Support tickets: channels, categories, priorities with SLA targets, and the ticket status machine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from services.contributors.rules.datetimes import ensure_aware
from services.contributors.rules.lifecycle import InvalidTransition

_E = TypeVar("_E", bound=StrEnum)


class TicketChannel(StrEnum):
    DISCORD = "discord"
    EMAIL = "email"
    CHAT = "chat"
    SOCIAL = "social"
    WEB = "web"


class TicketCategory(StrEnum):
    ACCESS = "access"
    GUIDELINES = "guidelines"
    TECHNICAL = "technical"
    PAYMENT = "payment"
    OTHER = "other"


class TicketPriority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


class SlaKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


_T = TicketStatus

# The ticket status machine, as a support desk works:
#   open        → in_progress  an agent picks the ticket up
#   open        → waiting      the first reply asks the contributor for details
#   open        → resolved     answered and solved in the first reply (FAQ-type questions)
#   in_progress → waiting      the agent needs something from the contributor
#   in_progress → resolved     solved
#   waiting     → in_progress  the contributor replied
#   waiting     → resolved     the contributor confirmed the fix, or auto-resolved after no reply
#   resolved    → in_progress  reopened: the contributor says it is not solved
#   resolved    → closed       confirmed or after the reopen window
#   closed      → (terminal)   a later message opens a follow-up ticket, so closed SLA figures stay fixed
# open → closed is not allowed: every closed ticket passes through resolved, so it has a resolution time.
TICKET_TRANSITIONS: Mapping[TicketStatus, frozenset[TicketStatus]] = MappingProxyType(
    {
        _T.OPEN: frozenset({_T.IN_PROGRESS, _T.WAITING, _T.RESOLVED}),
        _T.IN_PROGRESS: frozenset({_T.WAITING, _T.RESOLVED}),
        _T.WAITING: frozenset({_T.IN_PROGRESS, _T.RESOLVED}),
        _T.RESOLVED: frozenset({_T.IN_PROGRESS, _T.CLOSED}),
        _T.CLOSED: frozenset(),
    }
)


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """Time allowed for the first staff response and for resolution of a ticket."""

    first_response: timedelta
    resolution: timedelta

    def __post_init__(self) -> None:
        if self.first_response <= timedelta(0) or self.resolution <= timedelta(0):
            raise ValueError("SLA targets must be positive durations")
        if self.first_response > self.resolution:
            raise ValueError("first-response target cannot be longer than the resolution target")


# Clock time, 24/7: contributors work in every time zone, so there are no business hours to exclude.
DEFAULT_SLA_POLICY: Mapping[TicketPriority, SlaTarget] = MappingProxyType(
    {
        TicketPriority.P1: SlaTarget(first_response=timedelta(hours=1), resolution=timedelta(hours=4)),
        TicketPriority.P2: SlaTarget(first_response=timedelta(hours=4), resolution=timedelta(hours=24)),
        TicketPriority.P3: SlaTarget(first_response=timedelta(hours=8), resolution=timedelta(hours=72)),
        TicketPriority.P4: SlaTarget(first_response=timedelta(hours=24), resolution=timedelta(hours=120)),
    }
)


@dataclass(frozen=True, slots=True)
class SlaDueTimes:
    first_response_due: datetime
    resolution_due: datetime


@dataclass(frozen=True, slots=True)
class TicketSlaFacts:
    """What the SLA rules need to know about one ticket; datetimes are timezone-aware.

    resolved_at is the latest resolution and None while unresolved (a reopened ticket is unresolved).
    waiting_time is the total of finished periods in WAITING; waiting_since is the start of the current
    one. The resolution clock stops while the ticket waits on the contributor, so a contributor who
    never answers does not put the support team in breach; the first-response clock never stops.
    """

    created_at: datetime
    priority: TicketPriority
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    waiting_time: timedelta = timedelta(0)
    waiting_since: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_at", ensure_aware(self.created_at, "created_at"))
        object.__setattr__(self, "priority", TicketPriority(self.priority))
        for name in ("first_response_at", "resolved_at", "waiting_since"):
            value = getattr(self, name)
            if value is not None:
                value = ensure_aware(value, name)
                if value < self.created_at:
                    raise ValueError(f"{name} is before the ticket was created")
                object.__setattr__(self, name, value)
        if self.waiting_time < timedelta(0):
            raise ValueError("waiting_time cannot be negative")
        if self.waiting_since is not None and self.resolved_at is not None:
            raise ValueError("a resolved ticket cannot be waiting on the contributor")


def check_ticket_transition(current: str, target: str) -> TicketStatus:
    """Return target as a status if the ticket may move current → target, else raise InvalidTransition."""
    current_status = _parse(TicketStatus, current, "ticket status")
    target_status = _parse(TicketStatus, target, "ticket status")
    allowed = TICKET_TRANSITIONS[current_status]
    if target_status not in allowed:
        raise InvalidTransition(current_status.value, target_status.value, sorted(s.value for s in allowed))
    return target_status


def sla_policy(overrides: Mapping[str, SlaTarget] | None = None) -> Mapping[TicketPriority, SlaTarget]:
    """Return the default SLA policy with the given priorities replaced by their overrides."""
    merged = dict(DEFAULT_SLA_POLICY)
    for priority, target in (overrides or {}).items():
        merged[_parse(TicketPriority, priority, "priority")] = target
    return MappingProxyType(merged)


def sla_due_times(
    created_at: datetime,
    priority: str,
    policy: Mapping[str, SlaTarget] | None = None,
    *,
    waiting_time: timedelta = timedelta(0),
) -> SlaDueTimes:
    """Return when the first response and the resolution are due; the resolution moves by waiting_time."""
    created = ensure_aware(created_at, "created_at")
    target = sla_policy(policy)[_parse(TicketPriority, priority, "priority")]
    return SlaDueTimes(
        first_response_due=created + target.first_response,
        resolution_due=created + target.resolution + waiting_time,
    )


def first_response_seconds(created_at: datetime, first_staff_message_at: datetime | None) -> float | None:
    """Return seconds from creation to the first staff message, or None when staff has not answered yet."""
    if first_staff_message_at is None:
        return None
    created = ensure_aware(created_at, "created_at")
    answered = ensure_aware(first_staff_message_at, "first_staff_message_at")
    if answered < created:
        raise ValueError("first staff message is before the ticket was created")
    return (answered - created).total_seconds()


def sla_breaches(
    facts: TicketSlaFacts, now: datetime, policy: Mapping[str, SlaTarget] | None = None
) -> frozenset[SlaKind]:
    """Return the SLA targets missed so far: met after their due time, or still unmet and past it."""
    due = sla_due_times(facts.created_at, facts.priority, policy, waiting_time=facts.waiting_time)
    return sla_breaches_against(due, facts, now)


def is_overdue(facts: TicketSlaFacts, now: datetime, policy: Mapping[str, SlaTarget] | None = None) -> bool:
    """Return True when a still-pending target (no response yet, or unresolved) is past its due time."""
    due = sla_due_times(facts.created_at, facts.priority, policy, waiting_time=facts.waiting_time)
    return is_overdue_against(due, facts, now)


def sla_breaches_against(due: SlaDueTimes, facts: TicketSlaFacts, now: datetime) -> frozenset[SlaKind]:
    """sla_breaches with due times already known (stored on the ticket, finished waiting included)."""
    now = ensure_aware(now, "now")
    due = _with_current_wait(due, facts, now)
    breaches: set[SlaKind] = set()
    # Resolving a ticket answers it, so a resolution stops the first-response clock too.
    responded_at = facts.first_response_at or facts.resolved_at or now
    if responded_at > due.first_response_due:
        breaches.add(SlaKind.FIRST_RESPONSE)
    if (facts.resolved_at or now) > due.resolution_due:
        breaches.add(SlaKind.RESOLUTION)
    return frozenset(breaches)


def is_overdue_against(due: SlaDueTimes, facts: TicketSlaFacts, now: datetime) -> bool:
    """is_overdue with due times already known (stored on the ticket, finished waiting included)."""
    now = ensure_aware(now, "now")
    if facts.resolved_at is not None:
        return False
    due = _with_current_wait(due, facts, now)
    if facts.first_response_at is None and now > due.first_response_due:
        return True
    return now > due.resolution_due


def _with_current_wait(due: SlaDueTimes, facts: TicketSlaFacts, now: datetime) -> SlaDueTimes:
    if facts.waiting_since is not None and now > facts.waiting_since:
        return SlaDueTimes(due.first_response_due, due.resolution_due + (now - facts.waiting_since))
    return due


def _parse(enum: type[_E], value: str, what: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(member.value for member in enum)
        raise ValueError(f"unknown {what} {value!r}; known: {known}") from None
