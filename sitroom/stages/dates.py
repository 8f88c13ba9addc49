"""Temporal expressions: find them and normalise them against the publication date.

``DateExtractor()(analysis)`` fills ``analysis.dates`` with one :class:`DateExpr` per temporal
expression: spaCy ``DATE`` entities plus our own rules for what the small NER model misses.
``normalise(text, published)`` is the pure normaliser for one expression, for reuse by other
stages.

Values follow TimeML / ISO 8601 at the expression's own granularity: ``2020-01-16``, ``2019-12``,
``2019``, ``2020-W03``, ``2019-Q3``, ``2019-SU``, ``199`` (the 1990s); ranges as ISO intervals
``2020-03-03/2020-03-05``. ``value_start``/``value_end`` are the first/last day covered.

Resolution rules (news is mostly past tense):

* a month-day without year takes the latest year that puts it on or before publication + 14 days;
  when the governing verb is future ("will meet", "plans to ...", "scheduled") the earliest on or
  after publication - 7 days; present tense / deadlines ("expire Nov. 21", "payable Dec. 15") the
  nearest (the past counted twice as likely). A month without year likewise;
* a bare weekday is the most recent such day on or before publication (future clauses, and a
  present-tense verb it hangs on, "meet Monday": the next one on or after); "next Monday" /
  "last Friday" as said;
* "last week" is the previous ISO week, "earlier this month" the month of publication,
  "N days/weeks/months/years ago" is at the granularity of its unit;
* "that year", "the following month", "the next day", "the previous Friday", "two years
  later", "until then" are anchored on the last date mentioned before them (none: no value);
  "in five years" is a date only in a clause that looks ahead; "Oct. 12, the day before the
  crash" is that Oct. 12;
* "today is / it's the eighth day of ..." is the publication day; "this year as last": last year;
  "the quarter ended July 31": the calendar quarter holding most of it (2nd); "last year's
  quarter": the reporting quarter a year before;
* tense: a date before the complementizer of the clause it was hung on takes no tense from it; a
  date on a noun under a past verb ("told of a cutback in September") the nearest occurrence; a
  past time clause under a clause that looks ahead ("would buy as soon as trading opened Monday")
  looks ahead;
* durations ("three days", "the past year") are ``kind="duration"`` with ``value=None``;
* without a publication date nothing is resolved from today's date: a month-day keeps
  ``XXXX-01-16``, weekday/relative expressions get ``value=None``, ``year_known=False``.

dateparser is used only as a last resort for spaCy DATE entities no rule understands (cached).
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from ..data import load as load_data, require_strings
from ..model import Analysis, DateExpr
from .offsets import Coverage, Disjoint


def _date_words() -> dict:
    """The extractor's word lists (sitroom/data/date_words.yaml), read once at import."""
    words = load_data("date_words.yaml")
    for key in ("report_verbs", "same_past_verbs", "forward_verbs", "time_conjunctions"):
        require_strings("date_words.yaml", key, words.get(key) or [])
    require_strings("date_words.yaml", "holidays", (words.get("holidays") or {}).keys())
    return words


_WORDS = _date_words()
_REPORT_VERBS = frozenset(_WORDS.get("report_verbs") or ())
_SAME_PAST = frozenset(_WORDS.get("same_past_verbs") or ())
_FORWARD_VERBS = frozenset(_WORDS.get("forward_verbs") or ())
_TIME_CONJ = frozenset(_WORDS.get("time_conjunctions") or ())
_HOLIDAYS = {name.lower(): (int(md[0]), int(md[1])) for name, md in (_WORDS.get("holidays") or {}).items()}
#: the fixed holidays and Thanksgiving, longest names first, any spacing, the apostrophe optional
_HOLIDAY_RX = "|".join(re.escape(h).replace(r"\ ", r"\s+").replace("'", "'?")
                       for h in sorted([*_HOLIDAYS, "thanksgiving day", "thanksgiving"], key=len, reverse=True))

# ------------------------------------------------------------------ vocabulary

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
             "saturday": 5, "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3,
             "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6}
_NUMS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a couple of": 2,
    "couple of": 2, "a dozen": 12, "half a dozen": 6,
}
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3,
        "4th": 4}
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}

# Month names: capitalised (so "may"/"march" as words do not match); abbreviations with dot.
_MON = (r"(?:Jan(?:uary|\.)|Feb(?:ruary|\.)|Mar(?:ch|\.)|Apr(?:il|\.)|May|June?|July?|"
        r"Aug(?:ust|\.)|Sep(?:tember|t\.|\.|t)|Oct(?:ober|\.)|Nov(?:ember|\.)|Dec(?:ember|\.)|"
        r"Jan|Feb|Apr|Aug|Oct|Nov|Dec)")
_MON_FULL = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
             r"December|Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)")
_WD = (r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon\.|Tues?\.|Wed\.|"
       r"Thu(?:rs?)?\.|Fri\.|Sat\.|Sun\.)")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)"
_UNITS_W = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TENS_W = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_SPELLED_YEAR = (r"(?:(?:nineteen|eighteen)[\s-]+(?:hundred(?:\s+and)?[\s-]+)?" + _TENS_W + r"(?:[\s-]+" + _UNITS_W +
                 r")?|two[\s-]+thousand(?:[\s-]+(?:and[\s-]+)?(?:" + _TENS_W + r"(?:[\s-]+" + _UNITS_W + r")?|" +
                 _UNITS_W + r"))?)")
_YEARW = r"(?:" + _YEAR + r"|" + _SPELLED_YEAR + r")"
_NUMW = (r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
         r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
         r"a couple of|couple of|a dozen|half a dozen|a few|few|several|some|many|"
         r"(?:twenty|thirty|forty|fifty)[- ](?:one|two|three|four|five|six|seven|eight|nine))")
_ORDW = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
         r"(?:thir|four|fif|six|seven|eigh|nine)teenth|(?:twen|thir|for|fif|six|seven|eigh|nine)tieth|"
         r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-](?:first|second|third|fourth|"
         r"fifth|sixth|seventh|eighth|ninth)|hundredth|\d+(?:st|nd|rd|th))")
_UNIT = r"(?:days?|weeks?|months?|years?|decades?|centur(?:y|ies)|hours?|minutes?|quarters?|weekends?|nights?)"
_PART = (r"(?:early|earlier|mid|middle|late|later|the\s+(?:early|middle|late)\s+part\s+of|"
         r"the\s+(?:beginning|start|middle|end)\s+of|(?:beginning|start|end)\s+of|"
         r"the\s+(?:first|second|last)\s+half\s+of|the\s+(?:first|second|last)\s+(?:week|days)\s+of)")

_FLAGS = re.IGNORECASE


def _ci(pattern: str) -> str:
    """Wrap a case-sensitive sub-pattern (month/weekday names) so the rest can be case-insensitive."""
    return "(?-i:" + pattern + ")"


MON, MONF, WD = _ci(_MON), _ci(_MON_FULL), _ci(_WD)
_MON_ALT = r"(?:" + MON + r"|(?-i:JAN|FEB|MAR|APR|MAY|JUNE?|JULY?|AUG|SEPT?|OCT|NOV|DEC)\.?)"

