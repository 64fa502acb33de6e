"""Erasure: a contributor's personal data is replaced irreversibly, its aggregates stay.

Personal data in this service's tables, and what replaces it:
  contributors.email / full_name                 → keyed pseudonyms (rules/erasure.py), unique per person
  contributor_status_changes.reason              → "[erased]"
  contributor_vetting_changes.reason             → "[erased]"
  tickets of the person (by id, or by requester contact = its email): subject, escalation_reason →
      "[erased]", requester_name / requester_contact → null; their messages' bodies and history
      notes → "[erased]" (staff replies quote the person too)
  wellness_check_ins.note                        → "[erased]"
  requester profiles linked to it or holding its email → every handle null; its tickets' channel threads
      are deleted (nothing more is sent) and their deliveries' address and text → "[erased]", unsent
      ones are never sent
  shift notes and follow-ups mentioning its name or email (free text of staff) → the mention becomes
      the pseudonym name; the vendors service does the same to partner communications, asked before
      this transaction commits (if it cannot be reached the erasure fails whole, to be retried)
Ids, codes, statuses, scores, minutes and times stay, so funnel, SLA and exposure figures still add up.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor
from services.contributors.repository import contributors as repository
from services.contributors.repository import tickets as ticket_repository
from services.contributors.rules.erasure import ERASED_TEXT, erased_fields
from services.contributors.rules.lifecycle import ContributorStatus, is_terminal
from services.contributors.service.lifecycle import apply_status
from services.contributors.service.publishing import eligibility_facts, publish_erased, record_change
from services.contributors.settings import ContributorsSettings
from shared.db import utcnow
from shared.errors import ServiceUnavailable
from shared.http import ServiceClient

ERASURE_REASON = "personal data erased"


async def erase_contributor(
    *,
    session: AsyncSession,
    services: ServiceClient,
    contributor: Contributor,
    actor: str,
    settings: ContributorsSettings,
) -> Contributor:
    """Pseudonymise the person everywhere, offboard it, and announce `contributor.erased` (once)."""
    if contributor.erased_at is not None:
        return contributor
    email = contributor.email
    replacement = erased_fields(contributor.id, settings.erasure_key())
    before = await eligibility_facts(session=session, contributor=contributor, settings=settings)

    await repository.erase_personal_text(
        session, contributor_id=contributor.id, email=email, replacement=ERASED_TEXT
    )
    mentions = [contributor.full_name, email]
    await repository.erase_mentions(session, mentions=mentions, replacement=replacement.name)
    await ticket_repository.purge_search_index(session)
    await _forget_in_peers(services, mentions=mentions, replacement=replacement.name)

    contributor.email = replacement.email
    contributor.full_name = replacement.name
    contributor.erased_at = utcnow()
    if is_terminal(contributor.status):
        await record_change(session=session, contributor=contributor, before=before, settings=settings)
    else:
        await apply_status(
            session=session,
            contributor=contributor,
            target=ContributorStatus.OFFBOARDED,
            actor=actor,
            reason=ERASURE_REASON,
            settings=settings,
        )
    await publish_erased(session=session, contributor=contributor)
    return contributor


# The services that keep staff's free text about people (shared.privacy.erasure_router).
PEERS_WITH_MENTIONS = ("vendors",)


async def _forget_in_peers(services: ServiceClient, *, mentions: list[str], replacement: str) -> None:
    for peer in PEERS_WITH_MENTIONS:
        body = {"mentions": mentions, "replacement": replacement}
        response = await services.request(peer, "POST", "/internal/erasures", json=body)
        if response.status_code != 200:
            raise ServiceUnavailable(
                f"the {peer} service answered {response.status_code} to the erasure", service=peer
            )
