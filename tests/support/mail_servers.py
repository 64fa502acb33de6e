"""Real mail servers on loopback for the support mailbox's tests: Debian's Dovecot (IMAP) started as a plain
process with a throwaway configuration, and an aiosmtpd SMTP server keeping what it is sent."""

from __future__ import annotations

import email
import email.policy
import grp
import imaplib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.support.cluster import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
# Unprivileged when the tests run as root (CI): Dovecot then runs every process as this one user.
UNPRIVILEGED_UID = 65534

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
ssl = no
# Loopback only, in a test: plaintext LOGIN is what the service's `email_imap_tls=none` speaks.
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
"""


@dataclass
class ImapServer:
    port: int
    username: str
    password: str
    root: Path

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        imap.login(self.username, self.password)
        imap.select("INBOX")
        return imap

    def append(self, message: EmailMessage | bytes) -> None:
        """Put a message into the inbox as a mail server delivering it would (IMAP APPEND)."""
        raw = message if isinstance(message, bytes) else message.as_bytes(policy=email.policy.SMTP)
        imap = self.client()
        try:
            status, _ = imap.append("INBOX", None, None, raw)
            assert status == "OK"
        finally:
            imap.logout()

    def unseen_count(self) -> int:
        imap = self.client()
        try:
            status, data = imap.search(None, "UNSEEN")
            assert status == "OK"
            return len(data[0].split())
        finally:
            imap.logout()


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = [p.read_text() for p in (log, log.with_suffix(".out")) if p.exists()]
            raise RuntimeError(f"dovecot exited: {output}")
        try:
            imaplib.IMAP4("127.0.0.1", port).logout()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not listen on {port}")


@contextmanager
def dovecot() -> Iterator[ImapServer]:
    """Dovecot serving one passwd-file user, its configuration and maildir in a directory of its own (under
    the system's temporary directory: pytest's own is private to root, which an unprivileged Dovecot cannot
    enter), on a free loopback port."""
    root = Path(tempfile.mkdtemp(prefix="labelops-dovecot-"))
    try:
        with _dovecot_in(root) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _dovecot_in(root: Path) -> Iterator[ImapServer]:
    uid, gid = (UNPRIVILEGED_UID, UNPRIVILEGED_UID) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    user, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    server = ImapServer(free_port(), "support@labelops.test", secrets.token_urlsafe(12), root)
    (root / "users").write_text(f"{server.username}:{{PLAIN}}{server.password}\n")
    config = root / "dovecot.conf"
    config.write_text(
        DOVECOT_CONF.format(root=root, user=user, group=group, port=server.port, uid=uid, gid=gid)
    )
    for path in [root, *root.rglob("*")]:
        os.chown(path, uid, gid)
    command = [DOVECOT, "-F", "-c", str(config)]
    process = subprocess.Popen(
        command,
        user=uid if os.geteuid() == 0 else None,
        group=gid if os.geteuid() == 0 else None,
        extra_groups=[] if os.geteuid() == 0 else None,
        stdout=(root / "dovecot.out").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(server.port, process, root / "dovecot.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class SmtpServer:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def received(self) -> list[EmailMessage]:
        with self.lock:
            return list(self.messages)


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """aiosmtpd on a free loopback port, keeping every message it accepts."""
    server = SmtpServer(free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
