"""The container files describe the same platform as the code (no Docker engine runs here)."""

from pathlib import Path

import yaml

from shared.settings import CONSOLE_PORT, SERVICE_PORTS

REPO = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_runs_every_service_from_one_image_with_postgres_and_prometheus():
    services = _compose()["services"]

    for name in SERVICE_PORTS:
        assert services[name]["build"] == "." and services[name]["command"] == [name]
    assert {"postgres", "redis", "prometheus", "migrate"} <= set(services)


def test_compose_gives_every_service_its_own_database_and_the_peer_urls():
    env = _compose()["x-labelops-env"]

    for name in SERVICE_PORTS:
        url = env[f"LABELOPS_{name.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://") and url.endswith(f"/labelops_{name}")
    for name in ("contributors", "vendors", "tasks"):
        assert env[f"LABELOPS_{name.upper()}_URL"] == f"http://{name}:8000"


def test_compose_only_publishes_the_gateway_and_the_console():
    services = _compose()["services"]

    published = {name for name, spec in services.items() if "ports" in spec}

    assert published == {"gateway", "console", "prometheus"}


def test_compose_runs_the_console_as_a_client_of_the_gateway_only():
    console = _compose()["services"]["console"]

    assert console["build"] == "." and console["command"] == ["console"]
    assert console["ports"] == [f"{CONSOLE_PORT}:8000"]
    env = console["environment"]
    assert env["LABELOPS_GATEWAY_URL"] == "http://gateway:8000"
    assert "LABELOPS_CONSOLE_COOKIE_SECRET" in env
    # No database and no internal token: it cannot reach a service or its data except through the API.
    assert not [name for name in env if name.endswith("_DATABASE_URL")]
    assert "LABELOPS_INTERNAL_TOKEN_SECRET" not in env


def test_postgres_init_creates_the_other_service_databases():
    sql = (REPO / "deploy/postgres/init.sql").read_text()

    for name in ("contributors", "vendors", "tasks"):
        assert f"CREATE DATABASE labelops_{name}" in sql


def test_prometheus_scrapes_every_service_on_its_port():
    config = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())

    targets = {
        t for sc in config["scrape_configs"] for group in sc["static_configs"] for t in group["targets"]
    }

    assert targets == {f"127.0.0.1:{port}" for port in (*SERVICE_PORTS.values(), CONSOLE_PORT)}


def test_procfile_starts_every_service_on_its_default_port():
    lines = dict(line.split(":", 1) for line in (REPO / "Procfile").read_text().splitlines() if line.strip())

    for name, port in SERVICE_PORTS.items():
        assert f"services.{name}.app:create_app" in lines[name] and f"--port {port}" in lines[name]


def test_procfile_starts_the_console_on_its_port():
    lines = dict(line.split(":", 1) for line in (REPO / "Procfile").read_text().splitlines() if line.strip())

    assert (
        "services.console.app:create_app" in lines["console"] and f"--port {CONSOLE_PORT}" in lines["console"]
    )
