"""The event store: ingest pipeline results, fuse their mentions, query and export events.

Every document is ingested in one transaction: its row, its mentions, the events they created or
updated (with their blocking-index rows), its sources, figures, claims and agreements are committed
together or not at all. Each table is written with one executemany per document (no per-row
round trips). A document whose content hash is already stored is skipped: re-ingesting changes
nothing, and an interrupted run finishes by running again.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from .. import fuse
from ..model import iso_day
from . import bulk
from . import schema as S
from .candidates import SqlCandidates
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


#: How a store transaction fuses its mentions (:attr:`Store.fusion`).
FUSION_MODES = ("single", "partitioned")



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

    def __init__(self, engine: Engine, *, run_migrations: bool = True, writer: Engine | None = None,
                 weights: fuse.Weights = fuse.WEIGHTS, fusion: str = "single", fusion_workers: int = 1,
                 pg_copy: bool | None = None) -> None:
        if fusion not in FUSION_MODES:
            raise ValueError(f"fusion: {fusion!r} is not one of {', '.join(FUSION_MODES)}")
        if fusion_workers < 1:
            raise ValueError(f"fusion_workers: {fusion_workers}: expected 1 or more")
        self.engine = engine
        self.writer = writer or engine
        #: the fusion weights ingest scores with (default: ``sitroom/data/fusion.yaml``)
        self.weights = weights
        #: "single": each transaction's fusion in one run; "partitioned": in partitions that
        #: can never fuse with each other, in ``fusion_workers`` processes (the same result)
        self.fusion = fusion
        self.fusion_workers = fusion_workers
        #: PostgreSQL: bulk rows go in with COPY (False: executemany, the same rows; see store/bulk.py)
        self.pg_copy = bulk.copy_default() if pg_copy is None else pg_copy
        self._pool = None
        if run_migrations:
            migrate(self.writer)

    @classmethod
    def open(cls, db: str | None = None, **options) -> "Store":
        """Open (and migrate) a database; ``options``: ``weights``, ``fusion``, ``fusion_workers``, ``pg_copy``."""
        engine = make_engine(db)
        if engine.dialect.name == "sqlite":
            return cls(engine, writer=make_engine(db, writer=True), **options)
        return cls(engine, **options)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
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
                conn.info["sitroom_pg_copy"] = self.pg_copy
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
        """Add the new documents of ``batch``, fusing their mentions; returns a status per result.
        Fusion decides (:func:`sitroom.fuse.plan`, over this store's :class:`SqlCandidates`);
        this writes its plan down."""
        now = datetime.now(timezone.utc)
        statuses, docs = self._new_documents(conn, batch, stats)
        if not docs:
            return statuses
        doc_evs = [[e for e in (r.get("events") or []) if isinstance(e, dict)] for r in docs]
        doc_pks = bulk.insert_returning_ids(conn, S.documents, [{
                "doc_id": _str(r.get("doc_id") or "-", 512), "content_hash": r["content_hash"],
                "title": r.get("title"), "published": iso_day(r.get("published")),
                "source": _str(r.get("source"), 512), "url": r.get("url"), "ingested_at": now,
                "n_events": len(evs), "places": r.get("places"), "dates": r.get("dates"),
                "quality": r.get("quality")} for r, evs in zip(docs, doc_evs)])
        new_docs, claim_links = [], []
        for r, pk, evs in zip(docs, doc_pks, doc_evs):
            names = fuse.document_names(r)      # a document's names, shared by its mentions
            links = _claim_links(r, evs)
            claim_links.append(links)
            new_docs.append(fuse.NewDocument(
                key=pk, content=r["content_hash"], mentions=[fuse.mention_record(e, names, pk) for e in evs],
                names=names, denied=frozenset(i for _c, ls in links for i, rel in ls if rel == "denies")))
        plan = fuse.plan(new_docs, SqlCandidates(conn, EVENT_FIELDS, split_terms), weights=self.weights,
                         partitioned=self.fusion == "partitioned", workers=self.fusion_workers,
                         executor=self._fusion_pool())
        stats.mentions += len(plan.placements)
        stats.new_events += len(plan.created)
        stats.merged += plan.joined
        stats.consolidated += len(plan.absorbed)
        ids = self._write_events(conn, plan, now)
        evidence = {(pk, i): ev for pk, evs in zip(doc_pks, doc_evs) for i, ev in enumerate(evs)}
        if plan.placements:
            bulk.insert(conn, S.mentions, [
                self._mention_row(p.mention, evidence[(p.document, p.ordinal)], p.document, p.ordinal,
                                  ids[p.event], _named_decision(p.decision, plan, ids))
                for p in plan.placements])
            bulk.insert(conn, S.event_sources, [_source_row(ids[key], pk, ms) for key, pk, ms in plan.sources()])
        claim_rows = [(pk, c, list(dict.fromkeys((plan.event_of(d, i), rel) for i, rel in ls)))
                      for d, (pk, links) in enumerate(zip(doc_pks, claim_links)) for c, ls in links]
        self._add_reports(conn, docs, doc_pks, claim_rows, ids)
        if plan.merges:     # the counts of the events that absorbed others, from the rows themselves
            grown = sorted({ids[k] for k in [*plan.created, *plan.refined]})
            ev, me, es = S.events, S.mentions, S.event_sources
            for i in range(0, len(grown), 500):
                conn.execute(sa.update(ev).where(ev.c.id.in_(grown[i:i + 500])).values(
                    n_mentions=sa.select(sa.func.count()).where(me.c.event_id == ev.c.id).scalar_subquery(),
                    n_sources=sa.select(sa.func.count()).where(es.c.event_id == ev.c.id).scalar_subquery()))
        # every event this transaction wrote, gave a mention, a source or a claim, absorbed or grew
        touched = {ids[k] for k in [*plan.created, *plan.refined]} | {ids[p.event] for p in plan.placements}
        touched |= {x for src, dst, _ in plan.absorbed for x in (src, ids.get(dst, dst)) if isinstance(x, int)}
        touched |= {ids[key] for _pk, _c, links in claim_rows for key, _rel in links}
        self.refresh_event_docs(conn, touched)
        return statuses

    def _fusion_pool(self):
        """The processes partitioned fusion runs in (started once, on first use)."""
        if self.fusion != "partitioned" or self.fusion_workers < 2:
            return None
        if self._pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor
            self._pool = ProcessPoolExecutor(max_workers=self.fusion_workers, mp_context=mp.get_context("spawn"))
        return self._pool

    @staticmethod
    def _new_documents(conn: Connection, batch: list[dict[str, Any]],
                       stats: IngestStats) -> tuple[list[str], list[dict[str, Any]]]:
        """A status per result ("added" or, content already stored, "unchanged") and the new ones."""
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
        return statuses, docs

    def _write_events(self, conn: Connection, plan: fuse.Plan, now: datetime) -> dict[Any, int]:
        """Write a plan's events: absorbed stored events moved into their absorbers, new ones
        inserted, refined ones updated, both refiled in the blocking index. Returns the id of
        every event key of the plan that survives."""
        self._absorb_stored(conn, plan.absorbed, now)
        events = plan.events
        ids: dict[Any, int] = {k: k for k in events if isinstance(k, int)}
        if plan.created:
            # ids are never given twice: an absorbed event's id keeps leading to the event that
            # absorbed it (SQLite would hand a deleted highest id out again). Writers are
            # serialised (BEGIN IMMEDIATE, or the PostgreSQL advisory lock), so max + 1 is safe.
            first = 1 + max(conn.execute(sa.select(sa.func.max(S.events.c.id))).scalar() or 0,
                            conn.execute(sa.select(sa.func.max(S.event_merges.c.from_id))).scalar() or 0)
            got = range(first, first + len(plan.created))
            bulk.insert(conn, S.events, [dict(self._event_row(events[k], now, created=True), id=i)
                                         for k, i in zip(plan.created, got)])
            ids.update(zip(plan.created, got))
        if plan.refined:
            upd = [dict(self._event_row(events[k], now), _id=k) for k in plan.refined]
            cols = {c: sa.bindparam(c) for c in upd[0] if c != "_id"}
            conn.execute(sa.update(S.events).where(S.events.c.id == sa.bindparam("_id")).values(cols), upd)
            conn.execute(sa.delete(S.event_blocks).where(S.event_blocks.c.event_id.in_(plan.refined)))
        blocks = [{"event_id": ids[k], "country": c, "place": p, "bucket": b, "pkey": f"{p}#{b}", "ckey": f"{c}#{b}"}
                  for k in [*plan.created, *plan.refined] for (c, p, b) in fuse.block_keys(events[k])]
        bulk.insert(conn, S.event_blocks, blocks)
        return ids

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
            bulk.insert(conn, S.figures, [{
                "document_id": pk, "kind": _str(f.get("kind"), 64), "value": _int(f.get("value")),
                "low": _int(f.get("low")), "high": _int(f.get("high")),
                "qualifier": _str(f.get("qualifier"), 64), "unit": _str(f.get("unit"), 64),
                "period_start": _str(f.get("period_start"), 10), "period_end": _str(f.get("period_end"), 10),
                "country": _str(f.get("country"), 128), "admin1": _str(f.get("admin1"), 128),
                "admin2": _str(f.get("admin2"), 128), "location": _str(f.get("location"), 256),
                "attributed_to": _str(f.get("attributed_to"), 256), "verified": bool(f.get("verified")),
                "data": f} for pk, f in figs])
        if claim_rows:
            claim_ids = bulk.insert_returning_ids(conn, S.claims, [{
                "document_id": pk, "kind": _str(c.get("kind"), 32), "speaker": _str(c.get("speaker"), 256),
                "speaker_role": _str(c.get("speaker_role"), 128), "date": _str(c.get("date"), 10),
                "text": c.get("text"), "target": _str(c.get("target"), 256), "data": c}
                for pk, c, _ in claim_rows])
            rows = [{"claim_id": cid, "event_id": ids[key], "relation": rel}
                    for cid, (_, _, links) in zip(claim_ids, claim_rows) for key, rel in links]
            bulk.insert(conn, S.claim_events, rows)
        ags = [(pk, a) for r, pk in zip(docs, doc_pks) for a in (r.get("agreements") or []) if isinstance(a, dict)]
        if ags:
            bulk.insert(conn, S.agreements, [{
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
                     limit: int | None = None, offset: int = 0, after: str | None = None,
                     min_confidence: float | None = None,
                     conn: Connection | None = None) -> list[dict[str, Any]]:
        """Fused events matching every given filter (case-insensitive; actor is a substring;
        since/until keep events whose date range overlaps), in (date_lo, id) order, undated last.
        ``limit``/``offset`` page them; ``after`` (a :func:`event_cursor`, the one of the last event
        of the previous page) starts after that event instead: keyset paging, whose cost does not
        grow with the depth of the page. Raises ValueError for a malformed cursor."""
        ev = S.events
        key = parse_cursor(after) if after else None
        if conn is None:
            with self.engine.connect() as c:
                return self.query_events(country=country, admin1=admin1, since=since, until=until, type=type,
                                         actor=actor, limit=limit, offset=offset, after=after,
                                         min_confidence=min_confidence, conn=c)
        conds = self._filters(conn, country=country, admin1=admin1, since=since, until=until, type=type,
                              actor=actor, min_confidence=min_confidence)
        params: dict[str, Any] = {}
        if not limit:       # everything: one ordered query
            q = sa.select(*READ_COLUMNS).where(*conds)
            if key is not None:
                q = q.where(_after(key))
            q = q.order_by(ev.c.date_lo.is_(None), ev.c.date_lo, ev.c.id)
            if offset:
                q = q.offset(offset)
        else:
            q, params = _page_select(conds, key, limit, offset, nulls_last=conn.dialect.name == "postgresql")
        rows = [dict(r) for r in conn.execute(q, params).mappings()]
        self._attach_sources(conn, rows)
        return rows

    @contextmanager
    def reading(self, *, assume: bool = False) -> Iterator[Connection]:
        """One connection for the reads of one request (a page of events and its count): the
        events' stamp (:func:`_stamp`, which the kept filter values and counts are checked
        against) is read once for all of them, and on PostgreSQL the connection runs in
        autocommit, so each read is one round trip (no BEGIN and ROLLBACK around them; the reads
        need no common snapshot: every page and count is correct for the state it read).
        :meth:`query_event_docs` and :meth:`count_events` called inside it use it. Nested calls
        share the outer connection.

        With ``assume`` (a request that starts with :meth:`query_event_docs`, as ``/api/events``
        does), the stamp is not read first: the page's filters are built from the values kept at
        the last stamp this store saw, and the page query returns the stamp with its rows (one
        round trip less). When it differs, the filters are built again, and the page read again
        if they changed (a value first written since, or a longer date range). Reads after the
        page use the stamp it returned."""
        local = self.__dict__.setdefault("_stamp_local", threading.local())
        outer = getattr(local, "conn", None)
        if outer is not None:
            yield outer
            return
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            last = self.__dict__.get("_last_stamp")
            local.conn, local.assuming = conn, False
            if assume and last is not None:
                local.stamp, local.assumed = None, last
            else:
                local.stamp, local.assumed = self._read_stamp(conn), None
            try:
                yield conn
            finally:
                local.conn = local.stamp = local.assumed = None

    def _read_stamp(self, conn: Connection) -> tuple:
        self._last_stamp = got = _stamp(conn)
        return got

    def _current_stamp(self, conn: Connection) -> tuple:
        """The stamp the kept values are checked against: the request's (:meth:`reading`), the one
        assumed while a page's filters are built, else read now."""
        local = self.__dict__.get("_stamp_local")
        stamp = getattr(local, "stamp", None)
        if stamp is not None:
            return stamp
        if getattr(local, "assuming", False):
            return local.assumed
        got = self._read_stamp(conn)
        if getattr(local, "conn", None) is not None:
            local.stamp = got
        return got

    def query_event_docs(self, *, limit: int, offset: int = 0, after: str | None = None,
                         **filters) -> list[tuple[int, date | None, str, str]]:
        """The page :meth:`query_events` returns (same filters, ``limit`` required), as (id,
        date_lo, the event's JSON text as ``/api/events`` sends it, its GeoJSON geometry text):
        the texts the store keeps (:mod:`sitroom.store.listing`), rendered here for the events
        whose text is missing or outdated."""
        key = parse_cursor(after) if after else None
        with self.reading() as conn:
            local = self.__dict__["_stamp_local"]
            assumed = getattr(local, "assumed", None) if local.stamp is None else None
            nulls_last = conn.dialect.name == "postgresql"
            local.assuming = assumed is not None    # the filters from the values kept at that stamp
            try:
                conds = self._filters(conn, **filters)
            finally:
                local.assuming = False
            q, params = _page_select(conds, key, limit, offset, docs=True, nulls_last=nulls_last,
                                     stamp=assumed is not None)
            rows = [tuple(r) for r in conn.execute(q, params)]
            if assumed is not None:     # the page read the stamp too
                local.stamp = self._last_stamp = tuple(rows[0][4:]) if rows else _stamp(conn)
                rows = [r[:4] for r in rows]
                if local.stamp != assumed:      # events written since: if the filters differ now, again
                    again = self._filters(conn, **filters)
                    if again.shape != conds.shape or again.params != conds.params:
                        q, params = _page_select(again, key, limit, offset, docs=True, nulls_last=nulls_last)
                        rows = [tuple(r) for r in conn.execute(q, params)]
            from . import listing
            return listing.page_docs(conn, rows)

    def refresh_event_docs(self, conn: Connection, event_ids: Iterable[int]) -> int:
        """Write the stored JSON of ``event_ids`` again (:func:`sitroom.store.listing.refresh`):
        every write path calls it inside its transaction, after its writes, with the ids of the
        events it touched."""
        from . import listing
        return listing.refresh(conn, event_ids)

    def iter_events(self, *, batch: int = 1000, with_mentions: bool = False, **filters) -> Iterator[dict[str, Any]]:
        """All matching events in the order of :meth:`query_events`, with ``documents`` (and
        ``mentions`` and ``claims``), read ``batch`` events at a time by keyset paging inside one
        read-only snapshot: memory stays constant whatever the number of events, and an export
        sees the database as it was when it started."""
        filters.pop("limit", None)
        filters.pop("offset", None)
        after = filters.pop("after", None)
        with self._snapshot() as conn:
            while True:
                chunk = self.query_events(**filters, limit=batch, after=after, conn=conn)
                if not chunk:
                    return
                if with_mentions:
                    ids = [r["id"] for r in chunk]
                    ms = self._mentions_for(conn, ids)
                    cs = self._claims_for(conn, ids)
                    for r in chunk:
                        r["mentions"] = ms.get(r["id"], [])
                        r["claims"] = cs.get(r["id"], [])
                yield from chunk
                if len(chunk) < batch:
                    return
                after = event_cursor(chunk[-1])

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A connection whose reads all see one state of the database (a read transaction)."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                with conn.begin():
                    yield conn
            else:       # pysqlite opens no transaction for reads: open one, so they share a snapshot
                conn.exec_driver_sql("BEGIN")
                try:
                    yield conn
                finally:
                    conn.rollback()

    # ------------------------------------------------------------------ filter values

    def _filters(self, conn: Connection, **filters) -> list:
        """:meth:`_filter_conds` with one stamp (:func:`_stamp`) for all the kept values it reads,
        instead of one per filter column."""
        local = self.__dict__.setdefault("_stamp_local", threading.local())
        if getattr(local, "stamp", None) is not None or getattr(local, "assuming", False):
            return self._filter_conds(conn, **filters)
        local.stamp = self._read_stamp(conn)
        try:
            return self._filter_conds(conn, **filters)
        finally:
            local.stamp = None

    def _filter_conds(self, conn: Connection, **filters) -> "Conds":
        """The WHERE conditions for ``filters``, as equalities on the values stored (found in
        :meth:`_stored_values`), so that the (column, date_lo, id) indexes answer them; every
        value is a named bound parameter (:class:`Conds`)."""
        ev = S.events
        conds = Conds()
        country, admin1 = filters.get("country"), filters.get("admin1")
        since, until, type_, actor = filters.get("since"), filters.get("until"), filters.get("type"), filters.get("actor")
        if country:
            c = country.strip().casefold()
            conds.any_of((ev.c.country_code, self._matching(conn, "country_code", lambda v: v.casefold() == c),
                          "lower", c),
                         (ev.c.country, self._matching(conn, "country", lambda v: v.casefold() == c), "lower", c))
        if admin1:
            a = admin1.strip().casefold()
            conds.any_of((ev.c.admin1, self._matching(conn, "admin1", lambda v: v.casefold() == a), "lower", a))
        if since:
            conds.add("since", ev.c.date_hi >= sa.bindparam("f_since", iso_day(since), type_=sa.Date))
            try:        # an event ending on or after `since` starts at most max_span days before
                lo = iso_day(since) - timedelta(days=self._max_span(conn))
                conds.add("since_lo", ev.c.date_lo >= sa.bindparam("f_since_lo", lo, type_=sa.Date))
            except OverflowError:
                pass
        if until:
            conds.add("until", ev.c.date_lo <= sa.bindparam("f_until", iso_day(until), type_=sa.Date))
        if type_:
            t = type_.strip().casefold()
            conds.any_of(
                (ev.c.sub_event_type, self._matching(conn, "sub_event_type", lambda v: v.casefold() == t), "lower", t),
                (ev.c.event_type, self._matching(conn, "event_type", lambda v: v.casefold() == t), "lower", t))
        if actor:
            x = actor.strip().casefold()
            pat = "%" + x.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conds.any_of(*[(ev.c[col], self._matching(conn, col, lambda v: x in v.casefold()), "like", pat)
                           for col in ("actor1", "actor2", "assoc_actor_1")])
        if filters.get("min_confidence"):   # calibrated: the probability that the event is real and right
            conds.add("min_confidence", _confidence_at_least(filters["min_confidence"]))
        return conds

    def warm(self) -> None:
        """Read now what the event filters keep (every filter column's values, the countries'
        names, the longest date range: :meth:`_stored_values`, :meth:`country_names`,
        :meth:`_max_span`) instead of in the first requests that need them: a server calls it
        before it serves (the longest range is a scan of every event: 80 ms at 1M events on
        PostgreSQL). Later writes are topped up as always."""
        with self.reading() as conn:
            for column in FILTER_VALUE_COLUMNS:
                self._stored_values(conn, column)
            self.country_names(conn, "")
            self._max_span(conn)

    def _matching(self, conn: Connection, column: str, pred) -> list[str] | None:
        """The stored values of ``events.column`` that satisfy ``pred``; None when there are too
        many to list (the caller then filters with LIKE, scanning)."""
        got = sorted(v for v in self._stored_values(conn, column) if pred(v))
        return got if len(got) <= MAX_IN_LIST else None

    def _stored_values(self, conn: Connection, column: str) -> frozenset[str]:
        """Every value ``events.column`` holds (a superset: values no event holds any more stay,
        and match nothing). Read once by a loose index scan (one index probe per distinct value),
        then topped up with the values of the events written since (``updated_at``)."""
        ev = S.events
        return self._kept(conn, column, lambda: frozenset(_distinct(conn, column)),
                          lambda old, since: old | frozenset(conn.execute(sa.select(ev.c[column]).where(
                              since, ev.c[column].is_not(None)).distinct()).scalars()))

    def country_names(self, conn: Connection, code: str) -> set[str]:
        """The country names events carry under the ISO code ``code`` (read once, then topped up
        from the events written since, like :meth:`_stored_values`)."""
        ev = S.events

        def pairs(where=()):
            return frozenset(tuple(r) for r in conn.execute(sa.select(ev.c.country_code, ev.c.country).where(
                *where, ev.c.country_code.is_not(None), ev.c.country.is_not(None)).distinct()))
        got = self._kept(conn, "country_pairs", pairs, lambda old, since: old | pairs((since,)))
        return {name for cc, name in got if cc.upper() == code.upper()}

    def _max_span(self, conn: Connection) -> int:
        """An upper bound of ``date_hi - date_lo`` in days over the events (the largest ever
        stored), so that ``since`` bounds ``date_lo`` from below too and reads one index range."""
        ev = S.events
        if conn.dialect.name == "postgresql":
            span = sa.func.max(ev.c.date_hi - ev.c.date_lo)
        else:
            span = sa.func.max(sa.func.julianday(ev.c.date_hi) - sa.func.julianday(ev.c.date_lo))

        def read(where=()):
            got = conn.execute(sa.select(span).where(*where)).scalar()
            return int(got or 0)
        return self._kept(conn, "max_span", read, lambda old, since: max(old, read((since,))))

    def _kept(self, conn: Connection, name: str, full, top_up):
        """A value derived from the events, recomputed in full once, then topped up from the
        events written since it was (``top_up(old, since)``, ``since`` a condition on events):
        every written event gets a new ``updated_at`` (a new event also a new id), and their
        maxima are one index probe each."""
        cache = self.__dict__.setdefault("_derived", {})
        lock = self.__dict__.setdefault("_derived_lock", threading.Lock())
        stamp = self._current_stamp(conn)
        with lock:
            hit = cache.get(name)
            busy = self.__dict__.setdefault("_derived_busy", {}).setdefault(name, threading.Lock())
        if hit is not None and hit[0] == stamp:
            return hit[1]
        with busy:      # one thread computes it; the others wait for its result
            with lock:
                hit = cache.get(name)
            if hit is not None and hit[0] == stamp:
                return hit[1]
            value = full() if hit is None or None in hit[0] else top_up(hit[1], _since(hit[0]))
            with lock:
                cache[name] = (stamp, value)
        return value

    def _attach_sources(self, conn: Connection, rows: list[dict]) -> None:
        attach_sources(conn, rows)

    def _mentions_for(self, conn: Connection, event_ids: list[int]) -> dict[int, list[dict]]:
        m, d = S.mentions, S.documents
        out: dict[int, list[dict]] = {}
        q = (sa.select(m, d.c.doc_id, d.c.source.label("doc_source"), d.c.published.label("doc_published"))
             .join(d, d.c.id == m.c.document_id).where(m.c.event_id.in_(event_ids)).order_by(m.c.id))
        for r in conn.execute(q).mappings():
            out.setdefault(r["event_id"], []).append(dict(r))
        return out

    def query_figures(self, **filters) -> list[dict[str, Any]]:
        """Figures (tallies) with their document; see :func:`sitroom.store.statements.query_figures`."""
        from .statements import query_figures
        return query_figures(self, **filters)

    def query_claims(self, **filters) -> list[dict[str, Any]]:
        """Claims with the events they are linked to; see :func:`sitroom.store.statements.query_claims`."""
        from .statements import query_claims
        return query_claims(self, **filters)

    def ceasefires(self, **filters) -> list[dict[str, Any]]:
        """Agreements with their alleged violations per day; see :func:`sitroom.store.statements.ceasefires`."""
        from .statements import ceasefires
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

    def count_events(self, *, cap: int | None = None, **filters) -> int:
        """How many fused events :meth:`query_events` with the same filters returns (without
        paging); with ``cap``, counting stops there (a bounded count: ``min(n, cap)``). Counts are
        kept until an event is written (``updated_at``), for at most COUNTS_KEPT filter sets."""
        for k in ("limit", "offset", "after"):
            filters.pop(k, None)
        ev = S.events
        with self.reading() as conn:
            key = ("count", cap, tuple(sorted((k, str(v)) for k, v in filters.items() if v)))

            def count(*_):
                if cap is None:
                    q, params = sa.select(sa.func.count()).select_from(ev).where(*self._filters(conn, **filters)), {}
                else:       # the confidence apart: see _bounded_count
                    conds = self._filters(conn, **{k: v for k, v in filters.items() if k != "min_confidence"})
                    q, params = _bounded_count(conn, conds, cap, _confidence_at_least(filters.get("min_confidence")))
                return int(conn.execute(q, params).scalar_one())
            derived = self.__dict__.setdefault("_derived", {})
            if len(derived) > COUNTS_KEPT:
                for k in [k for k in list(derived) if isinstance(k, tuple)]:
                    derived.pop(k, None)
                    self.__dict__.get("_derived_busy", {}).pop(k, None)
            return self._kept(conn, key, count, count)

    def event_ids_select(self, **filters) -> sa.Select:
        """``SELECT id FROM events WHERE <filters>``, to use as a subquery."""
        with self.engine.connect() as conn:
            return sa.select(S.events.c.id).where(*self._filters(conn, **filters))


