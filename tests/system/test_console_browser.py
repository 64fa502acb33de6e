"""The console in a real browser: Debian's Chromium driven by Playwright against the real processes (the
cluster's four services and the console, started as `make run` starts them), with data seeded through
the gateway's API. One console and one browser per module; each test has its own browser context (cookies).

Every page is saved as a screenshot in the test's temporary folder; with LABELOPS_UPDATE_SCREENSHOTS=1 they
go to docs/screenshots/ (the README shows those), so an ordinary run leaves the work tree as it was."""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import openpyxl
import pytest

from tests.services.contributors.support import new_contributor, submission
from tests.services.vendors.support import active_contract_with_rates, new_vendor, vendor_staff, work
from tests.support.api import every_item
from tests.support.cluster import REPO, Cluster
from tests.support.console import chromium_or_skip, running_console, vendor_month
from tests.system.test_contributors_wellness import afternoon_zone

PASSWORD = "console-browser-password-1"
SCREENSHOTS = REPO / "docs" / "screenshots"
TODAY = datetime.now(UTC).date()
# A task type of this module alone: other files' benchmarks and rates (ner, en) never match its lines.
TASK_TYPE = "console_ner"


@dataclass
class World:
    ops_email: str
    vendor_email: str
    contributor_email: str
    contributor: dict
    ticket: dict
    vendor: dict
    other_vendor: dict
    project: dict
    invoice: dict
    worker_id: int
    labeling_queue: int


def _user(
    admin: httpx.Client, *roles: str, vendor_id: int | None = None, contributor_id: int | None = None
) -> str:
    email = f"console-{uuid.uuid4().hex[:8]}@example.org"
    body = {"email": email, "password": PASSWORD, "roles": list(roles), "vendor_id": vendor_id}
    response = admin.post("/api/v1/users", json={**body, "contributor_id": contributor_id})
    assert response.status_code == 201, response.text
    return email


