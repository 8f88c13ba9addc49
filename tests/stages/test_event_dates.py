"""The day of each event (stages/dates/choice.py): the clause's own day, a report's day, the
story's day, a day told just after, the publication day; nights, datelines and days the rules
put after publication. Composed reports, one worked example per rule of the module."""
from __future__ import annotations

from datetime import date

import pytest

from sitroom.ingest import document_from_text
from sitroom.model import DateExpr
from sitroom.stages.dates import normalise
from sitroom.stages.dates.choice import (EventDays, is_dateline, not_after, recent_day,
                                         within_story)
from sitroom.stages.dates.extractor import dateline_day


def run(pipeline, text, published):
    doc = document_from_text(text, doc_id="t", published=published)
    (res,) = list(pipeline.run([doc]))
    assert "error" not in res, res
    return res


def days_of(res, event_type):
    return sorted({e["event_date"] for e in res["events"] if e["event_type"] == event_type})


def days_told(res, opening):
    """The days of the events whose first evidence sentence opens with ``opening``."""
    return sorted({e["event_date"] for e in res["events"] if e["evidence"][0]["text"].startswith(opening)})


def sources(res):
    return [(e["event_type"], e["event_date"], e["signals"].get("date_source")) for e in res["events"]]


# ---------------------------------------------------------------- through the pipeline

@pytest.mark.pipeline
@pytest.mark.parametrize("text,published,opening,day", [
    # the ministry's statement is the only day: ACLED codes the day of the report (Thursday)
    ("The Health Ministry said on Thursday that one farmer was shot dead by gunmen in the "
     "village of Kuru.", "2024-08-17", "The Health Ministry", "2024-08-15"),
    # a fronted report day ("On Sunday, the army said ...") after the story named Monday
    ("Warplanes bombed the port of Hodeidah on Monday, residents said. On Sunday, the army said "
     "that its drones destroyed two rocket launchers near the town of Zabid.", "2024-09-10",
     "On Sunday", "2024-09-08"),
])
def test_the_day_of_the_report(pipeline, text, published, opening, day):
    res = run(pipeline, text, published)
    assert days_told(res, opening) == [day], sources(res)


@pytest.mark.pipeline
@pytest.mark.parametrize("text,published,etype,day", [
    # an undated lede, its day in the next sentence
    ("Troops repelled an attack by insurgents on a military base in Borno State. The fighters "
     "stormed the village of Kunnari at about 3am yesterday, residents said.", "2023-03-28",
     "Battles", "2023-03-27"),
    # the day told after a report's day: the report's is not the event's
    ("Nineteen people were killed when gunmen burst into a cockfight in western Mexico. "
     "Prosecutors said Monday that the attack occurred late Sunday near the town of Tarimoro.",
     "2022-03-28", "Violence against civilians", "2022-03-27"),
])
def test_an_undated_lede_takes_the_day_told_just_after(pipeline, text, published, etype, day):
    res = run(pipeline, text, published)
    assert days_of(res, etype) == [day], sources(res)


@pytest.mark.pipeline
@pytest.mark.parametrize("text,published,opening,day", [
    pytest.param("Gunmen killed four villagers in an attack on the village of Dogo in Plateau State. "
                 "The police confirmed the toll. Residents fled to the town of Bokkos. Schools were "
                 "closed. Aid groups sent food. On Sunday, bandits kidnapped a priest in Kaduna.",
                 "2024-05-08", "Gunmen killed", "2024-05-08", id="a day told much later is not the lede's"),
    pytest.param("Hundreds of families set up camp around the main square of Port-au-Prince. They "
                 "moved to the square on Thursday night from a camp a mile away. Gunmen shot dead two "
                 "men in the camp of Place Jeremie, a resident said.",
                 "2023-09-02", "Gunmen shot", "2023-08-31",
                 id="a day named in a sentence without an event is the story's day"),
])
def test_the_day_of_a_story_without_its_own(pipeline, text, published, opening, day):
    res = run(pipeline, text, published)
    assert days_told(res, opening) == [day], sources(res)


