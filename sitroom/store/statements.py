"""Queries over what documents report besides events: figures, claims, agreements (ceasefires).

* :func:`query_figures` - tallies ("1,506 civilians killed since April 29") with their document;
* :func:`query_claims` - statements, appeals, denials and accusations, each with the fused events
  it is linked to (``denies`` / ``accuses`` / ``about``) and whether those are contested;
* :func:`ceasefires` - each agreement (the reports of one agreement grouped) with its *alleged
  violations*: violent fused events inside the agreement's area on or after its effective date,
  grouped per day.

Filters are case-insensitive, like :meth:`Store.query_events`.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa

from .. import fuse
from ..model import iso_day
from . import schema as S
from .core import event_code, parse_event_id

#: ACLED event types that break a ceasefire (Protests, Riots and Strategic developments do not).
VIOLENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians")
VIOLENT_FAMILIES = ("battle", "remote", "explosive", "civilians")
NOT_VIOLENT = ("Non-violent transfer of territory",)

_AREA_NOISE = re.compile(
    r"\b(?:the|province|governorate|region|district|city|town|area|countryside|enclave|"
    r"de-escalation|deescalation|zone|northern|southern|eastern|western|north|south|east|west|"
    r"northwest(?:ern)?|northeast(?:ern)?|southwest(?:ern)?|southeast(?:ern)?|rural|countryside)\b", re.I)


def area_names(area: str | None) -> list[str]:
    """Lower-case names an agreement's area may match in an event's place fields:
    "Idlib province" -> ["idlib province", "idlib"]."""
    if not area:
        return []
    a = " ".join(area.split()).casefold()
    out = [a]
    core = " ".join(_AREA_NOISE.sub(" ", a).replace("'s", " ").split()).strip(" ,.-")
    if core and core not in out:
        out.append(core)
    return out


def _like(col, text: str):
    return sa.func.lower(col).like(f"%{text.strip().lower()}%")


# ------------------------------------------------------------------ figures

def query_figures(store, *, kind: str | None = None, country: str | None = None,
                  admin1: str | None = None, since: date | str | None = None,
                  until: date | str | None = None, doc: str | None = None, docs: list[str] | None = None,
                  limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Figures matching every filter; since/until keep figures whose period (or, without one, the
    document's publication date) overlaps. ``docs``: only these documents (doc_ids)."""
    return page_figures(store, kind=kind, country=country, admin1=admin1, since=since, until=until, doc=doc,
                        docs=docs, limit=limit, offset=offset, count=0)[0]


def page_figures(store, *, kind: str | None = None, country: str | None = None,
                 admin1: str | None = None, since: date | str | None = None,
                 until: date | str | None = None, doc: str | None = None, docs: list[str] | None = None,
                 limit: int | None = None, offset: int = 0, count: int | None = None) -> tuple[list[dict], int]:
    """(one page of :func:`query_figures`, how many match in all). The page is read in SQL (LIMIT
    and OFFSET) or, with since/until (periods are parsed in Python), by reading figures in id
    order only until the page is full. ``count``: count matches up to this many (a bounded
    total), None for all, 0 for none."""
    f, d = S.figures, S.documents
    q = (sa.select(f, d.c.doc_id, d.c.source.label("doc_source"), d.c.published.label("doc_published"))
         .join(d, d.c.id == f.c.document_id))
    if kind:
        q = q.where(sa.func.lower(f.c.kind) == kind.strip().lower())
    if country:
        c = country.strip().lower()
        names = {c}
        if len(c) == 2:         # an ISO code: the country names events carry under it
            with store.engine.connect() as conn:
                names |= {n.lower() for n in store.country_names(conn, c)}
        q = q.where(sa.func.lower(f.c.country).in_(sorted(names)))
    if admin1:
        q = q.where(sa.func.lower(f.c.admin1) == admin1.strip().lower())
    if doc:
        q = q.where(d.c.doc_id == doc)
    if docs is not None:
        q = q.where(d.c.doc_id.in_(sorted(set(docs))))
    lo, hi = iso_day(since), iso_day(until)

    def keep(r: dict) -> bool:
        start = _first_day(r.get("period_start")) or r.get("doc_published")
        end = _last_day(r.get("period_end")) or _last_day(r.get("period_start")) or r.get("doc_published")
        if lo and (end is None or end < lo):
            return False
        return not (hi and (start is None or start > hi))
    return _page(store, q.order_by(f.c.id), f.c.id, keep if lo or hi else None, limit, offset, count)


