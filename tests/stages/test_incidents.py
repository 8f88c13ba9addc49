"""Events of a whole report, through the public output: the story's day carried to the sentences
that name none, signals and reasons on every event, calibrated confidence in 0..1. Composed texts."""
from __future__ import annotations

import pytest

from sitroom.ingest import document_from_text


def run(pipeline, text, published):
    doc = document_from_text(text, doc_id="t", published=published)
    (res,) = list(pipeline.run([doc]))
    assert "error" not in res, res
    return res


# (text, published, sub-event type of the later sentence, its expected day)
CARRIED = [
    ("Gunmen attacked an army base near the town of Damboa on Sunday, killing six soldiers. "
     "Fighter jets later bombed the attackers as they fled toward the forest.",
     "2025-01-07", "Air/drone strike", "2025-01-05"),
    ("Rebels shelled the market of Goma on Tuesday evening. Artillery also hit a school in the "
     "town of Sake, residents said.",
     "2024-03-14", "Shelling/artillery/missile attack", "2024-03-12"),
]


@pytest.mark.pipeline
@pytest.mark.parametrize("text,published,sub,day", CARRIED)
def test_a_sentence_without_a_day_goes_on_with_the_story_day(pipeline, text, published, sub, day):
    res = run(pipeline, text, published)
    later = [e for e in res["events"] if e["sub_event_type"] == sub]
    assert later, [(e["sub_event_type"], e["event_date"]) for e in res["events"]]
    assert all(e["event_date"] == day for e in later)


@pytest.mark.pipeline
def test_an_old_day_is_not_carried(pipeline):
    # a day long before publication is history, not the story's day
    res = run(pipeline, "The army shelled Kiwanja on 3 March 2019. Artillery hit a school in the town of "
                        "Rutshuru, residents said.", "2024-06-20")
    later = [e for e in res["events"] if e["evidence"][0]["text"].startswith("Artillery")]
    assert later and all(e["event_date"] == "2024-06-20" for e in later)


@pytest.mark.pipeline
def test_every_event_has_signals_a_probability_and_a_reason_when_low(pipeline):
    from sitroom.stages.calibration import default_threshold

    res = run(pipeline, "Air strikes hit a market in Idlib on Tuesday, killing 17 civilians. The air strike "
                        "on the market destroyed shops. Clashes were also reported in Colombia last year.",
              "2020-01-15")
    assert res["events"]
    for e in res["events"]:
        assert 0.0 <= e["confidence"] <= 1.0
        assert {"heuristic", "date_explicit", "place_explicit", "mentions"} <= set(e["signals"])
        if e["confidence"] < default_threshold() and e["signals"].get("dup_type"):
            assert e["reason"].startswith("secondary")
    top = res["events"][0]
    assert top["sub_event_type"] == "Air/drone strike" and top["confidence"] == max(
        e["confidence"] for e in res["events"])


# (text, expected fatalities of the best event): tolls of coordinated groups add up; a count of
# another place or a breakdown does not
TOLLS = [
    ("Twelve soldiers and 20 militiamen fighting alongside the army were killed in an ambush near Djibo "
     "on Saturday.", 32),
    ("Gunmen killed five farmers and three herders in the village of Yelwata on Saturday.", 8),
    ("Air strikes killed 14 civilians, including six children, in Saraqib on Saturday.", 14),
    ("Nine people were killed in Tillaberi on Saturday while two others died in Dosso.", 9),
]


@pytest.mark.pipeline
@pytest.mark.parametrize("text,dead", TOLLS)
def test_tolls_of_coordinated_groups(pipeline, text, dead):
    res = run(pipeline, text, "2024-03-10")
    assert res["events"], text
    top = res["events"][0]
    assert top["fatalities"] == dead, (top["fatalities"], top["fatalities_evidence"])
    span = top["fatalities_evidence"]
    assert text[span["start"]:span["end"]] == span["text"]


@pytest.mark.pipeline
def test_places_listed_in_one_clause_are_one_event_each(pipeline):
    res = run(pipeline, "Rioters looted shops and set cars ablaze on Friday night in the cities of "
                        "Marseille, Lyon and Grenoble, the interior ministry said.", "2023-07-01")
    riots = [e for e in res["events"] if e["event_type"] == "Riots"]
    assert {e["location"] for e in riots} >= {"Marseille", "Lyon", "Grenoble"}, \
        [(e["event_type"], e["location"]) for e in res["events"]]
    assert len({e["event_id"] for e in res["events"]}) == len(res["events"])
    assert all(e["event_date"] == "2023-06-30" for e in riots)