#: The columns of ``events`` that reading needs (not the fusion bookkeeping in ``terms``).
READ_COLUMNS = tuple(c for c in S.events.c if c.name != "terms")

#: How many filter sets' counts ``count_events`` keeps.
COUNTS_KEPT = 512

#: The columns whose values the filters keep (:meth:`Store._stored_values`).
FILTER_VALUE_COLUMNS = ("country_code", "country", "admin1", "sub_event_type", "event_type", "actor1", "actor2",
                        "assoc_actor_1")

#: More stored values than this match a filter: it is answered by a scan (LIKE) instead of IN.
MAX_IN_LIST = 2000


def _stamp(conn: Connection) -> tuple:
    """(max updated_at, max id) of the events: two scalar subqueries, each one index probe. (One
    SELECT of both maxima is no probe on SQLite: its min/max optimisation needs a lone aggregate,
    and it read the whole table, 0.3 to 0.8 s at a million events, several times a request.)"""
    return tuple(conn.execute(sa.select(*_stamp_columns())).one())


def _stamp_columns() -> tuple:
    ev = sa.alias(S.events, "stamp_events")
    return (sa.select(sa.func.max(ev.c.updated_at)).scalar_subquery(),
            sa.select(sa.func.max(ev.c.id)).scalar_subquery())


