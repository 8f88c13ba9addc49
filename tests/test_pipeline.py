"""End to end on composed reports from several conflicts (not the seed), through the public output."""
from datetime import date

import pytest

from sitroom.components import PipelineError, component, markdown_table, register, registered, spec
from sitroom.ingest import document_from_text
from sitroom.model import Analysis, QualityFlag, RESULT_KEYS
from sitroom.pipeline import Pipeline, result_dict
from sitroom.stages.default import DEFAULT_STAGES


def run(pipeline, text, published="2021-03-10", doc_id="t"):
    doc = document_from_text(text, doc_id=doc_id, published=published)
    (res,) = list(pipeline.run([doc]))
    assert "error" not in res, res
    return res


def best(res):
    return res["events"][0] if res["events"] else None


def test_yemen_air_strike(pipeline):
    res = run(pipeline, "Saudi-led coalition air strikes killed at least 12 civilians in the Yemeni "
                        "city of Hodeidah on Monday, medics said. Houthi officials accused the "
                        "coalition of targeting a wedding.", published="2021-03-10")
    ev = best(res)
    assert ev["sub_event_type"] == "Air/drone strike"
    assert ev["country"] == "Yemen" and ev["geo_precision"] == 1
    assert abs(ev["latitude"] - 14.80) < 0.2 and abs(ev["longitude"] - 42.95) < 0.2  # Hodeidah
    assert ev["event_date"] == "2021-03-08" and ev["time_precision"] == 1
    assert ev["fatalities"] == 12 and ev["civilian_fatalities"] == 12
    assert any(c["kind"] == "accusation" for c in res["claims"])


def test_donbas_shelling(pipeline):
    res = run(pipeline, "Russian-backed separatists shelled the town of Avdiivka in Donetsk region "
                        "overnight, killing two Ukrainian soldiers, the military said on Feb. 3.",
              published="2017-02-03")
    ev = best(res)
    assert ev["sub_event_type"] == "Shelling/artillery/missile attack"
    assert ev["country"] == "Ukraine" and ev["geo_precision"] == 1
    assert ev["fatalities"] == 2


def test_sahel_clash(pipeline):
    res = run(pipeline, "Malian soldiers clashed with jihadist fighters near Mopti on Sunday, the army "
                        "said, adding that 15 militants were killed in the fighting.",
              published="2020-06-09")
    ev = best(res)
    assert ev["event_type"] == "Battles"
    assert ev["country"] == "Mali"
    assert ev["event_date"] == "2020-06-07"


def test_protest_in_capital(pipeline):
    res = run(pipeline, "Police fired tear gas at thousands of protesters in Khartoum on Thursday "
                        "as demonstrators demanded civilian rule.", published="2019-06-07")
    ev = best(res)
    assert ev["event_type"] == "Protests"
    assert ev["country"] == "Sudan" and ev["location"] == "Khartoum"
    assert ev["event_date"] == "2019-06-06"


def test_denied_strike_is_no_event_but_a_claim(pipeline):
    res = run(pipeline, "The ministry denied bombing civilians in Marib.", published="2021-03-10")
    assert not [e for e in res["events"] if e["sub_event_type"] == "Air/drone strike"]
    assert [c for c in res["claims"] if c["kind"] == "denial"]


def test_no_publication_date_keeps_year_unknown(pipeline):
    doc = document_from_text("Gunmen killed five villagers near Djibo on March 4.", doc_id="x")
    (res,) = list(pipeline.run([doc]))
    assert res["published"] is None
    d = [x for x in res["dates"] if "March 4" in x["text"]][0]
    assert d["year_known"] is False
    assert str(date.today().year) not in (d["value"] or "")
    assert any(q["kind"] == "year_unknown" for q in res["quality"])
    for ev in res["events"]:
        assert ev["event_date"] is None or not ev["event_date"].startswith(str(date.today().year))


