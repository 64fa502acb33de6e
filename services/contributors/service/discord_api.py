"""Discord's REST API as the support bot uses it: open a DM channel with a user and post in it, within
Discord's rate limits (discord.com/developers/docs/topics/rate-limits).

A 429 is waited out and retried here when Discord asks for a short wait; a longer one is handed back to the
caller (`DiscordRateLimited`) so the delivery is rescheduled instead of holding the loop. A success that
empties its bucket (`X-RateLimit-Remaining: 0`) pauses that route until `X-RateLimit-Reset-After`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from services.contributors.rules.discord import bucket_pause_seconds, retry_after_seconds

USER_AGENT = "DiscordBot (https://github.com/labelops/labelops, 1.0)"
# Waits up to this long are spent in place; longer ones reschedule the delivery.
MAX_INLINE_WAIT_SECONDS = 5.0
MAX_TRIES = 3


class DiscordApiError(RuntimeError):
    def __init__(self, status: int, detail: str):
        super().__init__(f"Discord API answered {status}: {detail[:200]}")
        self.status = status


class DiscordRateLimited(RuntimeError):
    def __init__(self, retry_after: float):
        super().__init__(f"Discord rate limit: retry after {retry_after:.1f}s")
        self.retry_after = retry_after


class DiscordApi:
    def __init__(self, *, client: httpx.AsyncClient, base_url: str, bot_token: str):
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bot {bot_token}", "User-Agent": USER_AGENT}
        # route → monotonic time before which it must not be called (its bucket is empty)
        self._paused_until: dict[str, float] = {}

    async def _call(self, route: str, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        for _ in range(MAX_TRIES):
            pause = self._paused_until.get(route, 0.0) - time.monotonic()
            if pause > MAX_INLINE_WAIT_SECONDS:
                raise DiscordRateLimited(pause)
            if pause > 0:
                await asyncio.sleep(pause)
            response = await self._client.request(
                method, self._base_url + path, json=body, headers=self._headers
            )
            if response.status_code == 429:
                try:
                    detail = response.json()
                except ValueError:
                    detail = None
                wait = retry_after_seconds(response.headers, detail if isinstance(detail, dict) else None)
                self._paused_until[route] = time.monotonic() + wait
                continue
            pause_after = bucket_pause_seconds(response.headers)
            if pause_after:
                self._paused_until[route] = time.monotonic() + pause_after
            if response.status_code >= 400:
                raise DiscordApiError(response.status_code, response.text)
            return response.json()
        raise DiscordRateLimited(max(self._paused_until.get(route, 0.0) - time.monotonic(), 1.0))

    async def open_dm(self, user_id: str) -> str:
        """The DM channel with `user_id` (Discord returns the existing one if there is one)."""
        channel = await self._call("dm", "POST", "/users/@me/channels", {"recipient_id": user_id})
        return str(channel["id"])

    async def post_message(self, channel_id: str, payload: dict[str, Any]) -> str:
        message = await self._call(
            f"messages:{channel_id}", "POST", f"/channels/{channel_id}/messages", payload
        )
        return str(message["id"])
