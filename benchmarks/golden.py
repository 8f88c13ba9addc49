"""Golden outputs: record what sitroom writes today, and check a change writes exactly the same.

    .venv/bin/python benchmarks/golden.py record /tmp/golden      # before a refactor
    .venv/bin/python benchmarks/golden.py check /tmp/golden       # after it: any difference, exit 1
    .venv/bin/python benchmarks/golden.py check /tmp/golden --sets realworld examples

What is recorded, each through the command line as a user runs it:

- ``sitroom extract --format jsonl`` over every development set in ``../shared/eval`` (CASE 2021,
  UCDP, FA-KES, TR-News, GeoWebNews, TimeBank/AQUAINT, the real-world pages; each set's documents are
  first written as JSON Lines by the evaluation readers, with their publication dates), over the
  composed examples (``examples/composed``) and over the reference page when it is there;
- ``sitroom export --format jsonl`` (and ``--format acled-csv``) after ``sitroom ingest`` of the ECB+
  topics and of the composed examples into fresh SQLite databases.

A refactor that promises "outputs unchanged" passes ``check`` with no difference. Sets whose data is
missing (a clone without ``../shared``) are skipped and said so. Values that depend on the clock
(``ingested_at``-like fields) are blanked before comparing.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EVAL = ROOT.parent / "shared" / "eval"
SEED = ROOT.parent / "shared" / "seeds" / "000_c623d46ca901d4fa.txt"

#: set name -> (reader format, path under ../shared/eval)
DEV_SETS = {
    "case2021": ("case2021", "case2021/dev.tsv"),
    "ucdp": ("ucdp", "ucdp/ged_syria_2016_2018_sample.csv"),
    "fakes": ("fakes", "fakes/dev.csv"),
    "tr-news": ("geo-xml", "geo/TR-News.xml"),
    "gwn": ("geo-xml", "geo/GWN.xml"),
    "timeml": ("timeml", "timebank"),
    "realworld": ("events", "realworld/gold.jsonl"),
}
OTHER_SETS = ("examples", "ecbplus")
ALL_SETS = tuple(DEV_SETS) + OTHER_SETS

#: keys whose values depend on the clock or the machine, blanked before comparing
VOLATILE = {"ingested_at", "created_at", "updated_at", "first_seen", "last_seen", "exported_at",
            "elapsed", "seconds", "timestamp"}


def sitroom(*args: str) -> None:
    exe = Path(sys.executable).with_name("sitroom")
    cmd = [str(exe) if exe.exists() else "sitroom", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode not in (0, 1):       # 1 = some documents failed: their error lines are output
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")


def write_docs(items, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for it in items:
            rec = {"id": it.doc_id, "text": it.text}
            if it.published:
                rec["published"] = it.published.isoformat()
            if it.title:
                rec["title"] = it.title
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def record_set(name: str, out: Path, work: Path) -> list[str]:
    """Write the outputs of one set into ``out``; the file names written (empty: data missing)."""
    if name in DEV_SETS:
        fmt, rel = DEV_SETS[name]
        src = EVAL / rel
        if not src.exists():
            return []
        if name == "realworld":     # the brief's own command: the article file as it is
            docs = EVAL / "realworld" / "articles.jsonl"
        else:
            from sitroom.evaluate.readers import read_gold

            docs = work / f"docs-{name}.jsonl"
            write_docs(read_gold(src, fmt), docs)
        target = out / f"extract-{name}.jsonl"
        sitroom("extract", str(docs), "--format", "jsonl", "-o", str(target))
        return [target.name]
    if name == "examples":
        written = []
        composed = ROOT / "examples" / "composed"
        target = out / "extract-examples.jsonl"
        sitroom("extract", str(composed / "reports.jsonl"), "--format", "jsonl", "-o", str(target))
        written.append(target.name)
        for txt in sorted(composed.glob("*.txt")):     # relative: the document id is the path given
            t = out / f"extract-example-{txt.stem}.jsonl"
            sitroom("extract", str(txt.relative_to(ROOT)), "--published", "2020-01-14", "--format", "jsonl", "-o", str(t))
            written.append(t.name)
        if SEED.exists():
            t = out / "extract-seed.jsonl"
            sitroom("extract", os.path.relpath(SEED, ROOT), "--published", "2020-01-17", "--format", "jsonl", "-o", str(t))
            written.append(t.name)
        db = work / "examples.db"
        sitroom("ingest", str(composed / "reports.jsonl"), "--db", str(db))
        for fmt, ext in (("jsonl", "jsonl"), ("acled-csv", "csv")):
            t = out / f"export-examples.{ext}"
            sitroom("export", "--format", fmt, "--db", str(db), "-o", str(t))
            written.append(t.name)
        return written
    if name == "ecbplus":
        root = EVAL / "ecbplus"
        if not root.exists():
            return []
        from sitroom.fuse.ecbplus import read_corpus

        docs = work / "docs-ecbplus.jsonl"
        with open(docs, "w", encoding="utf-8") as fh:
            for d in read_corpus(root):
                fh.write(json.dumps({k: d[k] for k in ("id", "text", "url")}, ensure_ascii=False) + "\n")
        db = work / "ecbplus.db"
        sitroom("ingest", str(docs), "--db", str(db))
        written = []
        for fmt, ext in (("jsonl", "jsonl"), ("acled-csv", "csv")):
            t = out / f"export-ecbplus.{ext}"
            sitroom("export", "--format", fmt, "--db", str(db), "-o", str(t))
            written.append(t.name)
        return written
    raise SystemExit(f"unknown set {name!r}; choose from {', '.join(ALL_SETS)}")


def _blank(obj):
    if isinstance(obj, dict):
        return {k: (None if k in VOLATILE else _blank(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_blank(v) for v in obj]
    return obj


def normalised(path: Path) -> list[str]:
    if path.suffix == ".csv":
        import csv

        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        if not rows:
            return []
        drop = {i for i, h in enumerate(rows[0]) if h in VOLATILE}
        return [",".join("" if i in drop and n else v for i, v in enumerate(r)) for n, r in enumerate(rows)]
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix != ".jsonl":
        return lines
    out = []
    for line in lines:
        try:
            out.append(json.dumps(_blank(json.loads(line)), sort_keys=True, ensure_ascii=False))
        except ValueError:
            out.append(line)
    return out


def record(out: Path, sets: list[str]) -> dict[str, list[str]]:
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in sets:
            t0 = time.perf_counter()
            files = record_set(name, out, Path(tmp))
            written[name] = files
            what = ", ".join(files) if files else "skipped: its data is not beside the repository"
            print(f"{name:10s} {time.perf_counter() - t0:6.1f} s  {what}", flush=True)
    return written


def check(golden: Path, sets: list[str], show: int) -> int:
    if not golden.is_dir():
        raise SystemExit(f"{golden}: no golden outputs here; run `record` first")
    fresh = Path(tempfile.mkdtemp(prefix="golden-check-"))
    written = record(fresh, sets)
    differing = 0
    for name, files in written.items():
        for f in files:
            old, new = golden / f, fresh / f
            if not old.exists():
                print(f"  {f}: not in the golden outputs (record them again?)")
                differing += 1
                continue
            a, b = normalised(old), normalised(new)
            if a == b:
                continue
            differing += 1
            changed = sum(1 for x, y in zip(a, b) if x != y) + abs(len(a) - len(b))
            print(f"  {f}: {changed} of {len(a)} lines differ")
            diff = list(difflib.unified_diff(a, b, "golden", "now", n=0, lineterm=""))
            for line in diff[:show]:
                print("    " + line[:400])
    print(f"{'identical' if not differing else f'{differing} file(s) differ'}; fresh outputs in {fresh}")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=("record", "check"))
    ap.add_argument("dir", type=Path, help="where the golden outputs are (record: are written)")
    ap.add_argument("--sets", nargs="+", default=list(ALL_SETS), choices=ALL_SETS, metavar="SET",
                    help=f"which sets (default all: {', '.join(ALL_SETS)})")
    ap.add_argument("--show", type=int, default=12, help="diff lines shown per differing file")
    args = ap.parse_args(argv)
    if args.action == "record":
        record(args.dir, args.sets)
        return 0
    return check(args.dir, args.sets, args.show)


if __name__ == "__main__":
    sys.exit(main())
