"""Scoring a report against an event: :func:`compare` combines the signals of
:mod:`sitroom.fuse.signals` under the :class:`~sitroom.fuse.weights.Weights`; :func:`best_match`
picks the best candidate."""
from __future__ import annotations

from typing import Any, Iterable

from .signals import SIGNALS, Context
from .weights import WEIGHTS, Weights
from .words import NameWeights


def compare(m: dict, e: dict, rarity: NameWeights | None = None, *,
            weights: Weights = WEIGHTS) -> tuple[float | None, list[str]]:
    """Score how likely mention ``m`` reports event ``e``: (score, reasons), or (None, [why])
    when a signal vetoes the pair. ``rarity``: how much each shared proper name says (default:
    all alike); ``weights``: the fusion weights (default: ``sitroom/data/fusion.yaml``)."""
    c = Context(m, e, weights, rarity)
    score, why = 0.0, []
    add = why.append
    for signal in SIGNALS:
        s, reason = signal(m, e, c)
        if s is None:
            return None, [reason]
        if reason is not None:
            score += s
            add(reason)
        elif s:
            score += s
    return round(score, 3), why


def best_match(m: dict, candidates: Iterable[tuple[Any, dict]], rarity: NameWeights | None = None, *,
               weights: Weights = WEIGHTS) -> tuple[Any, float | None, list[str], list[dict]]:
    """The best candidate (key, event) for ``m``: (key or None, score, reasons, rejected)."""
    best_key, best_score, best_why = None, None, []
    rejected: list[dict] = []
    for key, e in candidates:
        s, why = compare(m, e, rarity, weights=weights)
        if s is None or s < weights.threshold:
            if len(rejected) < 5:
                rejected.append({"event": key, "score": s, "reasons": why})
            continue
        if best_score is None or s > best_score:
            best_key, best_score, best_why = key, s, why
    return best_key, best_score, best_why, rejected
