"""Scorers: gold items + the pipeline's JSON result dicts -> (scores, cases).

A result dict is exactly one line of ``sitroom extract --format jsonl`` (``events``, ``places``,
``dates``, ``figures``, ...) or ``{"doc_id", "error"}``; a failed document has no events, places
or dates. The *best event* is the event with the highest ``confidence`` (the first on ties).

``scores`` holds the keys the issue lists for the format plus ``n`` (items scored); every fraction
is in 0..1. A key whose subset is empty scores ``None``.

``cases`` has one dict per item (per document for ``geo-xml``/``timeml``)::

    {"doc_id", "part", "text", "gold", "pred", "checks": {key: True | False | None},
     "loss": float, "evidence": [...], "error": str | None}

``checks`` says, for each score key, whether the item counted for it and passed (None: not in
that key's subset); :func:`support` counts them. ``loss`` ranks the worst cases (``--errors N``).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from statistics import median
from typing import Any, Callable, Iterable


from ..data import load as load_data
from .events import SCORE_KEYS as EVENT_KEYS
from .readers import GoldItem

Result = dict[str, Any]
Case = dict[str, Any]

# ---------------------------------------------------------------- shared helpers


def best_event(result: Result | None) -> dict | None:
    """The event with the highest confidence (first on ties), or None."""
    events = (result or {}).get("events") or []
    best = None
    for e in events:
        if best is None or (e.get("confidence") or 0.0) > (best.get("confidence") or 0.0):
            best = e
    return best


def _frac(k: int, n: int) -> float | None:
    return k / n if n else None


def support(cases: Iterable[Case]) -> dict[str, int]:
    """How many cases counted for each score key."""
    out: Counter = Counter()
    for c in cases:
        for k, v in (c.get("checks") or {}).items():
            if v is not None:
                out[k] += 1
    return dict(out)


def denominators(fmt: str, scores: dict, cases: list[Case]) -> dict[str, int]:
    """What each score key is a fraction of: items for most keys; for ``geo-xml`` predicted
    places (precision), gold toponyms (recall, F1) and gold toponyms with coordinates
    (resolution); for ``timeml`` scored gold TIMEX3."""
    if fmt == "geo-xml":
        tot = Counter()
        for c in cases:
            tot.update(c.get("counts") or {})
        return {"toponym_precision": tot["n_pred"], "toponym_recall": tot["n_gold"],
                "toponym_f1": tot["n_gold"], "resolved_161km": tot["n_coord"],
                "resolved_25km": tot["n_coord"], "median_error_km": tot["n_coord"],
                "resolved_exact_id": tot["with_id"]}
    if fmt == "timeml":
        return {"timex_recall": scores.get("n", 0), "value_accuracy": scores.get("n", 0)}
    if fmt == "events":
        from .events import denominators as event_denominators

        return event_denominators(scores)
    out = support(cases)
    if fmt == "case2021":
        out["f1_all"] = scores.get("n", 0)
    return out


def _snippet(text: str, start: int, end: int, pad: int = 50) -> str:
    a, b = max(0, start - pad), min(len(text), end + pad)
    return ("…" if a else "") + text[a:start] + "[" + text[start:end] + "]" + text[end:b] + ("…" if b < len(text) else "")


def _short(text: str, n: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _event_brief(e: dict | None) -> dict | None:
    if e is None:
        return None
    keys = ("sub_event_type", "event_date", "admin1", "location", "latitude", "longitude",
            "geo_precision", "fatalities", "civilian_fatalities", "confidence", "trigger")
    return {k: e.get(k) for k in keys if k in e}


def _ev_span(e: dict | None, key: str) -> str | None:
    sp = (e or {}).get(key)
    if isinstance(sp, dict) and sp.get("text") is not None:
        return f"{sp.get('text')!r}@{sp.get('start')}"
    return None


def _evidence(e: dict | None) -> list[str]:
    if e is None:
        return []
    out = []
    for key in ("date_evidence", "location_evidence", "fatalities_evidence"):
        s = _ev_span(e, key)
        if s:
            out.append(f"{key.replace('_evidence', '')}: {s}")
    for sp in (e.get("evidence") or [])[:2]:
        if isinstance(sp, dict) and sp.get("text"):
            out.append(f"text: {_short(sp['text'], 200)!r}")
    return out


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def _coords(d: dict | None) -> tuple[float, float] | None:
    if not d:
        return None
    lat, lon = d.get("latitude"), d.get("longitude")
    if lat is None or lon is None:
        return None
    try:
        return float(lat), float(lon)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- admin1 names

_APOS = re.compile(r"[\u2018\u2019\u201b`\u00b4\u02bb\u02bc\u02bd\u02be\u02bf'\u2032]")
_ADMIN_WORDS = frozenset({"governorate", "governate", "province", "muhafazat", "muhafazah",
                          "wilayat", "state", "region", "of", "gov"})
_ARTICLES = frozenset({"al", "an", "ar", "as", "ash", "ad", "at", "az", "el", "es", "ez", "ed",
                       "er", "esh", "ul"})


def fold_name(name: str | None) -> str:
    """Comparable form of an admin1 name: ASCII, lower case, no apostrophes, no admin words
    (governorate, province, ...), no Arabic articles."""
    if not name:
        return ""
    s = _APOS.sub("", name)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", s).split()
    words = [w for w in words if w not in _ADMIN_WORDS]
    words = [w for w in words if w not in _ARTICLES] or words
    return " ".join(words)


@lru_cache(maxsize=1)
def _admin1_table() -> tuple[dict[str, str], dict[str, dict[str, set[str]]]]:
    data = load_data("admin1_aliases.yaml")
    canon: dict[str, str] = {}
    for _cc, units in (data.get("aliases") or {}).items():
        for key, names in (units or {}).items():
            ck = fold_name(key)
            canon[ck] = ck
            canon[ck.replace(" ", "")] = ck
            for n in names or []:
                f = fold_name(str(n))
                for k in (f, f.replace(" ", "")):
                    if canon.get(k, ck) != ck:
                        raise ValueError(f"admin1_aliases.yaml: {n!r} is listed under {canon[k]!r} and {ck!r}")
                    canon[k] = ck
    merge: dict[str, dict[str, set[str]]] = {}
    for scheme, labels in (data.get("merge") or {}).items():
        merge[scheme] = {}
        for label, members in (labels or {}).items():
            merge[scheme][canonical_admin1_raw(label, canon)] = {canonical_admin1_raw(m, canon) for m in members}
    return canon, merge


def canonical_admin1_raw(name: str | None, canon: dict[str, str]) -> str:
    f = fold_name(name)
    return canon.get(f) or canon.get(f.replace(" ", "")) or f


def canonical_admin1(name: str | None) -> str:
    """The canonical key of an admin1 name ("Ḩalab", "Aleppo Governorate" -> "aleppo")."""
    return canonical_admin1_raw(name, _admin1_table()[0])


def same_admin1(gold: str | None, pred: str | None, scheme: str | None = None) -> bool:
    """Whether a predicted admin1 names the gold unit; ``scheme`` applies a coarser gold label
    scheme from the data file (``fakes``: "damascus" also covers Rif Dimashq)."""
    if not gold or not pred:
        return False
    g, p = canonical_admin1(gold), canonical_admin1(pred)
    if not g or not p:
        return False
    if g == p:
        return True
    if scheme:
        members = _admin1_table()[1].get(scheme, {}).get(g)
        if members and p in members:
            return True
    return False


# ---------------------------------------------------------------- case2021


@lru_cache(maxsize=1)
def case2021_codes() -> tuple[dict[str, str], frozenset[str], str]:
    """(sub_event_type -> code, gold codes scored as NONE, the NONE label) from
    ``sitroom/data/case2021_codes.yaml``."""
    data = load_data("case2021_codes.yaml")
    to_code = {str(v).casefold(): str(k) for k, v in data["acled"].items()}
    return to_code, frozenset(data["none_codes"]), str(data.get("none_label", "NONE"))


def case_code(sub_event_type: str | None) -> str:
    """A sitroom sub_event_type as a CASE code (no event -> NONE; unknown type -> ``?<type>``)."""
    to_code, _, none = case2021_codes()
    if not sub_event_type:
        return none
    return to_code.get(sub_event_type.casefold(), f"?{sub_event_type}")


def gold_case_code(code: str) -> str:
    _, none_codes, none = case2021_codes()
    return none if code in none_codes or code == none else code


def weighted_f1(gold: list[str], pred: list[str], classes: Iterable[str]) -> float | None:
    """Support-weighted F1 over ``classes`` (as scikit-learn's ``average='weighted'``)."""
    total, acc = 0, 0.0
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        sup = tp + fn
        if not sup:
            continue
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / sup
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        acc += f1 * sup
        total += sup
    return acc / total if total else None


def score_case2021(items: list[GoldItem], results: list[Result]) -> tuple[dict, list[Case]]:
    """f1_seen / acc_seen over snippets whose gold is one of the 25 ACLED codes (the predicted
    classes of those snippets only, so a NONE-gold snippet given an event never costs f1_seen);
    f1_all over every snippet with NONE as a 26th class; none_as_event = share of NONE-gold
    snippets given any event."""
    _, _, none = case2021_codes()
    gold, pred, cases = [], [], []
    for it, res in zip(items, results):
        g = gold_case_code(it.gold["code"])
        be = best_event(res)
        p = case_code(be.get("sub_event_type") if be else None)
        gold.append(g)
        pred.append(p)
        seen = g != none
        checks = {"f1_seen": (p == g) if seen else None, "acc_seen": (p == g) if seen else None,
                  "f1_all": p == g, "none_as_event": (p != none) if not seen else None}
        cases.append({
            "doc_id": it.doc_id, "part": it.part, "text": _short(it.text),
            "gold": {"code": it.gold["code"], "scored_as": g},
            "pred": {"code": p, "best_event": _event_brief(be),
                     "n_events": len((res or {}).get("events") or [])},
            "checks": checks, "loss": 0.0 if p == g else 1.0,
            "evidence": _evidence(be), "error": (res or {}).get("error"),
        })
    seen_idx = [i for i, g in enumerate(gold) if g != none]
    none_idx = [i for i, g in enumerate(gold) if g == none]
    gs, ps = [gold[i] for i in seen_idx], [pred[i] for i in seen_idx]
    seen_classes = sorted(set(gs))
    confusion: dict[str, dict[str, int]] = defaultdict(dict)
    for g, p in zip(gold, pred):
        confusion[g][p] = confusion[g].get(p, 0) + 1
    scores = {
        "n": len(gold),
        "f1_seen": weighted_f1(gs, ps, seen_classes),
        "acc_seen": _frac(sum(g == p for g, p in zip(gs, ps)), len(gs)),
        "f1_all": weighted_f1(gold, pred, sorted(set(gold))),
        "none_as_event": _frac(sum(pred[i] != none for i in none_idx), len(none_idx)),
        "confusion": {g: dict(sorted(row.items())) for g, row in sorted(confusion.items())},
    }
    return scores, cases


# ---------------------------------------------------------------- ucdp

_NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "dozen": 12,
}
_NUM_RE = re.compile(r"(?<![\w.,/:-])(\d{1,3}(?:,\d{3})+|\d+)(?![\w/:-]|[.,]\d)")
_WORD_RE = re.compile(r"\b(" + "|".join(_NUM_WORDS) + r")\b", re.I)


