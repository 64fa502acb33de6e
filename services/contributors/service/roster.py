"""CSV rosters: import (each row on its own: errors reported per row, good rows kept) and export.

Columns (header row required; order free): email, full_name, country, timezone, languages, skills,
source_channel, campaign_id, vendor_id. `languages` is `code:proficiency` pairs separated by `;`
(`en:native;fr-FR:fluent`), `skills` is `;`-separated. The export writes the same columns (plus id,
status, created_at), so an exported file imports again.
"""

import csv
import io
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor
from services.contributors.repository import campaigns as campaign_repository
from services.contributors.repository import contributors as repository
from services.contributors.schemas.contributors import (
    ContributorCreate,
    ContributorFilters,
    ImportReport,
    ImportRowError,
)
from services.contributors.service.contributors import bound_vendor, register_contributor
from services.contributors.settings import ContributorsSettings
from shared.auth import Principal
from shared.errors import DomainError, Unprocessable

COLUMNS = (
    "email", "full_name", "country", "timezone", "languages", "skills", "source_channel", "campaign_id", "vendor_id",
)  # fmt: skip
REQUIRED_COLUMNS = ("email", "full_name", "country", "timezone")
EXPORT_COLUMNS = ("id", *COLUMNS, "status", "created_at")
# Written by the export, ignored by the import: the server owns them.
SERVER_COLUMNS = ("id", "status", "created_at")
MAX_ROWS = 10_000
# Spreadsheets run cells starting with these as formulas (CSV injection); a leading ' keeps them text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _file_error(detail: str) -> Unprocessable:
    return Unprocessable(detail, errors=[{"pointer": "/", "field": "body", "in": "body", "detail": detail}])


def _parse_languages(cell: str) -> list[dict[str, str]]:
    languages = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        code, sep, proficiency = part.partition(":")
        if not sep:
            raise ValueError(f"language {part!r} needs a proficiency, e.g. {part}:fluent")
        languages.append({"code": code.strip(), "proficiency": proficiency.strip()})
    return languages


def _row_values(row: dict[str, str | None], line: int) -> tuple[dict[str, Any], list[ImportRowError]]:
    values: dict[str, Any] = {}
    errors: list[ImportRowError] = []
    for column in COLUMNS:
        cell = (row.get(column) or "").strip()
        if column == "languages":
            try:
                values[column] = _parse_languages(cell)
            except ValueError as exc:
                errors.append(ImportRowError(row=line, field="languages", detail=str(exc)))
        elif column == "skills":
            values[column] = [s.strip() for s in cell.split(";") if s.strip()]
        elif cell and column in ("campaign_id", "vendor_id"):
            # Numbers in a CSV are text; the model takes JSON numbers only.
            values[column] = int(cell) if cell.isdigit() and len(cell) < 11 else cell
        elif cell:
            values[column] = cell
        elif column in REQUIRED_COLUMNS:
            values[column] = cell  # empty: the model says which field is missing
    return values, errors


def _errors_of(exc: ValidationError, line: int) -> list[ImportRowError]:
    out = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        out.append(
            ImportRowError(row=line, field=loc[0] if loc else None, detail=error.get("msg", "invalid"))
        )
    return out


def _read(content: bytes) -> tuple[list[str], list[tuple[int, dict[str, str | None]]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error("the roster must be UTF-8 text") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = []
        for row in reader:
            number = reader.line_num  # the physical line the record ended on (header = line 1)
            if len(rows) >= MAX_ROWS:
                raise _file_error(f"a roster has at most {MAX_ROWS} rows; split the file")
            if None in row:
                rows.append((number, {"__extra__": "1"}))
                continue
            if any((v or "").strip() for v in row.values()):
                rows.append((number, row))
    except csv.Error as exc:
        raise _file_error(f"the file is not valid CSV: {exc}") from exc
    if not header:
        raise _file_error("the roster is empty; the first line must name the columns")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS and c not in SERVER_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s): {', '.join(unknown)}")
        raise _file_error("; ".join(parts) + f" (columns: {', '.join(COLUMNS)})")
    if len(set(header)) != len(header):
        raise _file_error("a column appears twice in the header")
    return header, rows


async def import_roster(
    *,
    session: AsyncSession,
    principal: Principal,
    content: bytes,
    dry_run: bool,
    settings: ContributorsSettings,
) -> ImportReport:
    """Create one contributor per valid row; every bad row is reported with its line and field."""
    _, rows = _read(content)
    errors: list[ImportRowError] = []
    valid: list[tuple[int, ContributorCreate]] = []
    for line, row in rows:
        if "__extra__" in row:
            errors.append(ImportRowError(row=line, field=None, detail="more cells than columns"))
            continue
        values, row_errors = _row_values(row, line)
        try:
            data = ContributorCreate.model_validate(values)
        except ValidationError as exc:
            row_errors.extend(_errors_of(exc, line))
        if row_errors:
            errors.extend(row_errors)
            continue
        valid.append((line, data))

    emails = [str(d.email).strip().lower() for _, d in valid]
    taken = await repository.existing_emails(session, emails)
    campaign_ids = {d.campaign_id for _, d in valid if d.campaign_id is not None}
    known_campaigns = await campaign_repository.existing_ids(session, campaign_ids)
    seen: set[str] = set()
    ready: list[tuple[int, ContributorCreate]] = []
    for (line, data), email in zip(valid, emails, strict=True):
        if email in taken:
            errors.append(
                ImportRowError(
                    row=line, field="email", detail=f"a contributor with email {email} already exists"
                )
            )
        elif email in seen:
            errors.append(
                ImportRowError(row=line, field="email", detail="this email appears on an earlier row")
            )
        elif data.campaign_id is not None and data.campaign_id not in known_campaigns:
            errors.append(
                ImportRowError(row=line, field="campaign_id", detail=f"no campaign {data.campaign_id}")
            )
        else:
            try:
                bound_vendor(principal, data.vendor_id)
            except DomainError as exc:
                errors.append(ImportRowError(row=line, field="vendor_id", detail=exc.detail))
                continue
            ready.append((line, data))
        seen.add(email)

    created: list[Contributor] = []
    if not dry_run:
        for line, data in ready:
            try:
                created.append(
                    await register_contributor(
                        session=session, principal=principal, data=data, settings=settings
                    )
                )
            except DomainError as exc:  # e.g. the email was registered meanwhile
                errors.append(ImportRowError(row=line, field="email", detail=exc.detail))
    errors.sort(key=lambda e: e.row)
    return ImportReport(
        dry_run=dry_run,
        rows=len(rows),
        created=len(created),
        failed=len({e.row for e in errors}),
        created_ids=[c.id for c in created],
        errors=errors,
    )


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


async def export_roster(*, session: AsyncSession, principal: Principal, filters: ContributorFilters) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    async for c in repository.stream_readable(session, principal=principal, filters=filters):
        writer.writerow(
            [
                c.id,
                _cell(c.email),
                _cell(c.full_name),
                c.country,
                c.timezone,
                ";".join(f"{x['code']}:{x['proficiency']}" for x in c.languages),
                _cell(";".join(c.skills)),
                c.source_channel or "",
                c.campaign_id or "",
                c.vendor_id or "",
                c.status,
                c.created_at.isoformat(),
            ]
        )
    return buffer.getvalue()