# Each rule: (name, compiled regex). Order matters only for `normalise` (first full match wins);
# extraction keeps the longest match among all rules.
_RULES_SRC: list[tuple[str, str]] = [
    ("iso", r"\b(?P<y>" + _YEAR + r")-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3]\d)\b"),
    ("iso_month", r"\b(?P<y>" + _YEAR + r")-(?P<m>0[1-9]|1[0-2])\b(?!-\d)"),
    ("numeric", r"\b(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[0-3]?\d)(?P=sep)(?P<y>" + _YEAR + r"|\d\d)\b"),
    # between March 3 and 5 / from March 3 to April 5 / March 3-5, 2020 / 3-5 March
    ("range_md", r"(?:(?P<pre>between|from)\s+)?(?P<m1>" + _MON_ALT + r")\s+(?P<d1>" + _DAY +
     r")(?:,?\s+(?P<y1>" + _YEAR + r"))?\s*(?:-|–|—|\band\b|\bto\b|\buntil\b|\bthrough\b|\bthru\b)\s*"
     r"(?:(?P<m2>" + _MON_ALT + r")\s+)?(?P<d2>" + _DAY + r")\b(?:,?\s+(?P<y2>" + _YEAR + r"))?"),
    ("range_dm", r"(?:(?P<pre>between|from)\s+)?(?P<d1>" + _DAY + r")(?:\s+(?P<m1>" + _MON_ALT +
     r"))?\s*(?:-|–|—|\band\b|\bto\b|\buntil\b|\bthrough\b)\s*(?P<d2>" + _DAY + r")\s+(?P<m2>" +
     _MON_ALT + r")(?:,?\s+(?P<y2>" + _YEAR + r"))?\b"),
    ("range_y", r"(?:(?P<pre>between|from)\s+)(?P<y1>" + _YEAR + r")\s*(?:-|–|\band\b|\bto\b|\buntil\b)\s*(?P<y2>" + _YEAR + r")\b"),
    # (Thursday,) Jan. 16(, 2020)
    ("mdy", r"(?:(?P<wd>" + WD + r"),?\s+)?(?:the\s+)?(?P<m>" + _MON_ALT + r")\s+(?P<d>" + _DAY +
     r")(?![\d:])(?:,?\s+(?P<y>" + _YEAR + r"))?\b(?:\s+(?P<tod>morning|afternoon|evening|night))?"),
    # (Thursday,) 16 January (2020) / the 16th of January
    ("dmy", r"(?:(?P<wd>" + WD + r"),?\s+)?(?:the\s+)?(?P<d>" + _DAY + r")(?:\s+of)?\s+(?P<m>" +
     _MON_ALT + r")(?:,?\s+(?P<y>" + _YEAR + r"))?\b"),
    # early December (2019) / mid-2019 / the end of 2019 / late last year / early this month
    ("quarter", r"(?:(?:the|this|last|next)\s+)?(?:(?P<yrel>this|last|next)\s+year'?s\s+|(?P<y0>" +
     _YEAR + r")(?:'s)?\s+)?(?:(?:fiscal|financial|calendar)\s+)?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)"
     r"[\s-]+(?:fiscal\s+)?quarter\b(?:\s+(?:of\s+)?(?:(?:fiscal|calendar)\s+)?(?P<y>" + _YEAR +
     r")|\s+(?:of\s+)?(?P<yrel2>this|last|next)\s+year)?"),
    ("qshort", r"\b(?P<q>Q[1-4])\s*(?P<y>" + _YEAR + r")\b|\b(?P<y2>" + _YEAR + r")[\s-]?(?P<q2>Q[1-4])\b"),
    ("half", r"(?:(?:the|this|last|next)\s+)?(?:(?P<yrel>this|last|next)\s+year'?s\s+)?(?:(?P<h>first|second|last)[\s-]+half|(?P<h2>first|last)\s+two\s+quarters)\b"
     r"(?:\s+of\s+(?:(?P<y>" + _YEAR + r")|(?P<yrel2>this|last|next)\s+year|the\s+year))?"),
    ("part", r"(?P<part>" + _PART + r")[\s-]*(?:(?P<m>" + MONF + r")(?:,?\s+(?:of\s+)?(?P<y>" + _YEAR +
     r"))?|(?P<y2>" + _YEAR + r")|(?P<rel>(?:this|last|next|the|that|the\s+current|the\s+previous)\s+"
     r"(?:week|month|year|decade|century|quarter))|(?P<dec>(?:the\s+)?(?:19|20)\d0s))\b"),
    ("month_year", r"(?P<m>" + MONF + r"|" + MON + r")\s*,?\s+(?:of\s+)?(?P<y>" + _YEARW + r")\b"),
    ("spelled_year", r"(?:the\s+year\s+)?(?P<y>" + _SPELLED_YEAR + r")\b(?![\s-]+(?:" + _UNITS_W + r"|" + _TENS_W + r"|hundred|thousand|percent|dollars|people|years?|days?|months?|weeks?))"),
    ("month_rel", r"\b(?P<rel>last|this|next|past|coming)\s+(?P<m>" + MONF + r")(?!\s*\d)"),
    ("month_of_rel", r"(?P<m>" + MONF + r")\s+(?P<rel>last|this|next)\s+year\b"),
    ("month", r"\b(?:in|since|until|till|by|from|of|for|during|through|before|after|and|to|or|"
     r"between|around|throughout|last|this|next|early|late|mid-?)\s+(?P<m>" + _ci(
         r"January|February|March|April|May|June|July|August|September|October|November|December"
         r"|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.") + r")(?![\s,]*\d)"),
    # a month name alone, only where spaCy tagged it DATE ("under a June agreement")
    ("month_bare", r"(?P<m>" + _ci(r"January|February|March|April|May|June|July|August|September|October|"
     r"November|December") + r")"),
    ("season", r"(?:(?P<rel>this\s+past|this|last|next|the|early|late|mid-?)\s+)?(?P<s>summer|winter|spring|fall|autumn)"
     r"(?:\s+(?:of\s+)?(?P<y>" + _YEARW + r"))?\b"),
    ("fiscal", r"\bfiscal(?:\s+year)?\s+(?P<y>" + _YEAR + r"|'?\d\d)\b"),
    ("decade", r"(?:the\s+)?(?P<part>early|mid-?|late)?\s*(?:(?P<c>1[6-9]|20)|['’])(?P<d>\d)0'?s\b"),
    ("century", r"(?:the\s+)?(?P<n>\d{1,2})(?:st|nd|rd|th)[\s-]+century\b"),
    ("ago", r"\b(?P<n>" + _NUMW + r")\s+(?P<u>days?|weeks?|months?|years?|decades?)\s+(?:or\s+so\s+)?(?P<dir>ago|earlier|before)\b"),
    ("holiday", r"\b(?P<h>" + _HOLIDAY_RX + r")(?:,?\s+(?P<y>" + _YEAR + r"))?\b"),
    ("rel_day", r"\b(?:(?P<late>late|early|earlier|later)\s+)?(?P<w>today|tonight|yesterday|tomorrow|"
     r"the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|this\s+(?:morning|afternoon|evening)|"
     r"last\s+night|overnight)(?:\s+(?P<tod>morning|afternoon|evening|night))?\b"),
    ("weekday", r"(?:(?P<rel>last|this|next|past|on|coming)\s+)?(?P<wd>" + WD +
     r")(?:\s+(?P<tod>morning|afternoon|evening|night))?(?!\s*,?\s*" + MON + r"\s*\d)"
     r"(?!\s+(?-i:Times|Telegraph|Express|Post|Herald|Mirror|Observer|Star|Mail|Tribune|Independent|"
     r"People|Sport|Prayers?|Mass|Service|School|Morning\s+Post|Night\s+Live))"),
    ("rel_unit", r"(?:(?P<pre>earlier|later)\s+(?:in\s+)?)?(?P<rel>this|last|next|past|previous|coming|current|the\s+current|"
     r"the\s+previous|the\s+past|the\s+last|the\s+coming|the\s+next|the\s+same)\s+(?P<u>week|month|year|quarter|"
     r"weekend|decade|century)\b"),
    ("rel_the", r"\b(?P<w>the\s+(?:latest|most\s+recent|recent|current)\s+(?:quarter|period)|the\s+(?:fiscal\s+)?quarter|"
     r"last\s+year'?s\s+(?:fiscal\s+)?(?:quarter|period)|"
     r"the\s+year(?![- ](?:earlier|ago))|the\s+weekend|the\s+same\s+(?:period|quarter)\s+(?:a\s+year\s+(?:earlier|ago)|last\s+year)|"
     r"the\s+(?:comparable\s+|same\s+)?year[- ](?:earlier|ago)(?:\s+(?:(?:first|second|third|fourth)\s+)?(?:fiscal\s+)?(?:quarter|period))?|"
     r"the\s+(?:fiscal\s+)?(?:1[89]|20)\d\d\s+(?:quarter|period)|the\s+(?:current\s+)?fiscal\s+year|this\s+quarter|"
     r"(?:a\s+)?year[- ](?:earlier|ago)(?:\s+(?:quarter|period))?|"
     r"the\s+corresponding\s+(?:period|quarter)(?:\s+(?:a\s+year\s+(?:earlier|ago)|last\s+year))?|"
     r"year[- ]end|year's\s+end|the\s+end\s+of\s+the\s+year|the\s+full\s+year)\b"),
    # anaphoric: relative to the last date mentioned before ("that year", "the following month",
    # "the next day", "the previous Friday", "two days later")
    ("anaphor", r"\b(?:(?P<dem>that|the\s+same)\s+(?P<u0>day|week|month|year|quarter)|"
     r"the\s+(?P<dir>following|next|previous|prior|preceding)\s+(?P<u1>day|morning|week|month|year|quarter)|"
     r"the\s+(?P<dir2>following|next|previous|prior|preceding)\s+(?P<wd>" + WD + r")|"
     r"the\s+(?P<u2>day|week|month|year)\s+(?P<dir3>before|after)|"
     r"(?:later|earlier)\s+in\s+the\s+(?P<u4>day)|"
     r"(?P<then>(?:until|till|by|since)\s+then)|"
     r"(?P<n>" + _NUMW + r")\s+(?P<u3>days?|weeks?|months?|years?)\s+(?P<dir4>later|earlier))\b"),
    # "today is the eighth day of the blockade": the day of publication (only with such a
    # present-tense subject, checked in the handler; "the first day of the month" excluded)
    ("nth_day", r"\bthe\s+(?:" + _ORDW + r")\s+(?:(?:straight|consecutive|successive|full)\s+)?day\b"
     r"(?!\s+of\s+(?:the\s+|this\s+|next\s+|last\s+)?(?:week|month|year|decade|century|" + MONF + r"))"),
    # "twice as high this year as last": the unit of the comparison left out (checked in the handler)
    ("elided_last", r"\blast(?=\s*(?:[.,;:!?)]|$))"),
    # "(will be redeemed) in five years": a date when the clause looks ahead, else a duration
    ("in_units", r"\bin\s+(?P<n>" + _NUMW + r")\s+(?P<u>days?|weeks?|months?|years?)\b(?!\s+(?:ago|earlier|later|before|after|of)\b)"),
    ("year", r"(?:\b(?:in|since|until|till|by|from|of|during|through|before|after|for|and|to|or|"
     r"between|around|throughout|year|the\s+year|early|late|mid-?|spring|summer|autumn|fall|"
     r"winter)\s+|\b)(?P<y>" + _YEAR + r")\b(?!\s*[-–]\s*\d)"),
    ("duration", r"(?:(?:the\s+)?(?:past|last|next|previous|coming|first|final|following|recent|"
     r"preceding)\s+)?(?P<n>" + _NUMW + r")[\s-]+(?P<u>" + _UNIT + r")(?:\s+(?:and\s+)?(?:a\s+half|"
     r"(?:" + _NUMW + r")\s+" + _UNIT + r"))?(?:[\s-]+long|[\s-]+old)?\b"),
    ("duration2", r"(?:(?:the\s+)?(?:past|last|next|previous|coming|recent|following)\s+)(?P<u>day|week|month|year|decade|"
     r"century|weekend|few\s+(?:days|weeks|months|years))\b"),
    ("duration3", r"\b(?P<u>(?:days|weeks|months|years|decades))\b"),
]
RULES = [(name, re.compile(src if src.startswith(r"\b") else r"\b" + src, _FLAGS))
         for name, src in _RULES_SRC]
