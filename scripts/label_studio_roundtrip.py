"""Prove that real Label Studio imports a LabelOps export, and that Label Studio's own export comes back.

    make label-studio-check            (or: .venv/bin/python scripts/label_studio_roundtrip.py)

1. A throwaway virtualenv gets `label-studio==LABEL_STUDIO_VERSION` from PyPI (it is heavy, Django, so
   it never enters the project's own venv or requirements). Default place: /tmp/labelops-label-studio-venv,
   or LABELOPS_LABEL_STUDIO_VENV; it is reused when it already has that version.
2. The LabelOps tasks service runs in this process on a fresh SQLite database (tests/support/inprocess):
   a choices project gets Label Studio tasks with ids, annotations (one as gold) and predictions,
   contributors answer, a reviewer corrects one task, Dawid-Skene aggregates. Its
   `GET /projects/{id}/label-studio-config` and `GET /projects/{id}/export?format=label-studio` are
   written to the work directory.
3. `label-studio start` runs on 127.0.0.1 (its own SQLite under the work directory). Through its API
   a project is created with our config (Label Studio validates the XML) and our export is imported
   with its import endpoint (Label Studio validates tasks, annotations and predictions against the
   config). The counts it reports must match what we sent, and its JSON export must keep our
   from_name/to_name and choices. Label Studio's own LabelInterface (label_studio_sdk, installed with
   it) validates the config, every task, annotation and prediction of the export, and refuses a
   result naming another object: the 1.23.2 server stores annotations (and, here, predictions)
   without checking their names against the config, so that check is where the names are proven.
4. Label Studio's own export is imported back into a new LabelOps project (`annotations=gold`): every
   task must land, keep the Label Studio id as its external id and its annotation as gold.

Prints a JSON report; exits 1 when a check fails. The Label Studio server is stopped at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LABEL_STUDIO_VERSION = "1.23.2"
# label-studio 1.23.2 asks for sentry-sdk>=2.16 and fails at start with sentry-sdk 3 (an unknown option).
EXTRA_PINS = ["sentry-sdk>=2.16,<3"]
VENV = Path(os.environ.get("LABELOPS_LABEL_STUDIO_VENV", "/tmp/labelops-label-studio-venv"))
CHOICES = ["cat", "dog", "fox"]
START_TIMEOUT_SECONDS = 600  # the first start migrates Label Studio's database


def ensure_label_studio() -> Path:
    """The throwaway venv's label-studio executable, installed from PyPI when missing."""
    executable = VENV / "bin" / "label-studio"
    python = VENV / "bin" / "python"
    if python.exists():
        found = subprocess.run(
            [str(python), "-m", "pip", "show", "label-studio"], capture_output=True, text=True, check=False
        ).stdout
        if f"Version: {LABEL_STUDIO_VERSION}" in found and executable.exists():
            return executable
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            f"label-studio=={LABEL_STUDIO_VERSION}",
            *EXTRA_PINS,
        ],
        check=True,
    )
    return executable


# --- LabelOps side ---------------------------------------------------------------------------------


def _ls_result(choice: str) -> list[dict[str, Any]]:
    return [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}]


def _ok(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        raise SystemExit(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return response.json() if "json" in response.headers.get("content-type", "") else response.text


def _worker(app: Any) -> httpx.Client:
    contributor_id = int(uuid.uuid4().int % 10**9)
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
            "wellness": {"daily_caps_minutes": {}, "opted_out_harmful": False, "timezone": "UTC"},
        },
    }
    _ok(app.as_service("contributors").post("/internal/events", json=event))
    client = app.as_role("contributor", contributor_id=contributor_id)
    client.contributor_id = contributor_id  # type: ignore[attr-defined]
    return client


def _answer_until_done(client: httpx.Client, queue_id: int, answers: list[str]) -> None:
    """Answer the queue's tasks in turn with `answers` (cycled) until it has none left for the client."""
    for n in range(1000):
        lease = client.post(f"/api/v1/queues/{queue_id}/next")
        if lease.status_code == 204:
            return
        _ok(
            client.post(
                f"/api/v1/assignments/{_ok(lease)['assignment_id']}/submit",
                json={"answer": answers[n % len(answers)], "time_spent_seconds": 9},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            ),
            201,
        )