def stated_numbers(text: str) -> set[int]:
    """Integers written in a text: digits ("1,200", "43") and number words one..twenty, tens,
    hundred, dozen (an independent check, not the pipeline's number reader). Parts of dates and
    times ("13/02/2016", "10:30", "2016-02-13") are not counted."""
    out = {int(m.group(1).replace(",", "")) for m in _NUM_RE.finditer(text)}
    out |= {_NUM_WORDS[m.group(1).lower()] for m in _WORD_RE.finditer(text)}
    return out


def score_ucdp(items: list[GoldItem], results: list[Result]) -> tuple[dict, list[Case]]:
    """event_recall over every row; admin1_accuracy over rows with an ``adm_1``; best/any within
    25 km over rows with where_prec 1-2 and coordinates; fatalities_exact_stated over rows whose
    headline states the gold ``best`` (>= 1); date_exact over rows with date_prec 1."""
    cases = []
    for it, res in zip(items, results):
        g = it.gold
        res = res or {}
        events = res.get("events") or []
        be = best_event(res)
        checks: dict[str, bool | None] = {"event_recall": bool(events)}
        checks["admin1_accuracy"] = same_admin1(g["adm_1"], be.get("admin1") if be else None) if g["adm_1"] else None
        gold_xy = (g["latitude"], g["longitude"]) if g["latitude"] is not None and g["longitude"] is not None else None
        best_km = any_km = None
        if g["where_prec"] in (1, 2) and gold_xy:
            bxy = _coords(be)
            best_km = haversine_km(*gold_xy, *bxy) if bxy else None
            dists = [haversine_km(*gold_xy, *xy) for xy in
                     (_coords(x) for x in list(events) + list(res.get("places") or [])) if xy]
            any_km = min(dists) if dists else None
            checks["best_within_25km"] = best_km is not None and best_km <= 25.0
            checks["any_within_25km"] = any_km is not None and any_km <= 25.0
        else:
            checks["best_within_25km"] = checks["any_within_25km"] = None
        stated = g["best"] is not None and g["best"] >= 1 and g["best"] in stated_numbers(it.text)
        checks["fatalities_exact_stated"] = (be is not None and be.get("fatalities") == g["best"]) if stated else None
        if g["date_prec"] == 1 and g["date_start"]:
            checks["date_exact"] = be is not None and (be.get("event_date") or "")[:10] == g["date_start"] \
                and len(be.get("event_date") or "") >= 10
        else:
            checks["date_exact"] = None
        failed = [k for k, v in checks.items() if v is False]
        cases.append({
            "doc_id": it.doc_id, "part": it.part, "text": _short(it.text),
            "published": it.published.isoformat() if it.published else None,
            "gold": {k: g[k] for k in ("adm_1", "where_coordinates", "where_prec", "latitude",
                                       "longitude", "date_start", "date_prec", "best")},
            "pred": {"best_event": _event_brief(be), "n_events": len(events),
                     "best_km": round(best_km, 1) if best_km is not None else None,
                     "any_km": round(any_km, 1) if any_km is not None else None},
            "checks": checks, "loss": float(len(failed)), "failed": failed,
            "evidence": _evidence(be), "error": res.get("error"),
        })
    scores = {"n": len(cases)}
    for key in ("event_recall", "admin1_accuracy", "best_within_25km", "any_within_25km",
                "fatalities_exact_stated", "date_exact"):
        vals = [c["checks"][key] for c in cases if c["checks"][key] is not None]
        scores[key] = _frac(sum(vals), len(vals))
    return scores, cases


