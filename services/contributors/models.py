"""Tables of the contributors service (its own metadata: see shared.db.make_base).

Personal data lives only in the columns erasure rewrites (service/erasure.py lists them): names,
emails, handles and free text. Everything else is ids, codes, numbers and times, kept for aggregates.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field

from shared.db import DecimalText, UTCDateTime, make_base, utcnow
from shared.events import define_event_tables

Base = make_base()


class Contributor(Base, table=True):
    __tablename__ = "contributors"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=200)
    country: str = Field(max_length=2, index=True)
    timezone: str = Field(max_length=64)
    # Read with the contributor; contributor_languages / contributor_skills index them for filters.
    languages: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source_channel: str | None = Field(default=None, max_length=50)
    campaign_id: int | None = Field(default=None, index=True)
    vendor_id: int | None = Field(default=None, index=True)
    status: str = Field(default="applied", max_length=20, index=True)
    opted_out_harmful: bool = Field(default=False)
    # First entry into screening (or later) and into active: the recruitment funnel reads them.
    screened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Vetted for harmful content (background check, resilience training): set by ops, published to
    # tasks with its expiry so assignment stops counting it when it lapses without another event.
    vetted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    vetted_by: str | None = Field(default=None, max_length=100)
    vetting_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContributorLanguage(Base, table=True):
    """One row per language of a contributor, so `?language=` is an indexed lookup."""

    __tablename__ = "contributor_languages"

    contributor_id: int = Field(foreign_key="contributors.id", primary_key=True)
    code: str = Field(max_length=64, primary_key=True)
    # The language subtag alone ("pt" of "pt-BR"): `?language=pt` finds every Portuguese speaker.
    base_language: str = Field(max_length=8, index=True)
    proficiency: str = Field(max_length=10)


class ContributorSkill(Base, table=True):
    __tablename__ = "contributor_skills"

    contributor_id: int = Field(foreign_key="contributors.id", primary_key=True)
    skill: str = Field(max_length=64, primary_key=True, index=True)


class StatusChange(Base, table=True):
    """Every lifecycle transition: who, when, why."""

    __tablename__ = "contributor_status_changes"

    id: int | None = Field(default=None, primary_key=True)
    contributor_id: int = Field(foreign_key="contributors.id", index=True)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    reason: str | None = Field(default=None, sa_type=Text)
    actor: str = Field(max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VettingChange(Base, table=True):
    """Every vetting (or renewal) and revocation: who, when, until when, why."""

    __tablename__ = "contributor_vetting_changes"

    id: int | None = Field(default=None, primary_key=True)
    contributor_id: int = Field(foreign_key="contributors.id", index=True)
    action: str = Field(max_length=10)  # vetted | revoked
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, sa_type=Text)
    actor: str = Field(max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OnboardingCompletion(Base, table=True):
    __tablename__ = "onboarding_completions"
    __table_args__ = (UniqueConstraint("contributor_id", "step", name="uq_onboarding_contributor_step"),)

    id: int | None = Field(default=None, primary_key=True)
    contributor_id: int = Field(foreign_key="contributors.id", index=True)
    step: str = Field(max_length=30)
    completed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_by: str = Field(max_length=100)


class Qualification(Base, table=True):
    __tablename__ = "qualifications"
    __table_args__ = (UniqueConstraint("contributor_id", "name", name="uq_qualification_contributor_name"),)

    id: int | None = Field(default=None, primary_key=True)
    contributor_id: int = Field(foreign_key="contributors.id", index=True)
    name: str = Field(max_length=100, index=True)
    score: int
    passed: bool
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    source: str = Field(max_length=20)
    retest_required: bool = Field(default=False)
    # Set by a quality.drift event: the accuracy seen and the minimum the project asks for.
    retest_reason: str | None = Field(default=None, max_length=300)
    retest_flagged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    awarded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Campaign(Base, table=True):
    __tablename__ = "campaigns"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    channel: str = Field(max_length=50, index=True)
    target_languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    target_countries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    budget: Decimal | None = Field(default=None, sa_column=Column(DecimalText(), nullable=True))
    currency: str | None = Field(default=None, max_length=3)
    starts_on: date
    ends_on: date | None = None
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Ticket(Base, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_priority", "status", "priority"),
        Index("ix_tickets_first_response_due", "first_response_due"),
        Index("ix_tickets_resolution_due", "resolution_due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contributor_id: int | None = Field(default=None, foreign_key="contributors.id", index=True)
    # Who wrote in when no contributor is known (a Discord handle, an email): personal data.
    requester_name: str | None = Field(default=None, max_length=200)
    requester_contact: str | None = Field(default=None, max_length=254, index=True)
    channel: str = Field(max_length=20, index=True)
    category: str = Field(max_length=20, index=True)
    priority: str = Field(max_length=2)
    status: str = Field(default="open", max_length=20)
    subject: str = Field(max_length=300)
    # Assignee and escalation lead are gateway users (ids); the names are their display names when named.
    assignee_id: int | None = Field(default=None, index=True)
    assignee: str | None = Field(default=None, max_length=200, index=True)
    escalated_to_id: int | None = Field(default=None, index=True)
    escalated_to: str | None = Field(default=None, max_length=200)
    # A ticket merged into another is closed and points at the one that carries its thread on.
    merged_into_id: int | None = Field(default=None, foreign_key="tickets.id")
    escalation_reason: str | None = Field(default=None, sa_type=Text)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Finished periods spent waiting on the contributor stop the resolution clock (rules/tickets.py).
    waiting_seconds: int = Field(default=0)
    waiting_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_response_due: datetime = Field(sa_type=UTCDateTime)
    # Excludes the current waiting period, if any; moved on when the ticket leaves `waiting`.
    resolution_due: datetime = Field(sa_type=UTCDateTime)
    # When the metrics counted a missed target, so each breach is counted once across replicas.
    first_response_breach_counted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_breach_counted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the responsible person was warned that a target is near, so each warning goes out once.
    first_response_warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Notification(Base, table=True):
    """A person to tell that something needs them (an escalation, an SLA warning or breach, a wellness
    check-in asking for support), by one channel: sent after the commit that caused it, retried until
    sent. The text is written when it is sent, from the ticket as it is then (no copy of personal text)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "sent_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    channel: str = Field(max_length=10)  # email | webhook
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    contributor_id: int | None = Field(default=None, foreign_key="contributors.id")
    # Whom: a gateway user (its email looked up when sending), or a fixed address or webhook URL.
    recipient_user_id: int | None = None
    target: str | None = Field(default=None, max_length=2048)
    detail: str | None = Field(default=None, max_length=40)  # first_response | resolution, for SLA kinds
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    abandoned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketTag(Base, table=True):
    """Free labels support puts on tickets (an outage, a project, a language) to find and act on them."""

    __tablename__ = "ticket_tags"
    __table_args__ = (Index("ix_ticket_tags_tag", "tag", "ticket_id"),)

    ticket_id: int = Field(foreign_key="tickets.id", primary_key=True)
    tag: str = Field(max_length=50, primary_key=True)


