"""Chart data for Chart.js, computed from the API's figures (the browser only draws it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

POINTS = 8


def _label(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d %b %H:%M")


def forecast_chart(
    *, now: datetime, done: int, total: int, per_hour: float | None, deadline: datetime | None, zone: ZoneInfo
) -> dict:
    """Units done so far projected at the current throughput up to the deadline (or a day when there is
    none), against the units the project needs: where the lines meet is the forecast finish."""
    horizon = deadline if deadline and deadline > now else now + timedelta(hours=24)
    if per_hour and total > done:
        finish = now + timedelta(hours=(total - done) / per_hour)
        horizon = max(horizon, min(finish, now + timedelta(days=365)))
    step = (horizon - now) / (POINTS - 1)
    moments = [now + step * i for i in range(POINTS)]
    if per_hour and total > done:
        # The forecast finish is a point of its own, so the projected line meets the target where it does.
        moments = sorted({*moments, min(finish, horizon)})
    projected = [
        min(total, round(done + (per_hour or 0) * (m - now).total_seconds() / 3600)) for m in moments
    ]
    datasets = [
        {"label": "units done (projected)", "data": projected, "borderColor": "#1f6feb", "tension": 0},
        {"label": "units needed", "data": [total] * POINTS, "borderColor": "#067647", "borderDash": [6, 4]},
    ]
    if deadline:
        datasets.append(
            {
                "label": "deadline",
                "data": [total if m >= deadline else None for m in moments],
                "borderColor": "#b42318",
                "pointRadius": 4,
                "showLine": False,
            }
        )
    return {"type": "line", "labels": [_label(m, zone) for m in moments], "datasets": datasets}


def budget_chart(*, amount: str, spend: str, forecast: str, currency: str) -> dict:
    """Spent so far and the forecast at completion, against the budget's cap."""
    values = [float(Decimal(spend)), float(Decimal(forecast))]
    cap = float(Decimal(amount))
    return {
        "type": "bar",
        "labels": ["spent", "forecast at completion"],
        "datasets": [
            {"label": f"{currency}", "data": values, "backgroundColor": ["#1f6feb", "#f79009"]},
            {
                "label": "cap",
                "data": [cap, cap],
                "type": "line",
                "borderColor": "#b42318",
                "borderDash": [6, 4],
            },
        ],
    }


def funnel_chart(rows: list[dict], *, group_by: str) -> dict:
    """Applied, screened and activated per campaign (or channel), side by side."""
    labels = [row.get("campaign_name") or row.get("key") or f"no {group_by}" for row in rows]
    colours = {"applied": "#98a2b3", "screened": "#1f6feb", "activated": "#067647"}
    return {
        "type": "bar",
        "labels": labels,
        "datasets": [
            {"label": stage, "data": [row.get(stage) or 0 for row in rows], "backgroundColor": colour}
            for stage, colour in colours.items()
        ],
    }
