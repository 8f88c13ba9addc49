"""The situation report as data: :func:`build_report` -> a plain, JSON-serialisable dict.

This is the layer the dashboard serves as ``/api/report`` and the one every renderer (HTML,
Markdown, PDF) draws from; its keys are a contract: added to, never renamed.

Shape (``REPORT_SCHEMA``)::

    schema, title, generated_at, filters {country, admin1, since, until},
    period {since, until, first_event, last_event},
    counts {events, events_with_fatalities, documents, sources, fatalities {low, high, best},
            civilian_fatalities, contested_events, figures, contested_claims, agreements},
    key_figures [{kind, label, figures [{id, kind, value, low, high, qualifier, unit, period_start,
                  period_end, place, attributed_to, verified, un_attributed, status, breakdown
                  [{key, value, evidence}], doc_id, source_id, published, value_evidence, evidence}]}],
    contested {events [event ids], claims [{id, kind, speaker, speaker_role, date, text, target,
               doc_id, source_id, published, linked, evidence, events [{event_id, relation,
               event_date, sub_event_type, location, fatalities, contested}]}]},
    events [{id, date, date_lo, date_hi, time_precision, event_type, sub_event_type, location,
             admin1, admin2, country, country_code, latitude, longitude, geo_precision,
             fatalities, fatalities_low, fatalities_high, civilian_fatalities, injured, actor1,
             assoc_actor_1, actor2, actors, contested, disputed_by, n_sources, notes,
             evidence_text, documents, sources [...], evidence, fatalities_evidence}],
    timeline {start, end, types, days [{date, total, approximate, by_type {type: n}}], undated,
              outside},
    agreements [{id, kind, parties, agreed_date, effective_date, start, area, status, documents,
                 evidence, n_violations, fatalities, days [{date, n_events, fatalities, events}]}],
    sources [{id, doc_id, title, source, url, published, n_events, roles}],
    evidence [{id, doc_id, source_id, start, end, text, context {start, end, text} | null, refs}]

Every number a renderer shows has an evidence list next to it (ids into ``evidence``): a
figure's ``value_evidence`` (the number's own span, with its sentence as context) and
``evidence``; an event's ``fatalities_evidence`` (each source's count span) and ``evidence``
(its sentences); a breakdown entry's ``evidence``; a claim's ``evidence``. Totals (``counts``,
``timeline``, agreement violations) are sums over the listed events, whose ids they name.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

import sqlalchemy as sa

from ..store import schema as S
from ..store.core import event_code
from ..store.statements import _agreement_key, area_names

REPORT_SCHEMA = "sitroom.report/1"

#: Figure kinds in the order a report shows them; other kinds follow alphabetically.
KIND_ORDER = ("killed", "injured", "displaced", "trapped", "missing", "detained", "besieged",
              "affected", "destroyed", "damaged")
KIND_LABELS = {"killed": "Killed", "injured": "Injured", "displaced": "Displaced", "trapped": "Trapped",
               "missing": "Missing", "detained": "Detained", "besieged": "Besieged", "affected": "Affected",
               "destroyed": "Destroyed", "damaged": "Damaged"}
#: Breakdown keys shown as "of them ..." under a figure, in this order.
BREAKDOWN_ORDER = ("civilians", "women", "children", "men", "elderly", "combatants", "fighters",
                   "soldiers", "rebels", "medical", "journalists")

#: Attributions that count as the UN system or an international monitor.
UN_RE = re.compile(r"\b(?:U\.?\s?N\.?|United Nations|OCHA|UNHCR|UNICEF|WHO|World Health Organi[sz]ation|"
                   r"OHCHR|Office for the Coordination|High Commissioner|Security Council|"
                   r"Commission of Inquiry|ICRC|Red Cross|IOM|WFP)\b", re.I)

_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(value: Any, what: str = "date") -> date | None:
    """A date from a date, datetime or ISO string (``YYYY-MM-DD``); ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value).strip()
    try:
        return date.fromisoformat(s[:10]) if _DAY_RE.match(s[:10]) else date.fromisoformat(s)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a date in YYYY-MM-DD form") from None


