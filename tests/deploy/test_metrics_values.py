"""The gauges computed from a database at scrape time report what the database holds."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from types import SimpleNamespace

import httpx
from sqlalchemy import MetaData

from shared.db import Database, utcnow
from shared.events import define_event_tables, outbox_lag_hook
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_LAG
from tests.services.tasks.helpers import active_project, worker
from tests.support.sql import query


def _value(text: str, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", text, flags=re.MULTILINE)
    assert match, f"{name} not exposed"
    return float(match.group(1))


def _utc(value) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=utcnow().tzinfo)


async def test_outbox_lag_is_the_age_of_the_oldest_undelivered_event_and_backlog_their_count(tmp_path):
    tables = define_event_tables(MetaData())
    db = Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    now = utcnow()
    async with db.engine.begin() as conn:
        await conn.run_sync(tables.outbox.metadata.create_all)
        for age, delivered in ((600, True), (120, False), (30, False)):
            at = now - timedelta(seconds=age)
            await conn.execute(
                tables.outbox.insert().values(
                    event_id=f"e{age}", event_type="x", destination="tasks", payload={}, occurred_at=at,
                    attempts=0, next_attempt_at=at, delivered_at=now if delivered else None,
                )
            )  # fmt: skip
    try:
        await outbox_lag_hook(service="outbox-test", tables=tables)(
            SimpleNamespace(state=SimpleNamespace(db=db))
        )
    finally:
        await db.dispose()

    lag = OUTBOX_LAG.labels("outbox-test")._value.get()
    assert OUTBOX_BACKLOG.labels("outbox-test")._value.get() == 2
    assert 120 <= lag < 120 + (utcnow() - now).total_seconds() + 1


def test_oldest_task_age_and_gold_accuracy_agree_with_the_tasks_database(admin, users, cluster, databases):
    _, queues = active_project(admin, tasks=2)
    contributor = worker(users, cluster)
    assert contributor.post(f"/api/v1/queues/{queues['labeling']}/next").status_code == 200

    before = utcnow()
    text = httpx.get(cluster.services["tasks"].url + "/metrics").text
    after = utcnow()

    url = databases.urls["tasks"]
    oldest = query(
        url,
        "SELECT MIN(t.created_at) AS oldest FROM tasks t JOIN projects p ON p.id = t.project_id"
        " WHERE p.status = 'active' AND t.completed_count < t.overlap",
    )[0]["oldest"]
    gold = query(
        url,
        "SELECT COALESCE(SUM(c.gold_correct), 0) AS correct, COALESCE(SUM(c.gold_total), 0) AS total"
        " FROM project_counters c JOIN projects p ON p.id = c.project_id WHERE p.status = 'active'",
    )[0]
    age = _value(text, "labelops_queue_oldest_task_age_seconds")
    accuracy = _value(text, "labelops_gold_accuracy_ratio")

    assert (before - _utc(oldest)).total_seconds() - 1 <= age <= (after - _utc(oldest)).total_seconds() + 1
    if gold["total"]:
        assert accuracy == gold["correct"] / gold["total"]
    else:
        assert math.isnan(accuracy)
