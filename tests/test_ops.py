"""``sitroom doctor`` and ``sitroom backup``: what a broken install prints, and backups taken while
an ingest writes, restored as docs/reliability.md says. SQLite always; PostgreSQL where the
throwaway server runs."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers.ops_corpus import ROOT, events_of, extract_results, n_documents, problems, write_documents

runner = CliRunner()


def sitroom(*args: str):
    from sitroom.cli import app
    return runner.invoke(app, list(args))


def _lines(output: str) -> dict[str, str]:
    """check name -> its line."""
    out = {}
    for line in output.splitlines():
        if line[:4] in ("ok  ", "warn", "FAIL") and ":" in line:
            out[line[6:].split(":", 1)[0]] = line
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Pipeline results of 400 documents: 40 generated reports extracted once, each stored 10 times
    under other ids and content hashes (fusion joins the copies; storing still does all the work)."""
    d = tmp_path_factory.mktemp("ops")
    base = extract_results(write_documents(d / "docs.jsonl", 40, seed=5), d / "base.jsonl")
    rows = [json.loads(line) for line in base.read_text(encoding="utf-8").splitlines()]
    out = d / "results.jsonl"
    with open(out, "w", encoding="utf-8") as fh:
        for k in range(10):
            for r in rows:
                fh.write(json.dumps(dict(r, doc_id=f"{r['doc_id']}#{k}", content_hash=f"{r['content_hash'][:56]}{k:08d}"))
                         + "\n")
    return out


def _ingest(db: str, path: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sitroom.cli", "ingest", "--results", str(path), "--db", db, "-q",
                             *extra], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


# ---------------------------------------------------------------------- doctor

