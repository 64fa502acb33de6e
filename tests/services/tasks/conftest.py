"""Fixtures of the tasks service's in-process tests: its migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.db import Database


@pytest.fixture(scope="module")
async def db(databases) -> AsyncIterator[Database]:
    database = Database.connect(databases.urls["tasks"], pool_size=2)
    yield database
    await database.dispose()
