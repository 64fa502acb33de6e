"""Rules of the contributor lifecycle: status transitions with their history, and onboarding steps."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor, OnboardingCompletion, StatusChange
from services.contributors.repository import lifecycle as repository
from services.contributors.rules.access import actor_of, is_manager
from services.contributors.rules.lifecycle import (
    REQUIRED_ONBOARDING_STEPS,
    ContributorStatus,
    OnboardingStep,
    check_transition,
    is_terminal,
    missing_onboarding_steps,
)
from services.contributors.schemas.lifecycle import OnboardingRead, OnboardingStepRead, TransitionRequest
from services.contributors.service.contributors import ensure_not_erased
from services.contributors.service.publishing import eligibility_facts, record_change
from services.contributors.settings import ContributorsSettings
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Forbidden

# Steps a contributor completes on its own; training and qualification are recorded by staff.
SELF_SERVICE_STEPS = frozenset(
    {
        OnboardingStep.PROFILE_SETUP,
        OnboardingStep.PLATFORM_TOUR,
        OnboardingStep.GUIDELINES_ACK,
        OnboardingStep.NDA,
    }
)
# Passing screening means moving on from it; the funnel counts the first time.
_SCREENED = {ContributorStatus.ONBOARDING, ContributorStatus.ACTIVE}


async def move_contributor(
    *,
    session: AsyncSession,
    principal: Principal,
    contributor: Contributor,
    data: TransitionRequest,
    settings: ContributorsSettings,
    reason_override: str | None = None,
) -> Contributor:
    """Apply one lifecycle transition (409 naming the allowed ones otherwise) and record who, when, why."""
    ensure_not_erased(contributor)
    completed = [
        c.step for c in await repository.onboarding_completions(session, contributor_id=contributor.id)
    ]
    target = check_transition(contributor.status, data.to, completed)
    await apply_status(
        session=session,
        contributor=contributor,
        target=target,
        actor=actor_of(principal),
        reason=reason_override if reason_override is not None else data.reason,
        settings=settings,
    )
    return contributor


async def apply_status(
    *,
    session: AsyncSession,
    contributor: Contributor,
    target: ContributorStatus,
    actor: str,
    reason: str | None,
    settings: ContributorsSettings,
) -> None:
    before = await eligibility_facts(session=session, contributor=contributor, settings=settings)
    now = utcnow()
    previous = contributor.status
    contributor.status = target.value
    contributor.status_changed_at = now
    if target in _SCREENED and contributor.screened_at is None:
        contributor.screened_at = now
    if target is ContributorStatus.ACTIVE and contributor.activated_at is None:
        contributor.activated_at = now
    await repository.add_status_change(
        session,
        StatusChange(
            contributor_id=contributor.id,
            from_status=previous,
            to_status=target.value,
            reason=reason,
            actor=actor,
            at=now,
        ),
    )
    await record_change(session=session, contributor=contributor, before=before, settings=settings)


async def status_history(
    *, session: AsyncSession, contributor: Contributor, sort: str, cursor: str | None, limit: int
) -> list[StatusChange]:
    return await repository.status_history(
        session, contributor_id=contributor.id, sort=sort, cursor=cursor, limit=limit
    )


async def onboarding_of(*, session: AsyncSession, contributor: Contributor) -> OnboardingRead:
    """The checklist: every step with its completion, and what activation still needs."""
    done = {
        c.step: c for c in await repository.onboarding_completions(session, contributor_id=contributor.id)
    }
    steps = [
        OnboardingStepRead(
            step=step,
            required=step in REQUIRED_ONBOARDING_STEPS,
            completed_at=done[step.value].completed_at if step.value in done else None,
            completed_by=done[step.value].completed_by if step.value in done else None,
        )
        for step in OnboardingStep
    ]
    missing = missing_onboarding_steps(done)
    return OnboardingRead(
        contributor_id=contributor.id,
        steps=steps,
        missing_required=[OnboardingStep(m) for m in missing],
        ready_to_activate=not missing,
    )


def _check_step_access(principal: Principal, contributor: Contributor, step: OnboardingStep) -> None:
    ensure_not_erased(contributor)
    if is_terminal(contributor.status):
        raise Conflict(f"contributor {contributor.id} is {contributor.status}; onboarding is closed")
    staff = is_manager(principal) or principal.has_any("vendor")
    if not staff and step not in SELF_SERVICE_STEPS:
        allowed = ", ".join(sorted(s.value for s in SELF_SERVICE_STEPS))
        raise Forbidden(f"a contributor can only complete these steps itself: {allowed}")


async def complete_step(
    *, session: AsyncSession, principal: Principal, contributor: Contributor, step: OnboardingStep
) -> OnboardingRead:
    """Mark a step done (idempotent: the first completion time is kept)."""
    _check_step_access(principal, contributor, step)
    done = {c.step for c in await repository.onboarding_completions(session, contributor_id=contributor.id)}
    if step.value not in done:
        await repository.add_onboarding_completion(
            session,
            OnboardingCompletion(
                contributor_id=contributor.id,
                step=step.value,
                completed_by=actor_of(principal),
                completed_at=utcnow(),
            ),
        )
    return await onboarding_of(session=session, contributor=contributor)


async def reset_step(
    *, session: AsyncSession, principal: Principal, contributor: Contributor, step: OnboardingStep
) -> OnboardingRead:
    """Undo a step (e.g. a new NDA version must be signed again); an active contributor keeps its status."""
    _check_step_access(principal, contributor, step)
    if not (is_manager(principal) or principal.has_any("vendor")):
        raise Forbidden("only staff can reset an onboarding step")
    await repository.remove_onboarding_completion(session, contributor_id=contributor.id, step=step.value)
    return await onboarding_of(session=session, contributor=contributor)
