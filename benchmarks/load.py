"""Load benchmark of the read path: `sitroom serve` over a large database, 8 concurrent clients.

    python benchmarks/load.py --db /tmp/load.db --events 1000000            # SQLite
    python benchmarks/load.py --pg --events 1000000                         # a throwaway PostgreSQL
    python benchmarks/load.py --db postgresql://user@127.0.0.1:5432/db ...  # an existing server

1. **Builds** (or reuses, when it already holds at least ``--events`` events) a database of
   synthetic *fused* events: bulk inserts straight into the tables (not the extraction pipeline,
   not fusion), in the made-up world of ``sitroom.fuse.synthetic`` (20 countries x 10 regions x
   20 towns, 5 actors a country, 7 sub-event types, dates over ten years). Each event has one to
   three sources; documents carry about three mentions each, with evidence spans, and some carry
   figures and claims (claims linked to events). The database is for reading only: it has no
   fusion blocking index, so ingesting into it would not fuse with these events.
2. **Starts** ``sitroom serve`` on 127.0.0.1 (a free port) over it.
3. **Drives** it with ``--clients`` (8) concurrent clients, endpoint after endpoint, each for
   ``--seconds`` (a bounded time; every request has a timeout), and reports requests/s, p50, p99
   and errors per endpoint:

   - ``events``: ``/api/events`` with the dashboard's filters: a random mix of none, country,
     country + admin1, a date window (since/until), type, actor (part of a name), and of these
     combined, half of them with the dashboard's ``min_confidence``, with ``limit=100``;
   - ``events_page``: the dashboard's own request: ``limit=1000`` and the same filters;
   - ``events_next``: the next page by keyset (``cursor`` from a first page);
   - ``event``: ``/api/events/{id}`` of random ids;
   - ``figures``, ``claims``: random filters, offsets up to 1000;
   - ``report``: ``/api/report`` filtered to one region and one month.

``--cpu`` starts no server: it measures the CPU of one ``/api/events`` request (limit 100, 40 random
dashboard filter sets) in this process, served from the stored JSON texts (revision 0008) and
rendered from the rows, checks that both give the same bytes, and splits out the page query and
the bounded count. The builder fills the stored texts as ingest would (``listing.fill``).

Only loopback traffic; the server is stopped at the end (and on Ctrl-C). Results print as a
Markdown table (``--out FILE`` also writes them, with the build's figures).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import http.client
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from sitroom.fuse.synthetic import SUB_TYPES, World  # noqa: E402
from sitroom.store import Store, listing, make_engine  # noqa: E402
from sitroom.store import schema as S  # noqa: E402

START = date(2015, 1, 1)
#: the dashboard's confidence filter (``/api/config`` gives the calibrated default, 0.4, which
#: would keep every synthetic event: they are built with confidence 0.5 to 1; 0.6 drops a fifth)
MIN_CONFIDENCE = 0.6
DAYS = 3650
CHUNK = 20_000
WORDS = ("strike", "shelling", "clash", "convoy", "market", "checkpoint", "village", "hospital", "school",
         "bridge", "road", "army", "fighters", "killed", "wounded", "civilians", "residents", "said")


# ------------------------------------------------------------------ building


def _events_stored(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.max(S.events.c.id))).scalar() or 0


def build(db: str, n_events: int, seed: int = 0, progress=print, migrate: bool = True) -> dict:
    """Fill ``db`` with ``n_events`` synthetic fused events (and their documents, mentions, sources,
    figures and claims); reuse it when it already has that many (migrated to this code's revision
    and its outdated stored event texts written again, unless ``migrate`` is false: for another
    checkout's server). Returns what was done."""
    probe = make_engine(db)
    try:
        with probe.connect() as conn:
            have = conn.execute(sa.text("SELECT max(id) FROM events")).scalar() or 0
    except sa.exc.DBAPIError:
        have = 0
    finally:
        probe.dispose()
    if have >= n_events and not migrate:
        return {"events": have, "built": False, "seconds": 0.0}
    if have >= n_events:
        # the stored JSON texts of /api/events: written again where outdated (another sitroom
        # version or other data files: about a minute per 100,000 events), else nothing to do
        store = Store.open(db)
        try:
            t0 = time.monotonic()
            with store.writer.begin() as conn:
                n = listing.fill(conn, progress=lambda done, total: done % 100_000 < 2000 and progress(
                    f"  {done:,} of {total:,} outdated event texts written again"))
        finally:
            store.close()
        return {"events": have, "built": False, "seconds": round(time.monotonic() - t0, 1), "texts_written": n}
    store = Store.open(db)
    try:
        have = _events_stored(store)
        if have:
            raise SystemExit(f"{db} has {have} events, fewer than {n_events}: give a new database")
        t0 = time.monotonic()
        _fill(store, n_events, seed, progress)
        with store.writer.begin() as conn:       # each event's JSON for /api/events, as ingest writes it
            listing.fill(conn, progress=lambda done, n: done % 100_000 < 2000 and progress(f"  {done:,} event texts"))
        with store.writer.begin() as conn:       # the planner's statistics
            conn.exec_driver_sql("ANALYZE")
        return {"events": n_events, "built": True, "seconds": round(time.monotonic() - t0, 1)}
    finally:
        store.close()


def _fill(store: Store, n_events: int, seed: int, progress) -> None:
    rnd = random.Random(seed)
    world = World(seed)
    now = datetime.now(timezone.utc)
    doc_pk = mention_pk = figure_pk = claim_pk = 0
    doc_slots = 0           # mentions placed in the current document
    pg = store.engine.dialect.name == "postgresql"
    writer = store.writer
    if not pg:      # a benchmark database: speed over durability while building
        writer = make_engine(str(store.engine.url))

        @sa.event.listens_for(writer, "connect")
        def _fast(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.execute("PRAGMA synchronous=OFF")
            dbapi_conn.execute("PRAGMA cache_size=-400000")
    buf: dict[str, list[dict]] = {t: [] for t in ("documents", "events", "mentions", "event_sources", "figures",
                                                  "claims", "claim_events")}

    tables = ("documents", "events", "mentions", "event_sources", "figures", "claims", "claim_events")
    raw = writer.raw_connection()
    indexes = _drop_indexes(raw, tables, pg)     # rebuilt once at the end: much faster than row by row

    def value(v):
        if isinstance(v, (dict, list)):
            return json.dumps(v)
        if not pg and isinstance(v, (date, datetime)):
            return v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v.isoformat()
        if not pg and isinstance(v, bool):
            return int(v)
        return v

    def flush(final: bool = False) -> None:
        cur = raw.cursor()
        for name in tables:
            rows = buf[name]
            if not rows:
                continue
            cols = [c.name for c in S.metadata.tables[name].c if c.name in rows[0]]
            data = [tuple(value(r[c]) for c in cols) for r in rows]
            if pg:
                with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as cp:
                    for t in data:
                        cp.write_row(t)
            else:
                cur.executemany(f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", data)
            rows.clear()
        raw.commit()
        if final:
            if pg:          # ids were given explicitly: move the sequences past them
                for name in ("documents", "events", "mentions", "figures", "claims"):
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f"(SELECT coalesce(max(id), 1) FROM {name}))")
            progress(f"  rebuilding {len(indexes)} indexes")
            for ddl in indexes:
                cur.execute(ddl)
            raw.commit()

    def new_doc(day: int, cc: str) -> int:
        nonlocal doc_pk, figure_pk, claim_pk
        doc_pk += 1
        doc_id = f"load-{seed}-{doc_pk}"
        pub = START + timedelta(days=min(DAYS - 1, day + rnd.choice((0, 0, 1, 2))))
        buf["documents"].append({
            "id": doc_pk, "doc_id": doc_id, "content_hash": hashlib.sha256(doc_id.encode()).hexdigest(),
            "title": f"Report {doc_pk} on {cc}", "published": pub, "source": f"Outlet {rnd.randrange(60)}",
            "url": f"https://example.org/{doc_id}", "ingested_at": now, "n_events": 0,
            "places": [], "dates": [], "quality": []})
        if rnd.random() < 0.3:
            figure_pk += 1
            value = rnd.choice((3, 12, 40, 150, 1200, 35000))
            start = pub - timedelta(days=rnd.choice((0, 7, 30, 365)))
            buf["figures"].append({
                "id": figure_pk, "document_id": doc_pk, "kind": rnd.choice(("killed", "injured", "displaced")),
                "value": value, "low": value, "high": value, "qualifier": rnd.choice((None, "at least")),
                "unit": rnd.choice(("people", "civilians", "children")),
                "period_start": start.isoformat(), "period_end": pub.isoformat(),
                "country": f"Country {cc}", "admin1": None, "admin2": None, "location": None,
                "attributed_to": rnd.choice((None, "the UN", "a monitor")), "verified": rnd.random() < 0.2,
                "data": {"evidence": [{"start": 0, "end": 20, "text": f"{value} people were killed"}]}})
        return doc_pk

    for eid in range(1, n_events + 1):
        cc, country, a1, _alat, _alon, town, lat, lon = rnd.choice(world.places)
        sub, etype = rnd.choice(SUB_TYPES)
        actor1, actor2 = rnd.sample(world.actors[cc], 2)
        day = rnd.randrange(DAYS) if rnd.random() > 0.01 else None     # a few undated events
        if day is None:
            lo = hi = None
            ev_date, prec = None, None
        else:
            lo = START + timedelta(days=day)
            prec = rnd.choice((1, 1, 1, 2, 3))
            hi = lo + timedelta(days={1: 0, 2: 6, 3: 29}[prec])
            ev_date = lo.isoformat() if prec < 3 else lo.isoformat()[:7]
        killed = rnd.choice((0, 0, 1, 2, 3, 5, 8, 12, 20, 35))
        n_src = rnd.choices((1, 2, 3), (70, 20, 10))[0]
        words = rnd.sample(WORDS, 5)
        buf["events"].append({
            "id": eid, "event_date": ev_date, "date_lo": lo, "date_hi": hi, "time_precision": prec,
            "event_type": etype, "sub_event_type": sub, "family": None, "actor1": actor1, "assoc_actor_1": None,
            "actor2": actor2 if rnd.random() > 0.2 else None, "country": country, "country_code": cc,
            "admin1": a1, "admin2": None, "location": town, "latitude": lat, "longitude": lon,
            "geo_precision": 1, "fatalities": killed, "fatalities_low": killed, "fatalities_high": killed + n_src - 1,
            "civilian_fatalities": None, "injured": None, "contested": False, "notes": f"{sub} in {town}",
            "actors": [actor1, actor2], "terms": words, "n_mentions": n_src, "n_sources": n_src,
            "confidence": round(rnd.uniform(0.5, 1), 2), "created_at": now, "updated_at": now})
        for k in range(n_src):
            if doc_pk == 0 or doc_slots >= 3 or k:      # an event's sources are different documents
                new_doc(day or 0, cc)
                doc_slots = 0
            buf["documents"][-1]["n_events"] += 1
            doc_slots += 1
            mention_pk += 1
            text = f"An {sub.lower()} hit {town} on {ev_date or 'an unknown day'}, killing {killed} people."
            start = rnd.randrange(0, 400)
            evidence = {"event_id": f"ev-{doc_slots}", "sub_event_type": sub, "trigger": sub.split("/")[0].lower(),
                        "evidence": [{"start": start, "end": start + len(text), "text": text}],
                        "location_evidence": {"start": start + text.index(town), "end": start + text.index(town) + len(town),
                                              "text": town}}
            buf["mentions"].append({
                "id": mention_pk, "document_id": doc_pk, "event_id": eid, "ordinal": doc_slots - 1,
                "local_id": f"ev-{doc_slots}", "event_date": ev_date, "date_lo": lo, "date_hi": hi,
                "time_precision": prec, "event_type": etype, "sub_event_type": sub, "family": None,
                "actor1": actor1, "assoc_actor_1": None, "actor2": actor2, "country": country, "country_code": cc,
                "admin1": a1, "admin2": None, "location": town, "latitude": lat, "longitude": lon, "geo_precision": 1,
                "fatalities": killed, "fatalities_low": killed, "fatalities_high": killed, "civilian_fatalities": None,
                "injured": None, "contested": False, "notes": None, "confidence": 0.8, "evidence": evidence,
                "fusion": {"decision": "new", "candidates": 0}})
            buf["event_sources"].append({"event_id": eid, "document_id": doc_pk, "n_mentions": 1,
                                         "fatalities": killed, "fatalities_low": killed, "fatalities_high": killed})
            if rnd.random() < 0.03:
                claim_pk += 1
                kind = rnd.choice(("denial", "accusation", "statement"))
                buf["claims"].append({
                    "id": claim_pk, "document_id": doc_pk, "kind": kind, "speaker": actor2 or actor1,
                    "speaker_role": "spokesperson", "date": ev_date if prec == 1 else None,
                    "text": f"{actor2 or actor1} {kind} about the {sub.lower()} in {town}.",
                    "target": actor1 if kind == "accusation" else None, "data": {}})
                buf["claim_events"].append({"claim_id": claim_pk, "event_id": eid,
                                            "relation": {"denial": "denies", "accusation": "accuses"}.get(kind, "about")})
        if len(buf["events"]) >= CHUNK and doc_slots >= 3:     # between two documents
            flush()
            if eid % 100_000 < CHUNK:
                progress(f"  {eid:,} events stored")
    flush(final=True)
    raw.close()
    if writer is not store.writer:
        writer.dispose()


def _drop_indexes(raw, tables: tuple[str, ...], pg: bool) -> list[str]:
    """Drop the secondary (non-unique) indexes of ``tables``; returns the DDL to create them again."""
    cur = raw.cursor()
    names = ", ".join(f"'{t}'" for t in tables)
    if pg:
        cur.execute(f"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                    f"AND tablename IN ({names}) AND indexdef NOT LIKE 'CREATE UNIQUE%'")
    else:
        cur.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                    f"AND tbl_name IN ({names}) AND sql NOT LIKE 'CREATE UNIQUE%'")
    found = cur.fetchall()
    for name, _ddl in found:
        cur.execute(f'DROP INDEX "{name}"')
    raw.commit()
    return [ddl for _name, ddl in found]


# ------------------------------------------------------------------ serving


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``sitroom serve`` on 127.0.0.1 in a subprocess of its own."""

    def __init__(self, db: str, code: Path = ROOT, workers: int = 1) -> None:
        self.port = _free_port()
        env = dict(os.environ, PYTHONPATH=str(code) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env.pop("SITROOM_TOKEN", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "sitroom.cli", "serve", "--db", db,
                                      "--host", "127.0.0.1", "--port", str(self.port),
                                      *(["--workers", str(workers)] if workers != 1 else [])],
                                     env=env, cwd=str(code), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sitroom serve exited: {self.proc.stderr.read().decode()[-800:]}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/openapi.json")
                if c.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("sitroom serve did not answer within 120 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ------------------------------------------------------------------ driving


class Vocab:
    """Filter values that exist in the built world."""

    def __init__(self, seed: int, n_events: int) -> None:
        world = World(seed)
        self.places = world.places
        self.actors = [a for v in world.actors.values() for a in v]
        self.types = [s for s, _ in SUB_TYPES] + sorted({t for _, t in SUB_TYPES})
        self.n_events = n_events

    def event_filters(self, rnd: random.Random) -> dict[str, str]:
        cc, country, a1, *_ = rnd.choice(self.places)
        d = START + timedelta(days=rnd.randrange(DAYS - 60))
        window = {"since": d.isoformat(), "until": (d + timedelta(days=rnd.choice((7, 30, 60)))).isoformat()}
        choice = rnd.randrange(9)
        f = [{}, {"country": cc}, {"country": country}, {"country": cc, "admin1": a1}, window,
             {"type": rnd.choice(self.types)}, {"actor": rnd.choice(self.actors).split(" of ")[-1]},
             {"country": cc, **window}, {"country": cc, "type": rnd.choice(self.types), "actor": "Military"}][choice]
        if rnd.random() < 0.5:      # the dashboard sends /api/config's min_confidence; API users often do not
            f["min_confidence"] = MIN_CONFIDENCE
        return f


def _request(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def drive(port: int, name: str, make_path, clients: int, seconds: float, seed: int) -> dict:
    """``clients`` threads send ``make_path(rnd)`` requests for ``seconds``; latency per request."""
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        rnd = random.Random(seed * 1000 + i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            path = make_path(rnd, conn)
            t0 = time.perf_counter()
            try:
                status, _body = _request(conn, path)
                ok = status == 200
            except (OSError, http.client.HTTPException) as exc:
                status, ok = type(exc).__name__, False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                if not ok:
                    errors.append(f"{status} {path}")
        conn.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    lat.sort()
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else lat * 99
    return {"endpoint": name, "requests": len(lat), "rps": round(len(lat) / wall, 1),
            "p50_ms": round(q[49] * 1000, 1), "p99_ms": round(q[98] * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else None, "errors": len(errors),
            "error_sample": errors[:3]}


def scenarios(vocab: Vocab) -> dict:
    def qs(params: dict) -> str:
        return urllib.parse.urlencode(params)

    def events(limit: int):
        return lambda rnd, _c: "/api/events?" + qs({**vocab.event_filters(rnd), "limit": limit})

    def events_next(rnd, conn):
        # a first page (not timed) gives the cursor; the timed request is the page after it
        f = vocab.event_filters(rnd)
        _s, body = _request(conn, "/api/events?" + qs({**f, "limit": 100}))
        cur = json.loads(body).get("next_cursor")
        return "/api/events?" + qs({**f, "limit": 100, **({"cursor": cur} if cur else {})})

    def event(rnd, _c):
        return f"/api/events/SR{rnd.randint(1, vocab.n_events)}"

    def figures(rnd, _c):
        cc, country, *_ = rnd.choice(vocab.places)
        f = rnd.choice([{}, {"kind": "killed"}, {"country": country}, {"kind": "displaced", "country": country}])
        return "/api/figures?" + qs({**f, "offset": rnd.choice((0, 0, 100, 1000))})

    def claims(rnd, _c):
        cc, *_ = rnd.choice(vocab.places)
        f = rnd.choice([{}, {"kind": "denial"}, {"country": cc}, {"speaker": "Rebels"}])
        return "/api/claims?" + qs({**f, "offset": rnd.choice((0, 0, 100, 1000))})

    def report(rnd, _c):
        cc, _country, a1, *_ = rnd.choice(vocab.places)
        d = START + timedelta(days=rnd.randrange(DAYS - 31))
        return "/api/report?" + qs({"country": cc, "admin1": a1, "since": d.isoformat(),
                                    "until": (d + timedelta(days=30)).isoformat()})

    return {"events": events(100), "events_page": events(1000), "events_next": events_next, "event": event,
            "figures": figures, "claims": claims, "report": report}


def _asgi_get(app, path: str, loop) -> tuple[int, bytes]:
    """One GET through the ASGI application in this process, on the event loop ``loop`` (routing,
    validation, the guard middleware and the route in the loop's worker threads; no socket, no
    HTTP parsing)."""
    url = urllib.parse.urlsplit(path)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": url.path, "raw_path": url.path.encode(), "query_string": url.query.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}
    out = {"status": 0, "body": []}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(msg):
        if msg["type"] == "http.response.start":
            out["status"] = msg["status"]
        elif msg["type"] == "http.response.body":
            out["body"].append(msg.get("body", b""))

    loop.run_until_complete(app(scope, receive, send))
    return out["status"], b"".join(out["body"])


def cpu_profile(db: str, n_events: int, sets: int = 40, rounds: int = 3, seed: int = 0, limit: int = 100) -> str:
    """CPU per ``/api/events`` request in one process, for ``sets`` random dashboard filter sets
    (limit ``limit``), served from the stored JSON texts and rendered from the rows (the same
    responses, checked), best of ``rounds`` warm passes per request; and, for the stored texts,
    the share of the page query and of the bounded count. A table in Markdown."""
    from sitroom.serve.app import create_app

    import asyncio

    store = Store.open(db)
    loop = asyncio.new_event_loop()
    try:
        app = create_app(store=store, tile_url="off")
        settings = app.state.settings
        vocab = Vocab(seed, n_events)
        rnd = random.Random(seed + 7)
        filters = [vocab.event_filters(rnd) for _ in range(sets)]
        paths = ["/api/events?" + urllib.parse.urlencode({**f, "limit": limit}) for f in filters]
        cpu = time.process_time
        result: dict[str, list[float]] = {}
        bodies: dict[str, list[bytes]] = {}
        for mode in ("rendered", "stored"):
            settings.stored_json = mode == "stored"
            best = [float("inf")] * len(paths)
            got = []
            for rnd_i in range(rounds + 1):         # the first pass warms caches (not counted)
                for i, p in enumerate(paths):
                    t0 = cpu()
                    status, body = _asgi_get(app, p, loop)
                    dt = cpu() - t0
                    if status != 200:
                        raise RuntimeError(f"{p}: {status} {body[:200]!r}")
                    if rnd_i:
                        best[i] = min(best[i], dt)
                    else:
                        got.append(body)
            result[mode], bodies[mode] = best, got
        same = bodies["stored"] == bodies["rendered"]
        parts = {"page query": [], "bounded count": []}
        for f in filters:
            b = float("inf"), float("inf")
            for _ in range(rounds):
                t0 = cpu()
                page = store.query_event_docs(**f, limit=limit)
                t1 = cpu()
                if len(page) == limit:
                    store.count_events(**f, cap=settings.count_cap + 1)
                t2 = cpu()
                b = min(b[0], t1 - t0), min(b[1], t2 - t1)
            parts["page query"].append(b[0])
            parts["bounded count"].append(b[1])
    finally:
        loop.close()
        store.close()

    def ms(xs: list[float]) -> str:
        xs = sorted(xs)
        return f"{statistics.mean(xs) * 1000:.1f} | {xs[len(xs) // 2] * 1000:.1f} | {xs[-1] * 1000:.1f}"
    out = [f"CPU per `/api/events` request (limit {limit}), {sets} dashboard filter sets, best of {rounds}, "
           f"one process; responses identical: {same}", "",
           "| | mean ms | median ms | max ms |", "|---|---:|---:|---:|",
           f"| rendered from the rows (whole request) | {ms(result['rendered'])} |",
           f"| stored JSON texts (whole request) | {ms(result['stored'])} |",
           f"| of which: page query (filters, ids, texts) | {ms(parts['page query'])} |",
           f"| of which: bounded count | {ms(parts['bounded count'])} |"]
    return "\n".join(out)


def table(rows: list[dict]) -> str:
    out = ["| endpoint | requests | req/s | p50 ms | p99 ms | max ms | errors |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['endpoint']} | {r['requests']} | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} | "
                   f"{r['max_ms']} | {r['errors']} |")
    return "\n".join(out)


def _skip_initdb(run):
    def wrapped(args, **kw):
        if args and args[0].endswith("initdb"):
            return subprocess.CompletedProcess(args, 0, "", "")
        return run(args, **kw)
    return wrapped


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="SQLite file or postgresql:// URL (default /tmp/sitroom-load.db)")
    ap.add_argument("--pg", action="store_true", help="start a throwaway PostgreSQL (tests/helpers/pg.py) for the run")
    ap.add_argument("--pg-dir", help="with --pg: keep the cluster in this directory and reuse it next time")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20.0, help="per endpoint")
    ap.add_argument("--only", help="comma-separated endpoints (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--server-workers", type=int, default=1,
                    help="`sitroom serve --workers N`: server processes (default 1)")
    ap.add_argument("--cpu", action="store_true",
                    help="no server: CPU per /api/events request in this process, stored JSON texts vs "
                         "rendering from the rows (40 filter sets)")
    ap.add_argument("--out", help="also write the results (Markdown) here")
    ap.add_argument("--server-code", help="run `sitroom serve` from this checkout (to compare revisions on one "
                                          "database; its migrations must know the database's revision)")
    args = ap.parse_args(argv)

    pg = None
    db = args.db or "/tmp/sitroom-load.db"
    if args.pg:
        from tests.helpers.pg import PgServer      # ROOT is on sys.path
        pg = PgServer()
        if args.pg_dir:     # a cluster kept between runs (built once, benchmarked again)
            import shutil
            shutil.rmtree(pg.tmp, ignore_errors=True)
            pg.tmp, pg.data = args.pg_dir, os.path.join(args.pg_dir, "data")
            fresh = not os.path.exists(pg.data)
            os.makedirs(pg.tmp, exist_ok=True)
            if pg.user_info:
                os.chmod(pg.tmp, 0o755)
                os.chown(pg.tmp, pg.user_info[0], pg.user_info[1])
            if not fresh:
                pg._run = _skip_initdb(pg._run)
            pg.stop = lambda: pg._run([os.path.join(pg.bindir, "pg_ctl"), "-D", pg.data, "-m", "fast", "stop"])
        pg.start()
        db = pg.url
    try:
        print(f"building {args.events:,} events in {db} ...", file=sys.stderr)
        built = build(db, args.events, args.seed, progress=lambda m: print(m, file=sys.stderr),
                      migrate=not args.server_code)
        print(f"database: {built}", file=sys.stderr)
        if args.build_only:
            return 0
        if args.cpu:
            text = cpu_profile(db, built["events"], seed=args.seed)
            print(text)
            if args.out:
                Path(args.out).write_text(text + "\n", encoding="utf-8")
            return 0
        vocab = Vocab(args.seed, built["events"])
        todo = scenarios(vocab)
        if args.only:
            todo = {k: v for k, v in todo.items() if k in args.only.split(",")}
        server = Server(db, Path(args.server_code) if args.server_code else ROOT, args.server_workers)
        rows = []
        try:
            for name, make in todo.items():
                print(f"{name}: {args.clients} clients for {args.seconds:g} s ...", file=sys.stderr)
                rows.append(drive(server.port, name, make, args.clients, args.seconds, args.seed))
                print(f"  {rows[-1]}", file=sys.stderr)
        finally:
            server.stop()
        kind = "PostgreSQL" if db.startswith("postgres") else "SQLite"
        text = (f"{kind}, {built['events']:,} events, {args.clients} clients, {args.seconds:g} s per endpoint\n\n"
                + table(rows) + "\n")
        print(text)
        if args.out:
            Path(args.out).write_text(text + "\n```json\n" + json.dumps({"build": built, "results": rows}, indent=1)
                                      + "\n```\n", encoding="utf-8")
        return 1 if any(r["errors"] for r in rows) else 0
    finally:
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    sys.exit(main())