def _since(stamp: tuple) -> Any:
    """Events written since ``stamp`` (max updated_at, max id): by time, or by a newer id should a
    writer's clock lag."""
    ev = S.events
    return sa.or_(ev.c.updated_at >= stamp[0], ev.c.id > stamp[1])


def _distinct(conn: Connection, column: str) -> set[str]:
    """The distinct non-null values of ``events.column`` by a loose index scan: one probe of the
    (column, date_lo, id) index per value instead of a read of every row."""
    sql = sa.text(f"""
        WITH RECURSIVE v(x) AS (
            SELECT min({column}) FROM events
            UNION ALL
            SELECT (SELECT min({column}) FROM events WHERE {column} > v.x) FROM v WHERE v.x IS NOT NULL)
        SELECT x FROM v WHERE x IS NOT NULL""")
    return set(conn.execute(sql).scalars())


class Conds(list):
    """The WHERE conditions of a set of event filters (a list of them, usable as such), each value
    a named bound parameter: ``shape`` says which conditions there are (and, per column, a list
    of stored values or the scanning fallback), ``params`` holds the values. Statements built
    from conditions of one shape are kept (:func:`_page_select`) and run again with other values:
    building and compiling a page's statement took about 1 ms of Python per request."""

    def __init__(self) -> None:
        super().__init__()
        self.shape: list = []
        self.params: dict[str, Any] = {}

    def add(self, kind: str, cond: Any) -> None:
        self.append(cond)
        self.shape.append(kind)
        self.params.update({b.key: b.value for b in _bindparams(cond)})

    def any_of(self, *alternatives: tuple) -> None:
        """OR of ``column IN (values)`` over (column, values, fallback, value) alternatives; where the
        values were too many to list (None), the fallback stands for them: ``lower(column) = value``
        (``"lower"``) or ``lower(column) LIKE value`` (``"like"``), a scan. No alternative: false."""
        conds, kinds = [], []
        for col, values, fallback, value in alternatives:
            if values is None:
                p = sa.bindparam(f"f_{col.name}_{fallback}", value)
                conds.append(sa.func.lower(col) == p if fallback == "lower" else sa.func.lower(col).like(p, escape="\\"))
                kinds.append((col.name, fallback))
            elif values:
                conds.append(col.in_(sa.bindparam(f"f_{col.name}", list(values), expanding=True)))
                kinds.append((col.name, "in"))
        if not conds:
            self.add(("false",), sa.false())
        else:
            self.add(tuple(kinds), conds[0] if len(conds) == 1 else sa.or_(*conds))


