"""Projects through the gateway: creation, lifecycle, queues and grants from rules, bulk import."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from services.tasks.repository.projects import ANALYZE_AFTER_ROWS
from shared.pagination import encode_position
from tests.services.tasks.helpers import activate, create_project, project_body
from tests.support.api import every_item
from tests.support.databases import BACKEND
from tests.support.sql import query
from tests.support.waiting import eventually


def _in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def test_a_new_project_is_a_draft(admin, cluster):
    response = admin.post("/api/v1/projects", json=project_body())

    assert response.status_code == 201
    assert response.json()["status"] == "draft"


def test_a_label_schema_without_choices_is_refused_naming_the_field(admin, cluster):
    response = admin.post(
        "/api/v1/projects", json=project_body(label_schema={"type": "choices", "choices": []})
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/label_schema/choices"


def test_an_unknown_project_field_is_refused(admin, cluster):
    response = admin.post("/api/v1/projects", json=project_body(colour="red"))

    assert response.status_code == 422


def test_a_transition_outside_the_lifecycle_lists_the_allowed_targets(admin, cluster):
    project = create_project(admin)

    response = admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": "completed"})

    assert response.status_code == 409
    assert response.json()["allowed"] == ["active", "archived"]


def test_activation_creates_a_labeling_and_a_review_queue(admin, cluster):
    project = create_project(admin)

    queues = activate(admin, project["id"])

    assert set(queues) == {"labeling", "review"}


def test_activation_grants_the_allowed_vendors_and_the_crowd_and_audits_it(admin, cluster, databases):
    project = create_project(admin, allowed_vendors=[71, 72], crowd_allowed=True)

    queues = activate(admin, project["id"])

    grants = admin.get(f"/api/v1/queues/{queues['labeling']}/permissions").json()["items"]
    assert [(g["vendor_id"], g["crowd"]) for g in grants] == [(71, False), (72, False), (None, True)]
    audit = query(
        databases.urls["tasks"],
        "SELECT action FROM permission_audit WHERE queue_id = :q",
        q=queues["labeling"],
    )
    assert [a["action"] for a in audit] == ["grant"] * 3


def test_projects_are_listed_with_the_cursor_every_list_takes(admin, cluster):
    first, second = create_project(admin), create_project(admin)

    start = encode_position("id", first["id"] - 1, first["id"] - 1)  # as if the page before ended there
    page = admin.get("/api/v1/projects", params={"limit": 1, "cursor": start}).json()
    then = admin.get("/api/v1/projects", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    by_id = admin.get("/api/v1/projects", params={"after_id": first["id"]})

    assert [p["id"] for p in page["items"] + then["items"]] == [first["id"], second["id"]]
    assert by_id.status_code == 422 and [e["field"] for e in by_id.json()["errors"]] == ["after_id"]


def test_queues_and_grants_are_listed_a_page_at_a_time(admin, cluster):
    project = create_project(admin, allowed_vendors=[74, 75], crowd_allowed=True)
    queues = activate(admin, project["id"])

    kinds = every_item(admin, f"/api/v1/projects/{project['id']}/queues", limit=1)
    first = admin.get(f"/api/v1/queues/{queues['labeling']}/permissions", params={"limit": 2}).json()
    rest = admin.get(
        f"/api/v1/queues/{queues['labeling']}/permissions",
        params={"limit": 2, "cursor": first["next_cursor"]},
    ).json()

    assert [q["kind"] for q in kinds] == ["labeling", "review"]
    assert [(g["vendor_id"], g["crowd"]) for g in first["items"] + rest["items"]] == [
        (74, False),
        (75, False),
        (None, True),
    ]
    assert rest["next_cursor"] is None


def test_a_queues_grants_are_filtered_by_contributor_page_by_page(admin, cluster):
    queues = activate(admin, create_project(admin, crowd_allowed=True)["id"])
    grants = f"/api/v1/queues/{queues['labeling']}/permissions"
    ids = []
    for contributor_id in (9101, 9102, 9101):
        granted = admin.post(grants, json={"contributor_id": contributor_id, "role": "labeler"})
        assert granted.status_code == 201, granted.text
        ids.append(granted.json()["id"])
    assert admin.delete(f"{grants}/{ids[0]}").status_code == 204

    live = every_item(admin, grants, contributor_id=9101, limit=1)
    ever = every_item(admin, grants, contributor_id=9101, include_ended=True, limit=1)

    assert [g["id"] for g in live] == [ids[2]]
    assert [g["id"] for g in ever] == [ids[0], ids[2]]
    assert {g["contributor_id"] for g in ever} == {9101}


def test_a_cursor_this_api_did_not_give_is_422_naming_it(admin, cluster):
    queues = activate(admin, create_project(admin)["id"])

    response = admin.get(f"/api/v1/queues/{queues['labeling']}/permissions", params={"cursor": "not-ours"})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["cursor"]


def test_completion_revokes_every_grant(admin, cluster, databases):
    project = create_project(admin, allowed_vendors=[73])
    queues = activate(admin, project["id"])

    admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": "completed"})

    assert admin.get(f"/api/v1/queues/{queues['labeling']}/permissions").json() == {
        "items": [],
        "next_cursor": None,
    }
    audit = query(
        databases.urls["tasks"],
        "SELECT action FROM permission_audit WHERE queue_id = :q AND action = 'revoke'",
        q=queues["labeling"],
    )
    assert len(audit) == 2


def test_a_json_import_keeps_good_rows_and_reports_bad_ones_by_row(admin, cluster):
    project = create_project(admin)
    rows = [{"data": {"text": "a"}}, {"data": "not an object"}, {"data": {"text": "b"}, "priority": 5}]

    response = admin.post(f"/api/v1/projects/{project['id']}/tasks", json=rows)

    body = response.json()
    assert (response.status_code, body["imported"], body["rejected"]) == (201, 2, 1)
    assert body["errors"][0]["row"] == 2


def test_a_gold_answer_outside_the_schema_is_a_row_error(admin, cluster):
    project = create_project(admin)

    response = admin.post(
        f"/api/v1/projects/{project['id']}/tasks",
        json=[{"data": {"t": 1}, "gold_answer": "cat"}, {"data": {"t": 2}, "gold_answer": "horse"}],
    )

    assert (response.json()["imported"], response.json()["gold"], response.json()["rejected"]) == (1, 1, 1)


def test_a_jsonl_import_reports_an_unparsable_line(admin, cluster):
    project = create_project(admin)
    body = b'{"data": {"t": 1}}\n{oops\n{"data": {"t": 3}}\n'

    response = admin.post(
        f"/api/v1/projects/{project['id']}/tasks", content=body, headers={"Content-Type": "application/jsonl"}
    )

    assert (response.json()["imported"], response.json()["errors"]) == (
        2,
        [{"row": 2, "detail": "not valid JSON"}],
    )


def test_a_csv_import_turns_columns_into_task_data(admin, cluster, databases):
    project = create_project(admin)
    body = "text,priority\nhello,3\nworld,\n"

    response = admin.post(
        f"/api/v1/projects/{project['id']}/tasks", content=body, headers={"Content-Type": "text/csv"}
    )

    assert response.json()["imported"] == 2
    rows = query(
        databases.urls["tasks"],
        "SELECT priority FROM tasks WHERE project_id = :p ORDER BY id",
        p=project["id"],
    )
    assert [r["priority"] for r in rows] == [3, 0]


def test_a_label_studio_task_list_imports_its_data(admin, cluster):
    project = create_project(admin)
    tasks = [{"id": 9, "data": {"image": "http://x/1.png"}, "annotations": [], "predictions": []}]

    response = admin.post(f"/api/v1/projects/{project['id']}/tasks", json=tasks)

    assert response.json()["imported"] == 1


def test_an_unsupported_import_format_is_refused(admin, cluster):
    project = create_project(admin)

    response = admin.post(
        f"/api/v1/projects/{project['id']}/tasks",
        content=b"<xml/>",
        headers={"Content-Type": "application/xml"},
    )

    assert response.status_code == 422


def test_analysts_read_projects_but_cannot_create_them(users, cluster):
    analyst = users.create("analyst")

    response = analyst.post("/api/v1/projects", json=project_body())

    assert response.status_code == 403


def test_ops_read_who_granted_and_revoked_what_on_a_project(admin, users, cluster):
    project = create_project(admin, allowed_vendors=[74])
    queues = activate(admin, project["id"])
    granted = admin.post(
        f"/api/v1/queues/{queues['labeling']}/permissions", json={"contributor_id": 9001, "role": "labeler"}
    )
    admin.delete(f"/api/v1/queues/{queues['labeling']}/permissions/{granted.json()['id']}")

    audit = users.create("ops").get(f"/api/v1/projects/{project['id']}/permission-audit").json()["items"]
    as_analyst = users.create("analyst").get(f"/api/v1/projects/{project['id']}/permission-audit")

    assert [(e["action"], e["permission_id"]) for e in audit][-2:] == [
        ("grant", granted.json()["id"]),
        ("revoke", granted.json()["id"]),
    ]
    assert audit[-1]["actor"] == "user:1" and audit[0]["action"] == "grant"
    assert as_analyst.status_code == 403


def test_grants_are_listed_as_given_or_by_expiry_a_page_at_a_time(admin, cluster):
    project = create_project(admin, allowed_vendors=[74])
    queues = activate(admin, project["id"])
    permissions = f"/api/v1/queues/{queues['labeling']}/permissions"

    def grant(contributor_id: int, days: int | None) -> int:
        body = {"contributor_id": contributor_id, "role": "labeler"}
        if days is not None:
            body["expires_at"] = _in_days(days)
        response = admin.post(permissions, json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    # Activation granted the project's rules (the vendor, the crowd): none of them expires.
    initial = [g["id"] for g in every_item(admin, permissions)]
    later, never, soon = grant(9301, 9), grant(9302, None), grant(9303, 1)

    def ids(**params) -> list[int]:
        return [g["id"] for g in every_item(admin, permissions, limit=1, **params)]

    # Page by page (one a page): the cursor carries the expiry; a grant that never expires comes last.
    assert ids() == [*initial, later, never, soon]
    assert ids(sort="-id") == [soon, never, later, *initial[::-1]]
    assert ids(sort="expires_at") == [soon, later, *initial, never]
    assert ids(sort="-expires_at") == [never, *initial[::-1], later, soon]


def test_concurrent_revocations_of_one_grant_revoke_it_once(admin, users, cluster):
    project = create_project(admin, allowed_vendors=[74])
    queues = activate(admin, project["id"])
    grant = admin.post(
        f"/api/v1/queues/{queues['labeling']}/permissions", json={"contributor_id": 9002, "role": "labeler"}
    ).json()
    url = f"/api/v1/queues/{queues['labeling']}/permissions/{grant['id']}"

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(lambda _: admin.delete(url).status_code, range(6)))

    assert codes == [204] + [404] * 5
    audit = admin.get(f"/api/v1/projects/{project['id']}/permission-audit").json()["items"]
    assert [e["action"] for e in audit if e["permission_id"] == grant["id"]] == ["grant", "revoke"]


def test_projects_are_filtered_by_status_and_name_and_sorted_by_deadline_undated_last(admin, users, cluster):
    word = f"Sortable{uuid.uuid4().hex[:8]}"
    soon, later, undated = (
        create_project(admin, name=f"{word} soon", deadline=_in_days(1)),
        create_project(admin, name=f"{word} LATER", deadline=_in_days(9)),
        create_project(admin, name=f"{word} undated"),
    )
    activate(admin, later["id"])
    ops = users.create("ops")

    def names(**params) -> list[str]:
        return [p["name"] for p in every_item(ops, "/api/v1/projects", q=word.lower(), limit=1, **params)]

    # Page by page (one a page): the cursor carries the deadline, a project without one sorts last.
    assert names(sort="deadline") == [soon["name"], later["name"], undated["name"]]
    assert names(sort="-deadline") == [undated["name"], later["name"], soon["name"]]
    assert names(sort="-name") == sorted(names(sort="name"), reverse=True)
    assert names(status="active") == [later["name"]]
    assert names(status=["draft", "active"], sort="-id") == [undated["name"], later["name"], soon["name"]]
    # The name search is a plain substring: % and _ match only themselves.
    assert ops.get("/api/v1/projects", params={"q": f"{word}%"}).json()["items"] == []
    refused = ops.get("/api/v1/projects", params={"sort": "budget"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "sort"


def test_grants_revoked_while_their_project_completes_are_revoked_once(admin, cluster):
    project = create_project(admin)
    queues = activate(admin, project["id"])
    permissions = f"/api/v1/queues/{queues['labeling']}/permissions"
    grants = [
        admin.post(permissions, json={"contributor_id": 9100 + n, "role": "labeler"}).json()["id"]
        for n in range(30)
    ]

    def act(grant_id: int | None) -> int:
        if grant_id is None:
            url = f"/api/v1/projects/{project['id']}/transitions"
            return admin.post(url, json={"to": "completed"}).status_code
        return admin.delete(f"{permissions}/{grant_id}").status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        # The completion goes out while revocations are in flight before and after it.
        codes = list(pool.map(act, [*grants[:10], None, *grants[10:]]))

    # A revocation that comes second finds the grant revoked by the completion (404), and the other way round.
    assert codes[10] == 200 and set(codes[:10] + codes[11:]) <= {204, 404}
    audit = every_item(admin, f"/api/v1/projects/{project['id']}/permission-audit", limit=200)
    for grant_id in grants:
        assert [e["action"] for e in audit if e["permission_id"] == grant_id] == ["grant", "revoke"]


def test_a_project_completed_while_grants_are_given_keeps_none_live(admin, cluster):
    project = create_project(admin)
    queues = activate(admin, project["id"])
    permissions = f"/api/v1/queues/{queues['labeling']}/permissions"

    def act(contributor_id: int | None) -> int:
        if contributor_id is None:
            url = f"/api/v1/projects/{project['id']}/transitions"
            return admin.post(url, json={"to": "completed"}).status_code
        return admin.post(permissions, json={"contributor_id": contributor_id, "role": "labeler"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        # The completion goes out while grants are in flight before and after it.
        codes = list(pool.map(act, [*range(9200, 9210), None, *range(9210, 9230)]))

    # A grant given first is revoked by the completion; one that comes second is refused (409).
    assert codes[10] == 200 and set(codes[:10] + codes[11:]) <= {201, 409}
    assert every_item(admin, permissions, limit=200) == []


def test_concurrent_restores_of_one_suspended_vendor_restore_it_once(admin, cluster):
    project = create_project(admin, allowed_vendors=[75])
    activate(admin, project["id"])
    suspensions = f"/api/v1/projects/{project['id']}/vendor-suspensions"
    admin.post(suspensions, json={"vendor_id": 75, "reason": "budget"})

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(lambda _: admin.delete(f"{suspensions}/75").status_code, range(6)))

    assert codes == [204] + [404] * 5
    audit = admin.get(f"/api/v1/projects/{project['id']}/permission-audit").json()["items"]
    assert [e["action"] for e in audit if e["vendor_id"] == 75] == ["grant", "suspend", "restore"]


def test_concurrent_suspensions_of_one_vendor_all_succeed(admin, cluster):
    project = create_project(admin, allowed_vendors=[76])
    activate(admin, project["id"])
    suspensions = f"/api/v1/projects/{project['id']}/vendor-suspensions"

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(
            pool.map(lambda _: admin.post(suspensions, json={"vendor_id": 76, "reason": "budget"}), range(6))
        )

    # As one after the other: a suspension of a vendor already suspended keeps it suspended.
    assert [r.status_code for r in responses] == [201] * 6
    assert admin.delete(f"{suspensions}/76").status_code == 204


def test_an_import_without_any_row_is_refused(admin, cluster):
    project = create_project(admin)

    header_only = admin.post(
        f"/api/v1/projects/{project['id']}/tasks", content=b"text\n", headers={"content-type": "text/csv"}
    )
    empty_array = admin.post(f"/api/v1/projects/{project['id']}/tasks", json=[])

    assert header_only.status_code == 422 and empty_array.status_code == 422
    assert header_only.json()["errors"][0]["field"] == "body"


def test_an_import_whose_every_row_is_bad_is_refused_with_the_row_errors(admin, cluster):
    project = create_project(admin)

    response = admin.post(f"/api/v1/projects/{project['id']}/tasks", json=[[None, None], "not a task"])

    assert response.status_code == 422
    assert [e["row"] for e in response.json()["errors"]] == [1, 2]


def _manual_analyzes(databases) -> int:
    rows = query(
        databases.urls["tasks"], "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'tasks'"
    )
    return rows[0]["analyze_count"]


@pytest.mark.skipif(BACKEND != "postgresql", reason="planner statistics are PostgreSQL's")
def test_a_large_import_refreshes_the_planner_statistics_and_a_small_one_does_not(admin, cluster, databases):
    project = create_project(admin)
    before = _manual_analyzes(databases)

    small = admin.post(f"/api/v1/projects/{project['id']}/tasks", json=[{"data": {"text": "one"}}] * 10)
    after_small = _manual_analyzes(databases)
    rows = [{"data": {"text": f"item {i}"}} for i in range(ANALYZE_AFTER_ROWS)]
    large = admin.post(f"/api/v1/projects/{project['id']}/tasks", json=rows)

    assert small.json()["imported"] == 10 and large.json()["imported"] == ANALYZE_AFTER_ROWS
    assert after_small == before
    assert eventually(lambda: _manual_analyzes(databases) == before + 1, timeout=5)
