"""A queue's grants as the console lists them (services/console/rules/grants.py)."""

from datetime import UTC, datetime

from services.console.rules.grants import grant_filters, grant_query, grant_state, return_to

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_the_filters_keep_an_id_a_known_status_and_a_known_order():
    assert grant_filters(contributor_id=" 42 ", status="all", sort="-expires_at") == {
        "contributor_id": "42", "status": "all", "sort": "-expires_at"
    }  # fmt: skip


def test_an_id_the_api_would_refuse_is_no_filter_an_unknown_status_is_live_an_unknown_order_as_given():
    for typed in ("0", "-3", "abc", "2147483648", ""):
        assert grant_filters(contributor_id=typed, status="ended", sort="name") == {
            "contributor_id": "", "status": "live", "sort": "id"
        }  # fmt: skip


def test_the_page_and_its_file_ask_the_api_alike():
    assert grant_query(grant_filters(contributor_id="42", status="all", sort="expires_at")) == {
        "contributor_id": "42", "include_ended": "true", "sort": "expires_at"
    }  # fmt: skip
    assert grant_query(grant_filters(contributor_id="", status="live"))["include_ended"] is None


def test_a_grant_is_revoked_before_expired_before_suspended():
    past, future = "2026-12-07T07:00:00Z", "2026-12-08T07:00:00Z"

    assert grant_state({"revoked_at": past, "expires_at": past, "suspended": True}, now=NOW) == "revoked"
    assert grant_state({"revoked_at": None, "expires_at": past, "suspended": True}, now=NOW) == "expired"
    assert grant_state({"revoked_at": None, "expires_at": future, "suspended": True}, now=NOW) == "suspended"
    assert grant_state({"revoked_at": None, "expires_at": None, "suspended": False}, now=NOW) == "live"


def test_a_form_goes_back_to_the_grants_page_it_came_from_with_its_filters():
    back = "/projects/3/queues/7/permissions?status=all&cursor=abc"

    assert return_to(back, project_id=3, queue_id=7) == back
    assert return_to("/projects/3/queues/7/permissions", project_id=3, queue_id=7).endswith("/permissions")


def test_any_other_back_goes_to_the_queue_on_the_project_page():
    for back in ("", "https://evil.example/", "//evil.example", "/projects/3/queues/8/permissions",
                 "/projects/3/queues/7/permissionsX", "/desk"):  # fmt: skip
        assert return_to(back, project_id=3, queue_id=7) == "/projects/3#queue-7"