_RULE = dict(RULES)

# Rules that find candidates in running text. "year" and "duration3" need context checks.
_EXTRACT_RULES = [r for r in RULES if r[0] not in ("duration3", "month_bare")]

_PREFIX = re.compile(
    r"^(?P<p>on|since|in|until|till|by|before|after|from|during|through|throughout|as\s+of|"
    r"as\s+early\s+as|as\s+late\s+as|no\s+later\s+than|not\s+later\s+than|starting|beginning|"
    r"at|around|of|for|ever\s+since|only|dated)\s+", re.IGNORECASE)
_PREFIX_BEFORE = re.compile(
    r"\b(?P<p>on|since|in|until|till|by|before|after|from|during|through|throughout|as\s+of|"
    r"as\s+early\s+as|no\s+later\s+than|starting|beginning|ever\s+since)\s+$", re.IGNORECASE)
_PREP_MOD = {"since": "SINCE", "ever since": "SINCE", "until": "BEFORE", "till": "BEFORE",
             "before": "BEFORE", "no later than": "BEFORE", "not later than": "BEFORE",
             "by": "BEFORE", "after": "AFTER", "starting": "SINCE", "beginning": "SINCE",
             "as early as": None}




# ------------------------------------------------------------------ value helpers

def _d(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _month_num(s: str) -> int:
    return _MONTHS[s.lower().rstrip(".")[:3] if s.lower().rstrip(".") not in _MONTHS
                   else s.lower().rstrip(".")]


def _day_num(s: str) -> int:
    return int(re.sub(r"\D", "", s))


def _num(s: str) -> int | None:
    s = s.lower().strip()
    if s.isdigit():
        return int(s)
    if s in _NUMS:
        return _NUMS[s]
    m = re.match(r"(twenty|thirty|forty|fifty)[- ](\w+)", s)
    if m and m.group(2) in _NUMS:
        return _NUMS[m.group(1)] + _NUMS[m.group(2)]
    return None


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


class _R(dict):
    """A normalisation result (dict of DateExpr fields other than text/offsets)."""


def _res(value, vs, ve, precision, relative=False, year_known=True, mod=None, kind="date") -> _R:
    return _R(value=value, value_start=vs.isoformat() if isinstance(vs, date) else vs,
              value_end=ve.isoformat() if isinstance(ve, date) else ve, precision=precision,
              relative=relative, year_known=year_known, mod=mod, kind=kind)


def _day(d: date, relative=False, kind="date") -> _R:
    return _res(d.isoformat(), d, d, 1, relative, kind=kind)


def _month(y: int, m: int, relative=False) -> _R:
    return _res(f"{y:04d}-{m:02d}", date(y, m, 1), date(y, m, _last_day(y, m)), 3, relative)


def _year(y: int, relative=False) -> _R:
    return _res(f"{y:04d}", date(y, 1, 1), date(y, 12, 31), 4, relative)


def _week(d: date, relative=True) -> _R:
    iy, iw, _ = d.isocalendar()
    mon = d - timedelta(days=d.weekday())
    return _res(f"{iy:04d}-W{iw:02d}", mon, mon + timedelta(days=6), 2, relative)


def _weekend(d: date, relative=True) -> _R:
    iy, iw, _ = d.isocalendar()
    sat = d - timedelta(days=d.weekday()) + timedelta(days=5)
    return _res(f"{iy:04d}-W{iw:02d}-WE", sat, sat + timedelta(days=1), 2, relative)


def _quarter(y: int, q: int, relative=False) -> _R:
    m0 = 3 * (q - 1) + 1
    return _res(f"{y:04d}-Q{q}", date(y, m0, 1), date(y, m0 + 2, _last_day(y, m0 + 2)), 4, relative)


def _half(y: int, h: int, relative=False) -> _R:
    m0 = 1 if h == 1 else 7
    return _res(f"{y:04d}-H{h}", date(y, m0, 1), date(y, m0 + 5, _last_day(y, m0 + 5)), 4, relative)


def _season(y: int, s: str, relative=False) -> _R:
    if s == "SP":
        a, b = date(y, 3, 1), date(y, 5, 31)
    elif s == "SU":
        a, b = date(y, 6, 1), date(y, 8, 31)
    elif s == "FA":
        a, b = date(y, 9, 1), date(y, 11, 30)
    else:
        a, b = date(y, 12, 1), date(y + 1, 2, _last_day(y + 1, 2))
    return _res(f"{y:04d}-{s}", a, b, 4, relative)


def _unknown(value: str | None, precision: int | None, kind="date", mod=None) -> _R:
    return _res(value, None, None, precision, False, False, mod, kind)


def _pick_year(m: int, d: int | None, pub: date, tense: str, wd: int | None = None) -> int:
    """Year for a month(-day) without year: latest on/before pub+14 days (tense "past", the
    default for news), earliest on/after pub-7 days ("future"), or the nearest ("neutral",
    present tense). A stated weekday picks the matching year when exactly one candidate fits."""
    cands = []
    for y in (pub.year - 1, pub.year, pub.year + 1):
        dd = _d(y, m, d) if d else date(y, m, 1)
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
            ok = [y for y, dd in cands if date(y, m, _last_day(y, m)) >= pub]
            return ok[0] if ok else pub.year
        ok = [y for y, dd in cands if dd <= pub]
        return ok[-1] if ok else pub.year
    if future:
        ok = [y for y, dd in cands if dd >= pub - timedelta(days=7)]
        return ok[0] if ok else pub.year
    ok = [y for y, dd in cands if dd <= pub + timedelta(days=14)]
    return ok[-1] if ok else pub.year


def _weekday_date(wd: int, pub: date, tense: str, rel: str | None) -> date:
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


def _reporting_quarter(pub: date, ctx: dict | None = None) -> tuple[int, int]:
    """The quarter a business story refers to as "the quarter": the last completed one during the
    first ~7 weeks of a quarter (earnings season), else the current one."""
    if ctx and ctx.get("rq"):  # the quarter the story names most (DateExtractor.extract)
        q = ctx["rq"]
        return (pub.year if date(pub.year, 3 * (q - 1) + 1, 1) <= pub else pub.year - 1), q
    q = (pub.month - 1) // 3 + 1
    qstart = date(pub.year, 3 * (q - 1) + 1, 1)
    if (pub - qstart).days < 50:
        return (pub.year, q - 1) if q > 1 else (pub.year - 1, 4)
    return pub.year, q


def _part_range(part: str, a: date, b: date, unit: str) -> tuple[str, date, date]:
    """Sub-range of [a, b] for early/mid/late; returns (mod, start, end)."""
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
    if unit == "year" and n >= 365 and not ("end" in p or "beginning" in p or "start" in p
                                            or "turn" in p):
        y = a.year
        if mod == "START":
            return mod, a, date(y, 4, 30)
        if mod == "MID":
            return mod, date(y, 5, 1), date(y, 8, 31)
        return mod, date(y, 9, 1), b
    if "end" in p or "beginning" in p or "start" in p or "turn" in p:
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


# ------------------------------------------------------------------ rule handlers

def _h_iso(m: re.Match, pub, fut, ctx) -> _R | None:
    d = _d(int(m["y"]), int(m["m"]), int(m["d"]))
    return _day(d) if d else None


def _h_iso_month(m, pub, fut, ctx):
    return _month(int(m["y"]), int(m["m"]))


def _h_numeric(m, pub, fut, ctx):
    a, b, y = int(m["a"]), int(m["b"]), m["y"]
    y = int(y) if len(y) == 4 else (2000 + int(y) if int(y) < 50 else 1900 + int(y))
    if a > 12 and b <= 12:
        d = _d(y, b, a)
    elif b > 12 and a <= 12:
        d = _d(y, a, b)
    elif m["sep"] == "/" and ctx.get("us"):
        d = _d(y, a, b)
    else:
        d = _d(y, b, a)  # day first (international usage)
    return _day(d) if d else None


def _md_date(mon: str, day: str, year: str | None, pub, fut, wd: int | None = None):
    """(result date or None, 'XXXX' flag, relative)."""
    mm, dd = _month_num(mon), _day_num(day)
    if not 1 <= dd <= 31:
        return None, False, False
    if year:
        d = _d(int(year), mm, dd)
        return (d, False, False) if d else (None, False, False)
    if pub is None:
        return None, True, False
    y = _pick_year(mm, dd, pub, fut, wd)
    d = _d(y, mm, dd)
    return (d, False, True) if d else (None, False, False)


def _h_mdy(m, pub, fut, ctx):
    wd = _WEEKDAYS.get(m["wd"].lower().rstrip(".")) if m["wd"] else None
    d, unk, rel = _md_date(m["m"], m["d"], m["y"], pub, fut, wd)
    kind = "time" if m.groupdict().get("tod") else "date"
    if unk:
        mm, dd = _month_num(m["m"]), _day_num(m["d"])
        if not (1 <= dd <= 31):
            return None
        return _unknown(f"XXXX-{mm:02d}-{dd:02d}", 1, kind)
    if d is None:
        return None
    return _day(d, rel, kind)


_h_dmy = _h_mdy


def _h_range(m, pub, fut, ctx, dm=False):
    gd = m.groupdict()
    m1 = gd.get("m1") or gd.get("m2")
    m2 = gd.get("m2") or m1
    y2 = gd.get("y2")
    y1 = gd.get("y1") or y2
    if not m1:
        return None
    d1, unk1, r1 = _md_date(m1, gd["d1"], y1, pub, fut)
    if unk1:
        return _unknown(None, 2, "range")
    if d1 is None:
        return None
    mm2, dd2 = _month_num(m2), _day_num(gd["d2"])
    y = int(y2) if y2 else d1.year
    d2 = _d(y, mm2, dd2)
    if d2 is not None and d2 < d1 and not y2:
        d2 = _d(y + 1, mm2, dd2)
    if d2 is None or d2 < d1 or (d2 - d1).days > 366:
        return None
    n = (d2 - d1).days
    if gd.get("m2") and gd.get("m1") and n > 14:
        return None  # "from Aug. 26 to Oct. 20": two dates (TimeML style), not one range
    prec = 2 if n <= 14 else (3 if d1.month == d2.month else 4)
    return _res(f"{d1.isoformat()}/{d2.isoformat()}", d1, d2, prec, r1, kind="range")


def _h_range_y(m, pub, fut, ctx):
    y1, y2 = int(m["y1"]), int(m["y2"])
    if y2 <= y1 + 1 or True:
        return None  # "between 1985 and 1987": two years (TimeML style)
    return _res(f"{y1:04d}/{y2:04d}", date(y1, 1, 1), date(y2, 12, 31), 4, kind="range")


def _rel_unit_range(rel: str, unit: str, pub: date) -> tuple[_R | None, str]:
    """this/last/next week|month|year|quarter|decade at pub. Returns (result, unit)."""
    rel = re.sub(r"^the\s+", "", rel.lower())
    k = {"this": 0, "current": 0, "same": 0, "last": -1, "previous": -1, "past": -1, "next": 1,
         "coming": 1}.get(rel, 0)
    if unit == "week":
        return _week(pub + timedelta(weeks=k)), unit
    if unit == "weekend":
        if k == 0:
            return _weekend(pub), unit  # this weekend: the weekend of the current ISO week
        if k < 0:  # last weekend: the most recent one that is over
            base = pub - timedelta(days=pub.weekday() + 1)
            return _weekend(base), unit
        return _weekend(pub + timedelta(weeks=1) if pub.weekday() >= 5 else pub), unit
    if unit == "month":
        y, mo = _add_months(pub.year, pub.month, k)
        return _month(y, mo, True), unit
    if unit == "year":
        return _year(pub.year + k, True), unit
    if unit == "quarter":
        q = (pub.month - 1) // 3 + 1 + k
        y = pub.year
        while q < 1:
            q, y = q + 4, y - 1
        while q > 4:
            q, y = q - 4, y + 1
        return _quarter(y, q, True), unit
    if unit == "decade":
        dec = pub.year // 10 + k
        return _res(f"{dec:03d}", date(dec * 10, 1, 1), date(dec * 10 + 9, 12, 31), 4, True), unit
    if unit == "century":
        c = pub.year // 100 + k
        return _res(f"{c:02d}", date(c * 100, 1, 1), date(c * 100 + 99, 12, 31), 4, True), unit
    return None, unit


def _h_part(m, pub, fut, ctx):
    part = re.sub(r"\s+", " ", m["part"].lower())
    if m["m"]:
        mm = _month_num(m["m"])
        if m["y"]:
            base, unit = _month(int(m["y"]), mm), "month"
        elif pub is None:
            mod, _, _ = _part_range(part, date(2001, mm, 1), date(2001, mm, 28), "month")
            return _unknown(f"XXXX-{mm:02d}", 2, mod=mod)
        else:
            base, unit = _month(_pick_year(mm, None, pub, fut), mm, True), "month"
    elif m["y2"]:
        base, unit = _year(int(m["y2"])), "year"
    elif m["dec"]:
        dm = re.search(r"(1[6-9]|20)(\d)0", m["dec"])
        c = int(dm.group(1) + dm.group(2))
        base, unit = _res(f"{c:03d}", date(c * 10, 1, 1), date(c * 10 + 9, 12, 31), 4), "decade"
    else:
        relm = re.match(r"(.*?)\s*(week|month|year|decade|century|quarter)$", m["rel"].lower())
        if pub is None:
            return _unknown(None, None)
        rel = relm.group(1)
        if rel in ("the", "that"):
            rel = "this"
        base, unit = _rel_unit_range(rel, relm.group(2), pub)
        if base is None:
            return None
    a, b = date.fromisoformat(base["value_start"]), date.fromisoformat(base["value_end"])
    mod, s, e = _part_range(part, a, b, unit)
    if part.startswith(("earlier", "later")) and pub is not None and base["relative"]:
        # "earlier this month": from the start of the month up to publication
        if part.startswith("earlier"):
            s, e, mod = a, min(b, pub), None
        else:
            s, e, mod = max(a, pub), b, None
    prec = 2 if unit in ("month", "week") else (3 if unit == "quarter" else 4)
    r = _res(base["value"], s, e, prec, base["relative"], mod=mod)
    return r


_W2N = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_W2N.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
             "eighty": 80, "ninety": 90})


