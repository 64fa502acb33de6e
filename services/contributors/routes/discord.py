"""HTTP for /api/v1/discord/interactions: Discord's signed interactions (the application's Interactions
Endpoint URL points here through the gateway, which forwards it unauthenticated: the signature is the
proof)."""

from fastapi import APIRouter, Request

from services.contributors.deps import SettingsDep
from services.contributors.schemas.discord import InteractionResponse
from services.contributors.service import discord_interactions as service
from shared.db import SessionDep
from shared.errors import PayloadTooLarge

router = APIRouter(prefix="/api/v1/discord", tags=["discord"])

# Discord's interaction payloads are a few KiB; anything far larger is not Discord.
MAX_BODY_BYTES = 256 * 1024


@router.post("/interactions", response_model=InteractionResponse, response_model_exclude_none=True)
async def receive_discord_interaction(request: Request, session: SessionDep, settings: SettingsDep):
    """PING answers PONG; `/ticket` and the "Create ticket" message command open a ticket and answer with an
    ephemeral message naming it. Requests without a valid Ed25519 signature are refused with 401."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"interaction bodies are limited to {MAX_BODY_BYTES} bytes")
    interaction = service.authenticated_interaction(
        settings=settings, headers=request.headers, body=bytes(body)
    )
    return await service.answer_interaction(session=session, interaction=interaction, settings=settings)


receive_discord_interaction.public_route = True  # type: ignore[attr-defined]