@pytest.mark.pipeline
def test_a_lede_without_a_day_and_the_sentence_dating_it_are_one_incident(pipeline):
    # the lede gives the toll, the next sentence the day and the place: one event with all three
    res = run(pipeline, "Gunmen killed at least nine passengers in an attack on a bus in Ethiopia's "
                        "Amhara region, a local outlet reported. Witnesses said gunmen attacked the "
                        "bus on Tuesday evening near the town of Debre Markos.", "2023-05-06")
    attacks = [e for e in res["events"] if e["sub_event_type"] == "Attack" and e["confidence"] >= 0.3]
    assert attacks, [(e["sub_event_type"], e["confidence"]) for e in res["events"]]
    top = max(attacks, key=lambda e: e["confidence"])
    assert top["fatalities"] == 9 and top["event_date"] == "2023-05-02", top
    assert top["location"] == "Debre Markos" and len(top["evidence"]) == 2


@pytest.mark.pipeline
def test_the_story_count_wins_over_the_headline_count(pipeline):
    res = run(pipeline, "Rocket attack kills two children in Marib\n\nHouthi forces fired a rocket on "
                        "Sunday at an army post in Marib, killing 11 soldiers as well as two children "
                        "who were nearby, residents said.", "2021-03-15")
    top = max(res["events"], key=lambda e: e["confidence"])
    assert top["fatalities"] == 13, [(e["sub_event_type"], e["fatalities"]) for e in res["events"]]


@pytest.mark.pipeline
def test_two_tolls_joined_by_while_are_two_incidents(pipeline):
    res = run(pipeline, "Nine people were killed in an attack by gunmen on Gusau in Zamfara state on "
                        "Monday, while two others died in a separate attack in Kaura Namoda.", "2023-05-10")
    got = {(e["location"], e["fatalities"]) for e in res["events"] if e["sub_event_type"] == "Attack"}
    assert got == {("Gusau", 9), ("Kaura Namoda", 2)}, got


BODY = ("Gunmen kill 12 villagers in central Mali\n\n"
        "Gunmen killed 12 villagers in an attack on the village of Djiguibombo in Mali's Mopti "
        "region on Monday, local officials said.\n\n"
        "The attackers set fire to houses before fleeing, a resident told reporters.\n\n")


@pytest.mark.pipeline
@pytest.mark.parametrize("tail,teasers", [
    # related-link headlines after the body: another report's events, never confident
    ("Related\n\nSoldiers Kill Dozens Of Rebels In Fierce Clashes Near Gao\n\n"
     "Suicide Bomber Kills Seven At Market In Northern Burkina Faso\n",
     ["Soldiers Kill Dozens", "Suicide Bomber Kills"]),
    # a section heading followed by body sentences is part of the report
    ("Second Attack On Farmers Near Ogossagou\n\nGunmen killed four farmers in the village of "
     "Ogossagou on Tuesday, officials said.\n", []),
    # a body cut off mid-sentence is no teaser
    ("Boko Haram and a splinter group called the Islamic State in West Af", []),
])
def test_related_link_headlines_after_the_body_give_no_confident_event(pipeline, tail, teasers):
    res = run(pipeline, BODY + tail, "2024-07-03")
    found = []
    for ev in res["events"]:
        text = ev["evidence"][0]["text"]
        if any(text.startswith(t) for t in teasers):
            found.append(text)
            assert ev["confidence"] <= 0.2 and (ev["reason"] or "").startswith("teaser"), ev
        else:
            assert not (ev["reason"] or "").startswith("teaser"), ev
    assert len(found) == len(teasers), res["events"]
    top = max(res["events"], key=lambda e: e["confidence"])
    # the village the gazetteer lacks, at its region
    assert top["sub_event_type"] == "Attack" and top["location"] == "Djiguibombo", top
    assert top["admin1"] == "Mopti" and top["geo_precision"] == 3, top


# (text, published, {(location, fatalities)} of the Attack events): a toll given place by place
# without repeating its verb is one incident per place, each with its own toll
ELLIPTIC = [
    ("Gunmen attacked the villages of Dankoli, Tungar Gero and Rafin Sama in Maru Local "
     "Government Area of Zamfara State on Sunday. Police said six people were killed in Dankoli; "
     "three in Tungar Gero, and five in Rafin Sama.",
     "2023-05-09", {("Dankoli", 6), ("Tungar Gero", 3), ("Rafin Sama", 5)}),
    ("Nine people were killed in Gusau on Monday, two in Kaura Namoda and four in Tsafe, "
     "Nigerian police said.",
     "2023-05-10", {("Gusau", 9), ("Kaura Namoda", 2), ("Tsafe", 4)}),
]


