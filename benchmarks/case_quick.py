"""Quick CASE 2021 Task 2 check of the rule-based trigger classifier.

Runs each dev.tsv snippet through Document -> parse_one -> TriggerFinder -> classify_text and maps
the best trigger's sub-event type to its CASE code (no trigger -> NONE). Gold ORG_CRIME,
NATURAL_DISASTER, MAN_MADE_DISASTER, DIPLO, ATTRIB count as NONE.

dev.tsv is split by row index: even rows = tuning part (look at these, tune on these), odd rows =
measured part (only report). Metrics per part:
  f1_seen       support-weighted F1 over rows whose gold is one of the 25 ACLED codes
                (per-class P/R computed over all predictions, as in the shared task)
  acc_seen      accuracy on those rows
  none_as_event share of gold-NONE rows given an event

Usage: python benchmarks/case_quick.py [--part tune|measured|both] [--errors]
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

from sitroom.stages.triggers import TriggerFinder
from sitroom.model import Document
from sitroom.nlp import load_nlp, parse

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "case2021" / "dev.tsv"
NONE_CODES = {"ORG_CRIME", "NATURAL_DISASTER", "MAN_MADE_DISASTER", "DIPLO", "ATTRIB", "NONE"}


def load_rows():
    with open(DEV, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def metrics(gold: list[str], pred: list[str]) -> dict:
    seen = sorted({g for g in gold if g not in NONE_CODES})
    f1_sum, support = 0.0, 0
    for c in seen:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        n = tp + fn
        f1_sum += f1 * n
        support += n
    seen_rows = [(g, p) for g, p in zip(gold, pred) if g not in NONE_CODES]
    none_rows = [(g, p) for g, p in zip(gold, pred) if g in NONE_CODES]
    return {
        "n": len(gold), "n_seen": len(seen_rows), "n_none": len(none_rows),
        "f1_seen": round(f1_sum / support, 3) if support else 0.0,
        "acc_seen": round(sum(g == p for g, p in seen_rows) / len(seen_rows), 3) if seen_rows else 0.0,
        "none_as_event": round(sum(p != "NONE" for _, p in none_rows) / len(none_rows), 3) if none_rows else 0.0,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", default="both", choices=["tune", "measured", "both"])
    ap.add_argument("--errors", action="store_true", help="print errors (tuning part only)")
    args = ap.parse_args(argv)
    rows = load_rows()
    load_nlp()
    finder = TriggerFinder()
    parts = {"tune": [r for i, r in enumerate(rows) if i % 2 == 0],
             "measured": [r for i, r in enumerate(rows) if i % 2 == 1]}
    names = ["tune", "measured"] if args.part == "both" else [args.part]
    for name in names:
        part = parts[name]
        docs = [Document(doc_id=r["id"], text=r["EventSnippet"]) for r in part]
        t0 = time.perf_counter()
        preds = []
        for an in parse(docs, batch_size=64):
            finder(an)
            best = finder.classify_text(an)
            preds.append((finder.code(best.sub_event_type) if best else "NONE", best))
        dt = time.perf_counter() - t0
        gold = [r["SubType"] for r in part]
        pred = [p for p, _ in preds]
        m = metrics(gold, pred)
        m["snippets_per_s"] = round(len(part) / dt, 1)
        print(name, m)
        if args.errors and name == "tune":
            conf = Counter((g if g not in NONE_CODES else "NONE", p) for g, p in zip(gold, pred))
            for (g, p), n in conf.most_common():
                if g != p:
                    print(f"  {n:3d} {g} -> {p}")
            for r, (p, t) in zip(part, preds):
                g = r["SubType"] if r["SubType"] not in NONE_CODES else "NONE"
                if g != p:
                    trig = f"[{t.text}|{t.score}{'|NEG' if t.negated else ''}{'|HYP' if t.hypothetical else ''}]" if t else ""
                    print(f"{r['SubType']:>14} -> {p:<14} {trig} {r['EventSnippet'][:200]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
