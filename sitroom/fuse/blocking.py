"""The blocking index: which events a report is compared with.

An event is filed under (place key, week bucket) for every week its date range covers
(:func:`block_keys`), and a report only looks at events filed under its own place key (plus
coarser keys) and the weeks its own range touches (:func:`query_plan`), so fusion is near-linear
in the number of reports. An event is also filed under its longest proper names, so a report with
no place or no date finds the events whose documents name the same participants (names filed
under more than :data:`NAME_CAP` events are too common to look up). :class:`MemoryIndex` keeps
the index in memory; the store keeps the same rows in its ``event_blocks`` table.

These are the index's structure, not weights: the rows stored for an event depend on them.
"""
from __future__ import annotations

from typing import Any

from .records import place_key
from .weights import WEIGHTS

#: Days of slack between date ranges (``day_slack`` of ``sitroom/data/fusion.yaml``).
DAY_SLACK = WEIGHTS.day_slack
UNDATED = -1
MAX_BUCKETS = 60


def buckets(lo: int | None, hi: int | None, slack: int = 0) -> list[int]:
    if lo is None or hi is None:
        return [UNDATED]
    b0, b1 = (lo - slack) // 7, (hi + slack) // 7
    if b1 - b0 >= MAX_BUCKETS:
        b1 = b0 + MAX_BUCKETS - 1
    return list(range(b0, b1 + 1))


def block_keys(e: dict) -> list[tuple[str, str, int]]:
    """Rows under which an event is filed: (country key, place key, week bucket), and
    (NAME_COUNTRY, "~name", NAME_BUCKET) for up to NAME_KEYS of its proper names."""
    country, place = place_key(e)
    rows = [(country, place, b) for b in buckets(e.get("lo"), e.get("hi"))]
    rows += [(NAME_COUNTRY, NAME_PREFIX + n, NAME_BUCKET) for n in name_keys(e)]
    return rows


#: The name part of the blocking index: an event is also filed under its longest proper names
#: (the most specific: "sukanya", "philadelphia"), so a report that gives no place (or no date)
#: still finds the events whose documents name the same participants. A name filed under more
#: than NAME_CAP events is too common to block on and is ignored by lookups.
NAME_KEYS = 12
NAME_CAP = 200
NAME_BUCKET = -2
NAME_COUNTRY = "~"
NAME_PREFIX = "~"


def name_keys(e: dict) -> list[str]:
    return sorted((n for n in e.get("names") or () if len(n) <= 150), key=lambda n: (-len(n), n))[:NAME_KEYS]



def wants_names(m: dict) -> bool:
    """A mention without a place or without a date also looks its candidates up by name."""
    return bool(m.get("names")) and (not place_key(m)[0] or m.get("lo") is None)


class MemoryIndex:
    """The blocking index in memory: (place key, bucket) and (country, bucket) -> event keys."""

    def __init__(self) -> None:
        self.by_place: dict[tuple[str, int], set] = {}
        self.by_country: dict[tuple[str, int], set] = {}
        self.by_place_any: dict[str, set] = {}
        self.by_bucket: dict[int, set] = {}
        self.by_name: dict[str, set] = {}
        self.rows: dict[Any, list[tuple[str, str, int]]] = {}

    def add(self, key, e: dict) -> None:
        rows = block_keys(e)
        self.rows[key] = rows
        for country, place, b in rows:
            if b == NAME_BUCKET:
                self.by_name.setdefault(place, set()).add(key)
                continue
            self.by_place.setdefault((place, b), set()).add(key)
            self.by_country.setdefault((country, b), set()).add(key)
            self.by_place_any.setdefault(place, set()).add(key)
            self.by_bucket.setdefault(b, set()).add(key)

    def remove(self, key) -> None:
        for country, place, b in self.rows.pop(key, ()):
            if b == NAME_BUCKET:
                self.by_name[place].discard(key)
                continue
            self.by_place[(place, b)].discard(key)
            self.by_country[(country, b)].discard(key)
            self.by_place_any[place].discard(key)
            self.by_bucket[b].discard(key)

    def candidates(self, m: dict) -> set:
        return candidate_keys(m, self)

    def copy(self) -> "MemoryIndex":
        """An independent copy (its sets copied)."""
        out = MemoryIndex()
        for name in ("by_place", "by_country", "by_place_any", "by_bucket", "by_name"):
            setattr(out, name, {k: set(v) for k, v in getattr(self, name).items()})
        out.rows = dict(self.rows)
        return out


def query_plan(m: dict) -> tuple[str, list[str], list[str], list[int] | None]:
    """What a mention looks at: (mode, place keys, country keys, buckets or None for all)."""
    country, place = place_key(m)
    bs = None if m.get("lo") is None else buckets(m["lo"], m["hi"], DAY_SLACK) + [UNDATED]
    if place and place != country:           # admin1 known: same admin1, country-level, unplaced
        return "place", [place, country, ""], [], bs
    if country:                              # country only: everything in the country
        return "country", [""], [country], bs
    return "any", [], [], bs                 # no place: everything in the weeks (if dated)


def candidate_keys(m: dict, idx: MemoryIndex) -> set:
    mode, places, countries, bs = query_plan(m)
    out: set = set()
    if wants_names(m):
        for n in m["names"]:
            keys = idx.by_name.get(NAME_PREFIX + n)
            if keys and len(keys) <= NAME_CAP:
                out |= keys
    if bs is None:
        if mode == "any":
            return out                       # undated and unplaced: only events named alike
        for p in places:
            out |= idx.by_place_any.get(p, set())
        for c in countries:
            for b_key, keys in idx.by_country.items():
                if b_key[0] == c:
                    out |= keys
        return out
    for b in bs:
        if mode == "any":
            out |= idx.by_bucket.get(b, set())
            continue
        for p in places:
            out |= idx.by_place.get((p, b), set())
        for c in countries:
            out |= idx.by_country.get((c, b), set())
    return out
