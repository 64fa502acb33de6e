"""The shift desk's calls to the API: tickets by SLA due, a ticket's thread and the moves on it, shift
notes and the handover."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.console.service.gateway import Gateway

OPEN_STATUSES = ["open", "in_progress", "waiting"]


async def list_tickets(
    *, gateway: Gateway, filters: dict[str, Any], sort: str, cursor: str | None, limit: int
):
    return await gateway.get("/tickets", **filters, sort=sort, cursor=cursor, limit=limit)


async def desk_sidebar(*, gateway: Gateway, partner_follow_ups: bool) -> dict[str, Any]:
    """SLA breaches, the latest shift notes and (for who reads vendors' communications) partner
    follow-ups that are due."""
    breaches, notes, follow_ups = await asyncio.gather(
        gateway.get("/tickets/sla-breaches", status=OPEN_STATUSES, limit=5),
        gateway.get("/shift-notes", sort="-created_at", limit=5),
        gateway.get("/communications/follow-ups-due", limit=5) if partner_follow_ups else _nothing(),
    )
    return {"breaches": breaches["items"], "notes": notes["items"], "follow_ups": follow_ups["items"]}


async def _nothing() -> dict[str, Any]:
    return {"items": []}


async def ticket_thread(*, gateway: Gateway, ticket_id: int) -> dict[str, Any]:
    ticket = await gateway.get(f"/tickets/{ticket_id}")
    messages = await gateway.get(f"/tickets/{ticket_id}/messages", limit=200)
    return {"ticket": ticket, "messages": messages["items"]}


async def agents(*, gateway: Gateway) -> list[dict[str, Any]]:
    """The support users a ticket can be assigned or escalated to (the gateway's picker list)."""
    return (await gateway.get("/agents"))["items"]


async def reply(*, gateway: Gateway, ticket_id: int, body: str, internal: bool) -> None:
    await gateway.post(f"/tickets/{ticket_id}/messages", {"body": body, "internal": internal})


async def assign(*, gateway: Gateway, ticket_id: int, assignee_id: int, version: int) -> None:
    """The page's version goes as If-Match: a ticket changed since the page was loaded is a 412, not lost."""
    await gateway.call(
        "PATCH",
        f"/tickets/{ticket_id}",
        json={"assignee_id": assignee_id},
        headers={"If-Match": f'"{ticket_id}-{version}"'},
    )


async def escalate(*, gateway: Gateway, ticket_id: int, lead_id: int, reason: str) -> None:
    await gateway.post(f"/tickets/{ticket_id}/escalate", {"lead_id": lead_id, "reason": reason})


async def move(*, gateway: Gateway, ticket_id: int, to: str, note: str | None) -> None:
    await gateway.post(f"/tickets/{ticket_id}/transitions", {"to": to, "note": note or None})


async def write_shift_note(*, gateway: Gateway, team: str, subject: str, body: str) -> dict[str, Any]:
    return await gateway.post(
        "/shift-notes", {"team": team, "subject": subject, "body": body, "follow_ups": []}
    )


async def shift_note(*, gateway: Gateway, note_id: int) -> dict[str, Any]:
    """The note with its follow-ups and who changed what of them."""
    note, history = await asyncio.gather(
        gateway.get(f"/shift-notes/{note_id}"), gateway.get(f"/shift-notes/{note_id}/history")
    )
    return {"note": note, "history": history["items"]}


async def add_follow_up(
    *, gateway: Gateway, note_id: int, description: str, owner_id: int, due_at: str | None
) -> None:
    await gateway.post(
        f"/shift-notes/{note_id}/follow-ups",
        {"description": description, "owner_id": owner_id, "due_at": due_at},
    )


async def change_follow_up(
    *, gateway: Gateway, note_id: int, follow_up_id: int, changes: dict[str, Any], version: int
) -> None:
    """Send what the shift changed; the API records each value that differs, with who changed it. The
    page's version goes as If-Match: a follow-up someone changed since the page was loaded is a 412."""
    await gateway.call(
        "PATCH",
        f"/shift-notes/{note_id}/follow-ups/{follow_up_id}",
        json=changes,
        headers={"If-Match": f'"{follow_up_id}-{version}"'},
    )


async def handover(*, gateway: Gateway) -> dict[str, Any]:
    return await gateway.get("/reports/handover")


async def handover_file(*, gateway: Gateway, format: str) -> httpx.Response:
    """The API's own file (XLSX or CSV), to pass through as it is."""
    return await gateway.stream("/reports/handover", format=format)