@pytest.mark.pipeline
@pytest.mark.parametrize("text,published,want", ELLIPTIC)
def test_a_toll_given_place_by_place_is_one_incident_per_place(pipeline, text, published, want):
    res = run(pipeline, text, published)
    got = {(e["location"], e["fatalities"]) for e in res["events"]
           if e["sub_event_type"] == "Attack" and e["fatalities"] is not None}
    assert want <= got, got
    # the places are told apart: no second event for a place already counted
    assert len([e for e in res["events"] if e["sub_event_type"] == "Attack"
                and e["location"] in {w[0] for w in want}]) == len(want)


# (text, published, [(sub-event type, location, day)] that must all be among the events)
SPLIT = [
    # one event per day of a listed pair
    ("Rebels and army troops clashed near Kidal on Tuesday and Wednesday, residents said.",
     "2024-05-10", [("Armed clash", "Kidal", "2024-05-07"), ("Armed clash", "Kidal", "2024-05-08")]),
    # "X and the city of Y": a list of places all the same
    ("Police in Bamako and the city of Sikasso fired tear gas to disperse protests on Monday.",
     "2024-05-10", [("Protest with intervention", "Bamako", "2024-05-06"),
                    ("Protest with intervention", "Sikasso", "2024-05-06")]),
]


@pytest.mark.pipeline
@pytest.mark.parametrize("text,published,want", SPLIT)
def test_listed_days_and_places_are_events_of_their_own(pipeline, text, published, want):
    res = run(pipeline, text, published)
    got = {(e["sub_event_type"], e["location"], e["event_date"]) for e in res["events"]}
    assert set(want) <= got, got


# (text, published, expected sub-event type): who was killed decides the type (ACLED: violence
# against armed men is a battle, against civilians an attack)
KILLED = [
    ("Nine soldiers were killed by separatist fighters near Kumba on Tuesday, the army said.",
     "2024-05-10", "Armed clash"),
    ("Four members of a local self-defence force were killed in the village of Tokombere on Monday.",
     "2024-05-10", "Armed clash"),
    ("Separatist fighters killed nine villagers near Kumba on Tuesday, residents said.",
     "2024-05-10", "Attack"),
]


@pytest.mark.pipeline
@pytest.mark.parametrize("text,published,sub", KILLED)
def test_who_was_killed_decides_battle_or_attack(pipeline, text, published, sub):
    res = run(pipeline, text, published)
    top = max(res["events"], key=lambda e: e["confidence"])
    assert top["sub_event_type"] == sub, [(e["sub_event_type"], e["confidence"]) for e in res["events"]]


# (text, province, the town that stands for it): an event known only to its province is coded at
# the provincial capital with geo_precision 3 (ACLED); a town named in the text keeps its own place
PROVINCE_ONLY = [
    ("Militants attacked a convoy of soldiers across Balochistan province on Monday, killing five "
     "soldiers, officials said.", "Balochistan", "Quetta"),
    ("Heavy clashes broke out between the army and rebels in Gezira state on Sunday, residents said.",
     "Gezira", "Wad Medani"),
]


@pytest.mark.pipeline
@pytest.mark.parametrize("text,province,seat", PROVINCE_ONLY)
def test_an_event_known_only_to_its_province_is_at_its_main_town(pipeline, text, province, seat):
    res = run(pipeline, text, "2024-05-08")
    evs = [e for e in res["events"] if e["admin1"] == province]
    assert evs, [(e["location"], e["admin1"]) for e in res["events"]]
    for e in evs:
        assert (e["location"], e["geo_precision"]) == (seat, 3)
        assert e["latitude"] is not None and e["longitude"] is not None


@pytest.mark.pipeline
def test_a_named_town_keeps_its_own_place(pipeline):
    res = run(pipeline, "Gunmen killed four villagers in Kalat, Balochistan province, on Monday.", "2024-05-08")
    evs = [e for e in res["events"] if e["admin1"] == "Balochistan"]
    assert evs and all(e["location"] == "Kalat" for e in evs), [(e["location"], e["geo_precision"]) for e in evs]
