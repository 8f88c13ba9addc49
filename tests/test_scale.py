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

ROOT = Path(__file__).resolve().parents[1]
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
