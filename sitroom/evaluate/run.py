"""Run the pipeline over a gold set and score what a user gets.

``run_evaluation(gold_path, fmt, limit=None, split=None) -> (scores, cases)``:
read the gold items (:mod:`sitroom.evaluate.readers`), keep one split part and the first
``limit`` items, turn each into a Document with :func:`sitroom.ingest.document_from_text` (the
gold set's publication date, never the gold answer), run them through ``Pipeline().run(...)`` in
batches (the same results ``sitroom extract --format jsonl`` prints) and score them
(:mod:`sitroom.evaluate.scorers`).

Identical inputs (same text, title and publication date; UCDP repeats a headline for several
events) are run once and their result is shared: the pipeline is deterministic per document.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from .readers import GoldItem, detect_format, read_gold, select
from .scorers import score

Result = dict[str, Any]


def to_document(item: GoldItem):
    from ..ingest import document_from_text

    return document_from_text(item.text, item.doc_id, published=item.published, title=item.title,
                              source=item.meta.get("source") or None, url=item.meta.get("url") or None)


def predict(items: list[GoldItem], *, pipeline: Any = None, batch_size: int = 32,
            on_result: Callable[[int], None] | None = None) -> list[Result]:
    """One pipeline result dict per gold item, in order (``{"doc_id", "error"}`` on failure)."""
    keys: dict[tuple, int] = {}
    unique: list[GoldItem] = []
    slot: list[int] = []
    for it in items:
        k = (it.text, it.title, it.published)
        if k not in keys:
            keys[k] = len(unique)
            unique.append(it)
        slot.append(keys[k])
    if pipeline is None:
        from ..pipeline import Pipeline

        pipeline = Pipeline()
    results: list[Result] = []
    for res in pipeline.run((to_document(it) for it in unique), batch_size=batch_size):
        results.append(res)
        if on_result:
            on_result(len(results))
    if len(results) != len(unique):
        raise RuntimeError(f"pipeline returned {len(results)} results for {len(unique)} documents")
    out = []
    for it, s in zip(items, slot):
        r = results[s]
        out.append(r if r.get("doc_id") == it.doc_id else {**r, "doc_id": it.doc_id})
    return out


def run_evaluation(gold_path: str | Path, fmt: str = "auto", limit: int | None = None,
                   split: str | None = None, *, pipeline: Any = None, batch_size: int = 32,
                   on_result: Callable[[int], None] | None = None,
                   articles: str | Path | None = None) -> tuple[dict, list[dict]]:
    """Scores (the format's keys plus ``n``) and one case per scored item (``articles``: the
    article file of an ``events`` key)."""
    fmt = detect_format(gold_path) if fmt in (None, "", "auto") else fmt
    items = select(read_gold(gold_path, fmt, articles=articles), split, limit)
    results = predict(items, pipeline=pipeline, batch_size=batch_size, on_result=on_result)
    return score(fmt, items, results)


def worst_cases(cases: Iterable[dict], n: int) -> list[dict]:
    """The ``n`` cases with the highest loss (file order among equals); perfect cases never."""
    ranked = sorted(((c.get("loss") or 0.0, i, c) for i, c in enumerate(cases)),
                    key=lambda t: (-t[0], t[1]))
    return [c for loss, _, c in ranked if loss > 0][:n]
