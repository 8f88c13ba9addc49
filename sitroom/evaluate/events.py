"""Event-level scoring against a hand-coded ACLED-style key (``--format events``).

The key is JSON Lines, one line per article: ``{id, published, no_event, events, figures}``;
each gold event has ``main``, ``event_type``, ``sub_event_type``, ``country``, ``admin1``,
``location``, ``latitude``, ``longitude``, ``event_date``, ``fatalities`` and the optional
``admin1_alt``, ``event_date_alt``, ``sub_event_alt``, ``event_type_alt``. The articles are a
second JSON Lines file (``{id, url, published, title, text, source}``: the batch format
``sitroom extract`` reads), by default ``articles.jsonl`` beside the key. The format is the one of
``../shared/eval/realworld/`` (its README documents it); an analyst can code a few pages of their
own region the same way and measure sitroom on their own sources.

Matching rules (the same as that set's reference scorer):

- A gold *main* event is found by a sitroom event of the same ``event_type``, in the same country
  and the same admin1 (names folded: case, accents, punctuation, al-/el- articles and generic words
  such as "province" dropped; ``admin1_alt`` accepted; consonant skeletons equal; or one name a
  prefix of the other, both at least 5 letters), or within 50 km when both have coordinates, and
  dated within one day of the gold date or one of its ``event_date_alt`` (a gold event without a
  date matches on type and place). One-to-one per article: the largest matching, and among those
  the one that agrees best on location, date, fatalities and sub-type. Every sitroom event counts
  for recall, whatever its confidence.
- On found events: sub-type (strict, and with ``sub_event_alt``), location within 25 km (where the
  gold has coordinates; no coordinates is wrong), date exact, fatalities exact (where the gold
  gives a number; none stated counts as 0 against a gold 0).
- Precision: sitroom events with confidence >= 0.5 that match any gold event (main or
  background); *each real event once* also drops second copies of a real event, taking events most confident first.
- Wrong country: confident events that match nothing, in a country none of the article's gold
  events is in. ``conf80_right``: of the events at confidence >= 0.8, the share right (each real
  event once). False events: every event on a ``no_event`` page.

Beyond the reference scorer: a reliability table (share right, each real event once, by
confidence bin over *all* events, and the expected calibration error), and per-article cases for
``--errors N``.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from ..data import load as load_data
from .readers import GoldItem, hash_part

CONF = 0.5
HI = 0.8
ADMIN_KM, LOC_KM = 50.0, 25.0
#: Lower edges of the reliability bins (the last bin includes 1.0).
BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)

_GENERIC = frozenset({"province", "provincia", "region", "regional", "state", "governorate", "gouvernorat",
                      "muhafazah", "oblast", "oblast'", "district", "department", "departement", "division",
                      "prefecture", "county", "territory", "wilayah", "estado", "of", "the", "city", "capital",
                      "autonomous", "republic", "zone"})
_ARTICLES = ("al", "el", "ad", "ar", "as", "an", "at", "az", "ash", "ath", "ed", "es", "en", "er", "ez", "le", "la")


# ---------------------------------------------------------------- reading

def is_events_key(path: str | Path) -> bool:
    """True when the file's first JSON line looks like a key line (``events`` and ``no_event``)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.strip():
                    d = json.loads(line)
                    return isinstance(d, dict) and "events" in d and "no_event" in d and "text" not in d
    except (OSError, ValueError):
        return False
    return False


def _iso_date(v: Any) -> date | None:
    try:
        return date.fromisoformat(str(v)[:10]) if v else None
    except ValueError:
        return None


def _jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc})") from None
            if not isinstance(d, dict):
                raise ValueError(f"{path}:{n}: not a JSON object")
            yield n, d


def read_events_key(path: str | Path, articles: str | Path | None = None) -> Iterator[GoldItem]:
    """One :class:`GoldItem` per key line, with the text of the article of the same id.

    ``articles`` defaults to ``articles.jsonl`` beside the key. The split part is the parity of the
    hash of the article id (fixed, 40/40 on the realworld set): tune on one half, report both."""
    key = Path(path)
    arts_path = Path(articles) if articles else key.with_name("articles.jsonl")
    if not arts_path.exists():
        raise ValueError(f"{arts_path}: articles not found (give --articles FILE)")
    arts = {str(d.get("id")): d for _, d in _jsonl(arts_path)}
    for i, (n, g) in enumerate(_jsonl(key)):
        aid = str(g.get("id") or "")
        if not aid:
            raise ValueError(f"{key}:{n}: key line without an id")
        if not isinstance(g.get("events", []), list):
            raise ValueError(f"{key}:{n}: events is not a list")
        a = arts.get(aid)
        if a is None:
            raise ValueError(f"{key}:{n}: no article with id {aid!r} in {arts_path}")
        yield GoldItem(doc_id=aid, text=str(a.get("text") or ""),
                       published=_iso_date(a.get("published") or g.get("published")),
                       gold=g, part=hash_part(aid), title=a.get("title") or None, index=i,
                       source=str(key), meta={"url": a.get("url"), "source": a.get("source")})


