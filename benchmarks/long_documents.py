"""Benchmark (not a test): cost of one long document against its bare spaCy pass, by length.

    .venv/bin/python benchmarks/long_documents.py [--sizes 25000,50000,...] [--out FILE.md]

The document is FA-KES articles (../shared/eval/fakes/dev.csv) joined with blank lines, repeated
when the sizes ask for more. For each size: the bare spaCy pass (``nlp(text)``; above spaCy's
1,000,000-character limit the same pieces sitroom parses, joined) and sitroom's whole work on the
same text (cleaning, parsing, extraction: ``Pipeline.run``), both in CPU seconds of this process
(the machine may be shared: wall time is printed beside), and their ratio. Issue 17 asks for a
ratio of at most 1.5 at 1.2 MB and a flat curve: sitroom's cost linear in the length.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_SIZES = (25_000, 50_000, 100_000, 200_000, 400_000, 800_000, 1_200_000)


def long_text(n: int) -> str:
    fakes = SHARED / "eval" / "fakes" / "dev.csv"
    if not fakes.exists():
        sys.exit(f"no corpus: {fakes} not found")
    csv.field_size_limit(1 << 30)
    with fakes.open(encoding="utf-8") as fh:
        parts = [f"{r['article_title'].strip()}\n\n{r['article_content'].strip()}" for r in csv.DictReader(fh)]
    full = "\n\n".join(parts)
    while len(full) < n:
        full = full + "\n\n" + full
    text = full[:n]
    cut = text.rfind("\n\n")
    return text[:cut] if cut > 0.9 * n else text


def timed(fn):
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                    help="characters, comma-separated")
    ap.add_argument("--out", help="also write the Markdown table here")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from sitroom.ingest import document_from_text
    from sitroom.nlp import load_nlp, parse_long
    from sitroom.pipeline import Pipeline

    nlp = load_nlp()
    pipeline = Pipeline()
    list(pipeline.run([document_from_text("Air strikes killed 4 in Idlib on Monday.", published="2020-01-17")]))
    rows = ["| characters | bare spaCy (CPU s) | sitroom (CPU s) | ratio | sitroom µs/char | events | wall s (spaCy / sitroom) |",
            "|---:|---:|---:|---:|---:|---:|---|"]
    print("\n".join(rows), flush=True)
    for n in (int(x) for x in args.sizes.split(",")):
        text = long_text(n)
        bare = (lambda: nlp(text)) if len(text) <= nlp.max_length else (lambda: parse_long(nlp, text))
        _, b_cpu, b_wall = timed(bare)
        res, s_cpu, s_wall = timed(lambda: list(pipeline.run(
            [document_from_text(text, doc_id="long", published="2018-01-01")]))[0])
        if "error" in res:
            sys.exit(f"{n}: {res['error']}")
        row = (f"| {len(text):,} | {b_cpu:.1f} | {s_cpu:.1f} | {s_cpu / b_cpu:.2f} | "
               f"{1e6 * s_cpu / len(text):.0f} | {len(res['events'])} | {b_wall:.0f} / {s_wall:.0f} |")
        rows.append(row)
        print(row, flush=True)
    if args.out:
        Path(args.out).write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
