"""The page (``/``), its documentation page (``/docs``) and what the page needs first (``/api/config``).
The static files are mounted by :func:`sitroom.serve.app.create_app`."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from ..deps import MAX_LIMIT, OSM_ATTRIBUTION, OSM_TILES, settings

STATIC = Path(__file__).resolve().parents[1] / "static"

router = APIRouter()
config_router = APIRouter()


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/docs", include_in_schema=False)
def docs() -> FileResponse:
    return FileResponse(STATIC / "docs.html", media_type="text/html; charset=utf-8")


@config_router.get("/api/config", tags=["meta"], summary="What the page needs: base map, counts")
def config(request: Request) -> dict[str, Any]:
    from ...stages.calibration import default_threshold

    s = settings(request)
    return {"tiles": {"url": s.tile_url, "attribution": OSM_ATTRIBUTION if s.tile_url == OSM_TILES else ""},
            "outlines": {"countries": "/static/vendor/outlines/countries.geojson",
                         "admin1": "/static/vendor/outlines/admin1.geojson"},
            "writes": s.token is not None and not s.read_only, "counts": s.store.counts(), "max_limit": MAX_LIMIT,
            "min_confidence": default_threshold()}
