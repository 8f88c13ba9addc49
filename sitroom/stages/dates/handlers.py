"""What each rule of :mod:`.rules` reads its match as. A handler takes the match, the publication
date (or None), the tense at the expression (:mod:`.tense`) and the story's context (``quarterly``
prose, its reporting quarter ``rq``) and returns a :class:`~.values.DateValue`, or None when the
match is not a date after all."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from . import values as v
from .anchor import (month_day, part_range, pick_year, rel_unit_range, reporting_quarter, shift,
                     weekday_date, year_rel)
from .values import DURATION, DateValue, safe_date
from .vocabulary import (DAY, FLAGS, HOLIDAYS, MON_ALT, ORD, SEASONS, WEEKDAYS, YEAR, day_num,
                         month_num, num, weekday_num, year_num)

# ------------------------------------------------------------------ calendar dates


def iso(m: re.Match, pub, tense, ctx) -> DateValue | None:
    d = safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return v.day(d) if d else None


def iso_month(m, pub, tense, ctx):
    return v.month(int(m["y"]), int(m["m"]))


def numeric(m, pub, tense, ctx):
    """16/01/2020: day first (international usage) unless only the other order is a date."""
    a, b, y = int(m["a"]), int(m["b"]), m["y"]
    y = int(y) if len(y) == 4 else (2000 + int(y) if int(y) < 50 else 1900 + int(y))
    if a > 12 and b <= 12:
        d = safe_date(y, b, a)
    elif b > 12 and a <= 12:
        d = safe_date(y, a, b)
    elif m["sep"] == "/" and ctx.get("us"):
        d = safe_date(y, a, b)
    else:
        d = safe_date(y, b, a)
    return v.day(d) if d else None


def month_day_year(m, pub, tense, ctx):
    """(Thursday,) Jan. 16(, 2020) and 16 January (2020); the weekday picks the year when given."""
    wd = WEEKDAYS.get(m["wd"].lower().rstrip(".")) if m["wd"] else None
    d, unk, rel = month_day(m["m"], m["d"], m["y"], pub, tense, wd)
    kind = "time" if m.groupdict().get("tod") else "date"
    if unk:
        mm, dd = month_num(m["m"]), day_num(m["d"])
        if not (1 <= dd <= 31):
            return None
        return v.unknown(f"XXXX-{mm:02d}-{dd:02d}", 1, kind)
    if d is None:
        return None
    return v.day(d, rel, kind)


def day_range(m, pub, tense, ctx):
    """March 3-5 (2020), 3-5 March, between March 3 and April 5 (two weeks at most)."""
    gd = m.groupdict()
    m1 = gd.get("m1") or gd.get("m2")
    m2 = gd.get("m2") or m1
    y2 = gd.get("y2")
    y1 = gd.get("y1") or y2
    if not m1:
        return None
    d1, unk1, r1 = month_day(m1, gd["d1"], y1, pub, tense)
    if unk1:
        return v.unknown(None, 2, "range")
    if d1 is None:
        return None
    mm2, dd2 = month_num(m2), day_num(gd["d2"])
    y = int(y2) if y2 else d1.year
    d2 = safe_date(y, mm2, dd2)
    if d2 is not None and d2 < d1 and not y2:
        d2 = safe_date(y + 1, mm2, dd2)
    if d2 is None or d2 < d1 or (d2 - d1).days > 366:
        return None
    n = (d2 - d1).days
    if gd.get("m2") and gd.get("m1") and n > 14:
        return None  # "from Aug. 26 to Oct. 20": two dates (TimeML style), not one range
    prec = 2 if n <= 14 else (3 if d1.month == d2.month else 4)
    return DateValue(f"{d1.isoformat()}/{d2.isoformat()}", d1, d2, prec, r1, kind="range")


def holiday(m, pub, tense, ctx):
    """Christmas, New Year's Eve ... (date_words.yaml) and Thanksgiving (4th Thursday of Nov.)."""
    h = re.sub(r"\s+", " ", m["h"].lower())
    if h.startswith("thanksgiving"):
        if m["y"]:
            return v.day(_thanksgiving(int(m["y"])))
        if pub is None:
            return v.unknown(None, 1)
        y = pub.year if _thanksgiving(pub.year) <= pub + timedelta(days=7) or tense == "future" \
            else pub.year - 1
        return v.day(_thanksgiving(y), True)
    mm, dd = HOLIDAYS[h]
    if m["y"]:
        return v.day(date(int(m["y"]), mm, dd))
    if pub is None:
        return v.unknown(f"XXXX-{mm:02d}-{dd:02d}", 1)
    return v.day(date(pick_year(mm, dd, pub, tense), mm, dd), True)


