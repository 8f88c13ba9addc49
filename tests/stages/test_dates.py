"""Temporal expressions: extraction from text and normalisation against the publication date."""
from __future__ import annotations

from datetime import date

import pytest

from sitroom.stages.dates import DateExtractor, normalise
from sitroom.model import Document

PUB = date(2020, 1, 17)  # a Friday


@pytest.fixture(scope="module")
def extract():
    from sitroom.nlp import parse_one

    def run(text: str, published: date | None = PUB):
        doc = Document(doc_id="t", text=text, published=published)
        an = parse_one(doc)
        DateExtractor()(an)
        for d in an.dates:
            assert text[d.start:d.end] == d.text
        return an.dates
    return run


def find(dates, text):
    hits = [d for d in dates if d.text == text]
    assert hits, f"{text!r} not in {[d.text for d in dates]}"
    return hits[0]


# ---------------------------------------------------------------- normalise()

@pytest.mark.parametrize("text,value,vs,ve,prec", [
    ("Jan. 16", "2020-01-16", "2020-01-16", "2020-01-16", 1),
    ("January 16, 2020", "2020-01-16", "2020-01-16", "2020-01-16", 1),
    ("16 January 2020", "2020-01-16", "2020-01-16", "2020-01-16", 1),
    ("2020-01-14", "2020-01-14", "2020-01-14", "2020-01-14", 1),
    ("14/01/2020", "2020-01-14", "2020-01-14", "2020-01-14", 1),
    ("early December", "2019-12", "2019-12-01", "2019-12-10", 2),
    ("late November", "2019-11", "2019-11-21", "2019-11-30", 2),
    ("mid-2019", "2019", "2019-05-01", "2019-08-31", 4),
    ("December 2019", "2019-12", "2019-12-01", "2019-12-31", 3),
    ("earlier this month", "2020-01", "2020-01-01", "2020-01-17", 2),
    ("last week", "2020-W02", "2020-01-06", "2020-01-12", 2),
    ("this week", "2020-W03", "2020-01-13", "2020-01-19", 2),
    ("last month", "2019-12", "2019-12-01", "2019-12-31", 3),
    ("this year", "2020", "2020-01-01", "2020-12-31", 4),
    ("last year", "2019", "2019-01-01", "2019-12-31", 4),
    ("two days ago", "2020-01-15", "2020-01-15", "2020-01-15", 1),
    ("three years ago", "2017", "2017-01-01", "2017-12-31", 4),
    ("yesterday", "2020-01-16", "2020-01-16", "2020-01-16", 1),
    ("Thursday", "2020-01-16", "2020-01-16", "2020-01-16", 1),
    ("Friday", "2020-01-17", "2020-01-17", "2020-01-17", 1),
    ("Saturday", "2020-01-11", "2020-01-11", "2020-01-11", 1),
    ("the third quarter", "2019-Q3", "2019-07-01", "2019-09-30", 4),
    ("the first quarter of 2019", "2019-Q1", "2019-01-01", "2019-03-31", 4),
    ("the 1990s", "199", "1990-01-01", "1999-12-31", 4),
    ("summer 2019", "2019-SU", "2019-06-01", "2019-08-31", 4),
])
def test_normalise_values(text, value, vs, ve, prec):
    d = normalise(text, PUB)
    assert d is not None
    assert (d.value, d.value_start, d.value_end, d.precision) == (value, vs, ve, prec)
    assert d.year_known


def test_month_day_takes_year_on_or_before_publication():
    d = normalise("on April 29", PUB)
    assert (d.text, d.value, d.relative) == ("April 29", "2019-04-29", True)
    assert (d.start, d.end) == (3, 11)
    # a few days after publication stays in the same year (announced dates)
    assert normalise("Jan. 20", PUB).value == "2020-01-20"
    # a date given with its year is not relative
    assert normalise("April 29, 2018", PUB).relative is False


def test_since_is_trimmed_and_recorded():
    d = normalise("since April 29", PUB)
    assert d.text == "April 29" and d.start == 6
    assert (d.kind, d.mod, d.value) == ("since", "SINCE", "2019-04-29")
    assert (d.value_start, d.value_end) == ("2019-04-29", "2020-01-17")


