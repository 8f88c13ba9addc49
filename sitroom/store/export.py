"""Exports of fused events: ACLED CSV, GeoJSON, JSON Lines, HXL-tagged CSV."""
from __future__ import annotations

import csv
import json
from datetime import date, datetime
from typing import Any, Iterable, TextIO

from ..model import ACLED_COLUMNS
from ..output.acled import acled_fields
from ..output import dumps
from .core import event_code

EXPORT_FORMATS = ("acled-csv", "geojson", "jsonl", "hxl")
#: Every ACLED column in ACLED's order, then sitroom's additions (``event_id`` is sitroom's id, SR12;
#: ``country_code`` the ISO 3166 alpha-2 code, which the ``iso`` column held before it became ACLED's
#: numeric code).
CSV_COLUMNS = ACLED_COLUMNS + ("event_id", "fatalities_low", "fatalities_high", "civilian_fatalities", "injured",
                               "n_sources", "contested", "documents", "country_code")
#: HXL hashtags (as HDX's ACLED datasets use them) for CSV_COLUMNS.
HXL_TAGS = {
    "event_id": "#event+code", "event_date": "#date+occurred", "time_precision": "#date+precision",
    "event_type": "#event+type", "sub_event_type": "#event+type+sub", "actor1": "#group+name+first",
    "assoc_actor_1": "#group+name+first+assoc", "actor2": "#group+name+second",
    "country": "#country+name", "admin1": "#adm1+name", "admin2": "#adm2+name",
    "location": "#loc+name", "latitude": "#geo+lat", "longitude": "#geo+lon",
    "geo_precision": "#geo+precision", "source": "#meta+source", "notes": "#description",
    "fatalities": "#affected+killed", "fatalities_low": "#affected+killed+min",
    "fatalities_high": "#affected+killed+max", "civilian_fatalities": "#affected+killed+civilians",
    "injured": "#affected+injured", "iso": "#country+code+num", "n_sources": "#meta+count",
    "contested": "#status+contested", "documents": "#meta+id",
    "event_id_cnty": "#event+code+acled", "year": "#date+year", "disorder_type": "#event+type+disorder",
    "inter1": "#group+code+first", "assoc_actor_2": "#group+name+second+assoc", "inter2": "#group+code+second",
    "interaction": "#group+code+interaction", "civilian_targeting": "#targeted+civilians", "region": "#region+name",
    "admin3": "#adm3+name", "source_scale": "#meta+source+scale", "tags": "#meta+tags",
    "timestamp": "#date+updated", "country_code": "#country+code",
}


def _jsonable(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


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
    out["date_range"] = [_jsonable(e.get("date_lo")), _jsonable(e.get("date_hi"))]
    out["n_mentions"] = e.get("n_mentions")
    out["contested"] = bool(e.get("contested"))
    out["actors"] = e.get("actors") or []
    out["sources"] = _jsonable(e.get("sources") or [])
    if "mentions" in e:
        out["mentions"] = [mention_json(m) for m in e["mentions"]]
    if "claims" in e:       # denials that contest it, accusations with their target
        out["claims"] = _jsonable(e["claims"])
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


def write_export(fmt: str, events: Iterable[dict], out: TextIO) -> int:
    """Write events in ``fmt``; returns how many were written."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    n = 0
    if fmt == "jsonl":
        for e in events:
            out.write(dumps(event_json(e)) + "\n")     # U+2028/U+2029/NEL escaped
            n += 1
    elif fmt in ("acled-csv", "hxl"):
        w = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        if fmt == "hxl":
            w.writerow({c: HXL_TAGS.get(c, "") for c in CSV_COLUMNS})
        for e in events:
            w.writerow(csv_row(e))
            n += 1
    else:  # geojson, streamed: one feature a line
        out.write('{"type":"FeatureCollection","features":[\n')
        for e in events:
            props = acled_row(e)
            lat, lon = e.get("latitude"), e.get("longitude")
            geom = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
            feat = {"type": "Feature", "id": e["id"], "geometry": geom, "properties": props}
            out.write(("," if n else "") + json.dumps(feat, ensure_ascii=False, separators=(",", ":")) + "\n")
            n += 1
        out.write("]}\n")
    return n
