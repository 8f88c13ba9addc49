"""The date rule table itself: every rule complete and named once, each with a worked example,
and the value type the handlers return."""
from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from sitroom.model import DateExpr
from sitroom.stages.dates import RULES, DateValue, Rule, normalise
from sitroom.stages.dates.anchor import resolve_anaphor
from sitroom.stages.dates.values import granularity

PUB = date(2020, 1, 17)  # a Friday

#: one example per rule: (text the rule's pattern is searched in, tense, expected value, kind)
EXAMPLES = {
    "iso": ("2020-01-14", "past", "2020-01-14", "date"),
    "iso_month": ("2019-12", "past", "2019-12", "date"),
    "numeric": ("16/01/2020", "past", "2020-01-16", "date"),
    "range_md": ("March 3-5, 2019", "past", "2019-03-03/2019-03-05", "range"),
    "range_dm": ("3-5 March 2019", "past", "2019-03-03/2019-03-05", "range"),
    "mdy": ("Thursday, Jan. 16", "past", "2020-01-16", "date"),
    "dmy": ("16 January 2020", "past", "2020-01-16", "date"),
    "quarter": ("the third quarter of 2019", "past", "2019-Q3", "date"),
    "qshort": ("Q3 2019", "past", "2019-Q3", "date"),
    "half": ("the first half of 2019", "past", "2019-H1", "date"),
    "part": ("early December 2019", "past", "2019-12", "date"),
    "month_year": ("December 2019", "past", "2019-12", "date"),
    "spelled_year": ("nineteen ninety-six", "past", "1996", "date"),
    "month_rel": ("last March", "past", "2019-03", "date"),
    "month_of_rel": ("March last year", "past", "2019-03", "date"),
    "month": ("in March", "past", "2019-03", "date"),
    "month_bare": ("June", "future", "2020-06", "date"),
    "season": ("last summer", "past", "2019-SU", "date"),
    "fiscal": ("fiscal 1998", "past", "1998", "date"),
    "decade": ("the 1990s", "past", "199", "date"),
    "century": ("the 20th century", "past", "19", "date"),
    "ago": ("three days ago", "past", "2020-01-14", "date"),
    "holiday": ("Christmas", "past", "2019-12-25", "date"),
    "night": ("overnight Thursday into Friday", "past", "2020-01-16", "time"),
    "rel_day": ("yesterday", "past", "2020-01-16", "date"),
    "weekday": ("last Friday", "past", "2020-01-10", "date"),
    "rel_unit": ("last week", "past", "2020-W02", "date"),
    "rel_the": ("the fiscal year", "past", "2020", "date"),
    "anaphor": ("two days later", "past", None, "date"),
    "nth_day": ("Today is the eighth day of the siege", "past", "2020-01-17", "date"),
    "elided_last": ("twice as many this year as last", "past", "2019", "date"),
    "in_units": ("in five years", "future", "2025", "date"),
    "year": ("in 2019", "past", "2019", "date"),
    "duration": ("three days", "past", None, "duration"),
    "duration2": ("the past week", "past", None, "duration"),
    "duration3": ("weeks", "past", None, "duration"),
}


def test_every_rule_has_a_name_a_compiled_pattern_and_a_handler():
    assert RULES and all(isinstance(r, Rule) for r in RULES)
    for r in RULES:
        assert isinstance(r.name, str) and re.fullmatch(r"[a-z][a-z0-9_]*", r.name), r
        assert isinstance(r.pattern, re.Pattern) and r.pattern.flags & re.IGNORECASE, r.name
        assert callable(r.handler), r.name
        assert r.accept is None or callable(r.accept), r.name


def test_rule_names_are_unique():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_every_rule_has_a_worked_example():
    assert set(EXAMPLES) == {r.name for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_each_rule_reads_its_example(rule):
    text, tense, value, kind = EXAMPLES[rule.name]
    m = rule.pattern.search(text)
    assert m is not None, f"{rule.name} does not match {text!r}"
    r = rule.handler(m, PUB, tense, {})
    assert isinstance(r, DateValue), rule.name
    assert (r.value, r.kind) == (value, kind)
    if value is not None:
        assert r.start is not None and r.end is not None and r.start <= r.end


def test_table_order_decides_normalise():
    # "March 3-5, 2019" is also "March 3" (mdy) and "2019" (year): the range comes first
    d = normalise("March 3-5, 2019", PUB)
    assert (d.value, d.kind) == ("2019-03-03/2019-03-05", "range")
    names = [r.name for r in RULES]
    assert names.index("range_md") < names.index("mdy") < names.index("year")


def test_value_fields_are_the_date_expression_fields():
    r = DateValue("2020-01-16", date(2020, 1, 16), date(2020, 1, 16), 1)
    fields = r.expr_fields()
    assert fields["value_start"] == fields["value_end"] == "2020-01-16"
    assert set(fields) == {f.name for f in dataclasses.fields(DateExpr)} - {"text", "start", "end"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.value = "2020-01-17"


def test_anaphor_takes_the_latest_anchor_at_least_as_fine_as_its_unit():
    anchors = [("day", date(2019, 3, 4)), ("year", date(2018, 1, 1))]
    assert resolve_anaphor(("day", 1, None), anchors).value == "2019-03-05"
    assert resolve_anaphor(("year", -1, None), anchors).value == "2017"
    assert resolve_anaphor(("weekday", -1, 4), anchors).value == "2019-03-01"  # the previous Friday
    assert resolve_anaphor(("day", 1, None), [("year", date(2018, 1, 1))]) is None
    assert resolve_anaphor(("any", 0, None), []) is None


@pytest.mark.parametrize("value,gran", [("2020-01-16", "day"), ("2020-W03", "week"), ("2020-01", "month"),
                                        ("2020-Q1", "quarter"), ("2020", "year"), ("2019-SU", "year"),
                                        ("199", None), ("2020-01-16/2020-01-18", None), (None, None)])
def test_granularity(value, gran):
    assert granularity(value) == gran
