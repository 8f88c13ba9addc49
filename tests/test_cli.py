"""The command line as a user runs it: formats, the batch contract, bad input."""
import csv
import io
import json
import subprocess
import sys

import pytest

KEYS = ("events", "places", "dates", "figures", "claims", "agreements", "quality")


def sitroom(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "sitroom.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("in")
    lines = [
        {"id": "a", "text": "Air strikes killed 4 civilians in Saraqib on Jan. 16, rescuers said.", "published": "2020-01-17"},
        {"id": "b", "text": ""},
        {"id": "c", "text": "Police fired tear gas at protesters in Khartoum on Thursday.", "published": "2019-06-07"},
    ]
    p = d / "in.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return p


def test_jsonl_batch_contract(batch):
    r = sitroom("extract", str(batch), "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert [o["doc_id"] for o in out] == ["a", "b", "c"]
    assert "error" in out[1] and "b" in r.stderr
    for o in (out[0], out[2]):
        assert all(k in o for k in KEYS)
        assert o["content_hash"] and o["published"]
    assert out[0]["events"][0]["sub_event_type"] == "Air/drone strike"


def test_csv_has_acled_columns(batch):
    r = sitroom("extract", str(batch), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows and {"event_date", "event_type", "sub_event_type", "actor1", "admin1", "latitude",
                     "geo_precision", "fatalities", "notes", "source"} <= set(rows[0])


def test_stdin_and_table(tmp_path):
    r = sitroom("extract", "-", "--published", "2020-06-09", "--format", "table",
                stdin="Malian soldiers clashed with jihadists near Mopti on Sunday.")
    assert r.returncode == 0, r.stderr
    assert "Mopti" in r.stdout


def test_bad_inputs_are_reported_and_skipped(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Clashes erupted in Gao on Monday, residents said.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Des affrontements \xe0 Gao, selon l'arm\xe9e malienne.".encode("cp1252"))
    big = tmp_path / "big.txt"
    big.write_text("word " * 300_000, encoding="utf-8")
    noart = tmp_path / "nav.html"
    noart.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    r = sitroom("extract", str(good), str(empty), str(binary), str(latin), str(big), str(noart),
                str(tmp_path / "missing.txt"), "--format", "jsonl", "--max-bytes", "1000000")
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == 7
    by_id = {o["doc_id"].split("/")[-1]: o for o in out}
    assert "error" not in by_id["good.txt"]
    for name in ("empty.txt", "blob.txt", "big.txt", "nav.html", "missing.txt"):
        assert "error" in by_id[name], name
    # every problem gets one line on stderr
    for name in ("empty.txt", "blob.txt", "big.txt", "nav.html", "missing.txt"):
        assert name in r.stderr
    assert "Traceback" not in r.stderr


def test_exit_code_when_nothing_readable(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    r = sitroom("extract", str(empty), "--format", "jsonl")
    assert r.returncode != 0
    assert json.loads(r.stdout.splitlines()[0])["doc_id"].endswith("empty.txt")


def test_invalid_published_is_a_usage_error(tmp_path):
    r = sitroom("extract", "-", "--published", "17/01/2020", stdin="x")
    assert r.returncode == 2 and "published" in r.stderr.lower()
