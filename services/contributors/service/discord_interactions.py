"""Discord in: signed interactions (PING, the `/ticket` slash command, the "Create ticket" message
command) open tickets linked to the Discord user, and are answered with an ephemeral message naming the
ticket. A redelivered interaction (same id) is answered again without a second ticket."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import TicketThread
from services.contributors.repository import channels as channel_repository
from services.contributors.rules.discord import (
    InteractionType,
    InvalidInteraction,
    TicketRequest,
    ephemeral_reply,
    pong,
    ticket_request,
    verify_interaction_signature,
)
from services.contributors.rules.tickets import TicketCategory, TicketChannel
from services.contributors.schemas.tickets import TicketCreate
from services.contributors.service import requester_profiles as profile_service
from services.contributors.service import tickets as ticket_service
from services.contributors.settings import ContributorsSettings
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import BadRequest, NotFound, Unauthorized

CHANNEL = TicketChannel.DISCORD.value
# The bot logs a query on the requester's behalf the way support staff log one taken by phone.
DISCORD_DESK = Principal(subject="channel:discord", roles=frozenset({"support"}))


def _opened_reply(ticket_id: int, subject: str) -> dict[str, Any]:
    return ephemeral_reply(
        f"Ticket #{ticket_id} is open: {subject}\nSupport will answer you in a direct message from this bot."
    )


def authenticated_interaction(
    *, settings: ContributorsSettings, headers: Mapping[str, str], body: bytes
) -> dict[str, Any]:
    """The interaction, once its signature proves Discord sent it (401 otherwise, as Discord requires)."""
    if settings.discord_public_key is None:
        raise NotFound("the Discord channel is not configured")
    try:
        verify_interaction_signature(
            public_key_hex=settings.discord_public_key,
            signature_hex=headers.get("x-signature-ed25519"),
            timestamp=headers.get("x-signature-timestamp"),
            body=body,
            now=time.time(),
            tolerance_seconds=settings.discord_timestamp_tolerance_seconds,
        )
    except InvalidInteraction as exc:
        raise Unauthorized(str(exc)) from exc
    try:
        interaction = json.loads(body)
    except ValueError as exc:
        raise BadRequest("the interaction is not JSON") from exc
    if not isinstance(interaction, dict):
        raise BadRequest("the interaction is not a JSON object")
    return interaction


async def _open_discord_ticket(
    *, session: AsyncSession, request: TicketRequest, settings: ContributorsSettings
) -> int:
    profile = await profile_service.profile_for_discord_user(session=session, user=request.user)
    ticket = await ticket_service.open_ticket(
        session=session,
        principal=DISCORD_DESK,
        data=TicketCreate(
            contributor_id=profile.contributor_id,
            requester_name=request.user.username,
            requester_contact=f"discord:{request.user.id}",
            channel=TicketChannel.DISCORD,
            category=TicketCategory.OTHER,
            subject=request.subject,
            body=request.body,
        ),
        settings=settings,
    )
    now = utcnow()
    await channel_repository.add(
        session,
        TicketThread(
            ticket_id=ticket.id, channel=CHANNEL, requester_profile_id=profile.id, address=request.user.id,
            created_at=now,
        ),
    )  # fmt: skip
    await channel_repository.record_message(
        session, channel=CHANNEL, direction="in", external_id=f"interaction:{request.interaction_id}",
        ticket_id=ticket.id, ticket_message_id=None, at=now,
    )  # fmt: skip
    return ticket.id


async def answer_interaction(
    *, session: AsyncSession, interaction: Mapping[str, Any], settings: ContributorsSettings
) -> dict[str, Any]:
    """PING → PONG; a ticket command → the ticket, answered ephemerally; anything else → 400."""
    if interaction.get("type") == InteractionType.PING:
        return pong()
    try:
        request = ticket_request(interaction)
    except InvalidInteraction as exc:
        raise BadRequest(str(exc)) from exc
    existing = await channel_repository.ticket_of_external(
        session, channel=CHANNEL, external_ids=[f"interaction:{request.interaction_id}"]
    )
    if existing is not None:
        return _opened_reply(existing, request.subject)
    ticket_id = await _open_discord_ticket(session=session, request=request, settings=settings)
    return _opened_reply(ticket_id, request.subject)
