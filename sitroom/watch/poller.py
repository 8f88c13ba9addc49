"""One poll of the due sources: list, fetch, extract, deduplicate, ingest and fuse.

State lives in the database, so a stopped or killed watcher resumes where it was:

* every article URL a listing offers is first recorded (``watch_items``, state ``pending``) in the
  same transaction that stores the listing's new ETag/Last-Modified, so nothing listed is lost;
* an article is ingested (one transaction, :meth:`sitroom.store.Store.ingest_result`), then its
  item is marked done. Killed in between, the next run fetches it again, finds its content hash
  stored and marks it done: never two documents for one article;
* pending articles of every source are taken up on the next round whether or not the source is due.

Deduplication before extraction: the canonical URL (:mod:`.canon`), then the content hash, then a
near-duplicate sketch against the documents the watcher stored (a syndicated copy with another
header). A copy is recorded in ``document_copies`` against the document it repeats.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

import sqlalchemy as sa

from ..store import schema as S
from . import canon, discover
from . import schema as W
from .fetcher import FetchFailed, FetchSettings, PoliteFetcher, Stopped
from .registry import aware, now_utc

log = logging.getLogger("sitroom.watch")

#: a source that keeps failing waits interval * 2**errors, at most this long
MAX_BACKOFF = 6 * 3600
#: an article whose fetch failed for a transient reason is tried this many times
MAX_ATTEMPTS = 3
#: sketches of the most recent documents kept for near-duplicate checks
SKETCHES = 20000


@dataclass
class SourceStats:
    name: str
    listed: int = 0
    new_items: int = 0
    added: int = 0
    same_text: int = 0                   # the text of a stored document, at another URL
    copies: int = 0
    skipped: int = 0
    failed: int = 0
    pending: int = 0
    not_modified: bool = False
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RoundStats:
    started: datetime
    sources: list[SourceStats] = field(default_factory=list)
    stopped: bool = False

    def total(self, key: str) -> int:
        return sum(getattr(s, key) for s in self.sources)


@dataclass
class WatchSettings:
    fetch: FetchSettings = field(default_factory=FetchSettings)
    every: float | None = None            # poll every source this often (else its own interval)
    max_attempts: int = MAX_ATTEMPTS
    max_backoff: float = MAX_BACKOFF


class Watcher:
    def __init__(self, store, settings: WatchSettings | None = None, *, stop: threading.Event | None = None,
                 pipeline=None, on_progress: Callable[[str, dict], None] | None = None) -> None:
        self.store = store
        self.s = settings or WatchSettings()
        self.stop = stop or threading.Event()
        self._pipeline = pipeline
        self.on_progress = on_progress or (lambda what, info: None)
        self._log_rows: list[dict] = []
        self.fetcher = PoliteFetcher(self.s.fetch, wait=self.stop.wait, on_fetch=self._log_rows.append)
        self.sketches = canon.SketchIndex()
        self._load_sketches()

    # ------------------------------------------------------------------ setup

    @property
    def pipeline(self):
        if self._pipeline is None:
            from ..pipeline import Pipeline
            self._pipeline = Pipeline()
        return self._pipeline

    def _load_sketches(self) -> None:
        it = W.watch_items
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(it.c.document_id, it.c.fingerprint)
                                .where(it.c.fingerprint.is_not(None), it.c.document_id.is_not(None),
                                       it.c.result == "added")
                                .order_by(it.c.id.desc()).limit(SKETCHES)).all()
        for doc_id, fp in reversed(rows):
            self.sketches.add(doc_id, canon.parse_sketch(fp))

    # ------------------------------------------------------------------ rounds

    def sources(self, names: list[str] | None = None) -> list[dict]:
        t = W.watch_sources
        q = sa.select(t).where(t.c.enabled.is_(True)).order_by(t.c.id)
        if names:
            q = q.where(t.c.name.in_(names))
        with self.store.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(q).mappings()]
        for r in rows:
            for k in ("last_fetch_at", "next_due_at", "last_ok_at", "last_new_at"):
                r[k] = aware(r[k])
        return rows

    def is_due(self, src: dict, now: datetime) -> bool:
        if src["last_fetch_at"] is None:
            return True
        if src["errors_in_row"] and src["next_due_at"] is not None:
            return now >= src["next_due_at"]         # a failing source waits out its backoff
        interval = self.s.every if self.s.every else src["interval_s"]
        return now >= src["last_fetch_at"] + timedelta(seconds=interval)

    def next_due(self, now: datetime | None = None) -> datetime | None:
        """When the earliest source is next due (None: no source)."""
        now = now or now_utc()
        best = None
        for src in self.sources():
            if src["last_fetch_at"] is None:
                return now
            if src["errors_in_row"] and src["next_due_at"] is not None:
                when = src["next_due_at"]
            else:
                when = src["last_fetch_at"] + timedelta(seconds=self.s.every or src["interval_s"])
            best = when if best is None or when < best else best
        return best

    def poll(self, *, force: bool = False, names: list[str] | None = None) -> RoundStats:
        """Poll every due source (all with ``force``), and finish pending articles of the others."""
        rs = RoundStats(started=now_utc())
        for src in self.sources(names):
            if self.stop.is_set():
                rs.stopped = True
                break
            due = force or self.is_due(src, now_utc())
            if not due and not self._has_pending(src):
                continue
            st = SourceStats(src["name"])
            rs.sources.append(st)
            self.on_progress("source", {"source": src["name"], "due": due})
            try:
                self.poll_source(src, st, listing=due)
            except Stopped:
                rs.stopped = True
            except Exception as exc:  # noqa: BLE001 - one bad source never stops the others
                log.exception("%s: poll failed", src["name"])
                st.error = f"{type(exc).__name__}: {exc}"
                self._source_failed(src, st.error, None)
            finally:
                self._flush_log()
            self.on_progress("source_done", {"source": src["name"], "stats": st})
            if rs.stopped:
                break
        rs.stopped = rs.stopped or self.stop.is_set()
        return rs

    def _has_pending(self, src: dict) -> bool:
        it = W.watch_items
        with self.store.engine.connect() as conn:
            return conn.execute(sa.select(it.c.id).where(it.c.source_id == src["id"], it.c.state == "pending")
                                .limit(1)).first() is not None

    # ------------------------------------------------------------------ one source

    def poll_source(self, src: dict, st: SourceStats, *, listing: bool = True) -> None:
        if listing:
            try:
                entries, updates = self._listing(src, st)
            except Stopped:
                raise
            except (FetchFailed, discover.ListingError) as exc:
                st.error = str(exc)
                if getattr(exc, "result", None) == "blocked":
                    return                       # the host asked us to wait (Retry-After): not an error
                if src["kind"] == "site" and src["feed_url"]:
                    src["feed_url"] = None       # the discovered feed failed: look at the front page again
                    self._forget_feed(src)
                self._source_failed(src, st.error, getattr(exc, "retry_after", None))
                return
            st.listed = len(entries)
            st.new_items = self._record(src, entries, updates)
        pending = self._pending(src)
        st.pending = len(pending)
        for n, item in enumerate(pending, 1):
            if self.stop.is_set():
                raise Stopped()
            if src["kind"] != "folder" and self.fetcher.blocked(item["url"]) is not None:
                continue                             # Retry-After: that host later
            item["_n"], item["_of"] = n, len(pending)
            try:
                self._process(src, item, st)
            except Stopped:
                raise
            except Exception as exc:  # noqa: BLE001 - one bad page never stops the others
                log.exception("%s: %s: failed", src["name"], item["url"])
                attempts = item["attempts"] + 1
                why = f"{type(exc).__name__}: {exc}"[:2000]
                if attempts >= self.s.max_attempts:
                    self._finish(item, "failed", "internal_error", detail=why, attempts=attempts)
                    st.failed += 1
                else:
                    self._update_item(item, attempts=attempts, detail=why)
        st.pending = len(self._pending(src))

    def _forget_feed(self, src: dict) -> None:
        t = W.watch_sources
        with self.store.writer.begin() as conn:
            conn.execute(sa.update(t).where(t.c.id == src["id"]).values(feed_url=None, etag=None, last_modified=None))

    def _listing(self, src: dict, st: SourceStats) -> tuple[list[discover.Entry], dict]:
        kind = src["kind"]
        if kind == "folder":
            return discover.folder_entries(src["url"], src.get("pattern")), {}
        url = src["feed_url"] or src["url"]
        ans = self.fetcher.get(url, kind="listing", source_id=src["id"], etag=src["etag"],
                               last_modified=src["last_modified"])
        updates = {"etag": ans.etag, "last_modified": ans.last_modified}
        if ans.not_modified:
            st.not_modified = True
            return [], updates
        if kind == "feed" or (kind == "site" and src["feed_url"]):
            return discover.feed_entries(ans.data, ans.final_url), updates
        if kind == "sitemap":
            entries, children = discover.sitemap_entries(ans.data, ans.final_url)
            for child in children:
                if self.stop.is_set():
                    raise Stopped()
                try:
                    got = self.fetcher.get(child, kind="listing", source_id=src["id"])
                    entries += discover.sitemap_entries(got.data, got.final_url)[0]
                except (FetchFailed, discover.ListingError) as exc:
                    log.warning("%s: sitemap %s: %s", src["name"], child, exc)
            return entries, updates
        # a site's front page: its announced feed from now on, else the article links on it
        feed = discover.discover_feed(ans.data, ans.final_url)
        if feed:
            got = self.fetcher.get(feed, kind="listing", source_id=src["id"])
            return discover.feed_entries(got.data, got.final_url), {
                "feed_url": feed, "etag": got.etag, "last_modified": got.last_modified}
        return discover.page_links(ans.data, ans.final_url), {"etag": None, "last_modified": None}

    def _key(self, src: dict, e: discover.Entry) -> str:
        if src["kind"] == "folder":
            try:
                stt = os.stat(e.url)
                return f"{e.url}@{stt.st_mtime_ns}-{stt.st_size}"     # a changed file is read again
            except OSError:
                return e.url
        return canon.canonical_url(e.url)

    def _record(self, src: dict, entries: list[discover.Entry], updates: dict) -> int:
        """Record the new article URLs as pending and the listing's validators, in one transaction."""
        it, t = W.watch_items, W.watch_sources
        now = now_utc()
        rows: dict[str, dict] = {}
        for e in entries:
            key = self._key(src, e)
            if len(key) > 2048 or key in rows:
                continue
            rows[key] = {"url": key, "source_id": src["id"], "listed_url": e.url, "title": (e.title or "")[:2000] or None,
                         "published": e.published, "state": "pending", "attempts": 0, "first_seen": now,
                         "updated_at": now}
        with self.store.writer.begin() as conn:
            known: set[str] = set()
            keys = list(rows)
            for i in range(0, len(keys), 500):
                known |= set(conn.execute(sa.select(it.c.url).where(it.c.url.in_(keys[i:i + 500]))).scalars())
            new = [r for k, r in rows.items() if k not in known]
            if new:
                conn.execute(sa.insert(it), new)
            vals = {"last_fetch_at": now, "last_ok_at": now, "errors_in_row": 0, "last_error": None,
                    "next_due_at": now + timedelta(seconds=self.s.every or src["interval_s"])}
            vals.update(updates)
            conn.execute(sa.update(t).where(t.c.id == src["id"]).values(**vals))
        src.update(vals)
        return len(new)

    def _pending(self, src: dict) -> list[dict]:
        it = W.watch_items
        with self.store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(
                sa.select(it).where(it.c.source_id == src["id"], it.c.state == "pending").order_by(it.c.id)).mappings()]

    def _source_failed(self, src: dict, error: str, retry_after: float | None) -> None:
        t = W.watch_sources
        now = now_utc()
        errors = int(src.get("errors_in_row") or 0) + 1
        wait = min(float(src["interval_s"]) * (2 ** min(errors - 1, 16)), self.s.max_backoff)
        if retry_after:
            wait = max(wait, retry_after)
        vals = {"last_fetch_at": now, "errors_in_row": errors, "last_error": error[:2000],
                "next_due_at": now + timedelta(seconds=wait)}
        with self.store.writer.begin() as conn:
            conn.execute(sa.update(t).where(t.c.id == src["id"]).values(**vals))
        src.update(vals)
        self.on_progress("source_error", {"source": src["name"], "error": error, "retry_in": wait})

    # ------------------------------------------------------------------ one article

    def _process(self, src: dict, item: dict, st: SourceStats) -> None:
        self.on_progress("article", {"source": src["name"], "url": item["listed_url"] or item["url"],
                                     "n": item.get("_n"), "of": item.get("_of")})
        if src["kind"] == "folder":
            return self._process_file(src, item, st)
        from ..ingest.clean import clean
        from ..ingest.readers import read_html, read_text, sniff

        try:
            ans = self.fetcher.get(item["url"], kind="article", source_id=src["id"], first_seen=item["first_seen"])
        except FetchFailed as exc:
            if exc.result == "blocked":
                return
            attempts = item["attempts"] + 1
            if exc.result in ("robots", "refused", "too_large") or not exc.transient:
                self._finish(item, "skipped" if exc.result == "robots" else "failed", exc.result, detail=str(exc))
                st.skipped += exc.result == "robots"
                st.failed += exc.result != "robots"
            elif attempts >= self.s.max_attempts or exc.retry_after:
                if exc.retry_after and attempts < self.s.max_attempts:
                    self._update_item(item, attempts=attempts, detail=str(exc))     # wait for the host
                    return
                self._finish(item, "failed", exc.result, detail=str(exc), attempts=attempts)
                st.failed += 1
            else:
                self._update_item(item, attempts=attempts, detail=str(exc))
            return
        final = canon.canonical_url(ans.final_url)
        if final != item["url"]:
            twin = self._item_by_url(final)
            if twin is not None and twin["document_id"] is not None:
                self._finish(item, "done", "duplicate", document_id=twin["document_id"],
                             detail=f"redirects to {final}")
                st.same_text += 1
                return
        ext = os.path.splitext(ans.final_url.split("?", 1)[0].rsplit("/", 1)[-1])[1]
        fmt = sniff(ans.data[:65536], ext, ans.content_type)
        meta = {"input": item["url"], "content_type": ans.content_type, "watch_source": src["name"]}
        if fmt == "html":
            doc = read_html(ans.data, item["url"], item["published"], meta=meta, url=ans.final_url,
                            declared=ans.charset)
        elif fmt == "text":
            doc = read_text(ans.data, item["url"], item["published"], meta=meta, url=ans.final_url,
                            declared=ans.charset)
        else:
            doc = None
        from ..model import DocError
        if doc is None or isinstance(doc, DocError):
            why = doc.error if isinstance(doc, DocError) else f"not an article page ({fmt})"
            self._finish(item, "skipped", "not_article", detail=why)
            st.skipped += 1
            return
        doc = clean(doc)
        self._ingest_doc(src, item, doc, st)

    def _process_file(self, src: dict, item: dict, st: SourceStats) -> None:
        from ..ingest import iter_documents
        from ..model import DocError

        path = item["listed_url"] or item["url"]
        n_ok, errors = 0, []
        for doc in iter_documents([path], item["published"]):
            if self.stop.is_set():
                raise Stopped()          # the file is read again next time; stored documents are skipped
            if isinstance(doc, DocError):
                errors.append(doc.error)
                continue
            n_ok += 1
            self._ingest_doc(src, item, doc, st, finish=False)
        if n_ok:
            self._finish(item, "done", "read", detail="; ".join(errors)[:2000] or None)
        else:
            self._finish(item, "skipped", "not_article", detail="; ".join(errors)[:2000] or "no document")
            st.skipped += 1

    def _ingest_doc(self, src: dict, item: dict, doc, st: SourceStats, *, finish: bool = True) -> None:
        doc.source = src["name"]
        d = S.documents
        url = doc.url or item["listed_url"] or item["url"]
        with self.store.engine.connect() as conn:
            same = conn.execute(sa.select(d.c.id, d.c.url, d.c.doc_id).where(d.c.content_hash == doc.content_hash)).first()
        if same is not None:
            mine = same.doc_id == doc.doc_id or (same.url and canon.canonical_url(same.url) == canon.canonical_url(url))
            if mine:          # stored by an earlier run that stopped before marking it done
                if finish:
                    self._finish(item, "done", "added", document_id=same.id, content_hash=doc.content_hash,
                                 fingerprint=canon.sketch(doc.text), new_article=True)
                    st.added += 1
                else:         # a folder's file read again (it changed): this document did not
                    st.same_text += 1
                return
            self._add_copy(same.id, src, doc, url, 1.0)
            if finish:
                self._finish(item, "done", "duplicate", document_id=same.id, content_hash=doc.content_hash)
            st.same_text += 1
            return
        sk = canon.sketch(doc.text)
        near = self.sketches.best(canon.parse_sketch(sk))
        if near is not None:
            self._add_copy(near[0], src, doc, url, near[1])
            if finish:
                self._finish(item, "done", "copy", document_id=near[0], content_hash=doc.content_hash,
                             detail=f"near-duplicate ({near[1]:.2f}) of document {near[0]}")
            st.copies += 1
            return
        res = next(iter(self.pipeline.run([doc], batch_size=1)))
        if "error" in res:
            if finish:
                self._finish(item, "failed", "extract_error", detail=res["error"])
            st.failed += 1
            return
        res["source_scale"] = src.get("scale")
        status = self.store.ingest_result(res)
        if status == "error":
            if finish:
                self._finish(item, "failed", "store_error", detail="not stored")
            st.failed += 1
            return
        with self.store.engine.connect() as conn:
            pk = conn.execute(sa.select(d.c.id).where(d.c.content_hash == doc.content_hash)).scalar()
        if finish:
            self._finish(item, "done", "added", document_id=pk, content_hash=doc.content_hash, fingerprint=sk,
                         new_article=True)
        else:
            self._bump_source(src)
        self.sketches.add(pk, canon.parse_sketch(sk))
        st.added += 1
        self.on_progress("added", {"source": src["name"], "url": url, "title": doc.title})

    def _add_copy(self, document_id: int, src: dict, doc, url: str, similarity: float) -> None:
        c = W.document_copies
        row = {"document_id": document_id, "url": url[:2048], "source": src["name"], "source_id": src["id"],
               "title": doc.title, "published": doc.published, "content_hash": doc.content_hash,
               "similarity": round(similarity, 3), "added_at": now_utc()}
        with self.store.writer.begin() as conn:
            if conn.execute(sa.select(c.c.id).where(c.c.document_id == document_id, c.c.url == row["url"])).first() is None:
                conn.execute(sa.insert(c).values(**row))

    def _item_by_url(self, url: str) -> dict | None:
        it = W.watch_items
        with self.store.engine.connect() as conn:
            r = conn.execute(sa.select(it).where(it.c.url == url)).mappings().first()
        return dict(r) if r else None

    def _update_item(self, item: dict, **vals) -> None:
        it = W.watch_items
        vals["updated_at"] = now_utc()
        with self.store.writer.begin() as conn:
            conn.execute(sa.update(it).where(it.c.id == item["id"]).values(**vals))
            self._write_log(conn)

    def _finish(self, item: dict, state: str, result: str, *, new_article: bool = False, **vals) -> None:
        it, t = W.watch_items, W.watch_sources
        vals.update(state=state, result=result, updated_at=now_utc())
        vals.setdefault("attempts", item["attempts"] + 1)
        with self.store.writer.begin() as conn:
            conn.execute(sa.update(it).where(it.c.id == item["id"]).values(**vals))
            if vals.get("document_id") is not None:     # its source's scale is now the document's
                from ..store.listing import refresh_documents
                refresh_documents(conn, [vals["document_id"]])
            if new_article and item["source_id"] is not None:
                conn.execute(sa.update(t).where(t.c.id == item["source_id"]).values(
                    articles_found=t.c.articles_found + 1, last_new_at=now_utc()))
            self._write_log(conn)

    def _bump_source(self, src: dict) -> None:
        t = W.watch_sources
        with self.store.writer.begin() as conn:
            conn.execute(sa.update(t).where(t.c.id == src["id"]).values(
                articles_found=t.c.articles_found + 1, last_new_at=now_utc()))

    # ------------------------------------------------------------------ fetch log

    def _write_log(self, conn) -> None:
        if not self._log_rows:
            return
        rows = []
        for r in self._log_rows:
            el = r.get("elapsed")
            rows.append({"source_id": r.get("source_id"), "kind": r.get("kind") or "article", "url": r["url"],
                         "final_url": r.get("final_url"), "status": r.get("status"), "etag": r.get("etag"),
                         "last_modified": r.get("last_modified"), "first_seen": r.get("first_seen"),
                         "fetched_at": now_utc(), "elapsed_ms": int(el * 1000) if el is not None else None,
                         "bytes": r.get("bytes"), "result": r.get("result") or "ok",
                         "detail": (r.get("detail") or None) and str(r["detail"])[:2000]})
        conn.execute(sa.insert(W.watch_fetches), rows)
        self._log_rows.clear()

    def _flush_log(self) -> None:
        if self._log_rows:
            with self.store.writer.begin() as conn:
                self._write_log(conn)


