"""A paged list as one CSV or XLSX file (`rules.list_exports` says what is asked and how rows look).

The gateway asks the owning service for the list's pages as the caller (the caller's internal token, so
a vendor user's file holds what that user may see, page by page, and nothing more) until `next_cursor`
is null or the row limit is reached. Rows are spooled to a temporary file first: the columns are known
only once every row has been seen (a nested object may first appear on page 40), a failing page can still
be answered as a problem instead of a file cut short, and memory stays flat. The file is then streamed.
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import aiohttp
import orjson
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from services.gateway.rules import list_exports as rules
from services.gateway.service.forwarding import relay, send
from shared import spreadsheets
from shared.db import utcnow

CSV_CHUNK_ROWS = 1000


@dataclass
class Spool:
    """The flat rows of a list, one JSON line each on disk, and the union of their columns in order."""

    file: IO[bytes] = field(default_factory=lambda: tempfile.TemporaryFile())  # noqa: SIM115 (closed by close())
    columns: dict[str, None] = field(default_factory=dict)
    rows: int = 0
    more: bool = False  # rows beyond the limit were left out

    def add(self, items: list[Any], *, max_rows: int) -> None:
        for item in items:
            if self.rows >= max_rows:
                self.more = True
                return
            row = rules.flat_row(item)
            self.columns.update(dict.fromkeys(row))
            self.file.write(orjson.dumps(row) + b"\n")
            self.rows += 1

    def read(self) -> Iterator[dict[str, Any]]:
        self.file.seek(0)
        for line in self.file:
            yield orjson.loads(line)

    def close(self) -> None:
        self.file.close()


def _json_page_answer(upstream: aiohttp.ClientResponse) -> bool:
    """Whether an answer may be a page of a list: a 200 JSON body of a size read whole."""
    length = upstream.content_length
    return (
        upstream.status == 200
        and upstream.content_type == "application/json"
        and length is not None
        and length <= rules.MAX_PAGE_BYTES
    )


async def _read_page(upstream: aiohttp.ClientResponse) -> tuple[bytes, Any]:
    try:
        body = await upstream.read()
    finally:
        upstream.release()
    try:
        return body, orjson.loads(body)
    except orjson.JSONDecodeError:
        return body, None


async def export_list(
    *,
    session: aiohttp.ClientSession,
    service: str,
    url: str,
    path: str,
    query: str,
    headers: list[tuple[str, str]],
    fmt: rules.ExportFormat,
    max_rows: int,
) -> Response:
    """The list at `url` (the service's address of `path`) with the caller's `query`, every page of it up to
    `max_rows` rows, as a CSV or XLSX download. An answer that is not a page of a list (a problem, a file,
    a single object) is relayed as it came."""
    headers = [(k, v) for k, v in headers if k.lower() != "accept"] + [("Accept", "application/json")]
    spool, cursor = Spool(), None
    try:
        while True:
            page_query = rules.page_query(query, cursor=cursor)
            target = f"{url}?{page_query}" if page_query else url
            upstream = await send(
                session=session, service=service, method="GET", target=target, headers=headers, body=None
            )
            body, page = await _read_page(upstream) if _json_page_answer(upstream) else (None, None)
            if not rules.is_page(page):
                # Not a list (a problem, a file, one object): relayed as it came. A later page failing (a
                # service gone, a cursor refused) is that answer too, never half a file.
                spool.close()
                return await relay(upstream, body=body)
            spool.add(page["items"], max_rows=max_rows)
            cursor = page["next_cursor"]
            if cursor is None or spool.more:
                break
    except BaseException:
        spool.close()
        raise
    return _file(spool, path=path, query=query, fmt=fmt, max_rows=max_rows)


def _file(spool: Spool, *, path: str, query: str, fmt: rules.ExportFormat, max_rows: int) -> Response:
    body = (
        _csv(spool, max_rows=max_rows)
        if fmt == "csv"
        else _xlsx(spool, path=path, query=query, max_rows=max_rows)
    )
    return StreamingResponse(
        body,
        media_type=rules.CSV_MEDIA_TYPE if fmt == "csv" else spreadsheets.XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{rules.download_name(path, fmt)}"',
            "X-Export-Rows": str(spool.rows),
            "X-Export-Truncated": "true" if spool.more else "false",
            # The same URL answers JSON to other callers: a cache must key this answer on Accept.
            "Vary": "Accept",
        },
        background=BackgroundTask(spool.close),
    )


def _csv_lines(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


async def _csv(spool: Spool, *, max_rows: int) -> AsyncIterator[bytes]:
    """The header, the rows a thousand at a time (the event loop serves others between them), and, when
    the limit cut the list, a last line saying so."""
    columns = list(spool.columns)
    if columns:  # a list with no rows has no columns either: an empty file
        yield _csv_lines([columns])
    chunk: list[list[Any]] = []
    for row in spool.read():
        chunk.append([spreadsheets.csv_text(rules.csv_cell(row.get(c))) for c in columns])
        if len(chunk) == CSV_CHUNK_ROWS:
            yield _csv_lines(chunk)
            chunk = []
            await asyncio.sleep(0)
    if spool.more:
        chunk.append(["rows shown", rules.shown_note(spool.rows, more=True, max_rows=max_rows)])
    if chunk:
        yield _csv_lines(chunk)


def _write_xlsx(spool: Spool, workbook: Any, cover: Any, *, title: str, facts: list) -> None:
    columns = list(spool.columns)
    # A first pass finds the columns to type (every row's text in them of one kind); the CSV needs none.
    types = spreadsheets.ColumnTypes()
    for row in spool.read():
        types.observe(row)
    sheet, header_at = spreadsheets.table_sheet(workbook, title, columns)
    for row in spool.read():
        sheet.append(spreadsheets.row(sheet, [types.cell_value(c, row.get(c)) for c in columns]))
    spreadsheets.close_table(sheet, header_at=header_at, columns=len(columns), rows=spool.rows)
    spreadsheets.cover(cover, title=f"LabelOps list: {title}", facts=facts)


async def _xlsx(spool: Spool, *, path: str, query: str, max_rows: int) -> AsyncIterator[bytes]:
    """An `About` cover (which list, as whom, when, how complete) and the rows as typed cells; written in a
    thread, as tens of thousands of rows would otherwise hold the event loop for seconds."""
    workbook, cover = spreadsheets.new_workbook()
    title = spreadsheets.sheet_title(rules.download_name(path, "xlsx").removesuffix(".xlsx"), {"about"})
    facts = rules.cover_facts(
        path=path, query=query, generated_at=utcnow(), rows=spool.rows, more=spool.more, max_rows=max_rows
    )
    await asyncio.to_thread(_write_xlsx, spool, workbook, cover, title=title, facts=facts)
    async for chunk in spreadsheets.spooled(workbook):
        yield chunk
