"""Metrics stay right when a service runs several uvicorn workers (PROMETHEUS_MULTIPROC_DIR)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.cluster import REPO, free_port
from tests.support.waiting import eventually


def _healthz_count(text: str) -> float:
    match = re.search(r'http_requests_total\{[^}]*route="/healthz"[^}]*status="200"[^}]*\} ([0-9.e+]+)', text)
    return float(match.group(1)) if match else 0.0


def test_two_workers_report_the_sum_of_their_requests(tmp_path, databases):
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "LABELOPS_ENV": "test",
        "LABELOPS_VENDORS_DATABASE_URL": databases.urls["vendors"],
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "services.vendors.app:create_app",
            "--factory",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: _get_ok(url + "/healthz"), timeout=30)
        before = _healthz_count(httpx.get(url + "/metrics").text)
        sent = 0
        # Which worker accepts a connection is up to the kernel: send concurrent bursts of fresh
        # connections until both have served some (bounded), so the sum really spans two processes.
        with ThreadPoolExecutor(max_workers=8) as pool:
            while sent < 80 or (sent < 800 and len(list(metrics_dir.glob("counter_*.db"))) < 2):
                list(
                    pool.map(
                        lambda _: httpx.get(url + "/healthz", headers={"Connection": "close"}), range(40)
                    )
                )
                sent += 40
        scrapes = {
            _healthz_count(httpx.get(url + "/metrics", headers={"Connection": "close"}).text)
            for _ in range(6)
        }
    finally:
        process.terminate()
        process.wait(timeout=15)

    assert len(list(metrics_dir.glob("counter_*.db"))) >= 2  # both workers wrote their share
    assert scrapes == {before + sent}


def _get_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        time.sleep(0.1)
        return False
