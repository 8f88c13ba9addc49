"""The event store on SQLite and on a real PostgreSQL: schema/migrations, idempotent and
transactional ingest (kill -9 included), fusion through the database, queries, exports, commands."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from sitroom.model import ACLED_COLUMNS
from sitroom.store import Store, make_engine, open_store, resolve_url
from sitroom.store import schema as S
from sitroom.store.engine import current_revision, head_revision

from tests.helpers import ROOT



def result(doc_id: str, events: list[dict], *, claims=(), figures=(), agreements=(), text=None, **kw) -> dict:
    text = text or f"text of {doc_id}"
    out = {"doc_id": doc_id, "content_hash": hashlib.sha256(text.encode()).hexdigest(), "title": f"Title {doc_id}",
           "published": "2020-01-17", "published_from": "metadata", "source": f"Outlet {doc_id}",
           "url": f"https://example.org/{doc_id}", "events": events, "places": [], "dates": [],
           "figures": list(figures), "claims": list(claims), "agreements": list(agreements), "quality": []}
    out.update(kw)
    return out


def ev(local="ev-1", **kw) -> dict:
    base = {"event_id": local, "event_date": "2020-01-16", "time_precision": 1,
            "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
            "actor1": "Military Forces of Russia", "actor2": "Civilians (Syria)", "assoc_actor_1": None,
            "country": "Syria", "country_code": "SY", "admin1": "Idlib", "admin2": "Ariha",
            "location": "Ariha", "latitude": 35.8137, "longitude": 36.6106, "geo_precision": 1,
            "fatalities": 21, "fatalities_low": 21, "fatalities_high": None, "notes": "",
            "confidence": 0.8, "evidence": [{"doc_id": None, "start": 10, "end": 20, "text": "air strike"}]}
    base.update(kw)
    return base


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "test.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url):
    s = open_store(db_url)
    yield s
    s.close()


def consistency(store: Store) -> dict:
    """Invariants a database must satisfy after any run, interrupted or not."""
    with store.engine.connect() as c:
        docs = c.execute(sa.select(S.documents.c.id, S.documents.c.n_events)).all()
        per_doc = dict(c.execute(sa.select(S.mentions.c.document_id, sa.func.count())
                                 .group_by(S.mentions.c.document_id)).all())
        for doc_pk, n in docs:
            assert per_doc.get(doc_pk, 0) == n, f"document {doc_pk} is not whole"
        per_event = dict(c.execute(sa.select(S.mentions.c.event_id, sa.func.count())
                                   .group_by(S.mentions.c.event_id)).all())
        src = dict(c.execute(sa.select(S.event_sources.c.event_id, sa.func.count())
                             .group_by(S.event_sources.c.event_id)).all())
        blocks = {r[0] for r in c.execute(sa.select(S.event_blocks.c.event_id).distinct())}
        events = c.execute(sa.select(S.events.c.id, S.events.c.n_mentions, S.events.c.n_sources)).all()
        for eid, nm, ns in events:
            assert per_event.get(eid) == nm, f"event {eid}: n_mentions {nm} != {per_event.get(eid)}"
            assert src.get(eid) == ns, f"event {eid}: n_sources {ns} != {src.get(eid)}"
            assert eid in blocks, f"event {eid} missing from the blocking index"
        assert None not in per_event, "a mention without an event"
        return {"documents": len(docs), "events": len(events), "mentions": sum(per_doc.values())}


# ------------------------------------------------------------------ engine and schema

def test_resolve_url(monkeypatch):
    monkeypatch.delenv("SITROOM_DB", raising=False)
    assert resolve_url(None) == "sqlite:///sitroom.db"
    assert resolve_url("x/y.db") == "sqlite:///x/y.db"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("SITROOM_DB", "/tmp/env.db")
    assert resolve_url(None) == "sqlite:////tmp/env.db"
    assert resolve_url("other.db") == "sqlite:///other.db"


def test_open_migrates_to_head_and_matches_schema(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    s = open_store(db_url)
    assert current_revision(s.engine) == head_revision()
    with s.engine.connect() as c:
        diffs = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), S.metadata)
    assert diffs == [], f"schema.py and the migrations disagree: {diffs}"
    s.close()
    s2 = open_store(db_url)        # opening again is a no-op
    assert current_revision(s2.engine) == head_revision()
    s2.close()


# ------------------------------------------------------------------ ingest

def test_reingest_same_content_changes_nothing(store):
    r = result("a", [ev()], figures=[{"kind": "killed", "value": 21, "evidence": []}])
    st = store.ingest([r])
    assert (st.added, st.unchanged, st.mentions) == (1, 0, 1)
    before = store.counts()
    with store.engine.connect() as c:
        ev_before = [tuple(x) for x in c.execute(sa.select(S.events).order_by(S.events.c.id))]
    again = dict(r, doc_id="a-renamed")        # same content hash, another id
    st = store.ingest([r, again])
    assert (st.added, st.unchanged) == (0, 2)
    assert store.counts() == before
    with store.engine.connect() as c:
        assert [tuple(x) for x in c.execute(sa.select(S.events).order_by(S.events.c.id))] == ev_before


def test_errors_are_counted_not_stored(store):
    st = store.ingest([{"doc_id": "bad", "error": "could not read"}])
    assert st.errors == 1 and st.error_ids == ["bad"]
    assert store.counts()["documents"] == 0


def test_failure_inside_a_document_rolls_it_back(store, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(Store, "_add_reports", boom)
    with pytest.raises(RuntimeError):
        store.ingest([result("a", [ev()])])
    assert all(v == 0 for v in store.counts().values())
    monkeypatch.undo()
    assert store.ingest([result("a", [ev()])]).added == 1
    assert consistency(store)["documents"] == 1


def test_a_bad_document_in_a_batch_loses_only_itself(store, monkeypatch):
    from sitroom import fuse
    real = fuse.mention_record

    def picky(e, *context):
        if e.get("notes") == "poison":
            raise ValueError("cannot fuse this one")
        return real(e, *context)
    monkeypatch.setattr(fuse, "mention_record", picky)
    batch = [result("a", [ev()]), result("bad", [ev(notes="poison")]), result("c", [ev(event_date="2020-01-20")])]
    with pytest.raises(ValueError):
        store.ingest(batch, commit_every=10)
    with store.engine.connect() as c:
        assert sorted(c.execute(sa.select(S.documents.c.doc_id)).scalars()) == ["a"]
    st = store.ingest(batch, commit_every=10, skip_failures=True)      # the way `sitroom ingest` runs
    assert (st.added, st.unchanged, st.errors, st.error_ids) == (1, 1, 1, ["bad"])
    monkeypatch.undo()
    st = store.ingest(batch, commit_every=10)
    assert (st.added, st.unchanged) == (1, 2)
    assert consistency(store) == {"documents": 3, "events": 2, "mentions": 3}


def test_an_integrity_error_of_a_new_document_is_a_failure_not_unchanged(store, monkeypatch):
    """Only content another writer stored meanwhile is "unchanged"; any other constraint a
    document breaks loses that document loudly, never silently."""
    from sqlalchemy.exc import IntegrityError

    real = Store._add_reports

    def clash(self, conn, docs, *a, **k):
        if any(d["doc_id"] == "bad" for d in docs):
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real(self, conn, docs, *a, **k)
    monkeypatch.setattr(Store, "_add_reports", clash)
    st = store.ingest([result("a", [ev()]), result("bad", [ev(event_date="2020-01-20")])],
                      commit_every=10, skip_failures=True)
    assert (st.added, st.unchanged, st.errors, st.error_ids) == (1, 0, 1, ["bad"])


def test_duplicates_inside_one_batch(store):
    st = store.ingest([result("a", [ev()]), result("a-again", [ev()], text="text of a")], commit_every=50)
    assert (st.added, st.unchanged) == (1, 1)
    assert store.counts()["documents"] == 1


def test_reports_are_stored(store):
    r = result("a", [ev(local="ev-x")],
               figures=[{"kind": "killed", "value": 21, "qualifier": "at least", "unit": "people", "evidence": []}],
               claims=[{"kind": "denial", "speaker": "Moscow", "text": "Moscow denied bombing civilians",
                        "about": ["ev-x"], "evidence": []},
                       {"kind": "accusation", "speaker": "White Helmets", "target": "Russia", "text": "...",
                        "about": ["ev-x"], "evidence": []}],
               agreements=[{"kind": "ceasefire", "parties": ["Russia", "Turkey"], "effective_date": "2020-01-12",
                            "area": "Idlib", "status": "violated", "evidence": []}])
    store.ingest([r])
    c = store.counts()
    assert (c["figures"], c["claims"], c["agreements"]) == (1, 2, 1)
    e = store.event("SR1")
    assert e["contested"] is True
    assert sorted(x["relation"] for x in e["claims"]) == ["accuses", "denies"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(S.claims.c.target).where(S.claims.c.kind == "accusation")).scalar_one() == "Russia"
        assert conn.execute(sa.select(S.agreements.c.parties)).scalar_one() == ["Russia", "Turkey"]


# ------------------------------------------------------------------ fusion through the store

def test_same_strike_from_three_outlets_is_one_event(store):
    store.ingest([
        result("province", [ev(event_date="2020-01", time_precision=3, location=None, admin2=None,
                               latitude=35.9, longitude=36.6, geo_precision=3, fatalities=19,
                               fatalities_low=None, actor1=None, actor2=None,
                               sub_event_type="Shelling/artillery/missile attack")]),
        result("town", [ev(fatalities=21, fatalities_low=21)]),
        result("town2", [ev(fatalities=23, fatalities_low=None, latitude=35.82, longitude=36.60)]),
    ])
    assert consistency(store) == {"documents": 3, "events": 1, "mentions": 3}
    e = store.event(1)
    assert e["n_sources"] == 3 and e["documents"] == ["province", "town", "town2"]
    # a later report refined the province-level event to the town and the day
    assert (e["location"], e["geo_precision"], e["event_date"], e["time_precision"]) == ("Ariha", 1, "2020-01-16", 1)
    assert (e["fatalities_low"], e["fatalities_high"], e["fatalities"]) == (19, 23, 19)
    assert [s["fatalities"] for s in e["sources"]] == [19, 21, 23]
    # one report started the event (within a transaction: the first by content, not by arrival),
    # the others joined it, each with its reasons
    decisions = sorted(m["fusion"]["decision"] for m in e["mentions"])
    assert decisions == ["merged", "merged", "new"]
    assert all(m["fusion"]["reasons"] and m["fusion"]["into"] == "SR1"
               for m in e["mentions"] if m["fusion"]["decision"] == "merged")


def test_different_events_stay_apart(store):
    store.ingest([
        result("a", [ev()]),
        result("b", [ev(local="e1", event_date="2020-01-20")]),                           # other day
        result("c", [ev(local="e1", location="Saraqib", latitude=35.8647, longitude=36.8003)]),  # 17 km away
        result("d", [ev(local="e1", sub_event_type="Peaceful protest", event_type="Protests")]),
        result("e", [ev(local="e1", country="Turkey", country_code="TR", admin1="Hatay")]),
    ])
    assert consistency(store)["events"] == 5
    e = store.event(2)
    assert e["mentions"][0]["fusion"]["decision"] == "new"


def test_mentions_in_one_document_become_separate_sources_once(store):
    store.ingest([result("a", [ev(local="1"), ev(local="2", fatalities=20, fatalities_low=None)])])
    e = store.event(1)
    assert e["n_mentions"] == 2 and e["n_sources"] == 1
    assert e["sources"][0]["n_mentions"] == 2


# ------------------------------------------------------------------ queries and exports

@pytest.fixture
def filled(store):
    store.ingest([
        result("a", [ev()]), result("b", [ev(fatalities=25, fatalities_low=None)]),
        result("c", [ev(local="e", event_date="2020-02-03", sub_event_type="Armed clash", event_type="Battles",
                        actor1="Military Forces of Syria", actor2="HTS", admin1="Aleppo", location="Aleppo",
                        latitude=36.2, longitude=37.16)]),
        result("d", [ev(local="e", event_date="2019-06-01", country="Mali", country_code="ML", admin1="Kidal",
                        location="Kidal", latitude=18.44, longitude=1.41, actor1="JNIM", actor2=None,
                        sub_event_type="Attack", event_type="Violence against civilians")]),
    ])
    return store


def test_query_filters(filled):
    q = filled.query_events
    assert len(q()) == 3
    assert [e["location"] for e in q(country="SY")] == ["Ariha", "Aleppo"]
    assert [e["location"] for e in q(country="mali")] == ["Kidal"]
    assert [e["location"] for e in q(admin1="idlib")] == ["Ariha"]
    assert [e["location"] for e in q(since="2020-01-01")] == ["Ariha", "Aleppo"]
    assert [e["location"] for e in q(until="2020-01-31")] == ["Kidal", "Ariha"]
    assert [e["location"] for e in q(type="Air/drone strike", actor="Russia")] == ["Ariha"]
    assert [e["location"] for e in q(type="battles")] == ["Aleppo"]
    assert q(country="SY", admin1="Idlib", since="2020-01-01", type="Air/drone strike", actor="Russia")[0]["documents"] == ["a", "b"]


def test_exports(filled):
    from sitroom.store.export import write_export

    buf = io.StringIO()
    assert write_export("acled-csv", filled.iter_events(), buf) == 3
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert tuple(rows[0][:len(ACLED_COLUMNS)]) == ACLED_COLUMNS
    first = dict(zip(rows[0], rows[1]))
    assert first["event_id"] == "SR3" and first["location"] == "Kidal"

    buf = io.StringIO()
    write_export("hxl", filled.iter_events(), buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    tags = dict(zip(rows[0], rows[1]))
    assert tags["event_date"] == "#date+occurred" and tags["admin1"] == "#adm1+name"
    assert tags["latitude"] == "#geo+lat" and tags["fatalities"] == "#affected+killed"
    assert all(t.startswith("#") for t in rows[1])

    buf = io.StringIO()
    write_export("geojson", filled.iter_events(), buf)
    gj = json.loads(buf.getvalue())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 3
    f = gj["features"][1]
    assert f["geometry"] == {"type": "Point", "coordinates": [36.6106, 35.8137]}
    assert f["properties"]["fatalities_low"] == 21 and f["properties"]["fatalities_high"] == 25

    buf = io.StringIO()
    write_export("jsonl", filled.iter_events(with_mentions=True), buf)
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert len(lines) == 3
    ariha = lines[1]
    assert ariha["documents"] == ["a", "b"] and len(ariha["mentions"]) == 2
    assert ariha["mentions"][0]["evidence"][0]["text"] == "air strike"
    assert sorted(m["fusion"]["decision"] for m in ariha["mentions"]) == ["merged", "new"]


def test_hxl_export_parses_with_libhxl(filled):
    hxl = pytest.importorskip("hxl", reason="libhxl (PyPI) not installed")
    from sitroom.store.export import write_export

    buf = io.StringIO()
    write_export("hxl", filled.iter_events(), buf)
    src = hxl.data(hxl.input.make_input(io.BytesIO(buf.getvalue().encode())))
    tags = [c.display_tag for c in src.columns]
    assert "#adm1+name" in tags and "#geo+lat" in tags and "#affected+killed" in tags
    rows = list(src)
    assert len(rows) == 3 and rows[1].get("#loc+name") == "Ariha"


def test_geojson_export_loads_with_ogr2ogr(filled, tmp_path):
    import shutil
    from sitroom.store.export import write_export

    ogr = shutil.which("ogr2ogr")
    if ogr is None:
        pytest.skip("ogr2ogr not installed (Debian package gdal-bin)")
    src = tmp_path / "events.geojson"
    with open(src, "w", encoding="utf-8") as fh:
        write_export("geojson", filled.iter_events(), fh)
    out = tmp_path / "events.csv"
    r = subprocess.run([ogr, "-f", "CSV", str(out), str(src), "-lco", "GEOMETRY=AS_XY"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert len(rows) == 3 and rows[1]["location"] == "Ariha"
    assert abs(float(rows[1]["X"]) - 36.6106) < 1e-6 and abs(float(rows[1]["Y"]) - 35.8137) < 1e-6


# ------------------------------------------------------------------ commands

def _app():
    import typer
    from sitroom.cli.store import events, explain, export, ingest

    app = typer.Typer()
    app.command("ingest")(ingest)
    app.command("events")(events)
    app.command("explain")(explain)
    app.command("export")(export)
    return app


def test_commands(db_url, tmp_path):
    from typer.testing import CliRunner

    batch = tmp_path / "results.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in [
        result("a", [ev()]), result("b", [ev(fatalities=19, fatalities_low=None)]),
        {"doc_id": "broken", "error": "unreadable"}]) + "\n")
    run = CliRunner().invoke
    app = _app()
    r = run(app, ["ingest", "--results", str(batch), "--db", db_url])
    assert r.exit_code == 0, r.output
    r = run(app, ["ingest", "--results", str(batch), "--db", db_url])
    assert r.exit_code == 0 and "0 documents added, 2 unchanged" in r.output
    r = run(app, ["events", "--db", db_url, "--country", "SY", "--format", "json"])
    got = json.loads(r.stdout)
    assert len(got) == 1 and got[0]["documents"] == ["a", "b"]
    r = run(app, ["events", "--db", db_url, "--format", "csv", "--actor", "russia"])
    assert r.stdout.splitlines()[0].startswith(",".join(ACLED_COLUMNS))
    r = run(app, ["events", "--db", db_url, "--format", "table"])
    assert r.exit_code == 0 and "SR1" in r.stdout
    r = run(app, ["explain", "SR1", "--db", db_url])
    assert r.exit_code == 0
    assert "air strike" in r.stdout and "merged (score" in r.stdout and "same day" in r.stdout
    out = tmp_path / "ev.geojson"
    r = run(app, ["export", "--format", "geojson", "--db", db_url, "-o", str(out)])
    assert r.exit_code == 0 and json.loads(out.read_text())["features"][0]["properties"]["event_id"] == "SR1"
    r = run(app, ["explain", "SR99", "--db", db_url])
    assert r.exit_code == 1


def test_env_var_names_the_database(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    batch = tmp_path / "r.jsonl"
    batch.write_text(json.dumps(result("a", [ev()])) + "\n")
    monkeypatch.setenv("SITROOM_DB", str(tmp_path / "env.db"))
    r = CliRunner().invoke(_app(), ["ingest", "--results", str(batch)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "env.db").exists()


# ------------------------------------------------------------------ kill -9

CHILD = r"""
import sys, time
from sitroom.store import core
orig = core.Store._add_reports
def slow(self, *a, **k):            # widen the window inside each document's transaction
    time.sleep(0.004)
    return orig(self, *a, **k)
