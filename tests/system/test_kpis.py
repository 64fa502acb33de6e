"""One workload, every surface: each KPI is defined once (services/tasks/rules/kpis.py and
services/vendors/rules/kpis.py), so project stats, the handover report (JSON and CSV), the KPI report (JSON,
CSV and XLSX), the tasks service's /metrics and the vendor scorecard give the same value for it.

The workload: a vendor paid 0.50 per NER label works a project with a 1-hour SLA. Four gold tasks are
answered on time (three right); one task is answered after its own due time and rejected in review; one is
left open past its due time (a breach too, not "at risk"); one is left open due in five minutes (at risk);
one is left open with the hour to go. Every answer reports 300 s of handling.
"""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import httpx
import pytest
from openpyxl import load_workbook

from tests.services.vendors.support import (
    active_contract_with_rates,
    decide,
    new_vendor,
    reviewer,
    vendor_project,
    vendor_staff,
    work,
)
from tests.support.waiting import eventually

TODAY = datetime.now(UTC).date()
BREACHES = re.compile(r'labelops_sla_breaches_total\{[^}]*kind="turnaround"[^}]*service="tasks"[^}]*\} (\S+)')


def now() -> datetime:
    return datetime.now(UTC)


def breaches_counted(cluster) -> float:
    text = httpx.get(cluster.services["tasks"].url + "/metrics", timeout=30).text
    match = BREACHES.search(text)
    return float(match.group(1)) if match else 0.0


def ok(response: httpx.Response) -> httpx.Response:
    assert response.status_code == 200, response.text
    return response


def four_places(value: float | None) -> str | None:
    """A float KPI as the scorecard stores a measured value (Decimal text, 4 places)."""
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.0001")))


@pytest.fixture(scope="module")
def surfaces(admin, ops, users, cluster):
    since = now() - timedelta(seconds=1)
    counted_before = breaches_counted(cluster)
    manager = users.create("vendor_manager")
    vendor = new_vendor(manager)
    rates = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.50"}]
    active_contract_with_rates(
        manager, vendor["id"], rates,
        starts_on=str(TODAY - timedelta(days=30)), ends_on=str(TODAY + timedelta(days=365)),
        sla_terms={"min_quality": "0.80", "max_turnaround_hours": "1", "min_productivity_per_hour": "10"},
    )  # fmt: skip
    staff = vendor_staff(admin, users, vendor["id"])
    soon, later = now() + timedelta(seconds=2), now() + timedelta(minutes=5)
    rows = [
        *({"data": {"n": i}, "gold_answer": "cat", "priority": 10} for i in range(4)),
        {"data": {"n": 4}, "priority": 10, "due_at": soon.isoformat()},
        {"data": {"n": 5}, "due_at": soon.isoformat()},
        {"data": {"n": 6}, "due_at": later.isoformat()},
        {"data": {"n": 7}},
    ]
    project, queues = vendor_project(
        admin, vendor["id"], task_type="ner", language="en", rows=rows, gold_ratio=1.0, review_ratio=1.0,
        sla_turnaround_hours=1,
    )  # fmt: skip
    checker = reviewer(admin, users, queues["review"])
    time.sleep(max((soon - now()).total_seconds(), 0) + 0.2)
    answers = work(
        staff, queues["labeling"], by_task={0: "cat", 1: "cat", 2: "cat", 3: "dog", 4: "cat"}, seconds=300
    )
    for submission in answers:
        decide(checker, submission, "reject" if submission["data"]["n"] == 4 else "accept")

    until = now() + timedelta(seconds=1)
    day = {
        "since": datetime.combine(TODAY, clock(), UTC),
        "until": datetime.combine(TODAY, clock(), UTC) + timedelta(days=1),
    }
    hour = {"since": until - timedelta(hours=1), "until": until}

    def kpis(window: dict, **params) -> httpx.Response:
        query = {k: v.isoformat() for k, v in window.items()}
        return ok(ops.get("/api/v1/reports/kpis", params={**query, **params}))

    def rows_of(report: dict) -> dict:
        return {(r["scope"], r["id"]): r for r in report["rows"]}

    handover_params = {"since": since.isoformat(), "until": until.isoformat()}
    handover = ok(ops.get("/api/v1/reports/handover", params=handover_params)).json()
    at_risk = {s["title"]: s for s in handover["sections"]}["Projects at risk"]["items"]
    handover_csv = list(csv.reader(io.StringIO(
        ok(ops.get("/api/v1/reports/handover", params={**handover_params, "format": "csv"})).text)))  # fmt: skip
    start = handover_csv.index(["Projects at risk"])
    header = next(r for r in handover_csv[start + 1 :] if r and r[0] == "project_id")
    after_header = handover_csv[handover_csv.index(header, start) + 1 :]
    body = after_header[: after_header.index([])]  # the section's block ends at a blank line
    (csv_item,) = [dict(zip(header, r, strict=False)) for r in body if r and r[0] == str(project["id"])]

    kpi_csv = list(csv.reader(io.StringIO(kpis(day, format="csv").text)))
    kpi_sheet = load_workbook(io.BytesIO(kpis(day, format="xlsx").content))["KPIs"]
    sheet_rows = [[c.value for c in r] for r in kpi_sheet.iter_rows()]
    card = manager.post(
        "/api/v1/scorecards",
        json={"vendor_id": vendor["id"], "period_start": str(TODAY), "period_end": str(TODAY)},
    )
    assert card.status_code == 201, card.text
    period = {"since": day["since"].isoformat(), "until": day["until"].isoformat()}
    return {
        "project": project["id"],
        "vendor": vendor["id"],
        "stats": ok(admin.get(f"/api/v1/projects/{project['id']}/stats")).json(),
        "vendor_stats": ok(admin.get(f"/api/v1/stats/vendors/{vendor['id']}", params=period)).json(),
        "handover": {i["project_id"]: i for i in at_risk}[project["id"]],
        "handover_csv": csv_item,
        "day": rows_of(kpis(day).json()),
        "hour": rows_of(kpis(hour).json()),
        "kpi_csv": {(r[0], r[1]): dict(zip(kpi_csv[0], r, strict=True)) for r in kpi_csv[1:]},
        "kpi_xlsx": {(r[0], r[1]): dict(zip(sheet_rows[0], r, strict=True)) for r in sheet_rows[1:]},
        "breaches_counted": eventually(lambda: breaches_counted(cluster) - counted_before or None),
        "scorecard": card.json()["result"],
        "manager": manager,
        "since": since,
        "due": soon,
    }


