"""The date extractor's words: the lists of ``sitroom/data/date_words.yaml``, the fixed lookups
(month, weekday, number and season names) and the regular-expression pieces the rules are built
from."""
from __future__ import annotations

import re

from ...data import load as load_data, require_strings


def _date_words() -> dict:
    """The extractor's word lists (sitroom/data/date_words.yaml), read once at import."""
    words = load_data("date_words.yaml")
    for key in ("report_verbs", "same_past_verbs", "forward_verbs", "time_conjunctions"):
        require_strings("date_words.yaml", key, words.get(key) or [])
    require_strings("date_words.yaml", "holidays", (words.get("holidays") or {}).keys())
    return words


_WORDS = _date_words()
REPORT_VERBS = frozenset(_WORDS.get("report_verbs") or ())
SAME_PAST = frozenset(_WORDS.get("same_past_verbs") or ())
FORWARD_VERBS = frozenset(_WORDS.get("forward_verbs") or ())
TIME_CONJ = frozenset(_WORDS.get("time_conjunctions") or ())
#: fixed-date holidays: name -> (month, day)
HOLIDAYS = {name.lower(): (int(md[0]), int(md[1])) for name, md in (_WORDS.get("holidays") or {}).items()}
#: the fixed holidays and Thanksgiving, longest names first, any spacing, the apostrophe optional
HOLIDAY_RX = "|".join(re.escape(h).replace(r"\ ", r"\s+").replace("'", "'?")
                      for h in sorted([*HOLIDAYS, "thanksgiving day", "thanksgiving"], key=len, reverse=True))

# ------------------------------------------------------------------ lookups

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3,
            "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6}
NUMS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a couple of": 2,
    "couple of": 2, "a dozen": 12, "half a dozen": 6,
}
ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3,
       "4th": 4}
SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
#: number words of spelt-out years ("nineteen ninety-six")
W2N = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                   "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
W2N.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90})


def month_num(s: str) -> int:
    """1-12 for a month name or abbreviation ("Sept.", "january")."""
    s = s.lower().rstrip(".")
    return MONTHS[s if s in MONTHS else s[:3]]


def weekday_num(s: str) -> int:
    """0 (Monday) to 6 for a weekday name or abbreviation ("Thurs.")."""
    return WEEKDAYS[s.lower().rstrip(".")]


def day_num(s: str) -> int:
    """The day of "16th", "3rd"."""
    return int(re.sub(r"\D", "", s))


def num(s: str) -> int | None:
    """A count in digits or words ("3", "a couple of", "twenty-two"); None for "a few"."""
    s = s.lower().strip()
    if s.isdigit():
        return int(s)
    if s in NUMS:
        return NUMS[s]
    m = re.match(r"(twenty|thirty|forty|fifty)[- ](\w+)", s)
    if m and m.group(2) in NUMS:
        return NUMS[m.group(1)] + NUMS[m.group(2)]
    return None


def year_num(s: str) -> int:
    """A year in digits or words ("nineteen ninety-six", "two thousand")."""
    if s.isdigit():
        return int(s)
    w = [x for x in re.split(r"[\s-]+", s.lower()) if x not in ("and", "hundred")]
    if w[:2] == ["two", "thousand"]:
        return 2000 + sum(W2N.get(x, 0) for x in w[2:])
    return W2N[w[0]] * 100 + sum(W2N.get(x, 0) for x in w[1:])


# ------------------------------------------------------------------ regex pieces

FLAGS = re.IGNORECASE


def ci(pattern: str) -> str:
    """Wrap a case-sensitive sub-pattern (month/weekday names) so the rest can be case-insensitive."""
    return "(?-i:" + pattern + ")"


# Month names: capitalised (so "may"/"march" as words do not match); abbreviations with dot.
MON_RAW = (r"(?:Jan(?:uary|\.)|Feb(?:ruary|\.)|Mar(?:ch|\.)|Apr(?:il|\.)|May|June?|July?|"
           r"Aug(?:ust|\.)|Sep(?:tember|t\.|\.|t)|Oct(?:ober|\.)|Nov(?:ember|\.)|Dec(?:ember|\.)|"
           r"Jan|Feb|Apr|Aug|Oct|Nov|Dec)")
_MON_FULL = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
             r"December|Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)")
WD_RAW = (r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon\.|Tues?\.|Wed\.|"
          r"Thu(?:rs?)?\.|Fri\.|Sat\.|Sun\.)")
#: month name (any form), full month name or abbreviation with a dot, weekday: case-sensitive
MON, MONF, WD = ci(MON_RAW), ci(_MON_FULL), ci(WD_RAW)
#: a month name, or an upper-case abbreviation ("JAN.", "SEPT")
MON_ALT = r"(?:" + MON + r"|(?-i:JAN|FEB|MAR|APR|MAY|JUNE?|JULY?|AUG|SEPT?|OCT|NOV|DEC)\.?)"
#: a month name in full (or a dotted abbreviation) in running text, where a bare "may" or
#: "march" is a word
MON_WORD = ci(r"January|February|March|April|May|June|July|August|September|October|November|December"
              r"|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.")
MONTH_NAME = ci(r"January|February|March|April|May|June|July|August|September|October|"
                r"November|December")
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:1[6-9]\d\d|20\d\d)"
UNITS_W = r"(?:one|two|three|four|five|six|seven|eight|nine)"
TENS_W = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
SPELLED_YEAR = (r"(?:(?:nineteen|eighteen)[\s-]+(?:hundred(?:\s+and)?[\s-]+)?" + TENS_W + r"(?:[\s-]+" + UNITS_W +
                r")?|two[\s-]+thousand(?:[\s-]+(?:and[\s-]+)?(?:" + TENS_W + r"(?:[\s-]+" + UNITS_W + r")?|" +
                UNITS_W + r"))?)")
YEARW = r"(?:" + YEAR + r"|" + SPELLED_YEAR + r")"
NUMW = (r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
        r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
        r"a couple of|couple of|a dozen|half a dozen|a few|few|several|some|many|"
        r"(?:twenty|thirty|forty|fifty)[- ](?:one|two|three|four|five|six|seven|eight|nine))")
ORDW = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
        r"(?:thir|four|fif|six|seven|eigh|nine)teenth|(?:twen|thir|for|fif|six|seven|eigh|nine)tieth|"
        r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-](?:first|second|third|fourth|"
        r"fifth|sixth|seventh|eighth|ninth)|hundredth|\d+(?:st|nd|rd|th))")
UNIT = r"(?:days?|weeks?|months?|years?|decades?|centur(?:y|ies)|hours?|minutes?|quarters?|weekends?|nights?)"
PART = (r"(?:early|earlier|mid|middle|late|later|the\s+(?:early|middle|late)\s+part\s+of|"
        r"the\s+(?:beginning|start|middle|end)\s+of|(?:beginning|start|end)\s+of|"
        r"the\s+(?:first|second|last)\s+half\s+of|the\s+(?:first|second|last)\s+(?:week|days)\s+of)")
