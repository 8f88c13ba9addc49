"""Extraction in several processes and on a Dask cluster gives what one process gives."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sitroom.model import Document
from sitroom.scale import extract_parallel

from tests.helpers import ROOT

COMPOSED = ROOT / "examples" / "composed" / "reports.jsonl"


def sitroom(*args, timeout=600):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "sitroom.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def fake_extract(chunk, batch_size):
    """Stands in for the pipeline in worker processes: a document saying CRASH kills its worker."""
    out = []
    for d in chunk:
        if "CRASH" in d.text:
            os._exit(3)
        out.append({"doc_id": d.doc_id, "n": len(d.text), "pid": os.getpid()})
    return out


def test_dead_worker_loses_nothing_and_repeats_nothing():
    docs = [Document(doc_id=str(i), text=("CRASH " if i == 13 else "") + "x" * i) for i in range(40)]
    out = list(extract_parallel(iter(docs), 2, batch_size=4, fn=fake_extract))
    assert [o["doc_id"] for o in out] == [str(i) for i in range(40)]      # all, once, in order
    assert out[13] == {"doc_id": "13", "error": "worker died extracting this document"}
    assert all(o["n"] == i for i, o in enumerate(out) if i != 13)
    assert len({o["pid"] for o in out if "pid" in o}) >= 2                # really in other processes


def test_parallel_keeps_input_order_without_crashes():
    docs = [Document(doc_id=str(i), text="y" * (50 - i)) for i in range(25)]
    out = list(extract_parallel(docs, 3, batch_size=2, fn=fake_extract))
    assert [o["doc_id"] for o in out] == [str(i) for i in range(25)]
    assert [o["n"] for o in out] == [50 - i for i in range(25)]


@pytest.mark.pipeline
def test_extract_workers_output_identical(tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    r1 = sitroom("extract", str(COMPOSED), "--format", "jsonl", "-q", "-o", str(one))
    r2 = sitroom("extract", str(COMPOSED), "--format", "jsonl", "-q", "-o", str(two), "--workers", "2",
                 "--batch-size", "2")
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    assert one.read_bytes() == two.read_bytes()
    assert len(one.read_text().splitlines()) == 5


def test_dry_run_says_how_work_is_split(tmp_path):
    db = tmp_path / "x.db"
    r = sitroom("ingest", str(COMPOSED), "--db", str(db), "--dry-run", "--workers", "2", "--batch-size", "2")
    assert r.returncode == 0, r.stderr
    assert "5 documents" in r.stdout and "3 chunks of up to 2 documents" in r.stdout
    assert "2 processes" in r.stdout
    assert not db.exists()              # nothing stored, not even an empty database


# ------------------------------------------------------------------ partitioned fusion

from sitroom.scale import fusion as F  # noqa: E402

from tests.helpers.shared_data import SHARED  # noqa: E402


def _assert_partitioned_equals_single(results, workers=2):
    recs, weights = F.mention_records(results)
    single, merges = F.fuse_group(recs, weights)
    parted, pmerges, n_parts = F.fuse_partitioned(recs, weights, workers=workers, min_parallel=0)
    assert F.comparable(parted) == F.comparable(single)
    key = lambda mg: (str(mg["from"]), str(mg["into"]))  # noqa: E731
    assert sorted(map(key, pmerges)) == sorted(map(key, merges))
    return len(recs), len(single), n_parts, len(merges)


def test_partitioned_fusion_equals_single_on_synthetic_set():
    from sitroom.fuse.synthetic import synthetic_results

    results, _truth = synthetic_results(2500, seed=7)
    n, events, parts, merges = _assert_partitioned_equals_single(results)
    assert parts > 10 and merges > 100 and events < n       # really split, and really fused


def test_partitions_keep_wildcards_with_everything_they_reach():
    from sitroom.fuse import date_range
    def rec(cc, day, prec=1):
        lo, hi = date_range(day, prec) if day else (None, None)
        return {"country_code": cc, "country": cc, "lo": lo, "hi": hi}
    recs = {0: rec("SY", "2020-01-01"), 1: rec("SY", "2020-01-02"), 2: rec("SY", "2020-03-01"),
            3: rec("YE", "2020-01-01"), 4: rec(None, "2020-03-02"), 5: rec("YE", "2020-01-03")}
    groups = F.partitions(recs)
    assert sorted(map(sorted, groups)) == [[0, 1], [2, 4], [3, 5]]
    recs[7] = rec("SY", None)                                # undated: all of its country
    assert sorted(map(sorted, F.partitions(recs))) == [[0, 1, 2, 4, 7], [3, 5]]
    recs[6] = rec(None, None)                                # undated and unplaced: joins all
    assert len(F.partitions(recs)) == 1


@pytest.fixture(scope="module")
def composed_results(pipeline):
    from sitroom.ingest import iter_documents

    return list(pipeline.run(iter_documents([str(COMPOSED)], None)))


@pytest.mark.pipeline
def test_partitioned_fusion_equals_single_on_composed_examples(composed_results):
    _assert_partitioned_equals_single(composed_results)


@pytest.mark.pipeline
def test_partitioned_fusion_equals_single_on_ecbplus(pipeline):
    root = SHARED / "eval" / "ecbplus"
    if not root.is_dir():
        pytest.skip(f"ECB+ topics not found at {root} (../shared is not there)")
    from sitroom.fuse.ecbplus import read_corpus
    from sitroom.ingest import document_from_text

    docs = [document_from_text(d["text"], doc_id=d["id"]) for d in read_corpus(root)]
    results = list(pipeline.run(docs))
    n, events, parts, merges = _assert_partitioned_equals_single(results)
    assert n > 50 and merges > 0


# ------------------------------------------------------------------ Dask: the same database

def db_snapshot(url: str) -> dict:
    """Every row of every table, without the wall-clock columns, in a canonical order. The stored
    JSON of /api/events (``event_docs``) carries each event's write time (ACLED's ``timestamp``): it
    is checked to be what the other tables give (``listing.stale``), not compared."""
    import sqlalchemy as sa

    from sitroom.store import listing
    from sitroom.store import schema as S
    eng = sa.create_engine(url if "://" in url else f"sqlite:///{url}")
    out = {}
    try:
        with eng.connect() as conn:
            assert listing.stale(conn) == []
            for t in S.metadata.sorted_tables:
                if t is S.event_docs:
                    continue
                cols = [c for c in t.columns if not isinstance(c.type, sa.DateTime)]
                rows = conn.execute(sa.select(*cols)).all()
                out[t.name] = sorted((json.dumps([_plain(v) for v in r], sort_keys=True, default=str) for r in rows))
    finally:
        eng.dispose()
    return out


def _plain(v):
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, float):
        return round(v, 9)
    return v


def _documents():
    from sitroom.ingest import iter_documents
    return list(iter_documents([str(COMPOSED)], None))


@pytest.fixture(scope="module")
def local_cluster():
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'sitroom[dask]'")
    from sitroom.scale.cluster import connect

    client, cluster = connect("local", workers=2)
    yield client
    client.close()
    cluster.close()


def _ingest_both(url_single, url_dask, client, pipeline):
    from sitroom.scale.cluster import extract_dask
    from sitroom.store import open_store

    for url, results in ((url_single, pipeline.run(_documents(), batch_size=2)),
                         (url_dask, extract_dask(_documents(), "unused", client=client, batch_size=2))):
        store = open_store(url)
        try:
            stats = store.ingest(results, commit_every=3)
        finally:
            store.close()
        assert stats.added == 5 and stats.errors == 0


@pytest.mark.pipeline
def test_local_cluster_sqlite_database_equals_single_process(local_cluster, tmp_path, pipeline):
    workers = local_cluster.scheduler_info(n_workers=-1)["workers"]
    assert len(workers) == 2
    one, two = str(tmp_path / "one.db"), str(tmp_path / "dask.db")
    _ingest_both(one, two, local_cluster, pipeline)
    a, b = db_snapshot(one), db_snapshot(two)
    assert a["events"] and a["mentions"]
    assert a == b


@pytest.mark.pipeline
def test_local_cluster_postgresql_database_equals_single_process(local_cluster, pg_databases, pipeline):
    one, two = pg_databases(), pg_databases()
    _ingest_both(one, two, local_cluster, pipeline)
    a, b = db_snapshot(one), db_snapshot(two)
    assert a["events"] and a["mentions"]
    assert a == b


def test_ingest_cli_scheduler_local(tmp_path):
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'sitroom[dask]'")
    db1, db2 = tmp_path / "a.db", tmp_path / "b.db"
    r1 = sitroom("ingest", str(COMPOSED), "--db", str(db1), "-q", "--batch-size", "2")
    r2 = sitroom("ingest", str(COMPOSED), "--db", str(db2), "-q", "--batch-size", "2", "--scheduler", "local",
                 "--workers", "2")
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    assert db_snapshot(str(db1)) == db_snapshot(str(db2))


# ------------------------------------------------------------------ partitioned fusion in ingest

def _ingest_snapshot(url: str, results: list, **options) -> dict:
    from sitroom.store import open_store
    store = open_store(url, **options)
    try:
        store.ingest(results, commit_every=400)
    finally:
        store.close()
    return db_snapshot(url)


def test_store_ingest_with_partitioned_fusion_equals_single(tmp_path):
    """`sitroom ingest --fusion partitioned`: every table (events, mentions with their fusion
    decisions and rejected candidates, merges, blocking index) equals the single run's, in one
    process and in two."""
    from sitroom.fuse.synthetic import synthetic_results

    results, _truth = synthetic_results(1500, seed=7)
    single = _ingest_snapshot(str(tmp_path / "one.db"), results)
    assert len(single["events"]) < len(single["mentions"])      # really fused
    assert _ingest_snapshot(str(tmp_path / "p1.db"), results, fusion="partitioned") == single
    assert _ingest_snapshot(str(tmp_path / "p2.db"), results, fusion="partitioned", fusion_workers=2) == single


@pytest.mark.pipeline
def test_ingest_cli_partitioned_fusion_on_composed_examples(tmp_path, composed_results):
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in composed_results), encoding="utf-8")
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    r1 = sitroom("ingest", str(results), "--results", "--db", str(one), "-q", "--commit-every", "2")
    r2 = sitroom("ingest", str(results), "--results", "--db", str(two), "-q", "--commit-every", "2",
                 "--fusion", "partitioned")
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    assert db_snapshot(str(one)) == db_snapshot(str(two))
    bad = sitroom("ingest", str(results), "--results", "--db", str(tmp_path / "x.db"), "--fusion", "bogus")
    assert bad.returncode != 0 and "bogus" in bad.stderr
