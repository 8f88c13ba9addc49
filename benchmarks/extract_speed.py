"""Benchmark (not a test): throughput and peak memory of `sitroom extract` over many documents.

    .venv/bin/python benchmarks/extract_speed.py [--docs N] [--batch-size B]

Documents are the seed page and FA-KES article texts from ../shared/eval when present, cycled to N.
Reports model+gazetteer load time, documents/s, words/s and peak RSS.
"""
from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def corpus() -> list[str]:
    texts = []
    seed = SHARED / "seeds" / "000_c623d46ca901d4fa.txt"
    if seed.exists():
        texts.append(seed.read_text(encoding="utf-8"))
    fakes = SHARED / "eval" / "fakes" / "dev.csv"
    if fakes.exists():
        with fakes.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                texts.append(f"{row['article_title']}\n\n{row['article_content']}")
    if not texts:
        sys.exit("no corpus found under ../shared")
    return texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()
    from sitroom.ingest import document_from_text
    from sitroom.pipeline import Pipeline

    texts = corpus()
    docs = [document_from_text(texts[i % len(texts)], doc_id=str(i), published="2020-01-17")
            for i in range(args.docs)]
    words = sum(len(d.text.split()) for d in docs)
    t0 = time.perf_counter()
    pipe = Pipeline()
    from sitroom.nlp import load_nlp
    load_nlp()
    t1 = time.perf_counter()
    n = sum(1 for _ in pipe.run(docs, batch_size=args.batch_size))
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load {t1 - t0:.1f} s; {n} documents, {words:,} words in {t2 - t1:.1f} s: "
          f"{n / (t2 - t1):.1f} docs/s, {words / (t2 - t1):,.0f} words/s; peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
