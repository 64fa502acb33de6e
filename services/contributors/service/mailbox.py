"""The support mailbox's two wires: IMAP to read what came in (aioimaplib) and SMTP to send replies
(the standard library's smtplib, in a worker thread)."""

from __future__ import annotations

import asyncio
import re
import smtplib
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage

import aioimaplib

from services.contributors.settings import ContributorsSettings

_FETCHED_UID = re.compile(rb"UID (\d+)")


class MailboxError(RuntimeError):
    """The IMAP server refused a command or went away."""


def _checked(response: aioimaplib.Response, what: str) -> aioimaplib.Response:
    if response.result != "OK":
        raise MailboxError(f"IMAP {what} failed: {response.result} {response.lines[-1:]!r}")
    return response


class Mailbox:
    """A logged-in IMAP session on the support folder."""

    def __init__(self, client: aioimaplib.IMAP4):
        self._client = client

    async def unseen_uids(self) -> list[int]:
        """UIDs of the messages not yet marked \\Seen, oldest first."""
        response = _checked(await self._client.uid_search("UNSEEN"), "SEARCH")
        uids = [int(u) for line in response.lines[:1] for u in bytes(line).split() if u.isdigit()]
        return sorted(uids)

    async def fetch(self, uid: int) -> bytes | None:
        """The raw message, without setting \\Seen (that waits until it is taken)."""
        response = _checked(await self._client.uid("fetch", str(uid), "(BODY.PEEK[])"), "FETCH")
        # lines: b'<n> FETCH (UID <uid> BODY[] {<size>}', bytearray(<message>), b')', b'Fetch completed'
        for header, literal in zip(response.lines, response.lines[1:], strict=False):
            if isinstance(literal, bytearray) and _FETCHED_UID.search(bytes(header)):
                return bytes(literal)
        return None

    async def mark_seen(self, uid: int) -> None:
        _checked(await self._client.uid("store", str(uid), "+FLAGS.SILENT", "(\\Seen)"), "STORE")


@asynccontextmanager
async def open_mailbox(settings: ContributorsSettings) -> AsyncIterator[Mailbox]:
    """Connect, log in and select the support folder; log out at the end."""
    assert settings.email_imap_host and settings.email_imap_username and settings.email_imap_password
    if settings.email_imap_tls == "tls":
        client: aioimaplib.IMAP4 = aioimaplib.IMAP4_SSL(
            host=settings.email_imap_host,
            port=settings.email_imap_port,
            ssl_context=ssl.create_default_context(),
        )
    else:
        client = aioimaplib.IMAP4(host=settings.email_imap_host, port=settings.email_imap_port)
    try:
        await client.wait_hello_from_server()
        _checked(
            await client.login(settings.email_imap_username, settings.email_imap_password.get_secret_value()),
            "LOGIN",
        )
        _checked(await client.select(settings.email_imap_folder), "SELECT")
        yield Mailbox(client)
    finally:
        try:
            if client.get_state() in ("AUTH", "SELECTED"):
                await client.logout()
        except (TimeoutError, aioimaplib.AioImapException, OSError):
            pass  # the server went away first; there is nothing to close


def _send_blocking(settings: ContributorsSettings, message: EmailMessage) -> None:
    host, port, timeout = settings.email_smtp_host, settings.email_smtp_port, settings.http_timeout_seconds
    assert host
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.email_smtp_tls == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if settings.email_smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.email_smtp_username and settings.email_smtp_password:
            smtp.login(settings.email_smtp_username, settings.email_smtp_password.get_secret_value())
        smtp.send_message(message)


async def send_mail(settings: ContributorsSettings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server (smtplib blocks, so it runs in a worker thread)."""
    await asyncio.to_thread(_send_blocking, settings, message)