# ---------------------------------------------------------------- fakes

_UNIT_KEYS = {"civilian": "civilians", "civilians": "civilians", "child": "children",
              "children": "children", "kid": "children", "kids": "children", "boy": "children",
              "girl": "children", "minor": "children", "woman": "women", "women": "women"}


def casualty_values(result: Result) -> dict[str, set[int]]:
    """Every number the result gives for killed civilians / children / women: events'
    ``civilian_fatalities``; figures of kind killed by unit (civilians, children, women) and their
    breakdowns."""
    out: dict[str, set[int]] = {"civilians": set(), "children": set(), "women": set()}
    for e in result.get("events") or []:
        if e.get("civilian_fatalities") is not None:
            out["civilians"].add(int(e["civilian_fatalities"]))
    for f in result.get("figures") or []:
        if (f.get("kind") or "") not in ("killed", "dead", "deaths", "fatalities"):
            continue
        unit = _UNIT_KEYS.get((f.get("unit") or "").lower())
        if unit and f.get("value") is not None:
            out[unit].add(int(f["value"]))
        for k, v in (f.get("breakdown") or {}).items():
            key = _UNIT_KEYS.get(str(k).lower())
            if key and v is not None:
                out[key].add(int(v))
    return out


def score_fakes(items: list[GoldItem], results: list[Result]) -> tuple[dict, list[Case]]:
    """admin1_accuracy of the best event against ``location`` (every article; FA-KES "damascus"
    also covers Rif Dimashq); secondary ``civilians_exact`` / ``children_exact`` /
    ``women_exact``: over articles whose label is >= 1, whether any event or killed-figure of the
    result gives exactly that number (crowd labels, noisy)."""
    cases = []
    for it, res in zip(items, results):
        g = it.gold
        res = res or {}
        be = best_event(res)
        checks: dict[str, bool | None] = {
            "admin1_accuracy": same_admin1(g["location"], be.get("admin1") if be else None, scheme="fakes")
            if g["location"] else None}
        vals = casualty_values(res)
        for key, gk in (("civilians_exact", "nb_civilians"), ("children_exact", "nb_children"),
                        ("women_exact", "nb_women")):
            gv = g.get(gk)
            checks[key] = (gv in vals[key.split("_")[0]]) if gv and gv >= 1 else None
        failed = [k for k, v in checks.items() if v is False]
        cases.append({
            "doc_id": it.doc_id, "part": it.part, "text": _short(it.text),
            "published": it.published.isoformat() if it.published else None,
            "gold": {k: g[k] for k in ("location", "nb_civilians", "nb_children", "nb_women")},
            "pred": {"best_event": _event_brief(be), "n_events": len(res.get("events") or []),
                     "casualties": {k: sorted(v) for k, v in vals.items()}},
            "checks": checks, "failed": failed,
            "loss": (2.0 if checks["admin1_accuracy"] is False else 0.0) + 0.5 * (len(failed) - (checks["admin1_accuracy"] is False)),
            "evidence": _evidence(be), "error": res.get("error"),
        })
    scores = {"n": len(cases)}
    for key in ("admin1_accuracy", "civilians_exact", "children_exact", "women_exact"):
        vals = [c["checks"][key] for c in cases if c["checks"][key] is not None]
        scores[key] = _frac(sum(vals), len(vals))
    return scores, cases


