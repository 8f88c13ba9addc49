"""The records fusion works on: a *mention* (one event as one document reports it) and a fused
*event* (what several mentions agree on). Both are dicts with the ACLED field names (the store
keeps them as rows), typed here as :class:`Mention` and :class:`EventRecord`, plus derived fields:
``lo``/``hi``, the first and last day (proleptic ordinal) the event may have happened, ``family``,
``actors``, ``terms`` (content words of the evidence), ``names`` (proper names of the documents)
and ``source_docs`` (keys of the documents reporting it).

Also the helpers every signal shares: sub-event families, date ranges, place keys, distances."""
from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any, TypedDict

from .words import names, terms

FAMILIES: dict[str, str] = {}
for _fam, _subs in {
    "remote": ["Air/drone strike", "Shelling/artillery/missile attack", "Chemical weapon"],
    "explosive": ["Suicide bomb", "Remote explosive/landmine/IED", "Grenade"],
    "battle": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory",
               "Non-violent transfer of territory"],
    "civilians": ["Attack", "Abduction/forced disappearance", "Sexual violence"],
    "protest": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "riot": ["Violent demonstration", "Mob violence"],
}.items():
    for _s in _subs:
        FAMILIES[_s] = _fam
#: Families that reports of one real event often mix (an "attack" that was a bombing or a clash).
NEAR_FAMILIES = {frozenset(p) for p in [("civilians", "battle"), ("civilians", "explosive"),
                                        ("remote", "explosive"), ("protest", "riot")]}

#: Fields copied from a location when a more precise one refines it.
PLACE_FIELDS = ("country", "country_code", "admin1", "admin2", "location", "latitude", "longitude",
                "geo_precision")


def family(sub_event_type: str | None) -> str | None:
    if not sub_event_type:
        return None
    return FAMILIES.get(sub_event_type, sub_event_type.casefold())


class Mention(TypedDict, total=False):
    """One event as one document reports it (:func:`mention_record`)."""
    event_date: str | None
    time_precision: int | None
    event_type: str | None
    sub_event_type: str | None
    actor1: str | None
    assoc_actor_1: str | None
    actor2: str | None
    country: str | None
    country_code: str | None
    admin1: str | None
    admin2: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    fatalities: int | None
    fatalities_low: int | None
    fatalities_high: int | None
    civilian_fatalities: int | None
    injured: int | None
    notes: str | None
    confidence: float | None
    contested: bool
    lo: int | None
    hi: int | None
    family: str | None
    actors: list[str]
    terms: frozenset
    names: frozenset
    source_docs: frozenset


class EventRecord(Mention, total=False):
    """A fused event (:func:`new_event`, then :func:`sitroom.fuse.merge`): a mention's fields
    plus how many mentions it has and, per proper name, how many of their documents give it."""
    name_counts: dict[str, int]
    name_n: int
    n_mentions: int
    n_sources: int


# ------------------------------------------------------------------ dates

def parse_day(value: str | None) -> tuple[date, int] | None:
    """An ISO date at its own granularity -> (first day, implied precision)."""
    if not value:
        return None
    try:
        if len(value) >= 10:
            return date.fromisoformat(value[:10]), 1
        if len(value) == 7:
            return date(int(value[:4]), int(value[5:7]), 1), 3
        if len(value) == 4:
            return date(int(value), 1, 1), 4
    except ValueError:
        return None
    return None


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def date_range(event_date: str | None, precision: int | None) -> tuple[int, int] | None:
    """First and last day (ordinals) an event reported at this date and precision may fall on."""
    parsed = parse_day(event_date)
    if parsed is None:
        return None
    d, implied = parsed
    p = max(precision or implied, implied)
    o = d.toordinal()
    if p <= 1:
        lo = hi = o
    elif p == 2:
        lo, hi = o - 7, o + 7
    elif p == 3:
        if d.day == 1:
            lo, hi = o, (_month_end(d).toordinal() if d < date(9999, 12, 1) else o + 30)
        else:
            lo, hi = o - 15, o + 15
    else:
        lo, hi = date(d.year, 1, 1).toordinal(), date(d.year, 12, 31).toordinal()
    # the first and last days of the calendar (year 1, year 9999) bound every range
    return max(lo, 1), min(hi, date.max.toordinal())


