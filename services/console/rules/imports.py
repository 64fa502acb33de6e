"""Which of the API's import formats an uploaded file is, from its name (browsers send CSV and JSONL files
with types of their own guessing, often none)."""

from __future__ import annotations

IMPORT_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".jsonl": "application/jsonl",
    ".ndjson": "application/jsonl",
}


def import_content_type(filename: str | None) -> str | None:
    """The Content-Type the tasks API reads the file as, or None for a file it cannot import."""
    name = (filename or "").lower()
    return next((kind for suffix, kind in IMPORT_TYPES.items() if name.endswith(suffix)), None)
