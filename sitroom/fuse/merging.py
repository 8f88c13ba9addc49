"""Folding a report into an event (:func:`merge`) and an event into another
(:func:`merge_events`): dates intersect, the more precise place refines, every source's figures
are kept as a range, names are counted per source. :func:`consolidate` joins the events that turn
out to be one, best-scoring pair first."""
from __future__ import annotations

import heapq
from typing import Any, Iterable

from .blocking import MemoryIndex
from .records import PLACE_FIELDS, fatality_range, norm, place_key
from .scoring import compare
from .signals import near_region
from .weights import WEIGHTS, Weights
from .words import MAX_NAMES, MAX_TERMS, NameWeights

#: How far (km) a point may lie from a named region's point (a sea, a desert) and still refine it.
REGION_KM = WEIGHTS.region_km


def inside(m: dict, e: dict) -> bool:
    """Whether mention ``m``'s place can refine event ``e``'s: the same country (and admin1, when
    both give one); a named region without a country ("Gulf of Aden") only by a point near it, so
    a stray town elsewhere never relocates the event."""
    if not place_key(e)[0]:
        return True
    cm, ce = norm(m.get("country_code")), norm(e.get("country_code"))
    if ce:
        if cm != ce:
            return False
        a1m, a1e = norm(m.get("admin1")), norm(e.get("admin1"))
        return not (a1m and a1e and a1m != a1e)
    return near_region(m, e, REGION_KM)


def merge(e: dict, m: dict) -> dict:
    """Fold mention ``m`` into event ``e`` (in place); returns ``e``."""
    e.pop("_na", None)
    e.pop("_nb", None)
    e["n_mentions"] = (e.get("n_mentions") or 0) + 1
    # date: intersect ranges; the more precise report's date wins
    if m.get("lo") is not None:
        pm, pe = m.get("time_precision") or 4, e.get("time_precision") or 4
        if e.get("lo") is None:
            e["lo"], e["hi"] = m["lo"], m["hi"]
            e["event_date"], e["time_precision"] = m["event_date"], m["time_precision"]
        else:
            lo, hi = max(e["lo"], m["lo"]), min(e["hi"], m["hi"])
            if pm < pe:
                e["event_date"], e["time_precision"] = m["event_date"], m["time_precision"]
            if lo <= hi:
                e["lo"], e["hi"] = lo, hi
            elif pm < pe:
                e["lo"], e["hi"] = m["lo"], m["hi"]
    # place: a more precise report refines the location
    gm, ge = m.get("geo_precision"), e.get("geo_precision")
    if place_key(m)[0] and (not place_key(e)[0] or (gm is not None and (ge is None or gm < ge))) \
            and inside(m, e):
        for k in PLACE_FIELDS:
            e[k] = m.get(k)
        e["_pk"] = m["_pk"]
    else:
        for k in ("country", "country_code", "admin1", "admin2"):
            if not e.get(k) and m.get(k) and norm(m.get("country_code")) == norm(e.get("country_code")):
                e[k] = m[k]
                e.pop("_pk", None)
    # type, actors
    for k in ("sub_event_type", "event_type", "family", "actor1", "actor2", "assoc_actor_1"):
        if not e.get(k) and m.get(k):
            e[k] = m[k]
    e["actors"] = sorted(set(e.get("actors") or ()) | set(m.get("actors") or ()))
    if m.get("source_docs"):
        e["source_docs"] = frozenset(e.get("source_docs") or ()) | m["source_docs"]
    tm = m.get("terms")
    if tm:
        te = e.get("terms") or frozenset()
        if len(te) < MAX_TERMS:
            e["terms"] = frozenset(te | tm) if len(te | tm) <= MAX_TERMS else \
                frozenset(list(te) + sorted(tm - te)[:MAX_TERMS - len(te)])
    nm = m.get("names")
    if nm:
        counts = dict(e.get("name_counts") or {n: 1 for n in e.get("names") or ()})
        for x in nm:
            counts[x] = counts.get(x, 0) + 1
        if len(counts) > MAX_NAMES:     # keep the names most sources give
            counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NAMES])
        e["name_counts"] = counts
        e["name_n"] = (e.get("name_n") or (1 if e.get("names") else 0)) + 1
        e["names"] = frozenset(counts)
    # figures: every source's number is kept; the event spans them, ACLED-style conservative best
    lm, hm = fatality_range(m)
    if lm is not None:
        e["fatalities_low"] = lm if e.get("fatalities_low") is None else min(e["fatalities_low"], lm)
        e["fatalities_high"] = hm if e.get("fatalities_high") is None else max(e["fatalities_high"], hm)
        e["fatalities"] = e["fatalities_low"]
    for k in ("civilian_fatalities", "injured"):
        if m.get(k) is not None:
            e[k] = m[k] if e.get(k) is None else max(e[k], m[k])
    if m.get("confidence") is not None:
        e["confidence"] = max(e.get("confidence") or 0.0, m["confidence"])
    e["contested"] = bool(e.get("contested") or m.get("contested"))
    if not e.get("notes") and m.get("notes"):
        e["notes"] = m["notes"]
    return e