def _yr(s: str) -> int:
    """A year in digits or words ("nineteen ninety-six", "two thousand")."""
    if s.isdigit():
        return int(s)
    w = [x for x in re.split(r"[\s-]+", s.lower()) if x not in ("and", "hundred")]
    if w[:2] == ["two", "thousand"]:
        return 2000 + sum(_W2N.get(x, 0) for x in w[2:])
    return _W2N[w[0]] * 100 + sum(_W2N.get(x, 0) for x in w[1:])


def _h_spelled_year(m, pub, fut, ctx):
    return _year(_yr(m["y"]))


def _h_month_year(m, pub, fut, ctx):
    return _month(_yr(m["y"]), _month_num(m["m"]))


def _h_month_rel(m, pub, fut, ctx):
    mm = _month_num(m["m"])
    if pub is None:
        return _unknown(f"XXXX-{mm:02d}", 3)
    rel = m["rel"].lower()
    y = pub.year
    if rel in ("last", "past"):
        y = pub.year if mm < pub.month - 1 else pub.year - 1
    elif rel in ("next", "coming"):
        y = pub.year if mm > pub.month else pub.year + 1
    return _month(y, mm, True)


def _h_month_of_rel(m, pub, fut, ctx):
    mm = _month_num(m["m"])
    if pub is None:
        return _unknown(f"XXXX-{mm:02d}", 3)
    k = {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    return _month(pub.year + k, mm, True)


def _h_month(m, pub, fut, ctx):
    mm = _month_num(m["m"])
    if pub is None:
        return _unknown(f"XXXX-{mm:02d}", 3)
    return _month(_pick_year(mm, None, pub, fut), mm, True)


def _year_rel(rel: str | None, pub: date | None) -> int | None:
    if pub is None:
        return None
    return pub.year + {"this": 0, "last": -1, "next": 1}.get((rel or "this").lower(), 0)


def _h_quarter(m, pub, fut, ctx):
    q = _ORD[m["q"].lower()]
    if m["y"] or m["y0"]:
        return _quarter(int(m["y"] or m["y0"]), q)
    yrel = m["yrel"] or m["yrel2"]
    if pub is None:
        return _unknown(f"XXXX-Q{q}", 4)
    if yrel:
        return _quarter(_year_rel(yrel, pub), q, True)
    text = m.group(0).lower()
    y = pub.year
    if text.startswith("last ") or date(y, 3 * (q - 1) + 1, 1) > pub:
        y -= 1
    if text.startswith("next "):
        y = pub.year if date(pub.year, 3 * (q - 1) + 1, 1) > pub else pub.year + 1
    return _quarter(y, q, True)


def _h_qshort(m, pub, fut, ctx):
    q = int((m["q"] or m["q2"])[1])
    return _quarter(int(m["y"] or m["y2"]), q)


def _h_half(m, pub, fut, ctx):
    h = {"first": 1, "second": 2, "last": 2}[(m["h"] or m["h2"]).lower()]
    if m["y"]:
        return _half(int(m["y"]), h)
    if pub is None:
        return _unknown(f"XXXX-H{h}", 4)
    y = _year_rel(m["yrel"] or m["yrel2"], pub)
    if not (m["yrel"] or m["yrel2"]) and h == 2 and pub.month <= 6:
        y -= 1
    return _half(y, h, True)


def _h_season(m, pub, fut, ctx):
    s = _SEASONS[m["s"].lower()]
    rel = (m["rel"] or "").lower().rstrip("-")
    if rel.startswith("this past"):
        rel = "last"
    if m["y"]:
        r = _season(_yr(m["y"]), s)
    else:
        if not rel or (rel == "the" and s in ("SP", "FA")):
            return None  # "spring", "the fall (of ...)" are too ambiguous without a year
        if pub is None:
            return _unknown(f"XXXX-{s}", 4)
        # the season occurrence relative to pub
        starts = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
        cur = None
        for y in (pub.year + 1, pub.year, pub.year - 1, pub.year - 2):
            if date(y, starts[s], 1) <= pub:
                cur = y
                break
        y = cur
        if rel == "last":
            end = date.fromisoformat(_season(y, s)["value_end"])
            if end >= pub:
                y -= 1
        elif rel == "next":
            y += 1
        elif rel == "this":
            y = pub.year if not (s == "WI" and pub.month <= 2) else pub.year - 1
        r = _season(y, s, True)
    if rel in ("early", "late", "mid"):
        a, b = date.fromisoformat(r["value_start"]), date.fromisoformat(r["value_end"])
        mod, a2, b2 = _part_range(rel, a, b, "season")
        r = _res(r["value"], a2, b2, 3, r["relative"], mod=mod)
    return r


def _h_fiscal(m, pub, fut, ctx):
    y = m["y"].lstrip("'")
    y = int(y) if len(y) == 4 else (1900 + int(y) if int(y) > 40 else 2000 + int(y))
    return _year(y)


def _h_decade(m, pub, fut, ctx):
    if m["c"]:
        c = int(m["c"] + m["d"])
    else:  # "the '90s": the most recent such decade
        base = (pub.year if pub else 1999) // 100
        c = int(f"{base}{m['d']}")
        if c * 10 > (pub.year if pub else 1999):
            c -= 10
    r = _res(f"{c:03d}", date(c * 10, 1, 1), date(c * 10 + 9, 12, 31), 4)
    if m["part"]:
        mod, a, b = _part_range(m["part"].rstrip("-"), date(c * 10, 1, 1), date(c * 10 + 9, 12, 31), "decade")
        r["mod"], r["value_start"], r["value_end"] = mod, a.isoformat(), b.isoformat()
    return r


def _h_century(m, pub, fut, ctx):
    n = int(m["n"])
    if not 1 <= n <= 21:
        return None
    c = n - 1
    return _res(f"{c:02d}", date(max(1, c * 100), 1, 1), date(c * 100 + 99, 12, 31), 4)


def _h_ago(m, pub, fut, ctx):
    n = _num(m["n"])
    u = m["u"].lower().rstrip("s")
    dirw = m["dir"].lower()
    if dirw in ("earlier", "before"):
        # "a year earlier" is anchored on another time in the story, not on publication; in
        # business prose it means the same quarter a year before.
        if u == "year" and n == 1 and pub is not None and ctx.get("quarterly"):
            y, q = _reporting_quarter(pub, ctx)
            return _quarter(y - 1, q, True)
        if n is None or u == "decade":
            return _res(None, None, None, None, False, True, kind="duration")
        r = _res(None, None, None, None, True, pub is not None)  # "two days earlier": anaphoric
        r["_ana"] = (u, -n, None)
        return r
    if n is None:
        return _res(None, None, None, None, False, pub is not None, "BEFORE")  # "a few days ago"
    if pub is None:
        return _unknown(None, None)
    if u == "day":
        return _day(pub - timedelta(days=n), True)
    if u == "week":
        return _week(pub - timedelta(weeks=n))
    if u == "month":
        y, mo = _add_months(pub.year, pub.month, -n)
        return _month(y, mo, True)
    if u == "year":
        if n == 1 and ctx.get("quarterly"):
            y, q = _reporting_quarter(pub, ctx)
            return _quarter(y - 1, q, True)
        return _year(pub.year - n, True)
    if u == "decade":
        dec = (pub.year - 10 * n) // 10
        return _res(f"{dec:03d}", date(dec * 10, 1, 1), date(dec * 10 + 9, 12, 31), 4, True)
    return None


def _h_rel_day(m, pub, fut, ctx):
    w = re.sub(r"\s+", " ", m["w"].lower())
    kind = "time" if (m["tod"] or w.startswith(("this ", "last night", "tonight", "overnight"))
                      or m["late"]) else "date"
    if pub is None:
        return _unknown(None, 1, kind)
    off = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1,
           "the day before yesterday": -2, "the day after tomorrow": 2, "last night": -1,
           "overnight": 0}.get(w, 0)
    return _day(pub + timedelta(days=off), True, kind)


