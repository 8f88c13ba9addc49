"""The stored JSON of /api/events (revision 0008, ``sitroom.store.listing``): the response joined
from the stored texts is byte for byte the one built from the event rows, for varied requests, on
SQLite and PostgreSQL; every write path keeps the texts up to date (fusion, a merge of stored
events, claims, a watched source's scale); missing or outdated texts are rendered; the migration
fills the table and goes down and up again."""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from sitroom.store import listing, open_store
from sitroom.store import schema as S

from tests.helpers import benchmark_module
from tests.store.test_store import ARREST_IN_STAUNTON, ARREST_NOWHERE, ev, result

N_EVENTS = 1500


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    return str(tmp_path / "docs.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture
def built(db_url):
    """A store of N_EVENTS synthetic fused events (the load benchmark's builder, which fills the texts)."""
    load = benchmark_module("load")
    assert load.build(db_url, N_EVENTS, seed=5, progress=lambda _m: None)["events"] == N_EVENTS
    s = open_store(db_url)
    yield s
    s.close()


@pytest.fixture
def store(db_url):
    s = open_store(db_url)
    yield s
    s.close()


def _client(store):
    from fastapi.testclient import TestClient

    from sitroom.serve.app import create_app

    return TestClient(create_app(store=store, tile_url="off"), base_url="http://127.0.0.1")


def _both(client, params: dict, headers: dict | None = None) -> tuple:
    """(stored, rendered) responses: status, content type, body bytes."""
    settings = client.app.state.settings
    out = []
    for stored in (True, False):
        settings.stored_json = stored
        r = client.get("/api/events", params=params, headers=headers or {})
        out.append((r.status_code, r.headers.get("content-type"), r.content))
    settings.stored_json = True
    return tuple(out)


def _requests(rnd: random.Random, n: int) -> list[tuple[dict, dict]]:
    """Varied /api/events requests: the dashboard's filters and every paging, count and format option."""
    filters = [{}, {"country": "ab"}, {"country": "Country AC"}, {"country": "AB", "admin1": "region ab-3"},
               {"since": "2017-03-01", "until": "2017-05-15"}, {"since": "2024-12-01"}, {"until": "2015-02-01"},
               {"type": "air/drone strike"}, {"type": "Battles"}, {"actor": "rebels of a"}, {"actor": "military"},
               {"country": "AD", "type": "Armed clash", "actor": "military"}, {"country": "XX"}, {"actor": "100%_"},
               {"country": "AB", "since": "2016-01-01", "until": "2018-12-31", "type": "Shelling/artillery/missile attack"}]
    out = []
    for _ in range(n):
        p = dict(rnd.choice(filters))
        p["limit"] = rnd.choice((1, 7, 100, 1000))
        if rnd.random() < 0.3:
            p["offset"] = rnd.choice((0, 3, 250))
        if rnd.random() < 0.3:
            p["min_confidence"] = rnd.choice((0.6, 0.9))
        if rnd.random() < 0.4:
            p["total"] = rnd.choice(("bounded", "exact", "none"))
        headers = {}
        kind = rnd.random()
        if kind < 0.2:
            p["format"] = "geojson"
        elif kind < 0.3:
            headers = {"Accept": "application/geo+json"}
        elif kind < 0.35:
            p["format"] = "json"
        out.append((p, headers))
    return out


def _stored_used(store) -> int:
    """How many stored texts are up to date (the page query serves those as they are)."""
    ed, ev_ = S.event_docs, S.events
    with store.engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(ed).join(ev_, ev_.c.id == ed.c.event_id)
                         .where(ed.c.stamp == ev_.c.updated_at, ed.c.version == listing.version())).scalar_one()


def test_stored_json_is_the_rendered_response_byte_for_byte(built):
    assert _stored_used(built) == N_EVENTS          # the builder filled every text
    client = _client(built)
    rnd = random.Random(11)
    checked = 0
    for params, headers in _requests(rnd, 70):
        stored, rendered = _both(client, params, headers)
        assert stored == rendered, params
        assert stored[0] == 200, (params, stored[2][:300])
        checked += stored[2].count(b'"event_id"')
        # the next page by cursor too
        body = client.get("/api/events", params=params, headers=headers).json()
        if body.get("next_cursor"):
            nxt = {k: v for k, v in params.items() if k != "offset"}
            nxt["cursor"] = body["next_cursor"]
            assert _both(client, nxt, headers)[0] == _both(client, nxt, headers)[1]
    assert checked > 2000
    # a malformed cursor is the same 422 either way
    s, r = _both(client, {"cursor": "nope"})
    assert s == r and s[0] == 422


def test_the_page_is_joined_from_the_stored_texts(built):
    """A stored text that is up to date is sent as it is (so the fast path really reads them)."""
    client = _client(built)
    first = client.get("/api/events", params={"limit": 1}).json()["events"][0]
    eid = int(first["event_id"][2:])
    ed = S.event_docs
    with built.writer.begin() as c:
        body = c.execute(sa.select(ed.c.body).where(ed.c.event_id == eid)).scalar_one()
        c.execute(sa.update(ed).where(ed.c.event_id == eid).values(body=body.replace('"notes":"', '"notes":"X', 1)))
    assert client.get("/api/events", params={"limit": 1}).json()["events"][0]["notes"] == "X" + first["notes"]
    with built.engine.connect() as c:
        assert listing.stale(c, [eid]) == [eid]


