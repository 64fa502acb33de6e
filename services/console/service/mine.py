"""A contributor's own pages: its profile, tickets, announcements, wellness and where it gets work. The
API scopes every answer to the caller; the console only asks for the caller's own id."""

from __future__ import annotations

import asyncio
from typing import Any

from services.console.service.gateway import Gateway


async def own_overview(*, gateway: Gateway, contributor_id: int) -> dict[str, Any]:
    base = f"/contributors/{contributor_id}"
    person, feed, wellness, access, tickets = await asyncio.gather(
        gateway.get(base),
        gateway.get(f"{base}/feed"),
        gateway.get(f"{base}/wellness"),
        gateway.get(f"{base}/access"),
        gateway.get("/tickets", sort="-created_at", limit=50),
    )
    return {
        "person": person,
        "feed": _items(feed),
        "wellness": wellness,
        "access": access,
        "tickets": tickets["items"],
    }


async def open_own_ticket(*, gateway: Gateway, category: str, subject: str, body: str) -> dict[str, Any]:
    return await gateway.post(
        "/tickets", {"channel": "web", "category": category, "subject": subject, "body": body}
    )


async def own_ticket(*, gateway: Gateway, ticket_id: int) -> dict[str, Any]:
    ticket = await gateway.get(f"/tickets/{ticket_id}")
    messages = await gateway.get(f"/tickets/{ticket_id}/messages", limit=200)
    return {"ticket": ticket, "messages": messages["items"]}


async def reply(*, gateway: Gateway, ticket_id: int, body: str) -> None:
    await gateway.post(f"/tickets/{ticket_id}/messages", {"body": body})


def _items(answer: Any) -> list:
    return answer.get("items", []) if isinstance(answer, dict) else answer
