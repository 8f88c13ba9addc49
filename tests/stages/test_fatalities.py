"""The fatality count of an event, on composed sentences: units that are never counts, single
victims, ranges, vague words, the doer who is no victim, the sentence after an event's sentence,
ACLED's rule that a suicide bombing's dead include the bomber, tallies over several incidents."""
from __future__ import annotations

import pytest

from sitroom.ingest import document_from_text
from sitroom.model import Document
from sitroom.nlp import parse_one
from sitroom.stages.casualties import bomber_not_counted, find_counts
from sitroom.stages.numbers import find_numbers


def killed(text):
    """(value, cumulative) of the death counts of ``text``, in text order."""
    doc = parse_one(Document("t", text)).doc
    return [(c.number.value, c.cumulative) for c in find_counts(doc, []) if c.kind == "killed"
            and c.parent is None]


# (text, number text, value, low, high): a range is one number, its lower bound the value
NUMBERS = [
    ("between 19 and 21 people were killed", "19 and 21", 19, 19, 21),
    ("19 to 21 people were killed", "19 to 21", 19, 19, 21),
    ("two or three soldiers died", "two or three", 2, 2, 3),
    ("two dozen fighters were killed", "two dozen", 24, None, None),
    ("a dozen fighters were killed", "a dozen", 12, None, None),
]


@pytest.mark.parametrize("text,span,value,low,high", NUMBERS)
def test_ranges_and_dozens(text, span, value, low, high):
    (n,) = find_numbers(text)
    assert (n.text, n.value, n.low, n.high) == (span, value, low, high)


def test_a_change_is_two_numbers_and_how_many_is_none():
    # "rose from 19 to 21": the toll changed, no range
    assert [n.value for n in find_numbers("the toll rose from 19 to 21")] == [19, 21]
    assert find_numbers("the army did not say how many fighters were killed") == []
    assert find_numbers("so many people died") == []


# (text, the death counts): measures are no counts; one victim written as a word is one; the doer
# of the killing is no victim; the head of a compound is the counted noun
COUNTS = [
    ("Police seized 60 to 70 kg of explosives after the blast killed 3 people.", [(3, False)]),
    ("The bomb exploded 50 km from the town and killed 4 soldiers.", [(4, False)]),
    ("A protester died after being shot near the square.", [(1, False)]),
    ("Earlier, a mob killed a cleric in an attack on a mosque.", [(1, False)]),
    ("A 47-year-old man was shot and killed on the road.", [(1, False)]),
    ("Another police constable was shot dead while leaving his home.", [(1, False)]),
    ("The gang attacked her home, killing her 3-year-old son.", [(1, False)]),
    ("Protester killed as crowds clash with police\n\nThe crowd gathered at noon.", [(1, False)]),
    ("A gunman killed two farmers near the village.", [(2, False)]),
    # named victims: one each, the names coordinated with the first counted too
    ("Gunmen on a motorcycle attacked, killing Jalal Khan, Azizullah, and Abdullah instantly.", [(3, False)]),
    ("The institute reported that armed men killed Carlos Andres Posada in his home.", [(1, False)]),
    ("The commander was shot by John Smith, police said.", []),
    ("7 casualties in Hama and the army executes 2 men in the countryside", [(7, False), (2, False)]),
    ("The attack left three traffic policemen martyred on Sunday.", [(3, False)]),
    ("Eight Civilians Killed 14 Injured in Bombing in Damascus", [(8, False)]),
    ("The insurgency launched by the rebels in 2009 has killed tens of thousands of people.", [(10000, True)]),
    ("More than 3,600 people have been killed, most of them in the north, since the rebels took up "
     "arms.", [(3600, True)]),
    ("The fighting has killed more than 200 fighters and at least 37 civilians.", [(200, True), (37, True)]),
    ("Gunmen have killed 12 villagers in an attack on the village of Yelwata.", [(12, False)]),
    ("On Monday air strikes killed 23 people in the town which has been under siege ever since the "
     "rebels seized it.", [(23, False)]),
    # the cue of the other clause of "while" is not this count's
    ("Officials confirmed the death toll of 41 in Khost, while six people were killed in Kunar.",
     [(41, True), (6, False)]),
    # a cue word inside a name is no cue
    ("The Rights Campaign published the names of 41 people killed that day.", [(41, False)]),
    ("Protests Go On: Death Toll Rises to 133 Across the Country", [(133, True)]),
    ("One ranger was killed by a bomb today, the latest in a spate of attacks that claimed six "
     "lives over the weekend.", [(1, False), (6, True)]),
]


