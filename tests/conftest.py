"""Fixtures shared by the whole suite. The backend comes from LABELOPS_TEST_DATABASE (sqlite|postgresql)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from tests.support.api import Users
from tests.support.cluster import Cluster
from tests.support.databases import BACKEND, Databases
from tests.support.inprocess import InProcess, on_a_fresh_database

# `make test` hands whole files to two workers (--dist loadfile --no-loadscope-reorder) in collection
# order. A long file handed out last keeps one worker busy after the other has finished (xdist's own
# reordering, by number of tests, put the long files of few tests last: schemathesis, concurrency), so the
# long ones go first, longest first, and the many short files fill in behind them.
LONG_FILES = (
    "test_schemathesis.py",
    "test_tasks_concurrency.py",
    "test_access_matrix.py",
    "test_gateway_security.py",
    "test_vendors_webhooks.py",
    "test_vendors_money.py",
)


def pytest_report_header(config: pytest.Config) -> str:
    return f"labelops test database backend: {BACKEND}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONG_FILES)))


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("databases"))
    dbs.create()
    yield dbs
    dbs.drop()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Cluster]:
    """The four real processes, started once per test session (per xdist worker)."""
    running = Cluster(tmp_path_factory.mktemp("cluster"), databases.urls)
    running.start_all()
    yield running
    running.stop_all()


@pytest.fixture(scope="session")
def users(cluster: Cluster) -> Users:
    return Users(cluster.gateway_url)


@pytest.fixture(scope="session")
def admin(users: Users):
    return users.admin


@pytest.fixture(scope="module")
def ops(users: Users):
    """A program manager (`ops`) made for the test module."""
    return users.create("ops")


@pytest.fixture(scope="module")
def service_in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., InProcess]]:
    """Start one service's app in this process on a fresh database of its own, for the module:
    `service_in_process("contributors", ticket_sla=…)` (settings by field name) → `InProcess`."""
    with ExitStack() as stack:

        def start(service: str, **settings: object) -> InProcess:
            workdir = tmp_path_factory.mktemp(f"{service}-in-process")
            return stack.enter_context(on_a_fresh_database(service, workdir, **settings))

        yield start