def _page(store, q, id_col, keep, limit: int | None, offset: int, count: int | None) -> tuple[list[dict], int]:
    """Rows of ``q`` (ordered by ``id_col``) that pass ``keep`` (None: all), paged, and their number
    (bounded by ``count``). Without ``keep`` both are SQL (LIMIT/OFFSET, COUNT); with it rows are
    streamed in batches and the scan stops once the page is full and ``count`` is reached."""
    rows: list[dict[str, Any]] = []
    offset = max(0, offset or 0)
    with store.engine.connect() as conn:
        if keep is None:
            page = q.offset(offset or None)
            if limit:
                page = page.limit(limit)
            rows = [dict(r) for r in conn.execute(page).mappings()]
            if count == 0:
                return rows, offset + len(rows)
            inner = q.order_by(None).with_only_columns(id_col)
            if count is not None:
                inner = inner.limit(count)
            total = conn.execute(sa.select(sa.func.count()).select_from(inner.subquery())).scalar_one()
            return rows, int(total)
        n = 0
        want = None if limit is None else offset + limit
        if count == 0 or count is None or want is None:
            stop = want if count == 0 else None
        else:
            stop = max(want, count)
        last = None
        batch = 1000
        while True:     # keyset batches by id: memory stays one batch whatever the table's size
            b = q.where(id_col > last) if last is not None else q
            got = conn.execute(b.limit(batch)).mappings().all()
            for r in got:
                last = r[id_col.name]
                if not keep(r):
                    continue
                if n >= offset and (want is None or n < want):
                    rows.append(dict(r))
                n += 1
                if stop is not None and n >= stop:
                    return rows, n
            if len(got) < batch:
                return rows, n


def _first_day(v: Any) -> date | None:
    got = fuse.date_range(str(v), None) if v else None
    return date.fromordinal(got[0]) if got else None


def _last_day(v: Any) -> date | None:
    got = fuse.date_range(str(v), None) if v else None
    return date.fromordinal(got[1]) if got else None


# ------------------------------------------------------------------ claims