def _ok(response: httpx.Response, status: int = 201) -> dict:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture(scope="module")
def world(admin: httpx.Client, users, cluster: Cluster) -> World:
    """A night shift's worth of data, made through the API: tickets, a vendor with a contract, a project its
    contributor has done some work on, a budget and a submitted invoice claiming more than was measured."""
    person = new_contributor(admin, full_name="Maria Santos")
    tickets = [
        _ok(
            admin.post(
                "/api/v1/tickets",
                json={
                    "contributor_id": person["id"],
                    "channel": "discord",
                    "category": category,
                    "priority": priority,
                    "subject": subject,
                    "body": "Hello, I need help with this.",
                },
            )
        )
        for priority, category, subject in (
            ("P1", "access", "Cannot open the labeling queue"),
            ("P3", "payment", "November payout missing"),
        )
    ]
    _ok(
        admin.post(
            "/api/v1/shift-notes",
            json={"team": "community_leads", "subject": "Discord outage 02:10", "body": "Resolved at 02:40."},
        )
    )
    vendor = new_vendor(admin, name=f"Acme Labeling {uuid.uuid4().hex[:4]}", languages=["en"])
    other = new_vendor(admin, name=f"Other Vendor {uuid.uuid4().hex[:4]}")
    rates = [{"task_type": TASK_TYPE, "language": "en", "unit": "task", "unit_price": "0.50"}]
    active_contract_with_rates(
        admin,
        vendor["id"],
        rates,
        sla_terms={"min_quality": "0.90", "max_turnaround_hours": "48"},
        starts_on=str(TODAY - timedelta(days=60)),
        ends_on=str(TODAY + timedelta(days=300)),
    )
    _ok(
        admin.post(
            "/api/v1/benchmarks",
            json={"task_type": TASK_TYPE, "language": "en", "region": "APAC", "unit": "task", "currency": "USD",
                  "p25": "0.35", "median": "0.42", "p75": "0.48", "source": "console test"},
        )
    )  # fmt: skip
    project = _ok(
        admin.post(
            "/api/v1/projects",
            json={
                "name": f"NER English {uuid.uuid4().hex[:4]}",
                "task_type": TASK_TYPE,
                "label_schema": {"type": "choices", "choices": ["person", "place"], "multiple": False},
                "required_languages": ["en"],
                "allowed_vendors": [vendor["id"]],
                "deadline": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
                "sla_turnaround_hours": 24,
            },
        )
    )
    _ok(admin.post(f"/api/v1/projects/{project['id']}/tasks", json=[{"data": {"n": i}} for i in range(20)]))
    _ok(admin.post(f"/api/v1/projects/{project['id']}/transitions", json={"to": "active"}), 200)
    queues = {
        q["kind"]: q["id"] for q in admin.get(f"/api/v1/projects/{project['id']}/queues").json()["items"]
    }
    rule = {
        "metric": "gold_accuracy",
        "action": "retest",
        "threshold": 0.8,
        "window_size": 10,
        "min_count": 5,
    }
    _ok(admin.post(f"/api/v1/projects/{project['id']}/quality-rules", json=rule))
    _ok(
        admin.post(
            "/api/v1/communications",
            json={
                "vendor_id": vendor["id"],
                "direction": "inbound",
                "channel": "email",
                "subject": "Rate review for Q1",
                "occurred_at": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
                "follow_up_due_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat(),
            },
        )
    )
    worker = vendor_staff(admin, users, vendor["id"])
    work(worker, queues["labeling"], answers=["person", "place"] * 3)
    # Due in 2 hours of a 24-hour SLA: at risk (the last 20 %), and after the work above, so still open.
    due_soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    _ok(admin.post(f"/api/v1/projects/{project['id']}/tasks",
                   json=[{"data": {"n": 99}, "external_id": "console-due-soon", "due_at": due_soon}]))  # fmt: skip
    _wellness_board_people(admin, cluster, vendor["id"])
    invoice = vendor_month(
        admin,
        vendor_id=vendor["id"],
        project_id=project["id"],
        budget="5000.00",
        invoice_number=f"INV-{uuid.uuid4().hex[:6]}",
        line={
            "task_type": TASK_TYPE,
            "language": "en",
            "unit": "task",
            "units_claimed": "120",
            "unit_price": "0.50",
        },
    )
    return World(
        ops_email=_user(admin, "ops"),
        vendor_email=_user(admin, "vendor", vendor_id=vendor["id"]),
        contributor_email=_user(admin, "contributor", contributor_id=person["id"]),
        contributor=person,
        ticket=tickets[0],
        vendor=vendor,
        other_vendor=other,
        project=project,
        invoice=invoice,
        worker_id=worker.contributor_id,
        labeling_queue=queues["labeling"],
    )


def _wellness_board_people(admin: httpx.Client, cluster: Cluster, vendor_id: int) -> None:
    """The vendor's people on the wellness board: near the high-severity cap (100 of 120 minutes, more than
    a break ago), on a break (an hour of medium content without one: the vendor's 4-hour break outlasts
    the module) and asking for support in a check-in."""
    _ok(admin.put(f"/api/v1/wellness/vendor-policies/{vendor_id}", json={"break_minutes": 240}), 201)
    zone, now = afternoon_zone(), datetime.now(UTC)
    near, breaking, asking = (
        new_contributor(admin, vendor_id=vendor_id, timezone=zone, full_name=name)["id"]
        for name in ("Ana Reyes", "Kenji Watanabe", "Lea Dubois")
    )
    submission(cluster, near, severity="high", seconds=6000, at=now - timedelta(minutes=245))
    submission(cluster, breaking, severity="medium", seconds=3600, at=now - timedelta(minutes=1))
    _ok(admin.post(f"/api/v1/contributors/{asking}/wellness/check-ins",
                   json={"mood": 2, "stress": 4, "wants_support": True, "note": "hard week"}))  # fmt: skip


