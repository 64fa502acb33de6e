"""`promtool check metrics` on a real scrape of every running service (after some traffic)."""

from __future__ import annotations

import httpx


def test_every_service_exposition_passes_promtool_check_metrics(promtool, cluster, admin):
    admin.get("/api/v1/contributors")  # some traffic through the gateway to every labelled path
    for name, process in cluster.services.items():
        response = httpx.get(process.url + "/metrics", timeout=10)
        assert response.status_code == 200, name

        done = promtool("check", "metrics", stdin=response.text)

        assert not done.stdout.strip() and not done.stderr.strip(), f"{name}: {done.stdout}{done.stderr}"
