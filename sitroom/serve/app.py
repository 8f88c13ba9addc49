"""The dashboard and its JSON API: ``create_app(db, token)`` returns a FastAPI application.

Read endpoints are open (the server binds to 127.0.0.1 unless told otherwise); the one write,
``POST /api/documents``, needs ``Authorization: Bearer <SITROOM_TOKEN>`` and is refused (403)
whenever no token is configured. Everything the page shows from articles is untrusted: the page
only ever renders it with ``textContent`` (see ``static/app.js``), and the Content-Security-Policy
sent with every response allows scripts from this server only, none inline.
"""
from __future__ import annotations

import hmac
import mimetypes
import os
import re
import threading
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any, Literal, Optional
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError

from ..store import Store, event_code, parse_event_id
from ..store.core import event_cursor
from ..store import schema as S
from ..store.export import _jsonable, event_json, mention_json

STATIC = Path(__file__).resolve().parent / "static"
#: OpenStreetMap's standard tiles; ``SITROOM_TILES`` (or ``tile_url=``) replaces them, "off" disables.
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
MAX_BODY = 1_000_000          # bytes accepted by POST /api/documents
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000    # deeper pages: the `cursor` of /api/events
#: ``total`` of a page counts matches up to this many (``total_exact`` false beyond; /api/events
#: ``total=exact`` counts them all). The dashboard loads at most this many events.
COUNT_CAP = 10_000
#: /api/report reads at most this many events (422 beyond, asking for filters).
REPORT_MAX_EVENTS = 5_000

mimetypes.add_type("application/geo+json", ".geojson")


class DocumentIn(BaseModel):
    """A document to extract and store."""
    text: str = Field(..., min_length=1, description="The article text (plain text).")
    title: Optional[str] = Field(None, max_length=2000)
    url: Optional[str] = Field(None, max_length=4000)
    source: Optional[str] = Field(None, max_length=512, description="Outlet or site name.")
    published: Optional[date] = Field(None, description="Publication date, YYYY-MM-DD.")
    id: Optional[str] = Field(None, max_length=512, description="Document id (default: api:<content hash>).")


class _Error(BaseModel):
    detail: str


