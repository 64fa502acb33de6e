"""API models of Discord's interactions endpoint: what Discord is answered (its documented shapes)."""

from typing import Any

from pydantic import BaseModel


class InteractionMessage(BaseModel):
    content: str
    flags: int
    allowed_mentions: dict[str, Any]


class InteractionResponse(BaseModel):
    """PONG (`type` 1) to a PING, or a message only the caller sees (`type` 4, `flags` 64)."""

    type: int
    data: InteractionMessage | None = None