# ---------------------------------------------------------------- names, places, dates

def fold(s: Any) -> str:
    s = unicodedata.normalize("NFKD", str(s or "")).encode("ascii", "ignore").decode().lower()
    s = s.replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    data = load_data("country_names.yaml")
    names = {fold(k): v for k, v in (data.get("countries") or {}).items()}
    names.update({fold(k): v for k, v in (data.get("aliases") or {}).items()})
    return names, dict(data.get("same_country") or {})


def gold_iso(name: Any) -> str | None:
    return _countries()[0].get(fold(name))


def sys_iso(e: dict) -> str | None:
    names, same = _countries()
    cc = e.get("country_code")
    cc = str(cc).upper() if cc else names.get(fold(e.get("country")))
    return same.get(cc, cc)


def norm_admin(s: Any) -> str:
    toks = [t for t in fold(s).split() if t not in _GENERIC]
    toks = [t for t in toks if t not in _ARTICLES] or toks
    out = []
    for t in toks:
        for a in ("al", "el"):          # glued article: "alhasakah"
            if t.startswith(a) and len(t) > len(a) + 3:
                t = t[len(a):]
                break
        out.append(t)
    return "".join(out)


def skeleton(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouyhw]", "", s))


def admin_same(gold_names: list[str], sys_name: Any) -> bool:
    b = norm_admin(sys_name)
    if not b:
        return False
    for g in gold_names:
        a = norm_admin(g)
        if not a:
            continue
        if a == b:
            return True
        if len(skeleton(a)) >= 3 and skeleton(a) == skeleton(b):
            return True
        if min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)):
            return True
    return False


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p = math.pi / 180
    h = (math.sin((lat2 - lat1) * p / 2) ** 2
         + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2)
    return 12742 * math.asin(min(1.0, math.sqrt(h)))


def num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def day(s: Any) -> int | None:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(s or ""))
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).toordinal()
    except ValueError:
        return None


def gold_days(g: dict) -> list[int]:
    ds = [g.get("event_date")] + list(g.get("event_date_alt") or [])
    return [d for d in (day(x) for x in ds) if d is not None]


def _coords(d: dict) -> tuple[float, float] | None:
    lat, lon = num(d.get("latitude")), num(d.get("longitude"))
    return None if lat is None or lon is None else (lat, lon)


def place_match(g: dict, e: dict) -> bool:
    if gold_iso(g.get("country")) != sys_iso(e):
        return False
    gc, sc = _coords(g), _coords(e)
    if gc and sc and km(*gc, *sc) <= ADMIN_KM:
        return True
    names = [n for n in [g.get("admin1")] + list(g.get("admin1_alt") or []) if n]
    return True if not names else admin_same(names, e.get("admin1"))


def date_match(g: dict, e: dict, tol: int = 1) -> bool:
    gd = gold_days(g)
    if not gd:
        return True
    sd = day(e.get("event_date"))
    return sd is not None and any(abs(sd - d) <= tol for d in gd)


def matches(g: dict, e: dict, lenient_type: bool = False) -> bool:
    types = [g.get("event_type")] + (list(g.get("event_type_alt") or []) if lenient_type else [])
    return e.get("event_type") in types and place_match(g, e) and date_match(g, e)


def _fatalities_equal(g: dict, e: dict) -> bool:
    if g.get("fatalities") is None:
        return False
    sf = e.get("fatalities")
    sf = 0 if sf is None and g["fatalities"] == 0 else sf
    return sf is not None and num(sf) == float(g["fatalities"])


def pair_score(g: dict, e: dict) -> float:
    """How well a matching sitroom event agrees with the gold event (picks among matchings)."""
    sc = 0.0
    gc, ec = _coords(g), _coords(e)
    gl, sl = fold(g.get("location")), fold(e.get("location"))
    if (gc and ec and km(*gc, *ec) <= LOC_KM) or \
            (gl and sl and (sl in gl or gl in sl or skeleton(norm_admin(sl)) == skeleton(norm_admin(gl)))):
        sc += 4
    if day(e.get("event_date")) in gold_days(g):
        sc += 2
    if _fatalities_equal(g, e):
        sc += 2
    if e.get("sub_event_type") == g.get("sub_event_type"):
        sc += 1
    return sc + 0.5 * (num(e.get("confidence")) or 0.0)


