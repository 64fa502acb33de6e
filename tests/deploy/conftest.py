"""Deployment files are checked with the real tools: promtool (Debian's `prometheus` package) here."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


@pytest.fixture(scope="session")
def promtool() -> Callable[..., subprocess.CompletedProcess]:
    """Run `promtool ARGS…`; missing promtool fails under CI (which installs it) and skips elsewhere."""
    path = shutil.which("promtool")
    if path is None:
        message = "promtool is not installed (apt-get install prometheus; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set", pytrace=False)
        pytest.skip(message)

    def run(*args: str, cwd: Path = REPO, stdin: str | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [path, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"promtool {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done

    return run
