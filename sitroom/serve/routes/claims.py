"""``/api/claims``: statements, appeals, denials and accusations with their events, paged in SQL."""
from __future__ import annotations

from datetime import date
from typing import Optional

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from ...store import parse_event_id
from ...store.serialize import claim_json
from ...store.statements import page_claims
from ..deps import MAX_LIMIT, MAX_OFFSET, page, settings

router = APIRouter()


@router.get("/api/claims", tags=["reports"], summary="Claims: statements, appeals, denials, accusations")
def claims(request: Request, kind: Optional[str] = Query(None, description="denial | accusation | statement | appeal"),
           speaker: Optional[str] = None, target: Optional[str] = None,
           event: Optional[str] = Query(None, description="Only claims linked to this event (SR12)."),
           country: Optional[str] = None, admin1: Optional[str] = None,
           since: Optional[date] = None, until: Optional[date] = None,
           type: Optional[str] = None, actor: Optional[str] = None,  # noqa: A002
           limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> JSONResponse:
    """Paged in SQL; `total` counts up to COUNT_CAP matches (`total_exact` false beyond)."""
    if event is not None:
        try:
            parse_event_id(event)
        except ValueError:
            raise HTTPException(422, f"{event!r} is not an event id like SR12")
    s = settings(request)
    rows, n = page_claims(s.store, kind=kind, speaker=speaker, target=target, event=event, country=country,
                          admin1=admin1, since=since, until=until, type=type, actor=actor, limit=limit,
                          offset=offset, count=max(s.count_cap, offset + limit) + 1)
    return JSONResponse(page([claim_json(r) for r in rows], n, limit, offset, "claims", s.count_cap))
