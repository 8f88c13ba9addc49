"""The store's side of fusion's :class:`sitroom.fuse.Candidates` seam: the stored events a batch
may fuse with, read from the blocking index (``event_blocks``) in a few indexed IN queries per
batch, and the documents' name counts (``name_docs``)."""
from __future__ import annotations

from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import fuse
from . import bulk
from . import schema as S

#: ``name_docs``: the row that counts all documents
TOTAL = ""


class SqlCandidates:
    """:class:`sitroom.fuse.Candidates` over a store's connection (inside its ingest
    transaction). ``event_fields``: the ``events`` columns a record is read from;
    ``split_terms``: how the ``terms`` column is read back."""

    def __init__(self, conn: Connection, event_fields: Sequence[str], split_terms) -> None:
        self.conn = conn
        self.event_fields = event_fields
        self.split_terms = split_terms

    def candidates(self, mentions: Sequence[fuse.Mention]) -> dict[Any, fuse.EventRecord]:
        """The events that these mentions may fuse with: exact (place, week) and (country, week)
        keys of the blocking index, names not too common to block on."""
        conn, eb = self.conn, S.event_blocks
        pkeys: set[str] = set()
        ckeys: set[str] = set()
        any_buckets: set[int] = set()
        undated_places: set[str] = set()
        undated_countries: set[str] = set()
        name_keys: set[str] = set()
        for m in mentions:
            if fuse.wants_names(m):
                name_keys.update(fuse.NAME_PREFIX + n for n in m["names"])
            mode, places, countries, bs = fuse.query_plan(m)
            if bs is None:
                undated_places.update(places)
                undated_countries.update(countries)
            elif mode == "any":
                any_buckets.update(bs)
            else:
                pkeys.update(f"{p}#{b}" for p in places for b in bs)
                ckeys.update(f"{c}#{b}" for c in countries for b in bs)
        conds = []
        for col, values in ((eb.c.pkey, pkeys), (eb.c.ckey, ckeys), (eb.c.bucket, any_buckets),
                            (eb.c.place, undated_places), (eb.c.country, undated_countries)):
            vals = sorted(values)
            for i in range(0, len(vals), 500):
                conds.append(col.in_(vals[i:i + 500]))
        events: dict[Any, dict] = {}
        ids: set[int] = set()
        for cond in conds:
            ids.update(conn.execute(sa.select(eb.c.event_id).where(cond)).scalars())
        names = sorted(name_keys)
        for i in range(0, len(names), 500):   # names not too common to block on
            chunk = names[i:i + 500]
            usable = conn.execute(sa.select(eb.c.place).where(eb.c.place.in_(chunk), eb.c.bucket == fuse.NAME_BUCKET)
                                  .group_by(eb.c.place).having(sa.func.count() <= fuse.NAME_CAP)).scalars().all()
            if usable:
                ids.update(conn.execute(sa.select(eb.c.event_id).where(
                    eb.c.place.in_(usable), eb.c.bucket == fuse.NAME_BUCKET)).scalars())
        ids_sorted = sorted(ids)
        for i in range(0, len(ids_sorted), 500):
            for row in conn.execute(sa.select(S.events).where(S.events.c.id.in_(ids_sorted[i:i + 500]))).mappings():
                e = {k: row[k] for k in self.event_fields}
                e["terms"], e["name_counts"], e["name_n"] = self.split_terms(e["terms"])
                e["names"] = frozenset(e["name_counts"])
                e["lo"] = row["date_lo"].toordinal() if row["date_lo"] else None
                e["hi"] = row["date_hi"].toordinal() if row["date_hi"] else None
                e["source_docs"] = frozenset()
                events[row["id"]] = e
        es = S.event_sources
        for i in range(0, len(ids_sorted), 500):    # the documents each reports (see fuse.compare)
            for eid, doc in conn.execute(sa.select(es.c.event_id, es.c.document_id)
                                         .where(es.c.event_id.in_(ids_sorted[i:i + 500]))):
                events[eid]["source_docs"] = events[eid]["source_docs"] | {doc}
        return events

    def name_weights(self, documents: Sequence[frozenset], events: dict[Any, fuse.EventRecord]) -> fuse.NameWeights:
        """Count these documents and their proper names in ``name_docs`` (a row named "" counts
        all documents) and return how rare every name of theirs and of ``events`` is
        (:class:`sitroom.fuse.NameWeights`), the batch included."""
        conn, nd = self.conn, S.name_docs
        batch: dict[str, int] = {}
        for ctx in documents:
            for n in ctx:
                if len(n) <= fuse.MAX_NAME_LEN:
                    batch[n] = batch.get(n, 0) + 1
        batch[TOTAL] = len(documents)
        wanted = sorted(set(batch) | {n for e in events.values() for n in e.get("name_counts") or ()
                                      if len(n) <= fuse.MAX_NAME_LEN})
        freq: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            freq.update((n, k) for n, k in conn.execute(sa.select(nd.c.name, nd.c.documents)
                                                        .where(nd.c.name.in_(wanted[i:i + 500]))))
        fresh = [{"name": n, "documents": k} for n, k in sorted(batch.items()) if n not in freq]
        seen = [{"_name": n, "_k": k} for n, k in sorted(batch.items()) if n in freq]
        bulk.insert(conn, nd, fresh)
        if seen:
            conn.execute(sa.update(nd).where(nd.c.name == sa.bindparam("_name"))
                         .values(documents=nd.c.documents + sa.bindparam("_k")), seen)
        for n, k in batch.items():
            freq[n] = freq.get(n, 0) + k
        return fuse.NameWeights(freq, freq.pop(TOTAL))
