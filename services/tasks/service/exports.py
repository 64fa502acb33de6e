"""Results, aggregation and exports of a project's labels.

Results and exports walk the project's tasks a page at a time in id order (keyset), joining each page's
answers, corrections and stored aggregates by task id range: memory stays flat for a million tasks, the
results endpoint pages with `{items, next_cursor}` and exports stream."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.models import Project
from services.tasks.repository import exports as repo
from services.tasks.repository import stats as stats_repo
from services.tasks.rules import exports as rules
from services.tasks.rules import quality
from services.tasks.rules.label_schema import comparable
from services.tasks.service.projects import get_project
from shared import spreadsheets
from shared.db import Database, utcnow
from shared.errors import NotFound

EXPORT_PAGE = 1000
XLSX_MAX_ROWS = 1_000_000  # a sheet holds 1,048,576 rows; the tasks continue on the next sheet
MEDIA_TYPES = {
    "json": "application/json",
    "jsonl": "application/jsonl",
    "csv": "text/csv; charset=utf-8",
    "label-studio": "application/json",
    "xlsx": spreadsheets.XLSX_MEDIA_TYPE,
}


async def _annotations(session: AsyncSession, *, project_id: int) -> list[tuple[int, int, Any]]:
    return [
        (t, w, comparable(a))
        async for t, w, a, _v in stats_repo.answers_of_project(session, project_id=project_id)
    ]


async def aggregate(*, session: AsyncSession, project_id: int, method: str) -> dict[str, Any]:
    """Consensus labels by majority vote (ties reported) or Dawid-Skene, with agreement; the labels are
    stored with their method and confidence and become the exports' final labels."""
    project = await get_project(session=session, project_id=project_id)
    annotations = await _annotations(session, project_id=project.id)
    agreement = {
        "krippendorff_alpha": quality.krippendorff_alpha_nominal(annotations) if annotations else None
    }
    try:
        agreement["fleiss_kappa"] = quality.fleiss_kappa(annotations) if annotations else None
    except ValueError:
        agreement["fleiss_kappa"] = None  # tasks with different numbers of answers
    now = utcnow()
    if method == "majority":
        result = quality.majority_vote(annotations)
        votes = sorted(result.tasks.items())
        await repo.replace_aggregates(
            session,
            project_id=project.id,
            rows=[
                {
                    "task_id": t,
                    "method": method,
                    "label": rules.plain_label(v.label),
                    "confidence": v.majority_share if v.label is not None else None,
                    "votes": v.n_votes,
                    "aggregated_at": now,
                }
                for t, v in votes
            ],
        )
        tasks = [
            {
                "task_id": t,
                "label": rules.plain_label(v.label),
                "confidence": v.majority_share if v.label is not None else None,
                "votes": v.n_votes,
                "tied": [rules.plain_label(x) for x in v.tied],
            }
            for t, v in votes
        ]
        return {"method": method, "tasks": tasks, "ties": len(result.ties), "agreement": agreement}
    ds = quality.dawid_skene(annotations)
    n_votes: dict[int, int] = {}
    for t, _w, _a in annotations:
        n_votes[t] = n_votes.get(t, 0) + 1
    classes = [str(rules.plain_label(c)) for c in ds.classes]
    tasks = []
    for t, label in sorted(ds.labels.items()):
        posterior = dict(zip(classes, ds.posteriors[t], strict=True))
        confidence = max(ds.posteriors[t]) if label is not None else None
        tasks.append(
            {
                "task_id": t,
                "label": rules.plain_label(label),
                "confidence": confidence,
                "votes": n_votes.get(t, 0),
                "posterior": posterior,
            }
        )
    await repo.replace_aggregates(
        session,
        project_id=project.id,
        rows=[
            {
                "task_id": r["task_id"],
                "method": method,
                "label": r["label"],
                "confidence": r["confidence"],
                "votes": r["votes"],
                "aggregated_at": now,
            }
            for r in tasks
        ],
    )
    return {
        "method": method,
        "tasks": tasks,
        "worker_accuracy": {str(w): a for w, a in ds.worker_accuracy.items()},
        "iterations": ds.iterations,
        "agreement": agreement,
    }