def test_batch_order_and_errors(pipeline):
    from sitroom.model import DocError
    docs = [document_from_text("Clashes erupted in Gao on Monday.", doc_id="a", published="2020-01-10"),
            DocError("b", "empty document"),
            document_from_text("Police arrested 20 protesters in Algiers.", doc_id="c", published="2020-01-10")]
    out = list(pipeline.run(docs, batch_size=2))
    assert [r["doc_id"] for r in out] == ["a", "b", "c"]
    assert out[1] == {"doc_id": "b", "error": "empty document"}


def test_headline_without_trigger_still_gives_an_event(pipeline):
    res = run(pipeline, "Massive bombardment kills 47 in the countryside of Idlib")
    ev = best(res)
    assert ev is not None and ev["admin1"] == "Idlib" and ev["fatalities"] == 47


def test_disaster_is_no_fallback_event(pipeline):
    res = run(pipeline, "An earthquake killed at least 40 people in the mountains of Herat on Sunday.")
    assert not res["events"]


def test_joined_headlines_keep_their_own_counts_and_tally_ranks_low(pipeline):
    res = run(pipeline, "Aerial bombardment kills 7 in Aleppo;132 people were killed yesterday, "
                        "including 12 members of the regime forces and 80 civilians")
    ev = best(res)
    assert ev["admin1"] == "Aleppo" and ev["fatalities"] == 7
    assert ev["event_date"] == "2021-03-10"


def test_country_level_event_takes_the_main_province(pipeline):
    res = run(pipeline, "Air strikes in northern Syria killed 12 civilians on Monday. The strikes "
                        "hit two villages in the countryside of Aleppo, and residents of Aleppo "
                        "fled.", published="2021-03-10")
    assert best(res)["admin1"] == "Aleppo"


def test_count_in_a_following_sentence(pipeline):
    res = run(pipeline, "Russian warplanes struck the town of Saraqib in Idlib province overnight. "
                        "Rescuers pulled the bodies of 9 civilians from the rubble.")
    assert best(res)["fatalities"] == 9


def test_the_lede_event_leads(pipeline):
    """News puts the event the story is about in its first sentence: a later, better-dated
    sentence about a calmer march does not outrank it."""
    res = run(pipeline, "Protesters threw stones at riot police in Conakry. "
                        "Thousands marched peacefully through Conakry on Monday.")
    assert best(res)["sub_event_type"] == "Violent demonstration"
    assert {e["sub_event_type"] for e in res["events"]} == {"Violent demonstration", "Peaceful protest"}


def test_what_happened_to_a_protest_is_its_type(pipeline):
    """One demonstration, coded by the most severe thing the report tells of it afterwards."""
    res = run(pipeline, "Thousands of opposition supporters took to the streets of Conakry on Monday "
                        "to demand early elections. Police fired tear gas and water cannon to "
                        "disperse the crowd.")
    assert best(res)["sub_event_type"] == "Protest with intervention"
    assert "Peaceful protest" not in {e["sub_event_type"] for e in res["events"]}


def test_a_death_count_belongs_to_the_violent_event_not_the_truce_beside_it(pipeline):
    res = run(pipeline, "Air strikes hit a crowded market in Idlib city on Tuesday, killing at least 17 "
                        "civilians, two days after a Turkish-Russian ceasefire took effect in the province. "
                        "Police arrested three men after a clash that killed two people in Ariha.",
              published="2020-01-15")
    by_type = {}
    for e in res["events"]:
        by_type.setdefault(e["sub_event_type"], []).append(e["fatalities"])
    assert 17 in by_type.get("Air/drone strike", []), res["events"]
    quiet = [f for t in ("Agreement", "Arrests") for f in by_type.get(t, [])]
    assert quiet and all(f is None for f in quiet), res["events"]


def test_types_without_fatalities_are_taxonomy_sub_event_types():
    from sitroom.data import load
    tax = load("taxonomy.yaml")
    known = {s["name"] for t in tax["event_types"] for s in t["sub_event_types"]}
    assert set(tax["without_fatalities"]) <= known


