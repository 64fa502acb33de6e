"""A real Prometheus scrapes the running services, and what it stores agrees with what happened."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support.cluster import Cluster, free_port
from tests.support.waiting import eventually

PROMETHEUS = shutil.which("prometheus")


@pytest.fixture(scope="module")
def prometheus(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if PROMETHEUS is None:
        if os.environ.get("CI"):
            pytest.fail("prometheus is not installed; .ci/run installs Debian's prometheus package")
        pytest.skip("prometheus is not installed here (Debian package 'prometheus'; .ci/run installs it)")
    workdir: Path = tmp_path_factory.mktemp("prometheus")
    targets = [
        {"targets": [f"127.0.0.1:{proc.port}"], "labels": {"service": name}}
        for name, proc in cluster.services.items()
        if name in ("gateway", "contributors", "vendors", "tasks")
    ]
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [{"job_name": "labelops", "static_configs": targets}],
    }
    (workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    process = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={workdir / 'prometheus.yml'}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "prometheus.log").open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: _up_targets(url) == 4, timeout=30)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def _query(url: str, promql: str) -> list[dict]:
    try:
        response = httpx.get(url + "/api/v1/query", params={"query": promql}, timeout=5)
    except httpx.HTTPError:
        return []
    return response.json().get("data", {}).get("result", []) if response.status_code == 200 else []


def _up_targets(url: str) -> int:
    return sum(int(float(r["value"][1])) for r in _query(url, 'up{job="labelops"}'))


def _scraped_value(text: str) -> float:
    pattern = r'http_requests_total\{[^}]*route="/api/v1/auth/me"[^}]*service="gateway"[^}]*status="200"[^}]*\} (\S+)'
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def test_prometheus_scrapes_every_service(prometheus: str):
    services = {r["metric"]["service"] for r in _query(prometheus, 'up{job="labelops"} == 1')}

    assert services == {"gateway", "contributors", "vendors", "tasks"}


def test_stored_request_count_equals_the_requests_made(prometheus: str, admin, cluster: Cluster):
    for _ in range(7):
        assert admin.get("/api/v1/auth/me").status_code == 200
    exposed = _scraped_value(httpx.get(cluster.gateway_url + "/metrics").text)

    query = 'sum(http_requests_total{service="gateway",route="/api/v1/auth/me",status="200"})'
    stored = eventually(
        lambda: (r := _query(prometheus, query)) and float(r[0]["value"][1]) == exposed and r, timeout=20
    )

    assert exposed >= 7 and float(stored[0]["value"][1]) == exposed
