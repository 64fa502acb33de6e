"""The support inbox's channels through the gateway: a real IMAP mailbox (Dovecot) and SMTP server
(aiosmtpd) for email, signed Discord interactions in and a loopback stand-in for Discord's REST API out.

One platform of its own for the module: its contributors service reads the test's mailbox, sends to the
test's SMTP server and Discord stand-in, and trusts the test's Ed25519 key."""

from __future__ import annotations

import json
import time
import uuid
from email.message import EmailMessage
from email.utils import make_msgid

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.services.contributors.support import new_contributor
from tests.support.api import Users, unique_email
from tests.support.cluster import separate_cluster
from tests.support.discord_api import DiscordStandIn
from tests.support.mail_servers import dovecot, smtp_server
from tests.support.waiting import eventually

SUPPORT_ADDRESS = "support@labelops.test"
BOT_TOKEN = "test-bot-token-" + uuid.uuid4().hex
INTERACTIONS = "/api/v1/discord/interactions"


@pytest.fixture(scope="module")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def mailbox():
    with dovecot() as server:
        yield server


@pytest.fixture(scope="module")
def outgoing_mail():
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def discord_api():
    stand_in = DiscordStandIn(bot_token=BOT_TOKEN)
    server = stand_in.start()
    yield stand_in
    server.shutdown()


@pytest.fixture(scope="module")
def platform(tmp_path_factory, mailbox, outgoing_mail, discord_api, signing_key):
    public_key = signing_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    env = {
        "LABELOPS_CONTRIBUTORS_EMAIL_IMAP_HOST": "127.0.0.1",
        "LABELOPS_CONTRIBUTORS_EMAIL_IMAP_PORT": str(mailbox.port),
        "LABELOPS_CONTRIBUTORS_EMAIL_IMAP_TLS": "none",
        "LABELOPS_CONTRIBUTORS_EMAIL_IMAP_USERNAME": mailbox.username,
        "LABELOPS_CONTRIBUTORS_EMAIL_IMAP_PASSWORD": mailbox.password,
        "LABELOPS_CONTRIBUTORS_EMAIL_POLL_SECONDS": "0.3",
        "LABELOPS_CONTRIBUTORS_EMAIL_SMTP_HOST": "127.0.0.1",
        "LABELOPS_CONTRIBUTORS_EMAIL_SMTP_PORT": str(outgoing_mail.port),
        "LABELOPS_CONTRIBUTORS_EMAIL_SMTP_TLS": "none",
        "LABELOPS_CONTRIBUTORS_EMAIL_FROM_ADDRESS": SUPPORT_ADDRESS,
        "LABELOPS_CONTRIBUTORS_DISCORD_PUBLIC_KEY": public_key,
        "LABELOPS_CONTRIBUTORS_DISCORD_BOT_TOKEN": BOT_TOKEN,
        "LABELOPS_CONTRIBUTORS_DISCORD_API_BASE_URL": discord_api.url,
        "LABELOPS_CONTRIBUTORS_CHANNEL_DELIVERY_POLL_SECONDS": "0.2",
    }
    with separate_cluster(tmp_path_factory.mktemp("support-channels"), **env) as running:
        yield running


@pytest.fixture(scope="module")
def staff(platform) -> httpx.Client:
    return Users(platform.gateway_url).create("support")


@pytest.fixture(scope="module")
def manager(platform) -> httpx.Client:
    return Users(platform.gateway_url).create("ops")


# --- helpers ---------------------------------------------------------------------------------------