def test_range_between():
    d = normalise("between March 3 and 5", date(2020, 3, 20))
    assert d.kind == "range"
    assert (d.value_start, d.value_end, d.precision) == ("2020-03-03", "2020-03-05", 2)
    d = normalise("March 3-5, 2019", PUB)
    assert (d.value_start, d.value_end) == ("2019-03-03", "2019-03-05")


def test_durations_have_no_value():
    for t in ("three days", "the past year", "two weeks"):
        d = normalise(t, PUB)
        assert d is not None and d.kind == "duration" and d.value is None, t


def test_weekday_future_tense_looks_forward():
    assert normalise("Thursday", PUB, tense="future").value == "2020-01-23"
    assert normalise("next Monday", PUB).value == "2020-01-20"
    assert normalise("last Friday", PUB).value == "2020-01-10"


def test_year_unknown_without_publication_date():
    d = normalise("Jan. 16", None)
    assert (d.value, d.year_known, d.value_start, d.value_end) == ("XXXX-01-16", False, None, None)
    assert d.relative is False
    d = normalise("early December", None)
    assert d.value == "XXXX-12" and not d.year_known and d.value_start is None
    for t in ("Thursday", "yesterday", "last week", "two days ago"):
        d = normalise(t, None)
        assert d is not None and not d.year_known and d.value_start is None, t
        assert d.value is None or d.value.startswith("XXXX"), t
    # an explicit year needs no publication date
    d = normalise("Jan. 16, 2020", None)
    assert (d.value, d.year_known) == ("2020-01-16", True)


def test_not_dates():
    assert normalise("the convoy", PUB) is None
    assert normalise("", PUB) is None


# ---------------------------------------------------------------- extraction from text

def test_yemen_air_strikes(extract):
    text = ("Saudi-led coalition air strikes hit a market in Saada province on Thursday, killing 12 "
            "civilians, local officials said. Earlier this month, strikes on Jan. 9 killed five "
            "people near Hodeidah. Fighting has continued since early December.")
    ds = extract(text)
    assert find(ds, "Thursday").value == "2020-01-16"
    assert find(ds, "Earlier this month").value == "2020-01"
    assert find(ds, "Jan. 9").value == "2020-01-09"
    d = find(ds, "early December")
    assert (d.value, d.value_start, d.value_end, d.kind) == ("2019-12", "2019-12-01", "2020-01-17", "since")
    assert not any(d.text.lower().startswith(("on ", "since ")) for d in ds)


def test_donbas_shelling(extract):
    pub = date(2019, 7, 24)
    text = ("Two Ukrainian soldiers were killed by shelling near Avdiivka yesterday, the military said. "
            "Separatist forces shelled Marinka two days ago and again last week. A ceasefire agreed "
            "on July 21 has been violated 14 times. In 2018, 110 soldiers died, and the conflict "
            "has killed 13,000 people since April 2014. The shelling lasted three hours.")
    ds = extract(text, pub)
    assert find(ds, "yesterday").value == "2019-07-23"
    assert find(ds, "two days ago").value == "2019-07-22"
    assert find(ds, "last week").value == "2019-W29"
    assert find(ds, "July 21").value == "2019-07-21"
    assert find(ds, "2018").value == "2018"
    d = find(ds, "April 2014")
    assert (d.value, d.kind, d.mod) == ("2014-04", "since", "SINCE")
    assert find(ds, "three hours").kind == "duration"
    # numbers are not years
    assert not any(d.text in ("13,000", "110") for d in ds)


def test_sahel_clashes(extract):
    pub = date(2020, 1, 10)
    text = ("Jihadist fighters attacked an army post in Chinagodrar, Niger, on Jan. 9, 2020, "
            "killing 89 soldiers. The attack was the deadliest since December 10, 2019, when 71 "
            "soldiers were killed at Inates. In mid-2019 clashes spread to Burkina Faso; between "
            "March 3 and 5 more than 60 civilians died. The report, dated 14/01/2020, covers the "
            "past year.")
    ds = extract(text, pub)
    assert find(ds, "Jan. 9, 2020").value == "2020-01-09"
    d = find(ds, "December 10, 2019")
    assert (d.value, d.kind) == ("2019-12-10", "since")
    assert find(ds, "mid-2019").mod == "MID"
    r = [d for d in ds if d.kind == "range"]
    assert r and r[0].value_start == "2019-03-03" and r[0].value_end == "2019-03-05"
    assert find(ds, "14/01/2020").value == "2020-01-14"
    assert find(ds, "the past year").kind == "duration"