def iso(ordinal: int | None) -> str | None:
    return date.fromordinal(ordinal).isoformat() if ordinal is not None else None


# ------------------------------------------------------------------ places

def norm(s: Any) -> str:
    return " ".join(str(s).split()).casefold() if s else ""


def place_key(rec: dict) -> tuple[str, str]:
    """(country key, finest place key): ("SY", "SY|idlib"), ("SY", "SY"), or ("", "").
    Memoised in ``rec["_pk"]`` (records are dicts; :func:`merge` refreshes it)."""
    got = rec.get("_pk")
    if got is None:
        got = rec["_pk"] = _place_key(rec)
    return got


def _place_key(rec: dict) -> tuple[str, str]:
    cc = (rec.get("country_code") or "").upper() or norm(rec.get("country"))
    if not cc:
        # a named place the gazetteer could not put in a country ("Gulf of Aden"): its own key
        loc = norm(rec.get("location"))
        return ("@" + loc, "@" + loc) if loc else ("", "")
    a1 = norm(rec.get("admin1"))
    return cc, f"{cc}|{a1}" if a1 else cc


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


# ------------------------------------------------------------------ records

def actors(rec: dict) -> set[str]:
    return {norm(rec.get(k)) for k in ("actor1", "actor2", "assoc_actor_1") if rec.get(k)}


def same_actor(a: str, b: str) -> bool:
    """One actor named generically by one report and with its country by another ("police
    forces" and "police forces of united states")."""
    return a.startswith(b + " of ") or b.startswith(a + " of ")


def mention_record(ev: dict, context: frozenset | None = None, source: Any = None) -> Mention:
    """A pipeline event dict -> a mention record (ACLED fields + lo/hi/family/actors, the content
    words of its evidence, and ``names``: the proper names of its document, ``context`` when the
    caller computed them with :func:`document_names`, else those of its own evidence).
    ``source``: a key of its document; two records of one document never count their names as
    shared (they are the same names)."""
    rec = {k: ev.get(k) for k in (
        "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
        "actor2", "country", "country_code", "admin1", "admin2", "location", "latitude",
        "longitude", "geo_precision", "fatalities", "fatalities_low", "fatalities_high",
        "civilian_fatalities", "injured", "notes", "confidence")}
    rec["contested"] = bool(ev.get("contested"))
    rng = date_range(rec["event_date"], rec["time_precision"])
    rec["lo"], rec["hi"] = rng if rng else (None, None)
    rec["family"] = family(rec["sub_event_type"])
    rec["actors"] = sorted(actors(rec))
    texts = [str(sp.get("text") or "") for sp in (ev.get("evidence") or []) if isinstance(sp, dict)]
    rec["terms"] = terms(" ".join(texts))
    rec["names"] = context if context is not None else names(texts)
    rec["source_docs"] = frozenset() if source is None else frozenset([source])
    return rec


def fatality_range(rec: dict) -> tuple[int | None, int | None]:
    """A record's fatalities as (low, high), from ``fatalities`` and ``fatalities_low``/``_high``."""
    f = rec.get("fatalities")
    lo = rec.get("fatalities_low")
    hi = rec.get("fatalities_high")
    lo = lo if lo is not None else f
    hi = hi if hi is not None else (f if f is not None else lo)
    if lo is None:
        lo = hi
    return lo, hi


def new_event(m: Mention) -> EventRecord:
    """A fused event that (so far) has one mention."""
    e = {k: m.get(k) for k in (
        "event_date", "time_precision", "event_type", "sub_event_type", "family", "actor1",
        "assoc_actor_1", "actor2", *PLACE_FIELDS, "civilian_fatalities", "injured", "notes",
        "confidence", "contested", "lo", "hi")}
    e["actors"] = list(m.get("actors") or [])
    e["source_docs"] = frozenset(m.get("source_docs") or ())
    e["terms"] = frozenset(m.get("terms") or ())
    nm = m.get("names") or ()
    e["name_counts"] = {n: 1 for n in nm}       # name -> how many of its mentions' documents name it
    e["name_n"] = 1 if nm else 0                # mentions that brought names
    e["names"] = frozenset(nm)
    lo, hi = fatality_range(m)
    e["fatalities_low"], e["fatalities_high"] = lo, hi
    e["fatalities"] = lo
    e["n_mentions"] = 1
    return e
