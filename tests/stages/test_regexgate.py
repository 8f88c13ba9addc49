"""The first-character gate (sitroom.stages.regexgate): same matches, or no gate at all."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitroom.stages.dates.rules import TEXT_RULES
from sitroom.stages.regexgate import first_chars, gated

ROOT = Path(__file__).resolve().parents[2]

# case folding that re applies under IGNORECASE (long s, Kelvin sign, dotted I), digits of other
# scripts, dates at the edges of the text, and words that only look like dates
TRICKY = [
    "ſince last ſpring, the KELVIN week and the \u212aelvin week; İn March 2020, ıt rained.",
    "On 14 January 2020 - between 3 and 5 February - Q3 2019, FY2020, the 1990s, mid-2019.",
    "٢٠٢٠ and १२ March; the twenty-first century; three weeks later; the following Tuesday.",
    "may I march on? Last. last; the day before yesterday, tonight, early this morning",
    "2019-12-31T23:00 03/04/2020 4.5.2021 the past 48 hours, two and a half years, a year ago",
    "", " ", "Sept. 9", "SEPTEMBER 9, 2019", "Christmas Eve", "new year's day", "Ramadan",
]


def _texts() -> list[str]:
    texts = list(TRICKY)
    for p in sorted((ROOT / "examples" / "composed").glob("*.txt")):
        texts.append(p.read_text(encoding="utf-8"))
    return texts


def _found(p: re.Pattern, text: str) -> list[tuple]:
    return [(m.span(), m.groupdict()) for m in p.finditer(text)]


@pytest.mark.parametrize("rule", TEXT_RULES, ids=[r.name for r in TEXT_RULES])
def test_every_date_rule_finds_the_same_matches_behind_its_gate(rule):
    assert rule.scan is not rule.pattern, "the gate fell back to the plain pattern"
    for text in _texts():
        assert _found(rule.scan, text) == _found(rule.pattern, text), text[:60]


@pytest.mark.parametrize("pattern, chars, cats", [
    (r"\bfoo|bar", "fb", ""),
    (r"(?:a|b)?c", "abc", ""),
    (r"(?<=x)y", "y", ""),
    (r"(?!no)\d+x", "", r"\d"),
    (r"[A-C]z", "ABC", ""),
    (r"(?:the\s+)?\s*day", "td", r"\s"),
    (r"(?P<n>one|\d+)\s+(?P=n)", "o", r"\d"),          # the back-reference comes after the start
])
def test_first_characters(pattern, chars, cats):
    assert first_chars(re.compile(pattern)) == (frozenset(chars), frozenset([cats] if cats else []))


@pytest.mark.parametrize("pattern", [
    r"a*",                 # can match the empty string
    r"(?:x)?",
    r"[^a]b",              # a negated class
    r"(?=a)ab",            # a lookahead in front
    r".x",                 # any character
    r"(a)?(?(1)b|c)",      # a conditional
    r"\Sx",
])
def test_no_gate_when_the_first_characters_are_not_known(pattern):
    p = re.compile(pattern)
    assert first_chars(p) is None
    assert gated(p) is p


def test_a_gate_keeps_the_flags_and_case_folding():
    p = re.compile(r"\bsince\b", re.IGNORECASE)
    g = gated(p)
    assert g is not p and g.flags == p.flags
    for text in ("SINCE then", "ſince then", "Since", "convince"):
        assert _found(g, text) == _found(p, text)
    # case-sensitive pattern: the gate admits both cases, the pattern still decides
    cs = re.compile(r"May \d+")
    assert _found(gated(cs), "may 5, May 6") == _found(cs, "may 5, May 6") == [((7, 12), {})]


def test_global_inline_flags_leave_the_pattern_alone():
    p = re.compile(r"(?i)abc")
    assert gated(p) is p