def best_matching(golds: list[dict], syss: list[dict], ok) -> dict[int, int]:
    """``{gold index: sys index}``: the most pairs, then the best total :func:`pair_score`
    (exact dynamic programme over sets of gold events, sitroom events in order)."""
    n = len(golds)
    if n == 0:
        return {}
    if n > 20:
        raise ValueError(f"{n} gold events in one article: too many for the exact matcher (at most 20)")
    best: dict[int, tuple[float, tuple]] = {0: (0.0, ())}
    for j, e in enumerate(syss):
        cands = [(i, 1000.0 + pair_score(golds[i], e)) for i in range(n) if ok(golds[i], e)]
        if not cands:
            continue
        nxt = dict(best)
        for mask, (sc, pairs) in best.items():
            for i, w in cands:
                if mask >> i & 1:
                    continue
                m2 = mask | (1 << i)
                if m2 not in nxt or sc + w > nxt[m2][0]:
                    nxt[m2] = (sc + w, pairs + ((i, j),))
        best = nxt
    return dict(max(best.values(), key=lambda v: v[0])[1])


def conf(e: dict) -> float:
    return num(e.get("confidence")) or 0.0


def judge_events(g: dict, evs: list[dict]) -> list[bool]:
    """Per sitroom event (input order): right = matches a gold event (main or background) that no
    more confident event of the article already claimed. Every event is wrong on a no-event page."""
    right = [False] * len(evs)
    if g.get("no_event"):
        return right
    gall = g.get("events") or []
    used: set[int] = set()
    for j in sorted(range(len(evs)), key=lambda j: -conf(evs[j])):
        free = [k for k, x in enumerate(gall) if k not in used and matches(x, evs[j])]
        if free:
            used.add(free[0])
            right[j] = True
    return right


# ---------------------------------------------------------------- scoring

def _short(e: dict) -> str:
    return (f"{e.get('event_type')}/{e.get('sub_event_type')} @ {e.get('location')} [{e.get('admin1')}, "
            f"{e.get('country')}] {e.get('event_date')} fat={e.get('fatalities')} conf={e.get('confidence')}")


def _gshort(g: dict) -> str:
    return (f"{g.get('event_type')}/{g.get('sub_event_type')} @ {g.get('location')} [{g.get('admin1')}, "
            f"{g.get('country')}] {g.get('event_date')} fat={g.get('fatalities')}")


COUNT_KEYS = ("main", "found", "found_lenient_type", "found_many", "found_conf", "sub_n", "sub_ok",
              "sub_ok_alt", "loc_n", "loc_ok", "date_n", "date_ok", "fat_n", "fat_ok", "prec_n", "prec_ok",
              "dup", "wrong_country", "hi_n", "hi_ok", "none_events", "none_events_conf", "errors", "sys_events")


