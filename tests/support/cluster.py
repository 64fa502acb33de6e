"""The real LabelOps processes on free loopback ports, as `make run` starts them."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.settings import SERVICE_PORTS
from tests.support.databases import TEST_POOL_SIZE, Databases

REPO = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "correct-horse-battery-staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServiceProcess:
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    workdir: Path
    database_urls: dict[str, str]
    extra_env: dict[str, str] = field(default_factory=dict)
    internal_secret: str = field(default_factory=lambda: secrets.token_urlsafe(40))
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    rate_limit_namespace: str = field(default_factory=lambda: f"test-{secrets.token_hex(6)}")

    def __post_init__(self) -> None:
        for name in SERVICE_PORTS:
            self.services[name] = ServiceProcess(name, free_port(), self.workdir / f"{name}.log")

    @property
    def gateway_url(self) -> str:
        return self.services["gateway"].url

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "LABELOPS_ENV": "test",
            "LABELOPS_DATA_DIR": str(self.workdir),
            "LABELOPS_INTERNAL_TOKEN_SECRET": self.internal_secret,
            "LABELOPS_ADMIN_EMAIL": ADMIN_EMAIL,
            "LABELOPS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "LABELOPS_LOG_LEVEL": "INFO",
            "LABELOPS_GATEWAY_RATE_LIMIT_NAMESPACE": self.rate_limit_namespace,
            # Every test logs its users in from 127.0.0.1; the per-IP login budget is tested on its own.
            "LABELOPS_GATEWAY_RATE_LIMIT_LOGIN": "100000",
            # The admin imports tasks for nearly every tasks test: 60 imports a minute (the production
            # budget) is reached when those tests run back to back. Budgets are tested on their own gateways.
            "LABELOPS_GATEWAY_RATE_LIMIT_BULK": "100000",
            "LABELOPS_GATEWAY_LOGIN_FAILURES_PER_IP": "100000",
            # The suite creates and logs in hundreds of users; at the production argon2id cost (t=3, 64 MiB)
            # each costs ~0.7 s of hashing on a 2-core machine, ~40% of a typical system file's time. The
            # production profile is tested in tests/unit/gateway.
            "LABELOPS_GATEWAY_PASSWORD_HASH_PROFILE": "cheapest",
            # Outbound webhooks go to receivers the tests run on loopback; retries and the budget sweep
            # run fast so their effects show within a test.
            "LABELOPS_VENDORS_WEBHOOKS_ALLOW_LOOPBACK": "true",
            "LABELOPS_VENDORS_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
            "LABELOPS_VENDORS_WEBHOOK_RETRY_CAP_SECONDS": "0.5",
            "LABELOPS_VENDORS_WEBHOOK_MAX_ATTEMPTS": "3",
            "LABELOPS_VENDORS_WEBHOOK_POLL_SECONDS": "0.2",
            "LABELOPS_VENDORS_BUDGET_SWEEP_SECONDS": "0.5",
        }
        for name in SERVICE_PORTS:
            proc, upper = self.services[name], name.upper()
            env[f"LABELOPS_{upper}_URL"] = proc.url
            if name in self.database_urls:  # a platform may run only some of the services
                env[f"LABELOPS_{upper}_DATABASE_URL"] = self.database_urls[name]
                env[f"LABELOPS_{upper}_DATABASE_POOL_SIZE"] = str(TEST_POOL_SIZE)
            env[f"LABELOPS_{upper}_OUTBOX_POLL_SECONDS"] = "0.2"
        env.update(self.extra_env)
        return env

    def add_gateway_replica(self, name: str) -> ServiceProcess:
        """A second gateway on its own port sharing everything else (the scale-out shape)."""
        self.services[name] = ServiceProcess(name, free_port(), self.workdir / f"{name}.log")
        return self.services[name]

    def start(self, name: str) -> None:
        proc = self.services[name]
        app_module = "gateway" if name.startswith("gateway") else name
        log = proc.log_path.open("ab")
        proc.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                f"services.{app_module}.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(proc.port),
                "--no-access-log",
                # As the Procfile: the gateway alone decides which X-Forwarded-For to believe.
                *(["--no-proxy-headers"] if app_module == "gateway" else []),
            ],
            cwd=REPO,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def wait_healthy(self, name: str, timeout: float = 60.0) -> None:
        proc = self.services[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.process is not None and proc.process.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{proc.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(proc.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not become healthy:\n{proc.log_path.read_text()[-3000:]}")

    def start_all(self, attempts: int = 3) -> None:
        """Start every service; if one fails, stop the others (no process outlives a failed fixture).

        A port handed out by `free_port` can be taken by another socket before the service binds it (an
        outgoing connection gets its port from the same range): then every service starts again on new
        ports, since each one was told where the others listen."""
        for attempt in range(attempts):
            try:
                for name in self.services:
                    self.start(name)
                for name in self.services:
                    self.wait_healthy(name)
                return
            except RuntimeError as exc:
                self.stop_all()
                if "address already in use" not in str(exc) or attempt == attempts - 1:
                    raise
                for proc in self.services.values():
                    proc.port = free_port()
            except BaseException:
                self.stop_all()
                raise

    def stop(self, name: str) -> None:
        proc = self.services[name]
        if proc.process is None:
            return
        proc.process.send_signal(signal.SIGTERM)
        try:
            proc.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.process.kill()
            proc.process.wait()
        proc.process = None

    def stop_all(self) -> None:
        for name in self.services:
            self.stop(name)

    def restart(self, name: str) -> None:
        self.start(name)
        self.wait_healthy(name)

    def log_text(self, name: str) -> str:
        return self.services[name].log_path.read_text()


@contextmanager
def separate_cluster(workdir: Path, **extra_env: str) -> Iterator[Cluster]:
    """A platform of its own, databases and processes, for settings the session's cluster must not have."""
    databases = Databases(workdir / "databases")
    (workdir / "databases").mkdir()
    databases.create()
    running = Cluster(workdir, databases.urls, extra_env=extra_env)
    try:
        for name in running.services:
            running.start(name)
        for name in running.services:
            # Generous: this cluster starts while the session's own may be busy on the same cores.
            running.wait_healthy(name, timeout=120)
        yield running
    finally:
        running.stop_all()
        databases.drop()
