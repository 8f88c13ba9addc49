"""``/api/agreements``: ceasefires and other agreements with their alleged violations per day.

Agreements are few (the reports of one agreement are grouped in Python, see
:func:`sitroom.store.statements.ceasefires`), so the page is a slice of the groups."""
from __future__ import annotations

from datetime import date
from typing import Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ...model import to_jsonable
from ..deps import MAX_LIMIT, store

router = APIRouter()


@router.get("/api/agreements", tags=["reports"], summary="Ceasefires and other agreements with alleged violations")
def agreements(request: Request, kind: Optional[str] = Query(None, description="ceasefire, truce, ... (part of it)"),
               area: Optional[str] = Query(None, description="Agreements covering this area, e.g. Idlib."),
               since: Optional[date] = None, until: Optional[date] = None,
               limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0)) -> JSONResponse:
    rows = store(request).ceasefires(kind=kind, area=area, since=since, until=until)
    return JSONResponse(to_jsonable({"total": len(rows), "limit": limit, "offset": offset,
                                     "agreements": rows[offset:offset + limit]}))