def labelops_export(app: Any) -> tuple[int, str, list[dict[str, Any]]]:
    """A worked project's (id, Label Studio config, Label Studio export)."""
    admin = app.as_role("admin")
    body = {
        "name": "label studio round trip",
        "task_type": "classification",
        "label_schema": {"type": "choices", "choices": CHOICES, "multiple": False},
        "overlap": 2,
        "gold_ratio": 0.0,
        "review_ratio": 0.0,
        "content_severity": "none",
        "lease_seconds": 600,
    }
    project = _ok(admin.post("/api/v1/projects", json=body), 201)
    pid = project["id"]
    rows = [
        {
            "id": 1000 + n,
            "data": {"text": f"a picture of animal {n}"},
            "predictions": [{"model_version": "zoo-v1", "score": 0.6, "result": _ls_result(CHOICES[n % 3])}],
        }
        for n in range(6)
    ]
    rows[0]["annotations"] = [{"result": _ls_result("cat"), "ground_truth": True}]
    _ok(admin.post(f"/api/v1/projects/{pid}/tasks", params={"annotations": "gold"}, json=rows[:1]), 201)
    _ok(admin.post(f"/api/v1/projects/{pid}/tasks", json=rows[1:]), 201)
    _ok(admin.post(f"/api/v1/projects/{pid}/transitions", json={"to": "active"}))
    queues = {q["kind"]: q["id"] for q in _ok(admin.get(f"/api/v1/projects/{pid}/queues"))["items"]}
    alice, bob = _worker(app), _worker(app)
    _answer_until_done(alice, queues["labeling"], ["cat", "dog", "dog", "fox", "cat"])
    _answer_until_done(bob, queues["labeling"], ["cat", "dog", "fox", "fox", "cat"])
    _ok(admin.post(f"/api/v1/projects/{pid}/aggregate", json={"method": "dawid_skene"}))
    config = admin.get(f"/api/v1/projects/{pid}/label-studio-config").text
    export = json.loads(
        admin.get(f"/api/v1/projects/{pid}/export", params={"format": "label-studio"}).content
    )
    return pid, config, export


