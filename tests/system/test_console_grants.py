"""A queue's grants in the console, as many as a crowd project has: the project page shows the first page
of each queue's grants and links the rest; the queue's grants page pages through all of them by the API's
cursor, filters, downloads, and grants and revokes there. The real console process, with a page size of 10
(LABELOPS_CONSOLE_PAGE_SIZE), in front of the test cluster; its pages are read as HTML."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.console.service.projects import LATEST_FIRINGS
from tests.services.tasks.helpers import activate, active_project, create_project, work_one, worker
from tests.services.vendors.support import new_vendor
from tests.support.api import every_item
from tests.support.cluster import Cluster
from tests.support.console import running_console

PASSWORD = "console-grants-password-1"
PAGE_SIZE = 10
GRANTED = 30
RULE = {"metric": "gold_accuracy", "action": "retest", "threshold": 0.8, "window_size": 10, "min_count": 5}


@pytest.fixture(scope="module")
def console_url(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_console(
        cluster, tmp_path_factory.mktemp("console"), LABELOPS_CONSOLE_PAGE_SIZE=str(PAGE_SIZE)
    ) as console:
        yield console.url


@pytest.fixture(scope="module")
def crowd_project(admin):
    """An active crowd project whose labeling queue has the crowd's grant and 30 contributors' own, and
    more quality rules than a page."""
    project = create_project(admin, crowd_allowed=True)
    queues = activate(admin, project["id"])
    base = 700_000 + uuid.uuid4().int % 100_000 * 100
    contributors = list(range(base, base + GRANTED))
    for contributor_id in contributors:
        granted = admin.post(
            f"/api/v1/queues/{queues['labeling']}/permissions",
            json={"contributor_id": contributor_id, "role": "labeler"},
        )
        assert granted.status_code == 201, granted.text
    for window in range(PAGE_SIZE + 2):
        rule = admin.post(
            f"/api/v1/projects/{project['id']}/quality-rules", json={**RULE, "window_size": 10 + window}
        )
        assert rule.status_code == 201, rule.text
    return {"project": project, "queues": queues, "contributors": contributors}


def _signed_in(admin, console_url: str, *roles: str, vendor_id: int | None = None) -> httpx.Client:
    email = f"console-grants-{uuid.uuid4().hex[:8]}@example.org"
    body = {"email": email, "password": PASSWORD, "roles": list(roles), "vendor_id": vendor_id}
    assert admin.post("/api/v1/users", json=body).status_code == 201
    browser = httpx.Client(base_url=console_url, timeout=30)
    signed = browser.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": _csrf(browser.get("/login")), "next": "/"},
    )
    assert signed.status_code == 303, signed.text
    return browser


def _csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _grants_path(world) -> str:
    return f"/projects/{world['project']['id']}/queues/{world['queues']['labeling']}/permissions"


def _table(page: httpx.Response, table_id: str) -> str:
    assert page.status_code == 200, page.text
    return page.text.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]


def _contributors_in(fragment: str) -> list[int]:
    return [int(c) for c in re.findall(r'href="/people/(\d+)">contributor #', fragment)]


def _link(page: httpx.Response, text: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)">{re.escape(text)}', page.text)
    return html.unescape(found.group(1)) if found else None


def test_a_queue_with_more_grants_than_a_page_is_paged_to_the_last_of_them(admin, console_url, crowd_project):
    ops = _signed_in(admin, console_url, "ops")

    first = ops.get(_grants_path(crowd_project))
    second = ops.get(_link(first, "Next page"))
    pages = [first, second]
    while _link(pages[-1], "Next page"):
        pages.append(ops.get(_link(pages[-1], "Next page")))

    assert len(_contributors_in(_table(first, "grants"))) == PAGE_SIZE - 1  # the crowd's grant is the oldest
    assert len(_contributors_in(_table(second, "grants"))) == PAGE_SIZE
    shown = [c for page in pages for c in _contributors_in(_table(page, "grants"))]
    assert shown == crowd_project["contributors"]
    assert _link(second, "« First page") == f"{_grants_path(crowd_project)}?status=live&sort=id"


def test_the_project_page_shows_a_page_of_each_queues_grants_and_links_them_all(
    admin, console_url, crowd_project
):
    ops = _signed_in(admin, console_url, "ops")
    queue = crowd_project["queues"]["labeling"]

    page = ops.get(f"/projects/{crowd_project['project']['id']}")

    section = page.text.split(f'id="queue-{queue}"', 1)[1].split("</table>", 1)[0]
    after = page.text.split(f'id="queue-{queue}"', 1)[1].split('class="actions"', 1)[0]
    assert len(_contributors_in(section)) == PAGE_SIZE - 1
    assert f'href="{_grants_path(crowd_project)}">All grants' in section
    assert f'href="{_grants_path(crowd_project)}">more…' in after


def test_the_project_page_pages_its_quality_rules(admin, console_url, crowd_project):
    ops = _signed_in(admin, console_url, "ops")

    first = ops.get(f"/projects/{crowd_project['project']['id']}")
    rest = ops.get(_link(first, "More rules »"))

    assert (first.text.count('class="quality-rule"'), rest.text.count('class="quality-rule"')) == (
        PAGE_SIZE,
        2,
    )
    assert _link(rest, "More rules »") is None and _link(rest, "« First rules") is not None


def test_the_at_risk_pager_keeps_the_quality_rules_where_they_were(admin, console_url, crowd_project):
    ops = _signed_in(admin, console_url, "ops")
    rest = ops.get(_link(ops.get(f"/projects/{crowd_project['project']['id']}"), "More rules »"))

    toggled = ops.get(_link(rest, "Show the past due ones too"))

    assert toggled.status_code == 200 and "rules_cursor=" in _link(rest, "Show the past due ones too")
    assert toggled.text.count('class="quality-rule"') == 2  # still the second page of rules
    assert _link(toggled, "Hide the past due ones") is not None


def test_the_grants_page_finds_one_contributors_grants_and_shows_ended_ones_on_request(
    admin, console_url, crowd_project
):
    ops = _signed_in(admin, console_url, "ops")
    contributor = crowd_project["contributors"][-1]
    grants_api = f"/api/v1/queues/{crowd_project['queues']['labeling']}/permissions"
    (grant,) = admin.get(grants_api, params={"contributor_id": contributor}).json()["items"]
    assert admin.delete(f"{grants_api}/{grant['id']}", params={"reason": "test"}).status_code == 204

    live = ops.get(_grants_path(crowd_project), params={"contributor_id": contributor})
    ended = ops.get(_grants_path(crowd_project), params={"contributor_id": contributor, "status": "all"})
    typed_wrong = ops.get(_grants_path(crowd_project), params={"contributor_id": "x1", "status": "ended"})

    assert _contributors_in(_table(live, "grants")) == []
    assert _contributors_in(_table(ended, "grants")) == [contributor]
    assert "revoked" in _table(ended, "grants") and "/revoke" not in _table(ended, "grants")
    assert (
        typed_wrong.status_code == 200
        and len(_contributors_in(_table(typed_wrong, "grants"))) == PAGE_SIZE - 1
    )


def test_the_grants_page_downloads_every_grant_its_filters_match(admin, console_url, crowd_project):
    ops = _signed_in(admin, console_url, "ops")
    path = _grants_path(crowd_project)

    page = ops.get(path, params={"status": "all"})
    response = ops.get(f"{path}/download.csv", params={"status": "all"})

    assert f'href="{path}/download.xlsx?status=all&amp;sort=id"' in page.text
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = every_item(
        admin, f"/api/v1/queues/{crowd_project['queues']['labeling']}/permissions", include_ended=True
    )
    assert [int(r["id"]) for r in rows] == [g["id"] for g in expected] and len(rows) == GRANTED + 1


def test_a_revoke_on_the_grants_page_ends_the_grant_and_returns_to_that_page(
    admin, console_url, crowd_project
):
    ops = _signed_in(admin, console_url, "ops")
    second = _link(ops.get(_grants_path(crowd_project)), "Next page")
    page = ops.get(second)
    contributor = _contributors_in(_table(page, "grants"))[0]
    action = re.search(
        r'action="([^"]+/revoke)"[^>]*>\s*<input[^>]+>\s*<input type="hidden" name="back" value="([^"]+)"',
        page.text.split(f'/people/{contributor}"', 1)[1],
    )

    revoked = ops.post(
        action.group(1),
        data={"csrf_token": _csrf(page), "back": html.unescape(action.group(2)), "reason": "left"},
    )

    assert revoked.status_code == 303 and revoked.headers["location"] == second
    live = every_item(
        admin, f"/api/v1/queues/{crowd_project['queues']['labeling']}/permissions", contributor_id=contributor
    )
    assert live == []
    assert contributor not in _contributors_in(_table(ops.get(second), "grants"))


def test_a_grant_on_the_grants_page_returns_to_it_and_a_forged_back_goes_to_the_project(
    admin, console_url, crowd_project
):
    ops = _signed_in(admin, console_url, "ops")
    path = _grants_path(crowd_project)
    token = _csrf(ops.get(path))
    form = {"csrf_token": token, "grantee": "contributor", "role": "reviewer"}

    granted = ops.post(path, data={**form, "grantee_id": "690001", "back": f"{path}?contributor_id=690001"})
    forged = ops.post(path, data={**form, "grantee_id": "690002", "back": "https://evil.example/"})

    assert granted.headers["location"] == f"{path}?contributor_id=690001"
    assert _contributors_in(_table(ops.get(granted.headers["location"]), "grants")) == [690001]
    assert forged.status_code == 303
    assert (
        forged.headers["location"]
        == f"/projects/{crowd_project['project']['id']}#queue-{crowd_project['queues']['labeling']}"
    )


def test_grant_and_revoke_from_the_grants_page_need_the_csrf_token(admin, console_url, crowd_project):
    ops = _signed_in(admin, console_url, "ops")
    path = _grants_path(crowd_project)
    grants_api = f"/api/v1/queues/{crowd_project['queues']['labeling']}/permissions"
    target = crowd_project["contributors"][0]
    (grant,) = admin.get(grants_api, params={"contributor_id": target}).json()["items"]

    grant_form = {"grantee": "contributor", "grantee_id": "690003", "back": path}
    refused = [
        ops.post(path, data=grant_form),
        ops.post(path, data={**grant_form, "csrf_token": "guess"}),
        ops.post(f"{path}/{grant['id']}/revoke", data={"back": path}),
        ops.post(f"{path}/{grant['id']}/revoke", data={"back": path, "csrf_token": "guess"}),
    ]

    assert [r.status_code for r in refused] == [403] * 4
    assert admin.get(grants_api, params={"contributor_id": 690003}).json()["items"] == []
    assert [g["id"] for g in admin.get(grants_api, params={"contributor_id": target}).json()["items"]] == [
        grant["id"]
    ]


def test_a_vendor_user_cannot_open_a_projects_grants_page_or_its_file(admin, console_url, crowd_project):
    vendor = new_vendor(admin, name=f"Grants vendor {uuid.uuid4().hex[:6]}")
    partner = _signed_in(admin, console_url, "vendor", vendor_id=vendor["id"])
    path = _grants_path(crowd_project)

    answers = [
        partner.get(path),
        partner.get(f"{path}/download.csv"),
        partner.get(f"/projects/{crowd_project['project']['id']}"),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert all(f"contributor #{crowd_project['contributors'][0]}" not in a.text for a in answers)


def test_a_reader_who_does_not_manage_sees_the_grants_without_the_forms(admin, console_url, crowd_project):
    analyst = _signed_in(admin, console_url, "analyst")

    page = analyst.get(_grants_path(crowd_project))

    assert len(_contributors_in(_table(page, "grants"))) == PAGE_SIZE - 1
    assert "/revoke" not in page.text and 'class="grant"' not in page.text


def test_a_queue_of_another_project_is_not_found_under_this_one(admin, console_url, crowd_project):
    ops = _signed_in(admin, console_url, "ops")
    other = activate(admin, create_project(admin)["id"])

    wrong = ops.get(f"/projects/{crowd_project['project']['id']}/queues/{other['labeling']}/permissions")
    unknown = ops.get(
        f"/projects/{crowd_project['project']['id'] + 10**6}/queues/{crowd_project['queues']['labeling']}/permissions"
    )

    assert (wrong.status_code, unknown.status_code) == (404, 404)
    assert "contributor #" not in wrong.text + unknown.text


def _project_names(page: httpx.Response) -> list[str]:
    return re.findall(r'<a href="/projects/\d+">([^<]+)</a>', _table(page, "projects"))


def test_the_projects_list_searches_filters_by_status_and_sorts_soonest_deadline_first(admin, console_url):
    word = f"Listed{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    # Created latest-due first, so neither id nor creation order is the deadline order.
    dated = [
        create_project(
            admin, name=f"{word} due in {days:02d} days", deadline=(now + timedelta(days=days)).isoformat()
        )
        for days in range(PAGE_SIZE + 1, 0, -1)
    ]
    undated = create_project(admin, name=f"{word} undated")
    activate(admin, dated[0]["id"])
    ops = _signed_in(admin, console_url, "ops")
    soonest_first = [p["name"] for p in reversed(dated)] + [undated["name"]]

    first = ops.get("/projects", params={"q": word})
    second = ops.get(_link(first, "Next page"))
    by_name = ops.get(_link(first, "Name"))
    active = ops.get("/projects", params={"q": word, "status": "active"})
    download = ops.get(
        re.search(r'href="(/projects/download\.csv[^"]*)"', first.text).group(1).replace("&amp;", "&")
    )

    # The deadline sort goes on to the next page, with the search; a project without a deadline is last.
    assert _project_names(first) + _project_names(second) == soonest_first
    assert _project_names(by_name) == sorted(soonest_first)[:PAGE_SIZE]
    assert _project_names(active) == [dated[0]["name"]]
    assert [row["name"] for row in csv.DictReader(io.StringIO(download.text))] == soonest_first


def test_the_project_page_shows_the_latest_firings_and_downloads_every_one(
    admin, users, cluster, console_url
):
    project, queues = active_project(admin, tasks=LATEST_FIRINGS + 2)
    rule = {"metric": "fast_answers", "action": "reject_answers", "threshold": 1, "seconds": 3}
    assert admin.post(f"/api/v1/projects/{project['id']}/quality-rules", json=rule).status_code == 201
    workers = [worker(users, cluster) for _ in range(LATEST_FIRINGS + 2)]
    for client in workers:
        work_one(client, queues["labeling"], seconds=1)
    admin.post(f"/api/v1/projects/{project['id']}/quality-rules/evaluate")
    fired = every_item(admin, f"/api/v1/projects/{project['id']}/quality-rules/firings", sort="-id")
    assert len(fired) == LATEST_FIRINGS + 2  # one per contributor
    ops = _signed_in(admin, console_url, "ops")

    page = ops.get(f"/projects/{project['id']}")
    download = ops.get(f"/projects/{project['id']}/firings/download.csv")

    shown = [int(c) for c in re.findall(r'href="/people/(\d+)">#', _table(page, "firings"))]
    assert shown == [f["contributor_id"] for f in fired][:LATEST_FIRINGS]
    assert "every firing is in the download" in page.text
    assert [int(r["contributor_id"]) for r in csv.DictReader(io.StringIO(download.text))] == [
        f["contributor_id"] for f in fired
    ]


def test_the_grants_page_sorts_by_expiry_and_keeps_the_order_on_its_next_page_and_file(admin, console_url):
    project = create_project(admin, crowd_allowed=False)
    world = {"project": project, "queues": activate(admin, project["id"])}
    now = datetime.now(UTC)
    base = 800_000 + uuid.uuid4().int % 100_000 * 100
    # Given in the order of their expiry's reverse: the last given expires first.
    given = list(range(base, base + PAGE_SIZE + 1))
    for place, contributor_id in enumerate(given):
        expires_at = (now + timedelta(days=PAGE_SIZE + 2 - place)).isoformat()
        body = {"contributor_id": contributor_id, "role": "labeler", "expires_at": expires_at}
        assert (
            admin.post(f"/api/v1/queues/{world['queues']['labeling']}/permissions", json=body).status_code
            == 201
        )
    ops = _signed_in(admin, console_url, "ops")

    as_given = ops.get(_grants_path(world))
    by_expiry = ops.get(_link(as_given, "Expires"))
    next_page = ops.get(_link(by_expiry, "Next page"))
    download = ops.get(
        re.search(r'href="([^"]+/download\.csv[^"]*)"', by_expiry.text).group(1).replace("&amp;", "&")
    )

    assert _contributors_in(_table(as_given, "grants")) == given[:PAGE_SIZE]
    soonest_first = given[::-1]
    assert (
        _contributors_in(_table(by_expiry, "grants")) + _contributors_in(_table(next_page, "grants"))
        == soonest_first
    )
    assert [int(r["contributor_id"]) for r in csv.DictReader(io.StringIO(download.text))] == soonest_first
