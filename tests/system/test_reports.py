"""The handover and KPI reports through the gateway, built from real work in every service.

Each figure is checked against data this module made: tickets, partner communications, shift notes, a
project with late and at-risk tasks, and a vendor's reviewed production priced by its contract. Counts
over a window are read as the change between a report before and one after the data was made.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.services.contributors.support import edit_follow_up, new_contributor
from tests.services.tasks.helpers import active_project, worker
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

PROBLEM = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TODAY = datetime.now(UTC).date()
CONTRACT_DATES = {"starts_on": str(TODAY - timedelta(days=30)), "ends_on": str(TODAY + timedelta(days=365))}


def now() -> datetime:
    return datetime.now(UTC)


def handover(client, since: datetime, until: datetime | None = None, **params):
    response = client.get(
        "/api/v1/reports/handover",
        params={
            "since": since.isoformat(),
            "until": (until or now() + timedelta(seconds=1)).isoformat(),
            **params,
        },
    )
    assert response.status_code == 200, response.text
    return response


def sections(report: dict) -> dict[str, dict]:
    return {s["title"]: s for s in report["sections"]}


def summary_change(before: dict, after: dict, title: str) -> dict:
    old, new = sections(before)[title]["summary"], sections(after)[title]["summary"]
    return {k: new[k] - old.get(k, 0) for k in new if isinstance(new[k], int)}


@pytest.fixture(scope="module")
def shift(ops, admin, users, cluster):
    """One shift of work in every service; returns what it made and the reports before and after."""
    since = now() - timedelta(seconds=1)
    before = handover(ops, since).json()
    agent = users.create("support")
    lead = users.create("ops")
    person = new_contributor(agent)
    tickets = []
    for subject in ("Cannot log in", "Missing payout", "Guideline question"):
        body = {"contributor_id": person["id"], "channel": "discord", "category": "access", "subject": subject,
                "body": "Please help."}  # fmt: skip
        tickets.append(agent.post("/api/v1/tickets", json=body).json())
    escalated = agent.post(
        f"/api/v1/tickets/{tickets[0]['id']}/escalate",
        json={"lead_id": lead.user["id"], "reason": "VIP contributor"},
    )
    assert escalated.status_code == 200, escalated.text
    resolved = agent.post(f"/api/v1/tickets/{tickets[1]['id']}/transitions", json={"to": "resolved"})
    assert resolved.status_code == 200, resolved.text

    manager = users.create("vendor_manager")
    vendor = new_vendor(manager)
    past_due = (now() - timedelta(hours=1)).isoformat()
    comms = []
    for direction, subject in (("inbound", "Capacity for March"), ("outbound", "Rate card v2")):
        body = {"vendor_id": vendor["id"], "direction": direction, "channel": "email", "subject": subject,
                "occurred_at": now().isoformat(), "follow_up_due_at": past_due}  # fmt: skip
        created = manager.post("/api/v1/communications", json=body)
        assert created.status_code == 201, created.text
        comms.append(created.json())

    note = ops.post(
        "/api/v1/shift-notes",
        json={
            "team": "relationship_managers",
            "subject": "Vendor asks for more volume",
            "body": "=call them back before noon",
            "follow_ups": [
                {"description": "Send the forecast", "owner": "Ana", "due_at": past_due},
                {"description": "Book a call", "owner": "Jon"},
            ],
        },
    ).json()
    done = note["follow_ups"][1]
    assert edit_follow_up(ops, note["id"], done["id"], {"done": True}).is_success

    # Three tasks due during the shift: two answered after their due time, one left open past it (all three
    # SLA breaches, settled at their due time); then a paused project.
    due = now() + timedelta(seconds=1)
    rows = [{"data": {"n": i}, "due_at": due.isoformat()} for i in range(3)]
    late_project, queues = active_project(admin, rows=rows, sla_turnaround_hours=1)
    time.sleep(max((due - now()).total_seconds(), 0) + 0.1)
    work(worker(users, cluster), queues["labeling"], answers=["cat", "dog"])
    paused, _ = active_project(admin, tasks=1)
    assert admin.post(f"/api/v1/projects/{paused['id']}/transitions", json={"to": "paused"}).is_success
    return {
        "since": since,
        "before": before,
        "tickets": tickets,
        "lead": lead.user,
        "vendor": vendor,
        "comms": comms,
        "note": note,
        "late_project": late_project,
        "paused": paused,
    }


def handover_after(ops, shift) -> dict:
    """The report once it shows the late project's three breaches."""

    def breached():
        report = handover(ops, shift["since"]).json()
        projects = {i["project_id"]: i for i in sections(report)["Projects at risk"]["items"]}
        late = projects.get(shift["late_project"]["id"])
        return report if late and late["sla_breaches"] == 3 else None

    return eventually(breached)