def _bindparams(cond: Any) -> list:
    from sqlalchemy.sql import visitors

    return [b for b in visitors.iterate(cond) if isinstance(b, sa.sql.elements.BindParameter)]


def _in_alternatives(cond: Any) -> list | None:
    """The legs of an OR of ``column IN (...)`` conditions (what :meth:`Conds.any_of` builds for an
    actor: actor1, actor2 or assoc_actor_1), or None."""
    from sqlalchemy.sql import operators
    from sqlalchemy.sql.elements import BinaryExpression, BooleanClauseList

    if not (isinstance(cond, BooleanClauseList) and cond.operator is operators.or_ and len(cond.clauses) > 1):
        return None
    legs = list(cond.clauses)
    ok = all(isinstance(leg, BinaryExpression) and leg.operator is operators.in_op for leg in legs)
    return legs if ok else None


def _confidence_at_least(value: float | str | None) -> Any:
    """The ``min_confidence`` filter (events without a confidence pass), or None for none."""
    if not value:
        return None
    ev = S.events
    return sa.or_(ev.c.confidence.is_(None), ev.c.confidence >= sa.bindparam("f_min_confidence", float(value)))


def _bounded_count(conn: Connection, conds: "Conds", cap: int,
                   confidence: Any = None) -> tuple[sa.Select, dict[str, Any]]:
    """``SELECT min(cap, number of events matching conds and confidence)``, as (statement, its
    parameters; the statement kept per shape, as :func:`_page_select`'s).

    On PostgreSQL, when the only filter (beside the confidence) is an OR of IN lists on several
    columns (an actor, in actor1, actor2 or assoc_actor_1), it counts the union of the legs, each
    leg stopped at ``cap`` rows: each leg is then an index-only scan of its own (column, date_lo,
    id, confidence) index that stops early, where the OR is a bitmap of every match of every leg
    built before the LIMIT can stop anything (an actor alone on 1M events: 39 ms mean, up to 95,
    against 6; with a confidence, 57 against 7). The result is the same: if every leg has fewer
    than ``cap`` matches the union is exact, and if one has ``cap`` the union has at least ``cap``
    too; such a leg answers alone, before any union is built (an actor whose actor1 leg reaches
    the cap: 8 ms against 3.4). With other filters the covering index that holds every filter
    column answers the OR better (country + type + actor: 9 ms against 15), and SQLite's
    multi-index OR stops early."""
    legs = _in_alternatives(conds[0]) if len(conds) == 1 and conn.dialect.name == "postgresql" else None
    params = dict(conds.params, p_cap=cap,
                  **({b.key: b.value for b in _bindparams(confidence)} if confidence is not None else {}))
    shape = ("count", tuple(conds.shape), confidence is not None, bool(legs))
    return _kept_statement(shape, lambda: _build_count(conds, confidence, legs)), params


