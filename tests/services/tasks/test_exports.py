"""Results, exports and imports of the tasks service in process, on SQLite and PostgreSQL: final labels
with corrections and stored aggregates, flat CSV, typed XLSX, Label Studio tasks and config, paging,
and imports that keep ids, annotations, predictions, row numbers and unknown keys."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any
from xml.etree import ElementTree

import orjson
import pytest
from openpyxl import load_workbook

from tests.services.tasks.helpers import next_id, project_body

CHOICES = {"type": "choices", "choices": ["cat", "dog"], "multiple": False}


@pytest.fixture(scope="module")
def tasks(service_in_process):
    return service_in_process("tasks")


@pytest.fixture(scope="module")
def admin(tasks):
    return tasks.as_role("admin")


def _project(admin, rows: list[dict[str, Any]] | None = None, **overrides) -> dict[str, Any]:
    project = admin.post("/api/v1/projects", json=project_body(**overrides))
    assert project.status_code == 201, project.text
    if rows:
        imported = admin.post(f"/api/v1/projects/{project.json()['id']}/tasks", json=rows)
        assert imported.status_code == 201, imported.text
    return project.json()


def _activate(admin, project_id: int) -> dict[str, int]:
    assert admin.post(f"/api/v1/projects/{project_id}/transitions", json={"to": "active"}).status_code == 200
    return {q["kind"]: q["id"] for q in admin.get(f"/api/v1/projects/{project_id}/queues").json()["items"]}


def _worker(tasks):
    contributor_id = next_id()
    event = {
        "id": str(uuid.uuid4()),
        "type": "contributor.upserted",
        "source": "contributors",
        "occurred_at": "2026-01-01T00:00:00Z",
        "data": {
            "contributor_id": contributor_id,
            "version": 1,
            "status": "active",
            "vendor_id": None,
            "languages": [{"code": "en", "proficiency": "native"}],
            "skills": [],
            "qualifications": [],
            "wellness": {
                "daily_caps_minutes": {"low": 480, "medium": 240, "high": 120},
                "opted_out_harmful": False,
                "timezone": "UTC",
            },
        },
    }
    assert tasks.as_service("contributors").post("/internal/events", json=event).status_code == 200
    client = tasks.as_role("contributor", contributor_id=contributor_id)
    client.contributor_id = contributor_id
    return client


def _work(client, queue_id: int, answer: Any) -> dict[str, Any]:
    lease = client.post(f"/api/v1/queues/{queue_id}/next")
    assert lease.status_code == 200, lease.text
    submitted = client.post(
        f"/api/v1/assignments/{lease.json()['assignment_id']}/submit",
        json={"answer": answer, "time_spent_seconds": 12},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert submitted.status_code == 201, submitted.text
    return submitted.json()


def _reviewer(tasks, admin, queue_id: int):
    client = _worker(tasks)
    grant = admin.post(
        f"/api/v1/queues/{queue_id}/permissions",
        json={"contributor_id": client.contributor_id, "role": "reviewer"},
    )
    assert grant.status_code == 201, grant.text
    return client


def _review(reviewer, queue_id: int, verdict: str, answer: Any = None, **extra) -> None:
    lease = reviewer.post(f"/api/v1/queues/{queue_id}/next")
    assert lease.status_code == 200, lease.text
    body = {"submission_id": lease.json()["submission_id"], "verdict": verdict, **extra}
    if answer is not None:
        body["answer"] = answer
    assert reviewer.post("/api/v1/reviews", json=body).status_code == 201


def _export(admin, project_id: int, fmt: str):
    response = admin.get(f"/api/v1/projects/{project_id}/export", params={"format": fmt})
    assert response.status_code == 200, response.text
    return response


def _results(admin, project_id: int, **params) -> dict[str, Any]:
    response = admin.get(f"/api/v1/projects/{project_id}/results", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# --- final labels --------------------------------------------------------------------------------


def test_two_corrections_survive_a_later_requeue_and_reach_every_export(tasks, admin):
    project = _project(admin, [{"data": {"text": "a"}}], overlap=3, review_ratio=1.0)
    queues = _activate(admin, project["id"])
    for answer in ("cat", "cat", "cat"):
        _work(_worker(tasks), queues["labeling"], answer)
    reviewer = _reviewer(tasks, admin, queues["review"])

    _review(reviewer, queues["review"], "correct", "dog")
    _review(reviewer, queues["review"], "correct", "dog")
    _review(reviewer, queues["review"], "reject", requeue=True)

    item = _results(admin, project["id"])["items"][0]
    assert (item["final_answer"], item["final_source"], item["final_confidence"]) == ("dog", "review", 1.0)
    assert orjson.loads(_export(admin, project["id"], "json").content)[0]["final_answer"] == "dog"
    ls = orjson.loads(_export(admin, project["id"], "label-studio").content)[0]
    assert [a["result"][0]["value"]["choices"] for a in ls["annotations"] if a["ground_truth"]] == [["dog"]]


def test_a_dawid_skene_aggregate_is_stored_and_delivered_with_its_confidence(tasks, admin):
    project = _project(admin, [{"data": {"text": "a"}}], overlap=2)
    queues = _activate(admin, project["id"])
    _work(_worker(tasks), queues["labeling"], "dog")
    _work(_worker(tasks), queues["labeling"], "dog")

    aggregated = admin.post(f"/api/v1/projects/{project['id']}/aggregate", json={"method": "dawid_skene"})

    assert aggregated.status_code == 200, aggregated.text
    item = _results(admin, project["id"])["items"][0]
    assert (item["final_answer"], item["final_source"]) == ("dog", "dawid_skene")
    assert item["final_confidence"] == pytest.approx(aggregated.json()["tasks"][0]["confidence"])
    ls = orjson.loads(_export(admin, project["id"], "label-studio").content)[0]
    assert ls["predictions"][0]["model_version"] == "labelops-dawid_skene"


def test_gold_tasks_are_flagged_in_every_export(tasks, admin):
    project = _project(admin, [{"data": {"text": "g"}, "gold_answer": "cat"}, {"data": {"text": "p"}}])

    csv_rows = list(csv.DictReader(io.StringIO(_export(admin, project["id"], "csv").text)))
    ls = orjson.loads(_export(admin, project["id"], "label-studio").content)
    items = _results(admin, project["id"])["items"]

    assert [r["is_gold"] for r in csv_rows] == ["true", "false"]
    assert [t["meta"]["is_gold"] for t in ls] == [True, False]
    assert [i["is_gold"] for i in items] == [True, False]
    assert (items[0]["final_answer"], items[0]["final_source"]) == ("cat", "gold")


# --- formats -------------------------------------------------------------------------------------


def test_the_csv_is_flat_with_a_column_per_data_key_and_plain_answers(tasks, admin):
    project = _project(admin, [{"data": {"text": "a, b", "n": 3}}, {"data": {"text": "c"}}])
    queues = _activate(admin, project["id"])
    _work(_worker(tasks), queues["labeling"], "dog")

    response = _export(admin, project["id"], "csv")

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.headers["content-type"].startswith("text/csv")
    assert (rows[0]["text"], rows[0]["n"], rows[1]["n"]) == ("a, b", "3", "")
    assert (rows[0]["final_answer"], rows[0]["answer_count"], rows[1]["final_answer"]) == ("dog", "1", "")
    assert "data" not in rows[0] and "answers" not in rows[0]


def test_the_xlsx_has_typed_cells_a_frozen_filtered_header_and_a_cover_sheet(tasks, admin):
    project = _project(admin, [{"data": {"text": "=1+1", "n": 3}}])
    queues = _activate(admin, project["id"])
    _work(_worker(tasks), queues["labeling"], "dog")

    workbook = load_workbook(io.BytesIO(_export(admin, project["id"], "xlsx").content))

    assert workbook.sheetnames == ["About", "Tasks"]
    sheet = workbook["Tasks"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c for c in sheet[2]], strict=True))
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", f"A1:{sheet[1][-1].column_letter}2")
    assert sheet["A1"].font.bold
    assert (row["task_id"].data_type, row["n"].value, row["answer_count"].value) == ("n", 3, 1)
    assert row["created_at (UTC)"].is_date and row["is_gold"].value is False
    assert (row["text"].value, row["text"].data_type) == ("=1+1", "s")
    cover = {
        r[0].value: r[1].value for r in workbook["About"].iter_rows(min_row=2) if len(r) > 1 and r[0].value
    }
    assert cover["project_id"] == project["id"] and "window" in cover and "final_answer" in cover


def test_the_label_studio_config_matches_the_exports_names(tasks, admin):
    project = _project(admin, [{"data": {"text": "a cat", "n": 1}}])

    config = admin.get(f"/api/v1/projects/{project['id']}/label-studio-config")
    task = orjson.loads(_export(admin, project["id"], "label-studio").content)[0]

    assert config.headers["content-type"].startswith("application/xml")
    view = ElementTree.fromstring(config.text)
    control = view.find("Choices")
    assert [c.get("value") for c in control.findall("Choice")] == ["cat", "dog"]
    assert (control.get("name"), control.get("toName")) == ("label", "text")
    assert task["data"] == {"text": "a cat", "n": 1}


def test_a_project_without_tasks_has_no_label_studio_config(tasks, admin):
    project = _project(admin)

    assert admin.get(f"/api/v1/projects/{project['id']}/label-studio-config").status_code == 404


def test_results_page_with_a_cursor_through_every_task(tasks, admin):
    project = _project(admin, [{"data": {"n": n}} for n in range(5)])

    first = _results(admin, project["id"], limit=2)
    second = _results(admin, project["id"], limit=2, cursor=first["next_cursor"])
    third = _results(admin, project["id"], limit=2, cursor=second["next_cursor"])

    pages = [first, second, third]
    assert [[i["data"]["n"] for i in p["items"]] for p in pages] == [[0, 1], [2, 3], [4]]
    assert third["next_cursor"] is None


def test_the_json_export_streams_every_task_past_a_page(tasks, admin, monkeypatch):
    from services.tasks.service import exports

    monkeypatch.setattr(exports, "EXPORT_PAGE", 2)
    project = _project(admin, [{"data": {"n": n}} for n in range(5)])

    json_rows = orjson.loads(_export(admin, project["id"], "json").content)
    lines = _export(admin, project["id"], "jsonl").text.strip().splitlines()

    assert [r["data"]["n"] for r in json_rows] == [0, 1, 2, 3, 4]
    assert len(lines) == 5


# --- imports -------------------------------------------------------------------------------------


def _import(admin, project_id: int, body, **params):
    if isinstance(body, (bytes, str)):
        return admin.post(
            f"/api/v1/projects/{project_id}/tasks",
            content=body,
            params=params,
            headers={"Content-Type": "text/csv"},
        )
    return admin.post(f"/api/v1/projects/{project_id}/tasks", json=body, params=params)


def _ls_result(choice: str) -> list[dict[str, Any]]:
    return [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}]


def test_a_label_studio_id_comes_back_in_every_export(tasks, admin):
    project = _project(admin)
    _import(admin, project["id"], [{"id": 4242, "data": {"text": "a"}}])

    results = _results(admin, project["id"])["items"]
    csv_rows = list(csv.DictReader(io.StringIO(_export(admin, project["id"], "csv").text)))
    ls = orjson.loads(_export(admin, project["id"], "label-studio").content)

    assert (results[0]["external_id"], csv_rows[0]["external_id"]) == ("4242", "4242")
    assert (ls[0]["id"], ls[0]["meta"]["external_id"]) == (4242, "4242")


def test_label_studio_annotations_become_gold_when_asked(tasks, admin):
    project = _project(admin)
    row = {"id": 1, "data": {"text": "a"}, "annotations": [{"result": _ls_result("dog")}]}

    imported = _import(admin, project["id"], [row], annotations="gold").json()

    item = _results(admin, project["id"])["items"][0]
    assert (imported["gold"], item["is_gold"], item["gold_answer"]) == (1, True, "dog")


def test_label_studio_annotations_and_predictions_become_prelabels(tasks, admin):
    project = _project(admin)
    row = {
        "data": {"text": "a"},
        "annotations": [{"result": _ls_result("dog")}],
        "predictions": [{"model_version": "m1", "score": 0.8, "result": _ls_result("cat")}],
    }

    imported = _import(admin, project["id"], [row]).json()

    item = _results(admin, project["id"])["items"][0]
    assert (imported["gold"], imported["prelabeled"], item["is_gold"]) == (0, 1, False)
    assert [p["answer"] for p in item["prelabels"]] == ["dog", "cat"]
    ls = orjson.loads(_export(admin, project["id"], "label-studio").content)[0]
    assert [p["model_version"] for p in ls["predictions"]] == ["annotation", "m1"]


def test_import_errors_name_the_files_own_rows_and_unknown_keys_are_warnings(tasks, admin):
    project = _project(admin, label_schema={"type": "choices", "choices": ["0", "1", "2", "3", "4"]})
    body = "text,gold_answer\nok,2\nbad,7\nfine,4\nworse,9\n"

    csv_import = _import(admin, project["id"], body).json()
    json_import = _import(admin, project["id"], [{"data": {"t": 1}, "inner_id": 3, "gold_answer": 1}]).json()

    assert (csv_import["imported"], [e["row"] for e in csv_import["errors"]]) == (2, [3, 5])
    assert json_import["warnings"] == [
        {"key": "inner_id", "rows": 1, "first_row": 1, "detail": "not a task field: ignored"}
    ]
    gold = [i["gold_answer"] for i in _results(admin, project["id"])["items"]]
    assert gold == ["2", "4", "1"]
