"""Queries of a contributor's lifecycle: its status history and its onboarding steps."""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import OnboardingCompletion, StatusChange
from shared.pagination import Keyset, SortColumn

HISTORY_KEYSET = Keyset(columns={"id": SortColumn(StatusChange.id, int)}, id_column=StatusChange.id)


async def add_status_change(session: AsyncSession, change: StatusChange) -> None:
    session.add(change)
    await session.flush()


async def status_history(
    session: AsyncSession, *, contributor_id: int, sort: str, cursor: str | None, limit: int
) -> list[StatusChange]:
    stmt = select(StatusChange).where(StatusChange.contributor_id == contributor_id)
    stmt = HISTORY_KEYSET.apply(stmt, sort=sort, cursor=cursor, limit=limit)
    return list((await session.execute(stmt)).scalars())


async def onboarding_completions(session: AsyncSession, *, contributor_id: int) -> list[OnboardingCompletion]:
    stmt = select(OnboardingCompletion).where(OnboardingCompletion.contributor_id == contributor_id)
    return list((await session.execute(stmt)).scalars())


async def add_onboarding_completion(session: AsyncSession, completion: OnboardingCompletion) -> None:
    session.add(completion)
    await session.flush()


async def remove_onboarding_completion(session: AsyncSession, *, contributor_id: int, step: str) -> int:
    result = await session.execute(
        delete(OnboardingCompletion).where(
            OnboardingCompletion.contributor_id == contributor_id, OnboardingCompletion.step == step
        )
    )
    return result.rowcount or 0
