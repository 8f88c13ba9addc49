"""Fused events: ``/api/events`` (filtered, paged by keyset, counted in SQL), ``/api/events/{id}``
(one event with its mentions and their evidence cut into segments) and ``/api/facets``."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, Optional

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from ...model import iso_day, to_jsonable
from ...store import Store, event_code, parse_event_id
from ...store import schema as S
from ...store.core import event_cursor
from ...store.listing import dumps, place_names
from ...store.serialize import event_json, mention_json
from ..deps import COUNT_CAP, MAX_LIMIT, MAX_OFFSET, Error, settings, store

router = APIRouter()


@router.get("/api/facets", tags=["events"], summary="Values to filter events by")
def facets(request: Request) -> dict[str, Any]:
    """Event and sub-event types, admin1 regions and actors with their event counts, and the
    date span of the events."""
    ev = S.events
    with store(request).engine.connect() as conn:
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
                "dates": [iso_day(lo), iso_day(hi)]}


@router.get("/api/events", tags=["events"], summary="Fused events, filtered and paged",
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
    s = settings(request)
    f = {"country": country, "admin1": admin1, "since": since, "until": until, "type": type, "actor": actor,
         "min_confidence": min_confidence}
    geo = format == "geojson" or (format is None and "application/geo+json" in request.headers.get("accept", ""))
    if not s.stored_json:
        return _events_rendered(request, s, f, limit, offset, cursor, total, geo)
    # a listing slot (Settings.listing_slots), then the page and its count on one connection, the
    # events' stamp read with the page
    with s.listing_slots, s.store.reading(assume=True):
        try:    # (id, date_lo, JSON text, geometry text): the texts the store keeps, joined as they are
            page = s.store.query_event_docs(**f, limit=limit, offset=offset, after=cursor)
        except ValueError as exc:
            raise HTTPException(422, str(exc))
        last = {"id": page[-1][0], "date_lo": page[-1][1]} if len(page) == limit else None
        meta = dumps(to_jsonable(_meta(s, f, len(page), limit, offset, cursor, total, last)))
    if geo:
        feats = ",".join(f'{{"type":"Feature","id":{dumps(event_code(i))},"geometry":{g},"properties":{b}}}'
                         for i, _d, b, g in page)
        body = '{"type":"FeatureCollection","features":[' + feats + "]," + meta[1:]
        return Response(body.encode("utf-8"), media_type="application/geo+json")
    body = meta[:-1] + ',"events":[' + ",".join(b for _i, _d, b, _g in page) + "]}"
    return Response(body.encode("utf-8"), media_type="application/json")


def _meta(s, f: dict, n_page: int, limit: int, offset: int, cursor: str | None, total: str,
          last: dict | None) -> dict[str, Any]:
    """total, total_exact, limit, offset, next_cursor of a page of ``n_page`` events (``last``:
    the row of its last event when the page is full)."""
    whole = not offset and not cursor and n_page < limit    # the page holds every match: no count
    if total == "none":
        n, exact = None, False
    elif total == "exact":
        n, exact = (n_page if whole else s.store.count_events(**f)), True
    else:
        n = n_page if whole else s.store.count_events(**f, cap=s.count_cap + 1)
        exact = n <= s.count_cap
        n = min(n, s.count_cap)
    next_cursor = event_cursor(last) if last is not None else None
    return {"total": n, "total_exact": exact, "limit": limit, "offset": offset, "next_cursor": next_cursor}


def _events_rendered(request: Request, s, f: dict, limit: int, offset: int, cursor: str | None, total: str,
                     geo: bool) -> Response:
    """``/api/events`` built from the event rows (no stored JSON): the reference the stored texts
    are checked against (``Settings.stored_json`` false)."""
    try:
        rows = s.store.query_events(**f, limit=limit, offset=offset, after=cursor)
    except ValueError as exc:
        raise HTTPException(422, str(exc))
    meta = _meta(s, f, len(rows), limit, offset, cursor, total, rows[-1] if len(rows) == limit else None)
    names = _place_names(s.store, {r["id"]: r.get("location") for r in rows})
    out = [dict(event_json(r), place_names=names.get(r["id"], [])) for r in rows]
    if geo:
        feats = [{"type": "Feature", "id": e["event_id"],
                  "geometry": ({"type": "Point", "coordinates": [e["longitude"], e["latitude"]]}
                               if e["latitude"] is not None and e["longitude"] is not None else None),
                  "properties": e} for e in out]
        return JSONResponse(to_jsonable({"type": "FeatureCollection", "features": feats, **meta}),
                            media_type="application/geo+json")
    return JSONResponse(to_jsonable({**meta, "events": out}))


def _place_names(store: Store, locations: dict[int, str | None]) -> dict[int, list[str]]:
    """event id -> its location as its sources wrote it (:func:`sitroom.store.listing.place_names`)."""
    with store.engine.connect() as conn:
        return place_names(conn, locations)


@router.get("/api/events/{event_id}", tags=["events"], summary="One fused event with its mentions and evidence",
            responses={404: {"model": Error}})
def event(request: Request, event_id: str) -> JSONResponse:
    """The event, its sources, every mention with its evidence sentences cut into ``segments``
    (the extracted fields marked: place, actors, date, number, trigger), and linked claims."""
    try:
        eid = parse_event_id(event_id)
    except ValueError:
        raise HTTPException(404, f"no event {event_id!r}")
    db = store(request)
    e = db.event(eid)
    if e is None:
        raise HTTPException(404, f"no event {event_code(eid)}")
    out = event_json(e)
    out["claims"] = e.get("claims") or []
    out["place_names"] = _place_names(db, {eid: e.get("location")}).get(eid, [])
    docs = _doc_spans(db, {m["document_id"] for m in e.get("mentions") or []})
    out["mentions"] = [_mention_out(m, docs.get(m["document_id"], ([], []))) for m in e.get("mentions") or []]
    return JSONResponse(to_jsonable(out))


def _doc_spans(store: Store, doc_pks: set[int]) -> dict[int, tuple[list, list]]:
    d = S.documents
    out: dict[int, tuple[list, list]] = {}
    if not doc_pks:
        return out
    with store.engine.connect() as conn:
        for pk, places, dates in conn.execute(sa.select(d.c.id, d.c.places, d.c.dates)
                                              .where(d.c.id.in_(sorted(doc_pks)))):
            out[pk] = (places if isinstance(places, list) else [], dates if isinstance(dates, list) else [])
    return out


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