def score_article(g: dict, result: dict) -> dict:
    """Counts (:data:`COUNT_KEYS`) and readable notes for one article."""
    T = dict.fromkeys(COUNT_KEYS, 0)
    notes: list[str] = []
    if result.get("error"):
        T["errors"] += 1
    evs = [e for e in (result.get("events") or []) if isinstance(e, dict)]
    T["sys_events"] = len(evs)
    hi_evs = [e for e in evs if conf(e) >= CONF]
    if g.get("no_event"):
        T["none_events"] = len(evs)
        T["none_events_conf"] = T["prec_n"] = len(hi_evs)
        notes += [f"FALSE (no-event page): {_short(e)}" for e in hi_evs]
        return {"counts": T, "notes": notes}
    gall = list(g.get("events") or [])
    gmain = [x for x in gall if x.get("main")]
    T["main"] = len(gmain)
    m = best_matching(gmain, evs, matches)
    T["found"] = len(m)
    T["found_lenient_type"] = len(best_matching(gmain, evs, lambda x, e: matches(x, e, lenient_type=True)))
    T["found_conf"] = len(best_matching(gmain, hi_evs, matches))
    T["found_many"] = sum(1 for x in gmain if any(matches(x, e) for e in evs))
    for i, x in enumerate(gmain):
        if i not in m:
            notes.append(f"MISS: {_gshort(x)}")
            continue
        e = evs[m[i]]
        T["sub_n"] += 1
        if e.get("sub_event_type") == x.get("sub_event_type"):
            T["sub_ok"] += 1
            T["sub_ok_alt"] += 1
        elif e.get("sub_event_type") in (x.get("sub_event_alt") or []):
            T["sub_ok_alt"] += 1
        else:
            notes.append(f"sub-type wrong: gold {x.get('sub_event_type')} sys {e.get('sub_event_type')} "
                         f"({x.get('location')})")
        gc = _coords(x)
        if gc:
            T["loc_n"] += 1
            ec = _coords(e)
            dist = km(*gc, *ec) if ec else None
            if dist is not None and dist <= LOC_KM:
                T["loc_ok"] += 1
            else:
                notes.append(f"location wrong: gold {x.get('location')} sys {e.get('location')} "
                             f"({'no coordinates' if dist is None else f'{dist:.0f} km'})")
        if gold_days(x):
            T["date_n"] += 1
            if day(e.get("event_date")) in gold_days(x):
                T["date_ok"] += 1
            else:
                notes.append(f"date wrong: gold {x.get('event_date')} sys {e.get('event_date')} ({x.get('location')})")
        if x.get("fatalities") is not None:
            T["fat_n"] += 1
            if _fatalities_equal(x, e):
                T["fat_ok"] += 1
            else:
                notes.append(f"fatalities wrong: gold {x['fatalities']} sys {e.get('fatalities')} ({x.get('location')})")
    used: set[int] = set()
    golds_iso = {gold_iso(x.get("country")) for x in gall}
    for e in sorted(hi_evs, key=lambda e: -conf(e)):
        T["prec_n"] += 1
        hi = conf(e) >= HI
        T["hi_n"] += hi
        hits = [k for k, x in enumerate(gall) if matches(x, e)]
        if hits:
            T["prec_ok"] += 1
            free = [k for k in hits if k not in used]
            if not free:
                T["dup"] += 1
                notes.append(f"DUPLICATE: {_short(e)}")
            else:
                used.add(free[0])
                T["hi_ok"] += hi
        else:
            notes.append(f"SPURIOUS: {_short(e)}")
            if sys_iso(e) not in golds_iso:
                T["wrong_country"] += 1
    return {"counts": T, "notes": notes}


def reliability(pairs: list[tuple[float, bool]], bins: tuple[float, ...] = BINS) -> dict[str, Any]:
    """Share right by confidence bin: ``{"bins": [{lo, hi, n, right, share, mean_conf}], "ece"}``.
    ``ece`` = expected calibration error (bin-size-weighted |share right - mean confidence|)."""
    rows = []
    total = len(pairs)
    ece = 0.0
    for i, lo in enumerate(bins):
        hi = bins[i + 1] if i + 1 < len(bins) else 1.0
        last = i + 1 == len(bins)
        inb = [(c, r) for c, r in pairs if lo <= c < hi or (last and c >= lo)]
        n = len(inb)
        right = sum(1 for _, r in inb if r)
        mean_c = sum(c for c, _ in inb) / n if n else None
        share = right / n if n else None
        if n:
            ece += n / total * abs(share - mean_c)
        rows.append({"lo": lo, "hi": hi, "n": n, "right": right, "share": share, "mean_conf": mean_c})
    return {"bins": rows, "ece": ece if total else None, "n": total}


def _frac(a: int, b: int) -> float | None:
    return a / b if b else None


#: Headline keys in display order (``n`` = articles).
SCORE_KEYS = ("n", "main_recall", "main_recall_many", "main_recall_conf", "main_recall_type_alt",
              "precision", "precision_once", "second_copies", "wrong_country", "conf80_right",
              "sub_event_accuracy", "sub_event_accuracy_alt", "location_25km", "date_exact",
              "fatalities_exact", "false_events_no_event", "false_events_no_event_conf", "ece")


def scores_from_counts(T: dict[str, int], n: int) -> dict[str, Any]:
    return {
        "n": n,
        "main_recall": _frac(T["found"], T["main"]),
        "main_recall_many": _frac(T["found_many"], T["main"]),
        "main_recall_conf": _frac(T["found_conf"], T["main"]),
        "main_recall_type_alt": _frac(T["found_lenient_type"], T["main"]),
        "precision": _frac(T["prec_ok"], T["prec_n"]),
        "precision_once": _frac(T["prec_ok"] - T["dup"], T["prec_n"]),
        "second_copies": T["dup"],
        "wrong_country": T["wrong_country"],
        "conf80_right": _frac(T["hi_ok"], T["hi_n"]),
        "sub_event_accuracy": _frac(T["sub_ok"], T["sub_n"]),
        "sub_event_accuracy_alt": _frac(T["sub_ok_alt"], T["sub_n"]),
        "location_25km": _frac(T["loc_ok"], T["loc_n"]),
        "date_exact": _frac(T["date_ok"], T["date_n"]),
        "fatalities_exact": _frac(T["fat_ok"], T["fat_n"]),
        "false_events_no_event": T["none_events"],
        "false_events_no_event_conf": T["none_events_conf"],
    }