@pytest.mark.pipeline
def test_no_reported_event_is_dated_after_publication(pipeline):
    # a present-tense headline puts "on Friday" in the week ahead; the event happened: Sept. 30
    text = ("Troops kill 12 insurgents in Borno on Friday\n\n"
            "Troops killed twelve insurgents near the town of Damboa, the army said.")
    res = run(pipeline, text, "2022-10-02")   # a Sunday
    assert days_of(res, "Battles") == ["2022-09-30"], sources(res)


@pytest.mark.pipeline
def test_overnight_after_a_named_day_is_that_night(pipeline):
    text = ("Herdsmen stormed the village of Agasha late Monday night, killing two farmers. "
            "In a statement, the army said gunmen burnt houses in the village of Tse Akaa overnight.")
    res = run(pipeline, text, "2020-05-13")
    assert "2020-05-13" not in days_of(res, "Violence against civilians") + days_of(res, "Strategic developments"), \
        sources(res)


@pytest.mark.pipeline
def test_a_dateline_dates_the_report_and_anchors_its_weekdays(pipeline):
    # a wire story of Wednesday May 3 reposted on Saturday May 6: Tuesday is May 2
    text = "KABUL, May 3 (Reuters) - Gunmen shot dead five police officers in Kunduz on Tuesday."
    res = run(pipeline, text, "2023-05-06")
    assert days_of(res, "Violence against civilians") + days_of(res, "Battles") == ["2023-05-02"], sources(res)


@pytest.mark.pipeline
def test_history_in_a_photo_caption_does_not_absorb_this_weeks_strike(pipeline):
    text = ("File image: the aftermath of an air strike on a research centre in Damascus on "
            "December 10, 2024.\n\nA drone strike hit the defence ministry building in Damascus, "
            "witnesses said.")
    res = run(pipeline, text, "2025-07-16")
    strikes = [e for e in res["events"] if e["event_type"] == "Explosions/Remote violence"]
    assert "2025-07-16" in {e["event_date"] for e in strikes}, sources(res)


# ---------------------------------------------------------------- the parts

def _expr(text, value, start=0, precision=1, relative=True):
    return DateExpr(text, start, start + len(text), value, value, value, precision, relative)


def test_not_after_publication():
    pub = date(2022, 10, 2)
    assert not_after(_expr("Friday", "2022-10-07"), pub).value_start == "2022-09-30"
    assert not_after(_expr("30 June", "2022-06-30", relative=True), date(2022, 6, 17)) is None
    same = _expr("Sunday", "2022-10-02")
    assert not_after(same, pub) is same
    assert not_after(same, None) is same


def test_recent_day_and_within_story():
    pub = date(2024, 3, 8)
    assert recent_day("2024-03-01", 1, pub) and recent_day("2024-03-08", 1, pub)
    assert not recent_day("2024-02-01", 1, pub) and not recent_day("2024-03-09", 1, pub)
    assert not recent_day("2024-03-01", 2, pub)
    assert within_story("2024-03-01", "2024-03-08") and not within_story("2024-12-10", "2025-07-16")
    assert not within_story("2024-03-08", "2024-03-01") and not within_story(None, "2024-03-01")


@pytest.mark.parametrize("text,target,yes", [
    ("KABUL, May 3 (Reuters) - Gunmen killed five.", "May 3", True),
    ("Intro\nRABAT, March 24 (KUNA) -- Polls closed.", "March 24", True),
    ("WASHINGTON, Jan. 16, 2020 /AP/ -- The strike hit.", "Jan. 16, 2020", True),
    ("Gunmen attacked Kabul, May 3 and 4, killing five.", "May 3", False),
    ("The rally was held on May 3 - the police said.", "May 3", False),
])
def test_is_dateline(text, target, yes):
    i = text.index(target)
    assert is_dateline(text, _expr(target, "2020-05-03", i)) is yes


