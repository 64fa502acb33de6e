"""The support mailbox's rules: what an inbound message says (sender, thread, ticket reference, text) and
how an outgoing reply is threaded (RFC 5322 Message-ID / In-Reply-To / References). Pure: no I/O."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

# A ticket named in a subject: "Re: [#123] Missing payout".
TICKET_REFERENCE = re.compile(r"\[#(\d{1,12})\]")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# RFC 5322 allows any length; the column holds this much, and longer ids are kept as a digest.
MAX_MESSAGE_ID_LENGTH = 250
# How many ancestors a reply's References carries: the root and the most recent ones (RFC 5322 §3.6.4
# lets a writer trim the middle).
MAX_REFERENCES = 10
SUBJECT_LENGTH = 300
BODY_LENGTH = 10_000
# A reply quoting the thread starts its quote with a line like "On Mon, 7 Dec 2026, Ada wrote:".
_QUOTE_HEADER = re.compile(r"^\s*On .{0,300} wrote:\s*$")
_TAG = re.compile(r"<[^>]+>")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv)\s*:\s*)+", re.IGNORECASE)


class UnreadableMail(ValueError):
    """A message that cannot become a ticket (no sender address)."""


@dataclass(frozen=True, slots=True)
class InboundMail:
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    sender_address: str
    sender_name: str | None
    subject: str
    body: str
    # RFC 3834 Auto-Submitted (vacation replies, bounces): never opens a ticket, so two robots cannot loop.
    automatic: bool

    def thread_ids(self) -> tuple[str, ...]:
        """The messages this one answers, nearest first: In-Reply-To, then References from the end."""
        ids = ([self.in_reply_to] if self.in_reply_to else []) + list(reversed(self.references))
        return tuple(dict.fromkeys(ids))


def normalise_message_id(value: str) -> str:
    """`<id@host>` as the column keeps it: an over-long id becomes a stable digest of itself."""
    value = value.strip()
    if len(value) <= MAX_MESSAGE_ID_LENGTH:
        return value
    return "<sha256." + hashlib.sha256(value.encode()).hexdigest() + "@digest.invalid>"


def _message_ids(header: str | None) -> list[str]:
    return [normalise_message_id(m) for m in MESSAGE_ID.findall(header or "")]


def _text_of(message: email.message.Message) -> str:
    part = message.get_body(preferencelist=("plain", "html")) if isinstance(message, EmailMessage) else None
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
    if part.get_content_subtype() == "html":
        text = _TAG.sub(" ", text)
    return text if isinstance(text, str) else ""


def without_quoted_reply(text: str) -> str:
    """The new part of a reply: everything before its quote of the thread ("On … wrote:" and "> " lines)."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _QUOTE_HEADER.match(line) or line.startswith(">"):
            break
        kept.append(line)
    new = "\n".join(kept).strip()
    return new or text.strip()


def parse_inbound_mail(raw: bytes) -> InboundMail:
    """What a raw RFC 5322 message says; a message without Message-ID gets one derived from its bytes, so
    reading it twice still names it once."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    senders = [(name, address) for name, address in getaddresses([str(message.get("From", ""))]) if address]
    if not senders or "@" not in senders[0][1]:
        raise UnreadableMail("the message has no sender address")
    name, address = senders[0]
    ids = _message_ids(str(message.get("Message-ID", "")))
    message_id = ids[0] if ids else f"<sha256.{hashlib.sha256(raw).hexdigest()}@labelops.invalid>"
    in_reply_to = _message_ids(str(message.get("In-Reply-To", "")))
    subject = " ".join(str(message.get("Subject", "")).split())[:SUBJECT_LENGTH]
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    return InboundMail(
        message_id=message_id,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(_message_ids(str(message.get("References", "")))),
        sender_address=address.strip().lower(),
        sender_name=name.strip() or None,
        subject=subject or "(no subject)",
        body=(without_quoted_reply(_text_of(message)) or "(empty message)")[:BODY_LENGTH],
        automatic=auto not in ("", "no"),
    )


def ticket_reference(subject: str) -> int | None:
    """The ticket a subject names with `[#123]` (the last one, as replies prepend their own prefixes)."""
    found = TICKET_REFERENCE.findall(subject)
    return int(found[-1]) if found else None


def ticket_subject(subject: str) -> str:
    """A new ticket's subject from a mail's: without Re:/Fwd: prefixes."""
    return _REPLY_PREFIX.sub("", subject).strip()[:SUBJECT_LENGTH] or "(no subject)"


def reply_subject(ticket_id: int, subject: str) -> str:
    """`Re: [#12] <subject>`: the reference lets a reply find its ticket even without threading headers."""
    bare = TICKET_REFERENCE.sub("", ticket_subject(subject)).strip()
    return f"Re: [#{ticket_id}] {bare}".strip()


def new_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


def references_for(thread: list[str]) -> list[str]:
    """A reply's References: the thread's ids oldest first, trimmed to the root and the latest ones."""
    if len(thread) <= MAX_REFERENCES:
        return thread
    return [thread[0], *thread[-(MAX_REFERENCES - 1) :]]


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    sender: str
    recipient: str
    subject: str
    body: str
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    # A status notice is written by no one: marked so auto-responders stay quiet (RFC 3834 §5).
    automatic: bool = False


def render_outgoing_mail(mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    if mail.in_reply_to:
        message["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        message["References"] = " ".join(mail.references)
    if mail.automatic:
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message