# ---------------------------------------------------------------- geo-xml

#: error given to a gold toponym nobody resolved, for median_error_km (half the Earth's
#: circumference, the largest possible error; as Gritta et al. 2019 count unresolved toponyms)
MAX_ERROR_KM = 20037.5


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def score_geo(items: list[GoldItem], results: list[Result]) -> tuple[dict, list[Case]]:
    """Toponym spans (``places``) against gold toponyms, overlapping spans; resolution over gold
    toponyms with coordinates, using the overlapping predicted place with the largest overlap.
    Predicted places overlapping a GeoWebNews Demonym/Language/Homonym annotation are left out of
    precision. median_error_km counts an unrecognised or unresolved toponym as MAX_ERROR_KM."""
    tp_pred = n_pred = tp_gold = n_gold = 0
    n_coord = ok161 = ok25 = 0
    errors_km: list[float] = []
    cases = []
    for it, res in zip(items, results):
        res = res or {}
        gold = it.gold["toponyms"]
        ignored = it.gold.get("ignored") or []
        places = []
        seen_spans = set()
        for p in res.get("places") or []:
            if p.get("start") is None or p.get("end") is None:
                continue
            span = (int(p["start"]), int(p["end"]))
            if span in seen_spans:
                continue
            seen_spans.add(span)
            places.append(p)
        d_tp_pred = d_n_pred = 0
        false_pos = []
        for p in places:
            s, e = int(p["start"]), int(p["end"])
            hit = any(_overlap(s, e, g["start"], g["end"]) for g in gold)
            if not hit and any(_overlap(s, e, g["start"], g["end"]) for g in ignored):
                continue
            d_n_pred += 1
            if hit:
                d_tp_pred += 1
            else:
                false_pos.append(f"{p.get('text')!r}@{s} -> {p.get('name')}")
        d_tp_gold = d_coord = d_161 = d_25 = d_exact = 0
        d_with_id = sum(1 for g in gold if g.get("geonameid") and g.get("lat") is not None)
        missed, far = [], []
        for g in gold:
            over = [(p, _overlap(int(p["start"]), int(p["end"]), g["start"], g["end"])) for p in places]
            over = [(p, o) for p, o in over if o > 0]
            if over:
                d_tp_gold += 1
            else:
                missed.append(_snippet(it.text, g["start"], g["end"], 30))
            if g.get("lat") is None or g.get("lon") is None:
                continue
            d_coord += 1
            km = MAX_ERROR_KM
            if over:
                p = max(over, key=lambda po: po[1])[0]
                xy = _coords(p)
                if xy:
                    km = haversine_km(g["lat"], g["lon"], *xy)
                if g.get("geonameid") and str(p.get("gazetteer_id") or "") == f"geonames:{g['geonameid']}":
                    d_exact += 1
            errors_km.append(km)
            if km <= 161:
                d_161 += 1
            elif over:
                far.append(f"{g['text']!r}@{g['start']}: gold {g.get('name') or ''} "
                           f"({g['lat']:.2f},{g['lon']:.2f}), off by {km:.0f} km")
            if km <= 25:
                d_25 += 1
        tp_pred += d_tp_pred
        n_pred += d_n_pred
        tp_gold += d_tp_gold
        n_gold += len(gold)
        n_coord += d_coord
        ok161 += d_161
        ok25 += d_25
        prec = _frac(d_tp_pred, d_n_pred)
        rec = _frac(d_tp_gold, len(gold))
        cases.append({
            "doc_id": it.doc_id, "part": it.part, "text": _short(it.text, 200),
            "gold": {"toponyms": len(gold), "with_coordinates": d_coord},
            "pred": {"places": len(places), "precision": prec, "recall": rec,
                     "resolved_161km": _frac(d_161, d_coord)},
            "checks": {"toponym_precision": None if not d_n_pred else d_tp_pred == d_n_pred,
                       "toponym_recall": None if not gold else d_tp_gold == len(gold),
                       "resolved_161km": None if not d_coord else d_161 == d_coord},
            "loss": float((d_n_pred - d_tp_pred) + (len(gold) - d_tp_gold) + (d_coord - d_161)),
            "evidence": ([f"missed: {m}" for m in missed[:8]] + [f"false place: {f}" for f in false_pos[:8]]
                         + [f"far: {f}" for f in far[:8]]),
            "error": res.get("error"),
            "counts": {"tp_pred": d_tp_pred, "n_pred": d_n_pred, "tp_gold": d_tp_gold,
                       "n_gold": len(gold), "n_coord": d_coord, "ok161": d_161, "ok25": d_25,
                       "with_id": d_with_id, "exact_id": d_exact},
        })
    p, r = _frac(tp_pred, n_pred), _frac(tp_gold, n_gold)
    f1 = (2 * p * r / (p + r) if p + r else 0.0) if p is not None and r is not None else None
    scores = {"n": len(cases), "toponym_precision": p, "toponym_recall": r, "toponym_f1": f1,
              "resolved_161km": _frac(ok161, n_coord), "resolved_25km": _frac(ok25, n_coord),
              "median_error_km": median(errors_km) if errors_km else None}
    return scores, cases


