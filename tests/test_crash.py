"""Crash safety and concurrent writers, kept by tests.

``sitroom ingest`` is killed with SIGKILL at random moments over a few hundred generated reports;
after every kill the database must be whole (``PRAGMA integrity_check``, no row whose parent is
missing in any table, no mention without its document, no event without a source, counts that
agree with the rows), and running the same ingest again must end with exactly the events of an
uninterrupted run. Two ingests started together on one database must end with the union and no
duplicate document or event. SQLite always; PostgreSQL where the throwaway server runs
(the ``pg_databases`` fixture of tests/conftest.py).

The quick versions kill ``ingest --results`` (documents extracted once per session, so every kill
lands in storing and fusing, the part that can half-write); the ``slow`` ones (``-m "not slow"``
skips them; they run only with ``SITROOM_SLOW=1``) kill ``ingest`` while it extracts too.
``SITROOM_KILLS`` and ``SITROOM_KILLS_PG`` change the number of kills (20 and 10).
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers.ops_corpus import ROOT, duplicate_events, events_of, extract_results, n_documents, problems, write_documents

KILLS = int(os.environ.get("SITROOM_KILLS", "20"))
#: the slow tests (the extracting ingest killed: ~8 min on two shared cores) run only when asked
slow = [pytest.mark.slow, pytest.mark.skipif(not os.environ.get("SITROOM_SLOW"),
                                             reason="long reliability test: set SITROOM_SLOW=1 to run it")]
KILLS_PG = int(os.environ.get("SITROOM_KILLS_PG", os.environ.get("SITROOM_KILLS", "10")))   # each start costs more
N_DOCS = 300
COMMIT_EVERY = "10"         # many transactions: kills land inside and between them


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("crash")
    docs = write_documents(d / "docs.jsonl", N_DOCS)
    return {"docs": docs, "results": extract_results(docs, d / "results.jsonl"), "dir": d}


def _cmd(db: str, inputs: list[str], results: bool) -> list[str]:
    return [sys.executable, "-m", "sitroom.cli", "ingest", *inputs, "--db", db, "--commit-every", COMMIT_EVERY,
            "-q", *(["--results"] if results else [])]


def _run(db: str, inputs: list[str], results: bool = True) -> None:
    r = subprocess.run(_cmd(db, inputs, results), cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]


def test_the_checks_find_what_a_crash_could_leave(corpus, tmp_path):
    """``problems`` is no test that cannot fail: break a whole database in the ways a half-written
    ingest would, one at a time, and it names each."""
    import shutil
    import sqlite3

    whole = str(tmp_path / "whole.db")
    _run(whole, [str(corpus["results"])])
    assert problems(whole) == []
    breakages = {
        "documents": "DELETE FROM documents WHERE id = (SELECT min(document_id) FROM mentions)",
        "without a source": "DELETE FROM event_sources WHERE event_id = (SELECT min(id) FROM events)",
        "without their events": "DELETE FROM events WHERE id = (SELECT max(event_id) FROM mentions)",
        "n_mentions": "UPDATE events SET n_mentions = n_mentions + 1 WHERE id = (SELECT min(id) FROM events)",
        "n_events": "UPDATE documents SET n_events = n_events + 1 WHERE id = 1",
        "name_docs": "UPDATE name_docs SET documents = documents - 1 WHERE name = ''",
        "blocking-index": "DELETE FROM event_blocks WHERE event_id = (SELECT min(id) FROM events)",
    }
    for what, sql in breakages.items():
        broken = str(tmp_path / "broken.db")
        shutil.copyfile(whole, broken)
        con = sqlite3.connect(broken)
        con.execute(sql)
        con.commit()
        con.close()
        found = problems(broken)
        assert found and any(what in f for f in found), (what, found)


# ---------------------------------------------------------------------- SIGKILL

class DocCounter:
    """Counts the stored documents of ``db`` quickly and often (one open connection)."""

    def __init__(self, db: str) -> None:
        from sitroom.store import make_engine
        self.engine = make_engine(db)

    def __call__(self) -> int:
        try:
            with self.engine.connect() as conn:
                return conn.exec_driver_sql("SELECT count(*) FROM documents").scalar()
        except sa.exc.DBAPIError:           # no table yet
            return 0

    def close(self) -> None:
        self.engine.dispose()


def kill_and_check(make_db, inputs: list[str], results: bool, kills: int, seed: int = 2026) -> dict:
    """Kill ``sitroom ingest`` ``kills`` times at random moments; check the database after each
    kill and that finishing it gives the events of an uninterrupted run. Returns the tally.

    A quarter of the kills come at a random time (start-up, migration, extraction, storing); the
    others as soon as a random number of documents is stored, i.e. inside the next transaction."""
    ref = make_db()
    t0 = time.monotonic()
    _run(ref, inputs, results)
    full = time.monotonic() - t0
    expected = events_of(ref)
    assert expected and not problems(ref)
    rnd = random.Random(seed)
    tally = {"kills": 0, "mid_ingest": 0, "finished_before_kill": 0, "rounds": 0,
             "uninterrupted_seconds": round(full, 2)}
    db = make_db()
    while tally["kills"] < kills:
        count = DocCounter(db)
        try:
            before = count()
            proc = subprocess.Popen(_cmd(db, inputs, results), cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            if rnd.random() < 0.25 or before >= N_DOCS - 1:
                time.sleep(rnd.uniform(0.05, full))
            else:
                target = rnd.randrange(before + 1, N_DOCS)
                deadline = time.monotonic() + 3 * full + 30
                while proc.poll() is None and count() < target and time.monotonic() < deadline:
                    time.sleep(0.002)
                time.sleep(rnd.uniform(0, 0.02))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            code = proc.wait(60)
            stored = count()
        finally:
            count.close()
        if code == -signal.SIGKILL:
            tally["kills"] += 1
            tally["mid_ingest"] += 0 < stored < N_DOCS
            found = problems(db)
            assert not found, f"after kill {tally['kills']} ({stored} documents stored): {found}"
        else:
            assert code == 0
            tally["finished_before_kill"] += 1
        if stored == N_DOCS:
            _run(db, inputs, results)         # a no-op when complete; then the events must be the same
            assert not problems(db)
            got = events_of(db)
            assert got == expected, (f"round {tally['rounds']}: {len(got)} events after kills and re-runs, "
                                     f"{len(expected)} uninterrupted")
            tally["rounds"] += 1
            db = make_db()
    _run(db, inputs, results)
    assert not problems(db)
    assert events_of(db) == expected
    tally["rounds"] += 1
    assert tally["mid_ingest"] >= kills // 2, tally        # the kills did land inside ingests
    print(f"\nSIGKILL: {tally}")
    return tally


def _sqlite_dbs(tmp_path: Path):
    counter = iter(range(10_000))
    return lambda: str(tmp_path / f"kill{next(counter)}.db")


def test_sigkill_during_ingest_sqlite(corpus, tmp_path):
    kill_and_check(_sqlite_dbs(tmp_path), [str(corpus["results"])], True, KILLS)


@slow[0]
@slow[1]
def test_sigkill_during_extracting_ingest_sqlite(corpus, tmp_path):
    kill_and_check(_sqlite_dbs(tmp_path), [str(corpus["docs"])], False, KILLS)


def test_sigkill_during_ingest_postgresql(corpus, pg_databases):
    kill_and_check(pg_databases, [str(corpus["results"])], True, KILLS_PG)


# ---------------------------------------------------------------------- concurrent ingests

def concurrent_union(db: str, ref: str, corpus, tmp_path: Path, results: bool = True) -> None:
    """Two ingests at once over overlapping halves: the union, nothing twice."""
    src = corpus["results"] if results else corpus["docs"]
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    a, b = tmp_path / f"a{src.suffix}", tmp_path / f"b{src.suffix}"
    a.write_text("".join(lines[: 2 * N_DOCS // 3]), encoding="utf-8")
    b.write_text("".join(lines[N_DOCS // 3:]), encoding="utf-8")      # the middle third in both
    procs = [subprocess.Popen(_cmd(db, [str(p)], results), cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for p in (a, b)]
    for p in procs:
        _out, errs = p.communicate(timeout=900)
        assert p.returncode == 0, errs[-2000:]
    assert not problems(db)
    assert n_documents(db) == N_DOCS
    _run(ref, [str(src)], results)
    got, expected = events_of(db), events_of(ref)
    n_mentions = sum(ev[-4] for ev in got)
    assert n_mentions == sum(ev[-4] for ev in expected)
    assert duplicate_events(got) <= duplicate_events(expected), (duplicate_events(got), duplicate_events(expected))
    print(f"\nconcurrent: {len(got)} events ({len(expected)} sequential), {n_mentions} mentions, "
          f"{duplicate_events(got)} same date/type/place pairs ({duplicate_events(expected)} sequential)")


def test_two_concurrent_ingests_sqlite(corpus, tmp_path):
    concurrent_union(str(tmp_path / "both.db"), str(tmp_path / "ref.db"), corpus, tmp_path)


@slow[0]
@slow[1]
def test_two_concurrent_extracting_ingests_sqlite(corpus, tmp_path):
    concurrent_union(str(tmp_path / "both.db"), str(tmp_path / "ref.db"), corpus, tmp_path, results=False)


def test_two_concurrent_ingests_postgresql(corpus, pg_databases, tmp_path):
    concurrent_union(pg_databases(), pg_databases(), corpus, tmp_path)
