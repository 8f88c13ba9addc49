"""A first-character gate for a regular expression searched through running text.

``re`` tries a pattern at every position of the text. A case-insensitive pattern that starts with
``\\b`` and a long alternation of words ("the past", "last", "one", "two", ...) enters every
alternative at every word start, because ``re`` can skip ahead by a first character only for
case-sensitive literals. :func:`gated` puts a lookahead for the characters a match can start with
in front of the pattern: ``(?=(?i:[...]))(?:PATTERN)``. The matches are the same (a match must
start with one of those characters; the lookahead is case-insensitive, so it admits every case
variant ``re`` would fold); at most word starts the search now fails on one character-class test.
Over the date rules of :mod:`sitroom.stages.dates` this halves the time spent searching.

The first characters are read from the parsed pattern. Anything the reader does not know
(a back-reference, a negated class, a lookahead, any character) leaves the pattern as it was.
"""
from __future__ import annotations

import re

try:        # Python 3.11+: the parser behind re (sre_parse, deprecated, is an alias of it)
    from re import _constants as _C, _parser as _P
except ImportError:  # pragma: no cover - other Pythons: no gate
    _C = _P = None

_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w"}


class _Unknown(Exception):
    pass


def first_chars(pattern: re.Pattern) -> tuple[frozenset[str], frozenset[str]] | None:
    """(literal characters, class escapes such as ``\\d``) that a non-empty match of ``pattern``
    can start with, or None when that is not known (or an empty match is possible)."""
    if _P is None:
        return None
    try:
        chars, cats, nullable = _first(_P.parse(pattern.pattern, pattern.flags).data)
    except (_Unknown, re.error, AttributeError, TypeError, ValueError):
        return None
    if nullable or not (chars or cats):
        return None
    return frozenset(chars), frozenset(cats)


def gated(pattern: re.Pattern) -> re.Pattern:
    """``pattern`` behind a lookahead for its first characters (:func:`first_chars`): the same
    matches, found faster by ``search``/``finditer``; ``pattern`` itself when they are not known."""
    first = first_chars(pattern)
    if first is None:
        return pattern
    chars, cats = first
    cls = "".join(sorted(cats)) + "".join(_escape(c) for c in sorted(chars))
    try:
        return re.compile(f"(?=(?i:[{cls}]))(?:{pattern.pattern})", pattern.flags)
    except re.error:        # e.g. global inline flags, which must stay at the start
        return pattern


def _escape(c: str) -> str:
    return "\\" + c if c in "\\]^-[" else c


def _first(items) -> tuple[set[str], set[str], bool]:
    """First characters and class escapes of a sequence of parsed items, and whether the
    sequence can match the empty string."""
    chars: set[str] = set()
    cats: set[str] = set()
    for op, av in items:
        c, k, nullable = _first_op(op, av)
        chars |= c
        cats |= k
        if not nullable:
            return chars, cats, False
    return chars, cats, True


def _first_op(op, av) -> tuple[set[str], set[str], bool]:
    if op is _C.AT or op is _C.ASSERT_NOT:       # \b, ^, $, (?!...), (?<!...): zero width
        return set(), set(), True
    if op is _C.ASSERT:
        direction, _sub = av
        if direction < 0:                         # (?<=...): zero width, looks back
            return set(), set(), True
        raise _Unknown("lookahead")
    if op is _C.LITERAL:
        return {chr(av)}, set(), False
    if op is _C.SUBPATTERN:
        return _first(av[-1].data)
    if op is _C.BRANCH:
        chars: set[str] = set()
        cats: set[str] = set()
        nullable = False
        for alt in av[1]:
            c, k, n = _first(alt.data)
            chars |= c
            cats |= k
            nullable = nullable or n
        return chars, cats, nullable
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)):
        lo, _hi, sub = av
        c, k, n = _first(sub.data)
        return c, k, n or lo == 0
    if op is _C.IN:
        chars, cats = set(), set()
        for o, a in av:
            if o is _C.LITERAL:
                chars.add(chr(a))
            elif o is _C.RANGE and a[1] - a[0] < 256:
                chars.update(chr(x) for x in range(a[0], a[1] + 1))
            elif o is _C.CATEGORY and str(a) in _CATEGORIES:
                cats.add(_CATEGORIES[str(a)])
            else:                                 # a negated class, a wide range, \S, \W ...
                raise _Unknown(str(o))
        return chars, cats, False
    raise _Unknown(str(op))
