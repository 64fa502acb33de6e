"""The lease preconditions, one by one, on the real tasks database (SQLite and PostgreSQL).

Each case starts from a contributor who passes every precondition on a project with one open task, then
breaks exactly one: the lease statement must not claim, must name that precondition as the first that
fails, and `next` must answer its refusal. Every precondition of the list has a case, so a rule added to
the list without a test fails here.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from services.tasks import events
from services.tasks.assignment import leasing, queries, submitting
from services.tasks.assignment.preconditions import (
    PRECONDITIONS,
    QUEUE_REASON,
    SUBMIT_PRECONDITIONS,
    NoWork,
    first_failed,
)
from services.tasks.assignment.schemas import SubmissionCreate
from services.tasks.models import (
    Assignment,
    BudgetCap,
    DailyExposure,
    Project,
    Queue,
    QueueBan,
    Task,
    VendorStatus,
    VendorSuspension,
)
from services.tasks.repository import profiles
from shared.auth import Principal
from shared.db import Database, utcnow
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import Event
from shared.localtime import local_day
from shared.rawsql import raw_connection
from tests.services.tasks.worlds import World, build, upsert_profile

VENDOR = 4242
SUSPENDED_VENDOR = 4343
CAPPED_VENDOR = 4444


async def _add(world: World, *rows_of: Callable[[World], Any]) -> None:
    async with world.db.sessionmaker() as session, session.begin():
        project_id = await session.scalar(select(Queue.project_id).where(Queue.id == world.queue_id))
        for make in rows_of:
            await session.merge(make(world, project_id))


async def _attempt(world: World, *, now: datetime | None = None) -> dict[str, Any]:
    async with raw_connection(world.db.engine) as connection, leasing.unit(connection):
        return await queries.lease_attempt(
            connection,
            queue_id=world.queue_id,
            contributor_id=world.contributor_id,
            role="labeler",
            now=now or utcnow(),
            draw=0.5,
        )


async def _next(world: World) -> dict[str, Any] | NoWork:
    async with raw_connection(world.db.engine) as connection:
        return await leasing.lease_next(connection, principal=world.principal, queue_id=world.queue_id)


async def _submit_one(world: World) -> None:
    await _submit_one_lease(world, await _next(world))


async def _submit_one_lease(world: World, lease: dict[str, Any]) -> None:
    async with raw_connection(world.db.engine) as connection:
        status, _ = await submitting.submit(
            connection,
            principal=world.principal,
            assignment_id=lease["assignment_id"],
            data=SubmissionCreate(answer="cat", time_spent_seconds=5),
            idempotency_key=None,
        )
    assert status == 201


async def _live_leases(world: World) -> int:
    async with world.db.sessionmaker() as session:
        stmt = select(func.count()).where(
            Assignment.contributor_id == world.contributor_id, Assignment.status == "leased"
        )
        return await session.scalar(stmt)


def _exposure(world: World, project_id: int) -> DailyExposure:
    # The contributor's day in Tokyo, as the SQL function `local_day` must compute it.
    day = local_day(utcnow(), "Asia/Tokyo")
    return DailyExposure(contributor_id=world.contributor_id, day=day, severity="high", seconds=60)


@dataclass(frozen=True)
class Case:
    project: dict[str, Any]
    profile: dict[str, Any]
    grant: dict[str, Any] | None = None
    rows: tuple[Callable[[World, int], Any], ...] = ()
    # Work done through the loop itself before the attempt (a submission, a held lease).
    before: Callable[[World], Awaitable[None]] | None = None
    answer: str | type[Exception] = ""
    locales: tuple[str | None, ...] = (None, None)


CASES: dict[str, Case] = {
    "vendor_not_suspended": Case(
        {},
        {"vendor_id": VENDOR},
        {"vendor_id": VENDOR},
        rows=(lambda w, p: VendorSuspension(project_id=p, vendor_id=VENDOR, reason="test"),),
        answer=Forbidden,
    ),
    "not_banned": Case(
        {},
        {},
        rows=(
            lambda w, p: QueueBan(
                queue_id=w.queue_id, project_id=p, contributor_id=w.contributor_id, reason="drift"
            ),
        ),
        answer=Forbidden,
    ),
    "permitted": Case({}, {}, {"contributor_id": 1}, answer=NotFound),
    "project_active": Case({"status": "paused"}, {}, answer="exhausted"),
    "contributor_active": Case({}, {"status": "paused"}, answer="not_active"),
    "vendor_active": Case(
        {},
        {"vendor_id": SUSPENDED_VENDOR},
        {"vendor_id": SUSPENDED_VENDOR},
        rows=(
            lambda w, p: VendorStatus(vendor_id=SUSPENDED_VENDOR, status="suspended", changed_at=utcnow()),
        ),
        answer="vendor_not_active",
    ),
    "within_budget": Case(
        {},
        {"vendor_id": CAPPED_VENDOR},
        {"vendor_id": CAPPED_VENDOR},
        rows=(
            lambda w, p: BudgetCap(
                budget_id=w.contributor_id,
                project_id=p,
                vendor_id=CAPPED_VENDOR,
                max_units=0,
                period_start=utcnow() - timedelta(days=1),
                period_end=utcnow() + timedelta(days=1),
                changed_at=utcnow(),
            ),
        ),
        answer="budget_cap",
    ),
    "languages": Case({"required_languages": ["en", "fr"]}, {}, answer="language"),
    "speaks_a_locale": Case({"locales": ["ja-JP"]}, {}, answer="language", locales=("ja-JP", "ja-JP")),
    "skills": Case({"required_skills": ["audio", "video"]}, {}, answer="skill"),
    "qualification": Case(
        {"required_qualification": "medical", "required_qualification_score": 80},
        {"qualifications": [{"name": "medical", "score": 70, "passed": True, "expires_at": None}]},
        answer="qualification",
    ),
    "harmful_content_accepted": Case(
        {"content_severity": "medium"},
        {"wellness": {"opted_out_harmful": True, "timezone": "UTC"}},
        answer="opted_out",
    ),
    "vendor_staff": Case({"vetted_staff_only": True}, {"vetting": {"expires_at": None}}, answer="not_vetted"),
    "vetted": Case(
        {"vetted_staff_only": True},
        {"vendor_id": VENDOR, "vetting": {"expires_at": "2026-01-01T00:00:00+00:00"}},
        {"vendor_id": VENDOR},
        answer="not_vetted",
    ),
    "not_on_break": Case(
        {"content_severity": "low"},
        {"wellness": {"break_ends_at": (utcnow() + timedelta(minutes=10)).isoformat(), "timezone": "UTC"}},
        answer="wellness_break",
    ),
    "under_wellness_cap": Case(
        {"content_severity": "high"},
        {"wellness": {"daily_caps_minutes": {"high": 1}, "timezone": "Asia/Tokyo"}},
        rows=(_exposure,),
        answer="wellness_cap",
    ),
    "under_daily_quota": Case(
        {"daily_quota": 1},
        {"wellness": {"timezone": "America/New_York"}},
        before=_submit_one,
        answer="daily_quota",
    ),
    "under_lease_limit": Case({"max_live_leases": 1}, {}, before=_next, answer="held"),
}


def test_every_precondition_has_a_case():
    assert set(CASES) == {p.name for p in PRECONDITIONS}


async def _world(db: Database, case: Case) -> World:
    world = await build(World(db, case.project, case.profile, case.grant or {}, locales=case.locales))
    await _add(world, *case.rows)
    if case.before is not None:
        await case.before(world)
    return world


async def test_a_contributor_who_passes_every_precondition_is_leased_a_task(db):
    world = await _world(db, Case({"required_languages": ["en"], "required_skills": ["audio"]}, {}))

    ctx = await _attempt(world)

    assert first_failed(ctx) is None
    assert ctx["claimed_id"] is not None


@pytest.mark.parametrize("name", list(CASES))
async def test_breaking_one_precondition_names_it_and_claims_nothing(db, name):
    case = CASES[name]
    world = await _world(db, case)
    held = await _live_leases(world)

    ctx = await _attempt(world)

    assert first_failed(ctx).name == name
    assert ctx["claimed_id"] is None
    assert await _live_leases(world) == held


@pytest.mark.parametrize("name", list(CASES))
async def test_next_answers_the_refusal_of_the_broken_precondition(db, name):
    case = CASES[name]
    world = await _world(db, case)

    if isinstance(case.answer, type):
        with pytest.raises(case.answer) as refused:
            await _next(world)
        # A 403 concerns the caller alone and names its reason; a 404 says no more than a missing queue.
        named = refused.value.headers.get(QUEUE_REASON)
        assert named == (
            {p.name: p.reason for p in PRECONDITIONS}[name] if case.answer is Forbidden else None
        )
        return
    outcome = await _next(world)

    if case.answer == "held":
        # At a cap of one, the lease held is handed out again instead of a refusal.
        assert outcome["assignment_id"] is not None
    else:
        assert isinstance(outcome, NoWork)
        assert outcome.reason == case.answer


async def test_a_lapsed_qualification_stops_counting_without_another_event(db):
    expiry = utcnow() + timedelta(hours=1)
    qualification = {"name": "medical", "score": 90, "passed": True, "expires_at": expiry.isoformat()}
    world = await _world(db, Case({"required_qualification": "medical"}, {"qualifications": [qualification]}))

    after_expiry = await _attempt(world, now=expiry + timedelta(seconds=1))
    before_expiry = await _attempt(world, now=expiry - timedelta(seconds=1))

    assert first_failed(after_expiry).name == "qualification"
    assert first_failed(before_expiry) is None and before_expiry["claimed_id"] is not None


OPS = Principal(subject="ops", roles=frozenset({"ops"}), user_id=1)


async def _explain(world: World, principal: Principal, contributor_id: int | None = None) -> dict[str, Any]:
    async with raw_connection(world.db.engine) as connection:
        return await leasing.explain_eligibility(
            connection,
            principal=principal,
            queue_id=world.queue_id,
            contributor_id=contributor_id or world.contributor_id,
        )


@pytest.mark.parametrize("name", list(CASES))
async def test_the_explanation_names_the_rule_next_refuses_on(db, name):
    world = await _world(db, CASES[name])

    explained = await _explain(world, OPS)

    failing = [rule["rule"] for rule in explained["rules"] if not rule["passed"]]
    assert failing[0] == name and not explained["eligible"]
    assert explained["reason"] == next(p.reason for p in PRECONDITIONS if p.name == name)
    assert [rule["rule"] for rule in explained["rules"]] == [p.name for p in PRECONDITIONS]


async def test_the_explanation_shows_the_values_compared(db):
    world = await _world(db, CASES["under_wellness_cap"])

    explained = await _explain(world, OPS)

    cap = next(rule for rule in explained["rules"] if rule["rule"] == "under_wellness_cap")
    assert cap["compared"] == {
        "content_severity": "high",
        "exposure_seconds_today": 60,
        "cap_minutes": 1.0,
        "timezone": "Asia/Tokyo",
    }
    assert 0 < explained["retry_after"] <= 86_400


async def test_an_eligible_contributor_is_explained_as_eligible_and_nothing_is_leased(db):
    world = await _world(db, Case({"required_languages": ["en"]}, {}))

    explained = await _explain(world, world.principal)

    assert (explained["eligible"], explained["reason"]) == (True, None)
    assert all(rule["passed"] for rule in explained["rules"])
    assert await _live_leases(world) == 0


async def test_a_contributor_asks_only_about_itself_and_only_where_it_may_work(db):
    world = await _world(db, Case({}, {}))
    other = await _world(db, CASES["permitted"])

    with pytest.raises(NotFound):
        await _explain(world, world.principal, contributor_id=other.contributor_id)
    with pytest.raises(NotFound):
        await _explain(other, other.principal)
    assert (await _explain(other, OPS))["reason"] == "not_permitted"


async def test_a_break_over_is_no_refusal_and_no_break_applies_to_content_without_severity(db):
    ended = {"wellness": {"break_ends_at": (utcnow() - timedelta(seconds=1)).isoformat(), "timezone": "UTC"}}
    ongoing = {
        "wellness": {"break_ends_at": (utcnow() + timedelta(minutes=10)).isoformat(), "timezone": "UTC"}
    }

    after_break = await _attempt(await _world(db, Case({"content_severity": "high"}, ended)))
    plain_work = await _attempt(await _world(db, Case({"content_severity": "none"}, ongoing)))

    assert after_break["claimed_id"] is not None and plain_work["claimed_id"] is not None


async def test_a_break_is_answered_with_the_seconds_until_it_ends(db):
    world = await _world(db, CASES["not_on_break"])

    ends = datetime.fromisoformat(CASES["not_on_break"].profile["wellness"]["break_ends_at"])
    outcome = await _next(world)

    expected = (ends - utcnow()).total_seconds()
    assert outcome.reason == "wellness_break" and expected <= outcome.retry_after <= expected + 2


async def _upsert(world: World, **changes: Any) -> None:
    async with world.db.sessionmaker() as session, session.begin():
        await upsert_profile(session, world, version=2, **changes)


async def _submit(world: World, assignment_id: int) -> tuple[int, Any]:
    async with raw_connection(world.db.engine) as connection:
        return await submitting.submit(
            connection,
            principal=world.principal,
            assignment_id=assignment_id,
            data=SubmissionCreate(answer="cat", time_spent_seconds=5),
            idempotency_key=None,
        )


async def _close_project(world: World) -> None:
    async with world.db.sessionmaker() as session, session.begin():
        project_id = await session.scalar(select(Queue.project_id).where(Queue.id == world.queue_id))
        await session.execute(update(Project).where(Project.id == project_id).values(status="completed"))


# Each control is applied to the read-model only, as the event would, but the lease is NOT released
# first: submit itself must refuse (an answer racing the release).
SUBMIT_CASES = {
    "contributor_not_gone": lambda w: _upsert(w, status="offboarded"),
    "project_open": _close_project,
    "harmful_content_accepted": lambda w: _upsert(w, wellness={"opted_out_harmful": True}),
}


def test_every_submit_precondition_has_a_case():
    assert set(SUBMIT_CASES) | {"vendor_not_terminated"} == {p.name for p in SUBMIT_PRECONDITIONS}


@pytest.mark.parametrize("name", list(SUBMIT_CASES))
async def test_a_held_lease_whose_submit_precondition_fails_takes_no_answer(db, name, monkeypatch):
    world = await _world(db, Case({"content_severity": "medium"}, {}))
    lease = await _next(world)
    # The release the event handler does is switched off: the refusal must come from submit's own check.
    monkeypatch.setattr(events, "release_held_leases", _no_release)

    await SUBMIT_CASES[name](world)

    with pytest.raises(Conflict) as refused:
        await _submit(world, lease["assignment_id"])
    assert refused.value.detail.endswith(next(p.reason for p in SUBMIT_PRECONDITIONS if p.name == name))


async def test_a_terminated_vendors_held_lease_takes_no_answer(db, monkeypatch):
    vendor = SUSPENDED_VENDOR + 1
    world = await _world(db, Case({}, {"vendor_id": vendor}, {"vendor_id": vendor}))
    lease = await _next(world)
    monkeypatch.setattr(events, "release_held_leases", _no_release)
    async with world.db.sessionmaker() as session, session.begin():
        data = {"vendor_id": vendor, "status": "terminated", "changed_at": utcnow().isoformat()}
        event = Event(
            id=uuid.uuid4().hex,
            type="vendor.status_changed",
            source="vendors",
            occurred_at=utcnow(),
            data=data,
        )
        await events.apply_vendor_status_changed(session, event)

    with pytest.raises(Conflict):
        await _submit(world, lease["assignment_id"])


async def _no_release(*_args: Any, **_kwargs: Any) -> int:
    return 0


async def test_a_budget_cap_counts_accepted_answers_and_live_leases_of_the_vendor(db):
    vendor = CAPPED_VENDOR + 1
    world = await _world(db, Case({}, {"vendor_id": vendor}, {"vendor_id": vendor}))
    period = {"period_start": utcnow() - timedelta(days=1), "period_end": utcnow() + timedelta(days=1)}
    await _add(world, lambda w, p: BudgetCap(budget_id=w.contributor_id, project_id=p, vendor_id=vendor,
                                             max_units=1, changed_at=utcnow(), **period))  # fmt: skip

    await _submit_one(world)  # one accepted answer: the cap of one unit is reached
    at_cap = await _attempt(world)
    async with world.db.sessionmaker() as session, session.begin():
        await profiles.save_budget_cap(session, budget_id=world.contributor_id, project_id=at_cap["project_id"],
                                       vendor_id=vendor, max_units=2, changed_at=utcnow(), **period)  # fmt: skip
    raised = await _attempt(world)  # a second unit fits: leased
    explained = await _explain(world, OPS)

    assert first_failed(at_cap).name == "within_budget" and at_cap["claimed_id"] is None
    assert first_failed(raised) is None and raised["claimed_id"] is not None
    budget = next(r for r in explained["rules"] if r["rule"] == "within_budget")
    # The live lease counts: the two units are committed.
    assert (budget["passed"], budget["compared"]) == (False, {"max_units": 2, "committed_units": 2})


async def test_a_contributor_gets_only_tasks_in_a_language_it_speaks(db):
    # One demand in two locales, one project: an English speaker gets the en-US task and, once it is done,
    # hears that nothing is left for it (not "all leased": the ja-JP task will never be its).
    world = await _world(db, Case({"locales": ["en-US", "ja-JP"]}, {}, locales=("ja-JP", "en-US")))

    lease = await _next(world)
    await _submit_one_lease(world, lease)
    after = await _next(world)

    async with world.db.sessionmaker() as session:
        leased_locale = await session.scalar(select(Task.locale).where(Task.id == lease["task"]["id"]))
    assert leased_locale == "en-US"
    assert isinstance(after, NoWork) and after.reason == "exhausted"


async def test_a_regional_locale_goes_to_speakers_of_its_language(db):
    world = await _world(
        db,
        Case(
            {"locales": ["pt-BR"]},
            {"languages": [{"code": "pt-PT", "proficiency": "native"}]},
            locales=("pt-BR", "pt-BR"),
        ),
    )

    ctx = await _attempt(world)

    assert first_failed(ctx) is None and ctx["claimed_id"] is not None


@pytest.mark.parametrize(("spoken", "leased"), [("basic", False), ("fluent", True), ("native", True)])
async def test_task_languages_count_at_the_projects_minimum_proficiency(db, spoken, leased):
    world = await _world(
        db,
        Case(
            {"locales": ["ja-JP"], "min_language_proficiency": "fluent"},
            {"languages": [{"code": "ja", "proficiency": spoken}]},
            locales=("ja-JP", "ja-JP"),
        ),
    )

    ctx = await _attempt(world)

    assert (ctx["claimed_id"] is not None) is leased
    assert (first_failed(ctx) is None) is leased


async def test_required_languages_count_at_the_projects_minimum_proficiency(db):
    world = await _world(
        db,
        Case(
            {"required_languages": ["en"], "min_language_proficiency": "native"},
            {"languages": [{"code": "en-GB", "proficiency": "fluent"}]},
        ),
    )

    explained = await _explain(world, OPS)

    assert explained["reason"] == "language"
    rule = next(r for r in explained["rules"] if r["rule"] == "languages")
    assert rule["compared"]["min_proficiency"] == "native"