def prune_log(store, keep_days: float) -> int:
    """Delete fetch log rows older than ``keep_days``; returns how many."""
    f = W.watch_fetches
    with store.writer.begin() as conn:
        return conn.execute(sa.delete(f).where(f.c.fetched_at < now_utc() - timedelta(days=keep_days))).rowcount or 0


def status_summary(store, *, hours: float = 24.0) -> dict[str, Any]:
    """What ``sitroom watch --status`` shows: per source, its health and the fetch log of the last
    ``hours`` by result; the articles by state; totals."""
    from .registry import list_sources, status_word

    f, it = W.watch_fetches, W.watch_items
    since = now_utc() - timedelta(hours=hours)
    with store.engine.connect() as conn:
        by_src: dict[Any, dict[str, int]] = {}
        for sid, result, n in conn.execute(sa.select(f.c.source_id, f.c.result, sa.func.count())
                                           .where(f.c.fetched_at >= since).group_by(f.c.source_id, f.c.result)):
            by_src.setdefault(sid, {})[result] = n
        items: dict[Any, dict[str, int]] = {}
        for sid, state, n in conn.execute(sa.select(it.c.source_id, it.c.state, sa.func.count())
                                          .group_by(it.c.source_id, it.c.state)):
            items.setdefault(sid, {})[state] = n
        last = conn.execute(sa.select(sa.func.max(f.c.fetched_at))).scalar()
        copies = conn.execute(sa.select(sa.func.count()).select_from(W.document_copies)).scalar_one()
    sources = []
    for s in list_sources(store):
        for k in ("last_fetch_at", "last_ok_at", "last_new_at", "next_due_at"):
            s[k] = aware(s[k])
        sources.append({"name": s["name"], "kind": s["kind"], "status": status_word(s),
                        "last_fetch_at": s["last_fetch_at"], "last_new_at": s["last_new_at"],
                        "errors_in_row": s["errors_in_row"], "last_error": s["last_error"],
                        "articles_found": s["articles_found"], "next_due_at": s["next_due_at"],
                        "fetches": by_src.get(s["id"], {}), "items": items.get(s["id"], {})})
    totals: dict[str, int] = {}
    for d in by_src.values():
        for k, v in d.items():
            totals[k] = totals.get(k, 0) + v
    item_totals: dict[str, int] = {}
    for d in items.values():
        for k, v in d.items():
            item_totals[k] = item_totals.get(k, 0) + v
    return {"hours": hours, "last_fetch_at": aware(last), "fetches": totals, "items": item_totals,
            "copies": copies, "sources": sources}


