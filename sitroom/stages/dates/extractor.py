"""``DateExtractor``: every temporal expression of a document, from the rule table and spaCy's
DATE entities, the longest winning where they overlap, anaphors resolved on the dates before."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from ...model import Analysis, DateExpr
from ..offsets import Coverage, Disjoint
from .anchor import (PREFIX_BEFORE, apply_prep, month_day, reporting_quarter, resolve_anaphor,
                     strip_prefix)
from .rules import TEXT_RULES, Entities
from .span import normalise_span
from .tense import tense_at
from .values import granularity, no_value
from .vocabulary import DAY, MON, MON_ALT, ORD, WD, YEAR

_QUARTERLY = re.compile(r"\bquarter(?![\s-]+(?:of\s+a\s+)?century)|\bfiscal\b|\bearnings\b|\ba share\b", re.I)
_NAMED_QUARTER = re.compile(r"\b(first|second|third|fourth)[\s-]+(?:fiscal\s+)?quarter\b(?!\s+of\s+(?:19|20)\d\d)", re.I)
_DURATION_WORD = re.compile(r"\b(?:days?|weeks?|months?|years?|hours?|decades?)\b", re.I)
_NAMED_DAY = re.compile(WD + "|" + MON)
#: spaCy entity labels of numbers (a four-digit one is no year when a counted noun follows)
_NUMBER_LABELS = ("CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORDINAL")
#: candidate priorities: dateparser's guess, spaCy's DATE entity read by the rules, a rule's match
_FALLBACK, _ENTITY, _RULE = 0, 1, 2


def story_context(src: str, published: date | None) -> dict:
    """``quarterly``: business prose (two or more mentions of quarters, fiscal, earnings, "a
    share"); ``rq``: the quarter the story reports on, the one it names most often (on a tie the
    calendar's reporting quarter if it is among them)."""
    ctx: dict = {"quarterly": len(_QUARTERLY.findall(src)) >= 2}
    if ctx["quarterly"]:
        qs = [ORD[q.lower()] for q in _NAMED_QUARTER.findall(src)]
        if qs and published is not None:
            top = max(qs.count(q) for q in qs)
            tied = [q for q in qs if qs.count(q) == top]
            default = reporting_quarter(published)[1]
            ctx["rq"] = default if default in tied else tied[0]
    return ctx


class DateExtractor:
    """Fill ``analysis.dates`` with every temporal expression of the document, in text order."""

    #: tense of the clause at a character (kept here for callers of the former static method)
    _tense_at = staticmethod(tense_at)

    def __init__(self, use_spacy: bool = True, use_fallback: bool = True) -> None:
        self.use_spacy = use_spacy
        self.use_fallback = use_fallback

    def __call__(self, analysis: Analysis) -> None:
        analysis.dates = self.extract(analysis.document.text, analysis.document.published,
                                      analysis.doc, analysis.document.nlp_text)

    def extract(self, text: str, published: date | None, doc=None,
                nlp_text: str | None = None) -> list[DateExpr]:
        src = nlp_text if nlp_text is not None else text
        # a story reposted later: "on Tuesday" is the Tuesday before its dateline's day
        published = dateline_day(src, published) or published
        ctx = story_context(src, published)
        date_ents: list[tuple[int, int]] = []
        number_ents: list[tuple[int, int]] = []
        if doc is not None and self.use_spacy:
            for e in doc.ents:
                if e.label_ in ("DATE", "TIME"):
                    date_ents.append((e.start_char, e.end_char))
                elif e.label_ in _NUMBER_LABELS:
                    number_ents.append((e.start_char, e.end_char))

        def tense(pos: int) -> str:
            return tense_at(doc, pos, src)

        # (start, end, priority, value, whether a preposition before it was already read)
        cands = _rule_candidates(src, published, ctx, tense,
                                 Entities(Coverage(date_ents).covers, Coverage(number_ents).covers))
        cands += self._entity_candidates(src, date_ents, published, ctx, tense)
        # dateparser guesses last, then longest first; ties: value-bearing first, rules over spaCy
        cands.sort(key=lambda c: (c[2] == _FALLBACK, -(c[1] - c[0]), c[3].value is None, -c[2], c[0]))
        taken = Disjoint()          # the chosen ranges (never overlapping): found by binary search
        chosen = []
        for s, e, _, r, done in cands:
            if not taken.overlaps(s, e):
                taken.add(s, e)
                chosen.append((s, e, r, done))
        # spaCy DATE entities no rule understood: kept as expressions without a value
        for a, b in date_ents:
            if not taken.overlaps(a, b):
                k, _ = strip_prefix(src[a:b])
                kind = "duration" if _DURATION_WORD.search(src[a:b]) else "date"
                taken.add(a + k, b)
                chosen.append((a + k, b, no_value(False, published is not None, kind=kind), True))
        return _in_text_order(text, src, chosen, published)

    def _entity_candidates(self, src: str, date_ents: list[tuple[int, int]], published: date | None,
                           ctx: dict, tense) -> list[tuple]:
        """spaCy's DATE/TIME entities read as a whole by the rules (or dateparser)."""
        cands = []
        for a, b in date_ents:
            try:
                found = normalise_span(src[a:b], published, tense(a), ctx)
            except (ValueError, KeyError, OverflowError):
                found = None
            if found is None:
                continue
            r, s, e, fallback = found
            if fallback and not self.use_fallback:
                continue
            cands.append((a + s, a + e, _FALLBACK if fallback else _ENTITY, r, True))
        return cands


#: "KABUL, May 3 (Reuters) -", "WASHINGTON, Jan. 16, 2020 /AP/ --": a place at the start of a
#: line (and its country), a comma, the month and day, an agency, a dash
DATELINE = re.compile(r"(?:^|\n)[ \t]*(?:[A-Z][\w.'’-]*[ \t]+){0,3}[A-Z][\w.'’-]*(?:[ \t]*\([^)\n]{1,30}\))?,"
                       r"(?:[ \t]*[A-Z][\w.'’ -]{1,30},)?[ \t]*(?P<m>" + MON_ALT + r")[ \t]+(?P<d>" + DAY +
                       r")(?:,?[ \t]*(?P<y>" + YEAR + r"))?[ \t]*(?:\([ \t]*[A-Za-z][\w .&-]{0,30}\)|/[^/\n]{1,30}/)?"
                       r"[ \t]*(?:-{1,2}|–|—|_)")
#: how far before publication a dateline may be (a report reposted later)
DATELINE_DAYS = 31
#: where a dateline may stand: before the story's first paragraphs
DATELINE_CHARS = 800


def dateline_day(src: str, published: date | None) -> date | None:
    """The day of the story's dateline when it is before publication (a report reposted days
    later, "KABUL, May 3 (Reuters) -" on a page of May 6): the day its relative dates count
    from. None without a dateline, or with one of the publication day or after it."""
    if published is None:
        return None
    m = DATELINE.search(src[:DATELINE_CHARS])
    if m is None:
        return None
    d, _, _ = month_day(m["m"], m["d"], m["y"], published, "past")
    if d is None or not 0 < (published - d).days <= DATELINE_DAYS:
        return None
    return d


def _rule_candidates(src: str, published: date | None, ctx: dict, tense, ents: Entities) -> list[tuple]:
    """Every match of every rule searched in running text that its handler reads as a date."""
    cands = []
    for rule in TEXT_RULES:
        for m in rule.scan.finditer(src):     # the pattern behind its first-character gate
            if rule.accept is not None and not rule.accept(m, src, ents):
                continue
            s = m.start()
            try:
                # the tense is read at the expression, after a leading preposition
                # ("through January": a deadline, not the past)
                r = rule.handler(m, published, tense(s + strip_prefix(m.group(0))[0]), ctx)
            except (ValueError, KeyError, OverflowError):
                r = None
            if r is not None:
                cands.append((s, m.end(), _RULE, r, False))
    return cands


def _in_text_order(text: str, src: str, chosen: list[tuple], published: date | None) -> list[DateExpr]:
    """The chosen expressions as ``DateExpr`` in text order: anaphors resolved on the dates before
    them, a leading preposition trimmed and read ("since", "until"; spaCy's entities were
    trimmed already: ``done``), or else one just before."""
    out: list[DateExpr] = []
    anchors: list[tuple[str, date]] = []  # (granularity, first day) of the dates so far
    for s, e, r, done in sorted(chosen, key=lambda c: c[0]):
        if r.anaphor is not None:
            r = resolve_anaphor(r.anaphor, anchors) or replace(r, anaphor=None)
        k, p = (0, None) if done else strip_prefix(src[s:e])
        if k:
            s += k
        elif not r.mod or r.kind != "since":
            pm = PREFIX_BEFORE.search(src[max(0, s - 25):s])
            p = re.sub(r"\s+", " ", pm.group("p").lower()) if pm else None
        r = apply_prep(r, p, published)
        while s < e and src[s].isspace():
            s += 1
        while e > s and src[e - 1].isspace():
            e -= 1
        out.append(DateExpr(text=text[s:e], start=s, end=e, **r.expr_fields()))
        gran = granularity(r.value)
        # anchors: dates, and times on a named day ("Monday night"; not "overnight")
        if gran and r.start and (r.kind == "date" or (r.kind == "time" and _NAMED_DAY.search(text[s:e]))):
            anchors.append((gran, r.start))
    return out