def test_protest_weekdays_and_times(extract):
    pub = date(2019, 10, 2)  # a Wednesday
    text = ("Thousands of protesters gathered in Baghdad's Tahrir Square on Tuesday and again this "
            "morning. Security forces fired tear gas on Monday night. Organisers said they will "
            "march again on Friday.")
    ds = extract(text, pub)
    assert find(ds, "Tuesday").value == "2019-10-01"
    d = find(ds, "this morning")
    assert (d.value, d.kind) == ("2019-10-02", "time")
    assert find(ds, "Monday night").value == "2019-09-30"
    assert find(ds, "Friday").value == "2019-10-04"  # "will march": the coming Friday


def test_seed_like_dates(extract):
    text = ("Air strikes resumed on Jan. 15, she said. Since hostilities intensified in Idlib on "
            "April 29, monitors have verified the incidents. Around 350,000 people have fled since "
            "early December, the United Nations said on Jan. 16.")
    ds = extract(text)
    assert find(ds, "Jan. 15").value == "2020-01-15"
    assert find(ds, "April 29").value == "2019-04-29"
    d = find(ds, "early December")
    assert d.value_start.startswith("2019-12") and d.kind == "since"
    assert find(ds, "Jan. 16").value == "2020-01-16"
    assert not any("350,000" in d.text for d in ds)


def test_year_unknown_in_document(extract):
    text = "Gunmen attacked a checkpoint on Jan. 16 and again on Thursday."
    ds = extract(text, None)
    d = find(ds, "Jan. 16")
    assert (d.value, d.year_known, d.value_start) == ("XXXX-01-16", False, None)
    d = find(ds, "Thursday")
    assert not d.year_known and d.value_start is None
    assert all(not (d.value or "").startswith(str(date.today().year)) for d in ds)


def test_offsets_follow_document_text(extract):
    text = "Headline\n\nOn Jan. 16, militants attacked. Since April 29, 300 died."
    ds = extract(text)
    for d in ds:
        assert text[d.start:d.end] == d.text
    assert [d.text for d in ds][:2] == ["Jan. 16", "April 29"]


def test_month_day_shortly_after_publication_stays_in_its_year():
    # "has set Nov. 10 as the deadline" (8 days after publication) is not a year ago
    pub = date(1989, 11, 2)
    assert normalise("Nov. 10", pub).value == "1989-11-10"
    assert normalise("Jan. 30", PUB).value == "2020-01-30"   # 13 days ahead
    assert normalise("Feb. 5", PUB).value == "2019-02-05"    # 19 days ahead: last year's


def test_bare_month_and_two_quarters():
    assert normalise("June", PUB).value == "2019-06"          # a month name tagged DATE by spaCy
    assert normalise("June", PUB, tense="future").value == "2020-06"
    d = normalise("the first two quarters of 2021", PUB)
    assert (d.value, d.value_start, d.value_end) == ("2021-H1", "2021-01-01", "2021-06-30")
    assert normalise("the last two quarters of 2019", PUB).value == "2019-H2"


