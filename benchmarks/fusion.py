"""Benchmark: fusion of synthetic event mentions, through the SQLite store and in memory.

    .venv/bin/python benchmarks/fusion.py                    # 10k and 100k mentions
    .venv/bin/python benchmarks/fusion.py 10000 100000 1000000
    .venv/bin/python benchmarks/fusion.py 100000 --db postgresql://user@host/db   # an empty database
    .venv/bin/python benchmarks/fusion.py 10000 --set names_weight=0.4       # other fusion weights
    .venv/bin/python benchmarks/fusion.py --ecbplus ../shared/eval/ecbplus --results ecb.jsonl \
        --sweep names_weight=0.2,0.3,0.4                                      # ECB+ F1 per value

Each size runs in its own process (so peak memory is that run's): ``store`` streams synthetic
pipeline results (3 mentions per document, ~2.4 reports per true event, two years, 20 countries x
10 regions x 20 towns) into a fresh database with ``Store.ingest`` (fusion + all writes,
committing every 200 documents); ``memory`` runs the same fusion with ``sitroom.fuse.Fuser`` and
no database (filing each mention into its best candidate, consolidating every 200 documents).
Both score their clusters against the true events (pairwise precision/recall/F1; the store's
after the clock and the memory reading stop).
Generating the synthetic data is timed separately and subtracted. Peak memory is the process's
maximum resident set size (ru_maxrss), including Python and the libraries (``baseline``).
CPU seconds are reported too: wall time on a shared machine depends on its load.

``--set name=value`` (repeatable) changes a fusion weight of ``sitroom/data/fusion.yaml`` for
the run. ``--ecbplus DIR --sweep name=v1,v2,...`` scores fusion against ECB+ instead: the topics
are extracted once (kept in ``--results``, reused when that file exists), then ingested into a
fresh database for each value of the swept weight; prints pairwise precision, recall and F1.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(mode: str, n: int, db: str | None, commit_every: int, days: int = 730,
            settings: list[str] | None = None) -> dict:
    from sitroom.fuse import WEIGHTS, Fuser, mention_record
    from sitroom.fuse.synthetic import iter_synthetic, pairwise_scores
    from sitroom.store import Store

    weights = WEIGHTS.with_settings(settings or [])

    t0, c0 = time.perf_counter(), time.process_time()
    for _ in iter_synthetic(n, seed=1, days=days):
        pass
    gen, gen_cpu = time.perf_counter() - t0, time.process_time() - c0
    out: dict = {"mode": mode, "mentions": n, "days": days, "generate_s": round(gen, 2)}
    if mode == "store":
        store = Store.open(db, weights=weights)
        baseline = _rss_mb()
        t0, c0 = time.perf_counter(), time.process_time()
        stats = store.ingest((r for r, _ in iter_synthetic(n, seed=1, days=days)), commit_every=commit_every)
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
        counts = store.counts()
        peak = _rss_mb()            # before scoring, which holds every mention in memory
        # the store's clusters against the true events (scored after the clock stopped)
        import sqlalchemy as sa
        from sitroom.store import schema as S
        truth = {r["doc_id"]: t for r, t in iter_synthetic(n, seed=1, days=days)}
        with store.engine.connect() as conn:
            assign = {(d, o): e for d, o, e in conn.execute(
                sa.select(S.documents.c.doc_id, S.mentions.c.ordinal, S.mentions.c.event_id)
                .join(S.documents, S.documents.c.id == S.mentions.c.document_id))}
        store.close()
        out.update(events=counts["events"], documents=counts["documents"], merged=stats.merged,
                   **pairwise_scores(assign, truth))
        del truth, assign
    else:
        baseline = _rss_mb()
        peak = None
        f, assign, truth = Fuser(weights), {}, {}
        touched, into, docs = set(), {}, 0
        t0, c0 = time.perf_counter(), time.process_time()
        for res, t in iter_synthetic(n, seed=1, days=days):
            truth[res["doc_id"]] = t
            for j, e in enumerate(res["events"]):
                key = f.add(mention_record(e))[0]
                assign[(res["doc_id"], j)] = key
                touched.add(key)
            docs += 1
            if docs % commit_every == 0:      # as the store does after each transaction
                into.update((mg["from"], mg["into"]) for mg in f.consolidate(touched))
                touched = set()
        into.update((mg["from"], mg["into"]) for mg in f.consolidate(touched))
        for k, v in assign.items():
            while v in into:
                v = into[v]
            assign[k] = v
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
        out.update(events=len(f.events), candidates_per_mention=round(f.compared / n, 2),
                   **pairwise_scores(assign, truth))
        del truth, assign
    secs, cpu_secs = max(total - gen, 1e-9), max(cpu - gen_cpu, 1e-9)
    out.update(seconds=round(secs, 2), mentions_per_s=round(n / secs), cpu_seconds=round(cpu_secs, 2),
               mentions_per_cpu_s=round(n / cpu_secs), load_avg=os.getloadavg()[0], peak_rss_mb=round(peak or _rss_mb(), 1),
               baseline_rss_mb=round(baseline, 1))
    return out


def sweep_ecbplus(root: Path, results: Path | None, sweep: str, settings: list[str]) -> list[dict]:
    """ECB+ pairwise scores for each value of one weight (``name=v1,v2,...``)."""
    from sitroom.fuse import WEIGHTS
    from sitroom.fuse.ecbplus import doc_events_from_export, pairwise, read_corpus
    from sitroom.store import Store
    from sitroom.store.export import event_json

    name, eq, values = sweep.partition("=")
    if not eq or not values:
        raise SystemExit(f"--sweep {sweep!r}: expected name=v1,v2,... (e.g. names_weight=0.2,0.3)")
    base = WEIGHTS.with_settings(settings)
    variants = [base.with_settings([f"{name}={v}"]) for v in values.split(",")]   # checked before extracting
    corpus = read_corpus(root)
    if not corpus:
        raise SystemExit(f"{root}: no ECB+ topics (*/*.xml) there")
    gold = {d["id"]: d["subtopic"] for d in corpus}
    if results is not None and results.exists():
        from sitroom.ingest.results import read_results
        extracted = list(read_results([str(results)]))
    else:
        from sitroom.ingest import document_from_text
        from sitroom.pipeline import Pipeline
        docs = [document_from_text(d["text"], doc_id=d["id"], url=d["url"]) for d in corpus]
        extracted = list(Pipeline().run(docs))
        if results is not None:
            results.write_text("".join(json.dumps(r) + "\n" for r in extracted), encoding="utf-8")
    rows = []
    for value, w in zip(values.split(","), variants):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(os.path.join(tmp, "ecbplus.db"), weights=w)
            try:
                t0 = time.process_time()
                store.ingest(extracted)
                cpu = time.process_time() - t0
                exported = [event_json(e) for e in store.iter_events()]
            finally:
                store.close()
        row = {name: value, **pairwise(doc_events_from_export(exported), gold), "events": len(exported),
               "ingest_cpu_s": round(cpu, 2)}
        rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument("--db", help="database URL for the store runs (default: a fresh SQLite file per run)")
    ap.add_argument("--modes", default="store,memory")
    ap.add_argument("--commit-every", type=int, default=200)
    ap.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    ap.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                    help="change a fusion weight (sitroom/data/fusion.yaml) for every run; repeatable")
    ap.add_argument("--ecbplus", type=Path, metavar="DIR", help="score against these ECB+ topics instead")
    ap.add_argument("--results", type=Path, help="with --ecbplus: extraction results kept here (reused if present)")
    ap.add_argument("--sweep", metavar="NAME=V1,V2,...", help="with --ecbplus: the weight to sweep and its values")
    ap.add_argument("--constant-density", action="store_true",
                    help="scale the time span with the size (730 days per 100k mentions) instead of "
                         "packing every size into two years")
    ap.add_argument("--one", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    ap.add_argument("--days", type=int, default=730, help=argparse.SUPPRESS)
    a = ap.parse_args()
    try:
        from sitroom.fuse import WEIGHTS
        WEIGHTS.with_settings(a.settings)
    except ValueError as exc:
        ap.error(str(exc))
    if a.ecbplus:
        from sitroom.fuse import WEIGHTS
        sweep = a.sweep or f"threshold={WEIGHTS.threshold}"
        for row in sweep_ecbplus(a.ecbplus, a.results, sweep, a.settings):
            print(json.dumps(row) if a.json else
                  f"{sweep.partition('=')[0]}={row[sweep.partition('=')[0]]}: F1 {row['f1']} "
                  f"(P {row['precision']}, R {row['recall']}), {row['events']} events, "
                  f"ingest {row['ingest_cpu_s']} CPU-s", flush=True)
        return
    if a.sweep:
        ap.error("--sweep needs --ecbplus (the synthetic runs take --set)")
    if a.one:
        print(json.dumps(run_one(a.one[0], int(a.one[1]), a.db, a.commit_every, a.days, a.settings)))
        return
    rows = []
    for n in a.sizes:
        for mode in a.modes.split(","):
            with tempfile.TemporaryDirectory() as tmp:
                db = a.db or os.path.join(tmp, "bench.db")
                days = max(7, round(730 * n / 100_000)) if a.constant_density else 730
                cmd = [sys.executable, __file__, "--one", mode, str(n), "--db", db,
                       "--commit-every", str(a.commit_every), "--days", str(days),
                       *(x for v in a.settings for x in ("--set", v))]
                p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
                if p.returncode:
                    print(p.stderr[-2000:], file=sys.stderr)
                    raise SystemExit(p.returncode)
                row = json.loads(p.stdout.strip().splitlines()[-1])
                rows.append(row)
                if a.json:
                    print(json.dumps(row), flush=True)
                else:
                    extra = (f"F1 {row['f1']} (P {row['precision']}, R {row['recall']}), "
                             + (f"{row['candidates_per_mention']} candidates/mention"
                                if mode == "memory" else f"{row['events']} events"))
                    print(f"{mode:6} {n:>9,} mentions: {row['mentions_per_s']:>8,} mentions/s "
                          f"({row['seconds']} s wall; {row['mentions_per_cpu_s']:,}/CPU-s), peak RSS {row['peak_rss_mb']} MB "
                          f"(baseline {row['baseline_rss_mb']} MB); {extra}; load {row['load_avg']}", flush=True)


if __name__ == "__main__":
    main()
