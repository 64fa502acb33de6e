"""The wellness board through the gateway: who is near a daily cap, on a required break or asked for support,
from the exposure tasks reports and the check-ins people make; a vendor sees its own people only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from shared.pagination import encode_position
from tests.services.contributors.support import new_contributor, submission
from tests.services.vendors.support import new_vendor
from tests.system.test_contributors_wellness import afternoon_zone

BOARD = "/api/v1/wellness/board"


@dataclass
class Vendor:
    id: int
    near_cap: int
    on_break: int
    asking: int
    fine: int


def _check_in(client, contributor_id: int, *, wants_support: bool) -> None:
    response = client.post(
        f"/api/v1/contributors/{contributor_id}/wellness/check-ins",
        json={"mood": 2 if wants_support else 4, "stress": 4 if wants_support else 2,
              "note": "rough day", "wants_support": wants_support},
    )  # fmt: skip
    assert response.status_code == 201, response.text


def _people(ops, cluster) -> Vendor:
    """A vendor's four people: 105 of 120 high-severity minutes in three stretches with rests between
    (near the cap, no break), an hour of medium content without rest (on a break), one whose latest
    check-in asks for support, and one with a little low-severity work and a good check-in (fine)."""
    vendor = new_vendor(ops)
    zone = afternoon_zone()
    now = datetime.now(UTC)
    near, breaking, asking, fine = (
        new_contributor(ops, vendor_id=vendor["id"], timezone=zone, full_name=name)["id"]
        for name in ("Near Cap", "On Break", "Asks Support", "Doing Fine")
    )
    for minutes_ago in (20, 75, 130):
        submission(cluster, near, severity="high", seconds=35 * 60, at=now - timedelta(minutes=minutes_ago))
    submission(cluster, breaking, severity="medium", seconds=3600, at=now - timedelta(minutes=2))
    _check_in(ops, asking, wants_support=False)
    _check_in(ops, asking, wants_support=True)
    submission(cluster, fine, severity="low", seconds=1800, at=now - timedelta(hours=1))
    _check_in(ops, fine, wants_support=False)
    return Vendor(vendor["id"], near, breaking, asking, fine)


@pytest.fixture(scope="module")
def acme(ops, cluster) -> Vendor:
    return _people(ops, cluster)


@pytest.fixture(scope="module")
def other(ops, cluster) -> Vendor:
    return _people(ops, cluster)


def _board(client, **params) -> dict:
    response = client.get(BOARD, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_board_lists_who_is_near_a_cap_on_a_break_or_asking_for_support_and_not_who_is_fine(ops, acme):
    board = _board(ops, vendor_id=acme.id)

    states = {item["contributor_id"]: item["states"] for item in board["items"]}
    assert states == {
        acme.near_cap: ["near_cap"],
        acme.on_break: ["on_break"],
        acme.asking: ["support_requested"],
    }
    assert board["near_cap_share"] == 0.8
    near = next(i for i in board["items"] if i["contributor_id"] == acme.near_cap)
    assert near["cap_use"] == {"severity": "high", "minutes": 105.0, "cap_minutes": 120, "share": 0.875}
    assert near["today_minutes"]["high"] == 105.0 and near["break_ends_at"] is None
    breaking = next(i for i in board["items"] if i["contributor_id"] == acme.on_break)
    assert breaking["break_ends_at"] is not None and breaking["continuous_exposure_minutes"] == 60.0
    asking = next(i for i in board["items"] if i["contributor_id"] == acme.asking)
    assert asking["support_requested_at"] is not None and "note" not in asking


def test_the_board_is_sorted_by_the_share_of_a_cap_used_by_default(ops, acme):
    items = _board(ops, vendor_id=acme.id)["items"]

    # 0.875 (high), 0.25 (medium), then the one without exposure today.
    assert [i["contributor_id"] for i in items] == [acme.near_cap, acme.on_break, acme.asking]


def test_the_board_filters_by_state(ops, acme):
    on_break = _board(ops, vendor_id=acme.id, state="on_break")["items"]
    either = _board(ops, vendor_id=acme.id, state=["on_break", "support_requested"])["items"]

    assert [i["contributor_id"] for i in on_break] == [acme.on_break]
    assert {i["contributor_id"] for i in either} == {acme.on_break, acme.asking}


def test_a_higher_near_threshold_leaves_the_person_below_it_off(ops, acme):
    items = _board(ops, vendor_id=acme.id, near_cap_share=0.9, state="near_cap")["items"]

    assert items == []


def test_the_board_pages_with_a_cursor_in_its_sort(ops, acme):
    seen, cursor = [], None
    while True:
        page = _board(
            ops, vendor_id=acme.id, sort="full_name", limit=1, **({"cursor": cursor} if cursor else {})
        )
        seen += [i["full_name"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == ["Asks Support", "Near Cap", "On Break"]
    assert ops.get(BOARD, params={"sort": "-full_name", "cursor": "bm9wZQ"}).status_code == 422


def test_a_vendor_user_sees_only_its_own_people(users, acme, other):
    vendor_user = users.create("vendor", vendor_id=acme.id)

    everyone = {i["contributor_id"] for i in _board(vendor_user, limit=500)["items"]}
    theirs = _board(vendor_user, vendor_id=other.id)["items"]

    assert {acme.near_cap, acme.on_break, acme.asking} <= everyone
    assert not everyone & {other.near_cap, other.on_break, other.asking}
    assert theirs == []


def test_a_contributor_may_not_read_the_board_and_an_unknown_state_is_422(users, ops, acme):
    contributor = users.create("contributor", contributor_id=acme.asking)

    assert contributor.get(BOARD).status_code == 403
    assert ops.get(BOARD, params={"state": "tired"}).status_code == 422


@pytest.mark.parametrize(
    "cursor",
    [
        "bm9wZQ",
        encode_position("full_name", [False, "x", 1], 1),  # made for another sort
        encode_position("-cap_share", [True, "x", 1], 1),  # a name where a share belongs
        encode_position("-cap_share", {"v": 1}, 1),
    ],
)
def test_a_cursor_the_board_did_not_give_is_422(ops, acme, cursor):
    response = ops.get(BOARD, params={"vendor_id": acme.id, "cursor": cursor})

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"