def test_handover_counts_the_contributor_queries_of_the_shift(ops, shift):
    after = handover_after(ops, shift)

    change = summary_change(shift["before"], after, "Contributor queries")
    attention = {i["ticket_id"]: i for i in sections(after)["Contributor queries"]["items"]}
    assert (change["opened"], change["handled"], change["escalated"], change["open"]) == (3, 1, 1, 2)
    assert attention[shift["tickets"][0]["id"]]["escalated_to"] == shift["lead"]["display_name"]
    assert shift["tickets"][1]["id"] not in attention  # resolved: nothing left to hand over


def test_handover_lists_shift_notes_and_the_follow_ups_still_pending(ops, shift):
    after = handover_after(ops, shift)
    note = shift["note"]

    notes = {i["note_id"]: i for i in sections(after)["Shift notes"]["items"]}
    pending = {i["follow_up_id"]: i for i in sections(after)["Shift note follow-ups"]["items"]}
    assert summary_change(shift["before"], after, "Shift notes")["relationship_managers"] == 1
    assert notes[note["id"]]["team"] == "relationship_managers" and notes[note["id"]]["open_follow_ups"] == 1
    assert summary_change(shift["before"], after, "Shift note follow-ups") == {"pending": 1, "overdue": 1}
    first, done = note["follow_ups"]
    assert pending[first["id"]]["owner"] == "Ana" and pending[first["id"]]["overdue"] is True
    assert done["id"] not in pending


def test_handover_shows_partner_communications_received_and_sent_and_follow_ups_owed(ops, shift):
    after = handover_after(ops, shift)
    inbound, outbound = shift["comms"]

    listed = {i["communication_id"]: i for i in sections(after)["Partner communications"]["items"]}
    owed = {i["communication_id"] for i in sections(after)["Partner follow-ups"]["items"]}
    assert summary_change(shift["before"], after, "Partner communications") == {"received": 1, "sent": 1}
    assert listed[inbound["id"]]["party"] == shift["vendor"]["name"]
    assert (listed[inbound["id"]]["direction"], listed[outbound["id"]]["direction"]) == (
        "inbound",
        "outbound",
    )
    assert summary_change(shift["before"], after, "Partner follow-ups") == {"pending": 2, "overdue": 2}
    assert {inbound["id"], outbound["id"]} <= owed


def test_handover_shows_projects_at_risk_paused_work_and_permission_changes(ops, shift):
    after = handover_after(ops, shift)
    late_id, paused_id = shift["late_project"]["id"], shift["paused"]["id"]

    late = {i["project_id"]: i for i in sections(after)["Projects at risk"]["items"]}[late_id]
    paused = [i for i in sections(after)["Paused work"]["items"] if i["kind"] == "project_paused"]
    changes = sections(after)["Permission changes"]["items"]
    # The task still open past its due time is a breach, not "at risk".
    assert (late["sla_breaches"], late["at_risk_tasks"], late["on_time_rate"]) == (3, 0, 0.0)
    assert summary_change(shift["before"], after, "Projects at risk")["sla_breaches"] == 3
    assert paused_id in {i["project_id"] for i in paused}
    assert {(c["project_id"], c["action"]) for c in changes} >= {(late_id, "grant"), (paused_id, "grant")}


def test_handover_as_csv_keeps_each_section_as_a_block(ops, shift):
    handover_after(ops, shift)

    response = handover(ops, shift["since"], format="csv")

    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="handover.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    start = rows.index(["Partner communications"])
    assert rows[start + 1][0] == "received" and int(rows[start + 1][1]) >= 1
    header = rows[start + 3]
    found = [
        r
        for r in rows[start + 4 :]
        if r and r[header.index("communication_id")] == str(shift["comms"][0]["id"])
    ]
    assert found and found[0][header.index("subject")] == "Capacity for March"
    # Free text that a spreadsheet would run as a formula is written as text.
    assert any("'=call them back before noon" in r for r in rows)


def test_handover_as_xlsx_opens_when_a_shift_note_holds_a_control_character(ops):
    since = now()
    created = ops.post(
        "/api/v1/shift-notes",
        json={"team": "relationship_managers", "subject": "Pasted", "body": "first line\x0bsecond line"},
    )
    assert created.status_code == 201, created.text

    response = handover(ops, since, format="xlsx")

    sheet = load_workbook(io.BytesIO(response.content))["Shift notes"]
    assert "first linesecond line" in [c.value for row in sheet.iter_rows() for c in row]


