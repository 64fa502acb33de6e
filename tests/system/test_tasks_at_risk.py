"""A project's at-risk tasks listed through the gateway: the same tasks stats count in `sla.at_risk_tasks`
(by their own due time or by import + the project's SLA), earliest due first, paged; open tasks past due
only when asked for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.db import UTCDateTime
from shared.pagination import encode_position
from tests.services.tasks.helpers import create_project, import_tasks

SLA_HOURS = 10  # at risk: due within the last 2 hours of it


def _imported_at(url: str, project_id: int, external_ids: list[str], at: datetime) -> None:
    """Set when tasks were imported (no API imports in the past): their SLA due time moves with it."""

    async def run() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        sql = text(
            "UPDATE tasks SET created_at = :at WHERE project_id = :project AND external_id IN :ids"
        ).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("ids", expanding=True))
        try:
            async with engine.begin() as conn:
                await conn.execute(sql, {"at": at, "project": project_id, "ids": external_ids})
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="module")
def project(admin, databases) -> dict:
    """Open tasks: at risk by their own due time (in 30 min, 1 h, 1 h) and by import 9 h ago (two, due in
    1 h); past due by their own (1 h ago) and by import 12 h ago; not yet at risk (in 5 h, imported now)."""
    project = create_project(admin, sla_turnaround_hours=SLA_HOURS)
    now = datetime.now(UTC)
    own = {"own-30m": 0.5, "own-1h-a": 1, "own-1h-b": 1, "own-5h": 5, "own-late": -1}
    rows = [{"data": {"n": k}, "external_id": k, "due_at": (now + timedelta(hours=h)).isoformat()}
            for k, h in own.items()]  # fmt: skip
    rows += [{"data": {"n": k}, "external_id": k} for k in ("sla-a", "sla-b", "sla-late", "sla-new")]
    import_tasks(admin, project["id"], rows)
    _imported_at(databases.urls["tasks"], project["id"], ["sla-a", "sla-b"], now - timedelta(hours=9))
    _imported_at(databases.urls["tasks"], project["id"], ["sla-late"], now - timedelta(hours=12))
    return project


def _walk(client, project_id: int, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = client.get(
            f"/api/v1/projects/{project_id}/at-risk-tasks",
            params={"limit": 2, **params, **({"cursor": cursor} if cursor else {})},
        )
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def test_the_list_holds_the_tasks_stats_count_as_at_risk_earliest_due_first(ops, project):
    items = _walk(ops, project["id"])
    stats = ops.get(f"/api/v1/projects/{project['id']}/stats").json()

    assert len(items) == stats["sla"]["at_risk_tasks"] == 5
    assert [i["external_id"] for i in items[:1]] == ["own-30m"]
    assert {i["external_id"] for i in items} == {"own-30m", "own-1h-a", "own-1h-b", "sla-a", "sla-b"}
    assert [i["due_at"] for i in items] == sorted(i["due_at"] for i in items)
    assert {i["sla_state"] for i in items} == {"at_risk"}
    assert {(i["assigned_count"], i["completed_count"], i["overlap"]) for i in items} == {(0, 0, 1)}


def test_open_tasks_past_due_come_first_when_asked_for(ops, project):
    items = _walk(ops, project["id"], include_breached="true")
    stats = ops.get(f"/api/v1/projects/{project['id']}/stats").json()

    breached = [i for i in items if i["sla_state"] == "breached"]
    assert len(breached) == stats["sla"]["open_breached_tasks"] == 2
    assert [i["external_id"] for i in items[:2]] == ["sla-late", "own-late"]  # due 2 h ago, 1 h ago
    assert len(items) - len(breached) == stats["sla"]["at_risk_tasks"]


def test_a_project_without_an_sla_has_no_task_at_risk(ops, admin):
    plain = create_project(admin)
    import_tasks(admin, plain["id"], [{"data": {"n": 1}}])

    assert _walk(ops, plain["id"]) == []


def test_the_list_is_for_the_staff_who_read_stats(users, ops, project):
    url = f"/api/v1/projects/{project['id']}/at-risk-tasks"

    assert users.create("analyst").get(url).status_code == 200
    assert users.create("support").get(url).status_code == 403
    assert users.create("contributor").get(url).status_code == 403
    assert ops.get("/api/v1/projects/999999999/at-risk-tasks").status_code == 404


@pytest.mark.parametrize(
    "cursor",
    ["bm9wZQ", encode_position("due_at", "2026-12-07T09:00:00", 1),
     encode_position("due_at", "0001-01-01T00:00:00+00:00", 1), encode_position("-due_at", "2026-12-07T09:00:00+00:00", 1)],
)  # fmt: skip
def test_a_cursor_this_list_did_not_give_is_422(ops, project, cursor):
    response = ops.get(f"/api/v1/projects/{project['id']}/at-risk-tasks", params={"cursor": cursor})

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"