def _build_count(conds: list, confidence: Any, legs: list | None) -> sa.Select:
    ev = S.events
    extra = [confidence] if confidence is not None else []
    cap = sa.bindparam("p_cap", type_=sa.Integer)
    if legs:
        parts = [sa.select(ev.c.id).where(leg, *extra).limit(cap).subquery() for leg in legs]
        union = sa.union(*[sa.select(p.c.id) for p in parts]).subquery()
        whole = sa.select(sa.func.count()).select_from(sa.select(union.c.id).limit(cap).subquery())
        # the union is built in full before its LIMIT applies; a leg that alone reaches the cap
        # answers first (PostgreSQL runs a CASE branch's subquery only when the branch is reached)
        alone = [(sa.select(sa.func.count()).select_from(p).scalar_subquery() >= cap, cap) for p in parts]
        return sa.select(sa.case(*alone, else_=whole.scalar_subquery()))
    return sa.select(sa.func.count()).select_from(sa.select(ev.c.id).where(*conds, *extra).limit(cap).subquery())


def _after(key: tuple) -> Any:
    """Rows after the cursor ``key`` in (date_lo IS NULL, date_lo, id) order."""
    ev = S.events
    undated, day, eid = key
    if undated:
        return sa.and_(ev.c.date_lo.is_(None), ev.c.id > eid)
    return sa.or_(sa.tuple_(ev.c.date_lo, ev.c.id) > sa.tuple_(sa.literal(day, sa.Date), sa.literal(eid)),
                  ev.c.date_lo.is_(None))