def query_claims(store, *, kind: str | None = None, speaker: str | None = None,
                 target: str | None = None, event: str | int | None = None,
                 country: str | None = None, admin1: str | None = None,
                 since: date | str | None = None, until: date | str | None = None,
                 type: str | None = None, actor: str | None = None,  # noqa: A002
                 limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Claims matching every filter, each with ``events``: the fused events it is linked to
    ({event_id, relation, contested, sub_event_type, event_date, location}). Event filters
    (event, country, admin1, type, actor) keep claims linked to a matching event; since/until use
    the claim's date, else its document's publication date."""
    return page_claims(store, kind=kind, speaker=speaker, target=target, event=event, country=country,
                       admin1=admin1, since=since, until=until, type=type, actor=actor, limit=limit,
                       offset=offset, count=0)[0]


def page_claims(store, *, kind: str | None = None, speaker: str | None = None,
                target: str | None = None, event: str | int | None = None,
                country: str | None = None, admin1: str | None = None,
                since: date | str | None = None, until: date | str | None = None,
                type: str | None = None, actor: str | None = None,  # noqa: A002
                limit: int | None = None, offset: int = 0, count: int | None = None) -> tuple[list[dict], int]:
    """(one page of :func:`query_claims`, how many match in all), as :func:`page_figures`: the
    event filters are a subquery, not a list of events read first."""
    c, d, ce = S.claims, S.documents, S.claim_events
    q = (sa.select(c, d.c.doc_id, d.c.source.label("doc_source"), d.c.published.label("doc_published"))
         .join(d, d.c.id == c.c.document_id))
    if kind:
        k = kind.strip().lower()
        k = {"denies": "denial", "deny": "denial", "accuses": "accusation", "accuse": "accusation"}.get(k, k)
        q = q.where(sa.func.lower(c.c.kind) == k)
    if speaker:
        q = q.where(_like(c.c.speaker, speaker))
    if target:
        q = q.where(_like(c.c.target, target))
    linked = []
    if event is not None:
        linked.append(ce.c.event_id == parse_event_id(event))
    if any((country, admin1, type, actor)):
        linked.append(ce.c.event_id.in_(store.event_ids_select(country=country, admin1=admin1, type=type,
                                                               actor=actor)))
    if linked:
        q = q.where(c.c.id.in_(sa.select(ce.c.claim_id).where(*linked)))
    lo, hi = iso_day(since), iso_day(until)

    def keep(r: dict) -> bool:
        when = _first_day(r.get("date")) or r.get("doc_published")
        when_hi = _last_day(r.get("date")) or r.get("doc_published")
        if lo and (when_hi is None or when_hi < lo):
            return False
        return not (hi and (when is None or when > hi))
    rows, total = _page(store, q.order_by(c.c.id), c.c.id, keep if lo or hi else None, limit, offset, count)
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        r["events"] = []
    ids = list(by_id)
    ev = S.events
    with store.engine.connect() as conn:
        for i in range(0, len(ids), 500):
            for x in conn.execute(
                    sa.select(ce.c.claim_id, ce.c.relation, ev.c.id, ev.c.contested, ev.c.sub_event_type,
                              ev.c.event_date, ev.c.location, ev.c.admin1, ev.c.country)
                    .join(ev, ev.c.id == ce.c.event_id).where(ce.c.claim_id.in_(ids[i:i + 500]))
                    .order_by(ce.c.claim_id, ev.c.id)).mappings():
                by_id[x["claim_id"]]["events"].append({
                    "event_id": event_code(x["id"]), "relation": x["relation"], "contested": bool(x["contested"]),
                    "sub_event_type": x["sub_event_type"], "event_date": x["event_date"],
                    "location": x["location"] or x["admin1"] or x["country"]})
    return rows, total


# ------------------------------------------------------------------ ceasefires

def _agreement_key(a: dict) -> tuple:
    """(family, area, start): a "truce" and a "ceasefire" of the same area and start are one
    agreement reported in two words (families in sitroom/data/agreements.yaml)."""
    from ..stages.statements import agreement_lexicon

    kind = (a.get("kind") or "").casefold()
    families = agreement_lexicon().get("families") or {}
    names = area_names(a.get("area"))
    return (families.get(kind, kind), names[-1].casefold() if names else "",
            a.get("effective_date") or a.get("agreed_date") or "")


def _join_undated(groups: dict[tuple, dict[str, Any]]) -> list[dict[str, Any]]:
    """A report with no date joins the one dated agreement of its family and area, if there is
    exactly one ("the truce" of a later report is the truce of Jan. 12)."""
    out = []
    for key, g in groups.items():
        if not key[2]:
            dated = [h for k, h in groups.items() if k[:2] == key[:2] and k[2]]
            if len(dated) == 1:
                h = dated[0]
                for p in g["parties"]:
                    if p not in h["parties"]:
                        h["parties"].append(p)
                for doc, pk in zip(g["documents"], g["_doc_pks"]):
                    if doc not in h["documents"]:
                        h["documents"].append(doc)
                        h["_doc_pks"].append(pk)
                h["status"] = h["status"] or g["status"]
                continue
        out.append(g)
    for i, g in enumerate(out, 1):
        g["agreement"] = i
    return out


def ceasefires(store, *, kind: str | None = None, area: str | None = None,
               since: date | str | None = None, until: date | str | None = None) -> list[dict[str, Any]]:
    """Agreements with their alleged violations per day.

    The reports of one agreement (same kind, area and effective date) are grouped. Its start is
    the effective date (else the date agreed). A violation is a fused event of a violent type
    (battles, explosions/remote violence, violence against civilians) whose place - admin1,
    admin2, location or country - is the agreement's area, and whose whole date range falls on
    or after the start (and on or before ``until``). Without an area, the area is the countries
    of the agreement's own document's events. ``since`` keeps agreements in effect from that day.
    """
    a, d = S.agreements, S.documents
    q = (sa.select(a, d.c.doc_id, d.c.published.label("doc_published")).join(d, d.c.id == a.c.document_id)
         .order_by(a.c.id))
    if kind:
        q = q.where(_like(a.c.kind, kind))
    if area:
        names = area_names(area)
        q = q.where(sa.or_(*[_like(a.c.area, n) for n in names[-1:]]))
    groups: dict[tuple, dict[str, Any]] = {}
    with store.engine.connect() as conn:
        for r in conn.execute(q).mappings():
            r = dict(r)
            key = _agreement_key(r)
            g = groups.get(key)
            if g is None:
                g = groups[key] = {
                    "agreement": len(groups) + 1, "kind": r["kind"], "parties": [], "agreed_date": r["agreed_date"],
                    "effective_date": r["effective_date"], "area": r["area"], "status": r["status"],
                    "documents": [], "_doc_pks": []}
            for p in r.get("parties") or []:
                if p not in g["parties"]:
                    g["parties"].append(p)
            if r["doc_id"] not in g["documents"]:
                g["documents"].append(r["doc_id"])
                g["_doc_pks"].append(r["document_id"])
            g["status"] = g["status"] or r["status"]
            g["agreed_date"] = g["agreed_date"] or r["agreed_date"]
        out = []
        for g in _join_undated(groups):
            start_s = g["effective_date"] or g["agreed_date"]
            start = _first_day(start_s)
            if since and (start is None or start < iso_day(since)):
                continue
            g["start"] = start.isoformat() if start else None
            doc_pks = g.pop("_doc_pks")
            g["area_used"], violations = _violations(conn, g, doc_pks, start, iso_day(until))
            g["n_violations"] = len(violations)
            g["fatalities"] = sum(v["fatalities"] or 0 for v in violations)
            days: dict[str, dict[str, Any]] = {}
            for v in violations:
                day = v["event_date"] or "?"
                x = days.setdefault(day, {"date": day, "n_events": 0, "fatalities": 0, "events": []})
                x["n_events"] += 1
                x["fatalities"] += v["fatalities"] or 0
                x["events"].append(v)
            g["days"] = [days[k] for k in sorted(days)]
            out.append(g)
    return out


def _violations(conn, g: dict, doc_pks: list[int], start: date | None,
                until: date | None) -> tuple[str, list[dict[str, Any]]]:
    ev = S.events
    names = area_names(g.get("area"))
    if names:
        place = sa.or_(*[sa.func.lower(col).in_(names) for col in (ev.c.admin1, ev.c.admin2, ev.c.location, ev.c.country)],
                       sa.func.lower(ev.c.country_code).in_([n for n in names if len(n) == 2]))
        used = g["area"]
    else:   # no area stated: the countries of the agreement's documents' events
        m = S.mentions
        codes = sorted({c for c in conn.execute(sa.select(m.c.country_code).where(
            m.c.document_id.in_(doc_pks), m.c.country_code.is_not(None)).distinct()).scalars() if c})
        if not codes:
            return "", []
        place = sa.func.upper(ev.c.country_code).in_(codes)
        used = ", ".join(codes)
    if start is None:
        return used, []
    q = (sa.select(ev.c.id, ev.c.event_date, ev.c.time_precision, ev.c.sub_event_type, ev.c.event_type,
                   ev.c.actor1, ev.c.actor2, ev.c.location, ev.c.admin1, ev.c.country, ev.c.fatalities,
                   ev.c.contested, ev.c.n_sources, ev.c.family)
         .where(place, ev.c.date_lo >= start,
                sa.or_(ev.c.event_type.in_(VIOLENT_TYPES), ev.c.family.in_(VIOLENT_FAMILIES)),
                sa.or_(ev.c.sub_event_type.is_(None), ev.c.sub_event_type.not_in(NOT_VIOLENT)))
         .order_by(ev.c.date_lo, ev.c.id))
    if until:
        q = q.where(ev.c.date_hi <= until)
    out = []
    for r in conn.execute(q).mappings():
        out.append({"event_id": event_code(r["id"]), "event_date": r["event_date"],
                    "time_precision": r["time_precision"], "sub_event_type": r["sub_event_type"],
                    "actor1": r["actor1"], "actor2": r["actor2"],
                    "location": r["location"] or r["admin1"] or r["country"],
                    "fatalities": r["fatalities"], "contested": bool(r["contested"]), "n_sources": r["n_sources"]})
    return used, out
