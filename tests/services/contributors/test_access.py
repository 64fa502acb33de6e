"""Who sees and changes which contributors: staff, vendor users (their vendor only), contributors (themselves)."""

from __future__ import annotations

import pytest

from tests.services.contributors.support import contributor_body, move, new_contributor

VENDOR, OTHER_VENDOR = 5151, 5252


@pytest.fixture(scope="module")
def vendor(users):
    return users.create("vendor", vendor_id=VENDOR)


@pytest.fixture(scope="module")
def people(ops):
    return {
        "ours": new_contributor(ops, vendor_id=VENDOR),
        "theirs": new_contributor(ops, vendor_id=OTHER_VENDOR),
    }


def test_a_vendor_lists_only_its_own_contributors(vendor, people):
    listed = vendor.get("/api/v1/contributors", params={"limit": 500}).json()["items"]
    asked_for_other = vendor.get("/api/v1/contributors", params={"vendor_id": OTHER_VENDOR}).json()["items"]

    assert {c["vendor_id"] for c in listed} == {VENDOR}
    assert people["ours"]["id"] in {c["id"] for c in listed}
    assert asked_for_other == []


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"full_name": "x"}),
        ("POST", "/transitions", {"to": "screening"}),
        ("GET", "/history", None),
        ("GET", "/onboarding", None),
        ("POST", "/onboarding/nda", None),
        ("GET", "/qualifications", None),
        ("GET", "/vetting", None),
        ("GET", "/vetting/history", None),
        ("GET", "/wellness", None),
        ("PUT", "/wellness/opt-out", {"opted_out_harmful": True}),
        ("GET", "/feed", None),
    ],
)
def test_another_vendors_contributor_is_404_not_403(vendor, people, method, suffix, body):
    url = f"/api/v1/contributors/{people['theirs']['id']}{suffix}"

    response = vendor.request(method, url, json=body, headers={"If-Match": "*"})

    assert response.status_code == 404, response.text


def test_a_vendor_manages_its_own_contributors(vendor, people):
    url = f"/api/v1/contributors/{people['ours']['id']}"

    moved = move(vendor, people["ours"]["id"], "screening", reason="passed vendor screening")
    renamed = vendor.patch(
        url, json={"full_name": "Renamed by vendor"}, headers={"If-Match": vendor.get(url).headers["etag"]}
    )

    assert moved.status_code == 200
    assert renamed.status_code == 200


def test_a_vendor_registers_people_for_itself_only(vendor):
    own = vendor.post("/api/v1/contributors", json=contributor_body())
    foreign = vendor.post("/api/v1/contributors", json=contributor_body(vendor_id=OTHER_VENDOR))

    assert own.status_code == 201 and own.json()["vendor_id"] == VENDOR
    assert foreign.status_code == 403


def test_a_vendor_cannot_hand_a_contributor_to_another_vendor(vendor, people):
    url = f"/api/v1/contributors/{people['ours']['id']}"

    response = vendor.patch(
        url, json={"vendor_id": OTHER_VENDOR}, headers={"If-Match": vendor.get(url).headers["etag"]}
    )

    assert response.status_code == 403


def test_a_vendor_user_without_a_vendor_sees_and_registers_nobody(users, people):
    unlinked = users.create("vendor")

    assert unlinked.get("/api/v1/contributors").json()["items"] == []
    assert unlinked.post("/api/v1/contributors", json=contributor_body()).status_code == 403


def test_a_contributor_sees_only_itself(users, people):
    me = users.create("contributor", contributor_id=people["ours"]["id"])

    listed = me.get("/api/v1/contributors", params={"limit": 500}).json()["items"]

    assert [c["id"] for c in listed] == [people["ours"]["id"]]
    assert me.get(f"/api/v1/contributors/{people['theirs']['id']}").status_code == 404
    assert me.get(f"/api/v1/contributors/{people['theirs']['id']}/wellness").status_code == 404
    assert me.post("/api/v1/contributors", json=contributor_body()).status_code == 403


def test_analysts_and_vendor_managers_read_but_do_not_change(users, people):
    url = f"/api/v1/contributors/{people['theirs']['id']}"
    for role in ("analyst", "vendor_manager"):
        reader = users.create(role)
        assert reader.get(url).status_code == 200, role
        assert reader.get("/api/v1/contributors").status_code == 200, role
        assert reader.post("/api/v1/contributors", json=contributor_body()).status_code == 403, role
        assert reader.patch(url, json={"full_name": "x"}, headers={"If-Match": "*"}).status_code == 403, role
        assert move(reader, people["theirs"]["id"], "screening").status_code == 403, role


def test_qualifications_are_set_by_support_staff_only(users, vendor, people):
    url = f"/api/v1/contributors/{people['ours']['id']}/qualifications/ner"
    body = {"score": 90, "passed": True, "source": "manual"}

    assert vendor.put(url, json=body).status_code == 403
    assert users.create("support").put(url, json=body).status_code == 201
    assert vendor.get(f"/api/v1/contributors/{people['ours']['id']}/qualifications").status_code == 200
