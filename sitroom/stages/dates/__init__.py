"""Temporal expressions: find them and normalise them against the publication date.

``DateExtractor()(analysis)`` fills ``analysis.dates`` with one :class:`DateExpr` per temporal
expression: spaCy ``DATE`` entities plus our own rules for what the small NER model misses.
``normalise(text, published)`` is the pure normaliser for one expression, for reuse by other
stages.

The package, bottom up:

* :mod:`.vocabulary`: the word lists (``sitroom/data/date_words.yaml``), month/weekday/number
  names and the regular-expression pieces;
* :mod:`.values`: :class:`DateValue` (what a rule reads an expression as) and the calendar
  values at each granularity;
* :mod:`.anchor`: anchoring on the publication date (years of month-days, weeks of weekdays,
  this/last/next, reporting quarters, parts of periods, prepositions, anaphors);
* :mod:`.tense`: past or future reading from the parse;
* :mod:`.handlers` and :mod:`.rules`: the rule table, one ``Rule(name, pattern, handler)`` per
  kind of expression, in priority order;
* :mod:`.span`: ``normalise`` for one expression; :mod:`.extractor`: ``DateExtractor`` (a
  dateline's day, "KABUL, May 3 (Reuters) -", anchors a story reposted later);
* :mod:`.choice`: ``EventDays``, the day of each event from these mentions (ACLED's rules: the
  clause's own day, a report's, the story's, one told just after, the publication day).

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

from .extractor import DateExtractor
from .rules import RULES, Rule
from .span import normalise
from .values import DateValue

__all__ = ["DateExtractor", "DateValue", "RULES", "Rule", "normalise"]
