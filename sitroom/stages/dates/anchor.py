"""Anchoring on the publication date: the year of a month(-day) without year, the week of a bare
weekday, "this/last/next" week, month, quarter or year, the quarter a business story reports on,
parts of a period ("early December"), the leading prepositions ("since", "until") and the
anaphors resolved on the date mentioned before ("the next day")."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from . import values as v
from .values import DateValue, GRAN_RANK, safe_date
from .vocabulary import day_num, month_num


def pick_year(m: int, d: int | None, pub: date, tense: str, wd: int | None = None) -> int:
    """Year for a month(-day) without year: latest on/before pub+14 days (tense "past", the
    default for news), earliest on/after pub-7 days ("future"), or the nearest ("neutral",
    present tense). A stated weekday picks the matching year when exactly one candidate fits."""
    cands = []
    for y in (pub.year - 1, pub.year, pub.year + 1):
        dd = safe_date(y, m, d) if d else date(y, m, 1)
        if dd is None and d == 29 and m == 2:
            continue
        if dd is not None:
            cands.append((y, dd))
    if wd is not None and d:
        fit = [c for c in cands if c[1].weekday() == wd]
        if len(fit) == 1:
            return fit[0][0]
    if tense in ("neutral", "present"):
        mid = []
        for y, dd in cands:
            delta = ((dd if d else date(y, m, 15)) - pub).days
            mid.append((delta * 2 if delta > 0 else -delta, -y))  # the past is twice as likely
        return -min(mid)[1]
    future = tense == "future"
    if d is None:
        # whole months: past -> latest month starting on/before pub; future -> earliest ending on/after
        if future:
            ok = [y for y, dd in cands if date(y, m, v.last_day(y, m)) >= pub]
            return ok[0] if ok else pub.year
        ok = [y for y, dd in cands if dd <= pub]
        return ok[-1] if ok else pub.year
    if future:
        ok = [y for y, dd in cands if dd >= pub - timedelta(days=7)]
        return ok[0] if ok else pub.year
    ok = [y for y, dd in cands if dd <= pub + timedelta(days=14)]
    return ok[-1] if ok else pub.year


def month_day(mon: str, day: str, year: str | None, pub: date | None, tense: str,
              wd: int | None = None) -> tuple[date | None, bool, bool]:
    """(the day or None, whether the year is unknown, whether it was resolved on ``pub``)."""
    mm, dd = month_num(mon), day_num(day)
    if not 1 <= dd <= 31:
        return None, False, False
    if year:
        d = safe_date(int(year), mm, dd)
        return (d, False, False) if d else (None, False, False)
    if pub is None:
        return None, True, False
    y = pick_year(mm, dd, pub, tense, wd)
    d = safe_date(y, mm, dd)
    return (d, False, True) if d else (None, False, False)


def weekday_date(wd: int, pub: date, tense: str, rel: str | None) -> date:
    """The weekday meant: the most recent on or before ``pub``; the next on or after it when the
    clause looks ahead or after "next"/"coming"."""
    rel = (rel or "").lower()
    if rel in ("next", "coming") or (tense in ("future", "present") and rel not in ("last", "past")):
        delta = (wd - pub.weekday()) % 7
        if rel == "next" and delta == 0:
            delta = 7
        return pub + timedelta(days=delta)
    delta = (pub.weekday() - wd) % 7
    if rel in ("last", "past") and delta == 0:
        delta = 7
    return pub - timedelta(days=delta)


def year_rel(rel: str | None, pub: date | None) -> int | None:
    """The year of "this/last/next year" at ``pub``."""
    if pub is None:
        return None
    return pub.year + {"this": 0, "last": -1, "next": 1}.get((rel or "this").lower(), 0)


def reporting_quarter(pub: date, ctx: dict | None = None) -> tuple[int, int]:
    """The quarter a business story refers to as "the quarter": the last completed one during the
    first ~7 weeks of a quarter (earnings season), else the current one."""
    if ctx and ctx.get("rq"):  # the quarter the story names most (see extractor.story_context)
        q = ctx["rq"]
        return (pub.year if date(pub.year, 3 * (q - 1) + 1, 1) <= pub else pub.year - 1), q
    q = (pub.month - 1) // 3 + 1
    qstart = date(pub.year, 3 * (q - 1) + 1, 1)
    if (pub - qstart).days < 50:
        return (pub.year, q - 1) if q > 1 else (pub.year - 1, 4)
    return pub.year, q


_REL_OFFSET = {"this": 0, "current": 0, "same": 0, "last": -1, "previous": -1, "past": -1,
               "next": 1, "coming": 1}


def rel_unit_range(rel: str, unit: str, pub: date) -> DateValue | None:
    """this/last/next week|weekend|month|year|quarter|decade|century at ``pub``."""
    k = _REL_OFFSET.get(re.sub(r"^the\s+", "", rel.lower()), 0)
    if unit == "week":
        return v.week(pub + timedelta(weeks=k))
    if unit == "weekend":
        if k == 0:
            return v.weekend(pub)  # this weekend: the weekend of the current ISO week
        if k < 0:  # last weekend: the most recent one that is over
            return v.weekend(pub - timedelta(days=pub.weekday() + 1))
        return v.weekend(pub + timedelta(weeks=1) if pub.weekday() >= 5 else pub)
    if unit == "month":
        return v.month(*v.add_months(pub.year, pub.month, k), True)
    if unit == "year":
        return v.year(pub.year + k, True)
    if unit == "quarter":
        q = (pub.month - 1) // 3 + 1 + k
        y = pub.year
        while q < 1:
            q, y = q + 4, y - 1
        while q > 4:
            q, y = q - 4, y + 1
        return v.quarter(y, q, True)
    if unit == "decade":
        return v.decade(pub.year // 10 + k, True)
    if unit == "century":
        return v.century(pub.year // 100 + k, True)
    return None


def part_range(part: str, a: date, b: date, unit: str) -> tuple[str, date, date]:
    """Sub-range of [a, b] for early/mid/late, the first half, the end of ...: (mod, start, end)."""
    p = part.lower()
    n = (b - a).days + 1
    if "half" in p:
        mid = a + timedelta(days=n // 2)
        if "first" in p:
            return "START", a, mid - timedelta(days=1)
        return "END", mid, b
    if "first week" in p or "first days" in p:
        return "START", a, a + timedelta(days=6)
    if "last week" in p or "last days" in p:
        return "END", b - timedelta(days=6), b
    if p.startswith(("early", "earlier", "beginning", "start", "the beginning", "the start",
                     "the early")):
        mod = "START"
    elif p.startswith(("mid", "middle", "the middle")):
        mod = "MID"
    elif p.startswith(("turn", "the turn")):
        mod = "START"
    else:
        mod = "END"
    edge = "end" in p or "beginning" in p or "start" in p or "turn" in p
    if unit == "year" and n >= 365 and not edge:
        y = a.year
        if mod == "START":
            return mod, a, date(y, 4, 30)
        if mod == "MID":
            return mod, date(y, 5, 1), date(y, 8, 31)
        return mod, date(y, 9, 1), b
    if edge:
        frac = 1 / 12 if unit == "year" else (1 / 3 if unit in ("month", "week") else 1 / 10)
    else:
        frac = 1 / 3
    k = max(1, round(n * frac))
    if mod == "START":
        return mod, a, a + timedelta(days=k - 1)
    if mod == "END":
        return mod, b - timedelta(days=k - 1), b
    s = a + timedelta(days=(n - k) // 2)
    return mod, s, s + timedelta(days=k - 1)


def shift(d0: date, unit: str, k: int) -> DateValue | None:
    """The day, week, month, quarter or year ``k`` units after ``d0``, at that granularity."""
    if unit == "day":
        return v.day(d0 + timedelta(days=k), True)
    if unit == "week":
        return v.week(d0 + timedelta(weeks=k))
    if unit == "month":
        return v.month(*v.add_months(d0.year, d0.month, k), True)
    if unit == "quarter":
        y, mo = v.add_months(d0.year, 3 * ((d0.month - 1) // 3) + 1, 3 * k)
        return v.quarter(y, (mo - 1) // 3 + 1, True)
    if unit == "year":
        return v.year(d0.year + k, True)
    return None


def resolve_anaphor(ana: tuple, anchors: list[tuple[str, date]]) -> DateValue | None:
    """Value of an anaphoric expression from the anchors seen so far ((granularity, first day),
    most recent last): the most recent anchor at least as fine as the expression's unit."""
    unit, k, wd = ana
    if unit == "any":  # "until then": the last date as it was given
        if not anchors:
            return None
        unit = anchors[-1][0]
    need = "day" if unit == "weekday" else unit
    for gran, d0 in reversed(anchors):
        if GRAN_RANK[gran] <= GRAN_RANK[need]:
            break
    else:
        return None
    if unit == "weekday":
        if k < 0:
            delta = (d0.weekday() - wd) % 7 or 7
            return v.day(d0 - timedelta(days=delta), True)
        delta = (wd - d0.weekday()) % 7 or 7
        return v.day(d0 + timedelta(days=delta), True)
    return shift(d0, unit, k)