def _thanksgiving(y: int) -> date:
    d = date(y, 11, 1)
    return d + timedelta(days=(3 - d.weekday()) % 7 + 21)


# ------------------------------------------------------------------ months, quarters, years


def month_year(m, pub, tense, ctx):
    return v.month(year_num(m["y"]), month_num(m["m"]))


def month_rel(m, pub, tense, ctx):
    """last/this/next/past/coming March."""
    mm = month_num(m["m"])
    if pub is None:
        return v.unknown(f"XXXX-{mm:02d}", 3)
    rel = m["rel"].lower()
    y = pub.year
    if rel in ("last", "past"):
        y = pub.year if mm < pub.month - 1 else pub.year - 1
    elif rel in ("next", "coming"):
        y = pub.year if mm > pub.month else pub.year + 1
    return v.month(y, mm, True)


def month_of_rel(m, pub, tense, ctx):
    """March last/this/next year."""
    mm = month_num(m["m"])
    if pub is None:
        return v.unknown(f"XXXX-{mm:02d}", 3)
    k = {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    return v.month(pub.year + k, mm, True)


def month(m, pub, tense, ctx):
    """A month without year: the year by tense (:func:`.anchor.pick_year`)."""
    mm = month_num(m["m"])
    if pub is None:
        return v.unknown(f"XXXX-{mm:02d}", 3)
    return v.month(pick_year(mm, None, pub, tense), mm, True)


def part(m, pub, tense, ctx):
    """early December (2019), mid-2019, the end of the 1990s, late last year, earlier this month."""
    p = re.sub(r"\s+", " ", m["part"].lower())
    if m["m"]:
        mm = month_num(m["m"])
        if m["y"]:
            base, unit = v.month(int(m["y"]), mm), "month"
        elif pub is None:
            mod, _, _ = part_range(p, date(2001, mm, 1), date(2001, mm, 28), "month")
            return v.unknown(f"XXXX-{mm:02d}", 2, mod=mod)
        else:
            base, unit = v.month(pick_year(mm, None, pub, tense), mm, True), "month"
    elif m["y2"]:
        base, unit = v.year(int(m["y2"])), "year"
    elif m["dec"]:
        dm = re.search(r"(1[6-9]|20)(\d)0", m["dec"])
        base, unit = v.decade(int(dm.group(1) + dm.group(2))), "decade"
    else:
        relm = re.match(r"(.*?)\s*(week|month|year|decade|century|quarter)$", m["rel"].lower())
        if pub is None:
            return v.unknown(None, None)
        rel = relm.group(1)
        if rel in ("the", "that"):
            rel = "this"
        unit = relm.group(2)
        base = rel_unit_range(rel, unit, pub)
        if base is None:
            return None
    a, b = base.start, base.end
    mod, s, e = part_range(p, a, b, unit)
    if p.startswith(("earlier", "later")) and pub is not None and base.relative:
        # "earlier this month": from the start of the month up to publication
        if p.startswith("earlier"):
            s, e, mod = a, min(b, pub), None
        else:
            s, e, mod = max(a, pub), b, None
    prec = 2 if unit in ("month", "week") else (3 if unit == "quarter" else 4)
    return DateValue(base.value, s, e, prec, base.relative, mod=mod)


def quarter(m, pub, tense, ctx):
    """the third quarter (of 2019), last year's fourth quarter, the fiscal first quarter."""
    q = ORD[m["q"].lower()]
    if m["y"] or m["y0"]:
        return v.quarter(int(m["y"] or m["y0"]), q)
    yrel = m["yrel"] or m["yrel2"]
    if pub is None:
        return v.unknown(f"XXXX-Q{q}", 4)
    if yrel:
        return v.quarter(year_rel(yrel, pub), q, True)
    text = m.group(0).lower()
    y = pub.year
    if text.startswith("last ") or date(y, 3 * (q - 1) + 1, 1) > pub:
        y -= 1
    if text.startswith("next "):
        y = pub.year if date(pub.year, 3 * (q - 1) + 1, 1) > pub else pub.year + 1
    return v.quarter(y, q, True)


def quarter_short(m, pub, tense, ctx):
    """Q3 2019, 2019-Q3."""
    q = int((m["q"] or m["q2"])[1])
    return v.quarter(int(m["y"] or m["y2"]), q)


def half(m, pub, tense, ctx):
    """the first half (of 2019), last year's second half, the last two quarters."""
    h = {"first": 1, "second": 2, "last": 2}[(m["h"] or m["h2"]).lower()]
    if m["y"]:
        return v.half(int(m["y"]), h)
    if pub is None:
        return v.unknown(f"XXXX-H{h}", 4)
    y = year_rel(m["yrel"] or m["yrel2"], pub)
    if not (m["yrel"] or m["yrel2"]) and h == 2 and pub.month <= 6:
        y -= 1
    return v.half(y, h, True)


def season(m, pub, tense, ctx):
    """summer 2019, last winter, early spring; a bare "spring" or "the fall" is too ambiguous."""
    s = SEASONS[m["s"].lower()]
    rel = (m["rel"] or "").lower().rstrip("-")
    if rel.startswith("this past"):
        rel = "last"
    if m["y"]:
        r = v.season(year_num(m["y"]), s)
    else:
        if not rel or (rel == "the" and s in ("SP", "FA")):
            return None
        if pub is None:
            return v.unknown(f"XXXX-{s}", 4)
        r = v.season(_season_year(s, rel, pub), s, True)
    if rel in ("early", "late", "mid"):
        mod, a2, b2 = part_range(rel, r.start, r.end, "season")
        r = DateValue(r.value, a2, b2, 3, r.relative, mod=mod)
    return r


def _season_year(s: str, rel: str, pub: date) -> int:
    """The year of the season occurrence meant at ``pub`` (winter: the year it starts)."""
    starts = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
    y = None
    for cand in (pub.year + 1, pub.year, pub.year - 1, pub.year - 2):
        if date(cand, starts[s], 1) <= pub:
            y = cand
            break
    if rel == "last":
        if v.season(y, s).end >= pub:
            y -= 1
    elif rel == "next":
        y += 1
    elif rel == "this":
        y = pub.year if not (s == "WI" and pub.month <= 2) else pub.year - 1
    return y


def fiscal(m, pub, tense, ctx):
    """fiscal 2019, fiscal year '98."""
    y = m["y"].lstrip("'")
    y = int(y) if len(y) == 4 else (1900 + int(y) if int(y) > 40 else 2000 + int(y))
    return v.year(y)


def spelled_year(m, pub, tense, ctx):
    return v.year(year_num(m["y"]))


def year(m, pub, tense, ctx):
    return v.year(int(m["y"]))


def decade(m, pub, tense, ctx):
    """the 1990s, the early '90s (the most recent such decade)."""
    if m["c"]:
        c = int(m["c"] + m["d"])
    else:
        base = (pub.year if pub else 1999) // 100
        c = int(f"{base}{m['d']}")
        if c * 10 > (pub.year if pub else 1999):
            c -= 10
    r = v.decade(c)
    if m["part"]:
        mod, a, b = part_range(m["part"].rstrip("-"), r.start, r.end, "decade")
        r = replace(r, mod=mod, start=a, end=b)
    return r


def century(m, pub, tense, ctx):
    n = int(m["n"])
    if not 1 <= n <= 21:
        return None
    return v.century(n - 1)


# ------------------------------------------------------------------ relative to publication


def ago(m, pub, tense, ctx):
    """three days ago (on publication), two days earlier (on the date before: an anaphor)."""
    n = num(m["n"])
    u = m["u"].lower().rstrip("s")
    if m["dir"].lower() in ("earlier", "before"):
        # "a year earlier" is anchored on another time in the story, not on publication; in
        # business prose it means the same quarter a year before.
        if u == "year" and n == 1 and pub is not None and ctx.get("quarterly"):
            y, q = reporting_quarter(pub, ctx)
            return v.quarter(y - 1, q, True)
        if n is None or u == "decade":
            return DURATION
        return v.no_value(True, pub is not None, anaphor=(u, -n, None))
    if n is None:
        return v.no_value(False, pub is not None, "BEFORE")  # "a few days ago"
    if pub is None:
        return v.unknown(None, None)
    if u == "day":
        return v.day(pub - timedelta(days=n), True)
    if u == "week":
        return v.week(pub - timedelta(weeks=n))
    if u == "month":
        return v.month(*v.add_months(pub.year, pub.month, -n), True)
    if u == "year":
        if n == 1 and ctx.get("quarterly"):
            y, q = reporting_quarter(pub, ctx)
            return v.quarter(y - 1, q, True)
        return v.year(pub.year - n, True)
    if u == "decade":
        return v.decade((pub.year - 10 * n) // 10, True)
    return None


_DAY_OFFSET = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1,
               "the day before yesterday": -2, "the day after tomorrow": 2, "last night": -1,
               "overnight": 0}


def rel_day(m, pub, tense, ctx):
    """today, yesterday, tomorrow, last night, this morning."""
    w = re.sub(r"\s+", " ", m["w"].lower())
    kind = "time" if (m["tod"] or w.startswith(("this ", "last night", "tonight", "overnight"))
                      or m["late"]) else "date"
    if pub is None:
        return v.unknown(None, 1, kind)
    return v.day(pub + timedelta(days=_DAY_OFFSET.get(w, 0)), True, kind)


def weekday(m, pub, tense, ctx):
    """(last/next/on) Monday (night): by tense (:func:`.anchor.weekday_date`)."""
    wd = weekday_num(m["wd"])
    kind = "time" if m["tod"] else "date"
    if pub is None:
        return v.unknown(f"XXXX-WXX-{wd + 1}", 1, kind)
    return v.day(weekday_date(wd, pub, tense, m["rel"]), True, kind)


def night(m, pub, tense, ctx):
    """overnight Friday, Friday overnight: that day's night (the day, to the next); overnight into
    Friday, Thursday night into Friday, the night of Thursday to Friday: the night from Thursday."""
    gd = m.groupdict()
    first = gd["wd1"] or gd["wd4"] or gd["wd6"] or gd["wd8"]
    last = gd["wd2"] or gd["wd3"] or gd["wd5"] or gd["wd7"]
    if pub is None:
        wd = weekday_num(first) if first else (weekday_num(last) - 1) % 7
        return v.unknown(f"XXXX-WXX-{wd + 1}", 1, "time")
    if last:
        end = weekday_date(weekday_num(last), pub, tense, None)
        gap = (weekday_num(last) - weekday_num(first)) % 7 if first else 1
        start = end - timedelta(days=gap or 7)
    else:
        start = weekday_date(weekday_num(first), pub, tense, None)
        end = start + timedelta(days=1)
    return DateValue(start.isoformat(), start, end, 1, True, kind="time")


def rel_unit(m, pub, tense, ctx):
    """this/last/next week, month, quarter, year, weekend; earlier this year. "the past year",
    "the next month" are durations."""
    rel = re.sub(r"\s+", " ", m["rel"].lower())
    u = m["u"].lower()
    pre = (m["pre"] or "").lower()
    if rel in ("the past", "the last", "the coming", "the next", "past", "previous",
               "the previous") and u != "weekend":
        return DURATION
    if pub is None:
        return v.unknown(None, None)
    if rel == "the same":
        return None
    if u == "quarter" and rel == "this" and ctx.get("quarterly"):
        y, q = reporting_quarter(pub, ctx)
        return v.quarter(y, q, True)
    r = rel_unit_range(rel, u, pub)
    if r is None:
        return None
    if pre == "earlier":
        return replace(r, end=min(r.end, pub))
    if pre == "later":
        return replace(r, start=max(r.start, pub))
    return r


_QUARTER_ENDED = re.compile(r"\s+(?P<v>ended|ending)\s+(?P<m>" + MON_ALT + r")\s+(?P<d>" + DAY +
                            r")\b(?:,?\s+(?P<y>" + YEAR + r")\b)?", FLAGS)


def rel_the(m, pub, tense, ctx):
    """Business prose: the quarter (ended July 31), the year-earlier period, the fiscal year,
    year-end, the weekend."""
    w = re.sub(r"[\s-]+", " ", m["w"].lower())
    if pub is None:
        return v.unknown(None, None)
    ym = re.search(r"\b((?:1[89]|20)\d\d)\b", w)
    qm = re.search(r"\b(first|second|third|fourth)\b", w)
    if w in ("the quarter", "the fiscal quarter"):
        # "the quarter ended July 31": the calendar quarter holding most of those three months
        em = _QUARTER_ENDED.match(m.string, m.end())
        if em:
            d, _, _ = month_day(em["m"], em["d"], em["y"], pub,
                                "neutral" if em["v"].lower() == "ending" else tense)
            if d is not None:
                mid = d - timedelta(days=45)
                return v.quarter(mid.year, (mid.month - 1) // 3 + 1, not em["y"])
    if "fiscal year" in w:
        return v.year(pub.year, True)
    if ym and ("quarter" in w or "period" in w):
        y, q = reporting_quarter(pub, ctx)
        return v.quarter(int(ym.group(1)), q, True)
    if qm and ("earlier" in w or "ago" in w):
        return v.quarter(pub.year - 1, ORD[qm.group(1)], True)
    if "quarter" in w or "period" in w:
        y, q = reporting_quarter(pub, ctx)
        if "earlier" in w or "ago" in w or "last year" in w or "corresponding" in w:
            y -= 1
        return v.quarter(y, q, True)
    if w in ("the year", "the full year"):
        return v.year(pub.year, True)
    if w == "the weekend":
        if tense == "future":
            return rel_unit_range("this", "weekend", pub)
        if pub.weekday() >= 5:
            return v.weekend(pub)
        return rel_unit_range("last", "weekend", pub)
    if w == "year end" and "-" in m["w"]:
        y = pub.year if tense != "past" else pub.year - 1
        return v.day(date(y, 12, 31), True)
    if w in ("year end", "the end of the year", "year's end"):
        return replace(v.year(pub.year, True), mod="END")
    if "earlier" in w or "ago" in w:
        if ctx.get("quarterly"):
            y, q = reporting_quarter(pub, ctx)
            return v.quarter(y - 1, q, True)
        return v.year(pub.year - 1, True)
    return None


_NTH_DAY_SUBJ = re.compile(r"\b(?:today|it|this)\s*(?:is|'s|’s|marks)\s+$", re.IGNORECASE)


def nth_day(m, pub, tense, ctx):
    """"(today is) the eighth day of ...": publication day when said of today, else no value."""
    if pub is None or not _NTH_DAY_SUBJ.search(m.string[max(0, m.start() - 20):m.start()]):
        return None
    return v.day(pub, True)


_ELIDED = re.compile(r"\b(?:this|next)\s+(?P<u>week|month|year)\b(?:(?![.;!?]).){0,60}?\b(?:as|than)\s+$",
                     FLAGS | re.DOTALL)


def elided_last(m, pub, tense, ctx):
    """"more this year than last": "last" for "last year" when "this year ... than/as" precedes."""
    em = _ELIDED.search(m.string[max(0, m.start() - 80):m.start()])
    if em is None or pub is None:
        return None
    return rel_unit_range("last", em["u"].lower(), pub)


def in_units(m, pub, tense, ctx):
    """"in five years": a date when the clause looks ahead, else a duration."""
    n = num(m["n"])
    if tense != "future" or pub is None or n is None:
        return DURATION
    return shift(pub, m["u"].lower().rstrip("s"), n)


# ------------------------------------------------------------------ relative to the date before

_ANA_DIR = {"following": 1, "next": 1, "after": 1, "later": 1, "previous": -1, "prior": -1,
            "preceding": -1, "before": -1, "earlier": -1}


def anaphor(m, pub, tense, ctx):
    """An expression anchored on the date mentioned last (resolved by the extractor): the value
    has no value yet, only ``anaphor`` = (unit, offset, weekday or None)."""
    gd = m.groupdict()
    if gd["u0"]:
        unit, k, wd = gd["u0"].lower(), 0, None
    elif gd["u1"]:
        unit, k, wd = gd["u1"].lower(), _ANA_DIR[gd["dir"].lower()], None
        if unit == "morning":
            unit = "day"
        if gd["dir"].lower() == "next" and unit != "day":
            return None  # "the next month/year": mostly from publication ("over the next year")
    elif gd["wd"]:
        unit, k, wd = "weekday", _ANA_DIR[gd["dir2"].lower()], weekday_num(gd["wd"])
    elif gd["u4"]:
        unit, k, wd = gd["u4"].lower(), 0, None
    elif gd["then"]:
        unit, k, wd = "any", 0, None
    elif gd["u2"]:
        unit, k, wd = gd["u2"].lower(), _ANA_DIR[gd["dir3"].lower()], None
    else:
        n = num(gd["n"])
        if n is None:
            return None
        unit, k, wd = gd["u3"].lower().rstrip("s"), n * _ANA_DIR[gd["dir4"].lower()], None
    return v.no_value(True, pub is not None, anaphor=(unit, k, wd))


def duration(m, pub, tense, ctx):
    """three days, the past year, weeks: no value."""
    return DURATION