def project_row(s: dict, report: str = "day") -> dict:
    return s[report][("project", s["project"])]


def vendor_row(s: dict, report: str = "day") -> dict:
    return s[report][("vendor", s["vendor"])]


def test_on_time_and_breaches_agree_everywhere_and_an_open_task_past_due_is_breached(surfaces):
    s = surfaces
    sla, item, row = s["stats"]["sla"], s["handover"], project_row(s)
    csv_row = s["kpi_csv"][("project", str(s["project"]))]

    assert (sla["tasks_on_time"], sla["sla_breaches"], sla["on_time_rate"]) == (4, 2, 0.6667)
    assert (item["tasks_on_time"], item["sla_breaches"], item["on_time_rate"]) == (4, 2, 0.6667)
    assert (s["handover_csv"]["sla_breaches"], s["handover_csv"]["on_time_rate"]) == ("2", "0.6667")
    assert (row["tasks_on_time"], row["sla_breaches"], row["on_time_rate"]) == (4, 2, 0.6667)
    assert (csv_row["sla_breaches"], csv_row["on_time_rate"]) == ("2", "0.6667")
    assert s["breaches_counted"] == 2
    assert sla["open_breached_tasks"] == 1


def test_a_breach_counts_in_the_window_of_its_due_time_and_an_on_time_task_in_that_of_its_final_label(
    surfaces, ops
):
    # Tasks 4 and 5 were due at `due`; every answer came at least 0.2 s after it.
    cut = surfaces["due"] + timedelta(seconds=0.1)

    def item(since: datetime, until: datetime) -> dict:
        params = {"since": since.isoformat(), "until": until.isoformat()}
        report = ok(ops.get("/api/v1/reports/handover", params=params)).json()
        items = {s["title"]: s for s in report["sections"]}["Projects at risk"]["items"]
        return {i["project_id"]: i for i in items}.get(surfaces["project"], {})

    before, after = item(surfaces["since"], cut), item(cut, now() + timedelta(seconds=1))

    assert (before["sla_breaches"], before["tasks_on_time"]) == (2, 0)
    assert (after["sla_breaches"], after["tasks_on_time"]) == (0, 4)


def test_at_risk_is_the_open_task_due_within_the_last_fifth_of_the_sla(surfaces):
    assert surfaces["stats"]["sla"]["at_risk_tasks"] == surfaces["handover"]["at_risk_tasks"] == 1


def test_gold_accuracy_agrees_everywhere(surfaces):
    s = surfaces
    values = {s["stats"]["gold_accuracy"], project_row(s)["gold_accuracy"], vendor_row(s)["gold_accuracy"],
              s["vendor_stats"]["gold_accuracy"], s["kpi_xlsx"][("project", s["project"])]["gold_accuracy"]}  # fmt: skip

    assert values == {0.75} and s["scorecard"]["measured"]["quality"] == "0.7500"


def test_handling_time_and_productivity_agree_everywhere(surfaces):
    s = surfaces
    scopes = (s["stats"], project_row(s), vendor_row(s), s["vendor_stats"])

    assert {x["avg_handling_seconds"] for x in scopes} == {300.0}
    assert {x["productivity_per_hour"] for x in scopes} == {12.0}
    assert s["scorecard"]["measured"]["productivity_per_hour"] == "12.0000"


