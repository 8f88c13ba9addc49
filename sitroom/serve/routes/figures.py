"""``/api/figures``: the tallies documents report (killed, injured, displaced ...), paged in SQL."""
from __future__ import annotations

from datetime import date
from typing import Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ...store.serialize import figure_json
from ...store.statements import page_figures
from ..deps import MAX_LIMIT, MAX_OFFSET, page, settings

router = APIRouter()


@router.get("/api/figures", tags=["reports"], summary="Figures (tallies) the documents report")
def figures(request: Request, kind: Optional[str] = Query(None, description="killed, injured, displaced, ..."),
            country: Optional[str] = None, admin1: Optional[str] = None,
            since: Optional[date] = None, until: Optional[date] = None,
            doc: Optional[str] = Query(None, description="Only this document (its doc_id)."),
            limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> JSONResponse:
    """Paged in SQL; `total` counts up to COUNT_CAP matches (`total_exact` false beyond)."""
    s = settings(request)
    rows, n = page_figures(s.store, kind=kind, country=country, admin1=admin1, since=since, until=until, doc=doc,
                           limit=limit, offset=offset, count=max(s.count_cap, offset + limit) + 1)
    return JSONResponse(page([figure_json(r) for r in rows], n, limit, offset, "figures", s.count_cap))