#: statements built from filter conditions, by their shape (:class:`Conds`): run again with other values
_STATEMENTS: dict[tuple, sa.Select] = {}


def _kept_statement(key: tuple, build) -> sa.Select:
    got = _STATEMENTS.get(key)
    if got is None:
        if len(_STATEMENTS) > 2000:     # shapes are few (filters x list or fallback); bounded anyway
            _STATEMENTS.clear()
        got = _STATEMENTS[key] = build()
    return got


def _page_select(conds: "Conds", key: tuple | None, limit: int, offset: int, docs: bool = False,
                 nulls_last: bool = False, stamp: bool = False) -> tuple[sa.Select, dict[str, Any]]:
    """One page in (date_lo IS NULL, date_lo, id) order, as (statement, its parameters). The dated
    and the undated events are two index-ordered queries of ids, each stopping at ``offset +
    limit`` (an ORDER BY on ``date_lo IS NULL`` could use no index and would sort every match);
    the outer query orders those few and reads their rows. With ``nulls_last`` (PostgreSQL, whose
    ascending indexes keep nulls last) a page without a cursor is one index-ordered query
    ``ORDER BY date_lo NULLS LAST, id``, the same order, which stops at the page's end (the
    undated events are read only when the dated ones do not fill it). With ``stamp``, each row
    also carries the events' stamp (:func:`_stamp`, computed once by the database). The statement
    is built once per shape of the filters (and cursor, offset, ``docs``) and kept; the values are
    parameters."""
    nulls_last = nulls_last and key is None
    undated, day, eid = key if key is not None else (False, None, None)
    params = dict(conds.params, p_n=offset + limit, p_limit=limit, p_offset=offset, k_day=day, k_id=eid)
    docs_version = None
    if docs:
        from . import listing
        docs_version = listing.version()
    shape = ("page", tuple(conds.shape), None if key is None else bool(undated), bool(offset), docs_version,
             nulls_last, stamp)

    def build() -> sa.Select:
        q = _build_page(conds, key, bool(offset), docs_version, nulls_last)
        return q.add_columns(*_stamp_columns()) if stamp else q
    return _kept_statement(shape, build), params


