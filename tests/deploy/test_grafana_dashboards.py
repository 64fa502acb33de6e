"""deploy/grafana: provisioning files and dashboards; every panel query compiled by promtool."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.deploy.catalog import KNOWN, series_names
from tests.deploy.conftest import DEPLOY

GRAFANA = DEPLOY / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# What Grafana puts in place of its built-in variables, for compiling the queries.
BUILTINS = {"__rate_interval": "5m", "__interval": "1m", "__range": "6h", "__range_s": "21600"}
REQUIRED = {"platform-red", "sla-overview", "queues", "vendors", "support", "webhooks"}


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _panels(dashboard: dict) -> list[dict]:
    """Every panel, rows' nested panels included, rows themselves left out."""
    found = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            found += panel.get("panels", [])
        else:
            found.append(panel)
    return found


def _recorded() -> set[str]:
    return {
        rule["record"]
        for path in (DEPLOY / "prometheus" / "rules").glob("*.yml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "record" in rule
    }


def substitute(expr: str, variables: list[dict]) -> str:
    """Replace $var / ${var} / ${var:format} the way Grafana would with a plausible selection."""
    values = dict(BUILTINS)
    for variable in variables:
        if variable["type"] == "query":
            values[variable["name"]] = variable.get("allValue") or ".*"
        elif variable["type"] in ("textbox", "custom", "constant"):
            values[variable["name"]] = variable["query"].split(",")[0]
        else:
            values[variable["name"]] = variable["name"]

    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        assert name in values, f"undefined variable ${name} in {expr}"
        return values[name]

    result = re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", replace, expr)
    assert "$" not in result, result
    return result


def test_the_six_dashboards_exist():
    assert {path.stem for path in DASHBOARDS} == REQUIRED


def test_dashboards_have_unique_uids_and_titles():
    dashboards = [_load(path) for path in DASHBOARDS]
    uids = [d["uid"] for d in dashboards]
    titles = [d["title"] for d in dashboards]

    assert len(set(uids)) == len(uids) and len(set(titles)) == len(titles)
    for dashboard in dashboards:
        assert re.fullmatch(r"[a-z0-9-]{1,40}", dashboard["uid"]), dashboard["uid"]
        assert dashboard["title"].startswith("LabelOps / ") and "labelops" in dashboard["tags"]
        assert dashboard["schemaVersion"] >= 36 and dashboard.get("id") is None


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_structure_and_datasource_variable(path: Path):
    dashboard = _load(path)
    variables = dashboard["templating"]["list"]
    (datasource,) = [v for v in variables if v["name"] == "datasource"]
    panels = _panels(dashboard)

    assert datasource["type"] == "datasource" and datasource["query"] == "prometheus"
    assert len({v["name"] for v in variables}) == len(variables)
    ids = [p["id"] for p in dashboard["panels"]] + [
        p["id"] for r in dashboard["panels"] for p in r.get("panels", [])
    ]
    assert len(set(ids)) == len(ids)
    titles = [p["title"] for p in panels]
    assert len(set(titles)) == len(titles), "panel titles are unique within a dashboard"
    assert panels
    for panel in panels:
        assert panel["datasource"] == DATASOURCE, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target.get("datasource", DATASOURCE) == DATASOURCE and target["expr"].strip()
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0
    for variable in variables:
        if variable["type"] == "query":
            assert variable["datasource"] == DATASOURCE


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_every_panel_query_uses_known_series(path: Path):
    dashboard = _load(path)
    allowed = KNOWN | _recorded()

    for panel in _panels(dashboard):
        for target in panel["targets"]:
            expr = substitute(target["expr"], dashboard["templating"]["list"])
            unknown = series_names(expr) - allowed
            assert not unknown, f"{path.stem} / {panel['title']}: unknown series {sorted(unknown)}"


def test_every_panel_query_compiles_with_promtool(promtool, tmp_path: Path):
    """Each expression (variables substituted) becomes a recording rule; promtool parses and checks them."""
    rules = []
    for path in DASHBOARDS:
        dashboard = _load(path)
        queries = [(p, t) for p in _panels(dashboard) for t in p["targets"]]
        queries += [
            (v, {"expr": v["definition"]}) for v in dashboard["templating"]["list"] if v["type"] == "query"
        ]
        for number, (_, target) in enumerate(queries):
            expr = substitute(target["expr"], dashboard["templating"]["list"])
            if expr.startswith("label_values("):  # Grafana's own function: check its selector
                expr = re.fullmatch(r"label_values\((.*),\s*\w+\)", expr).group(1)
            rules.append({"record": f"grafana:{path.stem.replace('-', '_')}:q{number}", "expr": expr})
    rule_file = tmp_path / "dashboards.rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))

    done = promtool("check", "rules", str(rule_file))

    assert f"{len(rules)} rules found" in done.stdout


def test_provisioning_datasource_and_dashboard_provider():
    datasources = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())
    (datasource,) = datasources["datasources"]
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/labelops.yml").read_text())
    (provider,) = providers["providers"]

    assert datasource["type"] == "prometheus" and datasource["url"] == "${PROMETHEUS_URL}"
    assert provider["type"] == "file" and provider["options"]["path"].startswith("/")