def test_handover_as_xlsx_has_a_sheet_per_section(ops, shift):
    handover_after(ops, shift)

    response = handover(ops, shift["since"], format="xlsx")

    assert response.headers["content-type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert {"Contributor queries", "Shift notes", "Partner follow-ups", "Projects at risk", "Paused work",
            "Permission changes"} <= set(workbook.sheetnames)  # fmt: skip
    sheet = workbook["Shift notes"]
    rows = [[c for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if r[0].value == "note_id")
    header = [c.value for c in rows[header_at]]
    (mine,) = [r for r in rows[header_at + 1 :] if r[0].value == shift["note"]["id"]]
    assert mine[header.index("team")].value == "relationship_managers"
    body = mine[header.index("body")]
    assert body.value == "=call them back before noon" and body.data_type == "s"
    summary = {r[0].value: r[1].value for r in rows[:header_at] if r[0].value}
    assert summary["relationship_managers"] >= 1


def _cover(workbook) -> dict:
    return {
        r[0].value: r[1].value for r in workbook["About"].iter_rows(min_row=2) if len(r) > 1 and r[0].value
    }


def test_handover_xlsx_opens_on_a_cover_with_its_window_and_has_styled_frozen_filtered_tables(ops, shift):
    handover_after(ops, shift)
    until = now() + timedelta(seconds=1)

    response = handover(ops, shift["since"], until, format="xlsx")

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "About"
    cover = _cover(workbook)
    assert cover["report"] == "shift handover"
    # A spreadsheet keeps times to the millisecond.
    assert abs(cover["since (UTC)"] - shift["since"].astimezone(UTC).replace(tzinfo=None)) < timedelta(
        seconds=0.01
    )
    assert abs(cover["until (UTC)"] - until.astimezone(UTC).replace(tzinfo=None)) < timedelta(seconds=0.01)
    assert isinstance(cover["generated at (UTC)"], datetime)
    # The projects section shows SLA figures: their definitions come from the tasks service's rules.
    assert "an open task past due is breached" in cover["sla_breaches"]
    assert cover["on_time_rate"].startswith("Tasks whose final label came by their due time")
    sheet = workbook["Shift notes"]
    header_at = next(r[0].row for r in sheet.iter_rows() if r[0].value == "note_id")
    assert sheet.cell(header_at, 1).font.bold and sheet.freeze_panes == f"A{header_at + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{header_at}:")
    (mine,) = [r for r in sheet.iter_rows(min_row=header_at + 1) if r[0].value == shift["note"]["id"]]
    written = mine[[c.value for c in sheet[header_at]].index("written_at")]
    assert written.is_date


# --- KPIs ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def production(admin, users):
    """A vendor paid 0.50 per NER label works five tasks of medium-severity content, 300 s each: three of
    four gold answers right, the plain task's answer rejected in review."""
    since = now() - timedelta(seconds=1)
    manager = users.create("vendor_manager")
    vendor = new_vendor(manager)
    rates = [{"task_type": "ner", "language": "en", "unit": "task", "unit_price": "0.50"}]
    active_contract_with_rates(manager, vendor["id"], rates, **CONTRACT_DATES)
    rows = [{"data": {"n": i}, "gold_answer": "cat"} for i in range(4)] + [{"data": {"n": 4}}]
    project, queues = vendor_project(
        admin, vendor["id"], task_type="ner", language="en", rows=rows, gold_ratio=1.0, review_ratio=1.0,
        content_severity="medium", sla_turnaround_hours=24,
    )  # fmt: skip
    staff = vendor_staff(admin, users, vendor["id"])
    answers = work(
        staff, queues["labeling"], by_task={0: "cat", 1: "cat", 2: "cat", 3: "dog", 4: "cat"}, seconds=300
    )
    checker = reviewer(admin, users, queues["review"])
    for submission in answers:
        decide(checker, submission, "reject" if submission["data"]["n"] == 4 else "accept")
    return {"since": since, "vendor": vendor, "project": project}


def kpis(client, since: datetime, **params):
    response = client.get(
        "/api/v1/reports/kpis",
        params={"since": since.isoformat(), "until": (now() + timedelta(seconds=1)).isoformat(), **params},
    )
    assert response.status_code == 200, response.text
    return response


def kpi_rows(ops, production) -> dict[tuple[str, int], dict]:
    """The KPI rows once the contributors service has the exposure the tasks service reported."""

    def with_exposure():
        rows = {(r["scope"], r["id"]): r for r in kpis(ops, production["since"]).json()["rows"]}
        row = rows.get(("project", production["project"]["id"]), {})
        return rows if row.get("exposure_minutes") == 25.0 else None

    return eventually(with_exposure)