@pytest.fixture(scope="module")
def console_url(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chromium_or_skip()
    with running_console(cluster, tmp_path_factory.mktemp("console")) as console:
        yield console.url


@pytest.fixture(scope="module")
def browser():
    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Debian's build, never a downloaded one (no `playwright install`).
        launched = playwright.chromium.launch(executable_path=str(chromium))
        yield launched
        launched.close()


@pytest.fixture
def context(browser):
    # A viewer in Tokyo: every time on the pages must be on Tokyo's clock.
    ctx = browser.new_context(timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 860})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text))
    return page


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("LABELOPS_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


def sign_in(page, console_url: str, email: str, *, next_path: str = "/") -> None:
    page.goto(f"{console_url}/login?next={next_path}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")


def test_sign_in_lands_on_the_shift_desk_with_the_menu_of_the_role(page, console_url, world, screenshots):
    page.goto(f"{console_url}/desk")
    assert page.url.startswith(f"{console_url}/login")
    page.screenshot(path=screenshots / "login.png")

    sign_in(page, console_url, world.ops_email)

    assert page.url == f"{console_url}/desk"
    assert page.locator("nav.menu a").all_inner_texts() == ["Shift desk", "Projects", "Vendors", "People"]
    assert world.ops_email in page.inner_text("header")


def test_a_wrong_password_is_refused_on_the_form(page, console_url, world):
    page.goto(f"{console_url}/login")
    page.fill("input[name=email]", world.ops_email)
    page.fill("input[name=password]", "not-the-password")
    page.click("form[action='/login'] button[type=submit]")

    assert "Wrong email or password" in page.inner_text("[role=alert]")


def _pages(world: World) -> list[tuple[str, str, str]]:
    """(screenshot name, path, text the page must show from the seeded data)."""
    return [
        ("shift-desk", "/desk", "Rate review for Q1"),  # a partner follow-up due beside the tickets
        ("ticket", f"/desk/tickets/{world.ticket['id']}", "Hello, I need help with this."),
        ("handover", "/desk/handover", "Contributor queries"),
        # The suite's other tests make projects on the same platform: the list searched for this one.
        ("projects", f"/projects?{urlencode({'q': world.project['name']})}", world.project["name"]),
        ("project", f"/projects/{world.project['id']}", "gold accuracy below 0.8"),
        (
            "queue-grants",
            f"/projects/{world.project['id']}/queues/{world.labeling_queue}/permissions",
            f"vendor #{world.vendor['id']}",
        ),
        ("vendors", f"/vendors?q={world.vendor['name']}", world.vendor["name"]),
        ("vendor", f"/vendors/{world.vendor['id']}", "above p75"),  # 0.50 against a 0.48 p75
        ("invoice", f"/vendors/{world.vendor['id']}/invoices/{world.invoice['id']}", "60.00 USD"),
        ("people", f"/people?q={world.contributor['email']}", "Maria Santos"),
        ("person", f"/people/{world.contributor['id']}", "Not vetted."),
        ("funnel", "/people/funnel?group_by=channel", "By campaign · channel"),
        ("wellness", f"/people/wellness?vendor_id={world.vendor['id']}", "Kenji Watanabe"),
    ]


def test_each_page_renders_the_seeded_data_in_the_viewers_zone_without_a_csp_violation(
    page, console_url, world, screenshots
):
    sign_in(page, console_url, world.ops_email)

    for name, path, expected in _pages(world):
        response = page.goto(console_url + path)
        page.wait_for_load_state("networkidle")

        assert response.status == 200, (path, response.status)
        assert expected in page.inner_text("main"), path
        assert "Asia/Tokyo" in page.inner_text("header"), path
        page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    assert page.csp_violations == []


def test_the_desk_searches_tickets_through_the_api(page, console_url, world):
    sign_in(page, console_url, world.ops_email)

    page.fill("input[name=q]", "payout")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")

    subjects = page.locator("#tickets tbody td:nth-child(3) a").all_inner_texts()
    assert "November payout missing" in subjects and world.ticket["subject"] not in subjects


def test_times_are_on_the_viewers_clock_and_the_sla_countdown_runs(page, console_url, world):
    sign_in(page, console_url, world.ops_email)

    cell = page.locator(f"#tickets tr:has(a[href='/desk/tickets/{world.ticket['id']}']) time.countdown").first

    assert cell.get_attribute("title").endswith("JST")
    assert cell.inner_text().startswith("in ")


def test_the_charts_are_drawn_by_the_charting_library(page, console_url, world):
    sign_in(page, console_url, world.ops_email, next_path=f"/projects/{world.project['id']}")
    page.wait_for_load_state("networkidle")

    drawn = page.evaluate(
        "() => Chart.getChart(document.getElementById('forecast-chart')).data.datasets.length"
    )

    assert drawn >= 2


def test_a_ticket_reply_goes_end_to_end(page, console_url, world, admin):
    sign_in(page, console_url, world.ops_email, next_path=f"/desk/tickets/{world.ticket['id']}")
    reply = f"We reset your queue access ({uuid.uuid4().hex[:6]})."

    page.fill("#thread textarea[name=body]", reply)
    page.click("#thread button[type=submit]")

    page.locator("#thread .thread li", has_text=reply).wait_for()
    messages = admin.get(f"/api/v1/tickets/{world.ticket['id']}/messages").json()["items"]
    assert [m["body"] for m in messages if m["body"] == reply] == [reply]
    assert admin.get(f"/api/v1/tickets/{world.ticket['id']}").json()["first_response_at"] is not None


def test_a_ticket_is_assigned_and_escalated_to_support_users(page, console_url, world, admin):
    sign_in(page, console_url, world.ops_email, next_path=f"/desk/tickets/{world.ticket['id']}")

    with page.expect_navigation():
        page.click("#assign-form button")  # the viewer is preselected
    me = page.locator("#assign-form select[name=assignee_id]").input_value()
    page.select_option("#escalate-form select[name=lead_id]", me)  # the gateway's list of support users
    page.fill("#escalate-form input[name=reason]", "payment platform outage")
    with page.expect_navigation():
        page.click("#escalate-form button")

    ticket = admin.get(f"/api/v1/tickets/{world.ticket['id']}").json()
    assert ticket["assignee"]["id"] == int(me) and ticket["escalated_to"]["id"] == int(me)
    assert ticket["assignee"]["display_name"] in page.inner_text("#assignee")
    assert "payment platform outage" in page.inner_text("#escalated")


def test_an_invoice_is_disputed_from_its_reconciliation(page, console_url, world, admin):
    sign_in(page, console_url, world.ops_email)
    page.goto(f"{console_url}/vendors/{world.vendor['id']}/invoices/{world.invoice['id']}")

    page.fill("#dispute-form input[name=reason]", "120 tasks claimed, none measured")
    with page.expect_navigation():
        page.click("#dispute-form button[type=submit]")

    assert page.inner_text("#invoice-status") == "disputed"
    invoice = admin.get(f"/api/v1/invoices/{world.invoice['id']}").json()
    assert invoice["status"] == "disputed"


def test_the_handover_is_downloaded_as_a_workbook_that_opens(page, console_url, world, tmp_path):
    sign_in(page, console_url, world.ops_email, next_path="/desk/handover")

    with page.expect_download() as download:
        page.click("#download-xlsx")
    path = tmp_path / "handover.xlsx"
    download.value.save_as(path)

    workbook = openpyxl.load_workbook(path)
    assert {"Contributor queries", "Shift notes"} <= set(workbook.sheetnames)
    assert workbook["Contributor queries"].max_row > 1


def test_lists_are_exported_through_the_api(page, console_url, world, admin):
    sign_in(page, console_url, world.ops_email, next_path=f"/people?q={world.contributor['email']}")

    with page.expect_download() as roster:
        page.click("#people-export")
    page.goto(f"{console_url}/projects/{world.project['id']}")
    with page.expect_download() as tasks:
        page.click("a[href$='/export?format=csv']")

    roster_text = Path(roster.value.path()).read_text()
    assert world.contributor["email"] in roster_text and roster_text.count("\n") == 2  # header + the match
    total = admin.get(f"/api/v1/projects/{world.project['id']}/stats").json()["progress"]["tasks_total"]
    assert len(Path(tasks.value.path()).read_text().strip().splitlines()) == 1 + total  # header + every task


def test_a_grant_is_made_and_revoked_from_the_project_page(page, console_url, world, admin):
    person = new_contributor(admin)
    sign_in(page, console_url, world.ops_email, next_path=f"/projects/{world.project['id']}")
    queue = f"#queue-{world.labeling_queue} + table"

    grant = page.locator(f"form.grant[action$='/queues/{world.labeling_queue}/permissions']")
    grant.locator("input[name=grantee_id]").fill(str(person["id"]))
    with page.expect_navigation():
        grant.locator("button").click()
    row = page.locator(f"{queue} tr", has=page.locator(f"a[href='/people/{person['id']}']"))
    assert row.count() == 1
    row.locator("input[name=reason]").fill("trial ended")
    with page.expect_navigation():
        row.locator("button").click()

    assert page.locator(f"{queue} a[href='/people/{person['id']}']").count() == 0
    grants = every_item(admin, f"/api/v1/queues/{world.labeling_queue}/permissions")
    assert person["id"] not in [g["contributor_id"] for g in grants]


def test_a_grant_is_found_and_revoked_on_the_queues_grants_page(page, console_url, world, admin):
    person = new_contributor(admin)
    grants = f"/api/v1/queues/{world.labeling_queue}/permissions"
    _ok(admin.post(grants, json={"contributor_id": person["id"], "role": "labeler"}))
    sign_in(page, console_url, world.ops_email, next_path=f"/projects/{world.project['id']}")

    with page.expect_navigation():
        page.click(f"#queue-{world.labeling_queue} a.all-grants")
    page.fill("form.filters input[name=contributor_id]", str(person["id"]))
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    row = page.locator("#grants tbody tr", has=page.locator(f"a[href='/people/{person['id']}']"))
    row.locator("input[name=reason]").fill("trial ended")
    with page.expect_navigation():
        row.locator("button").click()

    filtered = f"/queues/{world.labeling_queue}/permissions?contributor_id={person['id']}&status=live&sort=id"
    assert page.url.endswith(filtered)  # back on the page as it was
    assert page.locator(f"#grants a[href='/people/{person['id']}']").count() == 0
    assert every_item(admin, grants, contributor_id=person["id"]) == []


def test_tasks_are_imported_by_file_upload_with_refused_rows_named(page, console_url, world, admin):
    sign_in(page, console_url, world.ops_email, next_path=f"/projects/{world.project['id']}")
    before = admin.get(f"/api/v1/projects/{world.project['id']}/stats").json()["progress"]["tasks_total"]
    rows = b'{"data": {"n": 1001}}\n{"data": {"n": 1002}}\nnot json\n'

    page.set_input_files(
        "#import-form input[name=file]", files=[{"name": "more.jsonl", "mimeType": "", "buffer": rows}]
    )
    with page.expect_navigation():
        page.click("#import-form button")

    assert (page.inner_text("#imported"), page.inner_text("#rejected")) == ("2", "1")
    assert "3" in page.locator("#import-errors td").first.inner_text()  # the file's own line number
    after = admin.get(f"/api/v1/projects/{world.project['id']}/stats").json()["progress"]["tasks_total"]
    assert after == before + 2


def test_why_a_contributor_gets_no_work_is_explained_in_place(page, console_url, world):
    sign_in(page, console_url, world.ops_email, next_path=f"/projects/{world.project['id']}")

    why = page.locator(f"form.why[action$='/queues/{world.labeling_queue}/eligibility']")
    why.locator("input[name=contributor_id]").fill(str(world.worker_id))
    why.locator("button").click()

    answer = page.locator(f"#why-{world.labeling_queue} .eligibility")
    answer.wait_for()
    assert f"#{world.worker_id}" in answer.inner_text()
    assert answer.locator("tbody tr").count() >= 3  # every precondition, passed or not
    assert page.url.endswith(f"/projects/{world.project['id']}")  # swapped in place by htmx


def test_a_vendor_user_sees_only_its_own_vendor(page, console_url, world, screenshots):
    sign_in(page, console_url, world.vendor_email)

    assert page.url == f"{console_url}/vendors/{world.vendor['id']}"
    assert "Shift desk" not in page.locator("nav.menu").inner_text()
    page.screenshot(path=screenshots / "vendor-user.png", full_page=True)
    other = page.goto(f"{console_url}/vendors/{world.other_vendor['id']}")
    assert other.status == 404
    assert world.other_vendor["name"] not in page.content()


def test_a_form_without_its_csrf_token_is_refused(page, console_url, world, admin):
    sign_in(page, console_url, world.ops_email)
    form = {"team": "delivery", "subject": f"forged {uuid.uuid4().hex[:6]}", "body": "x"}

    missing = page.request.post(f"{console_url}/desk/notes", form=form, max_redirects=0)
    wrong = page.request.post(
        f"{console_url}/desk/notes", form={**form, "csrf_token": "guess"}, max_redirects=0
    )

    assert (missing.status, wrong.status) == (403, 403)
    notes = admin.get("/api/v1/shift-notes", params={"limit": 100}).json()["items"]
    assert form["subject"] not in [n["subject"] for n in notes]


def test_the_session_cookie_is_sealed_http_only_and_same_site_strict(page, context, console_url, world):
    response = page.goto(f"{console_url}/login")
    sign_in(page, console_url, world.ops_email)

    (cookie,) = [c for c in context.cookies() if c["name"] == "labelops_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "eyJ" not in cookie["value"]  # no JWT in clear
    policy = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    )
    assert response.headers["x-content-type-options"] == "nosniff"


def test_logout_ends_the_session_at_the_gateway_too(page, context, browser, console_url, world):
    sign_in(page, console_url, world.ops_email)
    kept = context.cookies()

    with page.expect_navigation():
        page.click("header form[action='/logout'] button")
    assert page.url.startswith(f"{console_url}/login")
    page.goto(f"{console_url}/desk")
    assert page.url.startswith(f"{console_url}/login")

    # The cookie from before logout, replayed: its tokens were revoked by the gateway's logout.
    replay = browser.new_context()
    replay.add_cookies(kept)
    replayed = replay.new_page()
    replayed.goto(f"{console_url}/desk")
    assert replayed.url.startswith(f"{console_url}/login")
    replay.close()


def test_an_expiring_access_token_is_rotated_and_the_session_goes_on(
    cluster, tmp_path_factory, browser, world
):
    # A console that refreshes on every request (margin longer than the token's life).
    with running_console(
        cluster, tmp_path_factory.mktemp("rotating"), LABELOPS_CONSOLE_REFRESH_MARGIN_SECONDS="100000"
    ) as rotating:
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, rotating.url, world.ops_email)
        first = [c["value"] for c in context.cookies() if c["name"] == "labelops_console"]

        for _ in range(2):
            assert page.goto(f"{rotating.url}/people").status == 200
        second = [c["value"] for c in context.cookies() if c["name"] == "labelops_console"]

        assert page.url == f"{rotating.url}/people" and first != second
        context.close()


