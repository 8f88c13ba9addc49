"""Quantities in text: digits with separators, scale words, spelled-out numbers, vague counts.

No library handles qualifiers ("at least", "close to"), vague counts ("dozens") and malformed
groupings ("350,0000") together, so this is a small regex over the document text. Vague counts
follow ACLED's coding conventions (several/many -> 10, dozens -> 12, hundreds -> 100) for the best
value and keep the honest range in low/high.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Span

_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "a hundred": 100, "a dozen": 12, "dozen": 12, "a couple of": 2, "a pair of": 2,
    "a handful of": 3,
}
_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
# vague word -> (best by ACLED convention, low, high)
_VAGUE = {
    "dozens of": (12, 24, 99), "scores of": (20, 40, 99), "several dozen": (36, 24, 99),
    "hundreds of": (100, 200, 999), "several hundred": (300, 200, 999),
    "thousands of": (1000, 2000, 9999), "several thousand": (3000, 2000, 9999),
    "tens of thousands of": (10000, 20000, 99999), "hundreds of thousands of": (100000, 200000, 999999),
    "millions of": (1_000_000, 2_000_000, None), "several": (10, 3, 9), "many": (10, None, None),
    "a few": (3, 2, 5), "few": (3, 2, 5), "numerous": (10, None, None),
}
QUALIFIERS = {
    "at least": "at least", "no fewer than": "at least", "no less than": "at least",
    "more than": "more than", "over": "more than", "upwards of": "more than",
    "nearly": "nearly", "almost": "nearly", "close to": "close to", "some": "about",
    "about": "about", "around": "about", "approximately": "about", "roughly": "about",
    "an estimated": "about", "estimated": "about", "up to": "up to", "as many as": "up to",
    "at most": "up to", "fewer than": "fewer than", "less than": "fewer than", "under": "fewer than",
}

_WORD_ALT = "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_VAGUE_ALT = "|".join(sorted((re.escape(w) for w in _VAGUE), key=len, reverse=True))
_QUAL_ALT = "|".join(sorted((re.escape(w) for w in QUALIFIERS), key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:[,.]\d{3,4})+(?![\d])|\d+(?:\.\d+)?"

NUMBER_RE = re.compile(
    rf"(?<![\w.,:-])(?:(?P<qual>{_QUAL_ALT})\s+)?"
    rf"(?:(?P<digits>{_DIGITS})(?:\s*(?P<scale>hundred|thousand|million|billion|mn|bn|k|m)\b)?"
    rf"|(?P<vague>{_VAGUE_ALT})"
    rf"|(?P<word>{_TENS}[-\s]{_UNITS}|{_WORD_ALT})(?:\s+(?P<wscale>hundred|thousand|million|billion|dozen))?)"
    rf"(?![\w])",
    re.IGNORECASE,
)


# before a vague word, these make it no count: "did not say how many were killed", "so many"
_NOT_A_COUNT_BEFORE = re.compile(r"\b(?:how|so|too|as|that|not)\s+$", re.I)
# "19 to 21", "two or three", "between 40 and 50": one count, its lower bound the best value (ACLED
# codes the conservative figure); not "from 19 to 21" (a change: the two are separate counts)
_RANGE_GAP = re.compile(r"^\s*(?:to|or|-|\u2013)\s*$", re.I)
_FROM_BEFORE = re.compile(r"\b(?:from|rose|risen|rising|increased|climbed|jumped)\s+$", re.I)
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+$", re.I)


@dataclass
class Number:
    start: int
    end: int
    text: str
    value: int | None
    low: int | None = None
    high: int | None = None
    qualifier: str | None = None
    vague: bool = False
    malformed: bool = False
    num_start: int = 0          # where the number itself starts (after the qualifier)

    def span(self, doc_id: str | None = None) -> Span:
        return Span(self.start, self.end, self.text, doc_id)


#: counts above this are no count of anything sitroom records (the world's population is 8e9):
#: such a number is left out, with a ``number_too_large`` quality flag. Below 2**53, so every
#: reader of the JSON (JavaScript too) and every database integer column holds it exactly.
MAX_VALUE = 10**15
#: a number written with more digits than this (decimals included) is no count: not parsed
_MAX_DIGITS = 24


def _parse_digits(s: str) -> tuple[float | None, bool]:
    """Digits with thousands separators; returns (value, malformed); (None, False) for a run of
    digits too long to be a count."""
    if sum(c.isdigit() for c in s) > _MAX_DIGITS:
        return None, False
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s), False
    groups = re.split(r"[,.]", s)
    if all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups)), False
    # "350,0000": a group of four digits after a separator; best guess drops the extra digit
    return float("".join(g[:3] if i else g for i, g in enumerate(groups))), True


def _word_value(word: str) -> int | None:
    w = word.lower().replace("-", " ")
    if w in _WORDS:
        return _WORDS[w]
    parts = w.split()
    if len(parts) == 2 and parts[0] in _WORDS and parts[1] in _WORDS:
        return _WORDS[parts[0]] + _WORDS[parts[1]]
    return None


def find_numbers(text: str, too_large: list[Number] | None = None) -> list[Number]:
    """Every quantity in ``text``, in text order. Numbers above MAX_VALUE (or too long to read) are
    left out; with ``too_large`` given they are appended there (value None)."""
    out: list[Number] = []
    for m in NUMBER_RE.finditer(text):
        qual = QUALIFIERS.get(m.group("qual").lower()) if m.group("qual") else None
        num_start = m.start("digits") if m.group("digits") else (
            m.start("vague") if m.group("vague") else m.start("word"))
        if m.group("digits"):
            raw = m.group("digits")
            # a year or a time of day is not a count
            nxt = text[m.end():m.end() + 3]
            if re.fullmatch(r"(19|20)\d\d", raw) and not m.group("scale"):
                continue
            if re.match(r"\s*(?:am|pm|a\.m|p\.m|GMT|UTC)\b", nxt, re.I) or re.match(r":\d", nxt):
                continue
            value, malformed = _parse_digits(raw)
            scale = m.group("scale")
            if scale:
                if scale in ("m", "k") and not raw.replace(".", "").isdigit():
                    continue
                value = value * _SCALES[scale.lower()]
            if value is None or not value <= MAX_VALUE:       # (not <=: also inf and nan)
                if too_large is not None:
                    too_large.append(Number(m.start(), m.end(), m.group(0), None, qualifier=qual,
                                            num_start=num_start))
                continue
            n = Number(m.start(), m.end(), m.group(0), int(round(value)), qualifier=qual,
                       malformed=malformed, num_start=num_start)
        elif m.group("vague"):
            if _NOT_A_COUNT_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                continue   # "how many were killed", "so many", "as many as": no count
            best, low, high = _VAGUE[m.group("vague").lower()]
            n = Number(m.start(), m.end(), m.group(0), best, low, high, qualifier=qual,
                       vague=True, num_start=num_start)
        else:
            word = m.group("word").lower()
            if word in ("a", "an", "one") and not m.group("wscale"):
                continue  # too ambiguous on their own ("a man", "one of")
            value = _word_value(word)
            if value is None:
                continue
            if m.group("wscale"):
                value *= _SCALES[m.group("wscale").lower()]
            n = Number(m.start(), m.end(), m.group(0), value, qualifier=qual, num_start=num_start)
        if n.low is None and n.qualifier in ("at least", "more than"):
            n.low = n.value
        elif n.high is None and n.qualifier in ("nearly", "close to", "up to", "fewer than"):
            n.high = n.value
        out.append(n)
    return _ranges(text, out)


def _ranges(text: str, numbers: list[Number]) -> list[Number]:
    """Two numbers that make a range ("19 to 21", "between 40 and 50") become one: value and low
    the lower bound, high the upper, the span over both."""
    out: list[Number] = []
    i = 0
    while i < len(numbers):
        a = numbers[i]
        b = numbers[i + 1] if i + 1 < len(numbers) else None
        if b is not None and a.value is not None and b.value is not None and not a.vague and not b.vague \
                and b.qualifier is None and a.value < b.value:
            gap = text[a.end:b.start]
            before = text[max(0, a.start - 12):a.start]
            between = bool(_BETWEEN_BEFORE.search(before)) and re.fullmatch(r"\s*and\s*", gap)
            if (between or _RANGE_GAP.match(gap)) and not _FROM_BEFORE.search(before):
                out.append(Number(a.start, b.end, text[a.start:b.end], a.value, low=a.value, high=b.value,
                                  qualifier=a.qualifier, malformed=a.malformed or b.malformed,
                                  num_start=a.num_start))
                i += 2
                continue
        out.append(a)
        i += 1
    return out