def _h_weekday(m, pub, fut, ctx):
    wd = _WEEKDAYS[m["wd"].lower().rstrip(".")]
    kind = "time" if m["tod"] else "date"
    if pub is None:
        return _unknown(f"XXXX-WXX-{wd + 1}", 1, kind)
    return _day(_weekday_date(wd, pub, fut, m["rel"]), True, kind)


def _h_rel_unit(m, pub, fut, ctx):
    rel = re.sub(r"\s+", " ", m["rel"].lower())
    u = m["u"].lower()
    pre = (m["pre"] or "").lower()
    if rel in ("the past", "the last", "the coming", "the next", "past", "previous",
               "the previous") and u != "weekend":
        if rel in ("previous", "the previous") and u in ("week", "month", "year") and not pre:
            pass  # "the previous week" (relative to another time): treat as duration-like
        return _res(None, None, None, None, False, True, kind="duration")
    if pub is None:
        return _unknown(None, None)
    if rel == "the same":
        return None
    if u == "quarter" and rel == "this" and ctx.get("quarterly"):
        y, q = _reporting_quarter(pub, ctx)
        return _quarter(y, q, True)
    r, unit = _rel_unit_range(rel, u, pub)
    if r is None:
        return None
    if pre == "earlier":
        r["value_end"] = min(date.fromisoformat(r["value_end"]), pub).isoformat()
    elif pre == "later":
        r["value_start"] = max(date.fromisoformat(r["value_start"]), pub).isoformat()
    return r


