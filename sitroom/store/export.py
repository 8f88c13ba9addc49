"""Exports of fused events: ACLED CSV, GeoJSON, JSON Lines, HXL-tagged CSV."""
from __future__ import annotations

import csv
import json
from typing import Iterable, TextIO

from ..model import ACLED_COLUMNS
from ..output import dumps
from .serialize import acled_row, csv_row, event_json

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