def merge_events(dst: dict, src: dict) -> dict:
    """Fold event ``src`` into event ``dst`` (in place): as :func:`merge` with ``src`` as one
    report, then the counts of both sides added up."""
    n = (dst.get("n_mentions") or 0) + (src.get("n_mentions") or 1)
    counts = dict(dst.get("name_counts") or {})
    for x, c in (src.get("name_counts") or {}).items():
        counts[x] = counts.get(x, 0) + c
    name_n = (dst.get("name_n") or 0) + (src.get("name_n") or 0)
    merge(dst, src)
    if counts:
        if len(counts) > MAX_NAMES:
            counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NAMES])
        dst["name_counts"], dst["name_n"], dst["names"] = counts, name_n, frozenset(counts)
    dst["n_mentions"] = n
    return dst


def consolidate(events: dict, index: MemoryIndex, touched: Iterable, order=lambda k: k,
                rarity: NameWeights | None = None, log: dict | None = None, *,
                weights: Weights = WEIGHTS, _queue_keys: list | None = None) -> list[dict]:
    """Join the events that turn out to be one, best-scoring pair first.

    Every event in ``touched`` is compared with the events the ``index`` gives for it (the one
    with fewer mentions as the report, the other as the event); every pair scoring
    the threshold or more waits in a queue, best first (ties: first in ``order``). The best pair
    becomes one event (the one first in ``order``, the older, absorbs the other); the joined event
    is compared again with its candidates, and so on until no pair reaches the threshold. So the
    result depends on the events and on ``order`` only, not on the order they came in. ``events``
    and ``index`` are updated in place. Returns the merges in order: ``{"from", "into", "score",
    "reasons"}``. ``rarity``: how rare names are; ``weights``: the fusion weights. ``log``, if given, receives for each touched key the number of candidates it
    was first compared with and the best-scoring 5 of those that scored too low (the closest
    calls first): ``{"candidates", "rejected"}``."""
    version: dict[Any, int] = {}
    queue: list[tuple] = []

    def offer(k) -> None:
        cands = index.candidates(events[k])
        note = None
        if log is not None and k not in log:
            note = log[k] = {"candidates": len(cands - {k}), "rejected": []}
        for c in sorted(cands, key=order):
            if c == k or c not in events:
                continue
            a, b = sorted((k, c), key=order)                    # a: the older
            n_a, n_b = (events[x].get("n_mentions") or 1 for x in (a, b))
            report, event = (a, b) if n_a < n_b else (b, a)     # the smaller side is the report
            s, why = compare(events[report], events[event], rarity, weights=weights)
            if (s is None or s < weights.threshold) and note is not None:
                note["rejected"].append({"event": c, "score": s, "reasons": why})
            if s is not None and s >= weights.threshold:
                heapq.heappush(queue, (-s, order(a), order(b), version.get(a, 0), version.get(b, 0), a, b, why))
        if note is not None:    # the closest calls, stable for equal scores
            note["rejected"] = sorted(note["rejected"], key=lambda x: -1.0 if x["score"] is None else -x["score"])[:5]

    for k in sorted((k for k in set(touched) if k in events), key=order):
        offer(k)
    merges: list[dict] = []
    while queue:
        neg, _, _, va, vb, a, b, why = heapq.heappop(queue)
        if a not in events or b not in events or version.get(a, 0) != va or version.get(b, 0) != vb:
            continue                                            # one side changed since: rescored
        index.remove(b)
        index.remove(a)
        merge_events(events[a], events.pop(b))
        version[a] = version.get(a, 0) + 1
        index.add(a, events[a])
        merges.append({"from": b, "into": a, "score": -neg, "reasons": why})
        if _queue_keys is not None:     # where it stood in the queue (partitioned runs interleave by it)
            _queue_keys.append((neg, order(a), order(b), va, vb))
        offer(a)
    return merges
