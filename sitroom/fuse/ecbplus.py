"""Fusion measured against ECB+ (cross-document event coreference), as issue #3 asks.

    python -m sitroom.fuse.ecbplus ../shared/eval/ecbplus [--db PATH] [--jsonl OUT]

Every document of the topics becomes one JSON Lines record (``id`` = file name; in ``*ecbplus.xml``
files sentence 0 is the source URL and becomes ``url``, not text). All of them are extracted and
ingested into one fresh database; two documents are *fused* when they share an exported event.
Gold: two documents report the same event when they are in the same sub-topic (``N_*ecb.xml`` vs
``N_*ecbplus.xml`` of topic N). Pairwise precision, recall and F1 over all document pairs.
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable

_NO_SPACE_BEFORE = re.compile(r" ([.,;:!?%)\]}'\"](?:\s|$)|n't|'s|'re|'ve|'ll|'d|'m)")
_NO_SPACE_AFTER = re.compile(r"([(\[{$]) ")


def detokenize(tokens: list[str]) -> str:
    s = " ".join(tokens)
    s = _NO_SPACE_BEFORE.sub(r"\1", s)
    s = _NO_SPACE_AFTER.sub(r"\1", s)
    return s


def read_document(path: Path) -> dict[str, Any]:
    """An ECB+ XML file -> {"id", "text", "url", "subtopic"}."""
    root = ET.parse(path).getroot()
    sentences: dict[int, list[str]] = {}
    for tok in root.iter("token"):
        sentences.setdefault(int(tok.get("sentence", 0)), []).append(tok.text or "")
    name = path.name
    plus = name.endswith("ecbplus.xml")
    url = None
    if plus and 0 in sentences:
        url = "".join(sentences.pop(0)).strip() or None
    text = "\n".join(detokenize(sentences[k]) for k in sorted(sentences))
    topic = name.split("_", 1)[0]
    return {"id": name, "text": text, "url": url, "subtopic": f"{topic}{'plus' if plus else ''}"}


def read_corpus(root: Path) -> list[dict[str, Any]]:
    return [read_document(p) for p in sorted(Path(root).glob("*/*.xml"))]


def pairwise(doc_events: dict[str, set], gold: dict[str, str]) -> dict[str, float]:
    """Pairwise P/R/F1: predicted = the two documents share an event; gold = same sub-topic."""
    docs = sorted(gold)
    tp = fp = fn = 0
    for a, b in combinations(docs, 2):
        pred = bool(doc_events.get(a, set()) & doc_events.get(b, set()))
        same = gold[a] == gold[b]
        tp += pred and same
        fp += pred and not same
        fn += same and not pred
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"documents": len(docs), "pairs_gold": tp + fn, "pairs_fused": tp + fp, "true_pairs": tp,
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def doc_events_from_export(lines: Iterable[dict[str, Any]]) -> dict[str, set]:
    """doc_id -> exported event ids, from ``export --format jsonl`` records."""
    out: dict[str, set] = {}
    for e in lines:
        for d in e.get("documents") or []:
            out.setdefault(d, set()).add(e["event_id"])
    return out


def baselines(gold: dict[str, str]) -> dict[str, dict[str, float]]:
    """The two trivial fusers: every document of a topic together, and never fusing."""
    topic = {d: {g.replace("plus", "")} for d, g in gold.items()}
    return {"one_event_per_topic": pairwise(topic, gold), "never_fusing": pairwise({}, gold)}


def evaluate(root: Path, db: str | None = None, jsonl: Path | None = None,
             results: Path | None = None, pipeline=None) -> dict[str, Any]:
    """Extract (or read ``results``, the `sitroom extract --format jsonl` output for the same
    JSON Lines input), ingest into a fresh database, export, and score document pairs.
    ``pipeline``: a loaded ``Pipeline`` to reuse."""
    from ..ingest import iter_documents
    from ..pipeline import Pipeline
    from ..store import open_store
    from ..store.serialize import event_json

    corpus = read_corpus(root)
    gold = {d["id"]: d["subtopic"] for d in corpus}
    with tempfile.TemporaryDirectory() as tmp:
        src = jsonl or Path(tmp) / "ecbplus.jsonl"
        src.write_text("".join(json.dumps({k: d[k] for k in ("id", "text", "url")}) + "\n" for d in corpus),
                       encoding="utf-8")
        if results is not None:
            from ..ingest.results import read_results
            extracted = list(read_results([str(results)]))
        else:
            extracted = list((pipeline or Pipeline()).run(iter_documents([str(src)])))
        def fused(url: str, **kw):      # ingest into a fresh database, export its events
            store = open_store(url)
            try:
                stats = store.ingest(extracted, **kw)
                return stats, [event_json(e) for e in store.iter_events()]
            finally:
                store.close()

        stats, exported = fused(db or str(Path(tmp) / "ecbplus.db"))
        # fusion is greedy across transactions: how much the result moves with their size
        by_commit = {n: pairwise(doc_events_from_export(fused(str(Path(tmp) / f"commit{n}.db"),
                                                              commit_every=n)[1]), gold)["f1"]
                     for n in COMMIT_SIZES}
    out = pairwise(doc_events_from_export(exported), gold)
    out.update(events=len(exported), ingest=stats.as_dict(), baselines=baselines(gold),
               f1_by_commit_size=by_commit)
    return out


#: documents per transaction for the sensitivity check of :func:`evaluate`
COMMIT_SIZES = (1, 5, 10, 20, 50, 100)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", type=Path, help="the ecbplus folder (topic subfolders of XML files)")
    ap.add_argument("--db", help="database to ingest into (default: a temporary SQLite file)")
    ap.add_argument("--jsonl", type=Path, help="also keep the JSON Lines input written here")
    ap.add_argument("--results", type=Path, help="use these extraction results instead of running the pipeline")
    a = ap.parse_args()
    print(json.dumps(evaluate(a.root, a.db, a.jsonl, a.results), indent=2))


if __name__ == "__main__":
    main()