def test_throughput_over_the_stated_hour_agrees(surfaces):
    s = surfaces

    assert s["stats"]["throughput_window_hours"] == 1
    assert s["stats"]["throughput_per_hour"] == project_row(s, "hour")["throughput_per_hour"] == 5.0


def test_turnaround_import_to_final_label_agrees(surfaces):
    s = surfaces
    stats, row = s["stats"]["turnaround"], project_row(s, "hour")

    assert (stats["tasks_finished"], stats["avg_turnaround_seconds"]) == (5, row["avg_turnaround_seconds"])
    assert 2 <= stats["avg_turnaround_seconds"] < 120 and row["tasks_finished"] == 5


def test_scorecard_turnaround_is_the_delivery_time_the_reports_show(surfaces):
    s = surfaces
    delivery = vendor_row(s)["delivery_turnaround_hours"]
    turnaround = {t["term"]: t for t in s["scorecard"]["terms"]}["turnaround_hours"]

    assert delivery == s["vendor_stats"]["delivery_turnaround_hours"]
    assert s["scorecard"]["measured"]["turnaround_hours"] == turnaround["measured"] == four_places(delivery)
    # Not the 300 s (0.0833 h) the labeler reported spending.
    assert delivery < 0.05


def test_delivery_on_time_rate_agrees(surfaces):
    s = surfaces

    assert vendor_row(s)["delivery_on_time_rate"] == s["vendor_stats"]["delivery_on_time_rate"] == 0.8
    assert s["scorecard"]["delivery_on_time_rate"] == "0.8000"


def test_accepted_and_rejected_labels_agree(surfaces):
    s = surfaces
    progress = s["stats"]["progress"]

    assert (progress["accepted"], progress["rejected"]) == (4, 1)
    for row in (project_row(s), vendor_row(s)):
        assert (row["accepted_labels"], row["rejected_labels"]) == (4, 1)
    assert (s["scorecard"]["accepted_units"], s["scorecard"]["rejected_units"]) == (4, 1)


def test_contracted_cost_per_accepted_label_agrees_and_the_invoiced_one_is_named_apart(surfaces):
    s = surfaces
    project_key, vendor_key = ("project", str(s["project"])), ("vendor", str(s["vendor"]))

    costs = {project_row(s)["cost_per_accepted_label_contracted"],
             vendor_row(s)["cost_per_accepted_label_contracted"],
             s["kpi_csv"][project_key]["cost_per_accepted_label_contracted"],
             s["kpi_csv"][vendor_key]["cost_per_accepted_label_contracted"],
             s["scorecard"]["cost_per_accepted_label_contracted"]}  # fmt: skip
    assert costs == {"0.5000"} and s["scorecard"]["contracted_spend"] == vendor_row(s)["spend"] == "2.00"
    assert s["kpi_xlsx"][("project", s["project"])]["cost_per_accepted_label_contracted"] == 0.5  # a number
    # No approved invoice in the period: the invoiced figure is unknown, not the contracted one.
    assert s["scorecard"]["cost_per_accepted_label_invoiced"] is None
    assert "cost_per_accepted_label" not in vendor_row(s)


def test_agreement_agrees(surfaces):
    # One answer per task: there is nothing to agree on, on every surface.
    assert surfaces["stats"]["agreement"]["krippendorff_alpha"] is project_row(surfaces)["agreement"] is None


def test_a_draft_scorecard_is_hidden_from_the_vendors_users_until_published(surfaces, users):
    vendor_user = users.create("vendor", vendor_id=surfaces["vendor"])
    (card,) = (
        surfaces["manager"]
        .get("/api/v1/scorecards", params={"vendor_id": surfaces["vendor"]})
        .json()["items"]
    )

    hidden = vendor_user.get(f"/api/v1/scorecards/{card['id']}").status_code
    listed_before = vendor_user.get("/api/v1/scorecards").json()["items"]
    assert surfaces["manager"].post(f"/api/v1/scorecards/{card['id']}/publish").status_code == 200
    shown = vendor_user.get(f"/api/v1/scorecards/{card['id']}")

    assert (hidden, listed_before) == (404, [])
    assert (
        shown.status_code == 200 and shown.json()["result"]["cost_per_accepted_label_contracted"] == "0.5000"
    )


def test_a_restarted_tasks_service_does_not_count_the_same_breaches_again(surfaces, cluster):
    # Prometheus reads a counter's increase; counting every breach again after a restart (or once per
    # worker) would alert on breaches long handled. The database's watermark says what was counted.
    cluster.stop("tasks")
    cluster.restart("tasks")

    assert breaches_counted(cluster) == breaches_counted(cluster) == 0