def test_a_refused_htmx_write_is_shown_above_the_page_and_changes_nothing(page, console_url, world, admin):
    sign_in(page, console_url, world.ops_email, next_path=f"/desk/tickets/{world.ticket['id']}")
    before = len(admin.get(f"/api/v1/tickets/{world.ticket['id']}/messages").json()["items"])

    page.fill("#thread textarea[name=body]", "x" * 6000)  # longer than a message may be
    page.click("#thread button[type=submit]")

    page.locator("#flash [role=alert]").wait_for()
    assert "body" in page.inner_text("#flash")
    assert page.locator("#thread textarea[name=body]").count() == 1  # the thread was left in place
    assert len(admin.get(f"/api/v1/tickets/{world.ticket['id']}/messages").json()["items"]) == before


def test_a_contributor_sees_its_own_tickets_asks_for_help_and_no_one_elses(
    page, console_url, world, admin, screenshots
):
    stranger = new_contributor(admin)
    theirs = _ok(
        admin.post(
            "/api/v1/tickets",
            json={
                "contributor_id": stranger["id"],
                "channel": "email",
                "category": "other",
                "subject": "Not yours",
                "body": "x",
            },
        )
    )
    sign_in(page, console_url, world.contributor_email)

    assert page.url == f"{console_url}/me"
    assert page.locator("nav.menu a").all_inner_texts() == ["My work"]
    assert world.ticket["subject"] in page.inner_text("#my-tickets")
    page.screenshot(path=screenshots / "contributor.png", full_page=True)
    page.select_option("#new-ticket select[name=category]", "payment")
    page.fill("#new-ticket input[name=subject]", "Payout for week 48")
    page.fill("#new-ticket textarea[name=body]", "My payout has not arrived.")
    with page.expect_navigation():
        page.click("#new-ticket button[type=submit]")
    assert "Payout for week 48" in page.inner_text("h1")
    assert page.locator("#thread input[name=internal]").count() == 0  # staff-only notes are not offered
    assert page.goto(f"{console_url}/me/tickets/{theirs['id']}").status == 404
    assert page.goto(f"{console_url}/desk").status == 403