_QUARTER_ENDED = re.compile(r"\s+(?P<v>ended|ending)\s+(?P<m>" + _MON_ALT + r")\s+(?P<d>" + _DAY +
                            r")\b(?:,?\s+(?P<y>" + _YEAR + r")\b)?", _FLAGS)


def _h_rel_the(m, pub, fut, ctx):
    w = re.sub(r"[\s-]+", " ", m["w"].lower())
    if pub is None:
        return _unknown(None, None)
    ym = re.search(r"\b((?:1[89]|20)\d\d)\b", w)
    qm = re.search(r"\b(first|second|third|fourth)\b", w)
    if w in ("the quarter", "the fiscal quarter"):
        # "the quarter ended July 31": the calendar quarter holding most of those three months
        em = _QUARTER_ENDED.match(m.string, m.end())
        if em:
            d, _, _ = _md_date(em["m"], em["d"], em["y"], pub,
                               "neutral" if em["v"].lower() == "ending" else fut)
            if d is not None:
                mid = d - timedelta(days=45)
                return _quarter(mid.year, (mid.month - 1) // 3 + 1, not em["y"])
    if "fiscal year" in w:
        return _year(pub.year, True)
    if ym and ("quarter" in w or "period" in w):
        y, q = _reporting_quarter(pub, ctx)
        return _quarter(int(ym.group(1)), q, True)
    if qm and ("earlier" in w or "ago" in w):
        return _quarter(pub.year - 1, _ORD[qm.group(1)], True)
    if "quarter" in w or "period" in w:
        y, q = _reporting_quarter(pub, ctx)
        if "earlier" in w or "ago" in w or "last year" in w or "corresponding" in w:
            y -= 1
        return _quarter(y, q, True)
    if w in ("the year", "the full year"):
        return _year(pub.year, True)
    if w == "the weekend":
        if fut == "future":
            return _rel_unit_range("this", "weekend", pub)[0]
        if pub.weekday() >= 5:
            return _weekend(pub)
        return _rel_unit_range("last", "weekend", pub)[0]
    if w == "year end" and "-" in m["w"]:
        y = pub.year if fut != "past" else pub.year - 1
        return _day(date(y, 12, 31), True)
    if w in ("year end", "the end of the year", "year's end"):
        r = _year(pub.year, True)
        r["mod"] = "END"
        return r
    if "earlier" in w or "ago" in w:
        if ctx.get("quarterly"):
            y, q = _reporting_quarter(pub, ctx)
            return _quarter(y - 1, q, True)
        return _year(pub.year - 1, True)
    return None




def _h_holiday(m, pub, fut, ctx):
    h = re.sub(r"\s+", " ", m["h"].lower())
    if h.startswith("thanksgiving"):
        def tg(y):
            d = date(y, 11, 1)
            return d + timedelta(days=(3 - d.weekday()) % 7 + 21)
        if m["y"]:
            return _day(tg(int(m["y"])))
        if pub is None:
            return _unknown(None, 1)
        y = pub.year if tg(pub.year) <= pub + timedelta(days=7) or fut == "future" else pub.year - 1
        return _day(tg(y), True)
    mm, dd = _HOLIDAYS[h]
    if m["y"]:
        return _day(date(int(m["y"]), mm, dd))
    if pub is None:
        return _unknown(f"XXXX-{mm:02d}-{dd:02d}", 1)
    return _day(date(_pick_year(mm, dd, pub, fut), mm, dd), True)


_ANA_DIR = {"following": 1, "next": 1, "after": 1, "later": 1, "previous": -1, "prior": -1,
            "preceding": -1, "before": -1, "earlier": -1}


def _h_anaphor(m, pub, fut, ctx):
    """An expression anchored on the date mentioned last (resolved in ``DateExtractor.extract``):
    the result has no value yet, only ``_ana`` = (unit, offset, weekday or None)."""
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
        unit, k, wd = "weekday", _ANA_DIR[gd["dir2"].lower()], _WEEKDAYS[gd["wd"].lower().rstrip(".")]
    elif gd["u4"]:
        unit, k, wd = gd["u4"].lower(), 0, None
    elif gd["then"]:
        unit, k, wd = "any", 0, None
    elif gd["u2"]:
        unit, k, wd = gd["u2"].lower(), _ANA_DIR[gd["dir3"].lower()], None
    else:
        n = _num(gd["n"])
        if n is None:
            return None
        unit, k, wd = gd["u3"].lower().rstrip("s"), n * _ANA_DIR[gd["dir4"].lower()], None
    r = _res(None, None, None, None, True, pub is not None)
    r["_ana"] = (unit, k, wd)
    return r


def _granularity(value: str | None) -> str | None:
    """day, week, month, quarter or year for a calendar value ("2020-01-16", "2020-W03" ...)."""
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "day"
    if re.fullmatch(r"\d{4}-W\d{2}", value):
        return "week"
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return "month"
    if re.fullmatch(r"\d{4}-Q[1-4]", value):
        return "quarter"
    if re.fullmatch(r"\d{4}(?:-(?:H[12]|SP|SU|FA|WI))?", value):
        return "year"
    return None


_GRAN_RANK = {"day": 0, "week": 1, "month": 2, "quarter": 3, "year": 4}


def _resolve_anaphor(ana: tuple, anchors: list[tuple[str, date]]) -> _R | None:
    """Value of an anaphoric expression from the anchors seen so far ((granularity, first day),
    most recent last): the most recent anchor at least as fine as the expression's unit."""
    unit, k, wd = ana
    if unit == "any":  # "until then": the last date as it was given
        if not anchors:
            return None
        unit = anchors[-1][0]
    need = "day" if unit == "weekday" else unit
    for gran, d0 in reversed(anchors):
        if _GRAN_RANK[gran] <= _GRAN_RANK[need]:
            break
    else:
        return None
    if unit == "weekday":
        if k < 0:
            delta = (d0.weekday() - wd) % 7 or 7
            return _day(d0 - timedelta(days=delta), True)
        delta = (wd - d0.weekday()) % 7 or 7
        return _day(d0 + timedelta(days=delta), True)
    return _shift(d0, unit, k)


def _shift(d0: date, unit: str, k: int) -> _R | None:
    """The day, week, month, quarter or year ``k`` units after ``d0``, at that granularity."""
    if unit == "day":
        return _day(d0 + timedelta(days=k), True)
    if unit == "week":
        return _week(d0 + timedelta(weeks=k))
    if unit == "month":
        y, mo = _add_months(d0.year, d0.month, k)
        return _month(y, mo, True)
    if unit == "quarter":
        y, mo = _add_months(d0.year, 3 * ((d0.month - 1) // 3) + 1, 3 * k)
        return _quarter(y, (mo - 1) // 3 + 1, True)
    if unit == "year":
        return _year(d0.year + k, True)
    return None


_NTH_DAY_SUBJ = re.compile(r"\b(?:today|it|this)\s*(?:is|'s|’s|marks)\s+$", re.IGNORECASE)


def _h_nth_day(m, pub, fut, ctx):
    """"(today is) the eighth day of ...": publication day when said of today, else no value."""
    if pub is None or not _NTH_DAY_SUBJ.search(m.string[max(0, m.start() - 20):m.start()]):
        return None
    return _day(pub, True)


_ELIDED = re.compile(r"\b(?:this|next)\s+(?P<u>week|month|year)\b(?:(?![.;!?]).){0,60}?\b(?:as|than)\s+$",
                     _FLAGS | re.DOTALL)


def _h_elided_last(m, pub, fut, ctx):
    """"more this year than last": "last" for "last year" when "this year ... than/as" precedes."""
    em = _ELIDED.search(m.string[max(0, m.start() - 80):m.start()])
    if em is None or pub is None:
        return None
    return _rel_unit_range("last", em["u"].lower(), pub)[0]


def _h_in_units(m, pub, fut, ctx):
    n = _num(m["n"])
    if fut != "future" or pub is None or n is None:
        return _res(None, None, None, None, False, True, kind="duration")
    return _shift(pub, m["u"].lower().rstrip("s"), n)


def _h_year(m, pub, fut, ctx):
    return _year(int(m["y"]))


def _h_duration(m, pub, fut, ctx):
    return _res(None, None, None, None, False, True, kind="duration")


_HANDLERS = {
    "iso": _h_iso, "iso_month": _h_iso_month, "numeric": _h_numeric, "range_md": _h_range,
    "range_dm": _h_range, "range_y": _h_range_y, "mdy": _h_mdy, "dmy": _h_dmy, "part": _h_part,
    "month_year": _h_month_year, "spelled_year": _h_spelled_year, "month_rel": _h_month_rel, "month_of_rel": _h_month_of_rel,
    "month": _h_month, "month_bare": _h_month, "quarter": _h_quarter, "qshort": _h_qshort, "half": _h_half,
    "season": _h_season, "fiscal": _h_fiscal, "decade": _h_decade, "century": _h_century,
    "ago": _h_ago, "holiday": _h_holiday, "rel_day": _h_rel_day, "weekday": _h_weekday, "rel_unit": _h_rel_unit,
    "rel_the": _h_rel_the, "anaphor": _h_anaphor, "nth_day": _h_nth_day, "elided_last": _h_elided_last, "in_units": _h_in_units, "year": _h_year, "duration": _h_duration, "duration2": _h_duration,
    "duration3": _h_duration,
}


# ------------------------------------------------------------------ normalisation of one span

def _strip_prefix(text: str) -> tuple[int, str | None]:
    """Length of a leading preposition to drop ("on ", "since ") and the preposition."""
    m = _PREFIX.match(text)
    if not m:
        return 0, None
    # keep "between"/"from" (ranges) and don't strip when nothing would remain
    if m.end() >= len(text):
        return 0, None
    return m.end(), re.sub(r"\s+", " ", m.group("p").lower())


def _apply_prep(r: _R, prep: str | None, pub: date | None) -> _R:
    if not prep:
        return r
    mod = _PREP_MOD.get(prep)
    if mod == "SINCE" and r["kind"] in ("date", "time", "range"):
        r["mod"], r["kind"] = "SINCE", "since"
        if pub is not None and r["value_start"]:
            r["value_end"] = max(pub, date.fromisoformat(r["value_start"])).isoformat()
        else:
            r["value_end"] = None
    elif mod in ("BEFORE", "AFTER") and r["kind"] in ("date", "time") and not r.get("mod"):
        r["mod"] = mod
    return r


def _norm_core(text: str, pub: date | None, future: str, ctx: dict) -> _R | None:
    t = text.strip()
    for name, rx in RULES:
        m = rx.fullmatch(t)
        if m:
            r = _HANDLERS[name](m, pub, future, ctx)
            if r is not None:
                return r
    return None


def normalise(text: str, published: date | None, tense: str = "past",
              context: dict | None = None) -> DateExpr | None:
    """Normalise one temporal expression (e.g. "Jan. 16", "since April 29", "early December").

    Returns a :class:`DateExpr` whose offsets index ``text``: 0..len(text) unless a leading
    preposition ("on", "since", "in" ...) or surrounding whitespace was trimmed, in which case
    ``start`` is after it (``text[start:end]`` is always the expression itself). "since" is kept
    as ``mod="SINCE"``/``kind="since"``. ``None`` when the text is not understood.

    ``tense`` ("past", "future", "neutral", "present") is the tense of the clause the expression
    sits in ("present": a present-tense verb the expression hangs on; as "neutral", except that a
    bare weekday looks ahead); it picks the year of a month-day without year and the week of a
    bare weekday. ``context`` may
    carry ``{"quarterly": True}`` for business prose ("a year ago" = the same quarter last year).
    """
    return _normalise(text, published, tense, context)[0]


def _normalise(text: str, published: date | None, tense: str = "past",
               context: dict | None = None) -> tuple[DateExpr | None, bool]:
    """``normalise`` plus whether the dateparser fallback produced the answer."""
    future = tense if tense in ("past", "future", "neutral", "present") else "past"
    ctx = context or {}
    lead = len(text) - len(text.lstrip())
    core = text.strip()
    k, prep = _strip_prefix(core)
    core2 = core[k:]
    r = _norm_core(core2, published, future, ctx)
    if r is None and k:
        r, k, prep = _norm_core(core, published, future, ctx), 0, None
    used_fallback = False
    if r is None:
        r = _fallback(core[k:], published)
        if r is None:
            return None, False
        used_fallback = True
    r.pop("_ana", None)
    r = _apply_prep(r, prep, published)
    start = lead + k
    end = lead + len(core)
    return DateExpr(text=text[start:end], start=start, end=end, **r), used_fallback


@lru_cache(maxsize=4096)
def _dateparser(text: str, pub: date | None):
    try:
        import dateparser  # slow import: only when needed
    except Exception:  # pragma: no cover
        return None
    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False,
                                "REQUIRE_PARTS": ["day", "month"]}
    if pub is not None:
        from datetime import datetime
        settings["RELATIVE_BASE"] = datetime(pub.year, pub.month, pub.day, 12)
    try:
        dt = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:
        return None
    return dt.date() if dt else None


_FALLBACK_OK = re.compile(r"\d|" + _MON + "|" + _WD, _FLAGS)


def _fallback(text: str, pub: date | None) -> _R | None:
    """dateparser for what no rule covers (only day-precise answers are trusted)."""
    if pub is None or len(text) > 40 or not _FALLBACK_OK.search(text):
        return None
    d = _dateparser(text, pub)
    if d is None:
        return None
    has_year = re.search(r"\b" + _YEAR + r"\b", text) is not None
    return _day(d, not has_year)


# ------------------------------------------------------------------ extraction

_BAD_AFTER_YEAR = re.compile(r"^\s*(?:%|percent|per\s+cent|people|persons|civilians|troops|soldiers|"
                             r"fighters|men|women|children|families|homes|houses|dollars|euros|"
                             r"km|kilomet|metres|meters|miles|tons|tonnes|hectares|rounds|shells|"
                             r"rockets|strikes|cases|votes|units|barrels|points|[a-z]+s\b(?<!years))",
                             re.IGNORECASE)


class DateExtractor:
    """Fill ``analysis.dates`` with every temporal expression of the document, in text order."""

    def __init__(self, use_spacy: bool = True, use_fallback: bool = True) -> None:
        self.use_spacy = use_spacy
        self.use_fallback = use_fallback

    # -- helpers
    @staticmethod
    def _tense_at(doc, pos: int, src: str) -> str:
        """Tense of the clause governing the token at char ``pos``: "past", "future", "neutral",
        "present" (a present-tense verb that the expression hangs on directly)."""
        if doc is None or len(doc) == 0:
            return "past"
        import bisect
        from ..nlp import token_starts
        i = max(0, bisect.bisect_right(token_starts(doc), pos) - 1)
        tok = doc[i]
        before = src[max(0, pos - 12):pos].lower()
        since = re.search(r"\bsince\s+$", before) is not None
        deadline = re.search(r"\b(?:to|until|till|by|through|effective|payable|record)\s+$", before)
        v = tok
        for _ in range(8):
            if v.head.i == v.i:
                break
            if v.pos_ in ("VERB", "AUX"):
                # a bare participle ("departing each Thursday from August 6") takes the tense
                # of the clause it modifies
                if not (v.tag_ == "VBG" and v.dep_ in ("pcomp", "acl", "advcl")
                        and not any(c.dep_ in ("aux", "auxpass") for c in v.children)):
                    break
            v = v.head
        if v.pos_ not in ("VERB", "AUX"):
            return "neutral" if deadline else "past"
        if any(c.dep_ == "mark" and c.i > tok.i for c in v.children):
            # the expression comes before the complementizer of the clause it was hung on
            # ("warnings on Thursday that strikes could ..."): it is not part of that clause,
            # whose modal or tense says nothing about it
            return "neutral" if deadline else "past"
        auxes = [c for c in v.children if c.dep_ in ("aux", "auxpass")]
        words = {c.lower_ for c in auxes}
        if words & {"will", "'ll", "shall", "wo", "would", "could", "might", "should", "can",
                    "may", "must"}:
            # "may have been", "would have" (perfect after a modal) look back
            return "past" if words & {"have", "'ve"} and v.tag_ == "VBN" else "future"
        if since:
            return "past"
        if "to" in words and (v.head.lemma_.lower() in _FORWARD_VERBS or v.dep_ in ("acl", "relcl")):
            # infinitive: "plans to meet on Monday", "was set to resume Monday", "guidelines to be
            # published in early November"
            return "future"
        if v.lower_ in ("scheduled", "due", "expected", "planned") and v.tag_ == "VBN" \
                and not any(w in ("has", "have", "had") for w in words):
            return "future"
        if v.tag_ == "VBD" or words & {"had", "was", "were", "did", "has", "have"} or v.tag_ == "VBN":
            if not deadline and DateExtractor._future_in_past(v):
                return "future"
            if deadline or (tok.head.dep_ == "prep" and tok.head.head.pos_ == "NOUN"
                            and tok.head.head.i != v.i):
                # a date on a noun ("told of a cutback in September") is not dated by the
                # past verb: the nearest occurrence
                return "neutral"
            return "past"
        # a present-tense verb the expression hangs on ("they meet Monday"), not through a noun
        # ("Friday's purchases is"), nor a reporting verb or a past spelt like the present
        direct = tok.head.i == v.i or (tok.head.dep_ == "prep" and tok.head.head.i == v.i)
        possessive = tok.i + 1 < len(doc) and doc[tok.i + 1].tag_ == "POS"
        if direct and not possessive and not deadline and v.tag_ in ("VBZ", "VBP") \
                and v.lemma_.lower() not in _REPORT_VERBS and v.lower_ not in _SAME_PAST:
            return "present"
        return "neutral"

    @staticmethod
    def _future_in_past(v) -> bool:
        """A past-tense time clause ("as soon as trading opened Monday", "once the troops left")
        under a clause that looks ahead ("would buy", "were likely to buy"): the future of then."""
        if v.dep_ != "advcl" or v.tag_ not in ("VBD", "VBN") or any(
                c.dep_ in ("aux", "auxpass") and c.lower_ in ("had", "has", "have") for c in v.children):
            return False
        if not any(c.dep_ in ("mark", "advmod") and c.lower_ in _TIME_CONJ for c in v.children) \
                and not (v.head.lower_ in _TIME_CONJ and v.head.pos_ in ("ADV", "SCONJ", "ADP")):
            return False
        h = v.head
        for _ in range(3):
            if h.pos_ in ("VERB", "AUX") or h.head.i == h.i:
                break
            h = h.head
        if h.pos_ not in ("VERB", "AUX"):
            return False
        words = {c.lower_ for c in h.children if c.dep_ in ("aux", "auxpass")}
        if words & {"will", "'ll", "shall", "wo", "would"}:
            return not (words & {"have", "'ve"})
        return "to" in words and h.head.lemma_.lower() in _FORWARD_VERBS

    def __call__(self, analysis: Analysis) -> None:
        analysis.dates = self.extract(analysis.document.text, analysis.document.published,
                                      analysis.doc, analysis.document.nlp_text)

    def extract(self, text: str, published: date | None, doc=None,
                nlp_text: str | None = None) -> list[DateExpr]:
        src = nlp_text if nlp_text is not None else text
        ctx = {"quarterly": len(re.findall(r"\bquarter(?![\s-]+(?:of\s+a\s+)?century)|\bfiscal\b|\bearnings\b|\ba share\b",
                                           src, re.I)) >= 2}
        if ctx["quarterly"]:
            # the quarter the story reports on: the one it names most often ("the fiscal first
            # quarter"); on a tie the calendar's reporting quarter if it is among them
            qs = [_ORD[q.lower()] for q in re.findall(
                r"\b(first|second|third|fourth)[\s-]+(?:fiscal\s+)?quarter\b(?!\s+of\s+(?:19|20)\d\d)", src, re.I)]
            if qs and published is not None:
                top = max(qs.count(q) for q in qs)
                tied = [q for q in qs if qs.count(q) == top]
                default = _reporting_quarter(published)[1]
                ctx["rq"] = default if default in tied else tied[0]

        def is_future(pos: int) -> str:
            return self._tense_at(doc, pos, src)

        non_date_ents: list[tuple[int, int]] = []
        date_ents: list[tuple[int, int]] = []
        if doc is not None and self.use_spacy:
            for e in doc.ents:
                if e.label_ in ("DATE", "TIME"):
                    date_ents.append((e.start_char, e.end_char))
                elif e.label_ in ("CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORDINAL"):
                    non_date_ents.append((e.start_char, e.end_char))

        in_date_ent, in_non_date_ent = Coverage(date_ents).covers, Coverage(non_date_ents).covers
        cands: list[tuple[int, int, int, _R, str]] = []  # (start, end, priority, result, prep)
        for name, rx in _EXTRACT_RULES:
            h = _HANDLERS[name]
            for m in rx.finditer(src):
                s, e = m.start(), m.end()
                if name == "year":
                    ys, ye = m.start("y"), m.end("y")
                    if ys == s and not in_date_ent(ys):
                        # a bare number: accept only if followed by punctuation / not a noun
                        if in_non_date_ent(ys) or _BAD_AFTER_YEAR.match(src[ye:ye + 20]):
                            continue
                        if not (1900 <= int(m["y"]) <= 2039):
                            continue
                    if in_non_date_ent(ys) and not in_date_ent(ys):
                        # "by 2000 votes": a number, not a year
                        if _BAD_AFTER_YEAR.match(src[ye:ye + 20]):
                            continue
                if name == "season" and not m["y"] and not m["rel"]:
                    continue
                try:
                    # the tense is read at the expression, after a leading preposition
                    # ("through January": a deadline, not the past)
                    r = h(m, published, is_future(s + _strip_prefix(m.group(0))[0]), ctx)
                except (ValueError, KeyError, OverflowError):
                    r = None
                if r is None:
                    continue
                cands.append((s, e, 2, r, None))
        if doc is not None and self.use_spacy:
            for a, b in date_ents:
                span = src[a:b]
                try:
                    de, fb = _normalise(span, published, is_future(a), ctx)
                except (ValueError, KeyError, OverflowError):
                    de, fb = None, False
                if fb and not self.use_fallback:
                    de = None
                if de is None:
                    continue
                r = _R({k: getattr(de, k) for k in ("value", "value_start", "value_end", "precision",
                                                     "relative", "year_known", "mod", "kind")})
                cands.append((a + de.start, a + de.end, 0 if fb else 1, r, "__done__"))

        # longest first; ties: value-bearing first, then rules over spaCy
        # dateparser guesses last, then longest first; ties: value-bearing first, rules over spaCy
        cands.sort(key=lambda c: (c[2] == 0, -(c[1] - c[0]), c[3]["value"] is None, -c[2], c[0]))
        taken = Disjoint()          # the chosen ranges (never overlapping): found by binary search
        chosen = []
        for s, e, pri, r, prep in cands:
            if taken.overlaps(s, e):
                continue
            taken.add(s, e)
            chosen.append((s, e, r, prep))

        # unparsed spaCy DATE entities: keep as unnormalised expressions
        if doc is not None and self.use_spacy:
            for a, b in date_ents:
                if taken.overlaps(a, b):
                    continue
                span = src[a:b]
                k, _ = _strip_prefix(span)
                kind = "duration" if re.search(r"\b(?:days?|weeks?|months?|years?|hours?|decades?)\b",
                                               span, re.I) else "date"
                r = _res(None, None, None, None, False, published is not None, kind=kind)
                taken.add(a + k, b)
                chosen.append((a + k, b, r, "__done__"))

        out: list[DateExpr] = []
        anchors: list[tuple[str, date]] = []  # (granularity, first day) of the dates so far
        for s, e, r, prep in sorted(chosen, key=lambda c: c[0]):
            if "_ana" in r:
                r = _R(r)
                ana = r.pop("_ana")
                r = _resolve_anaphor(ana, anchors) or r
            # trim a leading preposition inside the match; look for one just before it
            seg = src[s:e]
            k, p = _strip_prefix(seg)
            if prep == "__done__":
                p = None
                k = 0
            if k:
                s += k
            elif not r.get("mod") or r["kind"] != "since":
                pm = _PREFIX_BEFORE.search(src[max(0, s - 25):s])
                p = re.sub(r"\s+", " ", pm.group("p").lower()) if pm else None
            r = _apply_prep(_R(r), p, published)
            while s < e and src[s].isspace():
                s += 1
            while e > s and src[e - 1].isspace():
                e -= 1
            out.append(DateExpr(text=text[s:e], start=s, end=e, **r))
            gran = _granularity(r["value"])
            # anchors: dates, and times on a named day ("Monday night"; not "overnight")
            if gran and r["value_start"] and (r["kind"] == "date" or (
                    r["kind"] == "time" and re.search(WD + "|" + MON, text[s:e]))):
                anchors.append((gran, date.fromisoformat(r["value_start"])))
        return out
