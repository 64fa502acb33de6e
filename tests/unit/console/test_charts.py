"""Chart data the console hands to Chart.js (services/console/rules/charts.py)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.console.rules.charts import budget_chart, forecast_chart, funnel_chart

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_the_projected_line_reaches_the_target_at_the_forecast_finish_and_stays_there():
    chart = forecast_chart(
        now=NOW, done=6, total=20, per_hour=2.0, deadline=NOW + timedelta(days=2), zone=ZoneInfo("UTC")
    )

    projected, needed = chart["datasets"][0]["data"], chart["datasets"][1]["data"]
    assert projected[0] == 6 and projected[-1] == 20 and set(needed) == {20}
    assert "07 Dec 15:00" in chart["labels"]  # 14 units at 2 an hour: 7 hours from now
    assert projected == sorted(projected)


def test_without_throughput_the_line_stays_flat_and_the_deadline_is_marked():
    chart = forecast_chart(
        now=NOW, done=0, total=10, per_hour=None, deadline=NOW + timedelta(days=1), zone=ZoneInfo("UTC")
    )

    assert set(chart["datasets"][0]["data"]) == {0}
    assert chart["datasets"][2]["label"] == "deadline" and chart["datasets"][2]["data"][-1] == 10


def test_the_budget_chart_sets_spend_and_forecast_against_the_cap():
    chart = budget_chart(amount="5000.00", spend="1200.50", forecast="5400", currency="USD")

    assert chart["datasets"][0]["data"] == [1200.5, 5400.0]
    assert chart["datasets"][1]["data"] == [5000.0, 5000.0]


def test_the_funnel_chart_has_a_bar_per_stage_and_names_the_groups():
    rows = [
        {"key": "7", "campaign_name": "Tagalog Q4", "applied": 40, "screened": 25, "activated": 10},
        {"key": None, "applied": 3, "screened": 1, "activated": 0},
    ]

    chart = funnel_chart(rows, group_by="campaign")

    assert chart["labels"] == ["Tagalog Q4", "no campaign"]
    assert [d["label"] for d in chart["datasets"]] == ["applied", "screened", "activated"]
    assert chart["datasets"][2]["data"] == [10, 0]
