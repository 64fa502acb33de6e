"""The contributor lifecycle, the service in process: the state machine, activation's onboarding gate, history."""

from __future__ import annotations

from tests.services.contributors.support import (
    PROBLEM,
    activate,
    complete_onboarding,
    move,
    new_contributor,
)
from tests.support.api import unique_email


def test_the_happy_path_reaches_active_and_records_first_screening_and_activation(ops):
    created = new_contributor(ops)

    active = activate(ops, created["id"])

    assert active["status"] == "active"
    assert active["screened_at"] is not None and active["activated_at"] is not None
    assert active["screened_at"] <= active["activated_at"]


def test_an_invalid_transition_is_409_listing_the_allowed_ones(ops):
    created = new_contributor(ops)

    response = move(ops, created["id"], "active")

    body = response.json()
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert body["allowed"] == ["offboarded", "rejected", "screening"]
    assert "offboarded, rejected, screening" in body["detail"]


def test_staying_in_the_same_status_is_not_a_transition(ops):
    created = new_contributor(ops)

    assert move(ops, created["id"], "applied").status_code == 409


def test_an_unknown_target_status_is_422(ops):
    created = new_contributor(ops)

    response = move(ops, created["id"], "promoted")

    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/to"


def test_activation_needs_every_required_onboarding_step(ops):
    created = new_contributor(ops)
    move(ops, created["id"], "screening")
    move(ops, created["id"], "onboarding")
    complete_onboarding(ops, created["id"], steps=("profile_setup", "nda"))

    response = move(ops, created["id"], "active")

    assert response.status_code == 409
    assert response.json()["missing"] == ["guidelines_ack", "qualification", "training"]


def test_suspended_during_screening_cannot_skip_onboarding(ops):
    created = new_contributor(ops)
    move(ops, created["id"], "screening")
    move(ops, created["id"], "suspended")

    response = move(ops, created["id"], "active")

    assert response.status_code == 409 and "onboarding" in response.json()["detail"]


def test_pause_resume_suspend_and_offboarding_is_terminal(ops):
    created = new_contributor(ops)
    activate(ops, created["id"])

    statuses = [
        move(ops, created["id"], to).json()["status"] for to in ("paused", "active", "suspended", "active")
    ]
    offboarded = move(ops, created["id"], "offboarded", reason="contract ended")
    after = move(ops, created["id"], "active")

    assert statuses == ["paused", "active", "suspended", "active"]
    assert offboarded.status_code == 200
    assert after.status_code == 409 and after.json()["allowed"] == []


def test_rejection_is_only_possible_before_onboarding(ops):
    early, late = new_contributor(ops), new_contributor(ops)
    move(ops, late["id"], "screening")
    move(ops, late["id"], "onboarding")

    assert move(ops, early["id"], "rejected", reason="not eligible").status_code == 200
    assert move(ops, late["id"], "rejected").status_code == 409


def test_history_records_every_transition_with_actor_time_and_reason(ops):
    created = new_contributor(ops)
    move(ops, created["id"], "screening", reason="CV looks fine")
    move(ops, created["id"], "rejected", reason="failed the language test")

    history = ops.get(f"/api/v1/contributors/{created['id']}/history").json()["items"]
    newest_first = ops.get(f"/api/v1/contributors/{created['id']}/history", params={"sort": "-id"}).json()[
        "items"
    ]

    assert [(h["from_status"], h["to_status"], h["reason"]) for h in history] == [
        (None, "applied", None),
        ("applied", "screening", "CV looks fine"),
        ("screening", "rejected", "failed the language test"),
    ]
    assert {h["actor"] for h in history} == {f"user:{ops.user['id']}"}
    assert all(h["at"].endswith("Z") or "+00:00" in h["at"] for h in history)
    assert [h["to_status"] for h in newest_first] == ["rejected", "screening", "applied"]


