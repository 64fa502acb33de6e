"""Results, aggregation and exports of a project's labels."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from services.tasks.repository import stats as repo
from services.tasks.rules import quality
from services.tasks.rules.label_schema import comparable
from services.tasks.service.projects import get_project


async def _annotations(session: AsyncSession, *, project_id: int) -> list[tuple[int, int, Any]]:
    return [
        (t, w, comparable(a)) async for t, w, a, _v in repo.answers_of_project(session, project_id=project_id)
    ]


async def aggregate(*, session: AsyncSession, project_id: int, method: str) -> dict[str, Any]:
    """Consensus labels by majority vote (ties reported) or Dawid-Skene, with agreement."""
    project = await get_project(session=session, project_id=project_id)
    annotations = await _annotations(session, project_id=project.id)
    agreement = {
        "krippendorff_alpha": quality.krippendorff_alpha_nominal(annotations) if annotations else None
    }
    try:
        agreement["fleiss_kappa"] = quality.fleiss_kappa(annotations) if annotations else None
    except ValueError:
        agreement["fleiss_kappa"] = None  # tasks with different numbers of answers
    if method == "majority":
        result = quality.majority_vote(annotations)
        tasks = [
            {"task_id": t, "label": _plain(v.label), "votes": v.n_votes, "tied": [_plain(x) for x in v.tied]}
            for t, v in sorted(result.tasks.items())
        ]
        return {"method": method, "tasks": tasks, "ties": len(result.ties), "agreement": agreement}
    ds = quality.dawid_skene(annotations)
    tasks = [
        {
            "task_id": t,
            "label": _plain(label),
            "posterior": dict(zip([str(_plain(c)) for c in ds.classes], ds.posteriors[t], strict=True)),
        }
        for t, label in sorted(ds.labels.items())
    ]
    return {
        "method": method,
        "tasks": tasks,
        "worker_accuracy": {str(w): a for w, a in ds.worker_accuracy.items()},
        "iterations": ds.iterations,
        "agreement": agreement,
    }


def _plain(label: Any) -> Any:
    return list(label) if isinstance(label, tuple) else label


async def results(*, session: AsyncSession, project_id: int) -> list[dict[str, Any]]:
    """Every task with its answers and its final label (review correction, else majority vote)."""
    project = await get_project(session=session, project_id=project_id)
    answers: dict[int, list[dict[str, Any]]] = {}
    async for t, w, a, _v in repo.answers_of_project(session, project_id=project.id):
        answers.setdefault(t, []).append({"contributor_id": w, "answer": a})
    out, after = [], 0
    while True:
        tasks = await repo.tasks_of_project(session, project_id=project.id, after_id=after, limit=5000)
        if not tasks:
            return out
        for task in tasks:
            given = answers.get(task["id"], [])
            final = task["final_answer"]
            if final is None and given:
                votes = quality.majority_vote(
                    [(task["id"], g["contributor_id"], comparable(g["answer"])) for g in given]
                )
                final = _plain(votes.tasks[task["id"]].label)
            out.append(
                {
                    "task_id": task["id"],
                    "data": task["data"],
                    "is_gold": bool(task["is_gold"]),
                    "completed": task["completed_count"] >= task["overlap"],
                    "answers": given,
                    "final_answer": final,
                }
            )
        after = tasks[-1]["id"]


async def export(*, session: AsyncSession, project_id: int, fmt: str) -> tuple[bytes, str]:
    rows = await results(session=session, project_id=project_id)
    if fmt == "json":
        return orjson.dumps(rows), "application/json"
    if fmt == "jsonl":
        return b"".join(orjson.dumps(r) + b"\n" for r in rows), "application/jsonl"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["task_id", "data", "final_answer", "answers"])
        for r in rows:
            writer.writerow(
                [
                    r["task_id"],
                    orjson.dumps(r["data"]).decode(),
                    orjson.dumps(r["final_answer"]).decode(),
                    len(r["answers"]),
                ]
            )
        return buffer.getvalue().encode(), "text/csv"
    # Label Studio export: one object per task with its annotations as choices/textarea results.
    ls = [
        {
            "id": r["task_id"],
            "data": r["data"],
            "annotations": [
                {
                    "completed_by": a["contributor_id"],
                    "result": [{"type": "choices", "value": {"choices": _as_list(a["answer"])}}],
                }
                for a in r["answers"]
            ],
        }
        for r in rows
    ]
    return orjson.dumps(ls), "application/json"


def _as_list(answer: Any) -> list[Any]:
    return answer if isinstance(answer, list) else [answer]
