"""The watch's web routes, a FastAPI router mounted by :func:`sitroom.serve.app.create_app`:

``GET /alerts/{name}.atom``   the Atom feed of an alert rule (its last 100 alerts)
``GET /sources``              the sources page: each source's health (server-rendered, escaped)
``GET /api/sources``          the same as JSON
``GET /api/changes?since=``   events created or changed since an ISO time (the page's "new since
                              your last visit"), newest first, with the server's time to ask from next
"""
from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any, Optional

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from ..store import event_code
from ..store import schema as S
from ..model import to_jsonable

router = APIRouter()


def _store(request: Request):
    return request.app.state.store


def _base(request: Request) -> str:
    import os
    return os.environ.get("SITROOM_BASE_URL") or str(request.base_url).rstrip("/")


@router.get("/alerts/{name}.atom", tags=["alerts"], summary="An alert rule's Atom feed",
            response_class=Response, responses={200: {"content": {"application/atom+xml": {}}}, 404: {}})
async def alert_feed(name: str, request: Request) -> Response:
    from . import alerts as A

    store = _store(request)

    def build():
        rule = A.get_rule(store, name)
        if rule is None:
            return None
        return A.atom_feed(rule, A.fired(store, rule["id"], 100), _base(request))

    body = await run_in_threadpool(build)
    if body is None:
        raise HTTPException(404, f"no alert rule named {name!r}")
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _sources(store) -> list[dict[str, Any]]:
    from .poller import status_summary
    return status_summary(store)["sources"]


@router.get("/api/sources", tags=["sources"], summary="The watched sources and their health")
async def api_sources(request: Request) -> dict[str, Any]:
    rows = await run_in_threadpool(_sources, _store(request))
    return {"sources": to_jsonable(rows)}


@router.get("/sources", include_in_schema=False)
async def sources_page(request: Request) -> HTMLResponse:
    rows = await run_in_threadpool(_sources, _store(request))
    e = html.escape
    cells = []
    for r in rows:
        fetches = ", ".join(f"{e(k)} {v}" for k, v in sorted(r["fetches"].items())) or "-"
        cells.append(
            f"<tr class=\"st-{e(r['status'])}\"><td>{e(r['name'])}</td><td>{e(r['kind'])}</td><td>{e(r['status'])}</td>"
            f"<td>{e(_t(r['last_fetch_at']))}</td><td>{e(_t(r['last_new_at']))}</td><td>{r['errors_in_row']}</td>"
            f"<td>{e(r['last_error'] or '')}</td><td>{r['articles_found']}</td><td>{fetches}</td>"
            f"<td>{r['items'].get('pending', 0)}</td></tr>")
    page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>sitroom: sources</title>"
            "<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body class=\"sources-page\">"
            "<h1>Watched sources</h1><p><a href=\"/\">dashboard</a> · <a href=\"/api/sources\">JSON</a></p>"
            "<table><thead><tr><th>source</th><th>kind</th><th>status</th><th>last fetch</th><th>last new article</th>"
            "<th>errors in a row</th><th>last error</th><th>articles found</th><th>fetches (24 h)</th><th>pending</th>"
            "</tr></thead><tbody>" + "".join(cells) + "</tbody></table>"
            + ("" if rows else "<p>No sources yet: <code>sitroom sources add NAME URL</code>.</p>")
            + "</body></html>")
    return HTMLResponse(page)


def _t(v) -> str:
    if v is None:
        return "never"
    return v.strftime("%Y-%m-%d %H:%M UTC") if isinstance(v, datetime) else str(v)


@router.get("/api/changes", tags=["events"], summary="Events created or changed since a time")
async def api_changes(request: Request, since: str = Query(..., description="ISO time, e.g. 2026-12-06T10:00:00Z"),
                      limit: int = Query(200, ge=1, le=1000),
                      min_confidence: Optional[float] = Query(None, ge=0.0, le=1.0, description=(
                          "Only events at least this likely to be real and right (as /api/events).")),
                      ) -> dict[str, Any]:
    try:
        t = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(422, f"since {since!r} is not an ISO time") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    store = _store(request)
    now = datetime.now(timezone.utc)

    def q():
        ev = S.events
        cond = [ev.c.updated_at > t]
        if min_confidence:      # what the dashboard shows: the same threshold as its event list
            cond.append(sa.or_(ev.c.confidence.is_(None), ev.c.confidence >= float(min_confidence)))
        with store.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(ev).where(*cond)).scalar_one()
            rows = conn.execute(sa.select(ev.c.id, ev.c.created_at, ev.c.updated_at, ev.c.sub_event_type,
                                          ev.c.location, ev.c.admin1, ev.c.country, ev.c.fatalities, ev.c.n_sources)
                                .where(*cond).order_by(ev.c.updated_at.desc()).limit(limit)).mappings().all()
        out = []
        for r in rows:
            created = r["created_at"] if r["created_at"].tzinfo else r["created_at"].replace(tzinfo=timezone.utc)
            out.append(dict(to_jsonable(dict(r)), id=event_code(r["id"]), new=created > t))
        return total, out

    total, rows = await run_in_threadpool(q)
    return {"since": t.isoformat(), "now": now.isoformat(), "total": total, "events": rows}
