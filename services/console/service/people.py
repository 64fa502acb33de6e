"""The People pages' calls to the API: contributor search, one contributor's profile, the wellness board."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.console.service.gateway import Gateway


async def search_contributors(
    *, gateway: Gateway, q: str, status: str, sort: str, cursor: str | None, limit: int
):
    return await gateway.get("/contributors", q=q, status=status, sort=sort, cursor=cursor, limit=limit)


async def contributor_profile(*, gateway: Gateway, contributor_id: int) -> dict[str, Any]:
    """The person first (another vendor's person is the API's 404), then the rest of the profile."""
    person = await gateway.get(f"/contributors/{contributor_id}")
    base = f"/contributors/{contributor_id}"
    history, onboarding, qualifications, wellness, vetting = await asyncio.gather(
        gateway.get(f"{base}/history"),
        gateway.get(f"{base}/onboarding"),
        gateway.get(f"{base}/qualifications"),
        gateway.get(f"{base}/wellness"),
        gateway.get(f"{base}/vetting"),
    )
    return {
        "person": person,
        "history": _items(history),
        "onboarding": onboarding,
        "qualifications": _items(qualifications),
        "wellness": wellness,
        "vetting": vetting,
    }


def _items(answer: Any) -> list:
    return answer.get("items", []) if isinstance(answer, dict) else answer


async def roster_export(*, gateway: Gateway, q: str, status: str) -> httpx.Response:
    """The API's CSV roster of everyone the search matches (not just the page shown)."""
    return await gateway.stream("/contributors/export", q=q, status=status)


async def recruitment_funnel(*, gateway: Gateway, group_by: str) -> dict[str, Any]:
    return await gateway.get("/campaigns/funnel", group_by=group_by)


async def wellness_board(
    *, gateway: Gateway, state: str, vendor_id: str, sort: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    """Who is near a daily cap, on a required break or asked for support (the API decides whom a vendor
    user sees: its own people)."""
    return await gateway.get(
        "/wellness/board", state=state, vendor_id=vendor_id, sort=sort, cursor=cursor, limit=limit
    )
