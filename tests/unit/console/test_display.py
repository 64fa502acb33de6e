"""How the console shows values (services/console/rules/display.py)."""

from datetime import UTC, datetime

from services.console.rules.display import (
    countdown,
    local_time,
    money,
    percent,
    seconds_until,
    utc_from_local,
    viewer_zone,
)


def test_times_are_shown_in_the_viewers_zone_with_its_abbreviation():
    zone = viewer_zone("Europe/Paris", default="UTC")

    assert local_time("2026-12-07T08:30:00+00:00", zone) == "2026-12-07 09:30 CET"


def test_an_unknown_zone_falls_back_to_the_default():
    assert viewer_zone("Mars/Olympus", default="Asia/Tokyo").key == "Asia/Tokyo"
    assert viewer_zone("../../etc/passwd", default="UTC").key == "UTC"


def test_a_countdown_says_how_long_is_left_or_how_late_it_is():
    now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)

    assert countdown(seconds_until("2026-12-07T11:05:00+00:00", now=now)) == "in 3h 05m"
    assert countdown(seconds_until("2026-12-07T07:48:00+00:00", now=now)) == "12m overdue"


def test_money_keeps_its_decimals_and_currency():
    assert money("1234.5", "EUR") == "1,234.50 EUR"


def test_a_ratio_reads_as_a_percentage_whether_number_or_decimal_text():
    assert (percent(0.953), percent("0.2500"), percent(None)) == ("95.3%", "25.0%", "")


def test_a_time_typed_on_the_viewers_clock_goes_to_the_api_in_utc():
    zone = viewer_zone("Asia/Tokyo", default="UTC")

    assert utc_from_local("2026-12-08T09:00", zone) == "2026-12-08T00:00:00+00:00"
    assert utc_from_local("", zone) is None