def _csp(tile_url: str | None) -> str:
    img = ["'self'", "data:"]
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme in ("http", "https") and parts.netloc:
            host = parts.netloc
            img.append(f"{parts.scheme}://{host}")
            if "{s}" in tile_url:     # a, b, c sub-domains
                img.append(f"{parts.scheme}://*.{host.split('.', 1)[1]}")
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {' '.join(img)}; connect-src 'self'; font-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _day(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def create_app(db: str | None = None, token: str | None = None, *, store: Store | None = None,
               tile_url: str | None = None, max_body: int = MAX_BODY, allowed_hosts: list[str] | None = None,
               read_token: str | None = None, read_only: bool | None = None,
               cors_origins: list[str] | None = None) -> FastAPI:
    """The dashboard + API over the database ``db`` (or an open ``store``).

    ``token`` (default: ``SITROOM_TOKEN``) guards ``POST /api/documents``; with none, writes are
    refused. ``tile_url`` (default: ``SITROOM_TILES`` or OpenStreetMap; "off" for none) is the
    base map; the outlines shipped with the package are always drawn beneath it. ``allowed_hosts``,
    ``read_token``, ``read_only`` and ``cors_origins`` (defaults: ``SITROOM_ALLOWED_HOSTS``,
    ``SITROOM_READ_TOKEN``, ``SITROOM_READ_ONLY``, ``SITROOM_CORS_ORIGINS``) configure the guard
    in front of every route (:mod:`sitroom.serve.guard`): localhost Host names only, no token
    for reading, writes allowed, no cross-origin reads."""
    if token is None:
        token = os.environ.get("SITROOM_TOKEN")
    token = token or None           # "" is no token: writes refused
    if tile_url is None:
        tile_url = os.environ.get("SITROOM_TILES") or OSM_TILES
    if tile_url.strip().lower() in ("off", "none", ""):
        tile_url = None
    own_store = store is None
    store = store or Store.open(db)
    csp = _csp(tile_url)
    state: dict[str, Any] = {"pipeline": None}
    pipeline_lock = threading.Lock()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        if own_store:
            store.close()

    app = FastAPI(
        title="sitroom", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
        openapi_url="/openapi.json",
        description="Fused, geocoded, source-attributed conflict events. Human-readable docs: /docs. "
                    "All text fields come from articles: untrusted, escape them.")
    app.state.store = store

    from .guard import add_guard
    read_only = add_guard(app, csp=csp, token=token, max_body=max_body, allowed_hosts=allowed_hosts,
                          read_token=read_token, read_only=read_only, cors_origins=cors_origins)

    # ------------------------------------------------------------------ pages

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC / "docs.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    from ..watch.web import router as watch_router; app.include_router(watch_router)  # noqa: E702

    # ------------------------------------------------------------------ events

    def _filters(country, admin1, since, until, type_, actor) -> dict[str, Any]:
        return {"country": country, "admin1": admin1, "since": since, "until": until, "type": type_, "actor": actor}

    @app.get("/api/config", tags=["meta"], summary="What the page needs: base map, counts")
    def config() -> dict[str, Any]:
        from ..stages.calibration import default_threshold

        return {"tiles": {"url": tile_url, "attribution": OSM_ATTRIBUTION if tile_url == OSM_TILES else ""},
                "outlines": {"countries": "/static/vendor/outlines/countries.geojson",
                             "admin1": "/static/vendor/outlines/admin1.geojson"},
                "writes": token is not None and not read_only, "counts": store.counts(), "max_limit": MAX_LIMIT,
                "min_confidence": default_threshold()}

    @app.get("/api/facets", tags=["events"], summary="Values to filter events by")
    def facets() -> dict[str, Any]:
        """Event and sub-event types, admin1 regions and actors with their event counts, and the
        date span of the events."""
        ev = S.events
        with store.engine.connect() as conn:
            def grouped(*cols, top: int = 500) -> list[dict[str, Any]]:
                n = sa.func.count().label("n")
                rows = conn.execute(sa.select(*cols, n).where(cols[0].is_not(None)).group_by(*cols)
                                    .order_by(n.desc(), cols[0]).limit(top)).all()
                return [dict(zip([c.name for c in cols] + ["n"], r)) for r in rows]
            actors: dict[str, int] = {}
            for col in (ev.c.actor1, ev.c.actor2, ev.c.assoc_actor_1):
                for r in grouped(col, top=2000):
                    actors[r[col.name]] = actors.get(r[col.name], 0) + r["n"]
            lo, hi = conn.execute(sa.select(sa.func.min(ev.c.date_lo), sa.func.max(ev.c.date_hi))).one()
            return {"event_types": grouped(ev.c.event_type), "sub_event_types": grouped(ev.c.sub_event_type),
                    "admin1": grouped(ev.c.admin1, ev.c.country), "countries": grouped(ev.c.country, ev.c.country_code),
                    "actors": [{"actor": a, "n": n} for a, n in sorted(actors.items(), key=lambda x: (-x[1], x[0]))][:500],
                    "dates": [_day(lo), _day(hi)]}

    @app.get("/api/events", tags=["events"], summary="Fused events, filtered and paged",
             responses={200: {"content": {"application/geo+json": {}},
                              "description": "JSON {total, limit, offset, events}, or a GeoJSON FeatureCollection "
                                             "with `Accept: application/geo+json` or `format=geojson`."}})
    def events(request: Request,
               country: Optional[str] = Query(None, description="ISO code (SY) or country name."),
               admin1: Optional[str] = Query(None, description="First-level region, e.g. Idlib."),
               since: Optional[date] = Query(None, description="Events on or after this date (YYYY-MM-DD)."),
               until: Optional[date] = Query(None, description="Events on or before this date (YYYY-MM-DD)."),
               type: Optional[str] = Query(None, description='Sub-event or event type, e.g. "Air/drone strike".'),  # noqa: A002
               actor: Optional[str] = Query(None, description="Actor name or part of it, e.g. Russia."),
               min_confidence: Optional[float] = Query(None, ge=0.0, le=1.0, description=(
                   "Only events at least this likely to be real and right (the dashboard asks for "
                   "`min_confidence` of /api/config; none: every event).")),
               limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET),
               cursor: Optional[str] = Query(None, max_length=40, description=(
                   "Keyset paging: the `next_cursor` of the previous page; the page starts after it "
                   "(cost independent of depth, unlike `offset`).")),
               total: Literal["bounded", "exact", "none"] = Query("bounded", description=(
                   f"`bounded` (default): `total` counts matches up to {COUNT_CAP:,} (`total_exact` false "
                   "beyond); `exact`: counts them all (slower on large databases); `none`: no count.")),
               format: Optional[Literal["json", "geojson"]] = Query(None, description="Overrides the Accept header."),  # noqa: A002
               ) -> Response:
        f = _filters(country, admin1, since, until, type, actor)
        f["min_confidence"] = min_confidence
        try:
            rows = store.query_events(**f, limit=limit, offset=offset, after=cursor)
        except ValueError as exc:
            raise HTTPException(422, str(exc))
        if total == "none":
            n, exact = None, False
        elif total == "exact":
            n, exact = store.count_events(**f), True
        else:
            n = store.count_events(**f, cap=COUNT_CAP + 1)
            exact = n <= COUNT_CAP
            n = min(n, COUNT_CAP)
        next_cursor = event_cursor(rows[-1]) if len(rows) == limit else None
        names = _place_names({r["id"]: r.get("location") for r in rows})
        out = [dict(event_json(r), place_names=names.get(r["id"], [])) for r in rows]
        meta = {"total": n, "total_exact": exact, "limit": limit, "offset": offset, "next_cursor": next_cursor}
        geo = format == "geojson" or (format is None and "application/geo+json" in request.headers.get("accept", ""))
        if geo:
            feats = [{"type": "Feature", "id": e["event_id"],
                      "geometry": ({"type": "Point", "coordinates": [e["longitude"], e["latitude"]]}
                                   if e["latitude"] is not None and e["longitude"] is not None else None),
                      "properties": e} for e in out]
            return JSONResponse(_jsonable({"type": "FeatureCollection", "features": feats, **meta}),
                                media_type="application/geo+json")
        return JSONResponse(_jsonable({**meta, "events": out}))

    def _place_names(locations: dict[int, str | None]) -> dict[int, list[str]]:
        """event id -> its location as its sources wrote it ("Maarat al-Numan" for the gazetteer's
        "Maarrat an Numan"): the text of the location spans of the mentions placed there."""
        out: dict[int, list[str]] = {}
        m = S.mentions
        ids = sorted(locations)
        span_text = m.c.evidence["location_evidence"]["text"].as_string()   # not the whole evidence
        with store.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                for eid, loc, text in conn.execute(sa.select(m.c.event_id, m.c.location, span_text)
                                                   .where(m.c.event_id.in_(ids[i:i + 500])).order_by(m.c.id)):
                    if (loc or "").casefold() != (locations.get(eid) or "").casefold():
                        continue
                    t = " ".join(str(text or "").split())
                    if t and t not in out.setdefault(eid, []):
                        out[eid].append(t)
        return out

    @app.get("/api/events/{event_id}", tags=["events"], summary="One fused event with its mentions and evidence",
             responses={404: {"model": _Error}})
    def event(event_id: str) -> JSONResponse:
        """The event, its sources, every mention with its evidence sentences cut into ``segments``
        (the extracted fields marked: place, actors, date, number, trigger), and linked claims."""
        try:
            eid = parse_event_id(event_id)
        except ValueError:
            raise HTTPException(404, f"no event {event_id!r}")
        e = store.event(eid)
        if e is None:
            raise HTTPException(404, f"no event {event_code(eid)}")
        out = event_json(e)
        out["claims"] = e.get("claims") or []
        out["place_names"] = _place_names({eid: e.get("location")}).get(eid, [])
        docs = _doc_spans({m["document_id"] for m in e.get("mentions") or []})
        out["mentions"] = [_mention_out(m, docs.get(m["document_id"], ([], []))) for m in e.get("mentions") or []]
        return JSONResponse(_jsonable(out))

    def _doc_spans(doc_pks: set[int]) -> dict[int, tuple[list, list]]:
        d = S.documents
        out: dict[int, tuple[list, list]] = {}
        if not doc_pks:
            return out
        with store.engine.connect() as conn:
            for pk, places, dates in conn.execute(sa.select(d.c.id, d.c.places, d.c.dates)
                                                  .where(d.c.id.in_(sorted(doc_pks)))):
                out[pk] = (places if isinstance(places, list) else [], dates if isinstance(dates, list) else [])
        return out

    # ------------------------------------------------------------------ reports

    def _page(rows: list, limit: int, offset: int, key: str) -> dict[str, Any]:
        return _jsonable({"total": len(rows), "limit": limit, "offset": offset, key: rows[offset:offset + limit]})

    def _sql_page(rows: list, n: int, limit: int, offset: int, key: str) -> dict[str, Any]:
        exact = n <= COUNT_CAP
        return _jsonable({"total": min(n, COUNT_CAP), "total_exact": exact, "limit": limit, "offset": offset,
                          key: rows})

    @app.get("/api/figures", tags=["reports"], summary="Figures (tallies) the documents report")
    def figures(kind: Optional[str] = Query(None, description="killed, injured, displaced, ..."),
                country: Optional[str] = None, admin1: Optional[str] = None,
                since: Optional[date] = None, until: Optional[date] = None,
                doc: Optional[str] = Query(None, description="Only this document (its doc_id)."),
                limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> JSONResponse:
        """Paged in SQL; `total` counts up to COUNT_CAP matches (`total_exact` false beyond)."""
        from ..store.command import _figure_json
        from ..store.statements import page_figures
        rows, n = page_figures(store, kind=kind, country=country, admin1=admin1, since=since, until=until, doc=doc,
                               limit=limit, offset=offset, count=max(COUNT_CAP, offset + limit) + 1)
        return JSONResponse(_sql_page([_figure_json(r) for r in rows], n, limit, offset, "figures"))

    @app.get("/api/claims", tags=["reports"], summary="Claims: statements, appeals, denials, accusations")
    def claims(kind: Optional[str] = Query(None, description="denial | accusation | statement | appeal"),
               speaker: Optional[str] = None, target: Optional[str] = None,
               event: Optional[str] = Query(None, description="Only claims linked to this event (SR12)."),
               country: Optional[str] = None, admin1: Optional[str] = None,
               since: Optional[date] = None, until: Optional[date] = None,
               type: Optional[str] = None, actor: Optional[str] = None,  # noqa: A002
               limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> JSONResponse:
        """Paged in SQL; `total` counts up to COUNT_CAP matches (`total_exact` false beyond)."""
        from ..store.command import _claim_json
        from ..store.statements import page_claims
        if event is not None:
            try:
                parse_event_id(event)
            except ValueError:
                raise HTTPException(422, f"{event!r} is not an event id like SR12")
        rows, n = page_claims(store, kind=kind, speaker=speaker, target=target, event=event, country=country,
                              admin1=admin1, since=since, until=until, type=type, actor=actor, limit=limit,
                              offset=offset, count=max(COUNT_CAP, offset + limit) + 1)
        return JSONResponse(_sql_page([_claim_json(r) for r in rows], n, limit, offset, "claims"))

    @app.get("/api/agreements", tags=["reports"], summary="Ceasefires and other agreements with alleged violations")
    def agreements(kind: Optional[str] = Query(None, description="ceasefire, truce, ... (part of it)"),
                   area: Optional[str] = Query(None, description="Agreements covering this area, e.g. Idlib."),
                   since: Optional[date] = None, until: Optional[date] = None,
                   limit: int = Query(100, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0)) -> JSONResponse:
        rows = store.ceasefires(kind=kind, area=area, since=since, until=until)
        return JSONResponse(_page(rows, limit, offset, "agreements"))

    @app.get("/api/report", tags=["reports"], summary="The situation report as JSON",
             responses={422: {"model": _Error}, 503: {"model": _Error}})
    def report(country: Optional[str] = None, admin1: Optional[str] = None,
               since: Optional[date] = None, until: Optional[date] = None,
               min_confidence: Optional[float] = Query(None, ge=0.0, le=1.0)) -> JSONResponse:
        try:
            from ..report.data import build_report
        except ImportError as exc:
            raise HTTPException(503, f"the report module is not available: {exc}")
        n = store.count_events(country=country, admin1=admin1, since=since, until=until,
                               min_confidence=min_confidence, cap=REPORT_MAX_EVENTS + 1)
        if n > REPORT_MAX_EVENTS:       # bounded time and memory: ask for filters instead
            raise HTTPException(422, f"more than {REPORT_MAX_EVENTS:,} events match: narrow the report with "
                                     "country, admin1, since and until (or run `sitroom report` for a large one)")
        return JSONResponse(_jsonable(build_report(store, country=country, admin1=admin1, since=since, until=until,
                                                   min_confidence=min_confidence)))

    # ------------------------------------------------------------------ writes

    def _check_token(request: Request) -> None:
        if not token:
            raise HTTPException(403, "writes are disabled: the server has no SITROOM_TOKEN")
        auth = request.headers.get("authorization") or ""
        scheme, _, given = auth.partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
        if not ok:
            raise HTTPException(401, "a valid bearer token is needed", headers={"WWW-Authenticate": "Bearer"})

    @app.post("/api/documents", tags=["documents"], status_code=201,
              summary="Extract events from a document and store them (bearer token)",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": DocumentIn.model_json_schema()}}}},
              responses={200: {"description": "Already stored (same content): nothing changed."},
                         401: {"model": _Error}, 403: {"model": _Error}, 413: {"model": _Error},
                         422: {"description": "Not a valid document."}})
    async def post_document(request: Request) -> JSONResponse:
        _check_token(request)
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_body:
            raise HTTPException(413, f"the body is larger than {max_body} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body:
                raise HTTPException(413, f"the body is larger than {max_body} bytes")
        try:
            doc_in = DocumentIn.model_validate_json(bytes(body))
        except ValidationError as exc:
            return JSONResponse({"detail": _jsonable(exc.errors(include_url=False, include_context=False,
                                                                include_input=False))}, status_code=422)
        if not doc_in.text.strip():
            raise HTTPException(422, "the text is empty")
        return await run_in_threadpool(_ingest, doc_in)

    def _ingest(doc_in: DocumentIn) -> JSONResponse:
        from ..ingest import document_from_text
        from ..model import content_hash

        doc_id = doc_in.id or f"api:{content_hash(doc_in.text)[:16]}"
        doc = document_from_text(doc_in.text, doc_id=doc_id, published=doc_in.published, title=doc_in.title,
                                 source=doc_in.source, url=doc_in.url)
        with pipeline_lock:
            if state["pipeline"] is None:
                from ..pipeline import Pipeline
                state["pipeline"] = Pipeline()
            res = next(iter(state["pipeline"].run([doc], batch_size=1)))
        if "error" in res:
            return JSONResponse({"detail": f"not extracted: {res['error']}", "doc_id": doc_id}, status_code=422)
        status = store.ingest_result(res)
        if status == "error":
            return JSONResponse({"detail": "not stored", "doc_id": doc_id}, status_code=500)
        d, m = S.documents, S.mentions
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(d.c.id, d.c.doc_id).where(d.c.content_hash == res["content_hash"])).first()
            ids = sorted(set(conn.execute(sa.select(m.c.event_id).where(m.c.document_id == row.id)).scalars())) if row else []
        return JSONResponse({"doc_id": row.doc_id if row else doc_id, "status": status,
                             "content_hash": res["content_hash"], "events": [event_code(i) for i in ids]},
                            status_code=201 if status == "added" else 200)

    return app


# ---------------------------------------------------------------------- evidence segments

#: field -> how the page labels it; fields extracted for the event win over other spans.
FIELD_SPANS = (("location_evidence", "place"), ("actor1_evidence", "actor"), ("actor2_evidence", "actor"),
               ("date_evidence", "date"), ("fatalities_evidence", "number"))


def _mention_out(m: dict, doc_spans: tuple[list, list]) -> dict[str, Any]:
    """A mention for the page: ``mention_json`` plus, per evidence sentence, ``segments``: the
    sentence cut into plain text and marked spans ({text, field, value})."""
    out = mention_json(m)
    ev = m.get("evidence") or {}
    marks: list[dict[str, Any]] = []
    fields: list[dict[str, Any]] = []
    for key, label in FIELD_SPANS:
        sp = ev.get(key)
        if isinstance(sp, dict) and isinstance(sp.get("start"), int) and isinstance(sp.get("end"), int):
            name = key[:-len("_evidence")]
            value = ev.get(name) if name != "date" else ev.get("event_date")
            value = ev.get("fatalities") if name == "fatalities" else value
            f = {"field": name, "kind": label, "start": sp["start"], "end": sp["end"], "text": sp.get("text") or "",
                 "value": value, "priority": 3}
            marks.append(f)
            fields.append({k: f[k] for k in ("field", "kind", "text", "value")})
    places, dates = doc_spans
    for p in places:
        if isinstance(p, dict) and isinstance(p.get("start"), int) and isinstance(p.get("end"), int):
            where = ", ".join(dict.fromkeys(str(x) for x in (p.get("name"), p.get("admin1"), p.get("country")) if x))
            marks.append({"field": "place", "kind": "place", "start": p["start"], "end": p["end"],
                          "text": p.get("text") or "", "value": where or None, "priority": 1})
    for d in dates:
        if isinstance(d, dict) and isinstance(d.get("start"), int) and isinstance(d.get("end"), int):
            marks.append({"field": "date", "kind": "date", "start": d["start"], "end": d["end"],
                          "text": d.get("text") or "", "value": d.get("value"), "priority": 1})
    trigger = ev.get("trigger")
    evidence = []
    for sp in ev.get("evidence") or []:
        if not isinstance(sp, dict):
            continue
        text = str(sp.get("text") or "")
        start = sp.get("start") if isinstance(sp.get("start"), int) else None
        inside = []
        if start is not None:
            for mk in marks:
                a, b = mk["start"] - start, mk["end"] - start
                if 0 <= a < b <= len(text) and text[a:b] == mk["text"]:
                    inside.append(dict(mk, a=a, b=b))
        if trigger:
            hit = re.search(r"(?<!\w)" + re.escape(str(trigger)) + r"(?!\w)", text, re.I)
            if hit:
                inside.append({"field": "trigger", "kind": "trigger", "a": hit.start(), "b": hit.end(),
                               "value": ev.get("sub_event_type"), "priority": 2})
        evidence.append({"start": start, "end": sp.get("end"), "text": text, "segments": _segments(text, inside)})
    out["evidence"] = evidence
    out["fields"] = fields
    out["trigger"] = trigger
    out["event_type"] = m.get("event_type")
    return out


def _segments(text: str, marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``text`` as consecutive segments; marked ones carry ``field``/``kind``/``value``. Where marks
    overlap, the event's own fields win over other places and dates, then the longer span."""
    chosen: list[dict[str, Any]] = []
    for mk in sorted(marks, key=lambda x: (-x["priority"], -(x["b"] - x["a"]), x["a"])):
        if all(mk["b"] <= c["a"] or mk["a"] >= c["b"] for c in chosen):
            chosen.append(mk)
    chosen.sort(key=lambda x: x["a"])
    segs: list[dict[str, Any]] = []
    pos = 0
    for mk in chosen:
        if mk["a"] > pos:
            segs.append({"text": text[pos:mk["a"]]})
        segs.append({"text": text[mk["a"]:mk["b"]], "field": mk["field"], "kind": mk["kind"],
                     "value": None if mk.get("value") is None else str(mk["value"])})
        pos = mk["b"]
    if pos < len(text):
        segs.append({"text": text[pos:]})
    return segs
