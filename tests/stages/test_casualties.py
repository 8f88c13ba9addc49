"""Counts and speakers on composed news texts (not the seed)."""
from sitroom.stages.attribution import find_attributions
from sitroom.stages.casualties import find_counts
from sitroom.model import Document
from sitroom.nlp import parse_one


def analyse(text):
    return parse_one(Document("t", text))


def test_breakdown_and_cumulative_toll():
    a = analyse("Since the offensive began in March, monitors have documented the deaths of "
                "at least 412 civilians, including 97 children and 60 women, the group said.")
    counts = find_counts(a.doc, [])
    top = [c for c in counts if c.parent is None]
    assert len(top) == 1
    assert top[0].number.value == 412 and top[0].kind == "killed"
    assert top[0].breakdown == {"children": 97, "women": 60, "civilians": 412}
    assert top[0].cumulative and top[0].verified


def test_incident_counts_kinds():
    a = analyse("A Saudi-led coalition air strike killed 12 people and wounded 30 others in "
                "Hodeidah on Tuesday. About 4,000 families fled the fighting.")
    kinds = {c.number.value: c.kind for c in find_counts(a.doc, [])}
    assert kinds[12] == "killed"
    assert kinds[30] == "injured"
    assert kinds[4000] == "displaced"


def test_population_is_not_a_figure():
    a = analyse("The town of 40,000 people lies on the highway to Gao.")
    assert find_counts(a.doc, []) == []


def test_speakers_pronouns_and_surnames():
    a = analyse("Ukraine's military spokesman Oleksandr Shtupun said two soldiers were killed. "
                "Separatist forces shelled Avdiivka overnight, he said. "
                "Shtupun told reporters the front was calm elsewhere.")
    attrs = find_attributions(a.doc)
    speakers = [x.speaker for x in attrs]
    assert speakers[0] == "Oleksandr Shtupun"
    assert all(s == "Oleksandr Shtupun" for s in speakers), speakers
    assert attrs[0].role and "spokesman" in attrs[0].role


def test_according_to_and_plural_sources():
    a = analyse("Residents and medics said gunmen opened fire on the market, according to Reuters.")
    speakers = {x.speaker for x in find_attributions(a.doc)}
    assert "Residents and medics" in speakers
    assert "Reuters" in speakers


def test_headline_style_counts():
    cases = {
        "Aerial bombardment kills 10 in Bab al-Neirab": (10, "killed"),
        "11 members of the regime forces killed in clashes": (11, "killed"),
        "5 killed, 12 wounded in car bomb blast in Azaz": (12, "injured"),
        "The bodies of 6 fighters were found near the river": (6, "killed"),
        "Police arrested 20 protesters in Algiers": (20, "detained"),
    }
    for text, (value, kind) in cases.items():
        got = {c.number.value: c.kind for c in find_counts(analyse(text).doc, [])}
        assert got.get(value) == kind, (text, got)


def test_headline_counts_and_clause_level_tolls():
    a = analyse("The coalition kills 11 people, raising its civilian death toll to 317 in the "
                "province; warplanes kill 4 in the town.")
    by_value = {c.number.value: c for c in find_counts(a.doc, [])}
    assert by_value[11].kind == "killed" and not by_value[11].cumulative
    assert by_value[317].cumulative
    assert by_value[4].kind == "killed" and not by_value[4].cumulative


def test_war_in_warplanes_is_no_tally_and_martyrs_are_dead():
    a = analyse("Warplanes struck the market and at least 10 martyrs were reported.")
    (c,) = [c for c in find_counts(a.doc, []) if c.number.value == 10]
    assert c.kind == "killed" and not c.cumulative


def test_monitor_casualties_and_single_victims():
    a = analyse("Shelling on the village causes 9 casualties and several others were wounded.")
    (c,) = [c for c in find_counts(a.doc, []) if c.number.value == 9]
    assert c.kind == "killed"
    a = analyse("A roadside bomb killed 3 soldiers and caused 12 casualties among passers-by.")
    kinds = {c.number.value: c.kind for c in find_counts(a.doc, [])}
    assert kinds[3] == "killed" and kinds[12] == "injured"
    a = analyse("Rocket attack on a checkpoint kills soldier, wounds three.")
    assert any(c.number.value == 1 and c.kind == "killed" for c in find_counts(a.doc, []))


def test_html_character_reference_is_no_count():
    a = analyse("Fighting near the &#8220;Turkish&#8221; border killed 20 people.")
    assert {c.number.value for c in find_counts(a.doc, [])} == {20}


def test_headlines_glued_by_semicolons_are_split():
    a = analyse("Regime shells Daraa countryside;7 killed in Aleppo;Syria")
    assert [t.text for t in a.doc][4:6] == [";", "7"]
    got = {c.number.value: c.kind for c in find_counts(a.doc, [])}
    assert got.get(7) == "killed"


def test_the_final_toll_of_one_incident_is_no_tally():
    a = analyse("New deaths raise the death toll of the Kafr Nabl market massacre to 14.")
    (c,) = [c for c in find_counts(a.doc, []) if c.number.value == 14]
    assert c.kind == "killed" and not c.cumulative
    a = analyse("More deaths raise to 6, the number of people killed in the bombing of the bakery.")
    (c,) = [c for c in find_counts(a.doc, []) if c.number.value == 6]
    assert not c.cumulative
    # over a period it stays a tally
    a = analyse("New deaths raise the death toll of the shelling on the town to 90 people killed in four days.")
    (c,) = [c for c in find_counts(a.doc, []) if c.number.value == 90]
    assert c.cumulative


def test_a_state_word_after_the_noun_sets_the_kind():
    # "left N dead": not people who left (displaced); "N injured" after the noun likewise
    a = analyse("A bomb attack on a minibus in the north has left at least seven passengers dead, "
                "the police said. The blast also left four other passengers injured.")
    kinds = {c.number.value: c.kind for c in find_counts(a.doc, [])}
    assert kinds[7] == "killed"
    assert kinds[4] == "injured"


def test_the_rising_toll_of_one_incident_is_a_death_count():
    a = analyse("The number of rebels killed in the clash with the army near the river on Monday "
                "has increased to 27.")
    counts = [c for c in find_counts(a.doc, []) if c.number.value == 27]
    assert counts and counts[0].kind == "killed" and not counts[0].cumulative