def test_anaphoric_expressions_follow_the_last_date(extract):
    ds = extract("On May 22, 1995, he was made a general, and the following year he was appointed "
                 "attache. Imports reached $1.5 billion in 1988, and the share fell that year.")
    assert find(ds, "the following year").value == "1996"
    assert find(ds, "that year").value == "1988"
    ds = extract("The board met in March. The following month, the company put itself up for sale.")
    assert find(ds, "March").value == "2019-03"
    assert find(ds, "The following month").value == "2019-04"
    ds = extract("The treaty was signed on Jan. 1, and the next day the army withdrew. The war had "
                 "ended in 1991, and two years later a truce was signed.")
    assert find(ds, "the next day").value == "2020-01-02"
    assert find(ds, "two years later").value == "1993"
    ds = extract("The index fell on Friday, Jan. 10, down 4.5% from the previous Friday.")
    assert find(ds, "the previous Friday").value == "2020-01-03"
    ds = extract("The rights will terminate on Nov. 30. Until then, the stock remains convertible.")
    assert find(ds, "then").value == "2020-11-30"
    # a time of the publication day ("overnight losses") is no anchor; a named day's time is
    ds = extract("The index closed on Friday, Jan. 10. London shares fell on overnight losses in "
                 "New York and closed down 4.5% from the previous Friday.")
    assert find(ds, "the previous Friday").value == "2020-01-03"
    ds = extract("Police raided the house on Monday night, and the next day they charged him.")
    assert find(ds, "the next day").value == "2020-01-14"
    ds = extract("The president spoke in Boston today and arrived in Philadelphia later in the day.")
    assert find(ds, "later in the day").value == "2020-01-17"
    # with nothing before them they stay unresolved
    assert normalise("the following year", PUB).value is None
    ds = extract("The following year, he left.")
    assert find(ds, "The following year").value is None


def test_present_tense_weekday_is_ahead(extract):
    # PUB is a Friday: "meet Monday" is the coming Monday, "met Monday" the last one
    ds = extract("He and Arafat meet separately Monday with the secretary of state.")
    assert find(ds, "Monday").value == "2020-01-20"
    ds = extract("He and Arafat met separately Monday with the secretary of state.")
    assert find(ds, "Monday").value == "2020-01-13"
    # "hurt" is a past tense too; a possessive weekday hangs on a noun, not on the verb
    ds = extract("The Nasdaq index, which fell 1.4%, or 6.43, on Friday, hurt the market.")
    assert find(ds, "Friday").value == "2020-01-17"
    ds = extract("Nestle's share before Friday's purchases is far below its rivals.")
    assert find(ds, "Friday").value == "2020-01-17"


def test_tense_read_after_a_leading_preposition(extract):
    # "through January" is a deadline: the coming January, although the verb is perfect
    ds = extract("The bank has extended up to $90 million in revolving loans through January.",
                 date(1989, 10, 30))
    assert find(ds, "January").value == "1990-01"


def test_participle_takes_the_tense_of_its_clause(extract):
    ds = extract("The airline said it would add three weekly flights, with the third departing "
                 "each Thursday from August 6.")
    assert find(ds, "August 6").value == "2020-08-06"


def test_in_n_units_is_a_date_only_when_looking_ahead(extract):
    ds = extract("The preferred stock would be redeemed in five years.")
    assert find(ds, "five years").value == "2025"
    ds = extract("They built the dam in five years.")
    d = find(ds, "five years")
    assert (d.value, d.kind) == (None, "duration")


def test_quarter_century_is_not_business_prose(extract):
    # "a year earlier" means the same quarter a year before only in earnings reports
    ds = extract("Unemployment was at a quarter-century low last month. Hourly earnings rose 3.8 "
                 "percent from a year earlier.")
    assert find(ds, "a year earlier").value == "2019"
    ds = extract("Net income fell in the third quarter. Earnings were 40 cents a share, up from 30 "
                 "cents a share a year earlier.", date(2019, 10, 25))
    assert find(ds, "a year earlier").value == "2018-Q3"


def test_quarter_the_story_names_is_the_reporting_quarter(extract):
    # a fiscal first quarter reported in October: "the quarter" and "a year ago" follow it
    pub = date(1989, 10, 26)
    text = ("Sun Microsystems posted a loss for its fiscal first quarter. Net income fell to $5 "
            "million, or 5 cents a share, from $20 million a year ago. Sun shipped 28,000 systems "
            "in the quarter, and first-quarter revenue rose. The year-ago results were restated.")
    ds = extract(text, pub)
    assert find(ds, "a year ago").value == "1988-Q1"
    assert find(ds, "The year-ago").value == "1988-Q1"
    assert find(ds, "the quarter").value == "1989-Q1"
    # without a named quarter, the calendar's: the last completed one in earnings season
    ds = extract("Net income fell to $5 million, or 5 cents a share, from $20 million a year ago. "
                 "Earnings in the quarter were hurt by costs.", pub)
    assert find(ds, "a year ago").value == "1988-Q3"