class CannedReply(Base, table=True):
    """A reply support sends again and again; placeholders are filled per ticket (rules/tickets.py)."""

    __tablename__ = "canned_replies"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    body: str = Field(sa_type=Text)
    created_by: str = Field(max_length=100)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketMessage(Base, table=True):
    __tablename__ = "ticket_messages"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    author: str = Field(max_length=100)
    author_kind: str = Field(max_length=20)  # staff | contributor | requester
    body: str = Field(sa_type=Text)
    # Staff-only notes: never shown to the contributor and never a first response.
    internal: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketEvent(Base, table=True):
    """The ticket's audit trail: status changes, assignment, priority changes, escalation."""

    __tablename__ = "ticket_events"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    kind: str = Field(max_length=30)
    from_value: str | None = Field(default=None, max_length=200)
    to_value: str | None = Field(default=None, max_length=200)
    # A value naming a gateway user (assignee, escalation lead) carries the user's id too, so the name
    # follows the user's renames and pseudonymisation (repository/agents.NAME_COPIES).
    from_user_id: int | None = Field(default=None, index=True)
    to_user_id: int | None = Field(default=None, index=True)
    note: str | None = Field(default=None, sa_type=Text)
    actor: str = Field(max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Announcement(Base, table=True):
    __tablename__ = "announcements"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    # {"project_ids": [...], "languages": [...], "countries": [...], "statuses": [...], "vendor_ids": [...]}
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    publish_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContributorProject(Base, table=True):
    """Projects a contributor has submitted work on (from submission.recorded): the project audience."""

    __tablename__ = "contributor_projects"

    contributor_id: int = Field(foreign_key="contributors.id", primary_key=True)
    project_id: int = Field(primary_key=True, index=True)
    last_submitted_at: datetime = Field(sa_type=UTCDateTime)


class ExposureRecord(Base, table=True):
    """One submission's time on content of a severity, as the tasks service reported it."""

    __tablename__ = "exposure_records"
    __table_args__ = (
        Index("ix_exposure_contributor_ended", "contributor_id", "ended_at"),
        # The wellness board finds who had harmful exposure lately; most submissions are of severity none.
        Index(
            "ix_exposure_harmful_ended",
            "ended_at",
            sqlite_where=text("severity <> 'none'"),
            postgresql_where=text("severity <> 'none'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    contributor_id: int = Field(foreign_key="contributors.id")
    project_id: int
    severity: str = Field(max_length=10)
    seconds: int
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime = Field(sa_type=UTCDateTime)


class WellnessCheckIn(Base, table=True):
    __tablename__ = "wellness_check_ins"
    # The wellness board reads the latest check-ins of everyone.
    __table_args__ = (Index("ix_wellness_check_ins_created", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    contributor_id: int = Field(foreign_key="contributors.id", index=True)
    mood: int
    stress: int
    note: str | None = Field(default=None, sa_type=Text)
    wants_support: bool = Field(default=False)
    recorded_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VendorWellnessPolicy(Base, table=True):
    """A vendor's (contract's) overrides of the global wellness policy; unset fields keep the global value."""

    __tablename__ = "vendor_wellness_policies"

    vendor_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    cap_low_minutes: int | None = None
    cap_medium_minutes: int | None = None
    cap_high_minutes: int | None = None
    continuous_limit_minutes: int | None = None
    break_minutes: int | None = None
    version: int = Field(default=1)
    updated_by: str = Field(max_length=100)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ShiftNote(Base, table=True):
    """What one shift tells the next, addressed to a team; its follow-ups carry owners and due times."""

    __tablename__ = "shift_notes"
    __table_args__ = (Index("ix_shift_notes_team_created", "team", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team: str = Field(max_length=30)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    author: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ShiftNoteFollowUp(Base, table=True):
    __tablename__ = "shift_note_follow_ups"
    # The handover lists what is still pending: open follow-ups by due time.
    __table_args__ = (Index("ix_shift_note_follow_ups_pending", "done_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="shift_notes.id", index=True)
    description: str = Field(max_length=1000)
    # The owner is a gateway user (id) and `owner` its display name; a name written before owners were
    # users, or one naming no user (a team), has no id.
    owner: str = Field(max_length=200)
    owner_id: int | None = Field(default=None, index=True)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1)


class ShiftNoteFollowUpChange(Base, table=True):
    """Who changed what of a follow-up, and when: added to a note, its text, owner or due time changed,
    done or reopened. Values as shown (the owner's name, times in ISO 8601)."""

    __tablename__ = "shift_note_follow_up_changes"

    id: int | None = Field(default=None, primary_key=True)
    follow_up_id: int = Field(foreign_key="shift_note_follow_ups.id", index=True)
    note_id: int = Field(foreign_key="shift_notes.id", index=True)
    field: str = Field(max_length=20)
    from_value: str | None = Field(default=None, sa_type=Text)
    to_value: str | None = Field(default=None, sa_type=Text)
    # An owner change names users: their ids, as on ticket events.
    from_user_id: int | None = Field(default=None, index=True)
    to_user_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserName(Base, table=True):
    """The newest display name the gateway has given a user, at the gateway user's version. Tickets
    (assignee, escalation lead) and follow-ups (owner) keep copies of it, renamed on `user.updated`; a
    late event or lookup of an older version changes nothing. A staff user's name: the gateway's
    pseudonymisation reaches it as a placeholder name."""

    __tablename__ = "user_names"

    user_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    display_name: str = Field(max_length=200)
    version: int
    # A user created later under the same id (SQLite reuses a deleted user's) is another, newer user.
    user_created_at: datetime = Field(sa_type=UTCDateTime)


class RequesterProfile(Base, table=True):
    """Someone who writes to support, by the handles they write from, linked to a contributor when known:
    the email and Discord channels match senders through it. Personal data."""

    __tablename__ = "requester_profiles"

    id: int | None = Field(default=None, primary_key=True)
    contributor_id: int | None = Field(default=None, foreign_key="contributors.id", index=True)
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254, unique=True)
    discord_user_id: str | None = Field(default=None, max_length=20, unique=True)
    discord_username: str | None = Field(default=None, max_length=100)
    telegram: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketThread(Base, table=True):
    """Where a ticket opened from a channel is answered: the requester's address on it (an email address,
    a Discord user id) and, for Discord, the DM channel once opened."""

    __tablename__ = "ticket_threads"

    ticket_id: int = Field(
        foreign_key="tickets.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    channel: str = Field(max_length=20)
    requester_profile_id: int | None = Field(default=None, foreign_key="requester_profiles.id", index=True)
    address: str = Field(max_length=254)
    discord_dm_channel_id: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChannelMessage(Base, table=True):
    """A message as a channel names it (an email's Message-ID, a Discord interaction or message id), in
    or out: the same inbound id is taken once, and replies find their ticket by the ids they answer."""

    __tablename__ = "ticket_channel_messages"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_ticket_channel_messages_external"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    ticket_message_id: int | None = Field(default=None, foreign_key="ticket_messages.id")
    channel: str = Field(max_length=20)
    direction: str = Field(max_length=3)  # in | out
    external_id: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChannelDelivery(Base, table=True):
    """A staff reply or a status notice to send back on the ticket's channel, retried until it is sent.

    One row per message or status event at most (the unique keys), however many replicas relay."""

    __tablename__ = "ticket_channel_deliveries"
    __table_args__ = (Index("ix_ticket_channel_deliveries_pending", "delivered_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    channel: str = Field(max_length=20)
    ticket_message_id: int | None = Field(default=None, foreign_key="ticket_messages.id", unique=True)
    ticket_event_id: int | None = Field(default=None, foreign_key="ticket_events.id", unique=True)
    address: str = Field(max_length=254)
    subject: str | None = Field(default=None, max_length=320)
    body: str = Field(sa_type=Text)
    # Email: this message's Message-ID and the thread it answers.
    message_id: str | None = Field(default=None, max_length=254)
    in_reply_to: str | None = Field(default=None, max_length=254)
    references: str | None = Field(default=None, sa_type=Text)
    automatic: bool = Field(default=False)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the attempts ran out: the row stays for staff to see, and is tried no more.
    abandoned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


event_tables = define_event_tables(Base.metadata)
