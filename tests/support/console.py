"""The console as a real process beside a running cluster, and a real Chromium to drive it.

The console is no backend service (no database, not in SERVICE_PORTS), so it is started on its own, with
the cluster's environment: it finds the gateway through LABELOPS_GATEWAY_URL like in production."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cluster import REPO, Cluster, ServiceProcess, free_port

CHROMIUM = Path("/usr/bin/chromium")


def chromium_or_skip() -> Path:
    """Debian's Chromium (.ci/run installs it); missing, the browser tests skip here and fail under CI."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message + " and CI is set", pytrace=False)
    pytest.skip(message)


def create_app_with_a_bug():
    """The console as it runs, plus one page with a bug in it (`/bug`): what an unexpected error looks
    like to a viewer, in the real process (`running_console(…, factory=…)`)."""
    from services.console.app import create_app

    app = create_app()

    async def bug() -> None:
        raise RuntimeError("the secret internals of a bug")

    app.add_api_route("/bug", bug, methods=["GET"])
    return app


@contextmanager
def running_console(
    cluster: Cluster, workdir: Path, *, factory: str = "services.console.app:create_app", **extra_env: str
) -> Iterator[ServiceProcess]:
    console = ServiceProcess("console", free_port(), workdir / "console.log")
    env = {**cluster.env(), **extra_env}
    with console.log_path.open("ab") as log:
        console.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", factory, "--factory",
             "--host", "127.0.0.1", "--port", str(console.port), "--no-access-log"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if console.process.poll() is not None:
                raise RuntimeError(f"console exited early:\n{console.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(console.url + "/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"console did not start:\n{console.log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield console
    finally:
        console.process.send_signal(signal.SIGTERM)
        try:
            console.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            console.process.kill()
            console.process.wait()


def _created(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def vendor_month(
    admin: httpx.Client,
    *,
    vendor_id: int,
    project_id: int,
    budget: str,
    invoice_number: str,
    line: dict[str, Any],
) -> dict[str, Any]:
    """What a vendor's pages show for this month: a budget on the project, a submitted invoice of one
    claimed `line` and a scorecard; returns the invoice."""
    today = datetime.now(UTC).date()
    month_start = today.replace(day=1)
    period = {"period_start": str(month_start), "period_end": str(month_start + timedelta(days=27))}
    _created(
        admin.post(
            "/api/v1/budgets",
            json={
                "project_id": project_id,
                "vendor_id": vendor_id,
                "amount": budget,
                "currency": "USD",
                **period,
                "hard_cap": False,
            },
        )
    )
    invoice = _created(
        admin.post(
            "/api/v1/invoices",
            json={
                "vendor_id": vendor_id,
                "number": invoice_number,
                "currency": "USD",
                "period_start": str(month_start),
                "period_end": str(today),
                "lines": [line],
            },
        )
    )
    _created(admin.post(f"/api/v1/invoices/{invoice['id']}/transitions", json={"to": "submitted"}), 200)
    _created(
        admin.post(
            "/api/v1/scorecards",
            json={"vendor_id": vendor_id, "period_start": str(month_start), "period_end": str(today)},
        )
    )
    return invoice
