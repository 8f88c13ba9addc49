"""The rule table: every rule's name, pattern and handler together, in priority order.

Order matters only for :func:`~sitroom.stages.dates.normalise` (the first rule whose pattern
matches the whole expression and whose handler returns a value wins); extraction from running
text keeps the longest match among all rules marked ``in_text``. A rule's ``accept`` (optional)
vetoes a match in running text from its surroundings (a bare "2000" before "votes").

Every pattern is compiled case-insensitive with a leading word boundary; month and weekday
names inside stay case-sensitive (``vocabulary.ci``) so "may" and "march" as words do not match.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Callable, NamedTuple

from ..regexgate import gated
from . import handlers as h
from .values import DateValue
from .vocabulary import (DAY, FLAGS, HOLIDAY_RX, MON, MON_ALT, MON_WORD, MONF, MONTH_NAME, NUMW,
                         ORDW, PART, SPELLED_YEAR, TENS_W, UNIT, UNITS_W, WD, YEAR, YEARW)

#: (match, publication date or None, tense, story context) -> value or None (not a date after all)
Handler = Callable[[re.Match, date | None, str, dict], DateValue | None]


class Entities(NamedTuple):
    """spaCy's entities around a match: is a character inside a DATE/TIME entity, inside a
    number entity (CARDINAL, MONEY, QUANTITY, PERCENT, ORDINAL)?"""
    in_date: Callable[[int], bool]
    in_number: Callable[[int], bool]


class Rule(NamedTuple):
    name: str
    pattern: re.Pattern
    handler: Handler
    in_text: bool = True                 # searched in running text (else only in spaCy's DATEs)
    accept: Callable[[re.Match, str, Entities], bool] | None = None
    scan: re.Pattern | None = None       # ``pattern`` for searching running text (the same matches)


def rule(name: str, pattern: str, handler: Handler, in_text: bool = True, accept=None) -> Rule:
    compiled = re.compile(pattern if pattern.startswith(r"\b") else r"\b" + pattern, FLAGS)
    return Rule(name, compiled, handler, in_text, accept, gated(compiled) if in_text else compiled)


_BAD_AFTER_YEAR = re.compile(r"^\s*(?:%|percent|per\s+cent|people|persons|civilians|troops|soldiers|"
                             r"fighters|men|women|children|families|homes|houses|dollars|euros|"
                             r"km|kilomet|metres|meters|miles|tons|tonnes|hectares|rounds|shells|"
                             r"rockets|strikes|cases|votes|units|barrels|points|[a-z]+s\b(?<!years))",
                             re.IGNORECASE)


def _year_in_text(m: re.Match, src: str, ents: Entities) -> bool:
    """A bare four-digit number is a year unless spaCy calls it a number or a counted noun
    follows ("by 2000 votes", "1500 people")."""
    ys, ye = m.start("y"), m.end("y")
    if ys == m.start() and not ents.in_date(ys):
        if ents.in_number(ys) or _BAD_AFTER_YEAR.match(src[ye:ye + 20]):
            return False
        if not (1900 <= int(m["y"]) <= 2039):
            return False
    if ents.in_number(ys) and not ents.in_date(ys) and _BAD_AFTER_YEAR.match(src[ye:ye + 20]):
        return False
    return True


def _season_in_text(m: re.Match, src: str, ents: Entities) -> bool:
    """A season in running text only with a year or a determiner ("last winter")."""
    return bool(m["y"] or m["rel"])


_RANGE_SEP = r"\s*(?:-|–|—|\band\b|\bto\b|\buntil\b|\bthrough\b|\bthru\b)\s*"
_RANGE_SEP_DM = r"\s*(?:-|–|—|\band\b|\bto\b|\buntil\b|\bthrough\b)\s*"

RULES: tuple[Rule, ...] = (
    rule("iso", r"\b(?P<y>" + YEAR + r")-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3]\d)\b", h.iso),
    rule("iso_month", r"\b(?P<y>" + YEAR + r")-(?P<m>0[1-9]|1[0-2])\b(?!-\d)", h.iso_month),
    rule("numeric", r"\b(?P<a>[0-3]?\d)(?P<sep>[/.])(?P<b>[0-3]?\d)(?P=sep)(?P<y>" + YEAR + r"|\d\d)\b",
         h.numeric),
    # between March 3 and 5 / from March 3 to April 5 / March 3-5, 2020
    rule("range_md", r"(?:(?P<pre>between|from)\s+)?(?P<m1>" + MON_ALT + r")\s+(?P<d1>" + DAY +
         r")(?:,?\s+(?P<y1>" + YEAR + r"))?" + _RANGE_SEP + r"(?:(?P<m2>" + MON_ALT + r")\s+)?(?P<d2>" +
         DAY + r")\b(?:,?\s+(?P<y2>" + YEAR + r"))?", h.day_range),
    # 3-5 March (2020)
    rule("range_dm", r"(?:(?P<pre>between|from)\s+)?(?P<d1>" + DAY + r")(?:\s+(?P<m1>" + MON_ALT +
         r"))?" + _RANGE_SEP_DM + r"(?P<d2>" + DAY + r")\s+(?P<m2>" + MON_ALT + r")(?:,?\s+(?P<y2>" +
         YEAR + r"))?\b", h.day_range),
    # (Thursday,) Jan. 16(, 2020) (morning)
    rule("mdy", r"(?:(?P<wd>" + WD + r"),?\s+)?(?:the\s+)?(?P<m>" + MON_ALT + r")\s+(?P<d>" + DAY +
         r")(?![\d:])(?:,?\s+(?P<y>" + YEAR + r"))?\b(?:\s+(?P<tod>morning|afternoon|evening|night))?",
         h.month_day_year),
    # (Thursday,) 16 January (2020) / the 16th of January
    rule("dmy", r"(?:(?P<wd>" + WD + r"),?\s+)?(?:the\s+)?(?P<d>" + DAY + r")(?:\s+of)?\s+(?P<m>" +
         MON_ALT + r")(?:,?\s+(?P<y>" + YEAR + r"))?\b", h.month_day_year),
    # the third quarter (of 2019) / last year's fourth quarter / the fiscal first quarter
    rule("quarter", r"(?:(?:the|this|last|next)\s+)?(?:(?P<yrel>this|last|next)\s+year'?s\s+|(?P<y0>" +
         YEAR + r")(?:'s)?\s+)?(?:(?:fiscal|financial|calendar)\s+)?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)"
         r"[\s-]+(?:fiscal\s+)?quarter\b(?:\s+(?:of\s+)?(?:(?:fiscal|calendar)\s+)?(?P<y>" + YEAR +
         r")|\s+(?:of\s+)?(?P<yrel2>this|last|next)\s+year)?", h.quarter),
    rule("qshort", r"\b(?P<q>Q[1-4])\s*(?P<y>" + YEAR + r")\b|\b(?P<y2>" + YEAR + r")[\s-]?(?P<q2>Q[1-4])\b",
         h.quarter_short),
    rule("half", r"(?:(?:the|this|last|next)\s+)?(?:(?P<yrel>this|last|next)\s+year'?s\s+)?(?:(?P<h>first|second|last)[\s-]+half|(?P<h2>first|last)\s+two\s+quarters)\b"
         r"(?:\s+of\s+(?:(?P<y>" + YEAR + r")|(?P<yrel2>this|last|next)\s+year|the\s+year))?", h.half),
    # early December (2019) / mid-2019 / the end of 2019 / late last year / early this month
    rule("part", r"(?P<part>" + PART + r")[\s-]*(?:(?P<m>" + MONF + r")(?:,?\s+(?:of\s+)?(?P<y>" + YEAR +
         r"))?|(?P<y2>" + YEAR + r")|(?P<rel>(?:this|last|next|the|that|the\s+current|the\s+previous)\s+"
         r"(?:week|month|year|decade|century|quarter))|(?P<dec>(?:the\s+)?(?:19|20)\d0s))\b", h.part),
    rule("month_year", r"(?P<m>" + MONF + r"|" + MON + r")\s*,?\s+(?:of\s+)?(?P<y>" + YEARW + r")\b",
         h.month_year),
    rule("spelled_year", r"(?:the\s+year\s+)?(?P<y>" + SPELLED_YEAR + r")\b(?![\s-]+(?:" + UNITS_W + r"|" +
         TENS_W + r"|hundred|thousand|percent|dollars|people|years?|days?|months?|weeks?))", h.spelled_year),
    rule("month_rel", r"\b(?P<rel>last|this|next|past|coming)\s+(?P<m>" + MONF + r")(?!\s*\d)", h.month_rel),
    rule("month_of_rel", r"(?P<m>" + MONF + r")\s+(?P<rel>last|this|next)\s+year\b", h.month_of_rel),
    # in March / since March / early March: a month after a word that makes it one
    rule("month", r"\b(?:in|since|until|till|by|from|of|for|during|through|before|after|and|to|or|"
         r"between|around|throughout|last|this|next|early|late|mid-?)\s+(?P<m>" + MON_WORD + r")(?![\s,]*\d)",
         h.month),
    # a month name alone, only where spaCy tagged it DATE ("under a June agreement")
    rule("month_bare", r"(?P<m>" + MONTH_NAME + r")", h.month, in_text=False),
    rule("season", r"(?:(?P<rel>this\s+past|this|last|next|the|early|late|mid-?)\s+)?(?P<s>summer|winter|spring|fall|autumn)"
         r"(?:\s+(?:of\s+)?(?P<y>" + YEARW + r"))?\b", h.season, accept=_season_in_text),
    rule("fiscal", r"\bfiscal(?:\s+year)?\s+(?P<y>" + YEAR + r"|'?\d\d)\b", h.fiscal),
    rule("decade", r"(?:the\s+)?(?P<part>early|mid-?|late)?\s*(?:(?P<c>1[6-9]|20)|['’])(?P<d>\d)0'?s\b", h.decade),
    rule("century", r"(?:the\s+)?(?P<n>\d{1,2})(?:st|nd|rd|th)[\s-]+century\b", h.century),
    rule("ago", r"\b(?P<n>" + NUMW + r")\s+(?P<u>days?|weeks?|months?|years?|decades?)\s+(?:or\s+so\s+)?(?P<dir>ago|earlier|before)\b",
         h.ago),
    rule("holiday", r"\b(?P<h>" + HOLIDAY_RX + r")(?:,?\s+(?P<y>" + YEAR + r"))?\b", h.holiday),
    # overnight Friday / Friday overnight / overnight (Thursday) into Friday / Thursday night into
    # Friday / the night of Thursday to Friday: the night, dated by the day it starts
    rule("night", r"(?:overnight\s+(?:on\s+|from\s+)?(?P<wd1>" + WD + r")(?:\s+night)?(?:\s+(?:into|to)\s+(?P<wd2>" +
         WD + r")(?:\s+morning)?)?|overnight\s+(?:into|to)\s+(?P<wd3>" + WD + r")(?:\s+morning)?|"
         r"(?:the\s+)?night\s+(?:of|from|between)\s+(?P<wd4>" + WD + r")\s+(?:to|into|and)\s+(?P<wd5>" + WD + r")|"
         r"(?P<wd6>" + WD + r")\s+night\s+(?:into|to)\s+(?P<wd7>" + WD + r")(?:\s+morning)?|"
         r"(?P<wd8>" + WD + r")\s+overnight)\b", h.night),
    rule("rel_day", r"\b(?:(?P<late>late|early|earlier|later)\s+)?(?P<w>today|tonight|yesterday|tomorrow|"
         r"the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|this\s+(?:morning|afternoon|evening)|"
         r"last\s+night|overnight)(?:\s+(?P<tod>morning|afternoon|evening|night))?\b", h.rel_day),
    # (last/next/on) Monday (night), not "Monday, Jan. 16" nor a newspaper ("Sunday Times")
    rule("weekday", r"(?:(?P<rel>last|this|next|past|on|coming)\s+)?(?P<wd>" + WD +
         r")(?:\s+(?P<tod>morning|afternoon|evening|night))?(?!\s*,?\s*" + MON + r"\s*\d)"
         r"(?!\s+(?-i:Times|Telegraph|Express|Post|Herald|Mirror|Observer|Star|Mail|Tribune|Independent|"
         r"People|Sport|Prayers?|Mass|Service|School|Morning\s+Post|Night\s+Live))", h.weekday),
    rule("rel_unit", r"(?:(?P<pre>earlier|later)\s+(?:in\s+)?)?(?P<rel>this|last|next|past|previous|coming|current|the\s+current|"
         r"the\s+previous|the\s+past|the\s+last|the\s+coming|the\s+next|the\s+same)\s+(?P<u>week|month|year|quarter|"
         r"weekend|decade|century)\b", h.rel_unit),
    rule("rel_the", r"\b(?P<w>the\s+(?:latest|most\s+recent|recent|current)\s+(?:quarter|period)|the\s+(?:fiscal\s+)?quarter|"
         r"last\s+year'?s\s+(?:fiscal\s+)?(?:quarter|period)|"
         r"the\s+year(?![- ](?:earlier|ago))|the\s+weekend|the\s+same\s+(?:period|quarter)\s+(?:a\s+year\s+(?:earlier|ago)|last\s+year)|"
         r"the\s+(?:comparable\s+|same\s+)?year[- ](?:earlier|ago)(?:\s+(?:(?:first|second|third|fourth)\s+)?(?:fiscal\s+)?(?:quarter|period))?|"
         r"the\s+(?:fiscal\s+)?(?:1[89]|20)\d\d\s+(?:quarter|period)|the\s+(?:current\s+)?fiscal\s+year|this\s+quarter|"
         r"(?:a\s+)?year[- ](?:earlier|ago)(?:\s+(?:quarter|period))?|"
         r"the\s+corresponding\s+(?:period|quarter)(?:\s+(?:a\s+year\s+(?:earlier|ago)|last\s+year))?|"
         r"year[- ]end|year's\s+end|the\s+end\s+of\s+the\s+year|the\s+full\s+year)\b", h.rel_the),
    # relative to the last date mentioned before ("that year", "the following month", "the next
    # day", "the previous Friday", "two days later")
    rule("anaphor", r"\b(?:(?P<dem>that|the\s+same)\s+(?P<u0>day|week|month|year|quarter)|"
         r"the\s+(?P<dir>following|next|previous|prior|preceding)\s+(?P<u1>day|morning|week|month|year|quarter)|"
         r"the\s+(?P<dir2>following|next|previous|prior|preceding)\s+(?P<wd>" + WD + r")|"
         r"the\s+(?P<u2>day|week|month|year)\s+(?P<dir3>before|after)|"
         r"(?:later|earlier)\s+in\s+the\s+(?P<u4>day)|"
         r"(?P<then>(?:until|till|by|since)\s+then)|"
         r"(?P<n>" + NUMW + r")\s+(?P<u3>days?|weeks?|months?|years?)\s+(?P<dir4>later|earlier))\b", h.anaphor),
    # "today is the eighth day of the blockade": the day of publication (only with such a
    # present-tense subject, checked in the handler; "the first day of the month" excluded)
    rule("nth_day", r"\bthe\s+(?:" + ORDW + r")\s+(?:(?:straight|consecutive|successive|full)\s+)?day\b"
         r"(?!\s+of\s+(?:the\s+|this\s+|next\s+|last\s+)?(?:week|month|year|decade|century|" + MONF + r"))",
         h.nth_day),
    # "twice as high this year as last": the unit of the comparison left out (checked in the handler)
    rule("elided_last", r"\blast(?=\s*(?:[.,;:!?)]|$))", h.elided_last),
    # "(will be redeemed) in five years": a date when the clause looks ahead, else a duration
    rule("in_units", r"\bin\s+(?P<n>" + NUMW + r")\s+(?P<u>days?|weeks?|months?|years?)\b(?!\s+(?:ago|earlier|later|before|after|of)\b)",
         h.in_units),
    # a year after a word that makes it one, or alone (checked against spaCy's entities);
    # "between 1985 and 1987" is two years (TimeML style), not a range
    rule("year", r"(?:\b(?:in|since|until|till|by|from|of|during|through|before|after|for|and|to|or|"
         r"between|around|throughout|year|the\s+year|early|late|mid-?|spring|summer|autumn|fall|"
         r"winter)\s+|\b)(?P<y>" + YEAR + r")\b(?!\s*[-–]\s*\d)", h.year, accept=_year_in_text),
    rule("duration", r"(?:(?:the\s+)?(?:past|last|next|previous|coming|first|final|following|recent|"
         r"preceding)\s+)?(?P<n>" + NUMW + r")[\s-]+(?P<u>" + UNIT + r")(?:\s+(?:and\s+)?(?:a\s+half|"
         r"(?:" + NUMW + r")\s+" + UNIT + r"))?(?:[\s-]+long|[\s-]+old)?\b", h.duration),
    rule("duration2", r"(?:(?:the\s+)?(?:past|last|next|previous|coming|recent|following)\s+)(?P<u>day|week|month|year|decade|"
         r"century|weekend|few\s+(?:days|weeks|months|years))\b", h.duration),
    # a bare plural unit, only where spaCy tagged it DATE ("for weeks")
    rule("duration3", r"\b(?P<u>(?:days|weeks|months|years|decades))\b", h.duration, in_text=False),
)

#: the rules searched in running text
TEXT_RULES = tuple(r for r in RULES if r.in_text)