# ------------------------------------------------------------------ prepositions

_PREFIX = re.compile(
    r"^(?P<p>on|since|in|until|till|by|before|after|from|during|through|throughout|as\s+of|"
    r"as\s+early\s+as|as\s+late\s+as|no\s+later\s+than|not\s+later\s+than|starting|beginning|"
    r"at|around|of|for|ever\s+since|only|dated)\s+", re.IGNORECASE)
#: a preposition just before an expression that did not include it
PREFIX_BEFORE = re.compile(
    r"\b(?P<p>on|since|in|until|till|by|before|after|from|during|through|throughout|as\s+of|"
    r"as\s+early\s+as|no\s+later\s+than|starting|beginning|ever\s+since)\s+$", re.IGNORECASE)
_PREP_MOD = {"since": "SINCE", "ever since": "SINCE", "until": "BEFORE", "till": "BEFORE",
             "before": "BEFORE", "no later than": "BEFORE", "not later than": "BEFORE",
             "by": "BEFORE", "after": "AFTER", "starting": "SINCE", "beginning": "SINCE",
             "as early as": None}


def strip_prefix(text: str) -> tuple[int, str | None]:
    """Length of a leading preposition to drop ("on ", "since ") and the preposition."""
    m = _PREFIX.match(text)
    if not m:
        return 0, None
    # keep "between"/"from" (ranges) and don't strip when nothing would remain
    if m.end() >= len(text):
        return 0, None
    return m.end(), re.sub(r"\s+", " ", m.group("p").lower())


def apply_prep(r: DateValue, prep: str | None, pub: date | None) -> DateValue:
    """The modifier a preposition gives: "since April 29" runs from that day to publication
    (``mod="SINCE"``, ``kind="since"``); "until", "by", "before" and "after" are BEFORE/AFTER."""
    if not prep:
        return r
    mod = _PREP_MOD.get(prep)
    if mod == "SINCE" and r.kind in ("date", "time", "range"):
        end = max(pub, r.start) if pub is not None and r.start else None
        return replace(r, mod="SINCE", kind="since", end=end)
    if mod in ("BEFORE", "AFTER") and r.kind in ("date", "time") and not r.mod:
        return replace(r, mod=mod)
    return r