def _build_page(conds: list, key: tuple | None, offset: bool, docs_version: str | None,
                nulls_last: bool = False) -> sa.Select:
    ev = S.events
    if nulls_last:
        keys = sa.select(ev.c.id).where(*conds).order_by(ev.c.date_lo.asc().nulls_last(), ev.c.id).limit(
            sa.bindparam("p_limit", type_=sa.Integer))
        if offset:
            keys = keys.offset(sa.bindparam("p_offset", type_=sa.Integer))
        return _page_rows(keys.subquery(), docs_version)
    n = sa.bindparam("p_n", type_=sa.Integer)
    parts = []
    undated = key is not None and key[0]
    k_day, k_id = sa.bindparam("k_day", type_=sa.Date), sa.bindparam("k_id", type_=sa.Integer)
    if not undated:
        dated = sa.select(ev.c.id, ev.c.date_lo).where(*conds, ev.c.date_lo.is_not(None))
        if key is not None:
            dated = dated.where(sa.tuple_(ev.c.date_lo, ev.c.id) > sa.tuple_(k_day, k_id))
        parts.append(sa.select(dated.order_by(ev.c.date_lo, ev.c.id).limit(n).subquery()))
    und = sa.select(ev.c.id, ev.c.date_lo).where(*conds, ev.c.date_lo.is_(None))
    if undated:
        und = und.where(ev.c.id > k_id)
    # ordered as the (filter, date_lo, id) indexes are, though date_lo is null here: the planners then
    # read the undated matches in id order from the index and stop at n (ordered by id alone, they
    # would read every undated match and sort them: PostgreSQL does not take IS NULL as equality)
    parts.append(sa.select(und.order_by(ev.c.date_lo, ev.c.id).limit(n).subquery()))
    u = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    keys = sa.select(u.c.id).order_by(u.c.date_lo.is_(None), u.c.date_lo, u.c.id).limit(
        sa.bindparam("p_limit", type_=sa.Integer))
    if offset:
        keys = keys.offset(sa.bindparam("p_offset", type_=sa.Integer))
    return _page_rows(keys.subquery(), docs_version)


