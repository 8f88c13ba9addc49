"""The read path on SQLite and PostgreSQL: keyset and offset pages, filters as stored values,
bounded counts, figures/claims paging, streaming exports and `sitroom events`, bounded report.

The database is a few thousand synthetic fused events written by ``benchmarks/load.py``'s
builder (bulk inserts, as the load benchmark does at a million)."""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from sitroom.store import Store, open_store
from sitroom.store.core import event_cursor, parse_cursor

from tests.helpers import benchmark_module

N_EVENTS = 3000


@pytest.fixture(scope="module")
def load():
    return benchmark_module("load")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, load):
    url = str(tmp_path / "read.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    got = load.build(url, N_EVENTS, seed=3, progress=lambda _m: None)
    assert got["events"] == N_EVENTS
    return url


@pytest.fixture
def store(db):
    s = open_store(db)
    yield s
    s.close()


def _order(r: dict) -> tuple:
    return (r["date_lo"] is None, r["date_lo"] or date.min, r["id"])


def _matches(r: dict, f: dict) -> bool:
    """The filters' meaning, in Python: case-insensitive equality, actor a substring, date overlap."""
    cf = str.casefold
    if "country" in f and cf(f["country"]) not in (cf(r["country_code"] or ""), cf(r["country"] or "")):
        return False
    if "admin1" in f and cf(f["admin1"]) != cf(r["admin1"] or ""):
        return False
    if "type" in f and cf(f["type"]) not in (cf(r["sub_event_type"] or ""), cf(r["event_type"] or "")):
        return False
    if "actor" in f and not any(cf(f["actor"]) in cf(r[k] or "") for k in ("actor1", "actor2", "assoc_actor_1")):
        return False
    if "since" in f and (r["date_hi"] is None or r["date_hi"] < date.fromisoformat(f["since"])):
        return False
    if "until" in f and (r["date_lo"] is None or r["date_lo"] > date.fromisoformat(f["until"])):
        return False
    return True


FILTERS = [{}, {"country": "ab"}, {"country": "Country AC"}, {"country": "AB", "admin1": "region ab-3"},
           {"since": "2017-03-01", "until": "2017-05-15"}, {"type": "air/drone strike"}, {"type": "Battles"},
           {"actor": "rebels of a"}, {"country": "AD", "type": "Armed clash", "actor": "military"},
           {"country": "XX"}, {"actor": "100%_"}]


def test_keyset_and_offset_pages_cover_every_event_once_in_order(store):
    everything = store.query_events()
    assert len(everything) == N_EVENTS
    assert [_order(r) for r in everything] == sorted(_order(r) for r in everything)
    assert any(r["date_lo"] is None for r in everything) and everything[-1]["date_lo"] is None   # undated last
    for f in FILTERS:
        want = [r["id"] for r in everything if _matches(r, f)]
        assert [r["id"] for r in store.query_events(**f)] == want, f
        got, after = [], None
        while True:                         # keyset: each page starts after the last one's end
            page = store.query_events(**f, limit=97, after=after)
            got += [r["id"] for r in page]
            if len(page) < 97:
                break
            after = event_cursor(page[-1])
        assert got == want, f
        by_offset = [r["id"] for off in range(0, len(want) + 1, 250) for r in store.query_events(**f, limit=250,
                                                                                                  offset=off)]
        assert by_offset == want, f
        assert store.count_events(**f) == len(want)
        assert store.count_events(**f, cap=100) == min(100, len(want))
        assert all(r["documents"] and r["sources"] for r in store.query_events(**f, limit=5))


def test_cursor_round_trip_and_errors():
    assert parse_cursor(event_cursor({"id": 12, "date_lo": date(2020, 1, 16)})) == (False, date(2020, 1, 16), 12)
    assert parse_cursor(event_cursor({"id": 7, "date_lo": None})) == (True, None, 7)
    for bad in ("", "12", "2020-13-01.5", "x.5", "2020-01-01.", "-.1e3", "2020-01-01.99999999999999999999"):
        with pytest.raises(ValueError):
            parse_cursor(bad)


def _fresh_result(actor: str, doc_id: str = "fresh") -> dict:
    """A pipeline result of one event by ``actor`` in a country and region no other event has."""
    return {"doc_id": doc_id, "content_hash": doc_id[0] * 64, "title": "t", "published": "2030-01-02", "source": "s",
            "url": None, "places": [], "dates": [], "figures": [], "claims": [], "agreements": [], "quality": [],
            "events": [{"event_id": "ev-1", "event_date": "2030-01-01", "time_precision": 1,
                        "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": actor,
                        "actor2": None, "country": "Newland", "country_code": "NL", "admin1": "Far Province",
                        "location": "Somewhere", "latitude": 1.0, "longitude": 2.0, "geo_precision": 1,
                        "fatalities": 4, "evidence": [{"start": 0, "end": 5, "text": "clash"}]}]}


def test_new_values_are_found_after_writes(store):
    """Filters map to the values stored, kept between queries: a value first written after the
    first query is found (the kept values are topped up from events written since)."""
    assert store.query_events(actor="Brand New Brigade") == []
    assert store.count_events(actor="brand new") == 0
    assert store.ingest_result(_fresh_result("Brand New Brigade")) == "added"
    got = store.query_events(actor="brand new", country="nl", admin1="far province", type="armed CLASH",
                             since="2029-12-31")
    assert [r["actor1"] for r in got] == ["Brand New Brigade"]
    assert store.count_events(actor="brand new") == 1
    assert store.query_events(since="2030-01-01", limit=10)[0]["actor1"] == "Brand New Brigade"


def test_export_streams_in_batches(store, monkeypatch):
    """Exports read the events batch by batch (a counter on the store's page reads), never all at once."""
    from sitroom.store.export import EXPORT_FORMATS, write_export

    reads: list[int] = []
    real = Store.query_events

    def counted(self, **kw):
        rows = real(self, **kw)
        reads.append(len(rows))
        return rows
    monkeypatch.setattr(Store, "query_events", counted)
    for fmt in EXPORT_FORMATS:
        reads.clear()
        buf = io.StringIO()
        n = write_export(fmt, store.iter_events(batch=400, with_mentions=fmt == "jsonl"), buf)
        assert n == N_EVENTS
        assert max(reads) <= 400 and len(reads) >= N_EVENTS // 400, (fmt, reads)
    lines = buf.getvalue().splitlines() if fmt == "jsonl" else []
    if lines:
        assert len(lines) == N_EVENTS and json.loads(lines[0])["mentions"]


def test_export_sees_one_snapshot(store):
    """An export that is under way does not see events written after it started."""
    it = store.iter_events(batch=500)
    first = [next(it) for _ in range(10)]
    res = {"doc_id": "late", "content_hash": "a" * 64, "title": "t", "published": "2015-01-01", "source": "s",
           "url": None, "places": [], "dates": [], "figures": [], "claims": [], "agreements": [], "quality": [],
           "events": [{"event_id": "ev-1", "event_date": "2099-01-01", "time_precision": 1,
                       "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "Late Actor",
                       "country": "Latecountry", "country_code": "LT", "evidence": []}]}
    assert store.ingest_result(res) == "added"
    rest = list(it)
    assert len(first) + len(rest) == N_EVENTS
    assert not any(r["actor1"] == "Late Actor" for r in rest)
    assert len(list(store.iter_events(batch=500))) == N_EVENTS + 1


def test_events_command_streams(db, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from sitroom.cli import app

    reads: list[int] = []
    real = Store.query_events

    def counted(self, **kw):
        rows = real(self, **kw)
        reads.append(len(rows))
        return rows
    monkeypatch.setattr(Store, "query_events", counted)
    run = CliRunner().invoke
    r = run(app, ["events", "--db", db, "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == N_EVENTS and max(reads) <= 1000 and len(reads) >= 3
    reads.clear()
    r = run(app, ["events", "--db", db, "--format", "json", "--country", "AB", "--limit", "1500"])
    got = json.loads(r.stdout)
    want = [f"SR{e['id']}" for e in real(open_store(db), country="AB")][:1500]
    assert [e["event_id"] for e in got] == want
    r = run(app, ["events", "--db", db, "--format", "json", "--country", "XX"])
    assert json.loads(r.stdout) == []
    r = run(app, ["events", "--db", db, "--format", "table", "--admin1", "Region AB-3"], env={"COLUMNS": "240"})
    n = real(open_store(db), admin1="Region AB-3")
    assert r.exit_code == 0 and f"{len(n)} events" in r.stdout and f"SR{n[-1]['id']}" in r.stdout
    assert r.stdout.count(" id ") <= 1                  # one header however many blocks


def test_api_paging_counts_and_bounds(store, monkeypatch):
    from fastapi.testclient import TestClient

    import sitroom.serve.app as appmod

    monkeypatch.setattr(appmod, "COUNT_CAP", 1000)
    monkeypatch.setattr(appmod, "REPORT_MAX_EVENTS", 500)
    client = TestClient(appmod.create_app(store=store, tile_url="off"), base_url="http://127.0.0.1")
    everything = [f"SR{r['id']}" for r in store.query_events(country="AB")]
    got, cursor = [], None
    while True:
        body = client.get("/api/events", params={"country": "AB", "limit": 60,
                                                 **({"cursor": cursor} if cursor else {})}).json()
        assert body["total"] == len(everything) and body["total_exact"] is True
        got += [e["event_id"] for e in body["events"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert got == everything
    body = client.get("/api/events", params={"country": "AB", "limit": 3}).json()
    assert [e["place_names"] for e in body["events"]] == [[e["location"]] for e in body["events"]]   # from the spans
    body = client.get("/api/events", params={"limit": 5}).json()
    assert body["total"] == 1000 and body["total_exact"] is False
    exact = client.get("/api/events", params={"limit": 5, "total": "exact"}).json()
    assert exact["total"] == N_EVENTS and exact["total_exact"] is True
    assert client.get("/api/events", params={"total": "none"}).json()["total"] is None
    assert client.get("/api/events", params={"cursor": "nope"}).status_code == 422
    assert client.get("/api/events", params={"cursor": "2020-01-01.1" + "0" * 40}).status_code == 422

    # figures and claims: SQL pages cover every row once, the same as the full query
    for path, key, full in (("/api/figures", "figures", store.query_figures()),
                            ("/api/claims", "claims", store.query_claims())):
        ids = [r["id"] for r in full]
        pages = [client.get(path, params={"limit": 70, "offset": off}).json() for off in range(0, len(ids) + 70, 70)]
        idk = "figure_id" if key == "figures" else "claim_id"
        assert [x[idk] for p in pages for x in p[key]] == ids and ids
        assert pages[0]["total"] == min(len(ids), 1000) and pages[0]["total_exact"] == (len(ids) <= 1000)
    f = {"since": "2017-01-01", "until": "2017-06-30", "kind": "killed"}
    want = [r["id"] for r in store.query_figures(**f)]
    assert want and [x["figure_id"] for x in client.get("/api/figures", params={**f, "limit": 1000}).json()["figures"]] == want
    page = client.get("/api/figures", params={**f, "limit": 3, "offset": 2}).json()
    assert [x["figure_id"] for x in page["figures"]] == want[2:5] and page["total"] == len(want)
    cl = {"country": "AB", "kind": "denial"}
    want = [r["id"] for r in store.query_claims(**cl)]
    body = client.get("/api/claims", params={**cl, "limit": 1000}).json()
    assert [x["claim_id"] for x in body["claims"]] == want and body["total"] == len(want)
    assert all(any(e["event_id"] in {f"SR{r['id']}" for r in store.query_events(country="AB")} for e in c["events"])
               for c in body["claims"])

    # the report: unfiltered is refused with a clear 422, a region and a month answers
    r = client.get("/api/report")
    assert r.status_code == 422 and "narrow" in r.json()["detail"]
    ok = client.get("/api/report", params={"country": "AB", "admin1": "Region AB-3", "since": "2017-01-01",
                                           "until": "2017-12-31"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["counts"]["events"] == store.count_events(country="AB", admin1="Region AB-3",
                                                               since="2017-01-01", until="2017-12-31") > 0


def test_iter_events_memory_stays_one_batch(store):
    """Streaming every event keeps about one batch in memory: the peak while iterating (rows
    dropped as they come) is a fraction of the peak of reading them all at once."""
    import gc
    import tracemalloc

    def peak(fn) -> int:
        gc.collect()
        tracemalloc.start()
        try:
            fn()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def stream():
        n = 0
        for _ in store.iter_events(batch=100):
            n += 1
        assert n == N_EVENTS

    def everything():
        assert len(store.query_events()) == N_EVENTS
    store.count_events()            # the stored filter values and counts: read once, outside the measures
    assert peak(stream) < peak(everything) / 4


def test_read_path_statements_use_indexes(db, store):
    """The stamp of the kept values is index probes, not a scan of events, and a bounded count
    and a page that start from the country read one covering index (SQLite's plans)."""
    if not db.endswith(".db"):
        pytest.skip("SQLite's query plans")
    import sqlalchemy as sa

    from sitroom.store import schema as S
    from sitroom.store.core import _stamp

    ev = S.events
    with store.engine.connect() as conn:
        seen = []
        sa.event.listen(conn, "before_cursor_execute", lambda *a: seen.append(a[2]))
        _stamp(conn)
        plan = [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + seen[-1], tuple(()))]
        assert not any(p.startswith("SCAN events") for p in plan), plan
        conds = store._filters(conn, country="AB", type="Battles", actor="military")
        q = sa.select(sa.func.count()).select_from(sa.select(ev.c.id).where(*conds).limit(10_001).subquery())
        sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
        assert any("COVERING INDEX ix_events_" in p for p in plan), plan
        # the page walks the country's events in listing order, checking type and actor in the index (0008)
        from sitroom.store.core import _page_select
        page, params = _page_select(conds, None, 100, 0, docs=True)
        sql = str(page.params(params).compile(conn, compile_kwargs={"literal_binds": True}))
        plan = [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
        assert any("COVERING INDEX ix_events_country_code_date_lo_id_filters" in p for p in plan), plan


def test_bounded_count_of_an_actor_is_the_smaller_of_cap_and_matches(store):
    """An actor is an OR over three columns (PostgreSQL counts it as a union of legs each stopped
    at the cap): whatever the cap, the bounded count is min(cap, matches), including caps just
    below, at and above each column's own number of matches (where the legs overlap), with and
    without a confidence filter."""
    everything = store.query_events()
    for actor in ("rebels of a", "military", "civilians", "of a"):
        for min_confidence in (None, 0.7):
            conf = (lambda r: True) if min_confidence is None else \
                (lambda r, x=min_confidence: r["confidence"] is None or r["confidence"] >= x)
            want = sum(1 for r in everything if _matches(r, {"actor": actor}) and conf(r))
            legs = [sum(1 for r in everything if actor in (r[c] or "").casefold() and conf(r))
                    for c in ("actor1", "actor2", "assoc_actor_1")]
            assert want and sum(1 for n in legs if n) >= 2, (actor, legs)     # the legs overlap
            caps = sorted({c for n in (*legs, want) for c in (n - 1, n, n + 1) if c > 0} | {1})
            for cap in caps:
                got = store.count_events(actor=actor, min_confidence=min_confidence, cap=cap)
                assert got == min(cap, want), (actor, min_confidence, cap)
            assert store.count_events(actor=actor, min_confidence=min_confidence) == want


def test_one_request_reads_on_one_connection_with_one_stamp(store):
    """``Store.reading``: a page and its count share one connection (one pool checkout) and one
    read of the events' stamp; on PostgreSQL no BEGIN/ROLLBACK (autocommit)."""
    import sqlalchemy as sa

    checkouts, statements = [], []
    sa.event.listen(store.engine, "checkout", lambda *a: checkouts.append(1))
    sa.event.listen(store.engine, "before_cursor_execute", lambda c, cur, stmt, *a: statements.append(stmt))
    store.warm()
    checkouts.clear()
    statements.clear()
    with store.reading() as conn:
        page = store.query_event_docs(country="AB", limit=10)
        n = store.count_events(country="AB", cap=10_001)
        with store.reading() as inner:          # nested: the same connection
            assert inner is conn
        if conn.dialect.name == "postgresql":
            assert conn.connection.dbapi_connection.autocommit is True
    assert len(checkouts) == 1
    assert sum("max(stamp_events.updated_at)" in s for s in statements) == 1, statements
    assert not any(s.strip().upper() in ("BEGIN", "ROLLBACK") for s in statements)
    assert len(page) == 10 and n == store.count_events(country="AB")


def test_a_request_that_assumes_the_last_stamp_reads_it_with_its_page(db, store):
    """``reading(assume=True)`` (``/api/events``): no stamp query of its own, the page returns the
    stamp; the same page and count as a plain reading. After another process (another store on the
    same database) writes an event with an actor no event had, the next such request finds it (the
    filters are built again with the new stamp, the page read again) and counts it."""
    import sqlalchemy as sa

    statements: list[str] = []
    store.warm()
    with store.reading():
        want = store.query_event_docs(country="AB", limit=10)
        want_n = store.count_events(country="AB", cap=10_001)
    sa.event.listen(store.engine, "before_cursor_execute", lambda c, cur, stmt, *a: statements.append(stmt))
    with store.reading(assume=True):
        page = store.query_event_docs(country="AB", limit=10)
        n = store.count_events(country="AB", cap=10_001)
    assert (page, n) == (want, want_n)
    assert len(statements) == 1 and "max(stamp_events.updated_at)" in statements[0], statements  # count kept
    with store.reading(assume=True):
        assert store.query_event_docs(actor="later brigade", limit=10) == []
        assert store.count_events(actor="later brigade", cap=10_001) == 0
    other = open_store(db)
    try:
        assert other.ingest_result(_fresh_result("Later Brigade", "later")) == "added"
    finally:
        other.close()
    statements.clear()
    with store.reading(assume=True):
        page = store.query_event_docs(actor="later brigade", limit=10)
        n = store.count_events(actor="later brigade", cap=10_001)
    assert len(page) == 1 and '"Later Brigade"' in page[0][2] and n == 1
    assert len(statements) >= 3, statements        # the page, the new values, the page again, its count
    with store.reading(assume=True):                # and the stamp it found is the next one assumed
        statements.clear()
        assert store.query_event_docs(actor="later brigade", limit=10) == page
    assert len(statements) == 1, statements


def test_warm_reads_the_filter_values_before_the_first_request(store):
    """After ``Store.warm`` (a server's start), a filtered page reads no filter column's values and
    not the longest date range: only the stamp, the page and its count."""
    import sqlalchemy as sa

    statements: list[str] = []
    store.warm()
    sa.event.listen(store.engine, "before_cursor_execute", lambda c, cur, stmt, *a: statements.append(stmt))
    f = {"country": "Country AC", "admin1": "region ac-2", "type": "Battles", "actor": "military",
         "since": "2016-01-01", "until": "2018-01-01"}
    with store.reading():
        store.query_event_docs(**f, limit=5)
        store.count_events(**f, cap=100)
    assert len(statements) == 3, statements
    assert not any("RECURSIVE" in s or "date_hi - " in s or "julianday" in s for s in statements)


def test_filter_indexes_carry_confidence_and_postgresql_knows_correlated_columns(db, store):
    """Revision 0009: each (filter, date_lo, id) index ends with confidence (the dashboard's
    min_confidence is checked in the index); on PostgreSQL, statistics tie admin1 to its country
    and a sub-event type to its event type."""
    import sqlalchemy as sa

    insp = sa.inspect(store.engine)
    got = {i["name"]: i["column_names"] for i in insp.get_indexes("events")}
    for col in ("country", "admin1", "sub_event_type", "event_type", "actor1", "actor2", "assoc_actor_1"):
        assert got[f"ix_events_{col}_date_lo_id"] == [col, "date_lo", "id", "confidence"]
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            names = set(conn.execute(sa.text("SELECT stxname FROM pg_statistic_ext")).scalars())
        assert {"st_events_place", "st_events_type"} <= names


def test_a_page_statement_is_built_once_per_shape_and_run_with_each_filters_values(store):
    """Filters of one shape (the same conditions, each a list of stored values or its fallback)
    share one kept statement; each run gets its own values (a cached statement that kept its
    first values would answer the first country for every country)."""
    from sitroom.store import core

    everything = store.query_events()
    core._STATEMENTS.clear()
    seen = []
    for f in ({"country": "AB"}, {"country": "AC"}, {"country": "AD", "since": "2016-01-01"},
              {"country": "AE", "since": "2017-06-01"}, {"actor": "rebels of a"}, {"actor": "military"}):
        want = [r["id"] for r in everything if _matches(r, f)][:20]
        assert [r["id"] for r in store.query_events(**f, limit=20)] == want, f
        assert [d[0] for d in store.query_event_docs(**f, limit=20)] == want, f
        seen.append(len(core._STATEMENTS))
    # a country, then a country and a since: one shape each (two statements: rows, stored texts)
    assert seen[:4] == [2, 2, 4, 4], seen
