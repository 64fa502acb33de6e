"""What a project delivers: the final label of a task, and the task as each export format writes it
(flat CSV cells, typed XLSX cells, Label Studio tasks and the labeling config that matches them).
Plain functions of values; the service streams tasks through them page by page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import quoteattr

import orjson

from services.tasks.rules import quality
from services.tasks.rules.label_schema import comparable

# Label Studio names the labeling control and the object it labels; results carry both.
LS_CONTROL_NAME = "label"
LS_RESULT_TYPES = {"choices": "choices", "text": "textarea"}
# Data values that look like these are shown by Label Studio's media tags rather than as text.
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".svg")
_AUDIO_SUFFIXES = (".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac")
MULTIPLE_CHOICE_SEPARATOR = "|"


@dataclass(frozen=True)
class FinalLabel:
    """A task's delivered label and where it came from: `gold` (the project's own answer), `review` (a
    reviewer's correction, the latest wins), `dawid_skene` or `majority` (the stored aggregate), or
    `majority` computed now from the answers when the project was never aggregated."""

    answer: Any
    source: str | None
    confidence: float | None


def final_label(
    *,
    is_gold: bool,
    gold_answer: Any,
    correction: Any,
    aggregate: dict[str, Any] | None,
    answers: Sequence[Any],
) -> FinalLabel:
    """Gold answer, else the latest review correction, else the stored aggregate, else a majority of the
    answers (a tie has no label)."""
    if is_gold and gold_answer is not None:
        return FinalLabel(gold_answer, "gold", 1.0)
    if correction is not None:
        return FinalLabel(correction, "review", 1.0)
    if aggregate is not None:
        return FinalLabel(aggregate["label"], aggregate["method"], aggregate["confidence"])
    if not answers:
        return FinalLabel(None, None, None)
    votes = quality.majority_vote([(0, n, comparable(a)) for n, a in enumerate(answers)]).tasks[0]
    if votes.label is None:
        return FinalLabel(None, "majority", None)
    return FinalLabel(plain_label(votes.label), "majority", votes.majority_share)


def plain_label(label: Any) -> Any:
    """A label as JSON has it (multiple choices compare as a tuple and are delivered as a list)."""
    return list(label) if isinstance(label, tuple) else label


# --- flat CSV and XLSX -------------------------------------------------------------------------------

# The columns before the task's data keys, with what each means (the XLSX cover sheet lists them).
RESULT_COLUMNS: dict[str, str] = {
    "task_id": "LabelOps task id",
    "external_id": "the id the task had where it was imported from (a Label Studio task id), if any",
    "batch_id": "the import that brought the task",
    "locale": "the task's locale (BCP 47), one of the project's, if it has locales",
    "is_gold": "a gold task: its answer is known and scores the contributors",
    "gold_answer": "the known answer of a gold task",
    "completed": "the task has all the answers its overlap asks for",
    "final_answer": "the delivered label: gold answer, else a reviewer's correction, else the stored "
    "aggregate, else the majority of the answers (empty on a tie)",
    "final_source": "where final_answer comes from: gold, review, dawid_skene or majority",
    "final_confidence": "1 for gold and review; the winning share of votes (majority) or the posterior "
    "(dawid_skene)",
    "answer_count": "answers counted (rejected answers are not)",
    "created_at": "when the task was imported (UTC)",
    "completed_at": "when the task got its last answer (UTC)",
}


def data_columns(keys: Iterable[str]) -> dict[str, str]:
    """Column name per data key: the key itself, or `data.<key>` when it would clash with a result column."""
    return {k: f"data.{k}" if k in RESULT_COLUMNS else k for k in sorted(keys)}


def answer_cell(answer: Any) -> Any:
    """An answer as one plain cell: a choice or text as is, several choices joined by `|`."""
    if answer is None:
        return None
    if isinstance(answer, list):
        return MULTIPLE_CHOICE_SEPARATOR.join(str(a) for a in answer)
    return answer


def data_cell(value: Any) -> Any:
    """A data value as one cell: scalars as they are, nested values as compact JSON."""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return value


def flat_row(row: dict[str, Any], columns: dict[str, str]) -> list[Any]:
    """A result row (service/exports.py) as cells in the order RESULT_COLUMNS then `columns`' data keys."""
    final: FinalLabel = row["final"]
    cells = {
        "task_id": row["task_id"],
        "external_id": row["external_id"],
        "batch_id": row["batch_id"],
        "locale": row["locale"],
        "is_gold": row["is_gold"],
        "gold_answer": answer_cell(row["gold_answer"]),
        "completed": row["completed"],
        "final_answer": answer_cell(final.answer),
        "final_source": final.source,
        "final_confidence": final.confidence,
        "answer_count": len(row["answers"]),
        "created_at": row["created_at"],
        "completed_at": row["completed_at"],
    }
    data = row["data"]
    return [cells[c] for c in RESULT_COLUMNS] + [data_cell(data.get(k)) for k in columns]


def csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


# --- Label Studio ----------------------------------------------------------------------------------


def ls_object_tag(key: str, sample: Any) -> str:
    """The Label Studio object tag that shows a data value: Image or Audio for media URLs, else Text."""
    lowered = str(sample).lower().split("?", 1)[0] if isinstance(sample, str) else ""
    if key.lower() in ("image", "img", "image_url", "photo") or lowered.endswith(_IMAGE_SUFFIXES):
        return "Image"
    if key.lower() in ("audio", "audio_url", "sound") or lowered.endswith(_AUDIO_SUFFIXES):
        return "Audio"
    return "Text"


def ls_target(sample_data: dict[str, Any]) -> str:
    """The data key the labeling control labels: the first media key, else the first text key, else the first."""
    keys = sorted(sample_data)
    for wanted in ("Image", "Audio", "Text"):
        for key in keys:
            if ls_object_tag(key, sample_data[key]) == wanted and (
                wanted != "Text" or isinstance(sample_data[key], str)
            ):
                return key
    return keys[0]


def label_studio_config(schema: dict[str, Any], sample_data: dict[str, Any]) -> str:
    """The Label Studio labeling config of a project: one object tag per data key of a sample task and the
    control the label schema describes (choices → <Choices>, text → <TextArea>) on the labeled key."""
    target = ls_target(sample_data)
    lines = ["<View>"]
    for key in sorted(sample_data):
        tag = ls_object_tag(key, sample_data[key])
        lines.append(f"  <{tag} name={quoteattr(key)} value={quoteattr('$' + key)}/>")
    if schema["type"] == "choices":
        choice = "multiple" if schema.get("multiple") else "single"
        lines.append(
            f"  <Choices name={quoteattr(LS_CONTROL_NAME)} toName={quoteattr(target)} choice={quoteattr(choice)}"
            ' required="true">'
        )
        lines.extend(f"    <Choice value={quoteattr(c)}/>" for c in schema["choices"])
        lines.append("  </Choices>")
    else:
        max_length = schema.get("max_length", 10_000)
        lines.append(
            f"  <TextArea name={quoteattr(LS_CONTROL_NAME)} toName={quoteattr(target)}"
            f' maxSubmissions="1" required="true" maxLength="{max_length}"/>'
        )
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def ls_result(schema: dict[str, Any], answer: Any, *, to_name: str) -> list[dict[str, Any]]:
    """An answer as a Label Studio result: the control's name, the object's name, the control's type."""
    kind = LS_RESULT_TYPES[schema["type"]]
    if kind == "choices":
        value: dict[str, Any] = {
            "choices": [str(a) for a in (answer if isinstance(answer, list) else [answer])]
        }
    else:
        value = {"text": [str(answer)]}
    return [{"from_name": LS_CONTROL_NAME, "to_name": to_name, "type": kind, "value": value}]


def answer_from_ls_result(schema: dict[str, Any], result: Any) -> Any:
    """The answer a Label Studio result holds for the project's schema; ValueError when it holds none."""
    if not isinstance(result, list):
        raise ValueError("result must be a list")
    kind = LS_RESULT_TYPES[schema["type"]]
    for item in result:
        if not isinstance(item, dict) or item.get("type") != kind or not isinstance(item.get("value"), dict):
            continue
        if kind == "choices":
            choices = item["value"].get("choices")
            if isinstance(choices, list) and choices:
                return choices if schema.get("multiple") else choices[0]
        else:
            texts = item["value"].get("text")
            if isinstance(texts, list) and texts:
                return "\n".join(str(t) for t in texts)
            if isinstance(texts, str):
                return texts
    raise ValueError(f"no {kind} result")


def ls_task(row: dict[str, Any], *, schema: dict[str, Any], to_name: str) -> dict[str, Any]:
    """A result row as a Label Studio task: the contributors' answers and any correction as annotations
    (the gold answer as a ground-truth annotation), the stored aggregate and imported pre-labels as
    predictions, and our ids, gold flag and final label in `meta`."""
    final: FinalLabel = row["final"]
    annotations = [
        {"result": ls_result(schema, a["answer"], to_name=to_name), "ground_truth": False}
        for a in row["answers"]
    ]
    if final.source in ("gold", "review"):
        annotations.append({"result": ls_result(schema, final.answer, to_name=to_name), "ground_truth": True})
    predictions = (
        [
            {
                "model_version": f"labelops-{final.source}",
                "score": final.confidence,
                "result": ls_result(schema, final.answer, to_name=to_name),
            }
        ]
        if final.source in ("dawid_skene", "majority") and final.answer is not None
        else []
    )
    for pre in row["prelabels"] or ():
        predictions.append(
            {
                "model_version": str(pre.get("model_version") or pre.get("source") or "imported"),
                "score": pre.get("score"),
                "result": ls_result(schema, pre["answer"], to_name=to_name),
            }
        )
    external = row["external_id"]
    return {
        "id": int(external) if external is not None and external.isdigit() else row["task_id"],
        "data": row["data"],
        "meta": {
            "labelops_task_id": row["task_id"],
            "external_id": external,
            "locale": row["locale"],
            "is_gold": row["is_gold"],
            "final_answer": final.answer,
            "final_source": final.source,
            "final_confidence": final.confidence,
        },
        "annotations": annotations,
        "predictions": predictions,
    }