def test_the_wellness_board_shows_who_is_near_a_cap_on_a_break_or_asking_for_support(
    page, console_url, world
):
    sign_in(page, console_url, world.ops_email, next_path="/people")
    with page.expect_navigation():
        page.click("#wellness-board")
    page.fill("input[name=vendor_id]", str(world.vendor["id"]))
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")

    rows = {
        r.locator("td").nth(0).inner_text(): r.locator("td").nth(2).inner_text()
        for r in page.locator("#wellness tbody tr").all()
    }
    assert rows == {"Ana Reyes": "near cap", "Kenji Watanabe": "on break", "Lea Dubois": "support requested"}
    assert "JST" in page.inner_text("#wellness")  # the break's end on the viewer's clock
    assert "hard week" not in page.content()  # what a check-in says stays private
    with page.expect_download() as board_file:
        page.click("#wellness-download a:text('CSV')")
    rows = list(csv.DictReader(io.StringIO(Path(board_file.value.path()).read_text())))
    assert sorted(r["full_name"] for r in rows) == ["Ana Reyes", "Kenji Watanabe", "Lea Dubois"]

    page.select_option("select[name=state]", "on_break")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert page.locator("#wellness tbody tr").all_inner_texts()[0].startswith("Kenji Watanabe")
    assert page.locator("#wellness tbody tr").count() == 1


