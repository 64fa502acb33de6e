"""Finding and forgetting a person, the same way in every service.

An erased contributor's name and email may sit in what staff wrote (shift notes, partner
communications). Each service that keeps such text answers `POST /internal/erasures` (`erasure_router`):
every mention is replaced by the person's pseudonym, whatever its case.

A subject access request (DSAR) gathers what every service holds about one person: each answers
`POST /internal/personal-data` (`personal_data_router`) with its section, rows as stored (secrets left
out), and the contributors service, which owns the person, puts the sections together.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from shared.auth import ServiceCaller
from shared.db import ReadSessionDep, SessionDep
from shared.types import Id


def mentioning(columns: Iterable[Any], mentions: list[str]) -> ColumnElement[bool]:
    """SQL: any of `columns` contains any mention, whatever its case (false when nothing is sought)."""
    wanted = [m.lower() for m in mentions if m and m.strip()]
    if not wanted:
        return false()
    return or_(*(func.lower(column).contains(m, autoescape=True) for column in columns for m in wanted))


def without_mentions(text: str, mentions: list[str], replacement: str) -> str:
    """`text` with every mention of the person (its name, its email; any case) replaced."""
    wanted = [m for m in mentions if m and m.strip()]
    if not wanted:
        return text
    pattern = re.compile("|".join(re.escape(m) for m in sorted(wanted, key=len, reverse=True)), re.IGNORECASE)
    return pattern.sub(replacement, text)


class Erasure(BaseModel):
    """Who to forget (their name and email as they were) and what to write instead."""

    model_config = ConfigDict(extra="forbid")

    mentions: list[str] = Field(min_length=1, max_length=10)
    replacement: str = Field(min_length=1, max_length=200)


class Erased(BaseModel):
    texts_changed: int


def erasure_router(erase: Callable[..., Awaitable[int]]) -> APIRouter:
    """`POST /internal/erasures` for peers; `erase(session=, mentions=, replacement=)` returns how many
    texts it changed."""
    router = APIRouter(prefix="/internal", tags=["internal"], include_in_schema=False)

    @router.post("/erasures", response_model=Erased)
    async def erase_mentions(data: Erasure, session: SessionDep, _caller: ServiceCaller) -> Erased:
        changed = await erase(session=session, mentions=data.mentions, replacement=data.replacement)
        return Erased(texts_changed=changed)

    return router


class PersonSought(BaseModel):
    """Whose data to gather: the contributor's id, and its name and email as other people's text has them."""

    model_config = ConfigDict(extra="forbid")

    contributor_id: Id
    mentions: list[str] = Field(default_factory=list, max_length=10)


def as_records(rows: Iterable[SQLModel], *, exclude: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Rows as stored, for a DSAR export; `exclude` leaves out secrets (password and token hashes)."""
    return [jsonable_encoder(row.model_dump(exclude=set(exclude))) for row in rows]


async def rows_where(session: AsyncSession, model: type[SQLModel], *where: Any) -> Sequence[Any]:
    """A table's rows about the person, in primary-key order (the DSAR sections' one query shape)."""
    stmt = select(model).where(*where).order_by(*model.__table__.primary_key.columns)  # type: ignore[attr-defined]
    return (await session.execute(stmt)).scalars().all()


def personal_data_router(gather: Callable[..., Awaitable[dict[str, Any]]]) -> APIRouter:
    """`POST /internal/personal-data` for the contributors service; `gather(session=, person=)` returns this
    service's section: `{table or topic: [records]}`."""
    router = APIRouter(prefix="/internal", tags=["internal"], include_in_schema=False)

    @router.post("/personal-data")
    async def personal_data(person: PersonSought, session: ReadSessionDep, _caller: ServiceCaller) -> dict:
        return await gather(session=session, person=person)

    return router