def mail_from(sender: str, subject: str, body: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Ada Labeler <{sender}>"
    message["To"] = SUPPORT_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", None) or make_msgid(domain="example.org")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def tickets_from(staff: httpx.Client, contact: str) -> list[dict]:
    response = staff.get("/api/v1/tickets", params={"sort": "-id", "limit": 200})
    assert response.status_code == 200, response.text
    return [t for t in response.json()["items"] if t["requester_contact"] == contact]


def the_ticket_from(staff: httpx.Client, contact: str) -> dict:
    return eventually(lambda: (found := tickets_from(staff, contact)) and found[0], timeout=20)


def messages_of(staff: httpx.Client, ticket_id: int) -> list[dict]:
    response = staff.get(f"/api/v1/tickets/{ticket_id}/messages")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def mail_to(outgoing_mail, address: str, count: int = 1) -> list[EmailMessage]:
    return eventually(
        lambda: (sent := [m for m in outgoing_mail.received() if m["To"] == address]) and len(sent) >= count
        and sent,
        timeout=20,
    )  # fmt: skip


def reply(staff: httpx.Client, ticket_id: int, body: str, **extra) -> dict:
    response = staff.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": body, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def move(staff: httpx.Client, ticket_id: int, to: str) -> dict:
    response = staff.post(f"/api/v1/tickets/{ticket_id}/transitions", json={"to": to})
    assert response.status_code == 200, response.text
    return response.json()


def sign(key: Ed25519PrivateKey, body: bytes, timestamp: str | None = None) -> dict[str, str]:
    timestamp = timestamp or str(int(time.time()))
    return {
        "X-Signature-Ed25519": key.sign(timestamp.encode() + body).hex(),
        "X-Signature-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def interact(platform, key: Ed25519PrivateKey, interaction: dict, **sign_args) -> httpx.Response:
    """POST an interaction to the gateway as Discord does: no bearer token, a signature over the body."""
    body = json.dumps(interaction).encode()
    return httpx.post(
        platform.gateway_url + INTERACTIONS, content=body, headers=sign(key, body, **sign_args), timeout=30
    )


def discord_user() -> dict:
    return {
        "id": str(uuid.uuid4().int % 10**18),
        "username": f"ada_{uuid.uuid4().hex[:6]}",
        "global_name": "Ada",
    }


def slash_ticket(user: dict, subject: str, details: str | None = None) -> dict:
    options = [{"name": "subject", "type": 3, "value": subject}]
    if details:
        options.append({"name": "details", "type": 3, "value": details})
    return {
        "id": str(uuid.uuid4().int % 10**18),
        "application_id": "1",
        "type": 2,
        "token": "interaction-token",
        "version": 1,
        "guild_id": "42",
        "channel_id": "43",
        "member": {"user": user, "roles": []},
        "data": {"id": "7", "name": "ticket", "type": 1, "options": options},
    }


# --- email -----------------------------------------------------------------------------------------


def test_a_new_mail_from_a_contributor_becomes_an_email_ticket_linked_to_it(mailbox, staff):
    person = new_contributor(staff)

    mailbox.append(mail_from(person["email"], "Cannot log in", "My password reset link expired."))

    ticket = the_ticket_from(staff, person["email"])
    assert (ticket["channel"], ticket["status"], ticket["subject"]) == ("email", "open", "Cannot log in")
    assert ticket["contributor_id"] == person["id"]
    [message] = messages_of(staff, ticket["id"])
    assert message["body"] == "My password reset link expired." and message["author_kind"] == "contributor"


def test_an_unknown_sender_is_kept_as_the_requesters_contact_with_a_profile(mailbox, staff):
    sender = unique_email("stranger")

    mailbox.append(mail_from(sender, "Fwd: How do I join?", "Is there a project in Tagalog?"))

    ticket = the_ticket_from(staff, sender)
    assert ticket["contributor_id"] is None and ticket["requester_name"] == "Ada Labeler"
    assert ticket["subject"] == "How do I join?"
    profiles = staff.get("/api/v1/requester-profiles", params={"email": sender}).json()["items"]
    assert [p["email"] for p in profiles] == [sender]


def test_the_same_message_read_twice_makes_one_ticket(mailbox, staff):
    sender = unique_email("twice")
    message = mail_from(sender, "Duplicate", "Sent twice by a flaky relay.")

    mailbox.append(message)
    mailbox.append(message)

    the_ticket_from(staff, sender)
    eventually(lambda: mailbox.unseen_count() == 0, timeout=20)
    assert len(tickets_from(staff, sender)) == 1


def test_a_staff_reply_goes_out_by_smtp_threaded_under_the_requesters_mail(mailbox, staff, outgoing_mail):
    sender = unique_email("threaded")
    original = mail_from(sender, "Payout missing", "Where is my payout?")
    mailbox.append(original)
    ticket = the_ticket_from(staff, sender)

    reply(staff, ticket["id"], "It leaves on Friday.")
    reply(staff, ticket["id"], "Internal: check the batch.", internal=True)

    [sent] = mail_to(outgoing_mail, sender)
    assert sent["Subject"] == f"Re: [#{ticket['id']}] Payout missing"
    assert sent["From"] == f"LabelOps support <{SUPPORT_ADDRESS}>"
    assert sent["In-Reply-To"] == original["Message-ID"]
    assert original["Message-ID"] in sent["References"]
    assert sent["Message-ID"] and sent["Message-ID"] != original["Message-ID"]
    assert sent.get_content().strip() == "It leaves on Friday."
    time.sleep(1.0)  # a pass or two of the relay: the internal note must not follow
    assert len([m for m in outgoing_mail.received() if m["To"] == sender]) == 1


def test_a_reply_to_our_mail_is_a_message_on_the_same_ticket_and_resumes_it(mailbox, staff, outgoing_mail):
    sender = unique_email("answering")
    mailbox.append(mail_from(sender, "Tool crashes", "The tool crashes on load."))
    ticket = the_ticket_from(staff, sender)
    reply(staff, ticket["id"], "Which browser do you use?")
    move(staff, ticket["id"], "waiting")
    [ours] = mail_to(outgoing_mail, sender)

    mailbox.append(
        mail_from(
            sender, ours["Subject"], "Firefox 140.\n\nOn Mon, 7 Dec 2026, support wrote:\n> Which browser?",
            In_Reply_To=ours["Message-ID"], References=f"{ours['References']} {ours['Message-ID']}",
        )
    )  # fmt: skip

    eventually(lambda: len(messages_of(staff, ticket["id"])) == 3, timeout=20)
    assert messages_of(staff, ticket["id"])[-1]["body"] == "Firefox 140."
    assert len(tickets_from(staff, sender)) == 1
    assert staff.get(f"/api/v1/tickets/{ticket['id']}").json()["status"] == "in_progress"


def test_a_ticket_reference_in_the_subject_threads_only_mail_from_the_requester(mailbox, staff):
    sender, other = unique_email("ref"), unique_email("intruder")
    mailbox.append(mail_from(sender, "Badge missing", "My badge is missing."))
    ticket = the_ticket_from(staff, sender)

    mailbox.append(mail_from(sender, f"[#{ticket['id']}] more", "It is the gold badge."))
    mailbox.append(mail_from(other, f"[#{ticket['id']}] hijack", "Let me in."))

    eventually(lambda: len(messages_of(staff, ticket["id"])) == 2, timeout=20)
    assert len(the_ticket_from(staff, other)) and tickets_from(staff, other)[0]["id"] != ticket["id"]
    assert [m["body"] for m in messages_of(staff, ticket["id"])] == [
        "My badge is missing.",
        "It is the gold badge.",
    ]


def test_a_reply_on_a_merged_tickets_thread_lands_on_the_ticket_it_was_merged_into(mailbox, staff):
    sender = unique_email("merged")
    first = mail_from(sender, "Payout late", "Where is it?")
    mailbox.append(first)
    merged = the_ticket_from(staff, sender)
    mailbox.append(mail_from(sender, "Payout still late", "Any news?"))
    kept = eventually(
        lambda: (found := tickets_from(staff, sender)) and len(found) == 2 and found[0], timeout=20
    )
    response = staff.post(f"/api/v1/tickets/{merged['id']}/merge", json={"into_ticket_id": kept["id"]})
    assert response.status_code == 200, response.text

    mailbox.append(mail_from(sender, "Re: Payout late", "Found it, thanks.", In_Reply_To=first["Message-ID"]))

    eventually(lambda: "Found it, thanks." in [m["body"] for m in messages_of(staff, kept["id"])], timeout=20)
    assert len(tickets_from(staff, sender)) == 2


def test_resolving_an_email_ticket_sends_a_status_notice(mailbox, staff, outgoing_mail):
    sender = unique_email("notice")
    original = mail_from(sender, "Reset my 2FA", "Lost my phone.")
    mailbox.append(original)
    ticket = the_ticket_from(staff, sender)

    move(staff, ticket["id"], "resolved")

    [notice] = mail_to(outgoing_mail, sender)
    assert notice["Auto-Submitted"] == "auto-generated"
    assert notice["In-Reply-To"] == original["Message-ID"]
    assert f"#{ticket['id']} has been resolved" in notice.get_content()


def test_a_persons_channel_data_is_exported_and_erased(mailbox, staff, outgoing_mail, platform):
    admin = Users(platform.gateway_url).admin
    person = new_contributor(staff)
    mailbox.append(mail_from(person["email"], "Delete my data", "Please erase me."))
    ticket = the_ticket_from(staff, person["email"])
    reply(staff, ticket["id"], "We will.")
    mail_to(outgoing_mail, person["email"])

    export = admin.get(f"/api/v1/contributors/{person['id']}/personal-data").json()["services"][
        "contributors"
    ]
    erased = admin.post(f"/api/v1/contributors/{person['id']}/erase")

    assert [p["email"] for p in export["requester_profiles"]] == [person["email"]]
    assert [t["address"] for t in export["ticket_threads"]] == [person["email"]]
    assert [d["body"] for d in export["ticket_channel_deliveries"]] == ["We will."]
    assert erased.status_code == 200, erased.text
    after = admin.get(f"/api/v1/contributors/{person['id']}/personal-data").json()["services"]["contributors"]
    assert [p["email"] for p in after["requester_profiles"]] == [None]
    assert after["ticket_threads"] == []
    assert [(d["address"], d["body"]) for d in after["ticket_channel_deliveries"]] == [
        ("[erased]", "[erased]")
    ]


# --- Discord ---------------------------------------------------------------------------------------


def test_a_signed_ping_is_answered_with_a_pong(platform, signing_key):
    response = interact(platform, signing_key, {"id": "1", "type": 1, "application_id": "1", "version": 1})

    assert response.status_code == 200, response.text
    assert response.json() == {"type": 1}


def test_an_interaction_signed_by_another_key_or_long_ago_is_refused(platform, signing_key):
    ping = {"id": "1", "type": 1, "application_id": "1", "version": 1}

    forged = interact(platform, Ed25519PrivateKey.generate(), ping)
    stale = interact(platform, signing_key, ping, timestamp=str(int(time.time()) - 3600))
    unsigned = httpx.post(platform.gateway_url + INTERACTIONS, json=ping)

    assert (forged.status_code, stale.status_code, unsigned.status_code) == (401, 401, 401)


def test_the_ticket_command_opens_a_ticket_answered_ephemerally(platform, signing_key, staff):
    user = discord_user()

    response = interact(platform, signing_key, slash_ticket(user, "Queue is empty", "No tasks since 9:00."))

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["type"] == 4 and answer["data"]["flags"] == 64
    ticket = the_ticket_from(staff, f"discord:{user['id']}")
    assert f"#{ticket['id']}" in answer["data"]["content"]
    assert (ticket["channel"], ticket["subject"], ticket["requester_name"]) == (
        "discord", "Queue is empty", user["username"],
    )  # fmt: skip
    assert messages_of(staff, ticket["id"])[0]["body"] == "No tasks since 9:00."


def test_a_redelivered_interaction_names_the_same_ticket(platform, signing_key, staff):
    interaction = slash_ticket(discord_user(), "Twice")

    first = interact(platform, signing_key, interaction).json()
    second = interact(platform, signing_key, interaction).json()

    assert first == second
    assert len(tickets_from(staff, f"discord:{interaction['member']['user']['id']}")) == 1


def test_a_discord_user_linked_by_a_requester_profile_opens_tickets_as_the_contributor(
    platform, signing_key, staff
):
    person, user = new_contributor(staff), discord_user()
    linked = staff.post(
        "/api/v1/requester-profiles",
        json={
            "contributor_id": person["id"],
            "discord_user_id": user["id"],
            "discord_username": user["username"],
        },
    )
    assert linked.status_code == 201, linked.text

    interact(platform, signing_key, slash_ticket(user, "Payment question"))

    assert the_ticket_from(staff, f"discord:{user['id']}")["contributor_id"] == person["id"]


def test_the_create_ticket_message_command_opens_a_ticket_for_the_messages_author(
    platform, signing_key, staff
):
    user, moderator = discord_user(), discord_user()
    interaction = {
        **slash_ticket(moderator, "unused"),
        "data": {
            "id": "8", "name": "Create ticket", "type": 3, "target_id": "555",
            "resolved": {"messages": {"555": {"id": "555", "content": "The export button is greyed out\nsince today",
                                              "author": user}}},
        },
    }  # fmt: skip

    response = interact(platform, signing_key, interaction)

    assert response.status_code == 200 and response.json()["data"]["flags"] == 64
    ticket = the_ticket_from(staff, f"discord:{user['id']}")
    assert ticket["subject"] == "The export button is greyed out"
    assert messages_of(staff, ticket["id"])[0]["body"] == "The export button is greyed out\nsince today"
    assert ticket["requester_name"] == user["username"] and not tickets_from(
        staff, f"discord:{moderator['id']}"
    )


def test_a_staff_reply_reaches_the_discord_user_by_dm_after_a_rate_limit(
    platform, signing_key, staff, discord_api
):
    user = discord_user()
    interact(platform, signing_key, slash_ticket(user, "Where is my badge?"))
    ticket = the_ticket_from(staff, f"discord:{user['id']}")
    with discord_api.lock:
        discord_api.rate_limited_posts = 1

    reply(staff, ticket["id"], "It is on its way, @everyone.")

    channel_id = eventually(lambda: discord_api.dm_channels.get(user["id"]), timeout=20)
    [sent] = eventually(lambda: [m for m in discord_api.sent() if m["channel_id"] == channel_id], timeout=20)
    assert sent["content"] == f"**Ticket #{ticket['id']}**\nIt is on its way, @everyone."
    assert sent["payload"]["allowed_mentions"] == {"parse": []}
    posts = [r for r in discord_api.requests if r["path"] == f"/api/v10/channels/{channel_id}/messages"]
    assert len(posts) == 2  # one 429, then the retry after retry_after
    assert all(r["headers"]["authorization"] == f"Bot {BOT_TOKEN}" for r in posts)
    opened = [r for r in discord_api.requests if r["path"] == "/api/v10/users/@me/channels"]
    assert json.loads(opened[-1]["body"]) == {"recipient_id": user["id"]}


# --- requester profiles --------------------------------------------------------------------------


def test_requester_profiles_are_kept_by_staff_with_unique_handles(staff, manager):
    email = unique_email("profile")
    created = staff.post("/api/v1/requester-profiles", json={"email": email.upper(), "telegram": "@ada"})
    assert created.status_code == 201, created.text
    profile = created.json()

    clash = manager.post("/api/v1/requester-profiles", json={"email": email})
    unconditional = manager.patch(
        f"/api/v1/requester-profiles/{profile['id']}", json={"phone": "+63 912 345"}
    )
    updated = manager.patch(
        f"/api/v1/requester-profiles/{profile['id']}",
        json={"phone": "+63 912 345"},
        headers={"If-Match": created.headers["ETag"]},
    )

    assert profile["email"] == email
    assert manager.post("/api/v1/requester-profiles", json={"display_name": "No handle"}).status_code == 422
    assert clash.status_code == 409
    assert unconditional.status_code == 428
    assert updated.status_code == 200 and updated.json()["phone"] == "+63 912 345"


def test_requester_profiles_are_not_for_contributors(platform, staff):
    person = new_contributor(staff)
    contributor = Users(platform.gateway_url).create("contributor", contributor_id=person["id"])

    assert contributor.get("/api/v1/requester-profiles").status_code == 403
