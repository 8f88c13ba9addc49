"""Partitions of reports and events that can never fuse across their boundaries, and
consolidation run partition by partition (in parallel when asked) with the very result of one
run over everything.

:func:`sitroom.fuse.compare` forbids two reports of different countries (both placed in a
country) and two dated reports whose date ranges do not overlap (with ``day_slack``). A fused
event's date range is always one of its reports' ranges or their intersection, and its country one
of its reports' countries (:func:`sitroom.fuse.merge`). So reports split into independent
partitions (:func:`partitions`):

* per country, reports chained by overlapping date ranges (with the slack): a gap of more than
  the slack between two chains of one country is a boundary no event crosses; an undated report
  of a country joins all of that country's chains;
* a report with no country (or a place the gazetteer could not put in one, which is compared by
  distance across borders) is a wildcard: it joins every chain, of any country, that its date
  range comes within the slack of (an undated one joins everything).

:func:`consolidate_partitioned` gives each process a bin of partitions and every event (so that
what a decision records, the candidates a report was compared with and the closest ones
rejected, is the same as in one run), offers only the bin's reports, and puts the merges of all
bins back in the order one run makes them (each merge carries its place in the queue).
"""
from __future__ import annotations

import bisect
import heapq
from typing import Any, Iterable

from .blocking import DAY_SLACK, MemoryIndex
from .merging import consolidate
from .records import place_key
from .weights import WEIGHTS, Weights

_INF = float("inf")


def _country(m: dict) -> str | None:
    """The country a report is bound to, or None for a wildcard."""
    c, _ = place_key(m)
    return c if c and not c.startswith("@") else None


def partitions(recs: dict[Any, dict], slack: int = DAY_SLACK, order=None) -> list[list]:
    """The keys of ``recs`` (reports or events) in groups that can never fuse with each other
    (largest first; each group in key order, or ``order``'s); ``slack``: the date slack of the
    weights used."""
    o = order or (lambda k: k)
    keys = sorted(recs, key=o)
    parent = {k: k for k in keys}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a, b) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb), key=o)
            parent[hi] = lo

    def span(m: dict) -> tuple[float, float]:
        if m.get("lo") is None:
            return -_INF, _INF
        return m["lo"] - slack, m["hi"] + slack

    by_country: dict[str, list] = {}
    wild = []
    for k in keys:
        c = _country(recs[k])
        (by_country.setdefault(c, []) if c is not None else wild).append(k)
    # chains of one country: sorted by start, joined while they overlap (with the slack)
    chains: dict[str, tuple[list[float], list[float], list]] = {}   # country -> (starts, ends, a key per chain)
    for c, ks in by_country.items():
        ks.sort(key=lambda k: (span(recs[k])[0], o(k)))
        starts: list[float] = []
        ends: list[float] = []
        heads: list = []
        for k in ks:
            lo, hi = span(recs[k])
            if heads and lo <= ends[-1]:
                union(heads[-1], k)
                ends[-1] = max(ends[-1], hi)
            else:
                starts.append(lo)
                ends.append(hi)
                heads.append(k)
        chains[c] = (starts, ends, heads)
    # wildcards: with every chain their range reaches, and with each other when they overlap
    wild.sort(key=lambda k: (span(recs[k])[0], o(k)))
    run_end, run_head = -_INF, None
    for k in wild:
        lo, hi = span(recs[k])
        # a wildcard's place can replace a country's in the event it joins, and that event's
        # range can lie a slack beyond the wildcard's own: reach one slack further
        lo, hi = lo - slack, hi + slack
        if run_head is not None and lo <= run_end:
            union(run_head, k)
            run_end = max(run_end, hi)
        else:
            run_head, run_end = k, hi
        for starts, ends, heads in chains.values():
            # chains are disjoint and sorted: those overlapping [lo, hi] are contiguous
            j = bisect.bisect_right(starts, hi)          # chains starting after hi are out
            while j > 0 and ends[j - 1] >= lo:
                union(heads[j - 1], k)
                j -= 1
    groups: dict[Any, list] = {}
    for k in keys:
        groups.setdefault(find(k), []).append(k)
    return sorted(groups.values(), key=lambda g: (-len(g), o(g[0])))


def _bins(groups: list[list], touched: set, n: int) -> list[list]:
    """The groups that hold a touched key, in at most ``n`` bins of about equal size."""
    live = [g for g in groups if touched.intersection(g)]
    bins: list[list] = [[] for _ in range(max(1, min(n, len(live))))]
    sizes = [(0, i) for i in range(len(bins))]
    for g in live:                      # largest first (partitions() sorts them so)
        size, i = heapq.heappop(sizes)
        bins[i].extend(g)
        heapq.heappush(sizes, (size + len(g), i))
    return [b for b in bins if b]


def _run_bin(args) -> tuple[dict, list[dict], list[tuple], dict]:
    events, index, keys, order, rarity, weights = args
    log: dict = {}
    queue_keys: list[tuple] = []
    merges = consolidate(events, index, keys, order=order, rarity=rarity, log=log, weights=weights,
                         _queue_keys=queue_keys)
    mine = set(keys) | {k for mg in merges for k in (mg["from"], mg["into"])}
    return {k: events[k] for k in mine if k in events}, merges, queue_keys, log


def consolidate_partitioned(events: dict, index: MemoryIndex, touched: Iterable, order=lambda k: k,
                            rarity=None, log: dict | None = None, *, weights: Weights = WEIGHTS,
                            workers: int = 1, executor=None) -> list[dict]:
    """:func:`sitroom.fuse.consolidate`, partition by partition: the same merges in the same
    order, the same ``log``, ``events`` updated in place the same way (``index`` is not). Bins of
    partitions run in ``executor`` (a ``concurrent.futures`` executor of ``workers`` processes)
    when given, else one after the other, each on its own copy of the events and index."""
    touched = [k for k in touched if k in events]
    groups = partitions(events, weights.day_slack, order)
    bins = _bins(groups, set(touched), workers)
    in_bin = [sorted(set(touched).intersection(b), key=order) for b in bins]
    tasks = [({k: dict(e) for k, e in events.items()}, index.copy(), keys, order, rarity, weights)
             for keys in in_bin]
    outs = list(executor.map(_run_bin, tasks)) if executor is not None and len(tasks) > 1 else \
        [_run_bin(t) for t in tasks]
    for bin_events, merges, _, bin_log in outs:
        for mg in merges:
            events.pop(mg["from"], None)
        events.update((k, e) for k, e in bin_events.items() if k in events)
        if log is not None:
            log.update(bin_log)
    # the merges in the order one run pops them: a k-way merge of the bins' sequences by queue key
    heads = [(qks[0], i, 0) for i, (_, _, qks, _) in enumerate(outs) if qks]
    heapq.heapify(heads)
    merged: list[dict] = []
    while heads:
        _, i, j = heapq.heappop(heads)
        merged.append(outs[i][1][j])
        if j + 1 < len(outs[i][2]):
            heapq.heappush(heads, (outs[i][2][j + 1], i, j + 1))
    return merged
