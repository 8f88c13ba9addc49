"""The event store: ingest pipeline results, fuse their mentions, query and export events.

Every document is ingested in one transaction: its row, its mentions, the events they created or
updated (with their blocking-index rows), its sources, figures, claims and agreements are committed
together or not at all. Each table is written with one executemany per document (no per-row
round trips). A document whose content hash is already stored is skipped: re-ingesting changes
nothing, and an interrupted run finishes by running again.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from .. import fuse
from . import schema as S
from .engine import make_engine, migrate

log = logging.getLogger("sitroom.store")

#: PostgreSQL advisory lock held by each ingest transaction (fusion reads, then writes, events).
ADVISORY_LOCK = 0x5174_5200

#: Event fields kept in the ``events`` table besides id/bookkeeping.
EVENT_FIELDS = (
    "event_date", "time_precision", "event_type", "sub_event_type", "family", "actor1",
    "assoc_actor_1", "actor2", *fuse.PLACE_FIELDS, "fatalities", "fatalities_low",
    "fatalities_high", "civilian_fatalities", "injured", "contested", "notes", "actors",
    "n_mentions", "n_sources", "confidence", "terms",
)
MENTION_FIELDS = (
    "event_date", "time_precision", "event_type", "sub_event_type", "family", "actor1",
    "assoc_actor_1", "actor2", *fuse.PLACE_FIELDS, "fatalities", "fatalities_low",
    "fatalities_high", "civilian_fatalities", "injured", "contested", "notes", "confidence",
)


def _day(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _ord_to_date(o: int | None) -> date | None:
    return date.fromordinal(o) if o is not None else None


def _int(v: Any) -> int | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _str(v: Any, n: int) -> str | None:
    if v is None:
        return None
    s = str(v)
    return s[:n]


@dataclass
class IngestStats:
    added: int = 0
    unchanged: int = 0
    errors: int = 0
    mentions: int = 0
    new_events: int = 0
    merged: int = 0
    consolidated: int = 0
    error_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("added", "unchanged", "errors", "mentions", "new_events", "merged",
                                              "consolidated")}


class Store:
    """A sitroom event database (SQLite or PostgreSQL), migrated to the current schema on open."""

    def __init__(self, engine: Engine, *, run_migrations: bool = True, writer: Engine | None = None) -> None:
        self.engine = engine
        self.writer = writer or engine
        if run_migrations:
            migrate(self.writer)

    @classmethod
    def open(cls, db: str | None = None) -> "Store":
        engine = make_engine(db)
        if engine.dialect.name == "sqlite":
            return cls(engine, writer=make_engine(db, writer=True))
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()
        if self.writer is not self.engine:
            self.writer.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ ingest

    def ingest(self, results: Iterable[dict[str, Any]], *, commit_every: int = 200,
               max_seconds: float | None = None, on_status=None, skip_failures: bool = False) -> IngestStats:
        """Store pipeline results. Documents are committed in groups of ``commit_every`` (and, if
        ``max_seconds`` is given, whenever a group has waited that long: for slow streams; the
        fused events then depend on timing, since fusion depends on how documents are grouped
        into transactions); each group is one transaction, so an interruption leaves only
        whole documents. A group that fails is replayed one document per transaction, so only the
        failing document is lost: its exception is raised, or with ``skip_failures`` logged and
        counted as an error. ``on_status(result, status)`` is called for every result with
        "added", "unchanged" or "error"."""
        self._skip_failures = skip_failures
        stats = IngestStats()
        buf: list[dict[str, Any]] = []
        started = 0.0
        for res in results:
            if "error" in res or not res.get("content_hash"):
                stats.errors += 1
                stats.error_ids.append(str(res.get("doc_id")))
                if on_status:
                    on_status(res, "error")
                continue
            if not buf:
                started = time.monotonic()
            buf.append(res)
            if len(buf) >= commit_every or (
                    max_seconds is not None and time.monotonic() - started >= max_seconds):
                self._flush(buf, stats, on_status)
                buf = []
        if buf:
            self._flush(buf, stats, on_status)
        return stats

    def ingest_result(self, res: dict[str, Any], stats: IngestStats | None = None) -> str:
        """Store one pipeline result in its own transaction; returns "added", "unchanged" or "error"."""
        got: list[str] = []
        st = self.ingest([res], commit_every=1, on_status=lambda _r, s: got.append(s))
        if stats is not None:
            for k in ("added", "unchanged", "errors", "mentions", "new_events", "merged", "consolidated"):
                setattr(stats, k, getattr(stats, k) + getattr(st, k))
            stats.error_ids += st.error_ids
        return got[0] if got else "error"

    def _flush(self, batch: list[dict[str, Any]], stats: IngestStats, on_status) -> None:
        local = IngestStats()
        try:
            with self.writer.begin() as conn:
                if conn.dialect.name == "postgresql":   # one fusing writer at a time
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK})
                statuses = self._add_batch(conn, batch, local)
        except Exception as exc:  # noqa: BLE001
            if len(batch) > 1:      # replay one by one: only the bad document is lost
                for res in batch:
                    self._flush([res], stats, on_status)
                return
            if isinstance(exc, IntegrityError) and self.has_document(batch[0]["content_hash"]):
                # another writer stored the same content meanwhile (any other integrity error is
                # a failure of this document, below, never a silent "unchanged")
                stats.unchanged += 1
                if on_status:
                    on_status(batch[0], "unchanged")
                return
            if getattr(self, "_skip_failures", False):
                log.error("%s: not stored: %s: %s", batch[0].get("doc_id"), type(exc).__name__, exc)
                stats.errors += 1
                stats.error_ids.append(str(batch[0].get("doc_id")))
                if on_status:
                    on_status(dict(batch[0], error=f"not stored: {type(exc).__name__}: {exc}"), "error")
                return
            raise
        for k in ("added", "unchanged", "mentions", "new_events", "merged", "consolidated"):
            setattr(stats, k, getattr(stats, k) + getattr(local, k))
        if on_status:
            for res, st in zip(batch, statuses):
                on_status(res, st)

    def _add_batch(self, conn: Connection, batch: list[dict[str, Any]], stats: IngestStats) -> list[str]:
        """Add the new documents of ``batch``, fusing their mentions; returns a status per result."""
        now = datetime.now(timezone.utc)
        hashes = list({r["content_hash"] for r in batch})
        seen = set(conn.execute(sa.select(S.documents.c.content_hash)
                                .where(S.documents.c.content_hash.in_(hashes))).scalars())
        statuses: list[str] = []
        docs: list[dict[str, Any]] = []
        for r in batch:
            if r["content_hash"] in seen:
                statuses.append("unchanged")
                stats.unchanged += 1
            else:
                seen.add(r["content_hash"])
                statuses.append("added")
                stats.added += 1
                docs.append(r)
        if not docs:
            return statuses

        doc_evs = [[e for e in (r.get("events") or []) if isinstance(e, dict)] for r in docs]
        doc_pks = conn.execute(
            sa.insert(S.documents).returning(S.documents.c.id, sort_by_parameter_order=True), [{
                "doc_id": _str(r.get("doc_id") or "-", 512), "content_hash": r["content_hash"],
                "title": r.get("title"), "published": _day(r.get("published")),
                "source": _str(r.get("source"), 512), "url": r.get("url"), "ingested_at": now,
                "n_events": len(evs), "places": r.get("places"), "dates": r.get("dates"),
                "quality": r.get("quality")} for r, evs in zip(docs, doc_evs)]).scalars().all()

        ctxs = [fuse.document_names(r) for r in docs]     # a document's names, shared by its mentions
        doc_mrecs = [[fuse.mention_record(e, ctx, pk) for e in evs] for evs, ctx, pk in zip(doc_evs, ctxs, doc_pks)]
        events, idx = self._candidates(conn, [m for ms in doc_mrecs for m in ms])
        weights = self._name_weights(conn, ctxs, events)
        # every mention starts as an event of its own, keyed by its content (not by arrival), then
        # the best-scoring pairs among them and the stored events around them are joined first
        new_keys: list = []
        mention_rows: list[tuple] = []      # (mrec, ev, doc_pk, ordinal, key, decision)
        claim_rows: list[tuple] = []        # (doc_pk, claim, [(key, relation)])
        for r, pk, evs, mrecs in zip(docs, doc_pks, doc_evs, doc_mrecs):
            keys = []
            for i, m in enumerate(mrecs):
                key = ("new", (r["content_hash"], i))
                events[key] = fuse.new_event(m)
                events[key]["n_sources"] = 1
                idx.add(key, events[key])
                new_keys.append(key)
                keys.append(key)
                mention_rows.append((m, evs[i], pk, i, key, {}))
            stats.mentions += len(mrecs)
            # claims: a denial about an event of this document marks its fused event contested
            local_to_key = {ev.get("event_id"): keys[i] for i, ev in enumerate(evs) if ev.get("event_id")}
            for c in (r.get("claims") or []):
                if not isinstance(c, dict):
                    continue
                rel = {"denial": "denies", "accusation": "accuses"}.get(c.get("kind"), "about")
                links = []
                for local in c.get("about") or []:
                    key = local_to_key.get(local)
                    if key is None or (key, rel) in links:
                        continue
                    links.append((key, rel))
                    if rel == "denies":
                        events[key]["contested"] = True
                claim_rows.append((pk, c, links))

        log: dict = {}
        merges = fuse.consolidate(events, idx, new_keys, order=_sort_key, weights=weights, log=log)
        final = _resolver(merges)
        joined = {mg["from"]: mg for mg in merges}
        new_keys = [k for k in new_keys if k in events]
        dirty = {final(mg["into"]) for mg in merges if isinstance(final(mg["into"]), int)}
        stats.new_events += len(new_keys)
        stats.consolidated += sum(1 for mg in merges if isinstance(mg["from"], int))
        for m, ev, pk, i, key, dec in mention_rows:
            note = log.get(key) or {}
            if key in joined:
                stats.merged += 1
                dec.update(decision="merged", into=final(key), score=joined[key]["score"],
                           reasons=joined[key]["reasons"], candidates=note.get("candidates", 0))
            else:
                dec.update(decision="new", candidates=note.get("candidates", 0),
                           rejected=[dict(x) for x in note.get("rejected") or []])
        mention_rows = [(m, ev, pk, i, final(key), dec) for m, ev, pk, i, key, dec in mention_rows]
        pooled: dict[tuple, list[dict]] = {}
        for m, _ev, pk, _i, key, _dec in mention_rows:
            pooled.setdefault((key, pk), []).append(m)
        source_rows = [(key, pk, ms) for (key, pk), ms in pooled.items()]
        claim_rows = [(pk, c, list(dict.fromkeys((final(key), rel) for key, rel in links)))
                      for pk, c, links in claim_rows]
        self._absorb_stored(conn, [(mg["from"], final(mg["from"]), mg) for mg in merges
                                   if isinstance(mg["from"], int)], now)

        # events: insert new, update changed, refile both in the blocking index
        ids: dict[Any, int] = {k: k for k in events if isinstance(k, int)}
        if new_keys:
            # ids are never given twice: an absorbed event's id keeps leading to the event that
            # absorbed it (SQLite would hand a deleted highest id out again). Writers are
            # serialised (BEGIN IMMEDIATE, or the PostgreSQL advisory lock), so max + 1 is safe.
            first = 1 + max(conn.execute(sa.select(sa.func.max(S.events.c.id))).scalar() or 0,
                            conn.execute(sa.select(sa.func.max(S.event_merges.c.from_id))).scalar() or 0)
            got = range(first, first + len(new_keys))
            conn.execute(sa.insert(S.events), [dict(self._event_row(events[k], now, created=True), id=i)
                                               for k, i in zip(new_keys, got)])
            ids.update(zip(new_keys, got))
        if dirty:
            upd = [dict(self._event_row(events[k], now), _id=k) for k in sorted(dirty)]
            cols = {c: sa.bindparam(c) for c in upd[0] if c != "_id"}
            conn.execute(sa.update(S.events).where(S.events.c.id == sa.bindparam("_id")).values(cols), upd)
            conn.execute(sa.delete(S.event_blocks).where(S.event_blocks.c.event_id.in_(sorted(dirty))))
        blocks = [{"event_id": ids[k], "country": c, "place": p, "bucket": b, "pkey": f"{p}#{b}", "ckey": f"{c}#{b}"}
                  for k in [*new_keys, *sorted(dirty)] for (c, p, b) in fuse.block_keys(events[k])]
        if blocks:
            conn.execute(sa.insert(S.event_blocks), blocks)
        for *_, dec in mention_rows:        # the events named, now that every event has its id
            if "into" in dec:
                dec["into"] = event_code(ids[dec["into"]])
            if dec.get("rejected"):         # one line per event it was not joined to
                named: dict = {}
                for x in dec["rejected"]:
                    named.setdefault(event_code(ids[final(x["event"])]), dict(x, event=event_code(ids[final(x["event"])])))
                dec["rejected"] = list(named.values())
        if mention_rows:
            conn.execute(sa.insert(S.mentions), [self._mention_row(m, ev, pk, i, ids[key], dec)
                                                  for m, ev, pk, i, key, dec in mention_rows])
            conn.execute(sa.insert(S.event_sources), [_source_row(ids[key], pk, ms) for key, pk, ms in source_rows])
        self._add_reports(conn, docs, doc_pks, claim_rows, ids)
        if merges:      # the counts of the events that absorbed others, from the rows themselves
            grown = sorted({ids[k] for k in [*new_keys, *dirty]})
            ev, me, es = S.events, S.mentions, S.event_sources
            for i in range(0, len(grown), 500):
                conn.execute(sa.update(ev).where(ev.c.id.in_(grown[i:i + 500])).values(
                    n_mentions=sa.select(sa.func.count()).where(me.c.event_id == ev.c.id).scalar_subquery(),
                    n_sources=sa.select(sa.func.count()).where(es.c.event_id == ev.c.id).scalar_subquery()))
        return statuses

    def _absorb_stored(self, conn: Connection, moves: list[tuple[int, int, dict]], now: datetime) -> None:
        """Move stored events into the events that absorbed them: their mentions, sources (one
        row per document: counts added, fatality ranges widened) and claim links; the absorbed
        rows go, and ``event_merges`` keeps each old id pointing to its event."""
        if not moves:
            return
        me, es, ce, eb, em = S.mentions, S.event_sources, S.claim_events, S.event_blocks, S.event_merges
        into = {src: dst for src, dst, _ in moves}
        gone = sorted(into)
        moved_to = sa.case(into, value=me.c.event_id)
        conn.execute(sa.update(me).where(me.c.event_id.in_(gone)).values(event_id=moved_to))
        rows = [dict(r) for r in conn.execute(sa.select(es).where(es.c.event_id.in_(gone))).mappings()]
        have = {(r["event_id"], r["document_id"]): dict(r) for r in conn.execute(
            sa.select(es).where(es.c.event_id.in_(sorted(set(into.values()))),
                                es.c.document_id.in_(sorted({r["document_id"] for r in rows}) or [-1]))).mappings()}
        conn.execute(sa.delete(es).where(es.c.event_id.in_(gone)))
        moved: dict[tuple[int, int], dict] = {}
        for r in rows:
            key = (into[r["event_id"]], r["document_id"])
            if key in moved:    # two absorbed events of one document: one source row
                m = moved[key]
                lows = [x for x in (m["fatalities_low"], r["fatalities_low"]) if x is not None]
                highs = [x for x in (m["fatalities_high"], r["fatalities_high"]) if x is not None]
                m.update(n_mentions=m["n_mentions"] + r["n_mentions"],
                         fatalities_low=min(lows) if lows else None, fatalities_high=max(highs) if highs else None)
            elif key in have:   # one document reported both: one source row
                h = have[key]
                lows = [x for x in (h["fatalities_low"], r["fatalities_low"]) if x is not None]
                highs = [x for x in (h["fatalities_high"], r["fatalities_high"]) if x is not None]
                h.update(n_mentions=h["n_mentions"] + r["n_mentions"],
                         fatalities_low=min(lows) if lows else None, fatalities_high=max(highs) if highs else None)
                h["fatalities"] = h["fatalities_low"] if h["fatalities"] is None else h["fatalities"]
                conn.execute(sa.update(es).where(es.c.event_id == key[0], es.c.document_id == key[1]).values(
                    n_mentions=h["n_mentions"], fatalities=h["fatalities"], fatalities_low=h["fatalities_low"],
                    fatalities_high=h["fatalities_high"]))
            else:
                moved[key] = dict(r, event_id=key[0])
        if moved:
            conn.execute(sa.insert(es), list(moved.values()))
        links = [dict(r) for r in conn.execute(sa.select(ce).where(ce.c.event_id.in_(gone))).mappings()]
        conn.execute(sa.delete(ce).where(ce.c.event_id.in_(gone)))
        linked = {(r["claim_id"], r["event_id"]) for r in conn.execute(
            sa.select(ce.c.claim_id, ce.c.event_id).where(ce.c.event_id.in_(sorted(set(into.values()))))).mappings()}
        fresh = []
        for r in links:
            key = (r["claim_id"], into[r["event_id"]])
            if key not in linked:
                linked.add(key)
                fresh.append({"claim_id": key[0], "event_id": key[1], "relation": r["relation"]})
        if fresh:
            conn.execute(sa.insert(ce), fresh)
        conn.execute(sa.delete(eb).where(eb.c.event_id.in_(gone)))
        # earlier aliases of an absorbed event follow it
        conn.execute(sa.update(em).where(em.c.into_id.in_(gone)).values(
            into_id=sa.case(into, value=em.c.into_id)))
        conn.execute(sa.insert(em), [{"from_id": src, "into_id": dst, "score": mg.get("score"),
                                      "reasons": mg.get("reasons"), "merged_at": now} for src, dst, mg in moves])
        conn.execute(sa.delete(S.events).where(S.events.c.id.in_(gone)))

    def _name_weights(self, conn: Connection, ctxs: list[frozenset], events: dict) -> fuse.NameWeights:
        """Count this batch's documents and their proper names in ``name_docs`` (a row named ""
        counts all documents) and return how rare every name of the batch and of its candidate
        events is (:class:`fuse.NameWeights`), the batch included."""
        nd = S.name_docs
        batch: dict[str, int] = {}
        for ctx in ctxs:
            for n in ctx:
                if len(n) <= NAME_LEN:
                    batch[n] = batch.get(n, 0) + 1
        batch[TOTAL] = len(ctxs)
        wanted = sorted(set(batch) | {n for e in events.values() for n in e.get("name_counts") or ()
                                      if len(n) <= NAME_LEN})
        freq: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            freq.update((n, k) for n, k in conn.execute(sa.select(nd.c.name, nd.c.documents)
                                                        .where(nd.c.name.in_(wanted[i:i + 500]))))
        fresh = [{"name": n, "documents": k} for n, k in sorted(batch.items()) if n not in freq]
        seen = [{"_name": n, "_k": k} for n, k in sorted(batch.items()) if n in freq]
        if fresh:
            conn.execute(sa.insert(nd), fresh)
        if seen:
            conn.execute(sa.update(nd).where(nd.c.name == sa.bindparam("_name"))
                         .values(documents=nd.c.documents + sa.bindparam("_k")), seen)
        for n, k in batch.items():
            freq[n] = freq.get(n, 0) + k
        return fuse.NameWeights(freq, freq.pop(TOTAL))

    def _candidates(self, conn: Connection, mrecs: list[dict]) -> tuple[dict, fuse.MemoryIndex]:
        """The events that this batch's mentions may fuse with: exact (place, week) and
        (country, week) keys of the blocking index, a few indexed IN queries per batch."""
        eb = S.event_blocks
        pkeys: set[str] = set()
        ckeys: set[str] = set()
        any_buckets: set[int] = set()
        undated_places: set[str] = set()
        undated_countries: set[str] = set()
        name_keys: set[str] = set()
        for m in mrecs:
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
        idx = fuse.MemoryIndex()
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
                e = {k: row[k] for k in EVENT_FIELDS}
                e["terms"], e["name_counts"], e["name_n"] = split_terms(e["terms"])
                e["names"] = frozenset(e["name_counts"])
                e["lo"] = row["date_lo"].toordinal() if row["date_lo"] else None
                e["hi"] = row["date_hi"].toordinal() if row["date_hi"] else None
                e["source_docs"] = frozenset()
                events[row["id"]] = e
                idx.add(row["id"], e)
        es = S.event_sources
        for i in range(0, len(ids_sorted), 500):    # the documents each reports (see fuse.compare)
            for eid, doc in conn.execute(sa.select(es.c.event_id, es.c.document_id)
                                         .where(es.c.event_id.in_(ids_sorted[i:i + 500]))):
                events[eid]["source_docs"] = events[eid]["source_docs"] | {doc}
        return events, idx

    @staticmethod
    def _event_row(e: dict, now: datetime, created: bool = False) -> dict:
        row = {k: e.get(k) for k in EVENT_FIELDS}
        for k, n in (("event_date", 10), ("event_type", 64), ("sub_event_type", 64), ("family", 32),
                     ("actor1", 256), ("assoc_actor_1", 256), ("actor2", 256), ("country", 128),
                     ("country_code", 2), ("admin1", 128), ("admin2", 128), ("location", 256)):
            row[k] = _str(row[k], n)
        row["contested"] = bool(row["contested"])
        row["terms"] = join_terms(row["terms"], e)
        row["date_lo"], row["date_hi"] = _ord_to_date(e.get("lo")), _ord_to_date(e.get("hi"))
        row["updated_at"] = now
        if created:
            row["created_at"] = now
        return row

    @staticmethod
    def _mention_row(m: dict, ev: dict, doc_pk: int, i: int, event_id: int, decision: dict) -> dict:
        row = {k: m.get(k) for k in MENTION_FIELDS}
        for k, n in (("event_date", 10), ("event_type", 64), ("sub_event_type", 64), ("family", 32),
                     ("actor1", 256), ("assoc_actor_1", 256), ("actor2", 256), ("country", 128),
                     ("country_code", 2), ("admin1", 128), ("admin2", 128), ("location", 256)):
            row[k] = _str(row[k], n)
        for k in ("time_precision", "geo_precision", "fatalities", "fatalities_low", "fatalities_high",
                  "civilian_fatalities", "injured"):
            row[k] = _int(row[k])
        row.update(document_id=doc_pk, event_id=event_id, ordinal=i, local_id=_str(ev.get("event_id"), 64),
                   date_lo=_ord_to_date(m.get("lo")), date_hi=_ord_to_date(m.get("hi")),
                   evidence=ev, fusion=decision)
        return row

    def _add_reports(self, conn: Connection, docs: list[dict], doc_pks: list[int],
                     claim_rows: list[tuple], ids: dict) -> None:
        figs = [(pk, f) for r, pk in zip(docs, doc_pks) for f in (r.get("figures") or []) if isinstance(f, dict)]
        if figs:
            conn.execute(sa.insert(S.figures), [{
                "document_id": pk, "kind": _str(f.get("kind"), 64), "value": _int(f.get("value")),
                "low": _int(f.get("low")), "high": _int(f.get("high")),
                "qualifier": _str(f.get("qualifier"), 64), "unit": _str(f.get("unit"), 64),
                "period_start": _str(f.get("period_start"), 10), "period_end": _str(f.get("period_end"), 10),
                "country": _str(f.get("country"), 128), "admin1": _str(f.get("admin1"), 128),
                "admin2": _str(f.get("admin2"), 128), "location": _str(f.get("location"), 256),
                "attributed_to": _str(f.get("attributed_to"), 256), "verified": bool(f.get("verified")),
                "data": f} for pk, f in figs])
        if claim_rows:
            claim_ids = conn.execute(sa.insert(S.claims).returning(S.claims.c.id, sort_by_parameter_order=True), [{
                "document_id": pk, "kind": _str(c.get("kind"), 32), "speaker": _str(c.get("speaker"), 256),
                "speaker_role": _str(c.get("speaker_role"), 128), "date": _str(c.get("date"), 10),
                "text": c.get("text"), "target": _str(c.get("target"), 256), "data": c}
                for pk, c, _ in claim_rows]).scalars().all()
            rows = [{"claim_id": cid, "event_id": ids[key], "relation": rel}
                    for cid, (_, _, links) in zip(claim_ids, claim_rows) for key, rel in links]
            if rows:
                conn.execute(sa.insert(S.claim_events), rows)
        ags = [(pk, a) for r, pk in zip(docs, doc_pks) for a in (r.get("agreements") or []) if isinstance(a, dict)]
        if ags:
            conn.execute(sa.insert(S.agreements), [{
                "document_id": pk, "kind": _str(a.get("kind"), 64), "parties": a.get("parties"),
                "agreed_date": _str(a.get("agreed_date"), 10), "effective_date": _str(a.get("effective_date"), 10),
                "area": _str(a.get("area"), 256), "status": _str(a.get("status"), 64), "data": a} for pk, a in ags])

    # ------------------------------------------------------------------ reading

    def has_document(self, content_hash: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(S.documents.c.id).where(
                S.documents.c.content_hash == content_hash)).first() is not None

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                    for t in (S.documents, S.mentions, S.events, S.event_sources, S.figures, S.claims,
                              S.agreements)}

    def query_events(self, *, country: str | None = None, admin1: str | None = None,
                     since: date | str | None = None, until: date | str | None = None,
                     type: str | None = None, actor: str | None = None,  # noqa: A002
                     limit: int | None = None, offset: int = 0,
                     min_confidence: float | None = None) -> list[dict[str, Any]]:
        """Fused events matching every given filter (case-insensitive; actor is a substring;
        since/until keep events whose date range overlaps). ``limit``/``offset`` page them."""
        ev = S.events
        q = sa.select(ev).where(*self._event_filters(country=country, admin1=admin1, since=since, until=until,
                                                     type=type, actor=actor, min_confidence=min_confidence))
        q = q.order_by(ev.c.date_lo.is_(None), ev.c.date_lo, ev.c.id)
        if limit:
            q = q.limit(limit)
        if offset:
            q = q.offset(offset)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(q).mappings()]
            self._attach_sources(conn, rows)
        return rows

    def iter_events(self, *, batch: int = 1000, with_mentions: bool = False, **filters) -> Iterator[dict[str, Any]]:
        """All matching events in date order, with ``documents`` (and ``mentions``), batch by batch."""
        rows = self.query_events(**filters)
        for i in range(0, len(rows), batch):
            chunk = rows[i:i + batch]
            if with_mentions:
                with self.engine.connect() as conn:
                    ms = self._mentions_for(conn, [r["id"] for r in chunk])
                    cs = self._claims_for(conn, [r["id"] for r in chunk])
                for r in chunk:
                    r["mentions"] = ms.get(r["id"], [])
                    r["claims"] = cs.get(r["id"], [])
            yield from chunk

    def _attach_sources(self, conn: Connection, rows: list[dict]) -> None:
        if not rows:
            return
        es, d = S.event_sources, S.documents
        by_id = {r["id"]: r for r in rows}
        for r in rows:
            r["sources"] = []
        ids = list(by_id)
        for i in range(0, len(ids), 5000):
            q = (sa.select(es.c.event_id, es.c.fatalities, es.c.fatalities_low, es.c.fatalities_high,
                           es.c.n_mentions, d.c.doc_id, d.c.source, d.c.url, d.c.published, d.c.title)
                 .join(d, d.c.id == es.c.document_id).where(es.c.event_id.in_(ids[i:i + 5000]))
                 .order_by(es.c.event_id, d.c.id))
            for s in conn.execute(q).mappings():
                s = dict(s)
                by_id[s.pop("event_id")]["sources"].append(s)
        for r in rows:
            r["documents"] = [s["doc_id"] for s in r["sources"]]

    def _mentions_for(self, conn: Connection, event_ids: list[int]) -> dict[int, list[dict]]:
        m, d = S.mentions, S.documents
        out: dict[int, list[dict]] = {}
        q = (sa.select(m, d.c.doc_id, d.c.source.label("doc_source"), d.c.published.label("doc_published"))
             .join(d, d.c.id == m.c.document_id).where(m.c.event_id.in_(event_ids)).order_by(m.c.id))
        for r in conn.execute(q).mappings():
            out.setdefault(r["event_id"], []).append(dict(r))
        return out

    def query_figures(self, **filters) -> list[dict[str, Any]]:
        """Figures (tallies) with their document; see :func:`sitroom.store.reports.query_figures`."""
        from .reports import query_figures
        return query_figures(self, **filters)

    def query_claims(self, **filters) -> list[dict[str, Any]]:
        """Claims with the events they are linked to; see :func:`sitroom.store.reports.query_claims`."""
        from .reports import query_claims
        return query_claims(self, **filters)

    def ceasefires(self, **filters) -> list[dict[str, Any]]:
        """Agreements with their alleged violations per day; see :func:`sitroom.store.reports.ceasefires`."""
        from .reports import ceasefires
        return ceasefires(self, **filters)

    def claims_for(self, event_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """event id -> the claims linked to it (relation, kind, speaker, target, text, doc_id)."""
        with self.engine.connect() as conn:
            return self._claims_for(conn, event_ids)

    def _claims_for(self, conn: Connection, event_ids: list[int]) -> dict[int, list[dict]]:
        ce, c, d = S.claim_events, S.claims, S.documents
        out: dict[int, list[dict]] = {}
        for i in range(0, len(event_ids), 500):
            for x in conn.execute(
                    sa.select(ce.c.event_id, ce.c.relation, c.c.kind, c.c.speaker, c.c.text, c.c.target, d.c.doc_id)
                    .join(c, c.c.id == ce.c.claim_id).join(d, d.c.id == c.c.document_id)
                    .where(ce.c.event_id.in_(event_ids[i:i + 500])).order_by(ce.c.event_id, c.c.id)).mappings():
                x = dict(x)
                out.setdefault(x.pop("event_id"), []).append(x)
        return out

    def event(self, event_id: int | str) -> dict[str, Any] | None:
        """One fused event with its sources and every mention (evidence + fusion decision)."""
        eid = parse_event_id(event_id)
        em = S.event_merges
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(S.events).where(S.events.c.id == eid)).mappings().first()
            redirected = None
            if row is None:     # an event that later reports joined to another: that one
                into = conn.execute(sa.select(em.c.into_id).where(em.c.from_id == eid)).scalar()
                if into is None:
                    return None
                redirected, eid = event_code(eid), into
                row = conn.execute(sa.select(S.events).where(S.events.c.id == eid)).mappings().first()
                if row is None:
                    return None
            r = dict(row)
            r["merged_from"] = redirected
            self._attach_sources(conn, [r])
            r["mentions"] = self._mentions_for(conn, [eid]).get(eid, [])
            r["claims"] = self._claims_for(conn, [eid]).get(eid, [])
            r["absorbed"] = [{"event_id": event_code(x["from_id"]), "score": x["score"], "reasons": x["reasons"] or []}
                             for x in conn.execute(sa.select(em).where(em.c.into_id == eid)
                                                   .order_by(em.c.from_id)).mappings()]
        return r

    @staticmethod
    def _event_filters(*, country: str | None = None, admin1: str | None = None,
                       since: date | str | None = None, until: date | str | None = None,
                       type: str | None = None, actor: str | None = None,  # noqa: A002
                       min_confidence: float | None = None) -> list:
        """The WHERE conditions of :meth:`query_events` and :meth:`count_events`."""
        ev = S.events
        conds = []
        if country:
            c = country.strip()
            conds.append(sa.or_(sa.func.upper(ev.c.country_code) == c.upper(),
                                sa.func.lower(ev.c.country) == c.lower()))
        if admin1:
            conds.append(sa.func.lower(ev.c.admin1) == admin1.strip().lower())
        if since:
            conds.append(ev.c.date_hi >= _day(since))
        if until:
            conds.append(ev.c.date_lo <= _day(until))
        if type:
            t = type.strip().lower()
            conds.append(sa.or_(sa.func.lower(ev.c.sub_event_type) == t, sa.func.lower(ev.c.event_type) == t))
        if actor:
            pat = f"%{actor.strip().lower()}%"
            conds.append(sa.or_(sa.func.lower(ev.c.actor1).like(pat), sa.func.lower(ev.c.actor2).like(pat),
                                sa.func.lower(ev.c.assoc_actor_1).like(pat)))
        if min_confidence:            # calibrated: the probability that the event is real and right
            conds.append(sa.or_(ev.c.confidence.is_(None), ev.c.confidence >= float(min_confidence)))
        return conds

    def count_events(self, **filters) -> int:
        """How many fused events :meth:`query_events` with the same filters returns (without paging)."""
        filters.pop("limit", None)
        filters.pop("offset", None)
        q = sa.select(sa.func.count()).select_from(S.events).where(*self._event_filters(**filters))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())


#: The ``events.terms`` column holds the content words of the sources' evidence (``fuse.terms``)
#: and, marked, the proper names of their documents with how many mentions' documents name each
#: (``"^3^sukanya"``) and how many mentions brought names (``"^#4"``).
NAME_MARK = "^"


def join_terms(words, e: dict) -> list[str]:
    counts = e.get("name_counts") or {n: 1 for n in e.get("names") or ()}
    out = sorted(words or ()) + sorted(f"{NAME_MARK}{c}{NAME_MARK}{n}" for n, c in counts.items())
    if counts:
        out.append(f"{NAME_MARK}#{e.get('name_n') or 1}")
    return out


def split_terms(stored) -> tuple[frozenset, dict[str, int], int]:
    """(content words, name -> count, mentions with names) from an ``events.terms`` value."""
    words, counts, n = [], {}, 0
    for t in stored or ():
        if not t.startswith(NAME_MARK):
            words.append(t)
        elif t.startswith(NAME_MARK + "#"):
            n = int(t[2:]) if t[2:].isdigit() else 1
        else:
            c, _, name = t[1:].partition(NAME_MARK)
            if name and c.isdigit():
                counts[name] = int(c)
            else:
                counts[t[1:]] = 1
    return frozenset(words), counts, n or (1 if counts else 0)


def _sort_key(k: Any) -> tuple:
    return (0, k, 0) if isinstance(k, int) else (1, 0, k[1])


def _resolver(merges: list[dict]):
    """key -> the event it ended up in, following a chain of merges."""
    step = {mg["from"]: mg["into"] for mg in merges}

    def final(k):
        while k in step:
            k = step[k]
        return k
    return final


#: ``name_docs``: the longest name counted, and the row that counts all documents
NAME_LEN = 160
TOTAL = ""


def _source_row(eid: int, doc_pk: int, ms: list[dict]) -> dict:
    lows = [x for x in (fuse._fat_range(m)[0] for m in ms) if x is not None]
    highs = [x for x in (fuse._fat_range(m)[1] for m in ms) if x is not None]
    return {"event_id": eid, "document_id": doc_pk, "n_mentions": len(ms),
            "fatalities": _int(max(lows)) if lows else None,
            "fatalities_low": _int(min(lows)) if lows else None,
            "fatalities_high": _int(max(highs)) if highs else None}


def event_code(eid: int) -> str:
    """The public id of a fused event: ``SR`` + its row id."""
    return f"SR{eid}"


def parse_event_id(value: int | str) -> int:
    s = str(value).strip()
    if s.upper().startswith("SR"):
        s = s[2:]
    return int(s)


def open_store(db: str | None = None) -> Store:
    """Open (and migrate) the database named by ``db``, ``SITROOM_DB`` or ``sitroom.db``."""
    return Store.open(db)
