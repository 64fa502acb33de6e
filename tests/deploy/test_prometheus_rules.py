"""Prometheus configuration, recording rules and alerts, checked and unit-tested with promtool."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
import yaml

from tests.deploy.catalog import KNOWN, series_names
from tests.deploy.conftest import DEPLOY

PROMETHEUS = DEPLOY / "prometheus"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
TEST_FILES = sorted((PROMETHEUS / "tests").glob("*.yml"))
CONFIGS = sorted(PROMETHEUS.glob("prometheus*.yml"))
SEVERITIES = {"page", "ticket"}


def _rules() -> list[dict]:
    return [
        rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def _alerts() -> dict[str, dict]:
    return {rule["alert"]: rule for rule in _rules() if "alert" in rule}


def _alert_tests() -> list[tuple[str, dict]]:
    """(test group name, alert_rule_test entry) over every promtool test file."""
    return [
        (group.get("name", path.name), case)
        for path in TEST_FILES
        for group in yaml.safe_load(path.read_text())["tests"]
        for case in group.get("alert_rule_test", [])
    ]


def _minutes(duration: str) -> float:
    units = {"s": 1 / 60, "m": 1, "h": 60, "d": 1440}
    total, number = 0.0, ""
    for char in str(duration):
        if char.isdigit():
            number += char
        else:
            total += int(number) * units[char]
            number = ""
    return total


def test_there_are_rules_and_tests():
    assert RULE_FILES and TEST_FILES and len(_alerts()) >= 14


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_prometheus_config_is_valid_with_its_rule_files(promtool, config: Path):
    done = promtool("check", "config", str(config))

    assert f"{len(RULE_FILES)} rule files found" in done.stdout


def test_every_config_loads_every_rule_file():
    for config in CONFIGS:
        patterns = yaml.safe_load(config.read_text()).get("rule_files", [])
        for path in RULE_FILES:
            relative = str(path.relative_to(PROMETHEUS))
            assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), (config.name, relative)


def test_loopback_config_scrapes_the_five_processes_with_their_service_label():
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())

    groups = [group for job in config["scrape_configs"] for group in job["static_configs"]]

    assert {group["labels"]["service"]: group["targets"] for group in groups} == {
        "gateway": ["127.0.0.1:8000"],
        "contributors": ["127.0.0.1:8001"],
        "vendors": ["127.0.0.1:8002"],
        "tasks": ["127.0.0.1:8003"],
        "console": ["127.0.0.1:8004"],
    }


def test_rule_files_are_valid(promtool):
    promtool("check", "rules", *map(str, RULE_FILES))


def test_rule_unit_tests_pass(promtool):
    promtool("test", "rules", *map(str, TEST_FILES))


def test_every_alert_is_tested_firing_and_silent_before():
    firing: dict[str, float] = {}
    silent: dict[str, list[float]] = {}
    for _, case in _alert_tests():
        at = _minutes(case["eval_time"])
        if case.get("exp_alerts"):
            firing[case["alertname"]] = min(at, firing.get(case["alertname"], at))
        else:
            silent.setdefault(case["alertname"], []).append(at)

    untested = set(_alerts()) - set(firing)
    never_silent = {name for name, at in firing.items() if not any(t < at for t in silent.get(name, []))}

    assert not untested, f"alerts without a promtool test where they fire: {sorted(untested)}"
    assert not never_silent, f"alerts not shown silent before their incident: {sorted(never_silent)}"
    assert set(firing) <= set(_alerts()), "tests name alerts that no longer exist"


def test_every_alert_has_a_severity_a_summary_and_a_runbook_description():
    for name, rule in _alerts().items():
        assert name.startswith("LabelOps"), name
        assert rule.get("labels", {}).get("severity") in SEVERITIES, name
        annotations = rule.get("annotations", {})
        assert annotations.get("summary"), name
        assert len(annotations.get("description", "")) > 120, f"{name}: say what to check and do"


def test_burn_rate_alerts_cover_both_slos_with_the_three_window_pairs():
    """1h/5m x14.4 and 6h/30m x6 page, 3d/6h x1 opens a ticket; for availability and latency."""
    expected = {
        ("1h", "5m", "14.4", "page"),
        ("6h", "30m", "6", "page"),
        ("3d", "6h", "1", "ticket"),
    }
    for slo, sli, budget in (
        ("availability", "service:http_availability", "0.001"),
        ("latency", "service:http_latency_250ms", "0.01"),
    ):
        found = set()
        for rule in _alerts().values():
            if rule["labels"].get("slo") != slo:
                continue
            expr = " ".join(rule["expr"].split())
            for long, short, factor, severity in expected:
                if (
                    f"(1 - {sli}:ratio_rate{long}) > ({factor} * {budget})" in expr
                    and f"(1 - {sli}:ratio_rate{short}) > ({factor} * {budget})" in expr
                ):
                    assert rule["labels"]["severity"] == severity
                    found.add((long, short, factor, severity))
        assert found == expected, slo


def test_every_sli_is_recorded_for_every_window():
    recorded = {rule["record"] for rule in _rules() if "record" in rule}

    for sli in ("service:http_availability", "service:http_latency_250ms"):
        for window in ("5m", "30m", "1h", "6h", "3d"):
            assert f"{sli}:ratio_rate{window}" in recorded


def test_rules_only_use_known_metrics_and_recorded_series():
    """A misspelt metric name would make an alert silently never fire."""
    recorded = {rule["record"] for rule in _rules() if "record" in rule}

    for rule in _rules():
        unknown = series_names(rule["expr"]) - KNOWN - recorded
        assert not unknown, f"{rule.get('alert') or rule.get('record')}: unknown series {sorted(unknown)}"
