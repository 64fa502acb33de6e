"""Export memory benchmark: does streaming an export stay flat as the project grows?

    python -m bench.exports --memory              # 20,000 and 200,000 tasks, SQLite, with memory peaks
    LABELOPS_TEST_DATABASE=postgresql python -m bench.exports --tasks 1000000 --formats csv label-studio

For each size a fresh tasks database gets a project of that many tasks (one answer on every tenth,
stored as an aggregate so the final-label joins have rows to read), then each format is streamed through
the service's `export_stream` and the bytes are counted and dropped, as a client downloading it would.
Printed per size and format: seconds, tasks per second, MB produced and, with --memory, the peak of
Python memory allocated while streaming, from a second pass under tracemalloc (the XLSX rows go to
openpyxl's temporary files, not memory).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import tracemalloc
from pathlib import Path

import orjson

from services.tasks.models import Project
from services.tasks.repository import exports as exports_repo
from services.tasks.schemas.projects import ProjectCreate
from services.tasks.service import exports
from services.tasks.service import projects as projects_service
from shared.db import Database, utcnow
from tests.support.databases import Databases

FORMATS = ("csv", "jsonl", "label-studio", "xlsx")
IMPORT_CHUNK = 50_000


async def _fill(db: Database, n: int) -> Project:
    body = {
        "name": f"export bench {n}",
        "task_type": "classification",
        "label_schema": {"type": "choices", "choices": ["cat", "dog"], "multiple": False},
        "overlap": 1,
        "gold_ratio": 0.0,
        "review_ratio": 0.0,
        "content_severity": "none",
        "lease_seconds": 600,
    }
    async with db.sessionmaker() as session, session.begin():
        project = await projects_service.create_project(session=session, data=ProjectCreate(**body))
    for start in range(0, n, IMPORT_CHUNK):
        rows = [
            {"id": i, "data": {"text": f"sentence number {i}", "source": "bench", "n": i}}
            for i in range(start, min(n, start + IMPORT_CHUNK))
        ]
        async with db.sessionmaker() as session, session.begin():
            await projects_service.import_tasks(
                session=session,
                project_id=project.id,
                body=orjson.dumps(rows),
                content_type="application/json",
                batch_name=None,
            )
    async with db.read_sessionmaker() as session:
        first = await exports_repo.tasks_page(session, project_id=project.id, after_id=0, limit=1)
    first_id, now = first[0]["id"], utcnow()
    aggregates = [
        {
            "task_id": first_id + i,
            "method": "majority",
            "label": "cat",
            "confidence": 1.0,
            "votes": 1,
            "aggregated_at": now,
        }
        for i in range(0, n, 10)
    ]
    async with db.sessionmaker() as session, session.begin():
        await exports_repo.replace_aggregates(session, project_id=project.id, rows=aggregates)
    return project


async def _stream(db: Database, project: Project, fmt: str, *, trace: bool) -> tuple[float, int, int]:
    """(seconds, bytes, peak Python memory while streaming, or 0 untraced)."""
    if trace:
        tracemalloc.start()
    started, size = time.perf_counter(), 0
    async for chunk in exports.export_stream(db=db, project=project, fmt=fmt):
        size += len(chunk)
    seconds = time.perf_counter() - started
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds, size, peak


async def _run(url: str, n: int, formats: list[str], memory: bool) -> list[str]:
    db = Database.connect(url, pool_size=2)
    try:
        project = await _fill(db, n)
        lines = []
        for fmt in formats:
            seconds, size, _ = await _stream(db, project, fmt, trace=False)
            line = f"{n:>9,} {fmt:<13} {seconds:>8.1f} s {n / seconds:>9,.0f} {size / 1e6:>9.1f} MB"
            if memory:
                # A second pass under tracemalloc (slower), for the peak only.
                line += f" {(await _stream(db, project, fmt, trace=True))[2] / 1e6:>8.1f} MB peak"
            lines.append(line)
        return lines
    finally:
        await db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--memory", action="store_true", help="a second pass per format under tracemalloc")
    args = parser.parse_args()
    print(f"{'tasks':>9} {'format':<13} {'time':>10} {'tasks/s':>9} {'produced':>12} {'python memory':>13}")
    for n in args.tasks:
        with tempfile.TemporaryDirectory() as workdir:
            databases = Databases(Path(workdir), services=["tasks"])
            urls = databases.create()
            try:
                for line in asyncio.run(_run(urls["tasks"], n, args.formats, args.memory)):
                    print(line, flush=True)
            finally:
                databases.drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
