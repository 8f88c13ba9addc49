"""``/api/report``: the situation report as JSON, bounded (422 beyond ``report_max_events``)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from ...model import to_jsonable
from ..deps import Error, settings

router = APIRouter()


@router.get("/api/report", tags=["reports"], summary="The situation report as JSON",
            responses={422: {"model": Error}, 503: {"model": Error}})
def report(request: Request, country: Optional[str] = None, admin1: Optional[str] = None,
           since: Optional[date] = None, until: Optional[date] = None,
           min_confidence: Optional[float] = Query(None, ge=0.0, le=1.0)) -> JSONResponse:
    try:
        from ...report.data import build_report
    except ImportError as exc:
        raise HTTPException(503, f"the report module is not available: {exc}")
    s = settings(request)
    n = s.store.count_events(country=country, admin1=admin1, since=since, until=until,
                             min_confidence=min_confidence, cap=s.report_max_events + 1)
    if n > s.report_max_events:       # bounded time and memory: ask for filters instead
        raise HTTPException(422, f"more than {s.report_max_events:,} events match: narrow the report with "
                                 "country, admin1, since and until (or run `sitroom report` for a large one)")
    return JSONResponse(to_jsonable(build_report(s.store, country=country, admin1=admin1, since=since, until=until,
                                                 min_confidence=min_confidence)))