@pytest.mark.parametrize("text,want", COUNTS)
def test_death_counts(text, want):
    assert killed(text) == want


# (sub-event type, statement, the bomber is to be added)
BOMBERS = [
    ("Suicide bomb", "Nine civilians died when a suicide bomber blew himself up at the market.", True),
    ("Suicide bomb", "A suicide bombing killed nine people, including the bomber, at the market.", False),
    ("Suicide bomb", "The suicide bomber was arrested before the blast that killed two guards.", False),
    ("Remote explosive/landmine/IED", "A roadside bomb killed nine civilians at the market.", False),
    # a headline's toll may hold the bomber: unsaid, nothing added
    ("Suicide bomb", "Suicide attack kills 11 in the camp", False),
]


@pytest.mark.parametrize("sub,text,add", BOMBERS)
def test_the_bomber_counts(sub, text, add):
    assert bomber_not_counted(sub, text) is add


def run(pipeline, text, published="2024-03-10"):
    doc = document_from_text(text, doc_id="t", published=published)
    (res,) = list(pipeline.run([doc]))
    assert "error" not in res, res
    return res


def best(res, sub):
    evs = [e for e in res["events"] if e["sub_event_type"] == sub]
    assert evs, [(e["sub_event_type"], e["fatalities"]) for e in res["events"]]
    return max(evs, key=lambda e: e["confidence"])


# (text, sub-event type, expected fatalities of its most confident event)
EVENTS = [
    # the next sentence goes on about the same incident: its count is the event's
    ("A roadside bomb exploded at the gate of a mosque in Kandahar on Sunday. Five people were killed, "
     "a police spokesman said.", "Remote explosive/landmine/IED", 5),
    # ... unless it opens on another place
    ("Gunmen set fire to shops in Kaduna on Sunday. In Zaria, four people were killed in a separate "
     "attack.", "Looting/property destruction", None),
    # ACLED: the bomber is among the dead
    ("Twelve civilians were killed on Friday when a suicide bomber blew himself up at a market in "
     "Maiduguri.", "Suicide bomb", 13),
    # the lower bound of a range
    ("Gunmen killed 19 to 21 villagers in an attack on the village of Yelwata in Benue state on "
     "Saturday.", "Attack", 19),
    # one victim written with his age (the age is no date, no count)
    ("A 47-year-old man was shot and killed on Sunday on a road in Yala province.", "Attack", 1),
    # "more than 40", then the exact figure: 41
    ("Security forces opened fire on protesters in Zahedan on Friday, killing more than 40 people. "
     "Activists have published the names of 41 people killed that day.",
     "Excessive force against protesters", 41),
    # a stated number wins over a vague word
    ("Seventeen soldiers and 36 volunteers were killed in an attack near Djibo on Monday, and dozens "
     "of attackers were also killed.", "Armed clash", 53),
]


@pytest.mark.pipeline
@pytest.mark.parametrize("text,sub,dead", EVENTS)
def test_event_fatalities(pipeline, text, sub, dead):
    ev = best(run(pipeline, text), sub)
    assert ev["fatalities"] == dead, (ev["fatalities"], ev["fatalities_evidence"])


@pytest.mark.pipeline
def test_a_loose_toll_of_another_province_is_not_taken(pipeline):
    # the count of the last sentence is of Garissa: the Mandera clash does not take it
    res = run(pipeline, "Al-Shabaab militants clashed with police reservists in Mandera on Monday. "
                        "The governor condemned the violence.\n\nOn Sunday morning, a gang killed six "
                        "officers in Garissa County.", "2025-03-25")
    for e in res["events"]:
        if e["admin1"] == "Mandera":
            assert e["fatalities"] is None, e
