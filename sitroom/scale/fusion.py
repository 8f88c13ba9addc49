"""Fusion in partitions that can never fuse across their boundaries, run in parallel, all at once
over a set of results (a backfill, a measurement). The partitions are :mod:`sitroom.fuse.partition`'s;
``sitroom ingest --fusion partitioned`` runs the same partitioning inside each store transaction
(:func:`sitroom.fuse.plan` with ``partitioned=True``).

:func:`sitroom.fuse.compare` forbids two reports of different countries (both placed in a
country) and two dated reports whose date ranges do not overlap (with ``DAY_SLACK``). A fused
event's date range is always one of its reports' ranges or their intersection, and its country one
of its reports' countries (:func:`sitroom.fuse.merge`). So reports split into independent
partitions:

* per country, reports chained by overlapping date ranges (with the slack): a gap of more than
  the slack between two chains of one country is a boundary no event crosses; an undated report
  of a country joins all of that country's chains;
* a report with no country (or a place the gazetteer could not put in one, which is compared by
  distance across borders) is a wildcard: it joins every chain, of any country, that its date
  range comes within the slack of (an undated one joins everything).

Each partition is then fused on its own (:func:`sitroom.fuse.consolidate`, best pair first, ties
by the same global key order), in as many processes as asked. Since no pair of events from two
partitions can ever score, the merges within one partition are exactly the merges the
single-process run makes among its reports, in the same order: the result is identical (the
tests check it on the ECB+ topics, the composed examples and a synthetic set).
"""
from __future__ import annotations

from typing import Any, Iterable

from .. import fuse
from ..fuse.partition import partitions  # noqa: F401  (the partitions, public here too)


def mention_records(results: Iterable[dict[str, Any]]) -> tuple[dict[tuple[int, int], dict], fuse.NameWeights]:
    """Pipeline results -> ({(document number, ordinal): mention record}, name weights over all of them)."""
    recs: dict[tuple[int, int], dict] = {}
    weights = fuse.NameWeights()
    for d, res in enumerate(results):
        if "error" in res:
            continue
        ctx = fuse.document_names(res)
        weights.observe(ctx)
        for i, ev in enumerate(e for e in (res.get("events") or []) if isinstance(e, dict)):
            recs[(d, i)] = fuse.mention_record(ev, ctx, d)
    return recs, weights


def fuse_group(recs: dict[Any, dict], weights: fuse.NameWeights) -> tuple[dict, list[dict]]:
    """Every report an event of its own, then joined best pair first (as a store transaction
    does): (events by key, merges in order)."""
    events: dict[Any, dict] = {}
    idx = fuse.MemoryIndex()
    for k in sorted(recs):
        events[k] = fuse.new_event(recs[k])
        events[k]["n_sources"] = 1
        idx.add(k, events[k])
    merges = fuse.consolidate(events, idx, list(events), rarity=weights)
    return events, merges


def _fuse_part(args) -> tuple[dict, list[dict]]:
    recs, weights = args
    return fuse_group(recs, weights)


def fuse_partitioned(recs: dict[Any, dict], weights: fuse.NameWeights, workers: int = 1,
                     min_parallel: int = 2000) -> tuple[dict, list[dict], int]:
    """:func:`fuse_group` over all of ``recs``, run partition by partition in ``workers``
    processes: (events by key, merges, number of partitions). The merges are listed partition by
    partition (each partition's in its own order), the events equal the single run's."""
    groups = partitions(recs)
    parts = [({k: recs[k] for k in g}, weights) for g in groups]
    if workers > 1 and len(recs) >= min_parallel and len(parts) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        # big partitions first, a few at a time per task, so the processes stay busy
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
            outs = list(pool.map(_fuse_part, parts, chunksize=max(1, len(parts) // (8 * workers))))
    else:
        outs = [_fuse_part(p) for p in parts]
    events: dict = {}
    merges: list[dict] = []
    for ev, mg in outs:
        events.update(ev)
        merges += mg
    return events, merges, len(groups)


def comparable(events: dict) -> dict:
    """Events in a form to compare two runs by: every field, sets sorted, memo keys dropped."""
    out = {}
    for k, e in events.items():
        row = {}
        for f, v in e.items():
            if f.startswith("_"):
                continue
            row[f] = sorted(v) if isinstance(v, (set, frozenset)) else v
        out[k] = row
    return out