def _iso(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _iso(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_iso(x) for x in v]
    return v


def _join(*parts: Any) -> str:
    out: list[str] = []
    for p in parts:
        if p and str(p) not in out:
            out.append(str(p))
    return ", ".join(out)


# ------------------------------------------------------------------ evidence registry

class Evidence:
    """Evidence spans, deduplicated by (document, start, end), numbered E1, E2 ... in first-use order."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._by_key: dict[tuple, dict[str, Any]] = {}

    def add(self, span: Any, ref: str, *, doc_id: str | None = None,
            context: Iterable[Any] = ()) -> str | None:
        """Register ``span`` ({start, end, text, doc_id}) as evidence for ``ref``; returns its id.
        ``context``: spans (sentences) one of which may contain it, shown around a short span."""
        if not isinstance(span, dict) or not span.get("text"):
            return None
        doc = span.get("doc_id") or doc_id
        start, end = span.get("start"), span.get("end")
        key = (doc, start, end, None if start is not None else span.get("text"))
        item = self._by_key.get(key)
        if item is None:
            item = {"id": f"E{len(self.items) + 1}", "doc_id": doc, "source_id": None, "start": start,
                    "end": end, "text": str(span.get("text")), "context": None, "refs": []}
            self.items.append(item)
            self._by_key[key] = item
        if item["context"] is None and isinstance(start, int) and isinstance(end, int):
            for c in context:
                if (isinstance(c, dict) and (c.get("doc_id") or doc_id) == doc
                        and isinstance(c.get("start"), int) and isinstance(c.get("end"), int)
                        and c["start"] <= start and end <= c["end"] and (c["end"] - c["start"]) > (end - start)):
                    item["context"] = {"start": c["start"], "end": c["end"], "text": str(c.get("text") or "")}
                    break
        if ref not in item["refs"]:
            item["refs"].append(ref)
        return item["id"]

    def add_all(self, spans: Iterable[Any], ref: str, *, doc_id: str | None = None,
                context: Iterable[Any] = ()) -> list[str]:
        ctx = list(context)
        out: list[str] = []
        for s in spans or ():
            i = self.add(s, ref, doc_id=doc_id, context=ctx)
            if i and i not in out:
                out.append(i)
        return out


def _spans(v: Any) -> list[dict]:
    if isinstance(v, dict):
        return [v]
    if isinstance(v, list):
        return [x for x in v if isinstance(x, dict)]
    return []


def _number_span(sentence: dict, value: int, near: str | None = None) -> dict | None:
    """The span of ``value`` (as written: 293, 1,506, 1 506) inside ``sentence``, preferring the
    occurrence closest to the word ``near``."""
    text = sentence.get("text") or ""
    start = sentence.get("start")
    if not isinstance(start, int) or value is None:
        return None
    digits = str(abs(int(value)))
    groups = []
    s = digits
    while len(s) > 3:
        groups.insert(0, s[-3:])
        s = s[:-3]
    groups.insert(0, s)
    pat = "(?:" + "|".join(re.escape(sep.join(groups)) for sep in ("", ",", " ", ".", "\u202f", "\u00a0")) + ")"
    hits = list(re.finditer(rf"(?<![\d,.]){pat}(?![\d]|,\d)", text))
    if not hits:
        return None
    if near and len(hits) > 1:
        w = [m.start() for m in re.finditer(re.escape(near[:5]), text, re.I)]
        if w:
            hits.sort(key=lambda m: min(abs(m.start() - x) for x in w))
    m = hits[0]
    return {"start": start + m.start(), "end": start + m.end(), "text": m.group(0),
            "doc_id": sentence.get("doc_id")}


# ------------------------------------------------------------------ the report

def build_report(store, *, country: str | None = None, admin1: str | None = None,
                 since: date | str | None = None, until: date | str | None = None,
                 min_confidence: float | None = None) -> dict[str, Any]:
    """The situation report for the events matching the filters, as a JSON-serialisable dict.

    ``store`` is an open :class:`sitroom.store.Store`. Filters are those of ``sitroom events``
    (country: ISO code or name; admin1: first-level region; since/until: ``date`` or
    ``YYYY-MM-DD``, events whose date range overlaps). Raises ValueError for a bad date or a
    ``since`` after ``until``. Events below ``min_confidence`` (default: the calibrated
    threshold, :func:`sitroom.stages.calibration.default_threshold`) are left out."""
    lo, hi = _day(since, "since"), _day(until, "until")
    if lo and hi and lo > hi:
        raise ValueError(f"since {lo.isoformat()} is after until {hi.isoformat()}")
    country = (country or "").strip() or None
    admin1 = (admin1 or "").strip() or None
    ev = Evidence()

    if min_confidence is None:
        from ..stages.calibration import default_threshold
        min_confidence = default_threshold()
    rows = list(store.iter_events(with_mentions=True, country=country, admin1=admin1, since=lo, until=hi,
                                  min_confidence=min_confidence))
    events = [_event(r, ev) for r in rows]
    by_code = {e["id"]: e for e in events}
    scope_docs = {d for e in events for d in e["documents"]}

    key_figures, n_figures, fig_docs = _figures(store, ev, country, admin1, lo, hi, scope_docs)
    contested = _contested(store, ev, [r["id"] for r in rows], by_code, scope_docs, lo, hi)
    agreements = _agreements(store, ev, country, admin1, lo, hi, events, scope_docs, min_confidence)
    timeline = _timeline(events, lo, hi)

    # sources: every document the report quotes
    used: dict[str, set[str]] = {}
    for e in events:
        for d in e["documents"]:
            used.setdefault(d, set()).add("events")
    for d in fig_docs:
        used.setdefault(d, set()).add("figures")
    for c in contested["claims"]:
        used.setdefault(c["doc_id"], set()).add("claims")
    for a in agreements:
        for d in a["documents"]:
            used.setdefault(d, set()).add("agreements")
    sources = _sources(store, used, events)
    sid = {s["doc_id"]: s["id"] for s in sources}
    for item in ev.items:
        item["source_id"] = sid.get(item["doc_id"])
    for group in key_figures:
        for f in group["figures"]:
            f["source_id"] = sid.get(f["doc_id"])
    for c in contested["claims"]:
        c["source_id"] = sid.get(c["doc_id"])

    def tot(key: str) -> int:
        return sum(e[key] or 0 for e in events if e[key] is not None)

    lows = [e["fatalities_low"] if e["fatalities_low"] is not None else e["fatalities"] for e in events]
    highs = [e["fatalities_high"] if e["fatalities_high"] is not None else e["fatalities"] for e in events]
    counts = {
        "events": len(events),
        "events_with_fatalities": sum(1 for e in events if e["fatalities"] is not None),
        "documents": len(sources),
        "sources": len({s["source"] or s["doc_id"] for s in sources}),
        "fatalities": {"low": sum(x for x in lows if x is not None), "high": sum(x for x in highs if x is not None),
                       "best": tot("fatalities")},
        "civilian_fatalities": tot("civilian_fatalities"),
        "contested_events": len(contested["events"]),
        "figures": n_figures,
        "contested_claims": len(contested["claims"]),
        "agreements": len(agreements),
    }
    dates_lo = dates_hi = sorted(str(e["date"])[:10] for e in events if e.get("date"))
    report = {
        "schema": REPORT_SCHEMA,
        "title": _title(country, admin1, events, lo, hi),
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "filters": {"country": country, "admin1": admin1, "since": lo, "until": hi},
        "period": {"since": lo, "until": hi, "first_event": min(dates_lo) if dates_lo else None,
                   "last_event": max(dates_hi) if dates_hi else None},
        "counts": counts,
        "key_figures": key_figures,
        "contested": contested,
        "events": events,
        "timeline": timeline,
        "agreements": agreements,
        "sources": sources,
        "evidence": ev.items,
    }
    return _iso(report)


def _title(country, admin1, events, lo, hi) -> str:
    where = admin1 or ""
    if country:
        names = {e["country"] for e in events if e.get("country")}
        cname = next(iter(names)) if len(names) == 1 else country
        where = _join(where, cname)
    when = ""
    if lo or hi:
        when = f"{lo.isoformat() if lo else '…'} to {hi.isoformat() if hi else '…'}"
    return "Situation report" + (f": {where}" if where else "") + (f", {when}" if when else "")


# ------------------------------------------------------------------ events

def _event(r: dict, ev: Evidence) -> dict[str, Any]:
    code = event_code(r["id"])
    sentences: list[str] = []
    fat_ev: list[str] = []
    texts: list[str] = []
    for m in r.get("mentions") or []:
        x = m.get("evidence") or {}
        doc = m.get("doc_id")
        sents = _spans(x.get("evidence"))
        for i in ev.add_all(sents, code, doc_id=doc):
            if i not in sentences:
                sentences.append(i)
        if sents and not texts:
            texts.append(str(sents[-1].get("text") or ""))
        for i in ev.add_all(_spans(x.get("fatalities_evidence")), code, doc_id=doc, context=sents):
            if i not in fat_ev:
                fat_ev.append(i)
    # the sentence that says most: the one carrying the death toll, else the first
    evidence_text = texts[0] if texts else None
    for item in ev.items:
        if fat_ev and item["id"] == fat_ev[0]:
            evidence_text = (item["context"] or {}).get("text") or item["text"]
            break
    disputed = [c for c in r.get("claims") or [] if c.get("relation") == "denies"]
    return {
        "id": code, "date": r.get("event_date"), "date_lo": r.get("date_lo"), "date_hi": r.get("date_hi"),
        "time_precision": r.get("time_precision"), "event_type": r.get("event_type"),
        "sub_event_type": r.get("sub_event_type"), "location": r.get("location"), "admin1": r.get("admin1"),
        "admin2": r.get("admin2"), "country": r.get("country"), "country_code": r.get("country_code"),
        "latitude": r.get("latitude"), "longitude": r.get("longitude"), "geo_precision": r.get("geo_precision"),
        "fatalities": r.get("fatalities"), "fatalities_low": r.get("fatalities_low"),
        "fatalities_high": r.get("fatalities_high"), "civilian_fatalities": r.get("civilian_fatalities"),
        "injured": r.get("injured"), "actor1": r.get("actor1"), "assoc_actor_1": r.get("assoc_actor_1"),
        "actor2": r.get("actor2"), "actors": list(r.get("actors") or []), "contested": bool(r.get("contested")),
        "disputed_by": [c.get("speaker") or "?" for c in disputed],
        "n_sources": r.get("n_sources") or 0, "n_mentions": r.get("n_mentions") or 0, "notes": r.get("notes"),
        "evidence_text": evidence_text, "documents": list(r.get("documents") or []),
        "sources": [{"doc_id": s.get("doc_id"), "source": s.get("source"), "title": s.get("title"),
                     "url": s.get("url"), "published": s.get("published"), "fatalities": s.get("fatalities"),
                     "fatalities_low": s.get("fatalities_low"), "fatalities_high": s.get("fatalities_high")}
                    for s in r.get("sources") or []],
        "evidence": sentences, "fatalities_evidence": fat_ev,
    }


# ------------------------------------------------------------------ figures

def _figures(store, ev: Evidence, country, admin1, lo, hi, scope_docs: set[str]):
    rows = store.query_figures(country=country, admin1=admin1, since=lo, until=hi)
    seen = {r["id"] for r in rows}
    place_unstated: set[int] = set()
    if (country or admin1) and scope_docs:
        # tallies that name no place, in documents about this area
        docs = sorted(scope_docs)
        found = [x for i in range(0, len(docs), 500) for x in store.query_figures(since=lo, until=hi, docs=docs[i:i + 500])]
        for r in sorted(found, key=lambda x: x["id"]):
            if (r["id"] not in seen and r.get("doc_id") in scope_docs
                    and not any(r.get(k) for k in ("country", "admin1", "admin2", "location"))):
                rows.append(r)
                seen.add(r["id"])
                place_unstated.add(r["id"])
    groups: dict[str, list[dict]] = {}
    docs: set[str] = set()
    for r in rows:
        f = _figure(r, ev, r["id"] in place_unstated)
        groups.setdefault(f["kind"] or "other", []).append(f)
        docs.add(r["doc_id"])
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    out = []
    n_figures = 0
    for kind in sorted(groups, key=lambda k: (order.get(k, len(order)), k)):
        figs = sorted(groups[kind], key=lambda f: (not f["verified"], not f["un_attributed"],
                                                   -(f["value"] or f["high"] or 0)))
        figs = same_tallies(figs)
        n_figures += len(figs)
        alias = {old: f["id"] for f in figs for old in f.get("merged_ids") or ()}
        if alias:       # evidence of a merged figure now points to the figure it joined
            for item in ev.items:
                item["refs"] = list(dict.fromkeys(alias.get(r, r) for r in item["refs"]))
        out.append({"kind": kind, "label": KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()),
                    "figures": figs})
    return out, n_figures, docs


def _same_place(a: dict, b: dict) -> bool:
    """Places that can be one: unstated on one side, or no level that differs."""
    for k in ("country", "admin1", "location"):
        x, y = (a.get(k) or "").strip().lower(), (b.get(k) or "").strip().lower()
        if x and y and x != y:
            return False
    return True


def _range(f: dict) -> tuple:
    v = f.get("value")
    return (v, f.get("low") if f.get("low") is not None else v, f.get("high") if f.get("high") is not None else v)


def same_tallies(figs: list[dict]) -> list[dict]:
    """The same tally quoted by several reports (same kind and number, low and high, places that
    can be one) is one figure with several sources: the first (most authoritative) keeps its
    fields; ``doc_ids`` lists every report, ``reported_by`` every attribution, and the other
    reports' evidence joins its own, so each source's sentence stays one click away."""
    out: list[dict] = []
    for f in figs:
        f.setdefault("doc_ids", [f.get("doc_id")])
        f.setdefault("reported_by", [f["attributed_to"]] if f.get("attributed_to") else [])
        same = next((o for o in out if o["value"] is not None and o["kind"] == f["kind"]
                     and _range(o) == _range(f)
                     and _same_place(o, f)), None)
        if same is None:
            out.append(f)
            continue
        same.setdefault("merged_ids", []).append(f["id"])
        if f.get("doc_id") not in same["doc_ids"]:
            same["doc_ids"].append(f.get("doc_id"))
        for who in f["reported_by"]:
            if who not in same["reported_by"]:
                same["reported_by"].append(who)
        for key in ("value_evidence", "evidence"):
            same[key] = list(dict.fromkeys(list(same.get(key) or []) + list(f.get(key) or [])))
        if not same.get("place") and f.get("place"):
            for k in ("place", "country", "admin1", "location"):
                same[k] = f.get(k)
            same["place_unstated"] = False
    for f in out:
        f["n_sources"] = len(f["doc_ids"])
    return out


def _figure(r: dict, ev: Evidence, place_unstated: bool) -> dict[str, Any]:
    data = r.get("data") or {}
    ref = f"F{r['id']}"
    spans = _spans(data.get("evidence"))
    doc = r.get("doc_id")
    shorts = [s for s in spans if any(_inside(s, o) for o in spans if o is not s)]
    sentences = [s for s in spans if not any(s is x for x in shorts)]
    value_ev = ev.add_all(shorts, ref, doc_id=doc, context=sentences)
    sent_ev = ev.add_all(sentences, ref, doc_id=doc)
    breakdown = []
    raw = data.get("breakdown") or {}
    keys = [k for k in BREAKDOWN_ORDER if k in raw] + sorted(k for k in raw if k not in BREAKDOWN_ORDER)
    for k in keys:
        v = raw.get(k)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            continue
        if v == r.get("value") and k.rstrip("s") in (r.get("unit") or "").lower():
            continue    # "1,506 civilians": the unit, not a part
        ids: list[str] = []
        for s in sentences:
            got = _number_span(s, int(v), near=k)
            if got:
                i = ev.add(dict(got, doc_id=got.get("doc_id") or doc), ref, doc_id=doc, context=sentences)
                if i:
                    ids.append(i)
                break
        breakdown.append({"key": k, "value": int(v), "evidence": ids or list(sent_ev)})
    attributed = r.get("attributed_to") or None
    un = bool(attributed and UN_RE.search(attributed))
    verified = bool(r.get("verified"))
    return {
        "id": ref, "kind": r.get("kind"), "value": r.get("value"), "low": r.get("low"), "high": r.get("high"),
        "qualifier": r.get("qualifier"), "unit": r.get("unit"), "period_start": r.get("period_start"),
        "period_end": r.get("period_end"), "place": _join(r.get("location"), r.get("admin2"), r.get("admin1"),
                                                          r.get("country")) or None,
        "place_unstated": place_unstated, "country": r.get("country"), "admin1": r.get("admin1"),
        "location": r.get("location"), "attributed_to": attributed, "verified": verified, "un_attributed": un,
        "status": "verified" if verified else ("UN-attributed" if un else ("attributed" if attributed else "unattributed")),
        "breakdown": breakdown, "doc_id": r.get("doc_id"), "source_id": None, "source": r.get("doc_source"),
        "published": r.get("doc_published"), "value_evidence": value_ev or list(sent_ev), "evidence": sent_ev,
        "evidence_text": _context_text(sentences, shorts),
    }


def _inside(a: dict, b: dict) -> bool:
    """Span ``a`` lies within the longer span ``b`` of the same document."""
    try:
        return ((a.get("doc_id") == b.get("doc_id") or not a.get("doc_id") or not b.get("doc_id"))
                and b["start"] <= a["start"] and a["end"] <= b["end"] and (b["end"] - b["start"]) > (a["end"] - a["start"]))
    except (KeyError, TypeError):
        return False


def _context_text(sentences: list[dict], shorts: list[dict]) -> str | None:
    """The sentence around the figure's number (its body occurrence rather than a headline)."""
    for sh in reversed(shorts):
        for s in sentences:
            if _inside(sh, s):
                return str(s.get("text") or "")
    return str(sentences[-1].get("text") or "") if sentences else None


# ------------------------------------------------------------------ contested claims

def _contested(store, ev: Evidence, event_ids: list[int], by_code: dict[str, dict], scope_docs: set[str],
               lo: date | None, hi: date | None) -> dict[str, Any]:
    c, ce, d = S.claims, S.claim_events, S.documents
    claims: dict[int, dict] = {}
    links: dict[int, list[tuple[int, str]]] = {}
    with store.engine.connect() as conn:
        q = (sa.select(c, d.c.doc_id, d.c.published.label("doc_published"))
             .join(d, d.c.id == c.c.document_id).order_by(c.c.id))
        for i in range(0, len(event_ids), 500):
            chunk = event_ids[i:i + 500]
            for x in conn.execute(sa.select(ce.c.claim_id, ce.c.event_id, ce.c.relation)
                                  .where(ce.c.event_id.in_(chunk), ce.c.relation.in_(("denies", "accuses")))
                                  .order_by(ce.c.claim_id, ce.c.event_id)).mappings():
                links.setdefault(x["claim_id"], []).append((x["event_id"], x["relation"]))
        ids = sorted(links)
        for i in range(0, len(ids), 500):
            for r in conn.execute(q.where(c.c.id.in_(ids[i:i + 500]))).mappings():
                claims[r["id"]] = dict(r)
        # denials and accusations in this area's documents that name no event
        if scope_docs:
            docs = sorted(scope_docs)
            for i in range(0, len(docs), 500):
                for r in conn.execute(q.where(c.c.kind.in_(("denial", "accusation")), d.c.doc_id.in_(docs[i:i + 500]),
                                              ~c.c.id.in_(sa.select(ce.c.claim_id)))).mappings():
                    pub = r["doc_published"]
                    if (lo and pub and pub < lo) or (hi and pub and pub > hi):
                        continue
                    claims.setdefault(r["id"], dict(r))
    out = []
    for cid in sorted(claims):
        r = claims[cid]
        ref = f"C{cid}"
        data = r.get("data") or {}
        evs = []
        for eid, rel in links.get(cid, []):
            code = event_code(eid)
            e = by_code.get(code) or {}
            evs.append({"event_id": code, "relation": rel, "event_date": e.get("date"),
                        "sub_event_type": e.get("sub_event_type"),
                        "location": e.get("location") or e.get("admin1") or e.get("country"),
                        "fatalities": e.get("fatalities"), "contested": bool(e.get("contested"))})
        spans = _spans(data.get("evidence")) or ([{"text": r.get("text")}] if r.get("text") else [])
        out.append({"id": ref, "kind": r.get("kind"), "speaker": r.get("speaker"),
                    "speaker_role": r.get("speaker_role"), "date": r.get("date"), "text": r.get("text"),
                    "target": r.get("target"), "doc_id": r.get("doc_id"), "source_id": None,
                    "published": r.get("doc_published"), "linked": bool(evs),
                    "evidence": ev.add_all(spans, ref, doc_id=r.get("doc_id")), "events": evs})
    contested_events = [e["id"] for e in by_code.values() if e.get("contested")]
    return {"events": contested_events, "claims": out}


# ------------------------------------------------------------------ agreements

def _agreements(store, ev: Evidence, country, admin1, lo: date | None, hi: date | None, events: list[dict],
                scope_docs: set[str], min_confidence: float | None = None) -> list[dict[str, Any]]:
    groups = store.ceasefires(until=hi)
    if not groups:
        return []
    # the events of the area up to `until` (any start): violations are counted among these
    with store.engine.connect() as conn:
        scope_ids = {event_code(i) for i in conn.execute(
            store.event_ids_select(country=country, admin1=admin1, until=hi,
                                   min_confidence=min_confidence)).scalars()}
    place_names: set[str] = set()
    if admin1:
        place_names.add(admin1.casefold())
    elif country:
        place_names.add(country.casefold())
        for e in events:
            for k in ("country", "admin1", "admin2", "location"):
                if e.get(k):
                    place_names.add(str(e[k]).casefold())
    # the agreement rows (with their evidence) behind each group
    spans_by_key: dict[tuple, list[tuple[str, dict]]] = {}
    a, d = S.agreements, S.documents
    with store.engine.connect() as conn:
        for r in conn.execute(sa.select(a, d.c.doc_id).join(d, d.c.id == a.c.document_id).order_by(a.c.id)).mappings():
            r = dict(r)
            spans_by_key.setdefault(_agreement_key(r), []).extend(
                (r["doc_id"], s) for s in _spans((r.get("data") or {}).get("evidence")))
    out = []
    for g in groups:
        start = _day(g.get("start")) if g.get("start") else None
        if hi and start and start > hi:
            continue
        names = set(area_names(g.get("area")))
        in_area = bool(names & place_names) if (admin1 or country) else True
        if not g.get("area") and (admin1 or country):
            in_area = bool(set(g.get("documents") or []) & scope_docs)
        days = []
        n = fat = 0
        for day in g.get("days") or []:
            evs = [dict(x, event_id=x["event_id"]) for x in day.get("events") or [] if x["event_id"] in scope_ids]
            if not evs:
                continue
            f = sum(x.get("fatalities") or 0 for x in evs)
            days.append({"date": day.get("date"), "n_events": len(evs), "fatalities": f, "events": evs})
            n += len(evs)
            fat += f
        if not (in_area or n):
            continue
        if lo is not None:      # relevant to the period: started in it, violated in it, or reported with its events
            in_period = any(str(d.get("date") or "") >= lo.isoformat() for d in days)
            if not (in_period or (start and start >= lo) or set(g.get("documents") or []) & scope_docs):
                continue
        ref = f"A{len(out) + 1}"
        spans = spans_by_key.get(_agreement_key(g), [])
        ids: list[str] = []
        for doc, s in spans:
            i = ev.add(s, ref, doc_id=doc)
            if i and i not in ids:
                ids.append(i)
        out.append({"id": ref, "kind": g.get("kind"), "parties": list(g.get("parties") or []),
                    "agreed_date": g.get("agreed_date"), "effective_date": g.get("effective_date"),
                    "start": g.get("start"), "area": g.get("area") or g.get("area_used") or None,
                    "status": g.get("status"), "documents": list(g.get("documents") or []), "evidence": ids,
                    "n_violations": n, "fatalities": fat, "days": days})
    return out


# ------------------------------------------------------------------ timeline

def _timeline(events: list[dict], lo: date | None, hi: date | None) -> dict[str, Any]:
    dated: list[tuple[date, dict]] = []
    undated = 0
    for e in events:
        try:
            day = date.fromisoformat(str(e.get("date"))[:10]) if e.get("date") else None
        except ValueError:
            day = None
        if day is None:
            undated += 1
        else:
            dated.append((day, e))
    start = lo or (min(d for d, _ in dated) if dated else None)
    end = hi or (max(d for d, _ in dated) if dated else None)
    if start and end and end < start:
        start, end = end, start
    types: list[str] = []
    for _, e in sorted(dated, key=lambda x: x[0]):
        t = e.get("event_type") or "Unknown"
        if t not in types:
            types.append(t)
    days: list[dict[str, Any]] = []
    outside = 0
    if start and end:
        index: dict[date, dict] = {}
        day = start
        while day <= end and len(days) < 3700:   # ten years of days at most
            index[day] = {"date": day.isoformat(), "total": 0, "approximate": 0, "by_type": {t: 0 for t in types},
                          "events": []}
            days.append(index[day])
            day += timedelta(days=1)
        for day, e in dated:
            x = index.get(day)
            if x is None:
                outside += 1
                continue
            t = e.get("event_type") or "Unknown"
            x["total"] += 1
            x["by_type"][t] += 1
            x["events"].append(e["id"])
            if (e.get("time_precision") or 1) > 1:
                x["approximate"] += 1
    return {"start": start, "end": end, "types": types, "days": days, "undated": undated, "outside": outside}


# ------------------------------------------------------------------ sources

def _sources(store, used: dict[str, set[str]], events: list[dict]) -> list[dict[str, Any]]:
    if not used:
        return []
    d = S.documents
    rows: dict[str, dict] = {}
    names = sorted(used)
    with store.engine.connect() as conn:
        for i in range(0, len(names), 500):
            for r in conn.execute(sa.select(d.c.doc_id, d.c.title, d.c.source, d.c.url, d.c.published)
                                  .where(d.c.doc_id.in_(names[i:i + 500])).order_by(d.c.id)).mappings():
                rows.setdefault(r["doc_id"], dict(r))
    n_events: dict[str, int] = {}
    for e in events:
        for doc in e["documents"]:
            n_events[doc] = n_events.get(doc, 0) + 1
    order = sorted(names, key=lambda n: ((rows.get(n) or {}).get("published") or date.max, n))
    out = []
    for i, n in enumerate(order, 1):
        r = rows.get(n) or {"doc_id": n}
        out.append({"id": f"D{i}", "doc_id": n, "title": r.get("title"), "source": r.get("source"),
                    "url": r.get("url"), "published": r.get("published"), "n_events": n_events.get(n, 0),
                    "roles": sorted(used[n])})
    return out
