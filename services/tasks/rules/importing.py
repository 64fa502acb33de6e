"""Parsing bulk task imports: JSON array, JSONL, CSV and Label Studio task JSON, row by row.

A row is numbered as the file numbers it: the element of a JSON array (from 1), the line of a JSONL
file, the line of a CSV file (the header is line 1, so the first task is line 2). Everything a row
brings is kept or reported: a Label Studio `id` becomes the task's external id, its `annotations`
become the gold answer or pre-labels (the caller chooses), its `predictions` pre-labels, and keys the
import does not use come back as warnings."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import orjson

from services.tasks.rules.exports import answer_from_ls_result
from services.tasks.rules.label_schema import answer_errors, coerce_answer
from shared.languages import validate_language_tag

MAX_ERRORS_REPORTED = 1000
MAX_EXTERNAL_ID_LENGTH = 200
AnnotationsAs = Literal["gold", "prelabels"]
# Keys of a JSON row the import uses; anything else is reported as a warning.
ROW_KEYS = frozenset(
    {"data", "priority", "due_at", "gold_answer", "external_id", "id", "annotations", "predictions", "locale"}
)
# CSV columns that are not data keys.
CSV_CONTROL_COLUMNS = frozenset({"priority", "due_at", "gold_answer", "external_id", "locale"})


@dataclass
class ParsedTask:
    data: dict[str, Any]
    priority: int
    due_at: datetime | None
    gold_answer: Any
    row: int = 0
    external_id: str | None = None
    prelabels: list[dict[str, Any]] = field(default_factory=list)
    locale: str | None = None


@dataclass
class ParsedImport:
    tasks: list[ParsedTask] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0
    # Unused key → [rows seen with it, first such row]
    unknown_keys: dict[str, list[int]] = field(default_factory=dict)

    def reject(self, row: int, detail: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_REPORTED:
            self.errors.append({"row": row, "detail": detail})

    def note_unknown(self, row: int, keys: set[str]) -> None:
        for key in keys:
            seen = self.unknown_keys.setdefault(key, [0, row])
            seen[0] += 1

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [
            {"key": key, "rows": n, "first_row": first, "detail": "not a task field: ignored"}
            for key, (n, first) in sorted(self.unknown_keys.items())
        ]


class UnreadableImport(ValueError):
    """The body as a whole cannot be read in the declared format."""


@dataclass(frozen=True)
class _Options:
    schema: dict[str, Any] | None
    annotations_as: AnnotationsAs
    locales: tuple[str, ...] = ()


def parse_import(
    body: bytes,
    content_type: str,
    *,
    label_schema: dict[str, Any] | None = None,
    annotations_as: AnnotationsAs = "prelabels",
    locales: tuple[str, ...] = (),
) -> ParsedImport:
    """Rows of a bulk import, with gold answers and pre-labels checked against `label_schema` (when
    given) and each locale against the project's `locales`; a bad row is reported by the file's own row
    number and the good rows are kept."""
    kind = content_type.split(";", 1)[0].strip().lower()
    options = _Options(label_schema, annotations_as, locales)
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
            _add_row(parsed, number, row, options)
        return parsed
    if kind == "text/csv":
        _parse_csv(parsed, body, options)
        return parsed
    if kind in ("application/json", ""):
        try:
            rows = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise UnreadableImport("the body is not valid JSON") from exc
        if not isinstance(rows, list):
            raise UnreadableImport("a JSON import must be an array of tasks")
        for number, row in enumerate(rows, start=1):
            _add_row(parsed, number, row, options)
        return parsed
    raise UnreadableImport(
        f"unsupported Content-Type '{kind}': use application/json, application/jsonl or text/csv"
    )


def _parse_csv(parsed: ParsedImport, body: bytes, options: _Options) -> None:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableImport("CSV must be UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise UnreadableImport("CSV needs a header row")
    ended_on = reader.line_num  # the header's last line
    for record in reader:
        # A quoted value may span lines: the row is numbered by the line it starts on.
        number, ended_on = ended_on + 1, reader.line_num
        if None in record:
            parsed.reject(number, "more values than header columns")
            continue
        row: dict[str, Any] = {"data": {k: v for k, v in record.items() if k not in CSV_CONTROL_COLUMNS}}
        for name in ("priority", "due_at", "gold_answer", "external_id", "locale"):
            if record.get(name):
                row[name] = record[name]
        _add_row(parsed, number, row, options)


def _add_row(parsed: ParsedImport, number: int, row: Any, options: _Options) -> None:
    if not isinstance(row, dict):
        parsed.reject(number, "a task must be an object")
        return
    unknown = set(row) - ROW_KEYS
    if unknown:
        parsed.note_unknown(number, unknown)
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
    external = row.get("external_id", row.get("id"))
    if external is not None:
        if isinstance(external, bool) or not isinstance(external, (str, int)):
            parsed.reject(number, "id must be a string or an integer")
            return
        external = str(external)
        if not 0 < len(external) <= MAX_EXTERNAL_ID_LENGTH:
            parsed.reject(number, f"id must have 1..{MAX_EXTERNAL_ID_LENGTH} characters")
            return
    locale, problem = task_locale(row.get("locale"), options.locales)
    if problem:
        parsed.reject(number, problem)
        return
    task = ParsedTask(
        data=data,
        priority=priority,
        due_at=due_at,
        gold_answer=None,
        row=number,
        external_id=external,
        locale=locale,
    )
    problem = _labels(task, row, options)
    if problem:
        parsed.reject(number, problem)
        return
    parsed.tasks.append(task)


def task_locale(given: Any, accepted: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(the task's locale as the project spells it, what is wrong): a project without locales takes
    none; one with a single locale gives it to a task that names none; otherwise the task names one of
    the project's."""
    if given is None or given == "":
        if len(accepted) > 1:
            return None, f"locale is required: one of {', '.join(accepted)}"
        return (accepted[0] if accepted else None), None
    if not accepted:
        return None, "the project accepts no locales: set its locales before importing tasks with one"
    try:
        tag = validate_language_tag(given)
    except ValueError as exc:
        return None, f"locale: {exc}"
    if tag not in accepted:
        return None, f"locale {tag} is not one of the project's: {', '.join(accepted)}"
    return tag, None


