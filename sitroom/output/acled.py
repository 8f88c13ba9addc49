"""ACLED's columns for sitroom's events, by ACLED's codebook (docs/acled.md explains each one).

Every mapping is data: actor types in ``sitroom/data/actors.yaml`` give the inter codes
(``sitroom/data/acled.yaml``), countries give ``iso``, ``region`` and the ``event_id_cnty`` prefix
(``sitroom/data/acled_countries.yaml``), outlets give ``source_scale``
(``sitroom/data/source_scales.yaml``).

>>> acled_fields({"event_type": "Battles", "sub_event_type": "Armed clash", "country_code": "SY",
...               "actor1": "Military Forces of Syria", "actor2": "Hayat Tahrir al-Sham",
...               "event_date": "2020-01-14"}, number=12)["interaction"]
12
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable, Mapping, TypedDict
from urllib.parse import urlsplit

from ..model import ACLED_COLUMNS  # ACLED's columns in ACLED's order (re-exported)

#: ACLED's column types, as an analyst reads the CSV with pandas (``dtype=``; ``parse_dates``
#: for event_date). Integer codes that sitroom may not know are nullable (``Int64``).
PANDAS_DTYPES: dict[str, str] = {
    "event_id_cnty": "string", "year": "Int64", "time_precision": "Int64", "disorder_type": "string",
    "event_type": "string", "sub_event_type": "string", "actor1": "string", "assoc_actor_1": "string",
    "inter1": "Int64", "actor2": "string", "assoc_actor_2": "string", "inter2": "Int64",
    "interaction": "Int64", "civilian_targeting": "string", "iso": "Int64", "region": "string",
    "country": "string", "admin1": "string", "admin2": "string", "admin3": "string", "location": "string",
    "latitude": "float64", "longitude": "float64", "geo_precision": "Int64", "source": "string",
    "source_scale": "string", "notes": "string", "fatalities": "int64", "tags": "string",
    "timestamp": "int64",
}


class SourceInfo(TypedDict, total=False):
    """What is known of one source of an event: its outlet name, its URL, and its scale when a
    source registry knows it (that scale wins over ``sitroom/data/source_scales.yaml``)."""
    source: str | None
    url: str | None
    scale: str | None


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    numeric: int | None
    region: str
    name: str


@dataclass(frozen=True)
class _Tables:
    inter: dict[str, int]
    disorder_event: dict[str, str]
    disorder_sub: dict[str, str]
    civ_value: str
    civ_always: frozenset[str]
    civ_when_civilians: frozenset[str]
    unknown_prefix: str
    countries: dict[str, Country]
    actor_types: dict[str, tuple[str, str | None]]          # lower name -> (type, country code)
    templates: tuple[tuple[re.Pattern, str], ...]             # "Military Forces of (?P<c>.+)" -> type
    country_codes: dict[str, str]                             # lower country name -> ISO2
    scales: tuple[str, ...]
    outlet_names: dict[str, str]
    outlet_domains: dict[str, str]


ACLED_REGIONS = ("Western Africa", "Middle Africa", "Eastern Africa", "Southern Africa", "Northern Africa",
                 "Middle East", "South Asia", "Southeast Asia", "East Asia", "Caucasus and Central Asia",
                 "Europe", "Caribbean", "Central America", "South America", "North America", "Oceania",
                 "Antarctica")


@lru_cache(maxsize=1)
def tables() -> _Tables:
    """The data files, read and checked once. A malformed entry is a ``ValueError`` naming it."""
    from ..data import load

    acled, countries, scales, actors = (load("acled.yaml"), load("acled_countries.yaml"),
                                        load("source_scales.yaml"), load("actors.yaml"))
    inter = {str(k): int(v) for k, v in (acled.get("inter_codes") or {}).items()}
    if not inter or any(not 1 <= v <= 8 for v in inter.values()):
        raise ValueError("acled.yaml: inter_codes must map actor types to ACLED codes 1..8")
    dis = acled.get("disorder_type") or {}
    civ = acled.get("civilian_targeting") or {}
    cs: dict[str, Country] = {}
    for a2, row in (countries.get("countries") or {}).items():
        if not (isinstance(a2, str) and re.fullmatch(r"[A-Z]{2}", a2) and isinstance(row, list) and len(row) == 4
                and isinstance(row[0], str) and re.fullmatch(r"[A-Z]{3}", row[0])
                and (row[1] is None or isinstance(row[1], int)) and row[2] in ACLED_REGIONS):
            raise ValueError(f"acled_countries.yaml: bad entry {a2!r}: {row!r} "
                             "(want [ALPHA3, numeric or null, ACLED region, name]; quote codes like \"NO\")")
        cs[a2] = Country(a2, row[0], row[1], row[2], str(row[3]))
    # actor name -> type: named actors, then the generic heads' templates and fallbacks
    country_codes = {str(name).casefold(): code for code, name, *_ in actors.get("countries") or []}
    types: dict[str, tuple[str, str | None]] = {}
    for a in actors.get("actors") or []:
        t = a.get("type")
        if t not in inter:
            raise ValueError(f"actors.yaml: {a.get('name')!r} has type {t!r}, which acled.yaml's inter_codes lacks")
        types.setdefault(str(a["name"]).casefold(), (t, a.get("country")))
    templates = []
    for cls, h in (actors.get("heads") or {}).items():
        if not isinstance(h, dict):
            continue                                            # the modifiers list
        t = h.get("type")
        if t not in inter:
            raise ValueError(f"actors.yaml: head {cls!r} has type {t!r}, which acled.yaml's inter_codes lacks")
        pat = re.escape(h["name"]).replace(re.escape("{country}"), "(?P<c>.+)")
        templates.append((re.compile(pat + r"\Z", re.I), t))
        if h.get("fallback"):
            types.setdefault(str(h["fallback"]).casefold(), (t, None))
    order = tuple(scales.get("scales") or ())
    names: dict[str, str] = {}
    domains: dict[str, str] = {}
    for o in scales.get("outlets") or []:
        if o.get("scale") not in order:
            raise ValueError(f"source_scales.yaml: scale {o.get('scale')!r} is not one of {order}")
        for n in o.get("names") or []:
            names.setdefault(str(n).casefold(), o["scale"])
        for d in o.get("domains") or []:
            domains.setdefault(str(d).casefold(), o["scale"])
    return _Tables(
        inter=inter, disorder_event=dict(dis.get("event_types") or {}),
        disorder_sub=dict(dis.get("sub_event_types") or {}), civ_value=str(civ.get("value") or "Civilian targeting"),
        civ_always=frozenset(civ.get("always") or ()), civ_when_civilians=frozenset(civ.get("when_actor2_civilians") or ()),
        unknown_prefix=str(acled.get("unknown_country_prefix") or "XXX"), countries=cs, actor_types=types,
        templates=tuple(templates), country_codes=country_codes, scales=order, outlet_names=names,
        outlet_domains=domains)


# ------------------------------------------------------------------ countries

def country(code: str | None) -> Country | None:
    """ISO 3166 data and ACLED region for an ISO 3166-1 alpha-2 code (``"SY"``)."""
    return tables().countries.get(code.strip().upper()) if code else None


def event_id_cnty(country_code: str | None, number: int | str) -> str:
    """ACLED's id: the country's alpha-3 code and a number (``SYR12``)."""
    c = country(country_code)
    return f"{c.alpha3 if c else tables().unknown_prefix}{number}"


# ------------------------------------------------------------------ actors

def actor_type(name: str | None, event_country: str | None = None) -> str | None:
    """The actor type (actors.yaml's vocabulary) of an actor name as sitroom writes it; a state
    actor of another country than the event's is ``external_force``. None when unknown."""
    if not name:
        return None
    t = tables()
    key = name.strip().casefold()
    got = t.actor_types.get(key)
    if got is None:
        for pat, typ in t.templates:
            m = pat.match(name.strip())
            if m:
                got = (typ, t.country_codes.get(m.group("c").strip().casefold()))
                break
    if got is None:
        return None
    typ, home = got
    if typ == "state_forces" and home and event_country and home.upper() != event_country.strip().upper():
        return "external_force"
    return typ


def inter_code(name: str | None, event_country: str | None = None) -> int | None:
    """ACLED's inter code of an actor: 0 for no actor, None for a named actor of unknown type."""
    if not name:
        return 0
    typ = actor_type(name, event_country)
    return tables().inter.get(typ) if typ else None


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's interaction: the two codes, lower first (1 and 7 -> 17); one actor alone is its
    code and 0 (60: protesters alone). None when actor1's type is unknown or actor1 is missing."""
    if not inter1 or inter2 is None:
        return None
    if inter2 == 0:
        return inter1 * 10
    lo, hi = sorted((inter1, inter2))
    return lo * 10 + hi


# ------------------------------------------------------------------ event types

def disorder_type(event_type: str | None, sub_event_type: str | None = None) -> str | None:
    t = tables()
    if sub_event_type and sub_event_type in t.disorder_sub:
        return t.disorder_sub[sub_event_type]
    return t.disorder_event.get(event_type) if event_type else None


def civilian_targeting(event_type: str | None, inter2: int | None) -> str:
    """"Civilian targeting" when civilians were the target, else ""."""
    t = tables()
    if event_type in t.civ_always or (event_type in t.civ_when_civilians and inter2 == t.inter.get("civilians")):
        return t.civ_value
    return ""


# ------------------------------------------------------------------ sources

def outlet_scale(source: str | None = None, url: str | None = None) -> str | None:
    """The scale sitroom/data/source_scales.yaml gives an outlet, by name or by URL host."""
    t = tables()
    memo = _SCALE_MEMO
    if memo.get("tables") is not t:     # the tables were read again: forget the answers
        memo.clear()
        memo["tables"] = t
    key = (source, url)
    try:
        return memo[key]
    except KeyError:
        pass
    got = _outlet_scale(t, source, url)
    if len(memo) > _SCALE_MEMO_MAX:
        memo.clear()
        memo["tables"] = t
    memo[key] = got
    return got


#: outlet_scale's answers by (source, url), for the tables they came from (key "tables"): an
#: event listing asks for the same few outlets again and again, and a URL split is not free.
_SCALE_MEMO: dict = {}
_SCALE_MEMO_MAX = 100_000


def _outlet_scale(t: _Tables, source: str | None, url: str | None) -> str | None:
    if source:
        got = t.outlet_names.get(source.strip().casefold())
        if got:
            return got
    hosts = []
    if url:
        try:
            hosts.append((urlsplit(url.strip()).hostname or "").casefold())
        except ValueError:
            pass
    if source and re.fullmatch(r"[\w.-]+\.[a-z]{2,}", source.strip(), re.I):   # a site name that is a host
        hosts.append(source.strip().casefold())
    for host in hosts:
        parts = host.split(".")
        for i in range(len(parts) - 1):
            got = t.outlet_domains.get(".".join(parts[i:]))
            if got:
                return got
    return None


def source_scale(sources: Iterable[SourceInfo | Mapping[str, Any]]) -> str | None:
    """ACLED's source_scale of an event from what is known of its sources: each source's own
    ``scale`` (a source registry's) if given, else the outlet's scale by name or URL. Distinct
    scales are joined nearest first, as ACLED writes them ("National-International"); None when no
    source's scale is known."""
    t = tables()
    found: set[str] = set()
    canonical = {n.casefold(): n for n in t.scales}     # a registry's "national" is ACLED's "National"
    for s in sources:
        sc = s.get("scale") or outlet_scale(s.get("source"), s.get("url"))
        if sc:
            found.add(canonical.get(str(sc).casefold(), str(sc)))
    if not found:
        return None
    rank = {n: i for i, n in enumerate(t.scales)}
    return "-".join(sorted(found, key=lambda x: (rank.get(x, len(rank)), x)))


# ------------------------------------------------------------------ one event

def unix_time(value: Any) -> int | None:
    """A datetime (naive = UTC), an ISO string or a number as whole seconds since 1970."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(value.timestamp())
    return None


def acled_fields(ev: Mapping[str, Any], *, number: int | str, sources: Iterable[Mapping[str, Any]] = (),
                 updated: Any = None) -> dict[str, Any]:
    """The ACLED columns sitroom derives for one event (a pipeline event or a fused event):
    event_id_cnty (``number`` after the country's alpha-3 code), year, disorder_type, inter1,
    inter2, interaction, civilian_targeting, iso, region, source_scale, timestamp (``updated``),
    and the ones sitroom cannot know, empty: assoc_actor_2, admin3, tags."""
    cc = ev.get("country_code")
    c = country(cc)
    i1 = inter_code(ev.get("actor1"), cc)
    i2 = inter_code(ev.get("actor2"), cc)
    date = ev.get("event_date")
    year = int(str(date)[:4]) if date and str(date)[:4].isdigit() else None
    return {
        "event_id_cnty": event_id_cnty(cc, number), "year": year,
        "disorder_type": disorder_type(ev.get("event_type"), ev.get("sub_event_type")),
        "inter1": i1, "assoc_actor_2": ev.get("assoc_actor_2") or "", "inter2": i2,
        "interaction": interaction(i1, i2), "civilian_targeting": civilian_targeting(ev.get("event_type"), i2),
        "iso": c.numeric if c else None, "region": c.region if c else None, "admin3": ev.get("admin3") or "",
        "source_scale": source_scale(sources), "tags": ev.get("tags") or "", "timestamp": unix_time(updated),
    }
