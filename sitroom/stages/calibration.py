"""Calibrated confidence: the estimated probability that an event is real, correctly typed,
placed and dated (and not a second copy of an event already coded).

The event builder records for each event the signals it computed (``Event.signals``: trigger
strength, whether the date, place and actor are stated, fatalities, headline, quotation, running
tally, lede, mentions, position on the page) and its rule-based score (``heuristic``).
:func:`features` adds what only the whole document tells: whether a more certain event of the same
incident (same type, or same sentence, in the same province within a day) was already coded, the
event's rank, the number of events, a country other than the document's, the distance of the date
from publication. A small logistic model (``sitroom/data/calibration.yaml``, fitted by
``benchmarks/calibrate.py`` on the tune half of the real-world development set, cross-validated)
turns them into a probability. Without the data file the rule-based score stays.

``Event.reason`` says, by rule, why an event is kept at low confidence.
"""
from __future__ import annotations

import math
from datetime import date
from functools import lru_cache
from typing import Any

from .. import data as data_files
from ..model import Event, iso_day

MODEL_FILE = "calibration.yaml"
EVENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots")


@lru_cache(maxsize=1)
def load_model() -> dict[str, Any] | None:
    """The fitted model (``{features, coef, intercept, threshold, ...}``) or None when absent."""
    if not data_files.sources(MODEL_FILE):
        return None
    m = data_files.load(MODEL_FILE)
    if not m.get("coef"):
        return None
    return m


def default_threshold() -> float:
    """The confidence below which the store, the report and the dashboard leave events out by
    default (the model file's ``threshold``; 0.5 without one)."""
    m = load_model()
    return float((m or {}).get("threshold", 0.5))


def _near(a: Event, b: Event) -> bool:
    """Same province (or one of them unplaced) and dates within a day."""
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return False
    if a.admin1 and b.admin1 and a.admin1 != b.admin1:
        return False
    da, db = iso_day(a.event_date), iso_day(b.event_date)
    return da is None or db is None or abs((da - db).days) <= 1


def _first_sentence(ev: Event) -> int | None:
    return ev.signals.get("sentence")


def features(ev: Event, events: list[Event], rank: int, *, published: date | None,
             doc_country: str | None) -> dict[str, float]:
    """The model's inputs for one event (``events`` ordered by the rule-based score)."""
    s = ev.signals
    above = events[:rank]
    dup_type = any(o.event_type == ev.event_type and _near(o, ev) for o in above)
    dup_sentence = any(o.event_type != ev.event_type and _near(o, ev)
                       and _first_sentence(o) == _first_sentence(ev) for o in above)
    d = iso_day(ev.event_date)
    before = (published - d).days if (d and published) else 0
    f = {
        "heuristic": float(s.get("heuristic", ev.confidence)),
        "trigger_score": float(s.get("trigger_score", 0.0)),
        "date_explicit": float(bool(s.get("date_explicit"))),
        "date_inherited": float(bool(s.get("date_inherited"))),
        "place_explicit": float(bool(s.get("place_explicit"))),
        "precise_place": float(bool(s.get("place_explicit")) and (ev.geo_precision or 9) <= 1),
        "actor": float(bool(s.get("actor"))),
        "fatalities": float(bool(s.get("fatalities"))),
        "headline": float(bool(s.get("headline"))),
        "quote": float(bool(s.get("quote"))),
        "period": float(bool(s.get("period")) or bool(s.get("tally"))),
        "lede": float(bool(s.get("lede"))),
        "focus": float(bool(s.get("focus"))),
        "log_mentions": math.log(max(1, int(s.get("mentions", 1)))),
        "dup_type": float(dup_type),
        "dup_sentence": float(dup_sentence),
        "log_rank": math.log1p(rank),
        "log_events": math.log1p(len(events)),
        "foreign": float(bool(doc_country and ev.country_code and ev.country_code != doc_country)),
        "no_place": float(not ev.country_code),
        "log_days_before": math.log1p(max(0, before)),
        "after_published": float(before < 0),
        "position": float(s.get("position", 0.0)),
    }
    for t in EVENT_TYPES:
        f["type:" + t] = float(ev.event_type == t)
    return f


def probability(f: dict[str, float], model: dict[str, Any]) -> float:
    z = float(model.get("intercept", 0.0))
    mean, scale = model.get("mean") or {}, model.get("scale") or {}
    for k, w in (model.get("coef") or {}).items():
        x = f.get(k, 0.0)
        z += float(w) * (x - float(mean.get(k, 0.0))) / (float(scale.get(k, 1.0)) or 1.0)
    z = max(-30.0, min(30.0, z))
    return 1.0 / (1.0 + math.exp(-z))


def _reason(f: dict[str, float]) -> str | None:
    if f["dup_type"]:
        return "secondary: a more certain event of the same type, province and day is already coded"
    if f["dup_sentence"]:
        return "secondary: the same sentence already gave a more certain event of this province and day"
    if f["foreign"]:
        return "background: in a country other than the one the report is about"
    if f["log_days_before"] >= math.log1p(30):
        return "background: dated more than a month before publication"
    if f["period"]:
        return "background: a running tally or a period, not one incident"
    return None


def calibrate(events: list[Event], *, published: date | None, doc_country: str | None,
              model: dict[str, Any] | None = None) -> None:
    """Record each event's features, set its confidence to the model's probability (when a model
    is shipped) and its ``reason`` when it is kept at low confidence."""
    if not events:
        return
    model = load_model() if model is None else model
    for ev in events:
        ev.signals["heuristic"] = ev.confidence
        ev.signals["doc_country"] = doc_country
    ranked = sorted(events, key=lambda e: (-e.confidence, e.evidence[0].start if e.evidence else 0))
    threshold = float((model or {}).get("threshold", 0.5))
    cap = 1.0
    for rank, ev in enumerate(ranked):
        f = features(ev, ranked, rank, published=published, doc_country=doc_country)
        ev.signals["dup_type"] = bool(f["dup_type"])
        ev.signals["dup_sentence"] = bool(f["dup_sentence"])
        ev.signals["foreign"] = bool(f["foreign"])
        if model:
            # a probability, but never above the event the rules rank first: which event a
            # report is mainly about stays the rules' choice
            p = round(probability(f, model), 3)
            if rank == 0:
                cap = p
            ev.confidence = min(p, cap)
        if ev.confidence < threshold:
            ev.reason = _reason(f)
