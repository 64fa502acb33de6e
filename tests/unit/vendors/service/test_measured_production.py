"""The reader of the tasks service's production per day: what invoices are reconciled against."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import httpx
import pytest

from services.vendors.rules.invoices import DayMeasure
from services.vendors.service.production import measured_by_day
from shared.errors import ServiceUnavailable


class Tasks:
    """A tasks service answering GET /api/v1/production with `items`; it remembers what it was asked."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.params: dict[str, Any] = {}

    async def request(self, service: str, method: str, path: str, **kw: Any) -> httpx.Response:
        assert (service, method, path) == ("tasks", "GET", "/api/v1/production")
        self.params = kw["params"]
        return httpx.Response(200, json={"items": self.items})


def item(day="2026-03-02", language="en", units=2, seconds=60, vendor_id=7, **extra) -> dict[str, Any]:
    return {"project_id": 1, "task_type": "ner", "language": language, "vendor_id": vendor_id, "day": day,
            "accepted_units": units, "rejected_units": 0, "handling_seconds": seconds, **extra}  # fmt: skip


async def read(tasks: Tasks) -> list[DayMeasure]:
    return await measured_by_day(tasks, vendor_id=7, start=date(2026, 3, 1), end=date(2026, 3, 31))  # type: ignore[arg-type]


async def test_projects_of_the_same_work_and_day_add_up_whatever_the_language_case():
    tasks = Tasks([item(language="en", units=2, seconds=60), item(language="EN", units=3, seconds=90),
                   item(day="2026-03-03", language=None, units=1, seconds=10)])  # fmt: skip

    measures = await read(tasks)

    assert measures == [
        DayMeasure(date(2026, 3, 2), "ner", "en", D(5), D(150)),
        DayMeasure(date(2026, 3, 3), "ner", "*", D(1), D(10)),
    ]
    assert (tasks.params["group_by"], tasks.params["vendor_id"]) == ("day", 7)


async def test_another_vendors_items_are_left_out():
    assert await read(Tasks([item(vendor_id=8)])) == []


@pytest.mark.parametrize(
    "broken", [{"handling_seconds": None}, {"day": "yesterday"}, {"accepted_units": "x"}]
)
async def test_a_missing_or_malformed_figure_is_unavailable_never_zero(broken):
    faulty = {k: v for k, v in item(**broken).items() if v is not None}

    with pytest.raises(ServiceUnavailable):
        await read(Tasks([faulty]))