def test_dateline_day_anchors_only_a_story_reposted_later():
    text = "KABUL, May 3 (Reuters) - Gunmen killed five people on Tuesday."
    assert dateline_day(text, date(2023, 5, 6)) == date(2023, 5, 3)
    assert dateline_day(text, date(2023, 5, 3)) is None        # the publication day itself
    assert dateline_day(text, date(2023, 9, 6)) is None        # too long before: not this story's
    assert dateline_day("Gunmen killed five people on May 3.", date(2023, 5, 6)) is None
    assert dateline_day(text, None) is None


@pytest.mark.parametrize("text,pub,value", [
    ("overnight Friday", date(2024, 3, 9), "2024-03-08"),
    ("Friday overnight", date(2024, 3, 9), "2024-03-08"),
    ("overnight into Friday", date(2024, 3, 8), "2024-03-07"),
    ("overnight Thursday into Friday", date(2024, 3, 9), "2024-03-07"),
    ("Thursday night into Friday", date(2024, 3, 9), "2024-03-07"),
    ("the night of Thursday to Friday", date(2024, 3, 9), "2024-03-07"),
])
def test_a_night_is_dated_by_the_day_it_starts(text, pub, value):
    d = normalise(text, pub)
    assert (d.value, d.kind, d.precision) == (value, "time", 1)
    assert d.value_end == date.fromordinal(date.fromisoformat(value).toordinal() + 1).isoformat()


def test_event_days_needs_nothing_but_the_document_parts():
    # no publication date, no dates: no day at all
    class Ctx:
        sentences = []

        @staticmethod
        def dates_in(a, b):
            return []

    class Sent:
        index, start, end, heading, teaser = 0, 0, 10, False, False

    days = EventDays("Gunmen attacked.", None, None, Ctx(), lambda *a: False)
    assert days.choose(0, Sent(), 0, 10) == (None, None, None, "none")


@pytest.mark.pipeline
@pytest.mark.parametrize("text,opening,year", [
    # the year hangs on the trigger's own verb: history, never this week's day
    ("Gunmen killed two soldiers near Gao on Monday. In 2013, jihadists attacked the town of "
     "Konna and killed dozens of soldiers.", "In 2013", "2013"),
    ("Fifty-five years ago, soldiers stormed the village of Son My and killed hundreds of "
     "villagers.", "Fifty-five years ago", "1968"),
])
def test_history_keeps_its_year(pipeline, text, opening, year):
    res = run(pipeline, text, "2023-03-16")
    told = [e for e in res["events"] if e["evidence"][0]["text"].startswith(opening)]
    assert told and all(e["event_date"].startswith(year) for e in told), sources(res)
    assert all(e["signals"]["date_source"] == "history" and e["date_evidence"] is None for e in told)


@pytest.mark.pipeline
def test_a_year_in_a_relative_clause_does_not_date_the_attack(pipeline):
    text = ("Gunmen attacked the village of Kuru on Sunday. Boko Haram, whose insurgency began "
            "in 2009, also attacked an army post in the town of Damboa.")
    res = run(pipeline, text, "2023-03-16")
    assert days_told(res, "Boko Haram") and all(d.startswith("2023-03") for d in days_told(res, "Boko Haram")), \
        sources(res)


@pytest.mark.pipeline
def test_a_scrape_date_in_the_page_header_dates_nothing(pipeline):
    # the store printed the day it scraped the page (after publication) above the headline
    text = ("24.9 C\nFriday, July 19, 2024\nGunmen kill 12 in attack on boat in Mali\n"
            "Gunmen attacked a boat on the Niger river near Timbuktu yesterday, killing twelve "
            "passengers, the government said.")
    res = run(pipeline, text, "2023-09-08")
    assert res["events"] and {e["event_date"] for e in res["events"]} == {"2023-09-07"}, sources(res)