core.Store._add_reports = slow
import typer
from sitroom.cli.store import ingest
app = typer.Typer(); app.command("ingest")(ingest); app.command("x")(lambda: None)
app(["ingest", "--results", sys.argv[1], "--db", sys.argv[2], "-q", "--commit-every", "7"])
"""


def _doc_count(url: str) -> int:
    eng = make_engine(url)
    try:
        with eng.connect() as c:
            return c.execute(sa.text("SELECT count(*) FROM documents")).scalar_one()
    except Exception:  # noqa: BLE001 - not created yet
        return 0
    finally:
        eng.dispose()


def test_kill_9_mid_ingest_leaves_whole_documents_and_resumes(db_url, tmp_path):
    from sitroom.fuse.synthetic import synthetic_results

    results, _ = synthetic_results(1500, seed=3, per_doc=3)
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(r) + "\n" for r in results))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(batch), db_url], env=env, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while _doc_count(db_url) < 40 and time.time() < deadline and child.poll() is None:
        time.sleep(0.02)
    assert child.poll() is None, f"ingest ended before it could be killed: {child.stderr.read().decode()[-500:]}"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL

    s = open_store(db_url)          # the interrupted database opens
    if db_url.endswith(".db"):
        with s.engine.connect() as c:
            assert c.execute(sa.text("PRAGMA integrity_check")).scalar_one() == "ok"
    partial = consistency(s)
    assert 40 <= partial["documents"] < len(results)
    s.close()

    from typer.testing import CliRunner
    done = CliRunner().invoke(_app(), ["ingest", "--results", str(batch), "--db", db_url, "-q"])
    assert done.exit_code == 0, done.output
    s = open_store(db_url)
    final = consistency(s)
    assert final["documents"] == len(results) and final["mentions"] == 1500
    with s.engine.connect() as c:
        resumed = sorted(tuple(map(str, r)) for r in c.execute(sa.select(
            S.events.c.event_date, S.events.c.location, S.events.c.n_mentions, S.events.c.fatalities_high)))
    s.close()

    # the resumed database holds the same events as one uninterrupted run
    ref = open_store(str(tmp_path / "ref.db"))
    ref.ingest(results)
    with ref.engine.connect() as c:
        straight = sorted(tuple(map(str, r)) for r in c.execute(sa.select(
            S.events.c.event_date, S.events.c.location, S.events.c.n_mentions, S.events.c.fatalities_high)))
    ref.close()
    assert resumed == straight


# ------------------------------------------------------------------ concurrent writers

WRITER = r"""
import sys, json
from sitroom.store import open_store
results = [json.loads(l) for l in open(sys.argv[1])]
s = open_store(sys.argv[2])
st = s.ingest(results, commit_every=int(sys.argv[3]))
print(json.dumps(st.as_dict()))
"""


def test_two_ingests_at_once_store_each_document_once(db_url, tmp_path):
    from sitroom.fuse.synthetic import synthetic_results

    results, _ = synthetic_results(900, seed=5, per_doc=3)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps(r) + "\n" for r in results[:200]))           # overlapping halves
    b.write_text("".join(json.dumps(r) + "\n" for r in results[100:]))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(f), db_url, n], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f, n in ((a, "5"), (b, "7"))]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-800:] for o in outs]
    stats = [json.loads(o[0].strip().splitlines()[-1]) for o in outs]
    assert sum(s["added"] for s in stats) == len(results)
    assert sum(s["unchanged"] for s in stats) == 100
    s = open_store(db_url)
    got = consistency(s)
    s.close()
    assert got["documents"] == len(results) and got["mentions"] == 900


def test_a_database_at_the_first_revision_upgrades_on_open(db_url):
    from sitroom.store.engine import migrate

    eng = make_engine(db_url)
    migrate(eng, "0001")
    assert current_revision(eng) == "0001"
    with eng.begin() as c:
        assert "terms" not in {col["name"] for col in sa.inspect(c).get_columns("events")}
    eng.dispose()
    s = open_store(db_url)
    assert current_revision(s.engine) == head_revision() != "0001"
    s.ingest([result("a", [ev()])])
    assert s.event(1)["terms"] == ["strike"]
    s.close()


def test_ingest_does_not_extract_documents_already_stored(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sitroom import pipeline
    from sitroom.model import content_hash

    text = "Russian jets struck a market in Ariha on Thursday, killing 21 people.\n"
    doc = tmp_path / "report.txt"
    doc.write_text(text)
    db = str(tmp_path / "s.db")
    s = open_store(db)
    s.ingest([dict(result("report", [ev()]), content_hash=content_hash(text))])
    s.close()

    class NoPipeline:
        def __init__(self):
            raise AssertionError("the pipeline must not run for a stored document")
    monkeypatch.setattr(pipeline, "Pipeline", NoPipeline)
    r = CliRunner().invoke(_app(), ["ingest", str(doc), "--db", db])
    assert r.exit_code == 0, r.output
    assert "0 documents added, 1 unchanged" in r.output


# ------------------------------------------------------------------ figures, claims, ceasefires

@pytest.fixture
def reported(store):
    """A ceasefire in Idlib from 2020-01-12, strikes before and after it, elsewhere, a protest,
    a denial and an accusation, figures."""
    store.ingest([
        result("truce", [ev(local="e0", event_date="2020-01-10", fatalities=5, fatalities_low=None)],
               agreements=[{"kind": "ceasefire", "parties": ["Russia", "Turkey"], "agreed_date": "2020-01-09",
                            "effective_date": "2020-01-12", "area": "Idlib province", "status": "violated",
                            "evidence": []}],
               figures=[{"kind": "killed", "value": 1506, "unit": "civilians", "period_start": "2019-04-29",
                         "period_end": "2020-01-17", "country": "Syria", "admin1": "Idlib", "verified": True,
                         "attributed_to": "OHCHR", "evidence": [{"start": 0, "end": 5, "text": "1,506"}]},
                        {"kind": "displaced", "value": 350000, "qualifier": "about", "unit": "people",
                         "period_start": "2019-12", "country": "Syria", "evidence": []}]),
        result("strike", [ev(local="s1"), ev(local="s2", event_date="2020-01-14", location="Saraqib",
                                             latitude=35.8647, longitude=36.8003, fatalities=2, fatalities_low=None)],
               claims=[{"kind": "denial", "speaker": "Russian Ministry of Defence", "text": "Moscow denied bombing civilians",
                        "about": ["s1"], "evidence": []},
                       {"kind": "accusation", "speaker": "White Helmets", "target": "Russia",
                        "text": "The White Helmets blamed Russian jets", "about": ["s2"], "evidence": []}]),
        result("same-truce", [], agreements=[{"kind": "ceasefire", "parties": ["Russia"],
                                              "effective_date": "2020-01-12", "area": "Idlib", "evidence": []}]),
        # the same agreement in another word, with no date: it joins the one dated Idlib ceasefire
        result("truce-word", [], agreements=[{"kind": "truce", "parties": ["Turkey"], "area": "Idlib",
                                              "evidence": []}]),
        result("protest", [ev(local="p", sub_event_type="Peaceful protest", event_type="Protests",
                              event_date="2020-01-15", location="Idlib", latitude=35.93, longitude=36.63)]),
        result("aleppo", [ev(local="a", event_date="2020-01-15", admin1="Aleppo", location="Aleppo",
                             latitude=36.2, longitude=37.16, admin2=None)]),
    ])
    return store


def test_ceasefires_list_violations_per_day(reported):
    got = reported.ceasefires()
    assert len(got) == 1                            # two reports of one agreement, grouped
    a = got[0]
    assert a["documents"] == ["truce", "same-truce", "truce-word"] and a["parties"] == ["Russia", "Turkey"]
    assert (a["effective_date"], a["area"], a["status"]) == ("2020-01-12", "Idlib province", "violated")
    # the strike before the ceasefire, the protest and the strike in Aleppo are not violations
    assert [d["date"] for d in a["days"]] == ["2020-01-14", "2020-01-16"]
    assert [[e["location"] for e in d["events"]] for d in a["days"]] == [["Saraqib"], ["Ariha"]]
    assert a["n_violations"] == 2 and a["fatalities"] == 23
    assert a["days"][1]["events"][0]["contested"] is True
    assert reported.ceasefires(until="2020-01-15")[0]["n_violations"] == 1
    assert reported.ceasefires(area="idlib")[0]["agreement"] == 1
    assert reported.ceasefires(area="Hama") == []
    assert reported.ceasefires(since="2020-02-01") == []


def test_denial_contests_and_accusation_names_target_in_store_and_exports(reported):
    from sitroom.store.export import write_export

    denials = reported.query_claims(kind="denial")
    assert len(denials) == 1 and denials[0]["events"][0]["relation"] == "denies"
    denied = denials[0]["events"][0]
    assert denied["contested"] is True and denied["location"] == "Ariha"
    acc = reported.query_claims(kind="accusation")
    assert acc[0]["target"] == "Russia" and acc[0]["events"][0]["relation"] == "accuses"
    assert acc[0]["events"][0]["contested"] is False     # an accusation does not contest
    assert [c["kind"] for c in reported.query_claims(target="russ")] == ["accusation"]
    assert [c["kind"] for c in reported.query_claims(event=denied["event_id"])] == ["denial"]
    assert len(reported.query_claims(country="SY", admin1="Idlib")) == 2
    assert reported.query_claims(admin1="Aleppo") == []
    assert len(reported.query_claims(since="2020-01-17", until="2020-01-17")) == 2   # document date
    # exports: the contested flag in ACLED CSV / GeoJSON, the claims with their target in JSON Lines
    buf = io.StringIO()
    write_export("acled-csv", reported.iter_events(), buf)
    rows = {r["location"]: r for r in csv.DictReader(io.StringIO(buf.getvalue()))}
    assert rows["Ariha"]["contested"] == "1" and rows["Saraqib"]["contested"] == "0"
    buf = io.StringIO()
    write_export("jsonl", reported.iter_events(with_mentions=True), buf)
    lines = {x["location"]: x for x in map(json.loads, buf.getvalue().splitlines())}
    assert lines["Ariha"]["contested"] is True
    assert [(c["relation"], c["speaker"]) for c in lines["Ariha"]["claims"]] == [("denies", "Russian Ministry of Defence")]
    assert [(c["relation"], c["target"]) for c in lines["Saraqib"]["claims"]] == [("accuses", "Russia")]
    assert lines["Aleppo"]["claims"] == []


def test_figures_query(reported):
    q = reported.query_figures
    assert [f["value"] for f in q()] == [1506, 350000]
    assert [f["value"] for f in q(kind="killed")] == [1506]
    assert [f["value"] for f in q(country="SY")] == [1506, 350000]
    assert [f["value"] for f in q(admin1="idlib")] == [1506]
    assert [f["value"] for f in q(since="2020-01-01")] == [1506]   # 2019-12 ends before
    assert [f["value"] for f in q(until="2019-06-01")] == [1506]
    assert q(doc="strike") == []
    f = q(kind="killed")[0]
    assert f["doc_id"] == "truce" and f["verified"] is True and f["attributed_to"] == "OHCHR"


def test_report_commands(reported, db_url, tmp_path):
    from typer.testing import CliRunner
    import typer
    from sitroom.cli.statements import ceasefires, claims, figures

    app = typer.Typer()
    app.command("ceasefires")(ceasefires)
    app.command("claims")(claims)
    app.command("figures")(figures)
    run = CliRunner().invoke
    r = run(app, ["ceasefires", "--db", db_url, "--format", "json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert [d["date"] for d in got[0]["days"]] == ["2020-01-14", "2020-01-16"]
    r = run(app, ["ceasefires", "--db", db_url, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["date"], x["n_events"]) for x in rows] == [("2020-01-14", "1"), ("2020-01-16", "1")]
    assert rows[0]["documents"] == "truce same-truce truce-word" and rows[0]["parties"] == "Russia; Turkey"
    r = run(app, ["ceasefires", "--db", db_url])
    assert r.exit_code == 0 and "2 alleged violations" in r.stdout and "2020-01-14" in r.stdout
    r = run(app, ["claims", "--db", db_url, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["kind"] for x in rows] == ["denial", "accusation"]
    assert rows[0]["events"].startswith("denies:SR") and rows[0]["contested"] == rows[0]["events"].split(":")[1]
    assert rows[1]["target"] == "Russia" and rows[1]["contested"] == ""
    r = run(app, ["claims", "--db", db_url, "--kind", "accusation", "--format", "json"])
    assert json.loads(r.stdout)[0]["target"] == "Russia"
    r = run(app, ["claims", "--db", db_url])
    assert r.exit_code == 0 and "accusation" in r.stdout and "Russia" in r.stdout
    r = run(app, ["claims", "--db", db_url, "--event", "nope"])
    assert r.exit_code != 0
    r = run(app, ["figures", "--db", db_url, "--format", "json", "--kind", "killed"])
    assert [f["value"] for f in json.loads(r.stdout)] == [1506]
    out = tmp_path / "figures.csv"
    r = run(app, ["figures", "--db", db_url, "--format", "csv", "-o", str(out)])
    assert r.exit_code == 0 and [x["kind"] for x in csv.DictReader(open(out))] == ["killed", "displaced"]
    r = run(app, ["figures", "--db", db_url])
    assert r.exit_code == 0 and "1506" in r.stdout
    r = run(app, ["figures", "--db", db_url, "--format", "xml"])
    assert r.exit_code != 0


def test_names_are_stored_and_find_events_across_transactions(store):
    """A report without place or date finds, in a later transaction, the event whose documents
    name the same people (the name rows of the blocking index, names kept in events.terms)."""
    text = "Staunton police arrested Sharron Diane Crawford Smith over the killings"
    placed = ev(local="a", sub_event_type="Arrests", event_type="Strategic developments", event_date=None,
                time_precision=None, country="United States", country_code="US", admin1="Virginia",
                admin2=None, location="Staunton", latitude=38.15, longitude=-79.07, actor1=None, actor2=None,
                fatalities=None, fatalities_low=None, evidence=[{"start": 0, "end": 70, "text": text}])
    nowhere = dict(placed, event_id="b", country=None, country_code=None, admin1=None, location=None,
                   latitude=None, longitude=None, geo_precision=None,
                   evidence=[{"start": 0, "end": 60, "text": "In Virginia, Sharron Diane Crawford Smith was charged by Staunton police"}])
    store.ingest([result("placed", [placed])])
    store.ingest([result("nowhere", [nowhere])])
    assert consistency(store) == {"documents": 2, "events": 1, "mentions": 2}
    e = store.event(1)
    assert e["documents"] == ["placed", "nowhere"]
    assert {"^2^sharron", "^2^crawford", "^1^staunton", "^1^virginia", "^#2"} <= set(e["terms"])
    assert "arrested" in e["terms"]
    assert any(r.startswith("names shared") for r in e["mentions"][1]["fusion"]["reasons"])
    with store.engine.connect() as c:
        rows = set(c.execute(sa.select(S.event_blocks.c.place).where(S.event_blocks.c.bucket == -2)).scalars())
    assert "~crawford" in rows


#: an arrest in Staunton, Virginia, and a report of it that names no place: a later report ties them
ARREST_IN_STAUNTON = dict(sub_event_type="Arrests", event_type="Strategic developments", event_date=None,
                          time_precision=None, country="United States", country_code="US", admin1="Virginia",
                          admin2=None, location="Staunton", latitude=38.15, longitude=-79.07, actor1=None,
                          actor2=None, fatalities=None, fatalities_low=None)
ARREST_NOWHERE = dict(ARREST_IN_STAUNTON, country=None, country_code=None, admin1=None, location=None,
                      latitude=None, longitude=None, geo_precision=None)


def test_later_reports_join_events_filed_earlier(store, tmp_path):
    """An event filed in one transaction is joined, in a later one, to the event that new reports
    tie it to: mentions, sources and claim links move, the old id resolves to the event, and
    explain says why."""
    from sitroom.cli.store import explain_text

    base, nowhere = ARREST_IN_STAUNTON, ARREST_NOWHERE
    store.ingest([result("first", [ev(local="a", **base, evidence=[
        {"start": 0, "end": 33, "text": "A woman was detained in Staunton"}])])])
    store.ingest([result("nowhere", [ev(local="b", **nowhere, evidence=[
        {"start": 0, "end": 72, "text": "In Virginia, Sharron Diane Crawford Smith was charged by Staunton police"}])],
        claims=[{"kind": "denial", "speaker": "her lawyer", "text": "Her lawyer denied the charges",
                 "about": ["b"], "evidence": []}])])
    assert consistency(store)["events"] == 2
    stats = store.ingest([result("third", [ev(local="c", **base, evidence=[
        {"start": 0, "end": 70, "text": "Staunton police arrested Sharron Diane Crawford Smith over the killings"}])])])
    assert stats.consolidated == 1
    assert consistency(store) == {"documents": 3, "events": 1, "mentions": 3}
    e = store.event("SR1")
    assert e["documents"] == ["first", "nowhere", "third"] and e["n_sources"] == 3 and e["contested"]
    assert [a["event_id"] for a in e["absorbed"]] == ["SR2"]
    old = store.event("SR2")                    # the absorbed id still finds its event
    assert old["id"] == 1 and old["merged_from"] == "SR2"
    assert [c["kind"] for c in store.query_claims(event="SR1")] == ["denial"]
    text = explain_text(old)
    assert text.startswith("SR2 was joined to SR1") and "joined by SR2" in text
    assert "new in this document" not in text
    assert store.event("SR9") is None
    # the absorbed id is never given to a new event (SQLite reuses a deleted highest id)
    store.ingest([result("houston", [ev(local="h", **dict(base, admin1="Texas", location="Houston",
                                                               latitude=29.76, longitude=-95.37), evidence=[
        {"start": 0, "end": 30, "text": "Houston police detained Mary Jones"}])])])
    assert [e["id"] for e in store.query_events()] == [1, 3]
    assert store.event("SR2")["id"] == 1 and store.event("SR3")["location"] == "Houston"


def test_transactions_do_not_depend_on_timing(tmp_path, monkeypatch):
    """Fusion depends on how documents are grouped into transactions, so transactions close by
    document count only (unless asked for --commit-seconds): a slow clock, as on a loaded
    machine, changes neither the grouping nor the fused events."""
    from sitroom.fuse.synthetic import synthetic_results
    from sitroom.store import core

    results, _ = synthetic_results(60, seed=5, per_doc=3)
    sizes: list[int] = []
    flush = core.Store._flush
    monkeypatch.setattr(core.Store, "_flush", lambda self, batch, *a: (sizes.append(len(batch)),
                                                                       flush(self, batch, *a)))

    def fused(path, **kw):
        sizes.clear()
        s = open_store(str(path))
        s.ingest(results, commit_every=10, **kw)
        with s.engine.connect() as c:
            rows = sorted(tuple(map(str, r)) for r in c.execute(sa.select(
                S.events.c.event_date, S.events.c.location, S.events.c.n_mentions)))
        s.close()
        return rows, list(sizes)

    calm = fused(tmp_path / "calm.db")
    clock = iter(range(0, 10_000_000, 5))          # every reading 5 s later than the last
    monkeypatch.setattr(core.time, "monotonic", lambda: float(next(clock)))
    assert fused(tmp_path / "busy.db") == calm
    assert calm[1] == [10] * (len(results) // 10) + ([len(results) % 10] if len(results) % 10 else [])
    # asked for: a transaction that waited 2 s is committed
    assert fused(tmp_path / "stream.db", max_seconds=2.0)[1] != calm[1]


def test_fusion_within_a_transaction_does_not_depend_on_report_order(tmp_path):
    """Within one transaction every report starts alone and the best pairs join first, ties
    broken by content: shuffled input gives the same events (their ids follow arrival)."""
    import random

    from sitroom.fuse.synthetic import synthetic_results

    results, _ = synthetic_results(240, seed=3, per_doc=3, days=20)

    def clusters(rs, name):
        s = open_store(str(tmp_path / name))
        s.ingest(rs, commit_every=1000)
        got = sorted(tuple(sorted(e["documents"])) for e in s.iter_events())
        s.close()
        return got

    first = clusters(results, "a.db")
    assert len(first) < sum(len(r["events"]) for r in results)       # reports did fuse
    shuffled = results[:]
    random.Random(7).shuffle(shuffled)
    assert clusters(shuffled, "b.db") == first


def test_name_document_counts_weigh_rare_names(store):
    """name_docs counts the documents naming each proper name (the row "" counts them all), on
    both back-ends; a re-ingested document counts once; fusion weighs names by those counts."""
    def doc(name, text, local):
        return result(name, [ev(local=local, evidence=[{"start": 0, "end": len(text), "text": text}])], text=text)

    store.ingest([doc("a", "In Idlib, Russian jets hit Ariha and the Kafr Nabl market", "a1"),
                  doc("b", "In Idlib, Russian jets hit Ariha again", "b1")])
    store.ingest([doc("a", "In Idlib, Russian jets hit Ariha and the Kafr Nabl market", "a1"),
                  doc("c", "In Idlib, Turkish troops met Russian officers", "c1")])
    with store.engine.connect() as c:
        counts = dict(c.execute(sa.select(S.name_docs.c.name, S.name_docs.c.documents)).all())
    assert counts[""] == 3 and counts["idlib"] == 3 and counts["russian"] == 3
    assert counts["ariha"] == 2 and counts["nabl"] == 1 and counts["turkish"] == 1
    with store.engine.begin() as c:
        from sitroom.store.candidates import SqlCandidates
        from sitroom.store.core import EVENT_FIELDS, split_terms
        w = SqlCandidates(c, EVENT_FIELDS, split_terms).name_weights(
            [], {1: {"name_counts": {"nabl": 1, "ariha": 1, "idlib": 1}}})
    assert w.documents == 3 and w("nabl") > w("ariha") > w("idlib") > 0


def test_to_jsonable_is_the_same_for_exact_and_derived_types():
    import dataclasses
    from collections import OrderedDict
    from datetime import date, datetime

    from sitroom.model import to_jsonable

    @dataclasses.dataclass
    class P:
        day: date
        xs: tuple

    class Name(str):
        pass

    value = {"a": (1, 2.5, True, None), 3: [date(2024, 1, 2), {"d": datetime(2024, 1, 2, 3, 4)}],
             Name("n"): P(date(2024, 5, 6), (P(date(2024, 5, 7), ()),)),
             "od": OrderedDict([(1, (date(2024, 1, 1),))]), None: "k"}
    got = to_jsonable(value)
    assert got == {"a": [1, 2.5, True, None], "3": ["2024-01-02", {"d": "2024-01-02T03:04:00"}],
                   "n": {"day": "2024-05-06", "xs": [{"day": "2024-05-07", "xs": []}]},
                   "od": {"1": ["2024-01-01"]}, "None": "k"}
    assert all(type(k) is str for k in got) and type(got["a"]) is list and type(got["od"]) is dict
    assert to_jsonable(got) == got                          # already plain: unchanged