# ---------------------------------------------------------------- TimeML reader and scorer

TML = """<?xml version="1.0" ?>
<TimeML>
<DOCID>T1</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="2020-01-17" functionInDocument="CREATION_TIME">20200117</TIMEX3></DCT>
<TEXT>Shelling hit Marinka on <TIMEX3 tid="t1" type="DATE" value="2020-01-16">Thursday</TIMEX3> &amp; \
again <TIMEX3 tid="t2" type="DATE" value="PRESENT_REF">now</TIMEX3>, after <TIMEX3 tid="t3" type="DURATION" \
value="P3D">three days</TIMEX3> of calm in <TIMEX3 tid="t4" type="DATE" value="2020-W02">last week</TIMEX3>.</TEXT>
</TimeML>
"""


def test_read_and_score_timeml(tmp_path):
    from sitroom.evaluate.timeml import read_timeml, score_timeml
    f = tmp_path / "t.tml"
    f.write_text(TML, encoding="utf-8")
    [g] = read_timeml(f)
    assert g["published"] == date(2020, 1, 17)
    assert g["text"].startswith("Shelling hit Marinka on Thursday & again now")
    for t in g["timex"]:
        assert g["text"][t["start"]:t["end"]] == t["text"]
    s_thu = g["text"].index("Thursday")
    s_week = g["text"].index("last week")
    pred = [{"start": s_thu, "end": s_thu + 8, "value": "2020-01-16"},
            {"start": s_week, "end": s_week + 9, "value": "2020-W03"}]
    sc = score_timeml([g], [pred])
    assert sc["n"] == 2   # PRESENT_REF and the duration are not scored
    assert sc["timex_recall"] == 1.0 and sc["value_accuracy"] == 0.5


def test_holidays_come_from_the_data_file():
    """Every fixed-date holiday of sitroom/data/date_words.yaml is recognised and dated, in any
    capitalisation, with or without its apostrophe."""
    from sitroom.data import load

    holidays = load("date_words.yaml")["holidays"]
    assert len(holidays) >= 10
    for name, (month, day) in holidays.items():
        for form in (name.title(), name.replace("'", "")):
            d = normalise(f"{form} 2018", PUB)
            assert d is not None and d.value == f"2018-{month:02d}-{day:02d}", (form, d)
    assert normalise("Thanksgiving 2019", PUB).value == "2019-11-28"


def test_expression_before_a_complementizer_is_not_in_that_clause():
    """A weekday hung (by a parse error) on the verb of a "that"-clause it precedes takes no
    tense from that clause: "warnings on Thursday that strikes could harm ..." is a past Thursday."""
    import spacy
    from spacy.tokens import Doc

    words = ["Paris", "rejected", "warnings", "on", "Thursday", "that", "sanctions", "could",
             "harm", "trade", "."]
    heads = [8, 8, 1, 1, 3, 8, 8, 8, 8, 8, 8]   # everything hung on "harm", the clause's verb
    deps = ["nsubj", "advcl", "dobj", "prep", "pobj", "mark", "nsubj", "aux", "ROOT", "dobj", "punct"]
    pos = ["PROPN", "VERB", "NOUN", "ADP", "PROPN", "SCONJ", "NOUN", "AUX", "VERB", "NOUN", "PUNCT"]
    tags = ["NNP", "VBD", "NNS", "IN", "NNP", "IN", "NNS", "MD", "VB", "NN", "."]
    doc = Doc(spacy.blank("en").vocab, words=words, heads=heads, deps=deps, pos=pos, tags=tags)
    text = doc.text
    pos_thu = text.index("Thursday")
    assert DateExtractor._tense_at(doc, pos_thu, text) == "past"
    d = find(DateExtractor().extract(text, PUB, doc), "Thursday")
    assert d.value == "2020-01-16"
    # the clause's own weekday still looks ahead
    words2 = ["Paris", "warned", "that", "sanctions", "could", "start", "on", "Monday", "."]
    heads2 = [1, 1, 5, 5, 5, 1, 5, 6, 1]
    deps2 = ["nsubj", "ROOT", "mark", "nsubj", "aux", "ccomp", "prep", "pobj", "punct"]
    pos2 = ["PROPN", "VERB", "SCONJ", "NOUN", "AUX", "VERB", "ADP", "PROPN", "PUNCT"]
    tags2 = ["NNP", "VBD", "IN", "NNS", "MD", "VB", "IN", "NNP", "."]
    doc2 = Doc(spacy.blank("en").vocab, words=words2, heads=heads2, deps=deps2, pos=pos2, tags=tags2)
    assert DateExtractor._tense_at(doc2, doc2.text.index("Monday"), doc2.text) == "future"


