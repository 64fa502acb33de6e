"""The container files describe the same platform as the code (no Docker engine runs here)."""

from pathlib import Path

import yaml

from shared.settings import SERVICE_PORTS

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


def test_compose_only_publishes_the_gateway():
    services = _compose()["services"]

    published = {name for name, spec in services.items() if "ports" in spec}

    assert published == {"gateway", "prometheus"}


def test_postgres_init_creates_the_other_service_databases():
    sql = (REPO / "deploy/postgres/init.sql").read_text()

    for name in ("contributors", "vendors", "tasks"):
        assert f"CREATE DATABASE labelops_{name}" in sql


def test_prometheus_scrapes_every_service_on_its_port():
    config = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())

    targets = {
        t for sc in config["scrape_configs"] for group in sc["static_configs"] for t in group["targets"]
    }

    assert targets == {f"127.0.0.1:{port}" for port in SERVICE_PORTS.values()}


def test_procfile_starts_every_service_on_its_default_port():
    lines = dict(line.split(":", 1) for line in (REPO / "Procfile").read_text().splitlines() if line.strip())

    for name, port in SERVICE_PORTS.items():
        assert f"services.{name}.app:create_app" in lines[name] and f"--port {port}" in lines[name]