# --- Label Studio side -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_label_studio(executable: Path, workdir: Path) -> tuple[subprocess.Popen, str, str]:
    port, token = _free_port(), uuid.uuid4().hex
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(workdir / "ls-data"),
        # The user token below is a "legacy" API token, which new organisations refuse unless enabled.
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "LABEL_STUDIO_DISABLE_VERSION_CHECK": "true",
    }
    command = [
        str(executable),
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(workdir / "ls-data"),
        "--username",
        "roundtrip@example.org",
        "--password",
        uuid.uuid4().hex,
        "--user-token",
        token,
    ]
    log = open(workdir / "label-studio.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"label-studio exited; see {workdir / 'label-studio.log'}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return server, url, token
        except httpx.HTTPError:
            pass
        time.sleep(2)
    server.terminate()
    raise SystemExit("label-studio did not start in time")


def _results_of(tasks: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    # Label Studio's JSON export lists a task's predictions by id only; annotations are whole objects.
    return [
        r
        for t in tasks
        for item in t.get(field) or []
        if isinstance(item, dict)
        for r in item.get("result") or []
    ]


def label_studio_import(url: str, token: str, config: str, export: list[dict[str, Any]]) -> dict[str, Any]:
    client = httpx.Client(base_url=url, headers={"Authorization": f"Token {token}"}, timeout=120)
    project = client.post("/api/projects", json={"title": "LabelOps round trip", "label_config": config})
    if project.status_code != 201:
        return {"config_accepted": False, "config_error": project.text}
    ls_project = project.json()["id"]
    imported = client.post(f"/api/projects/{ls_project}/import", json=export)
    report: dict[str, Any] = {
        "config_accepted": True,
        "import_status": imported.status_code,
        "import_response": imported.json() if imported.status_code < 500 else imported.text[:2000],
    }
    if imported.status_code != 201:
        return report
    # A prediction naming a control the config lacks, into a project of its own: whether the server
    # checks names on import at all (reported, not a check: the LabelInterface checks are the proof).
    other = client.post(
        "/api/projects", json={"title": "LabelOps wrong names", "label_config": config}
    ).json()
    wrong = dict(
        export[0], annotations=[], predictions=[{"result": [dict(_ls_result("cat")[0], from_name="nope")]}]
    )
    refused = client.post(f"/api/projects/{other['id']}/import", json=[wrong])
    report["refuses_unknown_from_name"] = refused.status_code == 400
    report["unknown_from_name_response"] = refused.text[:300]
    back = client.get(f"/api/projects/{ls_project}/export", params={"exportType": "JSON"})
    assert back.status_code == 200, back.text
    report["label_studio_export"] = back.json()
    return report


SDK_CHECK = """
import json, sys
from label_studio_sdk.label_interface import LabelInterface
config, tasks = json.load(sys.stdin)
li = LabelInterface(config)
li.validate()
annotations = [a for t in tasks for a in t["annotations"]]
predictions = [p for t in tasks for p in t["predictions"]]
wrong = {"result": [dict(annotations[0]["result"][0], to_name="nowhere")]}
print(json.dumps({
    "config_valid": True,
    "tasks_valid": all(li.validate_task({"data": t["data"]}) for t in tasks),
    "annotations_valid": all(li.validate_annotation(a) for a in annotations),
    "prediction_errors": [e for p in predictions for e in li.validate_prediction(p, return_errors=True)],
    "wrong_to_name_refused": not li.validate_annotation(wrong),
}))
"""


def sdk_validation(config: str, export: list[dict[str, Any]]) -> dict[str, Any]:
    """Label Studio's own LabelInterface (label_studio_sdk, installed with it) on our config and export:
    the server validates predictions on import but stores annotations as they come, so annotations are
    checked here."""
    ran = subprocess.run(
        [str(VENV / "bin" / "python"), "-c", SDK_CHECK],
        input=json.dumps([config, export]),
        capture_output=True,
        text=True,
        check=False,
    )
    if ran.returncode != 0:
        return {"error": ran.stderr[-2000:]}
    return json.loads(ran.stdout.strip().splitlines()[-1])


def labelops_reimport(app: Any, ls_export: list[dict[str, Any]]) -> dict[str, Any]:
    admin = app.as_role("admin")
    body = {
        "name": "back from label studio",
        "task_type": "classification",
        "label_schema": {"type": "choices", "choices": CHOICES, "multiple": False},
        "overlap": 1,
        "gold_ratio": 0.0,
        "review_ratio": 0.0,
        "content_severity": "none",
        "lease_seconds": 600,
    }
    pid = _ok(admin.post("/api/v1/projects", json=body), 201)["id"]
    result = _ok(
        admin.post(f"/api/v1/projects/{pid}/tasks", params={"annotations": "gold"}, json=ls_export), 201
    )
    items = _ok(admin.get(f"/api/v1/projects/{pid}/results", params={"limit": 500}))["items"]
    return {"import": result, "items": items}


def main() -> int:
    # The in-process service logs every request; the report is what this script prints.
    os.environ.setdefault("LABELOPS_LOG_LEVEL", "WARNING")
    from tests.support.inprocess import on_a_fresh_database

    executable = ensure_label_studio()
    workdir = Path(tempfile.mkdtemp(prefix="labelops-ls-"))
    checks: dict[str, bool] = {}
    server = None
    try:
        with on_a_fresh_database(
            "tasks",
            workdir,
        ) as app:
            pid, config, export = labelops_export(app)
            (workdir / "config.xml").write_text(config)
            (workdir / "export.json").write_text(json.dumps(export, indent=1))
            sdk = sdk_validation(config, export)
            checks["label studio's LabelInterface validates the config, tasks and annotations"] = (
                sdk.get("tasks_valid") and sdk.get("annotations_valid") and sdk.get("prediction_errors") == []
            ) is True
            checks["label studio's LabelInterface refuses a result naming another object"] = (
                sdk.get("wrong_to_name_refused") is True
            )
            server, url, token = start_label_studio(executable, workdir)
            report = label_studio_import(url, token, config, export)
            (workdir / "label-studio-report.json").write_text(json.dumps(report, indent=1, default=str))
            sent = {
                "tasks": len(export),
                "annotations": sum(len(t["annotations"]) for t in export),
                "predictions": sum(len(t["predictions"]) for t in export),
            }
            response = report.get("import_response") or {}
            checks["label studio accepts the labeling config"] = report["config_accepted"]
            checks["label studio imports the export (201)"] = report.get("import_status") == 201
            checks["every task, annotation and prediction is imported"] = isinstance(response, dict) and (
                response.get("task_count"),
                response.get("annotation_count"),
                response.get("prediction_count"),
            ) == (sent["tasks"], sent["annotations"], sent["predictions"])
            ls_export = report.get("label_studio_export") or []
            names = {
                (r.get("from_name"), r.get("to_name"), r.get("type"))
                for r in _results_of(ls_export, "annotations")
            }
            names |= {
                (r.get("from_name"), r.get("to_name"), r.get("type"))
                for r in _results_of(ls_export, "predictions")
            }
            checks["label studio keeps from_name/to_name of the config"] = names == {
                ("label", "text", "choices")
            }
            ours = sorted(
                c
                for t in export
                for a in t["annotations"]
                for r in a["result"]
                for c in r["value"]["choices"]
            )
            theirs = sorted(c for r in _results_of(ls_export, "annotations") for c in r["value"]["choices"])
            checks["label studio keeps every annotation's choices"] = ours == theirs
            back = labelops_reimport(app, ls_export) if ls_export else {"import": {}, "items": []}
            ls_ids = sorted(str(t["id"]) for t in ls_export)
            checks["label studio's export imports back into LabelOps"] = back["import"].get(
                "imported"
            ) == len(export)
            checks["label studio ids become external ids"] = (
                sorted(i["external_id"] for i in back["items"]) == ls_ids
            )
            checks["ground-truth annotations come back as gold"] = all(
                i["is_gold"] for i in back["items"]
            ) and len(back["items"]) == len(export)
        summary = {
            "label_studio_version": LABEL_STUDIO_VERSION,
            "workdir": str(workdir),
            "labelops_project": pid,
            "sent": sent,
            "label_studio_import_response": response,
            # Informational: 1.23.2's import endpoint stored a prediction naming no control of the config
            # (its prediction validation did not run), so the names are proven by LabelInterface above.
            "label_studio_server_refuses_a_wrong_from_name": report.get("refuses_unknown_from_name"),
            "label_interface": sdk,
            "reimport": {
                k: back["import"].get(k) for k in ("imported", "rejected", "gold", "prelabeled", "warnings")
            },
            "checks": checks,
        }
        print(json.dumps(summary, indent=2, default=str))
        return 0 if checks and all(checks.values()) else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if os.environ.get("LABELOPS_KEEP_WORKDIR") != "1":
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