# ---------------------------------------------------------------- timeml


def score_timeml_results(items: list[GoldItem], results: list[Result]) -> tuple[dict, list[Case]]:
    """timex_recall / value_accuracy from :func:`sitroom.evaluate.timeml.score_timeml`, over the
    result's ``dates``; ``n`` = scored gold TIMEX3 expressions."""
    from .timeml import score_timeml

    gold_docs = [it.gold["timeml"] for it in items]
    preds = [list((res or {}).get("dates") or []) for res in results]
    sc = score_timeml(gold_docs, preds)
    scores = {"n": sc["n"], "timex_recall": sc["timex_recall"] if sc["n"] else None,
              "value_accuracy": sc["value_accuracy"] if sc["n"] else None}
    cases = []
    for it, gd, pr, res in zip(items, gold_docs, preds, results):
        one = score_timeml([gd], [pr], details=True)
        errs = one.get("errors") or []
        cases.append({
            "doc_id": it.doc_id, "part": it.part, "text": _short(it.text, 200),
            "published": it.published.isoformat() if it.published else None,
            "gold": {"scored_timex": one["n"]},
            "pred": {"dates": len(pr), "found": round(one["timex_recall"] * one["n"]),
                     "correct": round(one["value_accuracy"] * one["n"])},
            "checks": {"timex_recall": None if not one["n"] else one["timex_recall"] == 1.0,
                       "value_accuracy": None if not one["n"] else one["value_accuracy"] == 1.0},
            "loss": float(len(errs)),
            "evidence": [f"{e['gold_text']!r} gold {e['gold']} pred {e['pred']} | {e['context']!r}" for e in errs[:10]],
            "error": (res or {}).get("error"),
        })
    return scores, cases


