"""Contributors settings of the support channels: off by default, credentials required, TLS off loopback."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.contributors.service.channel_delivery import outbound_channels
from services.contributors.settings import ContributorsSettings

MAILBOX = {"email_imap_host": "imap.example.org", "email_imap_username": "s", "email_imap_password": "p"}


def test_no_channel_is_on_by_default():
    settings = ContributorsSettings()

    assert not settings.email_inbound_enabled and not settings.discord_enabled
    assert outbound_channels(settings) == []


def test_a_mailbox_needs_its_credentials():
    with pytest.raises(ValidationError, match="username and a password"):
        ContributorsSettings(email_imap_host="imap.example.org")


def test_sending_mail_needs_a_from_address():
    with pytest.raises(ValidationError, match="EMAIL_FROM_ADDRESS"):
        ContributorsSettings(email_smtp_host="smtp.example.org")


@pytest.mark.parametrize("protocol", ["IMAP", "SMTP"])
def test_plaintext_credentials_may_only_cross_loopback(protocol):
    if protocol == "IMAP":
        values = {**MAILBOX, "email_imap_tls": "none"}
    else:
        values = {
            "email_smtp_host": "smtp.example.org",
            "email_smtp_tls": "none",
            "email_from_address": "s@x.org",
        }

    with pytest.raises(ValidationError, match=f"{protocol} without TLS"):
        ContributorsSettings(**values)
    ContributorsSettings(**{**values, f"email_{protocol.lower()}_host": "127.0.0.1"})


def test_the_discord_public_key_is_64_hex_digits_and_the_token_is_secret():
    settings = ContributorsSettings(discord_public_key="ab" * 32, discord_bot_token="t0ken")

    assert settings.discord_enabled and outbound_channels(settings) == ["discord"]
    assert "t0ken" not in repr(settings)
    with pytest.raises(ValidationError):
        ContributorsSettings(discord_public_key="not-a-key")