def test_nth_day_of_something_said_of_another_day_is_not_today(extract):
    # said of another day, or a day of a calendar unit: no value from this rule
    ds = extract("The talks broke down on the third day of the conference.")
    assert all(d.value != "2020-01-17" for d in ds if "third day" in d.text)
    d = normalise("the second day", PUB)   # alone, nothing says it is today
    assert d is None or d.value is None
    ds = extract("Today is the first day of the month.")
    assert all(d.value != "2020-01-17" for d in ds if "first day" in d.text)


def test_last_years_quarter_is_the_same_quarter_a_year_before():
    pub = date(2019, 11, 1)   # earnings season for the third quarter
    assert normalise("last year's quarter", pub).value == "2018-Q3"
    assert normalise("last year's period", pub).value == "2018-Q3"
    assert normalise("last year", pub).value == "2018"


def test_last_as_a_rank_or_adverb_is_no_date(extract):
    # "last" as a rank or an adverb is no date
    ds = extract("He came in last. The runner finished last, as expected.")
    assert not [d for d in ds if d.text == "last"]



# A date expression in a sentence and its value: this session's rules for tense, anaphora and
# business quarters, one row per reading (published PUB, a Friday, unless given).
@pytest.mark.parametrize("text,expr,value,pub", [
    # "today is / it's the Nth day of ...": the day of publication
    ("Today is the fifth day of the siege of the northern town.", "the fifth day", "2020-01-17", PUB),
    ("It's the 12th straight day of strikes at the port, union leaders said.", "the 12th straight day",
     "2020-01-17", PUB),
    # "told ... of a cutback in March": the cutback's month, the nearest March (ahead here); on
    # the past verb itself: the last March
    ("Reports said Iran told European refiners of a 10 percent cutback in its oil exports in March.",
     "March", "2020-03", PUB),
    ("The ministry cut supplies in March.", "March", "2019-03", PUB),
    # "the quarter ended D": the calendar quarter it mostly covers (May-July: the second); the
    # date keeps its own value; a numbered quarter keeps its (fiscal) number
    ("In the quarter ended July 31, the retailer lost $2 million.", "the quarter", "2019-Q2", date(2019, 10, 30)),
    ("In the quarter ended July 31, the retailer lost $2 million.", "July 31", "2019-07-31", date(2019, 10, 30)),
    ("In the quarter ended Jan. 31, 2019, sales rose.", "the quarter", "2018-Q4", date(2019, 3, 5)),
    ("For the quarter ended Sept. 30, profit fell.", "the quarter", "2019-Q3", date(2019, 10, 30)),
    ("In its fourth quarter ended June 30, the company lost money.", "fourth quarter", "2019-Q4",
     date(2019, 10, 30)),
    # an elided unit after "last": "this year as last"
    ("Holders may get twice as high a dividend this year as last.", "last", "2019", PUB),
    ("Sales were higher this month than last, analysts said.", "last", "2019-12", PUB),
    # "would ... once the troops left on Monday": the future of then, the coming Monday; under a
    # past clause: the last Monday
    ("He said the rebels would attack once the troops left on Monday.", "Monday", "2020-01-20", PUB),
    ("Banks were likely to buy the bonds as soon as trading opened Monday.", "Monday", "2020-01-20", PUB),
    ("The rebels fled when the army attacked on Monday.", "Monday", "2020-01-13", PUB),
])
def test_date_values_in_context(extract, text, expr, value, pub):
    assert find(extract(text, pub), expr).value == value