def _labels(task: ParsedTask, row: dict[str, Any], options: _Options) -> str | None:
    """Fill the task's gold answer and pre-labels from the row; what is wrong with them, if anything."""
    schema = options.schema
    gold = row.get("gold_answer")
    if schema is None:
        task.gold_answer = gold
        return None
    if gold is not None:
        gold = coerce_answer(schema, gold)
        problems = answer_errors(schema, gold, pointer="/gold_answer")
        if problems:
            return "gold_answer: " + problems[0]["detail"]
    for field_name, source in (("annotations", "annotation"), ("predictions", "prediction")):
        given = row.get(field_name)
        if given is None:
            continue
        if not isinstance(given, list):
            return f"{field_name} must be a list"
        labeled = []
        for index, item in enumerate(given):
            # A skipped (cancelled) or empty annotation carries no label.
            if not isinstance(item, dict) or item.get("was_cancelled") or item.get("result") == []:
                continue
            try:
                answer = coerce_answer(schema, answer_from_ls_result(schema, item.get("result")))
            except ValueError as exc:
                return f"{field_name}[{index}]: {exc}"
            problems = answer_errors(schema, answer, pointer=f"/{field_name}/{index}")
            if problems:
                return f"{field_name}[{index}]: " + problems[0]["detail"]
            label: dict[str, Any] = {"source": source, "answer": answer}
            if source == "prediction":
                label["model_version"] = item.get("model_version")
                label["score"] = item.get("score") if isinstance(item.get("score"), (int, float)) else None
            labeled.append((bool(item.get("ground_truth")), label))
        if source == "annotation" and options.annotations_as == "gold" and labeled and gold is None:
            # The ground-truth annotation if one is marked, else the first, is the gold answer.
            chosen = next((i for i, (truth, _) in enumerate(labeled) if truth), 0)
            gold = labeled.pop(chosen)[1]["answer"]
        task.prelabels.extend(label for _, label in labeled)
    task.gold_answer = gold
    return None