def test_a_transition_with_a_stale_if_match_is_412(ops):
    created = new_contributor(ops)

    response = ops.post(
        f"/api/v1/contributors/{created['id']}/transitions",
        json={"to": "screening"},
        headers={"If-Match": f'"{created["id"]}-99"'},
    )

    assert response.status_code == 412


def test_the_onboarding_checklist_lists_every_step_and_what_activation_needs(ops):
    created = new_contributor(ops)
    ops.post(f"/api/v1/contributors/{created['id']}/onboarding/nda")
    ops.post(f"/api/v1/contributors/{created['id']}/onboarding/platform_tour")

    checklist = ops.get(f"/api/v1/contributors/{created['id']}/onboarding").json()

    steps = {s["step"]: s for s in checklist["steps"]}
    assert list(steps) == [
        "profile_setup",
        "platform_tour",
        "guidelines_ack",
        "nda",
        "training",
        "qualification",
    ]
    assert steps["nda"]["completed_at"] and steps["nda"]["required"]
    assert steps["platform_tour"]["completed_at"] and not steps["platform_tour"]["required"]
    assert steps["training"]["completed_at"] is None
    assert checklist["missing_required"] == ["guidelines_ack", "profile_setup", "qualification", "training"]
    assert checklist["ready_to_activate"] is False


def test_completing_a_step_twice_keeps_the_first_time(ops):
    created = new_contributor(ops)
    url = f"/api/v1/contributors/{created['id']}/onboarding/nda"

    first = ops.post(url).json()
    second = ops.post(url).json()

    assert first["steps"][3]["completed_at"] == second["steps"][3]["completed_at"]


def test_a_reset_step_must_be_done_again(ops):
    created = new_contributor(ops)
    complete_onboarding(ops, created["id"])

    reset = ops.delete(f"/api/v1/contributors/{created['id']}/onboarding/nda")

    assert reset.status_code == 200 and reset.json()["missing_required"] == ["nda"]


def test_an_unknown_step_is_422(ops):
    created = new_contributor(ops)

    assert ops.post(f"/api/v1/contributors/{created['id']}/onboarding/tea_ceremony").status_code == 422


def test_a_contributor_completes_its_self_service_steps_but_not_training(users, ops):
    created = new_contributor(ops)
    me = users.create("contributor", contributor_id=created["id"])

    nda = me.post(f"/api/v1/contributors/{created['id']}/onboarding/nda")
    training = me.post(f"/api/v1/contributors/{created['id']}/onboarding/training")
    transition = move(me, created["id"], "screening")

    assert nda.status_code == 200
    assert training.status_code == 403
    assert transition.status_code == 403


def test_the_vendors_service_offboards_a_worker_found_by_email(contributors, ops):
    created = new_contributor(ops, vendor_id=55)
    activate(ops, created["id"])
    vendors = contributors.as_service("vendors")

    found = vendors.get("/api/v1/contributors", params={"email": created["email"]}).json()["items"]
    response = vendors.post(
        f"/api/v1/contributors/{found[0]['id']}/transitions",
        json={"to": "offboarded", "reason": "offboarded in the VMS"},
    )

    history = ops.get(f"/api/v1/contributors/{created['id']}/history").json()["items"]
    assert response.status_code == 200 and response.json()["status"] == "offboarded"
    assert history[-1]["actor"] == "service:vendors" and history[-1]["reason"] == "offboarded in the VMS"


def test_the_vendors_service_registers_a_vms_worker(contributors):
    vendors = contributors.as_service("vendors")

    response = vendors.post(
        "/api/v1/contributors",
        json={
            "email": unique_email("vms"),
            "full_name": "Vendor Worker",
            "country": "IN",
            "timezone": "Asia/Kolkata",
            "languages": [{"code": "hi", "proficiency": "native"}],
            "skills": [],
            "vendor_id": 9,
            "source_channel": "vms",
        },
    )

    assert response.status_code == 201, response.text
    assert (response.json()["vendor_id"], response.json()["source_channel"]) == (9, "vms")
