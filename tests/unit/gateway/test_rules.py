"""The gateway's pure rules: where a path goes, which budget it spends, passwords, the last admin."""

from datetime import UTC, datetime

from services.gateway.rules.forwarding import owning_service
from services.gateway.rules.passwords import Passwords, password_problems
from services.gateway.rules.rate_limits import route_class
from services.gateway.rules.reports import period_start
from services.gateway.rules.users import demotes_an_enabled_admin


def test_a_path_goes_to_the_service_owning_its_first_segment_and_nowhere_when_none_does():
    assert owning_service("/api/v1/contributors/7/transitions") == "contributors"
    assert owning_service("/api/v1/rate-cards") == "vendors"
    assert owning_service("/api/v1/queues/3/next") == "tasks"
    assert owning_service("/api/v1/nothing-here") is None


def test_each_request_spends_the_budget_of_its_class():
    assert route_class("POST", "/api/v1/webhooks/vms/acme") == "webhook"
    assert route_class("POST", "/api/v1/discord/interactions") == "webhook"
    assert route_class("POST", "/api/v1/queues/3/next") == "assignment"
    assert route_class("POST", "/api/v1/projects/4/tasks") == "bulk"
    assert route_class("GET", "/api/v1/projects/4") == "read"
    assert route_class("PATCH", "/api/v1/projects/4") == "write"


def test_a_password_is_refused_for_each_reason_it_fails():
    assert password_problems("correct horse battery", email="ana@example.com") == []
    assert password_problems("short", email="ana@example.com") == ["must be at least 12 characters"]
    assert "is a commonly used password" in password_problems("Password1234", email="x@example.com")
    assert "must not contain the email address" in password_problems("marianne-2026!", email="marianne@x.org")
    assert "must use at least 5 different characters" in password_problems("abababababab", email="x@y.org")


def test_passwords_are_hashed_with_rfc_9106s_low_memory_argon2id_by_default():
    stored = Passwords().hash("correct horse battery")

    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert Passwords().verify(stored, "correct horse battery")
    assert not Passwords().verify(stored, "correct horse batterY")
    assert not Passwords().verify(None, "correct horse battery")


def test_a_hash_of_any_profile_verifies_under_any_other():
    cheap = Passwords("cheapest").hash("correct horse battery")

    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert Passwords().verify(cheap, "correct horse battery")
    assert not Passwords("cheapest").verify(cheap, "wrong horse battery")


def test_only_taking_admin_from_an_enabled_admin_or_disabling_one_demotes():
    admin = {"roles": ["admin", "ops"], "disabled": False}
    assert demotes_an_enabled_admin(**admin, changes={"roles": ["ops"]})
    assert demotes_an_enabled_admin(**admin, changes={"disabled": True})
    assert not demotes_an_enabled_admin(**admin, changes={"roles": ["admin"]})
    assert not demotes_an_enabled_admin(roles=["admin"], disabled=True, changes={"roles": ["ops"]})
    assert not demotes_an_enabled_admin(roles=["ops"], disabled=False, changes={"disabled": True})


def test_a_report_window_starts_one_period_before_its_end_or_at_it_in_year_one():
    until = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    assert period_start(until, "shift") == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert period_start(until, "week") == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    year_one = datetime(1, 1, 1, 3, 0, tzinfo=UTC)
    assert period_start(year_one, "day") == year_one
