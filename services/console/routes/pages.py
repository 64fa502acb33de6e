"""What every page route shares: the templates with the console's filters, the page context (viewer,
menu, CSRF token, zone) and the router every page module is built on (CSRF checked on every write)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChainableUndefined
from starlette.background import BackgroundTask

from services.console.deps import Console, require_csrf
from services.console.rules import display
from services.console.rules.menu import menu_for
from shared.spreadsheets import XLSX_MEDIA_TYPE

HERE = Path(__file__).resolve().parents[1]
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
# A field the API leaves out (an older or newer service) renders empty rather than failing the page.
templates.env.undefined = ChainableUndefined
templates.env.filters.update(money=display.money, percent=display.percent, countdown=display.countdown)


def console_router(**kwargs: Any) -> APIRouter:
    """Every console route module uses this router: no write route can go without the CSRF check."""
    return APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False, **kwargs)


def render(
    request: Request, console: Console | None, template: str, *, status_code: int = 200, **context: Any
):
    zone = console.zone if console else display.viewer_zone(None, default="UTC")
    session = getattr(request.state, "console_session", None)
    return templates.TemplateResponse(
        request,
        template,
        {
            "viewer": console.viewer if console else None,
            "menu": menu_for(console.viewer) if console else [],
            "csrf": console.csrf if console else (session.csrf if session else ""),
            "zone": zone,
            "localtime": lambda value: display.local_time(value, zone),
            "local_input": lambda value: display.local_input(value, zone),
            **context,
        },
        status_code=status_code,
    )


TITLES = {
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    412: "Changed meanwhile",
    422: "Not accepted",
    503: "Service unavailable",
}


def render_error(
    request: Request,
    status: int,
    detail: str,
    *,
    errors: list | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    # htmx puts an answer into part of a page: a refusal there is a line, not a whole page.
    response = render(
        request,
        None,
        "_error.html" if request.headers.get("HX-Request") else "error.html",
        status_code=status,
        title=TITLES.get(status, "Something went wrong"),
        detail=detail,
        errors=errors or [],
        # What to quote when reporting a failure: the id of this request in every process's logs.
        request_id=getattr(request.state, "request_id", None) if status >= 500 else None,
    )
    response.headers.update(headers or {})
    return response


# A list page's "Download CSV / XLSX": the list with the page's filters, every page of it, as the file the
# gateway makes of it for this viewer (README "Lists as files"), walked in the API's largest pages.
ListFile = Literal["csv", "xlsx"]
LIST_FILE_TYPES: dict[str, str] = {"csv": "text/csv", "xlsx": XLSX_MEDIA_TYPE}
LIST_FILE_PAGE = 500


async def list_file(console: Console, path: str, format: ListFile, **params: Any) -> StreamingResponse:
    upstream = await console.gateway.stream(
        path, accept=LIST_FILE_TYPES[format], limit=LIST_FILE_PAGE, **params
    )
    return passed_through(upstream)


def passed_through(upstream: httpx.Response) -> StreamingResponse:
    """The API's file as the API sent it: its type and its attachment name, streamed."""
    headers = {"Content-Disposition": upstream.headers.get("content-disposition", "attachment")}
    return StreamingResponse(
        upstream.aiter_raw(),
        media_type=upstream.headers.get("content-type", "application/octet-stream"),
        headers=headers,
        background=BackgroundTask(upstream.aclose),
    )
