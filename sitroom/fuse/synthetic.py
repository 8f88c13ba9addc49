"""Synthetic pipeline results with known truth, for tests and ``benchmarks/fusion.py``.

A made-up world (countries > admin1 regions > towns with coordinates) has true events; each is
reported by one to four documents, in the ways real reports differ: a coarser date ("this week",
"in January"), a province instead of the town, a sibling sub-event type (air strike vs shelling),
another fatality number, a missing actor. Documents bundle a few mentions each and arrive roughly
in date order. ``truth[doc_id][ordinal]`` is the true event of every mention.
"""
from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from typing import Any, Iterator

SUB_TYPES = [
    ("Air/drone strike", "Explosions/Remote violence"),
    ("Shelling/artillery/missile attack", "Explosions/Remote violence"),
    ("Remote explosive/landmine/IED", "Explosions/Remote violence"),
    ("Armed clash", "Battles"),
    ("Attack", "Violence against civilians"),
    ("Peaceful protest", "Protests"),
    ("Abduction/forced disappearance", "Violence against civilians"),
]
SIBLING = {"Air/drone strike": "Shelling/artillery/missile attack",
           "Shelling/artillery/missile attack": "Air/drone strike",
           "Armed clash": "Non-state actor overtakes territory"}


class World:
    def __init__(self, seed: int = 0, countries: int = 20, regions: int = 10, towns: int = 20) -> None:
        rnd = random.Random(seed)
        self.places = []      # (cc, country, admin1, a1lat, a1lon, town, lat, lon)
        self.regions = {}
        self.actors = {}
        for c in range(countries):
            cc = chr(65 + c // 26) + chr(65 + c % 26)
            clat, clon = rnd.uniform(-30, 50), rnd.uniform(-20, 100)
            self.actors[cc] = [f"Military Forces of {cc}", f"Rebels of {cc}", f"Militia {cc}-1",
                               f"Civilians ({cc})", f"Police Forces of {cc}"]
            for r in range(regions):
                a1 = f"Region {cc}-{r}"
                alat, alon = clat + rnd.uniform(-3, 3), clon + rnd.uniform(-3, 3)
                self.regions[(cc, a1)] = (alat, alon)
                for t in range(towns):
                    self.places.append((cc, f"Country {cc}", a1, alat, alon, f"Town {cc}-{r}-{t}",
                                        alat + rnd.uniform(-0.6, 0.6), alon + rnd.uniform(-0.6, 0.6)))


def iter_synthetic(n_mentions: int, seed: int = 0, per_doc: int = 3, days: int = 730,
                   world: World | None = None) -> Iterator[tuple[dict[str, Any], list[int]]]:
    """Stream (pipeline result, true event of each mention) with ``n_mentions`` mentions in all,
    in arrival order, holding only a few days of reports in memory."""
    import heapq

    rnd = random.Random(seed)
    world = world or World(seed)
    start = date(2019, 1, 1)
    per_day = max(1, n_mentions) / days / 2.43       # 2.43 reports per event on average
    heap: list[tuple[int, int, int, dict]] = []       # (arrival day, seq, true event, mention)
    emitted = made = ev = seq = ndoc = 0
    pending: list[tuple[int, dict]] = []

    def doc(chunk: list[tuple[int, dict]], arrival: int) -> tuple[dict[str, Any], list[int]]:
        nonlocal ndoc
        doc_id = f"syn-{seed}-{ndoc}"
        ndoc += 1
        evs = [dict(mm, event_id=f"ev-{j}", evidence=[{"doc_id": doc_id, "start": 0, "end": 6, "text": "strike"}])
               for j, (_, mm) in enumerate(chunk)]
        return ({"doc_id": doc_id, "content_hash": hashlib.sha256(doc_id.encode()).hexdigest(),
                 "title": f"Report {doc_id}", "published": (start + timedelta(days=arrival)).isoformat(),
                 "published_from": "metadata", "source": f"Outlet {rnd.randrange(30)}", "url": None,
                 "events": evs, "places": [], "dates": [], "figures": [], "claims": [], "agreements": [],
                 "quality": []}, [t for t, _ in chunk])

    day = 0
    while emitted < n_mentions:
        # make today's events while mentions remain to be made
        if made < n_mentions:
            k = int(per_day) + (rnd.random() < per_day - int(per_day))
            for _ in range(k):
                ev += 1
                for arrival, mm in _reports(rnd, world, start, day):
                    if made >= n_mentions:
                        break
                    seq += 1
                    made += 1
                    heapq.heappush(heap, (arrival, seq, ev, mm))
        # everything that has arrived by today goes out in documents of per_doc mentions
        while heap and (heap[0][0] <= day or made >= n_mentions):
            arrival, _, t, mm = heapq.heappop(heap)
            pending.append((t, mm))
            if len(pending) == per_doc:
                emitted += len(pending)
                yield doc(pending, arrival)
                pending = []
        if made >= n_mentions and not heap and pending:
            emitted += len(pending)
            yield doc(pending, day)
            pending = []
        day += 1


def _reports(rnd: random.Random, world: World, start: date, day: int) -> list[tuple[int, dict]]:
    cc, country, a1, alat, alon, town, lat, lon = rnd.choice(world.places)
    sub, etype = rnd.choice(SUB_TYPES)
    a1_actor, a2_actor = rnd.sample(world.actors[cc], 2)
    killed = rnd.choice([0, 0, 1, 2, 3, 5, 8, 12, 20, 35])
    out = []
    d = start + timedelta(days=day)
    for _ in range(rnd.choice([1, 1, 2, 2, 3, 3, 4])):
        mm = {"event_type": etype, "sub_event_type": sub, "actor1": a1_actor, "actor2": a2_actor,
              "country": country, "country_code": cc, "admin1": a1, "location": town,
              "latitude": round(lat + rnd.uniform(-0.01, 0.01), 5), "longitude": round(lon + rnd.uniform(-0.01, 0.01), 5),
              "geo_precision": 1, "event_date": d.isoformat(), "time_precision": 1,
              "fatalities": killed, "confidence": round(rnd.uniform(0.5, 1.0), 2)}
        r = rnd.random()
        if r < 0.12:
            mm["time_precision"] = 2
        elif r < 0.18:
            mm["event_date"], mm["time_precision"] = d.isoformat()[:7], 3
        if rnd.random() < 0.15:
            mm.update(location=None, latitude=alat, longitude=alon, geo_precision=3)
        if sub in SIBLING and rnd.random() < 0.15:
            mm["sub_event_type"] = SIBLING[sub]
        if killed and rnd.random() < 0.3:
            mm["fatalities"] = max(0, killed + rnd.choice([-2, -1, 1, 2, 3]))
        if rnd.random() < 0.2:
            mm["actor2"] = None
        out.append((day + rnd.choice([0, 0, 1, 1, 2, 4]), mm))
    return out


def synthetic_results(n_mentions: int, seed: int = 0, per_doc: int = 3, days: int = 730,
                      world: World | None = None) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """(pipeline results, truth by doc_id) with ``n_mentions`` event mentions."""
    results, truth = [], {}
    for res, t in iter_synthetic(n_mentions, seed, per_doc, days, world):
        results.append(res)
        truth[res["doc_id"]] = t
    return results, truth


def iter_mentions(results: list[dict[str, Any]]) -> Iterator[tuple[str, int, dict]]:
    for res in results:
        for j, e in enumerate(res["events"]):
            yield res["doc_id"], j, e


def pairwise_scores(assign: dict[tuple[str, int], Any], truth: dict[str, list[int]]) -> dict[str, float]:
    """Pairwise precision/recall/F1 of mention clusters against the true events."""
    from collections import Counter

    pred = Counter(assign.values())
    gold = Counter(truth[d][j] for d, j in assign)
    both = Counter((assign[(d, j)], truth[d][j]) for d, j in assign)
    pairs = lambda c: sum(n * (n - 1) // 2 for n in c.values())  # noqa: E731
    tp, pp, gp = pairs(both), pairs(pred), pairs(gold)
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "events_true": len(gold), "events_fused": len(pred)}
