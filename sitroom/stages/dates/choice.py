"""The day of an event: which date mention dates it, by ACLED's rules.

:class:`EventDays` is made once per document and asked, trigger by trigger in text order, for the
day of the event the trigger's clause reports (:meth:`EventDays.choose`). In order:

1. **Stated**: the clause's own day (a day, a range of days, a week or a month; not "since",
   "before", "after"), the most precise and then the nearest to the trigger; "resumed two
   days after a ceasefire took effect on Jan. 12" is Jan. 14. A day the rules put after
   publication cannot be the day of an event the text reports: a weekday goes to the week before
   ("Killed in 'Bloody Friday'" in a present-tense headline), any other such date is no
   candidate (a scrape date in the page header, "the 30 June neighbourhood").
2. **Overnight, after a named day**: a bare "overnight" once the story has named a recent day is
   that day's night ("late Monday night stormed ... killed two villagers overnight").
3. **Reported**: a day that dates the report of the event, not the event ("the ministry said on
   Thursday that one man was killed"; "On Sunday, the command said its forces destroyed ...";
   a dateline's date, "KABUL, May 3 (Reuters) -"): ACLED codes the day of the report when the
   source gives no other. Before the story has named a day, a day named just after that is not
   later than the report wins ("officials said on Sunday" / "the strikes that took place on
   Saturday").
4. **History**: a year or coarser date of the trigger's own clause (the verb both hang on) that
   ended over a month before publication dates the event at month precision, never this week's
   day ("seized power after a 2020 coup", "55 years ago, troops stormed the village").
5. **The story's day**: the last recent day the story named (:data:`STORY_DAYS`) in an event's
   clause or in a body sentence that gave none, for a clause that names no day ("On Sunday
   gunmen attacked the camp ... Fighter jets attacked them as they fled"; "Families reached the
   square on Thursday night. 'They shot at us,' said a woman who fled the camp").
6. **Told later**: before the story names any day, the first recent day named in the next
   :data:`LOOKAHEAD` sentences (a lede without a day: "Troops repelled an attack on a base. ...
   the terrorists invaded Kunnari at about 3am yesterday"); a day that is not a report's first.
7. **Publication**: the publication day, at week precision.

Only stated days (1) carry their mention as evidence; the others say where they came from in
``source`` (``stated``, ``night``, ``reported``, ``history``, ``story``, ``later``,
``published``).
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import NamedTuple

from ...model import DateExpr
from .extractor import DATELINE
from .tense import governing_verb
from .vocabulary import WD

#: How far before publication a named day still sets the story's day for the sentences after it.
STORY_DAYS = 14
#: How many sentences after an undated clause may give its day, before the story named one.
LOOKAHEAD = 3
#: A year (or coarser) that ended this many days before publication is history, not this week.
HISTORY_DAYS = 31

#: verbs of saying or publishing: a date they govern dates the report, not the violence
_PUBLISH_LEMMAS = frozenset({"issue", "publish"})
_WEEKDAY = re.compile(WD)
_BARE_OVERNIGHT = re.compile(r"^(?:late\s+|early\s+)?overnight$", re.IGNORECASE)
_AFTER = re.compile(r"^(?:,?[ \t]*\d{4})?[ \t]*(?:\([ \t]*[A-Za-z][\w .&-]{0,30}\)|/[^/\n]{1,30}/)?"
                             r"[ \t]*(?:-{1,2}|–|—|_|:)")
_AFTER = re.compile(r"\b(\w+|\d+) (day|week)s? (after|before|later)\b", re.I)
_SMALL = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10}


class EventDay(NamedTuple):
    """The day chosen for one event: ISO day (or None), ACLED time precision (1 day, 2 a few
    days or a week, 3 a month), the mention of the event's own clause that states it (None when
    borrowed), and where it came from."""
    value: str | None
    precision: int | None
    evidence: DateExpr | None
    source: str


def is_dateline(text: str, d: DateExpr) -> bool:
    """The date of a dateline ("KABUL, May 3 (Reuters) -", "RABAT, March 24 (KUNA) --")."""
    line_start = text.rfind("\n", 0, d.start) + 1
    if d.start - line_start > 60:
        return False
    m = DATELINE.search(text, max(0, line_start - 1), d.end + 60)
    return m is not None and m.start("m") == d.start


def dates_report(doc, d: DateExpr, trigger_start: int) -> bool:
    """'..., the United Nations said on Jan. 17': a date governed by a verb of saying dates the
    statement, not the violence (unless the trigger is that verb's own clause)."""
    from ..attribution import REPORT_LEMMAS
    if doc is None:
        return False
    span = doc.char_span(d.start, d.end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    head = span.root.head
    for _ in range(3):
        if head.pos_ == "VERB":
            break
        if head.head.i == head.i:
            break
        head = head.head
    lemma = head.lemma_.lower()
    if lemma not in REPORT_LEMMAS and lemma not in _PUBLISH_LEMMAS:
        return False
    return not (head.idx <= trigger_start < head.idx + len(head.text))


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def recent_day(value: str | None, precision: int | None, published: date | None) -> bool:
    """A day (not a month or year) within :data:`STORY_DAYS` before publication."""
    d = _day(value)
    if precision != 1 or d is None or published is None:
        return False
    return 0 <= (published - d).days <= STORY_DAYS


def within_story(first: str | None, then: str | None) -> bool:
    """``then`` is at most :data:`STORY_DAYS` after ``first`` (two ISO days): a mention without
    a day of its own may be of a day the story named, not of one long before ("File image: ...
    the strike on December 10, 2024" and this week's strike)."""
    a, b = _day(first), _day(then)
    return a is not None and b is not None and 0 <= (b - a).days <= STORY_DAYS


def usable(d: DateExpr) -> bool:
    """A mention that can date an event: a day, range, week or month, not "since/before/after"."""
    return bool(d.value_start) and d.kind in ("date", "range", "time") \
        and d.mod not in ("SINCE", "AFTER", "BEFORE") and (d.precision or 9) <= 3


def not_after(d: DateExpr, published: date | None) -> DateExpr | None:
    """The mention as the day of a reported event: a weekday the rules put after publication
    is the one before (the event happened); any other date after publication is none."""
    start = _day(d.value_start)
    if published is None or start is None or start <= published:
        return d
    if d.relative and d.precision == 1 and _WEEKDAY.search(d.text):
        back = (start - timedelta(days=7)).isoformat()
        end = _day(d.value_end)
        return replace(d, value=back, value_start=back,
                       value_end=(end - timedelta(days=7)).isoformat() if end else back)
    return None


def pick(dates: list[DateExpr], anchor: int) -> DateExpr | None:
    """The most precise mention, then the nearest to the trigger."""
    if not dates:
        return None
    return min(dates, key=lambda d: ((d.precision or 9), abs(d.start - anchor)))


def shift_after(d: DateExpr, sent_start: int, text: str, anchor: int) -> str | None:
    """'resumed two days after a ceasefire took effect on Jan. 12' -> Jan. 14 for "resumed"
    (a trigger before "after"); the ceasefire itself keeps Jan. 12."""
    before = text[sent_start:d.start]
    m = None
    for m in _AFTER.finditer(before):
        pass
    if m is None or d.precision != 1 or not d.value_start or anchor >= sent_start + m.end():
        return d.value_start
    n = int(m.group(1)) if m.group(1).isdigit() else _SMALL.get(m.group(1).lower())
    if n is None:
        return d.value_start
    days = n * (7 if m.group(2).lower() == "week" else 1)
    sign = -1 if m.group(3).lower() == "before" else 1
    return (date.fromisoformat(d.value_start) + timedelta(days=sign * days)).isoformat()


def _clause_verb(tok):
    """The verb a token hangs on, the first of coordinated verbs ("stormed ... and killed")."""
    v = governing_verb(tok)
    while v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX") and v.head.i != v.i:
        v = v.head
    return v


class EventDays:
    """The day of each event of one document (module docstring), asked in text order."""

    def __init__(self, text: str, published: date | None, doc, ctx, since_before) -> None:
        self.text = text
        self.published = published
        self.doc = doc
        self.ctx = ctx
        self.since_before = since_before
        self.story_day: str | None = None      # the last recent day the story named
        self._seen = -1                         # the sentences read for days so far

    def _mentions(self, a: int, b: int, sent_start: int, trigger_start: int
                  ) -> tuple[list[DateExpr], list[DateExpr]]:
        """The usable mentions of [a, b): (the event's own, those that date a report)."""
        own, report = [], []
        for x in self.ctx.dates_in(a, b):
            if not usable(x) or self.since_before(self.text, sent_start, x.start):
                continue
            x = not_after(x, self.published)
            if x is None:
                continue
            if is_dateline(self.text, x) or dates_report(self.doc, x, trigger_start):
                report.append(x)
            else:
                own.append(x)
        return own, report

    def _told_later(self, sent) -> tuple[DateExpr | None, DateExpr | None]:
        """The first recent day of the next sentences: (an event's, a report's)."""
        event = report = None
        sentences = self.ctx.sentences
        for s in sentences[sent.index + 1:sent.index + 1 + LOOKAHEAD]:
            if s.heading or s.teaser:
                continue
            own, rep = self._mentions(s.start, s.end, s.start, -1)
            own = [x for x in own if recent_day(x.value_start, x.precision, self.published)
                   and not _BARE_OVERNIGHT.match(x.text)]
            rep = [x for x in rep if recent_day(x.value_start, x.precision, self.published)]
            if event is None and own:
                event = min(own, key=lambda x: x.start)
            if report is None and rep:
                report = min(rep, key=lambda x: x.start)
            if event is not None:
                break
        return event, report

    def _history(self, a: int, b: int, sent_start: int, trigger_start: int) -> DateExpr | None:
        """A year or coarser date of the trigger's own clause (the verb both hang on), over
        more than :data:`HISTORY_DAYS` before publication: "seized power after a 2020 coup",
        "troops stormed the village 55 years ago"."""
        if self.doc is None or self.published is None:
            return None
        trig = self.doc.char_span(trigger_start, trigger_start + 1, alignment_mode="expand")
        if trig is None or not len(trig):
            return None
        verb = _clause_verb(trig.root)
        found = []
        for x in self.ctx.dates_in(a, b):
            end = _day(x.value_end)
            if x.kind != "date" or x.mod or (x.precision or 0) < 4 or end is None \
                    or (self.published - end).days <= HISTORY_DAYS \
                    or self.since_before(self.text, sent_start, x.start):
                continue
            span = self.doc.char_span(x.start, x.end, alignment_mode="expand")
            if span is not None and len(span) and _clause_verb(span.root).i == verb.i:
                found.append(x)
        return min(found, key=lambda x: abs(x.start - trigger_start)) if found else None

    def _read_to(self, sent) -> None:
        """The story's day from the body sentences before ``sent`` that gave no event."""
        for s in self.ctx.sentences[self._seen + 1:sent.index]:
            if s.heading or s.teaser:
                continue
            own, _ = self._mentions(s.start, s.end, s.start, -1)
            days = [x for x in own if recent_day(x.value_start, x.precision, self.published)
                    and not _BARE_OVERNIGHT.match(x.text)]
            if days:
                self.story_day = max(days, key=lambda x: x.start).value_start
        self._seen = max(self._seen, sent.index)

    def choose(self, trigger_start: int, sent, seg_a: int, seg_b: int) -> EventDay:
        self._read_to(sent)
        own, report = self._mentions(seg_a, seg_b, sent.start, trigger_start)
        d = pick(own, trigger_start)
        if d is not None and _BARE_OVERNIGHT.match(d.text) and self.story_day is not None:
            return EventDay(self.story_day, 2, None, "night")
        if d is not None:
            value = shift_after(d, sent.start, self.text, trigger_start)
            if recent_day(value, d.precision, self.published):
                self.story_day = value
            return EventDay(value, min(d.precision or 3, 3), d, "stated")
        old = self._history(seg_a, seg_b, sent.start, trigger_start)
        if old is not None:
            return EventDay(old.value_start, 3, None, "history")
        said = pick([x for x in report if x.precision == 1], trigger_start)
        if self.story_day is None:
            later, later_report = self._told_later(sent)
            if later is not None and (said is None or later.value_start <= said.value_start):
                return EventDay(later.value_start, 2, None, "later")
            if said is not None:
                return EventDay(said.value_start, 2, None, "reported")
            if later_report is not None:
                return EventDay(later_report.value_start, 2, None, "later")
        elif said is not None:
            return EventDay(said.value_start, 2, None, "reported")
        if self.story_day is not None:
            return EventDay(self.story_day, 2, None, "story")
        if self.published is not None:
            return EventDay(self.published.isoformat(), 2, None, "published")
        return EventDay(None, None, None, "none")
