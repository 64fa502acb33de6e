"""Vetting for harmful content through the gateway: ops vet and revoke, history, access, the event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.services.contributors.support import PROBLEM, new_contributor, outbox
from tests.support.waiting import eventually

VENDOR, OTHER_VENDOR = 6161, 6262


def _url(contributor_id: int, suffix: str = "") -> str:
    return f"/api/v1/contributors/{contributor_id}/vetting{suffix}"


def _in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_ops_vet_a_contributor_until_a_date_recording_who_and_when(ops):
    created = new_contributor(ops, vendor_id=VENDOR)
    until = _in_days(365)

    response = ops.post(_url(created["id"]), json={"expires_at": until, "reason": "background check BC-17"})

    body = response.json()
    assert response.status_code == 200, response.text
    assert (body["vetted"], body["expired"], _time(body["expires_at"])) == (True, False, _time(until))
    assert body["vetted_by"] == f"user:{ops.user['id']}" and body["vetted_at"] is not None
    assert ops.get(_url(created["id"])).json() == body


def test_a_vetting_without_expiry_lasts_until_revoked(ops):
    created = new_contributor(ops)

    body = ops.post(_url(created["id"]), json={}).json()

    assert (body["vetted"], body["expires_at"]) == (True, None)


def test_a_contributor_never_vetted_is_not_vetted(ops):
    created = new_contributor(ops)

    body = ops.get(_url(created["id"])).json()

    assert body == {
        "contributor_id": created["id"],
        "vetted": False,
        "vetted_at": None,
        "vetted_by": None,
        "expires_at": None,
        "expired": False,
    }


def test_revoking_ends_the_vetting_and_the_history_records_both(ops):
    created = new_contributor(ops)
    ops.post(_url(created["id"]), json={"expires_at": _in_days(30), "reason": "resilience training"})

    revoked = ops.delete(_url(created["id"]), params={"reason": "incident review"})

    history = ops.get(_url(created["id"], "/history")).json()["items"]
    assert revoked.status_code == 204
    assert ops.get(_url(created["id"])).json()["vetted"] is False
    assert [(h["action"], h["reason"]) for h in history] == [
        ("vetted", "resilience training"),
        ("revoked", "incident review"),
    ]
    assert {h["actor"] for h in history} == {f"user:{ops.user['id']}"}
    assert history[0]["expires_at"] is not None and history[1]["expires_at"] is None


def test_a_renewal_replaces_the_expiry(ops):
    created = new_contributor(ops)
    ops.post(_url(created["id"]), json={"expires_at": _in_days(10)})
    later = _in_days(400)

    renewed = ops.post(_url(created["id"]), json={"expires_at": later}).json()

    assert _time(renewed["expires_at"]) == _time(later)
    assert len(ops.get(_url(created["id"], "/history")).json()["items"]) == 2


def test_revoking_a_contributor_who_is_not_vetted_is_404(ops):
    created = new_contributor(ops)

    response = ops.delete(_url(created["id"]))

    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    "body",
    [
        {"expires_at": "2020-01-01T00:00:00Z"},
        {"expires_at": "2030-01-01T00:00:00"},
        {"expires_at": 1900000000},
        {"vetted": True},
    ],
)
def test_a_bad_vetting_is_422_naming_the_field(ops, body):
    created = new_contributor(ops)

    response = ops.post(_url(created["id"]), json=body)

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"] == f"/{next(iter(body))}"
    assert ops.get(_url(created["id"])).json()["vetted"] is False


@pytest.mark.parametrize("role", ["support", "vendor_manager", "analyst"])
def test_only_ops_and_admins_vet_and_revoke(ops, users, role):
    created = new_contributor(ops)
    ops.post(_url(created["id"]), json={})
    other = users.create(role)

    assert other.post(_url(created["id"]), json={}).status_code == 403
    assert other.delete(_url(created["id"])).status_code == 403
    assert ops.get(_url(created["id"])).json()["vetted"] is True


def test_a_vendor_reads_its_own_staffs_vetting_only(ops, users):
    ours = new_contributor(ops, vendor_id=VENDOR)
    theirs = new_contributor(ops, vendor_id=OTHER_VENDOR)
    vendor = users.create("vendor", vendor_id=VENDOR)

    assert vendor.get(_url(ours["id"])).status_code == 200
    assert vendor.get(_url(ours["id"], "/history")).status_code == 200
    assert vendor.get(_url(theirs["id"])).status_code == 404
    assert vendor.post(_url(ours["id"]), json={}).status_code == 403


def test_a_contributor_does_not_read_vetting_records(ops, users):
    created = new_contributor(ops)
    me = users.create("contributor", contributor_id=created["id"])

    assert me.get(_url(created["id"])).status_code == 403


def test_the_vetting_is_published_with_its_expiry_and_revocation_clears_it(ops, databases):
    created = new_contributor(ops, vendor_id=VENDOR)
    until = _in_days(90)
    ops.post(_url(created["id"]), json={"expires_at": until})
    ops.delete(_url(created["id"]))

    payloads = [e["payload"] for e in outbox(databases, created["id"], "contributor.upserted")]

    assert [p["vetting"] is None for p in payloads] == [True, False, True]
    assert _time(payloads[1]["vetting"]["expires_at"]) == _time(until)
    assert set(payloads[1]["vetting"]) == {"expires_at"}
    assert payloads[1]["version"] < payloads[2]["version"]


def test_the_tasks_read_model_receives_the_vetting(ops, admin):
    created = new_contributor(ops, vendor_id=VENDOR)
    until = _in_days(90)
    ops.post(_url(created["id"]), json={"expires_at": until, "reason": "background check"})

    profile = eventually(
        lambda: (
            (r := admin.get(f"/api/v1/contributor-profiles/{created['id']}")).status_code == 200
            and r.json()["vetting"]
            and r.json()
        )
    )

    assert _time(profile["vetting"]["expires_at"]) == _time(until)
    assert "background" not in str(profile)


def test_erasure_overwrites_the_vetting_reasons(ops):
    created = new_contributor(ops)
    ops.post(_url(created["id"]), json={"reason": "check for Ada Labeler, ref 991"})

    assert ops.post(f"/api/v1/contributors/{created['id']}/erase").status_code == 200

    [entry] = ops.get(_url(created["id"], "/history")).json()["items"]
    assert entry["reason"] == "[erased]"