def test_the_actor_of_a_sentence_counts_for_all_its_events(pipeline):
    # "police reservists" is the actor phrase nearest "reservists", not "roadside bomb": the
    # sentence's actor is shared, so the stronger trigger ranks first
    res = run(pipeline, "A roadside bomb struck a vehicle carrying Kenyan police reservists in Lamu "
                        "county on Monday.", published="2021-03-10")
    assert best(res)["sub_event_type"] == "Remote explosive/landmine/IED", res["events"]


# ---------------------------------------------------------------- components: registry and order



@component("test_scorer", requires=("events",), assigns=("events.confidence",))
class _HalfScorer:
    """A stand-in for a learned scorer: every event's confidence becomes 0.5."""
    instances = 0

    def __init__(self):
        type(self).instances += 1

    def __call__(self, analysis):
        for ev in analysis.events:
            ev.confidence = 0.5


@component("test_flag", requires=("dates", "quality"), assigns=("quality",))
def _flag_dates(analysis):
    """One info flag counting the dates (returns the Analysis, which a component may do)."""
    analysis.quality.append(QualityFlag("test_dates", f"{len(analysis.dates)} date(s)", severity="info"))
    return analysis


@component("test_needs_figures", requires=("figures",), assigns=("claims",))
def _needs_figures(analysis):
    raise AssertionError("never run: its pipeline cannot be built")


@component("test_bad_return", assigns=("quality",))
def _bad_return(analysis):
    return ["not", "an", "analysis"]


def test_the_default_pipeline_runs_the_default_stages(pipeline):
    assert pipeline.stage_names == DEFAULT_STAGES
    assert set(DEFAULT_STAGES) <= set(registered())


def test_a_registered_component_plugs_in_and_its_output_is_seen():
    p = Pipeline()
    instances = _HalfScorer.instances
    p.add("test_scorer", after="events")
    p.add("test_flag")
    assert _HalfScorer.instances == instances + 1          # instantiated once, when added
    assert p.stage_names == DEFAULT_STAGES[:DEFAULT_STAGES.index("events") + 1] + ("test_scorer",) \
        + DEFAULT_STAGES[DEFAULT_STAGES.index("events") + 1:] + ("test_flag",)
    res = run(p, "Gunmen killed five villagers near Djibo on Monday.")
    assert res["events"] and {e["confidence"] for e in res["events"]} == {0.5}
    assert [q["message"] for q in res["quality"] if q["kind"] == "test_dates"] == [f"{len(res['dates'])} date(s)"]


def test_a_pipeline_of_chosen_stages():
    p = Pipeline(stages=["dates", "numbers", "quality", "test_flag"])
    assert p.stage_names == ("dates", "numbers", "quality", "test_flag")
    res = run(p, "Gunmen killed five villagers near Djibo on March 4, 2021.")
    assert [d["text"] for d in res["dates"]] == ["March 4, 2021"]
    assert res["events"] == [] and res["places"] == []
    assert any(q["kind"] == "test_dates" and q["message"] == "1 date(s)" for q in res["quality"])


@pytest.mark.parametrize("stages, message", [
    (["places", "nonesuch"], "unknown component 'nonesuch'; registered components: "),
    ("places", "stages is a list of component names, not the string 'places'"),
    (["places", "dates", "places"], "component 'places' is listed twice"),
    (["context"], "component 'context' requires 'places', which no component before it assigns; "
                  "no component in this pipeline assigns it"),
    (["dates", "numbers", "events", "counts"], "component 'events' requires 'places', which no component"),
    (["places", "dates", "context", "actors", "triggers", "numbers", "attributions", "events", "counts"],
     "component 'events' requires 'counts', which no component before it assigns; 'counts' assigns it "
     "but comes later"),
    (["numbers", "test_needs_figures"], "component 'test_needs_figures' requires 'figures'"),
    (["test_scorer"], "component 'test_scorer' requires 'events'"),
])
def test_a_pipeline_that_cannot_run_is_refused_when_built(stages, message):
    with pytest.raises(PipelineError) as err:
        Pipeline(stages=stages)
    assert message in str(err.value)


