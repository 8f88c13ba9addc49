"""Normalising one expression on its own (``normalise``): the first rule of the table that
matches all of it, after a leading preposition; dateparser as the last resort."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import dateparser

from ...model import DateExpr
from .anchor import apply_prep, strip_prefix
from .rules import RULES
from .values import DateValue
from . import values as v
from .vocabulary import FLAGS, MON_RAW, WD_RAW, YEAR

_TENSES = ("past", "future", "neutral", "present")


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
    bare weekday. ``context`` may carry ``{"quarterly": True}`` for business prose ("a year ago"
    = the same quarter last year).
    """
    found = normalise_span(text, published, tense, context)
    if found is None:
        return None
    r, start, end, _ = found
    return DateExpr(text=text[start:end], start=start, end=end, **r.expr_fields())


def normalise_span(text: str, published: date | None, tense: str = "past",
                   context: dict | None = None) -> tuple[DateValue, int, int, bool] | None:
    """``normalise`` as (value, start, end, whether the dateparser fallback produced it)."""
    tense = tense if tense in _TENSES else "past"
    ctx = context or {}
    lead = len(text) - len(text.lstrip())
    core = text.strip()
    k, prep = strip_prefix(core)
    r = _first_rule(core[k:], published, tense, ctx)
    if r is None and k:
        r, k, prep = _first_rule(core, published, tense, ctx), 0, None
    used_fallback = False
    if r is None:
        r = _fallback(core[k:], published)
        if r is None:
            return None
        used_fallback = True
    if r.anaphor is not None:  # alone, an anaphor has nothing to be resolved on
        r = replace(r, anaphor=None)
    return apply_prep(r, prep, published), lead + k, lead + len(core), used_fallback


def _first_rule(text: str, pub: date | None, tense: str, ctx: dict) -> DateValue | None:
    t = text.strip()
    for rule in RULES:
        m = rule.pattern.fullmatch(t)
        if m:
            r = rule.handler(m, pub, tense, ctx)
            if r is not None:
                return r
    return None


@lru_cache(maxsize=4096)
def _dateparser(text: str, pub: date | None) -> date | None:
    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False,
                                "REQUIRE_PARTS": ["day", "month"]}
    if pub is not None:
        settings["RELATIVE_BASE"] = datetime(pub.year, pub.month, pub.day, 12)
    try:
        dt = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input: not a date then
        return None
    return dt.date() if dt else None


_FALLBACK_OK = re.compile(r"\d|" + MON_RAW + "|" + WD_RAW, FLAGS)
_HAS_YEAR = re.compile(r"\b" + YEAR + r"\b")


def _fallback(text: str, pub: date | None) -> DateValue | None:
    """dateparser for what no rule covers (only day-precise answers are trusted)."""
    if pub is None or len(text) > 40 or not _FALLBACK_OK.search(text):
        return None
    d = _dateparser(text, pub)
    if d is None:
        return None
    return v.day(d, _HAS_YEAR.search(text) is None)
