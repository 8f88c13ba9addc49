"""Quick TimeML benchmark for sitroom's date extraction.

Runs Document(published=DCT) -> parse_one -> DateExtractor -> score_timeml over the TempEval-3
TBAQ-cleaned corpus in ../shared/eval/timebank/.

Split: the rules were tuned only on TimeBank/ (the "tune" part); AQUAINT/ is the held-out
"measured" part (never looked at while writing rules).

    .venv/bin/python benchmarks/timeml_quick.py [--errors tune] [--limit N] [--json]

Errors are printed for the tune part only: the measured part is for scores.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sitroom.evaluate.timeml import read_timeml, score_timeml  # noqa: E402
from sitroom.stages.dates import DateExtractor  # noqa: E402
from sitroom.model import Document, to_jsonable  # noqa: E402
from sitroom.nlp import parse  # noqa: E402

ROOT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "timebank"


def run(gold: list[dict], extractor: DateExtractor) -> list[list[dict]]:
    docs = [Document(doc_id=g["doc_id"], text=g["text"], published=g["published"]) for g in gold]
    out = []
    for an in parse(docs):
        extractor(an)
        out.append([to_jsonable(d) for d in an.dates])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", choices=["tune"], default=None,
                    help="print the value errors of the tune part (never of the measured part)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    parts = {"tune": read_timeml(ROOT / "TimeBank"), "measured": read_timeml(ROOT / "AQUAINT")}
    ex = DateExtractor()
    result = {}
    for name, gold in parts.items():
        if args.limit:
            gold = gold[: args.limit]
        t0 = time.time()
        pred = run(gold, ex)
        sc = score_timeml(gold, pred, details=(args.errors == name))
        sc["docs"] = len(gold)
        sc["seconds"] = round(time.time() - t0, 1)
        errs = sc.pop("errors", None)
        result[name] = sc
        if errs:
            for e in errs:
                print(json.dumps(e, ensure_ascii=False))
    if args.json:
        print(json.dumps(result))
    else:
        for name, sc in result.items():
            label = "TimeBank (tune)" if name == "tune" else "AQUAINT (measured)"
            print(f"{label:20s} n={sc['n']:4d} docs={sc['docs']:3d} timex_recall={sc['timex_recall']:.3f} "
                  f"value_accuracy={sc['value_accuracy']:.3f} ({sc['seconds']} s)")


if __name__ == "__main__":
    main()