async def _result_rows(session: AsyncSession, *, project_id: int, after_id: int, limit: int) -> list[dict]:
    """One page of tasks with their counted answers and the final label each delivers."""
    tasks = await repo.tasks_page(session, project_id=project_id, after_id=after_id, limit=limit)
    if not tasks:
        return []
    span = {"project_id": project_id, "first_id": tasks[0]["id"], "last_id": tasks[-1]["id"]}
    answers = await repo.answers_of_tasks(session, **span)
    corrections = await repo.corrections_of_tasks(session, **span)
    aggregates = await repo.aggregates_of_tasks(session, **span)
    rows = []
    for task in tasks:
        given = answers.get(task["id"], [])
        aggregated = aggregates.get(task["id"])
        final = rules.final_label(
            is_gold=bool(task["is_gold"]),
            gold_answer=task["gold_answer"],
            correction=corrections.get(task["id"]),
            aggregate=aggregated,
            answers=[g["answer"] for g in given],
        )
        rows.append(
            {
                "task_id": task["id"],
                "external_id": task["external_id"],
                "batch_id": task["batch_id"],
                "locale": task["locale"],
                "data": task["data"],
                "is_gold": bool(task["is_gold"]),
                "gold_answer": task["gold_answer"],
                "completed": task["completed_count"] >= task["overlap"],
                "answers": given,
                "prelabels": task["prelabels"],
                "final": final,
                "created_at": task["created_at"],
                "completed_at": task["completed_at"],
            }
        )
    return rows


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """A result row as the results endpoint and the JSON exports give it."""
    final: rules.FinalLabel = row["final"]
    return {
        "task_id": row["task_id"],
        "external_id": row["external_id"],
        "batch_id": row["batch_id"],
        "locale": row["locale"],
        "data": row["data"],
        "is_gold": row["is_gold"],
        "gold_answer": row["gold_answer"],
        "completed": row["completed"],
        "answers": row["answers"],
        "prelabels": row["prelabels"] or [],
        "final_answer": final.answer,
        "final_source": final.source,
        "final_confidence": final.confidence,
        "created_at": row["created_at"],
        "completed_at": row["completed_at"],
    }


