"""Schemathesis against the merged OpenAPI of the running system: seeded, bounded, zero failures.

It gets a platform of its own whose rate budgets are out of its way, so it reaches every operation
instead of mostly counting 429s, and does not spend the budgets of the session's cluster.

Valid requests (positive mode) reach the database, whose limits differ by backend (integer widths, NUL
bytes, string lengths), so they run on both. Invalid requests (negative mode) must be refused by
validation before any database is asked, which no backend changes: they run once, with the SQLite half
(the default backend), and cost more than half of the whole run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api import login
from tests.support.cluster import ADMIN_EMAIL, ADMIN_PASSWORD, Cluster, separate_cluster
from tests.support.databases import BACKEND

CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,negative_data_rejection,ignored_auth"
UNLIMITED = "1000000"

# A request the schema forbids may be refused with any of these. 413 is the gateway's answer to a body over
# its cap, which schemathesis cannot know from the schema.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422", "428"]
"""


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    budgets = ("READ", "WRITE", "ASSIGNMENT", "BULK", "WEBHOOK", "LOGIN")
    with separate_cluster(
        tmp_path_factory.mktemp("schemathesis"),
        **{f"LABELOPS_GATEWAY_RATE_LIMIT_{budget}": UNLIMITED for budget in budgets},
    ) as cluster:
        yield cluster


def _schemathesis(cluster: Cluster, tmp_path: Path, mode: str) -> subprocess.CompletedProcess:
    token = login(cluster.gateway_url, ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"]
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        cluster.gateway_url + "/openapi.json",
        "--checks",
        CHECKS,
        "--mode",
        mode,
        "--max-examples",
        os.environ.get("LABELOPS_SCHEMATHESIS_EXAMPLES", "8"),
        "--seed",
        "20261123",
        "--header",
        f"Authorization: Bearer {token}",
        "--request-timeout",
        "20",
        # These end the fuzzing admin's own session or account (once fuzzing has made another admin, the
        # last-admin guard no longer holds them back); tests/system/test_privacy.py covers them.
        "--exclude-path",
        "/api/v1/auth/logout",
        "--exclude-operation-id",
        "delete_user_api_v1_users__user_id__delete",
        "--exclude-operation-id",
        "pseudonymise_user_api_v1_users__user_id__pseudonymise_post",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]

    return subprocess.run(command, capture_output=True, text=True, timeout=900)


def _failures(result: subprocess.CompletedProcess) -> str:
    text = result.stdout[result.stdout.find("FAILURES") :] if "FAILURES" in result.stdout else result.stdout
    return text[:30000] + result.stderr[-2000:]


def test_valid_requests_never_fail_on_either_backend(fuzzed: Cluster, tmp_path: Path):
    result = _schemathesis(fuzzed, tmp_path, "positive")

    assert result.returncode == 0, _failures(result)


@pytest.mark.skipif(BACKEND != "sqlite", reason="validation precedes the database: run once, on SQLite")
def test_invalid_requests_are_refused_before_any_database_is_asked(fuzzed: Cluster, tmp_path: Path):
    result = _schemathesis(fuzzed, tmp_path, "negative")

    assert result.returncode == 0, _failures(result)