def test_kpis_per_project_combine_every_services_figures(ops, production):
    row = kpi_rows(ops, production)[("project", production["project"]["id"])]

    assert (row["accepted_labels"], row["rejected_labels"], row["submissions"]) == (4, 1, 5)
    assert (row["gold_accuracy"], row["rejection_rate"], row["on_time_rate"]) == (0.75, 0.2, 1.0)
    assert row["avg_handling_seconds"] == 300 and row["throughput_per_hour"] > 0
    assert (row["exposure_minutes"], row["high_severity_minutes"], row["exposed_contributors"]) == (
        25.0,
        0.0,
        1,
    )
    assert (row["spend"], row["currency"], row["cost_per_accepted_label_contracted"]) == (
        "2.00",
        "USD",
        "0.5000",
    )


def test_kpis_per_vendor_carry_the_same_figures_for_its_only_project(ops, production):
    row = kpi_rows(ops, production)[("vendor", production["vendor"]["id"])]

    assert (row["accepted_labels"], row["gold_accuracy"], row["rejection_rate"]) == (4, 0.75, 0.2)
    assert (row["exposure_minutes"], row["spend"], row["cost_per_accepted_label_contracted"]) == (
        25.0,
        "2.00",
        "0.5000",
    )


def test_kpis_as_csv_and_xlsx_carry_the_same_rows(ops, production):
    kpi_rows(ops, production)
    project_id = str(production["project"]["id"])

    table = list(csv.reader(io.StringIO(kpis(ops, production["since"], format="csv").text)))
    sheet = load_workbook(io.BytesIO(kpis(ops, production["since"], format="xlsx").content))["KPIs"]

    header = table[0]
    (mine,) = [r for r in table[1:] if r[0] == "project" and r[1] == project_id]
    assert mine[header.index("cost_per_accepted_label_contracted")] == "0.5000"
    assert mine[header.index("accepted_labels")] == "4"
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert cells[0] == header
    (row,) = [r for r in cells[1:] if r[0] == "project" and r[1] == int(project_id)]
    assert row[header.index("gold_accuracy")] == 0.75 and row[header.index("spend")] == 2
    # Money is a number in the workbook (a text cell cannot be summed).
    assert row[header.index("cost_per_accepted_label_contracted")] == 0.5


def test_kpis_xlsx_has_a_cover_defining_each_kpi_and_a_bold_frozen_filtered_header(ops, production):
    kpi_rows(ops, production)

    workbook = load_workbook(io.BytesIO(kpis(ops, production["since"], format="xlsx").content))

    cover, sheet = _cover(workbook), workbook["KPIs"]
    assert workbook.sheetnames == ["About", "KPIs"]
    assert (cover["report"], cover["period"]) == ("KPI report", "week")
    assert (
        cover["gold_accuracy"]
        == "Answers to gold tasks equal to the gold answer, over answers to gold tasks."
    )
    assert cover["cost_per_accepted_label_contracted"].startswith("Cost per accepted label, contracted")
    assert "exposure_minutes" in cover and "throughput_per_hour" in cover
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet[1][-1].column_letter}{sheet.max_row}"
    header = [c.value for c in sheet[1]]
    (row,) = [
        r
        for r in sheet.iter_rows(min_row=2)
        if r[0].value == "project" and r[1].value == production["project"]["id"]
    ]
    assert row[header.index("accepted_labels")].data_type == "n"
    assert row[header.index("spend")].data_type == "n"


def test_kpis_json_carries_the_definitions(ops, production):
    report = kpis(ops, production["since"]).json()

    assert report["definitions"]["gold_accuracy"].startswith("Answers to gold tasks")
    assert "spend" in report["definitions"] and "exposure_minutes" in report["definitions"]


# --- access and errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["contributor", "vendor", "integration"])
def test_reports_are_for_operations_staff_only(role, users):
    outsider = users.create(role, vendor_id=11, contributor_id=12)

    assert outsider.get("/api/v1/reports/handover").status_code == 403
    assert outsider.get("/api/v1/reports/kpis").status_code == 403


@pytest.mark.parametrize("role", ["analyst", "support", "vendor_manager"])
def test_staff_roles_read_reports(role, users):
    assert users.create(role).get("/api/v1/reports/handover").status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"period": "year"}, "period"),
        ({"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "since"),
        ({"since": "2020-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "since"),
        ({"until": "not a time"}, "until"),
    ],
)
def test_bad_parameters_are_a_422_naming_the_field(params, field, ops):
    response = ops.get("/api/v1/reports/kpis", params=params)

    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_service_down_makes_the_report_a_503_naming_it(ops, cluster):
    cluster.stop("vendors")
    try:
        response = ops.get("/api/v1/reports/handover")
    finally:
        cluster.restart("vendors")

    assert response.status_code == 503 and response.headers["content-type"] == PROBLEM
    assert response.json()["service"] == "vendors"
    assert ops.get("/api/v1/reports/handover").status_code == 200