async def results_page(
    *, session: AsyncSession, project_id: int, limit: int, after_id: int | None
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of tasks with their answers and final label, and the last task id when more follow."""
    project = await get_project(session=session, project_id=project_id)
    rows = await _result_rows(session, project_id=project.id, after_id=after_id or 0, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return [_public(r) for r in rows], (rows[-1]["task_id"] if more and rows else None)


async def label_studio_config(*, session: AsyncSession, project_id: int) -> str:
    """The Label Studio labeling config matching the project's label schema and its tasks' data."""
    project = await get_project(session=session, project_id=project_id)
    sample = await repo.sample_data(session, project_id=project.id)
    if sample is None:
        raise NotFound(f"project {project_id} has no tasks yet: the config names their data keys")
    return rules.label_studio_config(project.label_schema, sample)


async def _pages(session: AsyncSession, *, project_id: int) -> AsyncIterator[list[dict]]:
    after = 0
    while True:
        rows = await _result_rows(session, project_id=project_id, after_id=after, limit=EXPORT_PAGE)
        if not rows:
            return
        yield rows
        after = rows[-1]["task_id"]


def _json_bytes(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NAIVE_UTC)


async def open_export(*, session: AsyncSession, project_id: int) -> Project:
    """The project to export (404 before any byte streams)."""
    return await get_project(session=session, project_id=project_id)


async def export_stream(*, db: Database, project: Project, fmt: str) -> AsyncIterator[bytes]:
    """The export's bytes, a page of tasks at a time, read in one read-only transaction of its own (the
    response streams after the request's session has closed)."""
    async with db.read_sessionmaker() as session:
        if fmt == "xlsx":
            async for chunk in _xlsx(session, project=project):
                yield chunk
            return
        if fmt == "csv":
            keys = await repo.data_keys(session, project_id=project.id)
            columns = rules.data_columns(keys)
            yield _csv_lines([list(rules.RESULT_COLUMNS) + list(columns.values())])
            async for rows in _pages(session, project_id=project.id):
                yield _csv_lines([rules.csv_cell(c) for c in rules.flat_row(r, columns)] for r in rows)
            return
        if fmt == "jsonl":
            async for rows in _pages(session, project_id=project.id):
                yield b"".join(_json_bytes(_public(r)) + b"\n" for r in rows)
            return
        if fmt == "label-studio":
            sample = await repo.sample_data(session, project_id=project.id)
            to_name = rules.ls_target(sample) if sample else ""
            render = lambda r: rules.ls_task(r, schema=project.label_schema, to_name=to_name)  # noqa: E731
        else:
            render = _public
        yield b"["
        first = True
        async for rows in _pages(session, project_id=project.id):
            body = b",".join(_json_bytes(render(r)) for r in rows)
            yield body if first else b"," + body
            first = False
        yield b"]"


def _csv_lines(rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


# --- XLSX ----------------------------------------------------------------------------------------


def _tasks_sheet(workbook: Any, number: int, header: list[str]) -> Any:
    sheet, _ = spreadsheets.table_sheet(workbook, "Tasks" if number == 1 else f"Tasks {number}", header)
    return sheet


async def _xlsx(session: AsyncSession, *, project: Project) -> AsyncIterator[bytes]:
    """A workbook of a cover sheet (project, window, definitions) and the tasks as typed cells; openpyxl's
    write-only mode keeps rows in temporary files, and the saved file is streamed from disk."""
    exported_at = utcnow()
    keys = await repo.data_keys(session, project_id=project.id)
    columns = rules.data_columns(keys)
    header = [f"{c} (UTC)" if c in ("created_at", "completed_at") else c for c in rules.RESULT_COLUMNS]
    header += list(columns.values())
    workbook, cover = spreadsheets.new_workbook()
    sheets, count, sheet = [], 0, None
    async for rows in _pages(session, project_id=project.id):
        for row in rows:
            if sheet is None or count % XLSX_MAX_ROWS == 0:
                if sheet is not None:
                    spreadsheets.close_table(sheet, header_at=1, columns=len(header), rows=XLSX_MAX_ROWS)
                sheet = _tasks_sheet(workbook, len(sheets) + 1, header)
                sheets.append(sheet)
            sheet.append(spreadsheets.row(sheet, rules.flat_row(row, columns)))
            count += 1
    if sheet is None:
        sheet = _tasks_sheet(workbook, 1, header)
        sheets.append(sheet)
    last_rows = count - (len(sheets) - 1) * XLSX_MAX_ROWS
    spreadsheets.close_table(sheet, header_at=1, columns=len(header), rows=last_rows)
    first, last = await repo.import_window(session, project_id=project.id)
    spreadsheets.cover(
        cover,
        title=f"LabelOps export of project {project.id}: {project.name}",
        facts=[
            ("project_id", project.id),
            ("task_type", project.task_type),
            ("label_schema", project.label_schema),
            (
                "window",
                "every task of the project, imported from first_import to last_import; labels as of "
                "exported_at",
            ),
            ("first_import (UTC)", first),
            ("last_import (UTC)", last),
            ("exported_at (UTC)", exported_at),
            ("tasks", count),
        ],
        definitions={
            **rules.RESULT_COLUMNS,
            **{name: f"the task's data value `{key}` as imported" for key, name in columns.items()},
        },
    )
    async for chunk in spreadsheets.spooled(workbook):
        yield chunk