def test_a_vendor_user_sees_its_own_peoples_wellness_only(page, console_url, world):
    sign_in(page, console_url, world.vendor_email, next_path="/people/wellness")

    names = page.locator("#wellness tbody td:first-child").all_inner_texts()
    assert {"Ana Reyes", "Kenji Watanabe", "Lea Dubois"} <= set(names)
    assert "Maria Santos" not in names
    assert page.locator("input[name=vendor_id]").count() == 0


def test_the_project_lists_its_at_risk_tasks_as_stats_count_them(page, console_url, world, admin):
    sign_in(page, console_url, world.ops_email, next_path=f"/projects/{world.project['id']}")

    rows = page.locator("#at-risk-tasks tbody tr")
    stats = admin.get(f"/api/v1/projects/{world.project['id']}/stats").json()
    assert rows.count() == stats["sla"]["at_risk_tasks"] == 1
    assert "console-due-soon" in rows.first.inner_text() and "at risk" in rows.first.inner_text()
    assert rows.first.locator("time.countdown").get_attribute("title").endswith("JST")
    with page.expect_download() as listed:
        page.click("#at-risk-download a:text('CSV')")
    assert "console-due-soon" in Path(listed.value.path()).read_text()


def test_the_project_shows_the_staffing_its_manpower_forecast_plans(page, console_url, world, admin):
    sign_in(page, console_url, world.ops_email, next_path=f"/projects/{world.project['id']}")

    manpower = admin.get(f"/api/v1/projects/{world.project['id']}/stats").json()["manpower"]
    rows = page.locator("#manpower tbody tr")
    assert page.locator("#manpower-status").inner_text() == manpower["status"].replace("_", " ")
    assert rows.count() == len(manpower["locales"]) == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert (cells[0], cells[2], cells[6]) == (
        "any",
        str(manpower["locales"][0]["labeling_units_left"]),
        str(manpower["locales"][0]["eligible_pool"]),
    )
