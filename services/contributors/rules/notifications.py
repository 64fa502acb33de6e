"""What the people responsible are told, and in which words: an escalation, an SLA target near or missed,
a contributor asking for support. Plain text for email and a team chat; ids, priorities and due times,
and the ticket's subject (support's own wording of the query) — never the contributor's messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

TICKET_KINDS = ("ticket.escalated", "ticket.sla_warning", "ticket.sla_breached")
WELLNESS_SUPPORT = "wellness.support_requested"
TARGET_NAMES = {"first_response": "first response", "resolution": "resolution"}


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    text: str


def ticket_message(
    kind: str, *, ticket_id: int, subject: str, priority: str, detail: str | None, due: datetime | None,
    lead: str | None = None,
) -> Message:  # fmt: skip
    """The words of a ticket notification; `detail` names the SLA target, `due` its time (UTC)."""
    target = TARGET_NAMES.get(detail or "", "SLA")
    when = due.strftime("%Y-%m-%d %H:%M UTC") if due is not None else "now"
    if kind == "ticket.escalated":
        headline = f"Ticket #{ticket_id} ({priority}) was escalated to {lead or 'you'}"
    elif kind == "ticket.sla_warning":
        headline = f"Ticket #{ticket_id} ({priority}): its {target} target is due at {when}"
    elif kind == "ticket.sla_breached":
        headline = f"Ticket #{ticket_id} ({priority}) missed its {target} target (due {when})"
    else:
        raise ValueError(f"not a ticket notification: {kind}")
    return Message(subject=f"[#{ticket_id}] {headline}", text=f"{headline}.\nSubject: {subject}")


def wellness_message(*, contributor_id: int, check_in_id: int | None) -> Message:
    headline = f"Contributor {contributor_id} asked for wellness support"
    where = f" (check-in {check_in_id})" if check_in_id is not None else ""
    return Message(subject=headline, text=f"{headline}{where}. Reach out today.")


def webhook_body(message: Message, fmt: Literal["slack", "discord"]) -> dict[str, Any]:
    """An incoming webhook's JSON: Slack reads `text`, Discord `content` (2,000 characters at most, and
    no @mentions pinging a whole server)."""
    if fmt == "discord":
        return {"content": message.text[:2000], "allowed_mentions": {"parse": []}}
    return {"text": message.text}
