"""The contributors service's CRUD and access tests run its app in process (tests/support/inprocess.py), on
a database of its own for the session: `users.create(role, …)` gives a client calling as that role, as
the gateway would present the caller. What crosses processes is tested in tests/system."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.inprocess import InProcess, InProcessUsers, on_a_fresh_database


@pytest.fixture(scope="session")
def contributors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    with on_a_fresh_database("contributors", tmp_path_factory.mktemp("contributors-in-process")) as running:
        yield running


@pytest.fixture(scope="session")
def users(contributors: InProcess) -> InProcessUsers:
    return InProcessUsers(contributors)


@pytest.fixture(scope="session")
def admin(users: InProcessUsers) -> httpx.Client:
    return users.create("admin")