def _page_rows(page: Any, docs_version: str | None) -> sa.Select:
    """The rows of the events whose ids ``page`` holds, in listing order."""
    ev = S.events
    order = (ev.c.date_lo.is_(None), ev.c.date_lo, ev.c.id)
    if docs_version is not None:    # (id, date_lo, stored JSON, stored geometry): the texts only while up to date
        ed = S.event_docs
        fresh = sa.and_(ed.c.stamp == ev.c.updated_at, ed.c.version == docs_version)
        return (sa.select(ev.c.id, ev.c.date_lo, sa.case((fresh, ed.c.body)), sa.case((fresh, ed.c.geometry)))
                .join_from(ev, page, page.c.id == ev.c.id).outerjoin(ed, ed.c.event_id == ev.c.id).order_by(*order))
    return sa.select(*READ_COLUMNS).join_from(ev, page, page.c.id == ev.c.id).order_by(*order)


def attach_sources(conn: Connection, rows: list[dict]) -> None:
    """Give event rows their ``sources`` (one dict per document) and ``documents`` (doc ids)."""
    if not rows:
        return
    es, d = S.event_sources, S.documents
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        r["sources"] = []
    ids = list(by_id)
    # the scale (ACLED's source_scale) of the watched source that brought the document, if any
    wi, ws = S.metadata.tables["watch_items"], S.metadata.tables["watch_sources"]
    scale = (sa.select(ws.c.scale).join(wi, wi.c.source_id == ws.c.id)
             .where(wi.c.document_id == d.c.id, ws.c.scale.is_not(None))
             .order_by(wi.c.id).limit(1).scalar_subquery().label("scale"))
    for i in range(0, len(ids), 5000):
        q = (sa.select(es.c.event_id, es.c.fatalities, es.c.fatalities_low, es.c.fatalities_high,
                       es.c.n_mentions, d.c.doc_id, d.c.source, d.c.url, d.c.published, d.c.title, scale)
             .join(d, d.c.id == es.c.document_id).where(es.c.event_id.in_(ids[i:i + 5000]))
             .order_by(es.c.event_id, d.c.id))
        res = conn.execute(q)
        keys = list(res.keys())[1:]
        for eid, *values in res:        # one dict per source, no copy of a mapping
            by_id[eid]["sources"].append(dict(zip(keys, values)))
    for r in rows:
        r["documents"] = [s["doc_id"] for s in r["sources"]]


def event_cursor(row: dict) -> str:
    """The keyset cursor of an event row: ``YYYY-MM-DD.ID``, or ``-.ID`` for an undated event."""
    d = row.get("date_lo")
    return f"{d.isoformat() if isinstance(d, date) else (str(d)[:10] if d else '-')}.{row['id']}"


def parse_cursor(value: str) -> tuple[bool, date | None, int]:
    """(undated, date_lo, id) from :func:`event_cursor`'s string; ValueError when malformed."""
    head, sep, tail = str(value).strip().rpartition(".")
    if not sep or not tail.isdigit() or len(tail) > 18:
        raise ValueError(f"{value!r} is not a cursor (YYYY-MM-DD.ID or -.ID, from next_cursor)")
    if head == "-":
        return True, None, int(tail)
    try:
        return False, date.fromisoformat(head), int(tail)
    except ValueError:
        raise ValueError(f"{value!r} is not a cursor (YYYY-MM-DD.ID or -.ID, from next_cursor)") from None


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


def _claim_links(r: dict[str, Any], evs: list[dict]) -> list[tuple[dict, list[tuple[int, str]]]]:
    """A document's claims, each with the (ordinal, relation) of the events of the document it is
    about: a denial "denies" (and marks the event contested), an accusation "accuses"."""
    ordinal = {ev.get("event_id"): i for i, ev in enumerate(evs) if ev.get("event_id")}
    out = []
    for c in (r.get("claims") or []):
        if not isinstance(c, dict):
            continue
        rel = {"denial": "denies", "accusation": "accuses"}.get(c.get("kind"), "about")
        links: list[tuple[int, str]] = []
        for local in c.get("about") or []:
            i = ordinal.get(local)
            if i is not None and (i, rel) not in links:
                links.append((i, rel))
        out.append((c, links))
    return out


def _named_decision(dec: dict, plan: fuse.Plan, ids: dict[Any, int]) -> dict:
    """A placement's decision with the events it names by their public ids; one line per event
    it was not joined to."""
    dec = dict(dec)
    if "into" in dec:
        dec["into"] = event_code(ids[dec["into"]])
    if dec.get("rejected"):
        named: dict = {}
        for x in dec["rejected"]:
            code = event_code(ids[plan.final(x["event"])])
            named.setdefault(code, dict(x, event=code))
        dec["rejected"] = list(named.values())
    return dec


def _source_row(eid: int, doc_pk: int, ms: list[dict]) -> dict:
    lows = [x for x in (fuse.fatality_range(m)[0] for m in ms) if x is not None]
    highs = [x for x in (fuse.fatality_range(m)[1] for m in ms) if x is not None]
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
    if not (s.isascii() and s.isdigit()) or len(s) > 18:    # a database integer (< 2**63), no sign
        raise ValueError(f"{str(value)[:40]!r} is not an event id like SR12")
    return int(s)


def open_store(db: str | None = None, **options) -> Store:
    """Open (and migrate) the database named by ``db``, ``SITROOM_DB`` or ``sitroom.db``;
    ``options``: those of :meth:`Store.open`."""
    return Store.open(db, **options)