def test_doctor_on_a_fresh_machine_state(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SITROOM_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("SITROOM_DB", raising=False)
    r = sitroom("doctor", "--quick")
    assert r.exit_code == 0, r.output
    lines = _lines(r.output)
    assert lines["database"].startswith("warn") and "no database at sitroom.db yet" in lines["database"]
    assert lines["gazetteer cache"].startswith("warn") and "sitroom doctor --fix" in lines["gazetteer cache"]
    assert lines["data files"].startswith("ok")
    assert not (tmp_path / "sitroom.db").exists()          # the doctor creates nothing
    assert "0 failed" in r.output.splitlines()[-1]


def test_doctor_full_with_model_and_a_test_extraction(tmp_path):
    r = sitroom("doctor", "--db", str(tmp_path / "none.db"))
    assert r.exit_code == 0, r.output
    lines = _lines(r.output)
    assert lines["spaCy model"].startswith("ok") and "3.8" in lines["spaCy model"]
    assert lines["extraction"].startswith("ok") and "Air/drone strike" in lines["extraction"]
    assert lines["PDF reports"][:4] in ("ok  ", "warn") and lines["Chromium"][:4] in ("ok  ", "warn")


def test_doctor_fails_on_a_broken_database(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database")
    r = sitroom("doctor", "--quick", "--db", str(bad))
    assert r.exit_code == 1
    assert _lines(r.output)["database"].startswith("FAIL") and "not a SQLite database" in r.output
    r = sitroom("doctor", "--quick", "--db", str(tmp_path / "missing-folder" / "x.db"))
    assert r.exit_code == 1 and "mkdir -p" in r.output


def test_doctor_migrations_pending_and_unknown(tmp_path):
    import sqlite3

    from sitroom.store import make_engine, migrate
    db = str(tmp_path / "old.db")
    engine = make_engine(db, writer=True)
    migrate(engine, "0003")
    engine.dispose()
    r = sitroom("doctor", "--quick", "--db", db)
    assert r.exit_code == 0, r.output
    line = _lines(r.output)["database"]
    assert line.startswith("warn") and "at revision 0003" in line and "pending" in line
    assert _lines(r.output)["write permission"].startswith("ok")
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    r = sitroom("doctor", "--quick", "--db", db)
    assert r.exit_code == 1 and "does not know" in _lines(r.output)["database"]


def test_doctor_names_a_broken_data_file(tmp_path, monkeypatch):
    import importlib.resources

    data = tmp_path / "data"
    shutil.copytree(Path(ROOT, "sitroom", "data"), data, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (data / "actors.yaml").write_text("actors:\n  - name: [unclosed\n", encoding="utf-8")
    real = importlib.resources.files
    monkeypatch.setattr(importlib.resources, "files", lambda pkg: data if pkg == "sitroom.data" else real(pkg))
    r = sitroom("doctor", "--quick", "--db", str(tmp_path / "x.db"))
    assert r.exit_code == 1
    line = _lines(r.output)["data files"]
    assert line.startswith("FAIL") and "actors.yaml line" in line and "not valid YAML" in line


def test_doctor_postgresql(pg_url):
    r = sitroom("doctor", "--quick", "--db", pg_url)
    assert r.exit_code == 0, r.output
    assert "not initialised" in _lines(r.output)["database"]
    from sitroom.store import open_store
    open_store(pg_url).close()
    r = sitroom("doctor", "--quick", "--db", pg_url)
    assert r.exit_code == 0 and _lines(r.output)["database"].startswith("ok"), r.output
    assert _lines(r.output)["write permission"].startswith("ok")
    r = sitroom("doctor", "--quick", "--db", "postgresql://nobody:pw@127.0.0.1:9/none")
    assert r.exit_code == 1 and "cannot reach" in r.output and "pw@" not in r.output


# ---------------------------------------------------------------------- backup

def test_backup_while_an_ingest_writes_then_restore(results, tmp_path):
    from sitroom.ops import sqlite_backup
    db = str(tmp_path / "live.db")
    proc = _ingest(db, results, "--commit-every", "5")
    copies: list[tuple[int, bool]] = []       # (documents in the copy, the writer still running after it)
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        if Path(db).exists() and n_documents(db) > 0:
            dest = tmp_path / f"copy{len(copies)}.db"
            sqlite_backup(Path(db), dest)
            assert problems(str(dest)) == [], dest
            copies.append((n_documents(str(dest)), proc.poll() is None))
        time.sleep(0.05)
    assert proc.wait(60) == 0, proc.stderr.read()[-2000:]
    during = [n for n, running in copies if running]
    assert len(during) >= 2 and any(0 < n < 400 for n in during), copies   # snapshots of a database being written
    assert [n for n, _ in copies] == sorted(n for n, _ in copies)

    # the command, then the restore of docs/reliability.md: the copy in place of the database
    r = sitroom("backup", str(tmp_path / "final.db"), "--db", db)
    assert r.exit_code == 0, r.output
    assert "400 documents" in r.output and "integrity ok" in r.output
    assert sitroom("backup", str(tmp_path / "final.db"), "--db", db).exit_code == 2        # never overwrites
    assert sitroom("backup", str(tmp_path / "final.db"), "--db", db, "--force").exit_code == 0
    assert sitroom("backup", db, "--db", db, "--force").exit_code == 2                      # not onto itself
    restored = tmp_path / "restored" / "sitroom.db"
    restored.parent.mkdir()
    shutil.copyfile(tmp_path / "final.db", restored)
    assert events_of(str(restored)) == events_of(db)
    r = sitroom("events", "--db", str(restored), "--format", "json", "--min-confidence", "0")
    assert r.exit_code == 0 and len(json.loads(r.output)) == len(events_of(db))
    assert sitroom("backup", str(tmp_path / "x.db"), "--db", str(tmp_path / "nothing.db")).exit_code == 2


def test_backup_postgresql_with_pg_dump_and_restore(results, pg_databases, tmp_path, monkeypatch):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed (Debian's postgresql-client)")
    src, dst = pg_databases(), pg_databases()
    proc = _ingest(src, results)
    assert proc.wait(600) == 0, proc.stderr.read()[-2000:]
    dump = tmp_path / "sitroom.dump"
    r = sitroom("backup", str(dump), "--db", src)
    assert r.exit_code == 0, r.output
    assert dump.read_bytes()[:5] == b"PGDMP" and "pg_restore" in r.output
    rr = subprocess.run([shutil.which("pg_restore"), "--no-owner", "--dbname", dst, str(dump)],
                        capture_output=True, text=True)
    assert rr.returncode == 0, rr.stderr
    assert events_of(dst) == events_of(src) and problems(dst) == []
    monkeypatch.setattr(shutil, "which", lambda name: None)     # no pg_dump: the command to run
    r = sitroom("backup", str(tmp_path / "other.dump"), "--db", src)
    assert r.exit_code == 1 and "pg_dump --format=custom" in r.output


def test_doctor_finds_outdated_event_texts_and_fix_writes_them(tmp_path):
    """The stored JSON of /api/events (revision 0008) written for other data files: a warning, and
    `--fix` writes it again."""
    import sqlalchemy as sa

    from sitroom.store import listing, open_store
    from sitroom.store import schema as S
    from tests.store.test_store import ev, result

    db = str(tmp_path / "texts.db")
    with open_store(db) as store:
        store.ingest([result("a", [ev()]), result("b", [ev(local="x", location="Saraqib", latitude=35.86,
                                                           longitude=36.8, event_date="2020-03-02")])])
    r = sitroom("doctor", "--quick", "--db", db)
    assert _lines(r.output)["event texts"].startswith("ok"), r.output
    with open_store(db) as store, store.writer.begin() as c:
        c.execute(sa.update(S.event_docs).values(version="another"))
    r = sitroom("doctor", "--quick", "--db", db)
    assert _lines(r.output)["event texts"].startswith("warn") and "--fix" in _lines(r.output)["event texts"]
    r = sitroom("doctor", "--quick", "--fix", "--db", db)
    assert _lines(r.output)["event texts"].startswith("ok") and "written again (2 events)" in r.output, r.output
    with open_store(db) as store, store.engine.connect() as c:
        assert listing.stale(c) == []