def test_unknown_names_list_the_registered_components():
    with pytest.raises(PipelineError) as err:
        Pipeline(stages=["plaices"])
    for name in DEFAULT_STAGES:
        assert name in str(err.value)


def test_refining_a_field_needs_it_assigned_before():
    @component("test_refine_places", assigns=("places.role",))
    def refine(analysis):
        pass

    with pytest.raises(PipelineError, match="'test_refine_places' refines 'places', which no component"):
        Pipeline(stages=["test_refine_places"])
    assert Pipeline(stages=["places", "test_refine_places"]).stage_names == ("places", "test_refine_places")


def test_add_and_remove_keep_the_pipeline_valid(pipeline):
    p = Pipeline(stages=["dates", "numbers", "counts", "quality"])
    with pytest.raises(PipelineError, match="'test_needs_figures' requires 'figures'"):
        p.add("test_needs_figures", before="quality")
    with pytest.raises(PipelineError, match="no such component in this pipeline"):
        p.add("test_flag", after="events")
    with pytest.raises(PipelineError, match="not both"):
        p.add("test_flag", before="quality", after="counts")
    with pytest.raises(PipelineError, match="'counts' requires 'numbers'"):
        p.remove("numbers")
    assert p.stage_names == ("dates", "numbers", "counts", "quality")       # unchanged by the failures
    p.add("attributions", before="dates")
    p.remove("counts")
    assert p.stage_names == ("attributions", "dates", "numbers", "quality")
    with pytest.raises(PipelineError, match="no component 'counts'"):
        p.remove("counts")


@pytest.mark.parametrize("kwargs, message", [
    ({"assigns": ("evnts",)}, "assigned field 'evnts' is not a field of Analysis"),
    ({"requires": ("event",), "assigns": ("events",)}, "requirement 'event' is not a field of Analysis"),
    ({"requires": "events", "assigns": ("events",)}, "must be a tuple of field names"),
    ({"assigns": ()}, "assigns nothing"),
])
def test_a_component_is_declared_with_analysis_fields(kwargs, message):
    with pytest.raises(PipelineError, match=message):
        register("test_declared", lambda analysis: None, **kwargs)
    assert "test_declared" not in registered()


def test_a_name_is_registered_once():
    with pytest.raises(PipelineError, match="'places' is already registered"):
        register("places", lambda analysis: None, assigns=("places",))
    assert spec("places").obj.__name__ == "PlaceExtractor"


def test_a_component_returns_none_or_the_analysis():
    from sitroom.ingest import document_from_text
    p = Pipeline(stages=["test_bad_return"])
    with pytest.raises(TypeError, match="component 'test_bad_return' returned list"):
        p.analyse(Analysis(document=document_from_text("Nothing.", doc_id="n")))
    (res,) = list(p.run([document_from_text("Nothing.", doc_id="n")]))
    assert res["error"].startswith("internal error during extraction: TypeError: component 'test_bad_return'")


def test_working_fields_stay_out_of_the_result(pipeline):
    from sitroom.ingest import document_from_text
    doc = document_from_text("Rebels shelled Aleppo on Monday, killing 3 people, a military spokesman said.",
                             doc_id="w", published="2021-03-10")
    (res,) = list(pipeline.run([doc]))
    assert set(res) == {"doc_id", "content_hash", "title", "published", "published_from", "source",
                        "url", *RESULT_KEYS}
    # the working fields are filled, though: the components assigned them
    from sitroom.nlp import parse_one
    a = pipeline.analyse(parse_one(doc))
    assert a.context is not None and a.counts and a.attributions and a.numbers
    assert result_dict(a) == res


def test_the_architecture_page_shows_the_default_components():
    from pathlib import Path
    page = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    start, end = "<!-- components: generated by python -m sitroom.components -->", "<!-- end of components -->"
    assert start in page and end in page
    shown = page.split(start, 1)[1].split(end, 1)[0].strip()
    assert shown == markdown_table(DEFAULT_STAGES), "docs/architecture.md: paste `python -m sitroom.components`"
