"""Discord's side of the support inbox: signatures, the ticket commands, answers and rate-limit headers."""

import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from services.contributors.rules.discord import (
    EPHEMERAL,
    InvalidInteraction,
    bucket_pause_seconds,
    direct_message,
    ephemeral_reply,
    retry_after_seconds,
    ticket_request,
    verify_interaction_signature,
)

KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
USER = {"id": "80351110224678912", "username": "ada", "global_name": "Ada"}


def verify(body: bytes, timestamp: str, signature: str | None = None, now: float | None = None) -> None:
    verify_interaction_signature(
        public_key_hex=PUBLIC,
        signature_hex=signature if signature is not None else KEY.sign(timestamp.encode() + body).hex(),
        timestamp=timestamp,
        body=body,
        now=now if now is not None else float(timestamp),
        tolerance_seconds=300,
    )


def test_a_signature_over_timestamp_and_body_is_accepted():
    verify(b'{"type":1}', str(int(time.time())))


@pytest.mark.parametrize(
    "case",
    ["other body", "bad hex", "missing", "stale"],
)
def test_forged_missing_or_stale_signatures_are_refused(case):
    timestamp = "1700000000"
    signature = KEY.sign(timestamp.encode() + b"a").hex()
    with pytest.raises(InvalidInteraction):
        if case == "other body":
            verify(b"b", timestamp, signature)
        elif case == "bad hex":
            verify(b"a", timestamp, "zz")
        elif case == "missing":
            verify(b"a", timestamp, "")
        else:
            verify(b"a", timestamp, signature, now=1700000000 + 301)


def command(data: dict, **extra) -> dict:
    return {"id": "99", "type": 2, "data": data, "member": {"user": USER}, **extra}


def test_the_slash_command_asks_for_a_ticket_with_subject_and_details():
    request = ticket_request(
        command({"type": 1, "name": "ticket", "options": [
            {"name": "subject", "type": 3, "value": " Queue empty "},
            {"name": "details", "type": 3, "value": "Since 9:00"},
        ]})
    )  # fmt: skip

    assert (request.subject, request.body, request.user.id, request.user.username) == (
        "Queue empty", "Since 9:00", USER["id"], "ada",
    )  # fmt: skip


def message_command(author: dict | None) -> dict:
    message = {"id": "7", "content": "Export fails\nwith a 500", **({"author": author} if author else {})}
    moderator = {"id": "11", "username": "mod"}
    return {"id": "5", "type": 2, "member": {"user": moderator}, "data": {
        "type": 3, "name": "Create ticket", "target_id": "7", "resolved": {"messages": {"7": message}},
    }}  # fmt: skip


def test_the_message_command_takes_the_messages_text_and_its_author_as_requester():
    request = ticket_request(message_command(USER))

    assert (request.subject, request.body, request.source_message_id) == (
        "Export fails", "Export fails\nwith a 500", "7",
    )  # fmt: skip
    assert request.user.id == USER["id"]


def test_a_message_command_on_a_bots_message_is_the_callers_ticket():
    assert ticket_request(message_command({"id": "12", "username": "bot", "bot": True})).user.id == "11"
    assert ticket_request(message_command(None)).user.id == "11"


@pytest.mark.parametrize(
    "interaction",
    [
        {"id": "1", "type": 3, "data": {}, "member": {"user": USER}},  # a button press
        command({"type": 1, "name": "other"}),
        command({"type": 1, "name": "ticket", "options": []}),  # no subject
        {"id": "1", "type": 2, "data": {"type": 1, "name": "ticket"}},  # no user
    ],
)
def test_other_interactions_ask_for_no_ticket(interaction):
    with pytest.raises(InvalidInteraction):
        ticket_request(interaction)


def test_answers_are_ephemeral_and_never_mention_anyone():
    answer = ephemeral_reply("x" * 3000)

    assert answer["type"] == 4 and answer["data"]["flags"] == EPHEMERAL == 64
    assert len(answer["data"]["content"]) == 2000
    assert direct_message(3, "hi @everyone")["allowed_mentions"] == {"parse": []}


def test_a_429_waits_for_the_bodys_retry_after_else_the_header():
    assert retry_after_seconds({"retry-after": "2"}, {"retry_after": 0.25}) == 0.25
    assert retry_after_seconds({"retry-after": "2"}, None) == 2.0


def test_an_emptied_bucket_pauses_until_it_resets():
    assert bucket_pause_seconds({"x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "1.5"}) == 1.5
    assert bucket_pause_seconds({"x-ratelimit-remaining": "3", "x-ratelimit-reset-after": "1.5"}) == 0.0
