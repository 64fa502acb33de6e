"""Settings of the contributors service (env prefix LABELOPS_CONTRIBUTORS_)."""

import hashlib
import hmac
from datetime import timedelta
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.contributors.rules.tickets import SlaTarget, TicketPriority
from services.contributors.rules.wellness import ExposurePolicy
from shared.settings import ServiceSettings


class SlaTargetSetting(BaseModel):
    """One priority's targets; durations as ISO 8601 (`PT4H`) or seconds."""

    model_config = ConfigDict(extra="forbid")

    first_response: timedelta
    resolution: timedelta


class ContributorsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABELOPS_CONTRIBUTORS_", extra="ignore")

    service_name: str = "contributors"

    # Global wellness policy: daily exposure caps per content severity (minutes in the contributor's
    # own calendar day) and the break owed after continuous medium/high exposure. Vendors may override
    # it through PUT /api/v1/wellness/vendor-policies/{vendor_id}.
    wellness_cap_low_minutes: int = Field(480, ge=0, le=1440)
    wellness_cap_medium_minutes: int = Field(240, ge=0, le=1440)
    wellness_cap_high_minutes: int = Field(120, ge=0, le=1440)
    wellness_continuous_limit_minutes: int = Field(60, ge=1, le=1440)
    wellness_break_minutes: int = Field(15, ge=1, le=1440)

    # Ticket SLA per priority, replacing the defaults of services/contributors/rules/tickets.py, e.g.
    # LABELOPS_CONTRIBUTORS_TICKET_SLA='{"P1": {"first_response": "PT30M", "resolution": "PT4H"}}'.
    ticket_sla: dict[TicketPriority, SlaTargetSetting] = Field(default_factory=dict)
    # How often the background loop counts newly missed ticket SLA targets into the metrics (the
    # Prometheus scrape interval of deploy/prometheus).
    ticket_sla_sweep_seconds: float = Field(15.0, gt=0)

    # Key of the erasure pseudonyms (HMAC). Unset: derived from the internal token secret, which
    # production already requires; set it to keep pseudonyms stable across internal-secret rotations.
    erasure_secret: SecretStr | None = None

    # How many contributors a vendor-policy change re-publishes per transaction batch.
    republish_batch_size: int = Field(500, ge=1)

    # The support channels (README "Support channels: the mailbox and the Discord application"). Each is
    # off until its host or key is set, so `make run` needs no mailbox and no Discord application.
    email_imap_host: str | None = None
    email_imap_port: int = Field(993, ge=1, le=65535)
    # IMAP over TLS (993), or plaintext, which only a mailbox on loopback may use.
    email_imap_tls: Literal["tls", "none"] = "tls"
    email_imap_username: str | None = None
    email_imap_password: SecretStr | None = None
    email_imap_folder: str = "INBOX"
    email_poll_seconds: float = Field(60.0, gt=0)
    email_smtp_host: str | None = None
    email_smtp_port: int = Field(587, ge=1, le=65535)
    email_smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    email_smtp_username: str | None = None
    email_smtp_password: SecretStr | None = None
    # The support address replies come from (and the domain of their Message-IDs).
    email_from_address: str | None = None
    email_from_name: str = "LabelOps support"
    # The Discord application's public key (hex, from its General Information page) and its bot's token.
    discord_public_key: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    discord_bot_token: SecretStr | None = None
    discord_api_base_url: str = "https://discord.com/api/v10"
    # A signed interaction older (or newer) than this is refused as a replay.
    discord_timestamp_tolerance_seconds: float = Field(300.0, gt=0)
    # How often replies and notices waiting for their channel are sent (and failed ones retried).
    channel_delivery_poll_seconds: float = Field(2.0, gt=0)
    channel_delivery_max_attempts: int = Field(12, ge=1)

    # Telling the people responsible (README "Escalations reach people"): the assignee or escalation lead
    # by email (over the SMTP settings above), and the team by a Slack or Discord incoming webhook.
    # How long before a ticket's first-response or resolution target its assignee is warned.
    ticket_sla_warning_minutes: int = Field(30, ge=1, le=10_080)
    # Who hears about a ticket no one is assigned to, and about check-ins asking for support.
    support_alert_email: str | None = Field(None, max_length=254)
    wellness_alert_email: str | None = Field(None, max_length=254)
    alert_webhook_url: str | None = Field(None, max_length=2048, pattern=r"^https?://")
    alert_webhook_format: Literal["slack", "discord"] = "slack"
    notification_poll_seconds: float = Field(2.0, gt=0)

    @model_validator(mode="after")
    def check_support_channels(self) -> "ContributorsSettings":
        if self.email_imap_host and not (self.email_imap_username and self.email_imap_password):
            raise ValueError("LABELOPS_CONTRIBUTORS_EMAIL_IMAP_HOST needs a username and a password")
        if self.email_smtp_host and not self.email_from_address:
            raise ValueError("LABELOPS_CONTRIBUTORS_EMAIL_SMTP_HOST needs EMAIL_FROM_ADDRESS")
        # Credentials in plaintext may only cross loopback.
        for name, host, tls in (
            ("IMAP", self.email_imap_host, self.email_imap_tls),
            ("SMTP", self.email_smtp_host, self.email_smtp_tls),
        ):
            if host and tls == "none" and host not in ("127.0.0.1", "::1", "localhost"):
                raise ValueError(f"{name} without TLS is only allowed to a loopback host, not {host}")
        return self

    @property
    def email_inbound_enabled(self) -> bool:
        return bool(self.email_imap_host)

    @property
    def email_outbound_enabled(self) -> bool:
        return bool(self.email_smtp_host)

    @property
    def discord_enabled(self) -> bool:
        return self.discord_public_key is not None

    @model_validator(mode="after")
    def check_contributor_settings(self) -> "ContributorsSettings":
        self.exposure_policy()
        self.sla_policy()
        if self.erasure_secret is not None and len(self.erasure_secret.get_secret_value()) < 32:
            raise ValueError("LABELOPS_CONTRIBUTORS_ERASURE_SECRET must be at least 32 characters")
        return self

    def exposure_policy(self) -> ExposurePolicy:
        return ExposurePolicy(
            daily_cap_minutes={
                "low": self.wellness_cap_low_minutes,
                "medium": self.wellness_cap_medium_minutes,
                "high": self.wellness_cap_high_minutes,
            },
            continuous_limit_minutes=self.wellness_continuous_limit_minutes,
            break_minutes=self.wellness_break_minutes,
        )

    def sla_policy(self) -> dict[str, SlaTarget]:
        """The overrides only; `tickets.sla_policy` merges them over the defaults."""
        return {
            priority.value: SlaTarget(first_response=t.first_response, resolution=t.resolution)
            for priority, t in self.ticket_sla.items()
        }

    def erasure_key(self) -> bytes:
        if self.erasure_secret is not None:
            return self.erasure_secret.get_secret_value().encode()
        internal = self.internal_token_secret.get_secret_value().encode()
        # A derived key, never the internal secret itself: pseudonyms must not help forge tokens.
        return hmac.new(internal, b"labelops:contributors:erasure-key", hashlib.sha256).hexdigest().encode()


@lru_cache
def get_settings() -> ContributorsSettings:
    return ContributorsSettings()
