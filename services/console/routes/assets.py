"""htmx and Chart.js, served from what `make install` fetched from the npm registry (services/console/
package-lock.json pins them): a fixed list of files, never the whole node_modules folder."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

router = APIRouter(include_in_schema=False)

VENDOR_FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}


@router.get("/vendor/{name}")
async def vendor_asset(name: str, request: Request) -> FileResponse:
    relative = VENDOR_FILES.get(name)
    path = request.app.state.settings.assets_dir / relative if relative else None
    if path is None or not path.is_file():
        raise HTTPException(404, f"{name} is not installed (make install runs npm ci in services/console)")
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=3600"})