def test_missing_or_outdated_texts_are_rendered_then_filled_again(built):
    ed, ev_ = S.event_docs, S.events
    client = _client(built)
    with built.writer.begin() as c:
        ids = list(c.execute(sa.select(ev_.c.id).order_by(ev_.c.date_lo, ev_.c.id).limit(40)).scalars())
        c.execute(sa.delete(ed).where(ed.c.event_id.in_(ids[:10])))                 # missing
        c.execute(sa.update(ed).where(ed.c.event_id.in_(ids[10:20])).values(version="old"))    # another format
        # written by a writer that did not refresh them: a new updated_at, new notes
        c.execute(sa.update(ev_).where(ev_.c.id.in_(ids[20:30])).values(
            notes="changed elsewhere", updated_at=sa.func.current_timestamp()))
    with built.engine.connect() as c:
        assert listing.stale(c) == sorted(ids[:30])
    for params in ({"limit": 100}, {"limit": 25, "format": "geojson"}, {"limit": 1000, "total": "exact"}):
        stored, rendered = _both(client, params)
        assert stored == rendered and stored[0] == 200
    assert b"changed elsewhere" in client.get("/api/events", params={"limit": 100}).content
    with built.writer.begin() as c:
        assert listing.fill(c) == 30
    with built.engine.connect() as c:
        assert listing.stale(c) == []
    assert _stored_used(built) == N_EVENTS


def _all_fresh(store) -> None:
    with store.engine.connect() as c:
        assert listing.stale(c) == []
        n_events = c.execute(sa.select(sa.func.count()).select_from(S.events)).scalar_one()
        n_docs = c.execute(sa.select(sa.func.count()).select_from(S.event_docs)).scalar_one()
    assert n_docs == n_events        # none left behind by an absorbed event
    client = _client(store)
    for params in ({}, {"format": "geojson"}, {"country": "SY", "limit": 2}, {"actor": "russia", "total": "exact"}):
        stored, rendered = _both(client, params)
        assert stored == rendered and stored[0] == 200


def test_every_write_keeps_the_texts_up_to_date(store):
    # three outlets, one strike: the event is refined twice within one transaction
    store.ingest([result("province", [ev(event_date="2020-01", time_precision=3, location=None, admin2=None,
                                         latitude=35.9, longitude=36.6, geo_precision=3, fatalities=19,
                                         fatalities_low=None, actor1=None, actor2=None)]),
                  result("town", [ev(fatalities=21, fatalities_low=21)])])
    _all_fresh(store)
    store.ingest([result("town2", [ev(fatalities=23, fatalities_low=None, latitude=35.82, longitude=36.60,
                                      evidence=[{"start": 0, "end": 30, "text": "an air strike on Ariha killed 23"}],
                                      location_evidence={"start": 20, "end": 25, "text": "Ariha"})])])
    _all_fresh(store)
    e = _client(store).get("/api/events").json()["events"]
    assert len(e) == 1 and e[0]["n_sources"] == 3 and e[0]["documents"] == ["province", "town", "town2"]
    # a denial in a later document contests the event (claims and `contested`)
    store.ingest([result("denial", [ev(local="d", fatalities=21)],
                         claims=[{"kind": "denial", "speaker": "Ministry", "text": "The ministry denied it",
                                  "about": ["d"], "evidence": []}])])
    _all_fresh(store)
    # two stored events that a later report ties together: one absorbs the other
    base, nowhere = ARREST_IN_STAUNTON, ARREST_NOWHERE
    store.ingest([result("first", [ev(local="a", **base, evidence=[
        {"start": 0, "end": 33, "text": "A woman was detained in Staunton"}])])])
    store.ingest([result("nowhere", [ev(local="b", **nowhere, evidence=[
        {"start": 0, "end": 72, "text": "In Virginia, Sharron Diane Crawford Smith was charged by Staunton police"}])])])
    _all_fresh(store)
    stats = store.ingest([result("third", [ev(local="c", **base, evidence=[
        {"start": 0, "end": 70, "text": "Staunton police arrested Sharron Diane Crawford Smith over the killings"}])])])
    assert stats.consolidated == 1
    _all_fresh(store)


def test_migration_fills_the_table_and_goes_down_and_up(db_url):
    from alembic import command

    from sitroom.store.engine import alembic_config, current_revision, head_revision, make_engine, migrate

    load = benchmark_module("load")
    load.build(db_url, 400, seed=2, progress=lambda _m: None)
    eng = make_engine(db_url)
    try:
        with eng.begin() as conn:
            command.downgrade(alembic_config(conn), "0007")
        assert current_revision(eng) == "0007"
        assert "event_docs" not in sa.inspect(eng).get_table_names()
        migrate(eng)
        assert current_revision(eng) == head_revision()
        with eng.connect() as c:
            assert c.execute(sa.select(sa.func.count()).select_from(S.event_docs)).scalar_one() == 400
            assert listing.stale(c) == []
    finally:
        eng.dispose()
