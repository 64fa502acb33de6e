"""What the support channels (email, Discord) relay back to a requester: staff replies that are not
internal notes, and the status changes worth a notice. Pure: no I/O."""

from __future__ import annotations

# The channels a ticket can be answered on from LabelOps itself.
RELAYED_CHANNELS = ("email", "discord")

# The status changes a requester is told about, with what they are told.
STATUS_NOTICES = {
    "resolved": "Your ticket #{ticket_id} has been resolved. Reply if it is not solved.",
    "closed": "Your ticket #{ticket_id} is closed. Write to us again to open a new one.",
}


def status_notice(ticket_id: int, status: str) -> str | None:
    """The notice for a ticket entering `status`, or None when that change is not announced."""
    template = STATUS_NOTICES.get(status)
    return template.format(ticket_id=ticket_id) if template else None


def relayed_message(*, author_kind: str, internal: bool) -> bool:
    """Only staff's public messages go back out; the requester's own and internal notes never do."""
    return author_kind == "staff" and not internal
