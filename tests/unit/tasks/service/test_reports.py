"""KPI figures of a project or vendor from its counts in a window."""

from services.tasks.service.reports import kpi_figures


def test_figures_from_counts():
    facts = {"accepted": 4, "rejected": 1, "submissions": 5, "handling_seconds": 1500, "gold_total": 4,
             "gold_correct": 3, "on_time": 4, "with_sla": 5}  # fmt: skip

    figures = kpi_figures(facts, hours=2.0)

    assert figures == {
        "accepted_labels": 4,
        "rejected_labels": 1,
        "submissions": 5,
        "throughput_per_hour": 2.5,
        "avg_handling_seconds": 300.0,
        "gold_accuracy": 0.75,
        "rejection_rate": 0.2,
        "on_time_rate": 0.8,
    }


def test_rates_without_a_denominator_are_unknown():
    figures = kpi_figures({"accepted": 2}, hours=8.0)

    assert figures["gold_accuracy"] is None and figures["on_time_rate"] is None
    assert figures["rejection_rate"] == 0.0 and figures["avg_handling_seconds"] is None
