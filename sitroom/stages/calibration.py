"""Calibrated confidence: the estimated probability that an event is real, correctly typed,
placed and dated (and not a second copy of an event already coded).

The event builder records for each event the signals it computed (``Event.signals``: trigger
strength, whether the date, place and actor are stated, fatalities, headline, quotation, running
tally, lede, mentions, position on the page) and its rule-based score (``heuristic``).
:func:`calibrate` adds what the document's places tell (``place_conflict``: the sentence that
names the event's place also names a province or district of the same country that the place does
not lie in, "Madala, Chikun Local Government Area of Kaduna State" resolved to a Madala outside
Kaduna, so the place is probably the wrong namesake; ``admin1_share``: the share of the document's
place mentions in the event's province). :func:`features` adds what only the whole document tells:
whether a more certain event of the same incident (same type, or same sentence, in the same
province within a day) was already coded, the event's rank, the number of events, a country other
than the document's, the distance of the date from publication. A small logistic model
(``sitroom/data/calibration.yaml``, fitted by ``benchmarks/calibrate.py`` on the tune half of the
real-world development set, chosen by out-of-fold log loss over the whole set, each coefficient
of the sign :data:`DIRECTION` gives it) turns them into a probability. Without the data file the
rule-based score stays.

``Event.reason`` says, by rule, why an event is kept at low confidence.
"""
from __future__ import annotations

import math
import re
from datetime import date
from functools import lru_cache
from collections import Counter
from typing import Any

from .. import data as data_files
from ..model import Event, Place, iso_day

MODEL_FILE = "calibration.yaml"
EVENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots")

#: The sign each feature's coefficient may take: +1 when more of it can only make an event more
#: likely real and right (a stated date, a stronger trigger, more mentions), -1 when it can only
#: make it less likely (a more certain copy already coded, another country, a place that disagrees
#: with its sentence's province). ``benchmarks/calibrate.py`` fits under these signs (a feature
#: whose coefficient comes out the other way is left out), so the probability is monotone in
#: every signal; :func:`check_model` refuses a model file that breaks them.
DIRECTION: dict[str, int] = {
    "heuristic": 1, "trigger_score": 1, "date_explicit": 1, "place_explicit": 1, "precise_place": 1,
    "actor": 1, "fatalities": 1, "lede": 1, "focus": 1, "log_mentions": 1, "admin1_share": 1,
    "date_inherited": -1, "headline": -1, "quote": -1, "period": -1, "dup_type": -1, "dup_sentence": -1,
    "log_rank": -1, "log_events": -1, "foreign": -1, "no_place": -1, "log_days_before": -1,
    "after_published": -1, "position": -1, "place_conflict": -1, "strategic": -1,
}


def check_model(m: Any, name: str = MODEL_FILE) -> dict[str, Any]:
    """The model file's checks: ``coef``, ``mean`` and ``scale`` map known features to finite
    numbers, every coefficient has its feature's :data:`DIRECTION` (or is 0), ``intercept`` is a
    number and ``threshold`` lies in (0, 1). Raises ``ValueError`` naming the file."""
    if not isinstance(m, dict):
        raise ValueError(f"{name}: not a mapping")
    known = set(DIRECTION) | {"type:" + t for t in EVENT_TYPES}

    def numbers(key: str) -> dict[str, float]:
        v = m.get(key) or {}
        if not isinstance(v, dict):
            raise ValueError(f"{name}: {key}: not a mapping of feature to number")
        for k, x in v.items():
            if k not in known:
                raise ValueError(f"{name}: {key}: unknown feature {k!r}")
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
                raise ValueError(f"{name}: {key}: {k}: not a finite number: {x!r}")
        return v

    coef = numbers("coef")
    numbers("mean")
    for k, x in numbers("scale").items():
        if x <= 0:
            raise ValueError(f"{name}: scale: {k}: must be positive: {x!r}")
    for k, w in coef.items():
        if w * DIRECTION.get(k, 0) < 0:
            raise ValueError(f"{name}: coef: {k}: {w} has the wrong sign (more {k} can only make an "
                             f"event {'more' if DIRECTION[k] > 0 else 'less'} likely)")
    b = m.get("intercept", 0.0)
    if isinstance(b, bool) or not isinstance(b, (int, float)) or not math.isfinite(b):
        raise ValueError(f"{name}: intercept: not a finite number: {b!r}")
    t = m.get("threshold", 0.5)
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0.0 < t < 1.0:
        raise ValueError(f"{name}: threshold: must be a number between 0 and 1: {t!r}")
    return m


@lru_cache(maxsize=1)
def load_model() -> dict[str, Any] | None:
    """The fitted model (``{coef, mean, scale, intercept, threshold, ...}``, checked by
    :func:`check_model`) or None when absent."""
    if not data_files.sources(MODEL_FILE):
        return None
    m = data_files.load(MODEL_FILE)
    if not m.get("coef"):
        return None
    return check_model(m)


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
        "place_conflict": float(bool(s.get("place_conflict"))),
        "admin1_share": float(s.get("admin1_share", 0.0)),
        "strategic": float(ev.event_type == "Strategic developments"),
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


