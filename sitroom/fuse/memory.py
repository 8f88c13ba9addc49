"""Fusion without a database: :class:`MemoryCandidates` (the memory side of the
:class:`~sitroom.fuse.plan.Candidates` seam: keeps the events a sequence of plans leaves, as the
store keeps them in its tables) and :class:`Fuser` (files one report at a time into its best
candidate, then consolidates; for tests, benchmarks and evaluation)."""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from .blocking import MemoryIndex, candidate_keys
from .merging import consolidate, merge
from .plan import Plan
from .records import EventRecord, Mention, new_event
from .scoring import best_match
from .weights import WEIGHTS, Weights
from .words import MAX_NAME_LEN, NameWeights

#: Fields of a record that only memoise (recomputed on demand); not part of a stored event.
MEMO_FIELDS = ("_pk", "_na", "_nb")


class MemoryCandidates:
    """Stored events in memory, keyed by integer ids as the store's: :meth:`candidates` and
    :meth:`name_weights` for :func:`sitroom.fuse.plan`, :meth:`apply` to keep what a plan made
    (ids given as the store gives them: never twice, an absorbed event's id not reused)."""

    def __init__(self) -> None:
        self.events: dict[int, EventRecord] = {}
        self.index = MemoryIndex()
        self.doc_freq: dict[str, int] = {}
        self.documents = 0
        self.last_id = 0

    def candidates(self, mentions: Sequence[Mention]) -> dict[Any, EventRecord]:
        keys: set = set()
        for m in mentions:
            keys |= candidate_keys(m, self.index)
        out = {}
        for k in sorted(keys):
            e = {f: v for f, v in self.events[k].items() if f not in MEMO_FIELDS}
            e["source_docs"] = frozenset(e.get("source_docs") or ())
            out[k] = e
        return out

    def name_weights(self, documents: Sequence[frozenset], events: dict[Any, EventRecord]) -> NameWeights:
        self.documents += len(documents)
        for names in documents:
            for n in names:
                if len(n) <= MAX_NAME_LEN:
                    self.doc_freq[n] = self.doc_freq.get(n, 0) + 1
        return NameWeights(self.doc_freq, self.documents)

    def apply(self, plan: Plan) -> dict[Any, int]:
        """Keep what ``plan`` made; returns the id of every event key of the plan that survives."""
        ids: dict[Any, int] = {k: k for k in plan.refined}
        for src, _dst, _mg in plan.absorbed:
            self.index.remove(src)
            del self.events[src]
        for k in plan.refined:
            self.index.remove(k)
        for k in plan.created:
            self.last_id += 1
            ids[k] = self.last_id
        for k, i in ids.items():
            self.events[i] = plan.events[k]
            self.index.add(i, self.events[i])
        return ids


class Fuser:
    """Fusion without a database (tests, benchmarks, evaluation): ``add`` mentions, read ``events``.
    ``observe`` each document's names (:func:`document_names`) to weigh names by rarity."""

    def __init__(self, weights: Weights = WEIGHTS) -> None:
        self.fusion_weights = weights
        self.events: dict[int, dict] = {}
        self.index = MemoryIndex()
        self.weights = NameWeights()
        self.compared = 0
        self._last_key = 0

    def observe(self, names: Iterable[str]) -> None:
        """Count one document's proper names for :class:`NameWeights`."""
        self.weights.observe(names)

    def add(self, m: dict) -> tuple[int, dict]:
        """File a mention record; returns (event key, decision)."""
        keys = self.index.candidates(m)
        self.compared += len(keys)
        key, score, why, rejected = best_match(m, ((k, self.events[k]) for k in sorted(keys)), self.weights,
                                              weights=self.fusion_weights)
        if key is None:
            self._last_key += 1
            key = self._last_key
            self.events[key] = new_event(m)
            decision = {"decision": "new", "candidates": len(keys), "rejected": rejected}
        else:
            self.index.remove(key)
            merge(self.events[key], m)
            decision = {"decision": "merged", "score": score, "reasons": why, "candidates": len(keys)}
        self.index.add(key, self.events[key])
        return key, decision

    def consolidate(self, touched: Iterable | None = None) -> list[dict]:
        """Merge the events that turned out to be one (:func:`consolidate`); ``touched``: the
        event keys to re-offer (default: all)."""
        return consolidate(self.events, self.index, list(self.events) if touched is None else touched,
                           rarity=self.weights, weights=self.fusion_weights)