def score_events_key(items: list[GoldItem], results: list[Result]) -> tuple[dict, list[Case]]:
    """Event-level scores against a hand-coded key (:mod:`sitroom.evaluate.events`)."""
    from .events import score_events

    return score_events(items, results)


SCORERS: dict[str, Callable[[list[GoldItem], list[Result]], tuple[dict, list[Case]]]] = {
    "events": score_events_key,
    "case2021": score_case2021,
    "ucdp": score_ucdp,
    "fakes": score_fakes,
    "geo-xml": score_geo,
    "timeml": score_timeml_results,
}

#: The headline keys of each format, in display order (``n`` first).
SCORE_KEYS: dict[str, tuple[str, ...]] = {
    "case2021": ("n", "f1_seen", "acc_seen", "f1_all", "none_as_event", "confusion"),
    "ucdp": ("n", "event_recall", "admin1_accuracy", "best_within_25km", "any_within_25km",
             "fatalities_exact_stated", "date_exact"),
    "fakes": ("n", "admin1_accuracy", "civilians_exact", "children_exact", "women_exact"),
    "geo-xml": ("n", "toponym_precision", "toponym_recall", "toponym_f1", "resolved_161km",
                "resolved_25km", "median_error_km"),
    "timeml": ("n", "timex_recall", "value_accuracy"),
    "events": EVENT_KEYS,
}


def score(fmt: str, items: list[GoldItem], results: list[Result]) -> tuple[dict, list[Case]]:
    if len(items) != len(results):
        raise ValueError(f"{len(items)} gold items but {len(results)} results")
    return SCORERS[fmt](items, results)