_LIST_WORD = re.compile(r"\b(?:and|or)\b|[;()]")
_LIST_NEXT = re.compile(r"\s*,?\s*(?:and|or)\b")


def place_conflict(ev: Event, place: Place | None, sentence_places: list[Place], text: str) -> bool:
    """True when the place that locates the event is followed in its sentence by the province or
    district of the same country that contains it, and the event's place does not lie there
    ("Madala, Chikun Local Government Area of Kaduna State" resolved to a Madala outside Kaduna;
    "the camp in Borno State's Damboa area" resolved in Kaduna): the place is probably a namesake.
    Not a conflict: a place that is itself a province or a country, and names listed as peers
    ("bombings in Songkhla, Narathiwat, and Yala", "in Khost and Kunar provinces")."""
    if place is None or not ev.admin1 or place.feature in ("admin1", "country"):
        return False
    for p in sentence_places:
        if p is place or p.start < place.end or p.feature not in ("admin1", "admin2"):
            continue
        if p.country_code != ev.country_code or not p.admin1:
            continue
        between = text[place.end:p.start]
        if len(between) > 80 or _LIST_WORD.search(between) or _LIST_NEXT.match(text[p.end:p.end + 8]):
            continue
        return p.admin1 != ev.admin1     # the first container named decides
    return False


def admin1_shares(places: list[Place]) -> Counter:
    """The share of the document's place mentions in each (country, province)."""
    n = Counter((p.country_code, p.admin1) for p in places if p.admin1)
    total = sum(n.values())
    return Counter({k: v / total for k, v in n.items()}) if total else Counter()


def _reason(f: dict[str, float]) -> str | None:
    if f["place_conflict"]:
        return "place: its sentence names a province or district the place does not lie in (a namesake?)"
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


#: How :func:`weakest` names the signal that lowers an event's probability the most.
WEAK = {
    "heuristic": "little is stated about it (day, place, actor, toll)",
    "trigger_score": "the word that tells it is weak or ambiguous",
    "strategic": "a strategic development (on news pages most often background)",
    "admin1_share": "in a province the report hardly names",
    "headline": "told only in a headline",
    "quote": "told only in a quotation",
    "log_days_before": "dated well before publication",
    "date_inherited": "its day is inherited from an earlier sentence",
    "position": "told late in the page",
    "log_rank": "the report tells several more certain events",
    "log_events": "one of many events the page tells",
    "no_place": "no place",
    "date_explicit": "no day stated in its sentence",
    "place_explicit": "no place stated in its sentence",
    "precise_place": "no town or village stated",
    "actor": "no actor stated",
    "fatalities": "no toll stated",
    "lede": "not in the first sentence of the story",
    "log_mentions": "told once",
    "focus": "not in the province the report is mostly about",
}


def weakest(f: dict[str, float], model: dict[str, Any]) -> str | None:
    """The reason of an event the model keeps low for no rule of :func:`_reason`: the signal that
    lowers its probability the most (``"weak: ..."``), None when none lowers it."""
    mean, scale = model.get("mean") or {}, model.get("scale") or {}
    worst, key = 0.0, None
    for k, w in (model.get("coef") or {}).items():
        c = float(w) * (f.get(k, 0.0) - float(mean.get(k, 0.0))) / (float(scale.get(k, 1.0)) or 1.0)
        if c < worst and k in WEAK:
            worst, key = c, k
    return f"weak: {WEAK[key]}" if key else None


def calibrate(events: list[Event], *, published: date | None, doc_country: str | None,
              model: dict[str, Any] | None = None, context: Any = None) -> None:
    """Record each event's features, set its confidence to the model's probability (when a model
    is shipped) and its ``reason`` when it is kept at low confidence. ``context`` (the document's
    :class:`~sitroom.stages.context.DocContext`) gives the place signals."""
    if not events:
        return
    model = load_model() if model is None else model
    shares = admin1_shares(context.places_in(0, len(context.analysis.document.text))) if context else Counter()
    for ev in events:
        ev.signals["heuristic"] = ev.confidence
        ev.signals["doc_country"] = doc_country
        if context is not None:
            ev.signals["admin1_share"] = round(shares.get((ev.country_code, ev.admin1), 0.0), 3)
            le = ev.location_evidence
            if le is not None:
                sent = context.sentence_of(le.start)
                here = context.places_in(sent.start, sent.end)
                place = next((p for p in here if p.start == le.start), None)
                ev.signals["place_conflict"] = place_conflict(ev, place, here, context.analysis.document.text)
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
            ev.reason = _reason(f) or (
                "capped: not above the report's first event, itself uncertain" if model and p >= threshold
                else weakest(f, model) if model else None)
