"""Parsing bulk task imports: JSON array, JSONL, CSV and Label Studio task JSON, row by row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

MAX_ERRORS_REPORTED = 1000


@dataclass
class ParsedTask:
    data: dict[str, Any]
    priority: int
    due_at: datetime | None
    gold_answer: Any


@dataclass
class ParsedImport:
    tasks: list[ParsedTask] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0

    def reject(self, row: int, detail: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_REPORTED:
            self.errors.append({"row": row, "detail": detail})


class UnreadableImport(ValueError):
    """The body as a whole cannot be read in the declared format."""


def parse_import(body: bytes, content_type: str) -> ParsedImport:
    """Rows of a bulk import; a bad row is reported by its 1-based number and the good rows are kept."""
    kind = content_type.split(";", 1)[0].strip().lower()
    parsed = ParsedImport()
    if kind in ("application/jsonl", "application/x-ndjson", "application/ndjson", "application/x-jsonlines"):
        for number, line in enumerate(body.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError:
                parsed.reject(number, "not valid JSON")
                continue
            _add_row(parsed, number, row)
        return parsed
    if kind == "text/csv":
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UnreadableImport("CSV must be UTF-8") from exc
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise UnreadableImport("CSV needs a header row")
        control = {"priority", "due_at", "gold_answer"}
        for number, record in enumerate(reader, start=1):
            if None in record:
                parsed.reject(number, "more values than header columns")
                continue
            row: dict[str, Any] = {"data": {k: v for k, v in record.items() if k not in control}}
            if record.get("priority"):
                row["priority"] = record["priority"]
            if record.get("due_at"):
                row["due_at"] = record["due_at"]
            if record.get("gold_answer"):
                gold = record["gold_answer"]
                try:
                    row["gold_answer"] = orjson.loads(gold)
                except orjson.JSONDecodeError:
                    row["gold_answer"] = gold
            _add_row(parsed, number, row)
        return parsed
    if kind in ("application/json", ""):
        try:
            rows = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise UnreadableImport("the body is not valid JSON") from exc
        if not isinstance(rows, list):
            raise UnreadableImport("a JSON import must be an array of tasks")
        for number, row in enumerate(rows, start=1):
            _add_row(parsed, number, row)
        return parsed
    raise UnreadableImport(
        f"unsupported Content-Type '{kind}': use application/json, application/jsonl or text/csv"
    )


def _add_row(parsed: ParsedImport, number: int, row: Any) -> None:
    if not isinstance(row, dict):
        parsed.reject(number, "a task must be an object")
        return
    data = row.get("data")
    if not isinstance(data, dict) or not data:
        parsed.reject(number, "data must be a non-empty object")
        return
    priority = row.get("priority", 0)
    try:
        if isinstance(priority, (bool, float)):
            raise ValueError
        priority = int(priority)
        if not -1_000_000 <= priority <= 1_000_000:
            raise ValueError
    except (TypeError, ValueError):
        parsed.reject(number, "priority must be an integer in -1000000..1000000")
        return
    due_at = row.get("due_at")
    if due_at is not None:
        try:
            due_at = datetime.fromisoformat(str(due_at).replace("Z", "+00:00"))
            if due_at.tzinfo is None:
                raise ValueError
        except ValueError:
            parsed.reject(number, "due_at must be an ISO 8601 time with an offset")
            return
    # Label Studio tasks carry extra keys (id, annotations, predictions); only `data` matters here.
    parsed.tasks.append(
        ParsedTask(data=data, priority=priority, due_at=due_at, gold_answer=row.get("gold_answer"))
    )
