"""Fusion as a plan: :func:`plan` decides, for the reports of a batch of new documents and the
stored events around them, which events to create, which reports join which events and which
stored events absorb others (refine); the store only writes that plan down.

Every report of the batch starts as an event of its own, keyed by its document's content (not by
arrival), then :func:`consolidate` joins the best-scoring pair among them and the stored events
around them, rescores the joined event, and goes on until no pair reaches the threshold (the
older event, first in :func:`event_order`, keeps its key). The stored events come from a
:class:`Candidates` source: the store's tables (``sitroom.store``) or memory
(:class:`~sitroom.fuse.memory.MemoryCandidates`); both give the same plan.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from .blocking import MemoryIndex
from .merging import consolidate
from .partition import consolidate_partitioned
from .records import EventRecord, Mention, new_event
from .weights import WEIGHTS, Weights
from .words import NameWeights


class Candidates(Protocol):
    """Where the stored events a batch may fuse with come from (the one seam between fusion and
    storage; a distributed run gives each partition its own)."""

    def candidates(self, mentions: Sequence[Mention]) -> dict[Any, EventRecord]:
        """The stored events, by key, that any of ``mentions`` finds in the blocking index
        (:func:`sitroom.fuse.candidate_keys`): fresh records the plan may change in place."""
        ...

    def name_weights(self, documents: Sequence[frozenset], events: dict[Any, EventRecord]) -> NameWeights:
        """Count the new ``documents``' proper names among those seen before and return how rare
        every name of theirs and of ``events`` is (the batch included)."""
        ...


@dataclass
class NewDocument:
    """A document of the batch: its key (the store's row id), its content hash (orders its
    events), its reports, and the ordinals of those a denial in it is about."""
    key: Any
    content: str
    mentions: list[Mention]
    names: frozenset = frozenset()
    denied: frozenset = frozenset()


@dataclass
class Placement:
    """Where one report went: its document, its ordinal there, the report, the event it ended
    in (a stored key or a new event's key) and the decision ``sitroom explain`` shows
    (``{"decision": "new"|"merged", "candidates", "rejected" | "into", "score", "reasons"}``;
    event keys in ``into`` and ``rejected`` are plan keys, for the store to name)."""
    document: Any
    ordinal: int
    mention: Mention
    event: Any
    decision: dict


@dataclass
class Plan:
    """What a batch changes: ``events`` (every event the batch touched or loaded, by key, after
    fusion), ``created`` (keys of new events, in order), ``refined`` (stored keys whose event
    changed), ``absorbed`` ((stored key, key of the event that absorbed it, merge) in order),
    ``placements`` (one per report), ``merges`` (every join, in order)."""
    events: dict[Any, EventRecord]
    created: list
    refined: list
    absorbed: list[tuple[Any, Any, dict]]
    placements: list[Placement]
    merges: list[dict]
    _step: dict = field(default_factory=dict, repr=False)
    _keys: dict = field(default_factory=dict, repr=False)

    def final(self, key: Any) -> Any:
        """The event ``key`` ended up in, following a chain of merges."""
        while key in self._step:
            key = self._step[key]
        return key

    def event_of(self, document: int, ordinal: int) -> Any:
        """The event that report ``ordinal`` of the batch's ``document``-th document ended in."""
        return self.final(self._keys[(document, ordinal)])

    def sources(self) -> list[tuple[Any, Any, list[Mention]]]:
        """(event key, document key, that document's reports of it), one per pair."""
        pooled: dict[tuple, list] = {}
        for p in self.placements:
            pooled.setdefault((p.event, p.document), []).append(p.mention)
        return [(k, d, ms) for (k, d), ms in pooled.items()]

    @property
    def joined(self) -> int:
        """Reports that joined an event (stored or of the batch) instead of starting one."""
        return sum(1 for p in self.placements if p.decision.get("decision") == "merged")


def new_key(content: str, ordinal: int) -> tuple:
    """The key of a new event (report ``ordinal`` of the document with this content hash)."""
    return ("new", (content, ordinal))


def event_order(key: Any) -> tuple:
    """Stored events (integer keys) first, oldest first; then new ones by content."""
    return (0, key, 0) if isinstance(key, int) else (1, 0, key[1])


def plan(documents: Sequence[NewDocument], source: Candidates, *, weights: Weights = WEIGHTS,
         order: Callable[[Any], Any] = event_order, partitioned: bool = False, workers: int = 1,
         executor=None) -> Plan:
    """Fuse the reports of ``documents`` with each other and with the stored events ``source``
    gives for them: what to create, join and refine. ``partitioned``: consolidate partition by
    partition (:mod:`sitroom.fuse.partition`; in ``executor``, a pool of ``workers`` processes,
    when given), with the same plan as one run."""
    events = source.candidates([m for d in documents for m in d.mentions])
    stored = set(events)
    rarity = source.name_weights([d.names for d in documents], events)
    idx = MemoryIndex()
    for k, e in events.items():
        idx.add(k, e)
    keys: dict[tuple[int, int], Any] = {}
    new_keys: list = []
    for di, d in enumerate(documents):
        for i, m in enumerate(d.mentions):
            key = new_key(d.content, i)
            events[key] = new_event(m)
            events[key]["n_sources"] = 1
            idx.add(key, events[key])
            new_keys.append(key)
            keys[(di, i)] = key
        for i in d.denied:      # a denial about a report of this document: its event is contested
            events[keys[(di, i)]]["contested"] = True
    log: dict = {}
    if partitioned:
        merges = consolidate_partitioned(events, idx, new_keys, order=order, rarity=rarity, log=log,
                                         weights=weights, workers=workers, executor=executor)
    else:
        merges = consolidate(events, idx, new_keys, order=order, rarity=rarity, log=log, weights=weights)
    out = Plan(events=events, created=[k for k in new_keys if k in events], refined=[], absorbed=[],
               placements=[], merges=merges, _step={mg["from"]: mg["into"] for mg in merges}, _keys=keys)
    out.refined = sorted({f for f in (out.final(mg["into"]) for mg in merges) if f in stored}, key=order)
    out.absorbed = [(mg["from"], out.final(mg["from"]), mg) for mg in merges if mg["from"] in stored]
    joined = {mg["from"]: mg for mg in merges}
    for di, d in enumerate(documents):
        for i, m in enumerate(d.mentions):
            key = keys[(di, i)]
            note = log.get(key) or {}
            if key in joined:
                dec = {"decision": "merged", "into": out.final(key), "score": joined[key]["score"],
                       "reasons": joined[key]["reasons"], "candidates": note.get("candidates", 0)}
            else:
                dec = {"decision": "new", "candidates": note.get("candidates", 0),
                       "rejected": [dict(x) for x in note.get("rejected") or []]}
            out.placements.append(Placement(d.key, i, m, out.final(key), dec))
    return out
