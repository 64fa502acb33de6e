"""HTTP for /openapi.json and /docs: one document for the whole API, and Swagger UI on it."""

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.responses import HTMLResponse, JSONResponse

from services.gateway.service import openapi as service

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
async def openapi_document(request: Request) -> JSONResponse:
    app = request.app
    cached = app.state.openapi_cache
    if cached is None:
        base = get_openapi(
            title="LabelOps API", version="1.0.0", description=app.description, routes=app.routes
        )
        document, complete = await service.merged_openapi(
            base=base, client=app.state.upstream, settings=app.state.settings
        )
        if complete:
            app.state.openapi_cache = document
        cached = document
    return JSONResponse(cached)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="LabelOps API")
