"""Forgetting a person in other people's free text, the same way in every service.

An erased contributor's name and email may sit in what staff wrote (shift notes, partner
communications). Each service that keeps such text answers `POST /internal/erasures` (`erasure_router`):
every mention is replaced by the person's pseudonym, whatever its case.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import ServiceCaller
from shared.db import SessionDep


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
