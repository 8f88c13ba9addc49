"""Fused events, mentions, figures and claims as JSON-ready dicts: the one place where stored rows
become what ``sitroom export``, the listing verbs and the API write."""
from __future__ import annotations

from typing import Any

from ..model import to_jsonable
from ..output.acled import acled_fields
from .core import event_code


def acled_row(e: dict) -> dict[str, Any]:
    """A fused event as an ACLED row (+ sitroom columns)."""
    sources = e.get("sources") or []
    names = list(dict.fromkeys(s.get("source") or s.get("doc_id") for s in sources))
    row = {
        "event_id": event_code(e["id"]), "event_date": e.get("event_date"),
        "time_precision": e.get("time_precision"), "event_type": e.get("event_type"),
        "sub_event_type": e.get("sub_event_type"), "actor1": e.get("actor1"),
        "assoc_actor_1": e.get("assoc_actor_1"), "actor2": e.get("actor2"),
        "country": e.get("country"), "admin1": e.get("admin1"), "admin2": e.get("admin2"),
        "location": e.get("location"), "latitude": e.get("latitude"), "longitude": e.get("longitude"),
        "geo_precision": e.get("geo_precision"), "source": "; ".join(n for n in names if n),
        "notes": e.get("notes") or "", "fatalities": e.get("fatalities"),
        "fatalities_low": e.get("fatalities_low"), "fatalities_high": e.get("fatalities_high"),
        "civilian_fatalities": e.get("civilian_fatalities"), "injured": e.get("injured"),
        "country_code": e.get("country_code"), "n_sources": e.get("n_sources"),
        "contested": int(bool(e.get("contested"))),
        "documents": " ".join(e.get("documents") or []),
    }
    row.update(acled_fields(e, number=e["id"], sources=sources, updated=e.get("updated_at")))
    return row


def csv_row(e: dict) -> dict[str, Any]:
    """:func:`acled_row` for a CSV: ``fatalities`` 0 when no number was reported, as ACLED writes it
    (``fatalities_low``/``fatalities_high`` stay empty; JSON keeps null)."""
    row = acled_row(e)
    if row.get("fatalities") is None:
        row["fatalities"] = 0
    return row


def event_json(e: dict) -> dict[str, Any]:
    """A fused event for JSON Lines: ACLED fields, ``documents``, ``sources``, ``mentions``."""
    out = acled_row(e)
    out["documents"] = e.get("documents") or []
    out["country_code"] = e.get("country_code")
    out["date_range"] = [to_jsonable(e.get("date_lo")), to_jsonable(e.get("date_hi"))]
    out["n_mentions"] = e.get("n_mentions")
    out["contested"] = bool(e.get("contested"))
    out["actors"] = e.get("actors") or []
    out["sources"] = to_jsonable(e.get("sources") or [])
    if "mentions" in e:
        out["mentions"] = [mention_json(m) for m in e["mentions"]]
    if "claims" in e:       # denials that contest it, accusations with their target
        out["claims"] = to_jsonable(e["claims"])
    return out


def mention_json(m: dict) -> dict[str, Any]:
    ev = m.get("evidence") or {}
    return {
        "doc_id": m.get("doc_id"), "source": m.get("doc_source"), "local_id": m.get("local_id"),
        "event_date": m.get("event_date"), "time_precision": m.get("time_precision"),
        "sub_event_type": m.get("sub_event_type"), "actor1": m.get("actor1"), "actor2": m.get("actor2"),
        "location": m.get("location"), "admin1": m.get("admin1"), "country": m.get("country"),
        "geo_precision": m.get("geo_precision"), "fatalities": m.get("fatalities"),
        "fatalities_low": m.get("fatalities_low"), "fatalities_high": m.get("fatalities_high"),
        "evidence": ev.get("evidence") or [], "fusion": m.get("fusion"),
    }


FIGURE_COLUMNS = ["figure_id", "doc_id", "kind", "value", "low", "high", "qualifier", "unit", "period_start",
                  "period_end", "country", "admin1", "admin2", "location", "attributed_to", "verified", "evidence"]


def figure_json(r: dict) -> dict:
    data = r.get("data") or {}
    ev = " ".join(str(sp.get("text") or "") for sp in data.get("evidence") or [] if isinstance(sp, dict))
    out = {"figure_id": r["id"], "doc_id": r["doc_id"], "source": r.get("doc_source"),
           "published": r.get("doc_published")}
    out.update({k: r.get(k) for k in FIGURE_COLUMNS[2:-1]})
    out["verified"] = bool(r.get("verified"))
    out["breakdown"] = data.get("breakdown") or {}
    out["evidence"] = ev
    return out


CLAIM_COLUMNS = ["claim_id", "doc_id", "kind", "speaker", "speaker_role", "date", "target", "text", "events",
                 "contested"]


def claim_json(r: dict) -> dict:
    return {"claim_id": r["id"], "doc_id": r["doc_id"], "source": r.get("doc_source"),
            "published": r.get("doc_published"), "kind": r.get("kind"), "speaker": r.get("speaker"),
            "speaker_role": r.get("speaker_role"), "date": r.get("date"), "target": r.get("target"),
            "text": r.get("text"), "events": r.get("events") or []}


def claim_csv(c: dict) -> dict:
    out = dict(c)
    out["events"] = " ".join(f"{e['relation']}:{e['event_id']}" for e in c["events"])
    out["contested"] = " ".join(e["event_id"] for e in c["events"] if e["contested"])
    return out
