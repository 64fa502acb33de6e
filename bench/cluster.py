"""The real processes on fresh PostgreSQL databases, as the benchmarks and the load run drive them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.cluster import Cluster
from tests.support.databases import Databases

# One contributor runs hundreds of requests a minute; the per-user budgets are not what is measured.
UNLIMITED_RATES = {
    "LABELOPS_GATEWAY_RATE_LIMIT_ASSIGNMENT": "10000000",
    "LABELOPS_GATEWAY_RATE_LIMIT_WRITE": "1000000",
    "LABELOPS_GATEWAY_RATE_LIMIT_READ": "1000000",
    "LABELOPS_GATEWAY_RATE_LIMIT_WEBHOOK": "1000000",
    "LABELOPS_GATEWAY_RATE_LIMIT_BULK": "100000",
    "LABELOPS_LOG_LEVEL": "WARNING",
}


@contextmanager
def bench_cluster(prefix: str, **extra_env: str) -> Iterator[tuple[Cluster, dict[str, str]]]:
    """Start the cluster on throwaway databases; stop it and drop them afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    databases = Databases(workdir, backend="postgresql")
    urls = databases.create()
    cluster = Cluster(workdir, urls, extra_env={**UNLIMITED_RATES, **extra_env})
    cluster.start_all()
    try:
        yield cluster, urls
    finally:
        cluster.stop_all()
        databases.drop()
