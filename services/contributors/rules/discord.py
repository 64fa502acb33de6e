"""Discord's side of the support inbox: interaction signatures, the commands that open tickets, the
answers Discord expects, and its REST rate-limit headers. Pure: no I/O.

References: discord.com/developers/docs/interactions/receiving-and-responding (security and
authorization, interaction and response objects) and discord.com/developers/docs/topics/rate-limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class InteractionType(IntEnum):
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    APPLICATION_COMMAND_AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CommandType(IntEnum):
    CHAT_INPUT = 1
    USER = 2
    MESSAGE = 3


class ResponseType(IntEnum):
    PONG = 1
    CHANNEL_MESSAGE_WITH_SOURCE = 4


EPHEMERAL = 1 << 6
# The command names registered for the application (README: setting up the Discord application).
TICKET_COMMAND = "ticket"
CREATE_TICKET_COMMAND = "Create ticket"
MESSAGE_LENGTH = 2000  # Discord's limit on a message's content
SUBJECT_LENGTH = 300
BODY_LENGTH = 10_000


class InvalidInteraction(ValueError):
    """A request Discord did not sign, signed too long ago, or that is not an interaction we handle."""


def verify_interaction_signature(
    *, public_key_hex: str, signature_hex: str | None, timestamp: str | None, body: bytes, now: float,
    tolerance_seconds: float,
) -> None:  # fmt: skip
    """Discord signs `timestamp + body` with the application's Ed25519 key; a stale timestamp is refused
    too, so a captured request cannot be replayed later."""
    if not signature_hex or not timestamp:
        raise InvalidInteraction("missing X-Signature-Ed25519 or X-Signature-Timestamp")
    try:
        sent_at = float(timestamp)
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), timestamp.encode() + body)
    except (ValueError, InvalidSignature) as exc:
        raise InvalidInteraction("invalid request signature") from exc
    if abs(now - sent_at) > tolerance_seconds:
        raise InvalidInteraction("stale request timestamp")


@dataclass(frozen=True, slots=True)
class DiscordUser:
    id: str
    username: str
    display_name: str | None


@dataclass(frozen=True, slots=True)
class TicketRequest:
    """A command asking for a ticket: who asked, and what the ticket says."""

    interaction_id: str
    user: DiscordUser
    subject: str
    body: str
    # The Discord message a "Create ticket" command was used on.
    source_message_id: str | None = None


def _invoker(interaction: Mapping[str, Any]) -> DiscordUser:
    # In a server the caller is `member.user`; in a DM it is `user`.
    return _user((interaction.get("member") or {}).get("user") or interaction.get("user") or {})


def _user(raw: Mapping[str, Any]) -> DiscordUser:
    user_id, username = raw.get("id"), raw.get("username")
    if not isinstance(user_id, str) or not user_id.isdigit() or not isinstance(username, str):
        raise InvalidInteraction("the interaction names no user")
    return DiscordUser(id=user_id, username=username[:100], display_name=raw.get("global_name"))


def _option(data: Mapping[str, Any], name: str) -> str | None:
    for option in data.get("options") or []:
        if option.get("name") == name and isinstance(option.get("value"), str):
            return option["value"].strip() or None
    return None


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    return line if len(line) <= 80 else line[:79] + "…"


def ticket_request(interaction: Mapping[str, Any]) -> TicketRequest:
    """The ticket an APPLICATION_COMMAND asks for: `/ticket subject:<…> details:<…>` (CHAT_INPUT), for its
    caller, or the "Create ticket" message command on a message, whose content becomes the ticket's body
    and whose author (unless a bot) the requester."""
    if interaction.get("type") != InteractionType.APPLICATION_COMMAND:
        raise InvalidInteraction(f"interaction type {interaction.get('type')!r} is not handled")
    interaction_id = interaction.get("id")
    if not isinstance(interaction_id, str) or not interaction_id:
        raise InvalidInteraction("the interaction has no id")
    data = interaction.get("data") or {}
    user = _invoker(interaction)
    kind, name = data.get("type"), data.get("name")
    if kind == CommandType.CHAT_INPUT and name == TICKET_COMMAND:
        subject = _option(data, "subject")
        if subject is None:
            raise InvalidInteraction("/ticket needs a subject")
        body = _option(data, "details") or subject
        return TicketRequest(interaction_id, user, subject[:SUBJECT_LENGTH], body[:BODY_LENGTH])
    if kind == CommandType.MESSAGE and name == CREATE_TICKET_COMMAND:
        target = data.get("target_id")
        message = ((data.get("resolved") or {}).get("messages") or {}).get(target) or {}
        content = (message.get("content") or "").strip()
        if not content:
            raise InvalidInteraction("the message has no text to open a ticket with")
        # A moderator may turn someone's question into a ticket: the requester is whoever wrote it.
        author = message.get("author")
        requester = _user(author) if isinstance(author, Mapping) and not author.get("bot") else user
        return TicketRequest(
            interaction_id, requester, _first_line(content)[:SUBJECT_LENGTH], content[:BODY_LENGTH], target
        )
    raise InvalidInteraction(f"command {name!r} is not handled")


def pong() -> dict[str, Any]:
    return {"type": ResponseType.PONG}


def ephemeral_reply(content: str) -> dict[str, Any]:
    """An answer only the caller sees."""
    return {
        "type": ResponseType.CHANNEL_MESSAGE_WITH_SOURCE,
        "data": {"content": content[:MESSAGE_LENGTH], "flags": EPHEMERAL, "allowed_mentions": {"parse": []}},
    }


def direct_message(ticket_id: int, text: str) -> dict[str, Any]:
    """A message to a requester's DM channel; mentions in staff text never ping anyone."""
    prefix = f"**Ticket #{ticket_id}**\n"
    return {"content": prefix + text[: MESSAGE_LENGTH - len(prefix)], "allowed_mentions": {"parse": []}}


def retry_after_seconds(headers: Mapping[str, str], body: Mapping[str, Any] | None) -> float:
    """How long a 429 asks us to wait: the body's `retry_after` (seconds, fractional), else Retry-After."""
    for value in ((body or {}).get("retry_after"), headers.get("retry-after")):
        try:
            if value is not None:
                return max(float(value), 0.0)
        except (TypeError, ValueError):
            continue
    return 1.0


def bucket_pause_seconds(headers: Mapping[str, str]) -> float:
    """After a success: 0 while the bucket has requests left, else how long until it resets."""
    if headers.get("x-ratelimit-remaining") != "0":
        return 0.0
    try:
        return max(float(headers.get("x-ratelimit-reset-after", "0")), 0.0)
    except ValueError:
        return 0.0
