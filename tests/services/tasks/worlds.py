"""A labeling world in the tasks database, built as the service builds it: an active project with two
open tasks (of the given locales) and its labeling queue, a grant, and a contributor profile received as a `contributor.upserted`
event. For in-process tests of the assignment loop."""

from __future__ import annotations

import itertools
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.events import apply_contributor_upserted
from services.tasks.models import Project, Queue, QueuePermission, Task
from services.tasks.repository.projects import add_project
from services.tasks.rules.eligibility import language_code
from shared.auth import Principal
from shared.db import Database, utcnow
from shared.events import Event

_ids = itertools.count(random.randrange(10**8, 2 * 10**8))


@dataclass
class World:
    db: Database
    project: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    # The labeling grant's grantee; the crowd by default.
    grant: dict[str, Any] = field(default_factory=dict)
    contributor_id: int = field(default_factory=lambda: next(_ids))
    queue_id: int = 0
    # The locale of the world's tasks (one of the project's `locales`), or none.
    locales: tuple[str | None, ...] = (None, None)

    @property
    def principal(self) -> Principal:
        return Principal(subject="t", roles=frozenset({"contributor"}), contributor_id=self.contributor_id)


async def build(world: World) -> World:
    """Write the world's project, queue, tasks, grant and profile; its queue_id is then set."""
    async with world.db.sessionmaker() as session, session.begin():
        project = Project(
            name="world",
            task_type="classification",
            label_schema={"type": "choices", "choices": ["cat", "dog"], "multiple": False},
            overlap=1,
            gold_ratio=0.0,
            review_ratio=0.0,
            lease_seconds=600,
            **{"content_severity": "none", "status": "active", **world.project},
        )
        await add_project(session, project)
        queue = Queue(project_id=project.id, kind="labeling")
        session.add(queue)
        await session.flush()
        world.queue_id = queue.id
        for n, locale in enumerate(world.locales):
            language = language_code(locale) if locale else ""
            session.add(
                Task(project_id=project.id, data={"n": n}, overlap=1, locale=locale, language=language)
            )
        grantee = world.grant or {"crowd": True}
        session.add(QueuePermission(queue_id=queue.id, project_id=project.id, role="labeler", **grantee))
        await upsert_profile(session, world, version=1)
    return world


async def upsert_profile(session: AsyncSession, world: World, *, version: int, **changes: Any) -> None:
    """The contributor's profile as a `contributor.upserted` event brings it: the world's, then `changes`."""
    data = {
        "contributor_id": world.contributor_id,
        "version": version,
        "status": "active",
        "vendor_id": None,
        "languages": [{"code": "EN", "proficiency": "native"}],
        "skills": ["audio"],
        "qualifications": [],
        "wellness": {"daily_caps_minutes": {"high": 1}, "opted_out_harmful": False, "timezone": "UTC"},
        **world.profile,
        **changes,
    }
    event = Event(
        id=uuid.uuid4().hex,
        type="contributor.upserted",
        source="contributors",
        occurred_at=utcnow(),
        data=data,
    )
    await apply_contributor_upserted(session, event)