#: What each fraction is of (the ``over`` column).
DENOMINATORS = {"main_recall": "main", "main_recall_many": "main", "main_recall_conf": "main",
                "main_recall_type_alt": "main", "precision": "prec_n", "precision_once": "prec_n",
                "conf80_right": "hi_n", "sub_event_accuracy": "sub_n", "sub_event_accuracy_alt": "sub_n",
                "location_25km": "loc_n", "date_exact": "date_n", "fatalities_exact": "fat_n"}


def score_events(items: list[GoldItem], results: list[dict]) -> tuple[dict, list[dict]]:
    """Scores (:data:`SCORE_KEYS`, plus ``counts`` and ``reliability``) and one case per article."""
    total = dict.fromkeys(COUNT_KEYS, 0)
    cases = []
    pairs: list[tuple[float, bool]] = []
    for it, res in zip(items, results):
        res = res or {}
        out = score_article(it.gold, res)
        for k, v in out["counts"].items():
            total[k] += v
        evs = [e for e in (res.get("events") or []) if isinstance(e, dict)]
        right = judge_events(it.gold, evs)
        pairs += [(conf(e), r) for e, r in zip(evs, right)]
        T = out["counts"]
        loss = ((T["main"] - T["found"]) * 2 + (T["prec_n"] - (T["prec_ok"] - T["dup"]))
                + (T["sub_n"] - T["sub_ok"]) + (T["loc_n"] - T["loc_ok"]) + (T["date_n"] - T["date_ok"])
                + (T["fat_n"] - T["fat_ok"]) + 0.5 * (T["none_events"] - T["none_events_conf"]))
        cases.append({
            "doc_id": it.doc_id, "part": it.part, "text": " ".join(it.text.split())[:300],
            "gold": [_gshort(x) + ("" if x.get("main") else " (background)") for x in it.gold.get("events") or []]
                    or ("no event" if it.gold.get("no_event") else []),
            "pred": [_shortc(e, r) for e, r in zip(evs, right)],
            "counts": T,
            "checks": {"main_recall": (T["found"] == T["main"]) if T["main"] else None,
                       "precision_once": (T["prec_ok"] - T["dup"] == T["prec_n"]) if T["prec_n"] else None},
            "loss": float(loss), "evidence": out["notes"], "error": res.get("error"),
        })
    scores = scores_from_counts(total, len(items))
    rel = reliability(pairs)
    scores["ece"] = rel["ece"]
    scores["reliability"] = rel
    scores["counts"] = total
    return scores, cases


def _shortc(e: dict, right: bool) -> str:
    return ("right " if right else "wrong ") + _short(e)


def denominators(scores: dict) -> dict[str, int]:
    T = scores.get("counts") or {}
    return {k: T.get(v, 0) for k, v in DENOMINATORS.items()}


def summary_line(scores: dict) -> str:
    """The reference scorer's one-line summary, from :func:`score_events`' scores."""
    T = scores["counts"]
    p = lambda a, b: f"{100.0 * T[a] / T[b]:.0f}%" if T[b] else "n/a"  # noqa: E731
    rec = 100.0 * T["found"] / T["main"] if T["main"] else 0.0
    prec = 100.0 * T["prec_ok"] / T["prec_n"] if T["prec_n"] else 0.0
    once = 100.0 * (T["prec_ok"] - T["dup"]) / T["prec_n"] if T["prec_n"] else 0.0
    return (f"recall {rec:.0f}% ({T['found']}/{T['main']} main) | precision {prec:.0f}% "
            f"({T['prec_ok']}/{T['prec_n']} conf>={CONF}), each event once {once:.0f}% | wrong country "
            f"{T['wrong_country']} | conf>={HI} right {p('hi_ok', 'hi_n')} | sub-type {p('sub_ok', 'sub_n')} "
            f"| loc<=25km {p('loc_ok', 'loc_n')} | date {p('date_ok', 'date_n')} | fatalities "
            f"{p('fat_ok', 'fat_n')} | false events on no-event articles {T['none_events']} "
            f"({T['none_events_conf']} at conf>={CONF})")
