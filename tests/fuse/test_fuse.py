"""Fusion rules, the blocking index, and near-linear cost (no database)."""
from __future__ import annotations

from datetime import date

import pytest

from sitroom import fuse
from sitroom.fuse import Fuser, compare, date_range, mention_record, merge, new_event
from sitroom.fuse.synthetic import iter_mentions, pairwise_scores, synthetic_results


def m(**kw) -> dict:
    return mention_record(raw(**kw))


def raw(**kw) -> dict:
    """A pipeline event dict (what ``mention_record`` reads)."""
    base = {"event_date": "2020-01-16", "time_precision": 1, "sub_event_type": "Air/drone strike",
            "event_type": "Explosions/Remote violence", "actor1": "Military Forces of Russia",
            "actor2": None, "country": "Syria", "country_code": "SY", "admin1": "Idlib",
            "location": "Ariha", "latitude": 35.8137, "longitude": 36.6106, "geo_precision": 1,
            "fatalities": 21}
    base.update(kw)
    return base


def test_date_ranges_follow_precision():
    d = lambda s: date.fromisoformat(s).toordinal()  # noqa: E731
    assert date_range("2020-01-16", 1) == (d("2020-01-16"), d("2020-01-16"))
    assert date_range("2020-01-16", 2) == (d("2020-01-09"), d("2020-01-23"))
    assert date_range("2020-01-01", 3) == (d("2020-01-01"), d("2020-01-31"))
    assert date_range("2020-01", None) == (d("2020-01-01"), d("2020-01-31"))
    assert date_range("2020", None) == (d("2020-01-01"), d("2020-12-31"))
    assert date_range(None, 1) is None and date_range("16 January", 1) is None


def test_same_event_reported_differently_merges_with_reasons():
    s, why = compare(m(sub_event_type="Shelling/artillery/missile attack", fatalities=19), new_event(m()))
    assert s is not None and s >= fuse.WEIGHTS.threshold
    text = " ".join(why)
    assert "same sub-event family" in text and "same day" in text and "km apart" in text
    assert "shared actor" in text and "fatalities agree" in text


def test_rules_that_forbid_a_merge():
    e = new_event(m())
    assert compare(m(sub_event_type="Peaceful protest"), e)[0] is None
    assert compare(m(event_date="2020-01-19"), e)[0] is None
    assert compare(m(country_code="TR", country="Turkey"), e)[0] is None
    s, why = compare(m(latitude=35.95, longitude=36.75), e)          # ~20 km, town-level
    assert s is None and "limit 15 km" in why[0]
    s, _ = compare(m(latitude=35.95, longitude=36.75, geo_precision=2, location="Ariha district"), e)
    assert s is not None                                              # district-level: 50 km
    assert compare(m(admin1="Aleppo", geo_precision=3, location=None, latitude=None, longitude=None), e)[0] is None


def test_one_day_slack_and_coarse_dates():
    e = new_event(m())
    assert compare(m(event_date="2020-01-17"), e)[0] >= fuse.WEIGHTS.threshold
    assert compare(m(event_date="2020-01", time_precision=3), e)[0] >= fuse.WEIGHTS.threshold
    assert compare(m(event_date="2020-02", time_precision=3), e)[0] is None


def test_merge_refines_precision_and_keeps_disagreeing_figures():
    e = new_event(m(event_date="2020-01", time_precision=3, location=None, geo_precision=3,
                    latitude=35.9, longitude=36.6, fatalities=None, actor1=None))
    merge(e, m(fatalities=None, fatalities_low=21))     # "at least 21"
    merge(e, m(fatalities=19))
    assert (e["event_date"], e["time_precision"], e["location"], e["geo_precision"]) == ("2020-01-16", 1, "Ariha", 1)
    assert (e["fatalities_low"], e["fatalities_high"], e["fatalities"]) == (19, 21, 19)
    assert e["actor1"] == "Military Forces of Russia" and e["n_mentions"] == 3
    # a coarser report never makes the location worse
    merge(e, m(location=None, geo_precision=3, latitude=35.9, longitude=36.6))
    assert e["location"] == "Ariha"


def test_undated_reports_fuse_on_place_type_and_actors():
    f = Fuser()
    k1, _ = f.add(m(event_date=None, time_precision=None))
    k2, d = f.add(m(event_date=None, time_precision=None, fatalities=20))
    assert k1 == k2 and d["decision"] == "merged" and "undated on one side" in d["reasons"]
    k3, _ = f.add(m(event_date=None, time_precision=None, location="Saraqib", latitude=35.86, longitude=36.80))
    assert k3 != k1


def test_blocking_index_finds_coarse_and_fine_candidates():
    f = Fuser()
    k, _ = f.add(m(location=None, geo_precision=3, admin1="Idlib"))
    assert f.index.candidates(m()) == {k}
    assert f.index.candidates(m(admin1="Aleppo")) == set()
    assert f.index.candidates(m(admin1=None, geo_precision=3)) == {k}       # country-level looks country-wide
    assert f.index.candidates(m(event_date="2020-03-01")) == set()         # other weeks are not looked at
    f.index.remove(k)
    assert f.index.candidates(m()) == set()


def test_synthetic_fusion_quality_and_near_linear_comparisons():
    res, truth = synthetic_results(6000, seed=7)
    f, assign = Fuser(), {}
    for d, j, e in iter_mentions(res):
        assign[(d, j)] = f.add(mention_record(e))[0]
    scores = pairwise_scores(assign, truth)
    assert scores["precision"] >= 0.95 and scores["recall"] >= 0.95, scores
    # each mention is compared with a handful of candidates, not with every event
    assert f.compared / 6000 < 5, f.compared
    res2, _ = synthetic_results(24000, seed=7, days=730 * 4)   # 4x the mentions over 4x the time
    f2 = Fuser()
    for _, _, e in iter_mentions(res2):
        f2.add(mention_record(e))
    assert f2.compared / 24000 < 2 * (f.compared / 6000) + 1


def test_ecbplus_reader_and_pairwise_scoring():
    from pathlib import Path

    import pytest

    from sitroom.fuse.ecbplus import pairwise, read_corpus

    from tests.helpers.shared_data import need_shared

    root = need_shared("eval/ecbplus")
    corpus = read_corpus(root)
    assert len(corpus) == 112
    plus = next(d for d in corpus if d["id"].endswith("ecbplus.xml"))
    assert plus["url"].startswith("http") and "http" not in plus["text"][:20]
    gold = {d["id"]: d["subtopic"] for d in corpus}
    by_topic = {k: {v.replace("plus", "")} for k, v in gold.items()}
    assert pairwise(by_topic, gold)["f1"] == pytest.approx(0.676, abs=0.01)   # "one event per topic"
    assert pairwise({}, gold)["f1"] == 0.0
    assert pairwise({k: {v} for k, v in gold.items()}, gold)["f1"] == 1.0


def test_named_places_outside_the_gazetteer_fuse_by_name():
    f = Fuser()
    sea = dict(country=None, country_code=None, admin1=None, location="Gulf of Aden", latitude=None,
               longitude=None, geo_precision=3, event_date=None, time_precision=None,
               sub_event_type="Disrupted weapons use", actor1="Military Forces of India")
    k1, _ = f.add(m(**sea))
    k2, d = f.add(m(**sea))
    assert k1 == k2 and any("same named place" in r for r in d["reasons"])
    k3, _ = f.add(m(**dict(sea, location="Red Sea")))
    assert k3 != k1


def test_proper_names_of_a_document():
    got = fuse.names(["The Indian navy warship INS Sukanya thwarted an attack in the Gulf of Aden.",
                      "Pirates fled, Captain Manohar Nambiar's office said on Nov. 3."])
    assert {"indian", "ins", "sukanya", "gulf", "aden", "manohar", "nambiar"} <= got
    assert not {"the", "pirates", "nov"} & got          # sentence starts, generic words, months
    res = {"events": [{"evidence": [{"text": "Staunton police arrested Sharron Crawford Smith."}]}],
           "claims": [{"evidence": [{"text": "Chief Jim Williams said Smith was charged."}]}]}
    assert {"sharron", "crawford", "smith", "williams", "jim"} <= fuse.document_names(res)


def test_names_shared_by_the_documents_decide_between_look_alike_events():
    sea = dict(country=None, country_code=None, admin1=None, location="Gulf of Aden", latitude=None,
               longitude=None, geo_precision=3, event_date=None, time_precision=None, actor1=None,
               sub_event_type="Disrupted weapons use", fatalities=None)
    first = frozenset({"aden", "gulf", "indian", "mysore", "gibe", "tabar"})
    second = frozenset({"aden", "gulf", "indian", "sukanya", "nambiar", "manohar"})
    third = frozenset({"aden", "gulf", "sukanya", "nambiar"})
    f = Fuser()
    f.observe(first)
    k1, _ = f.add(mention_record(m(**sea), first))
    f.observe(second)
    k2, d = f.add(mention_record(m(**sea), second))
    assert k2 != k1                                     # same sea, same kind, other participants
    # the three names they share are the ones every report of the sea gives: they weigh little
    assert "names shared 22% (aden, gulf, indian): -0.04" in " ".join(r for x in d["rejected"] for r in x["reasons"])
    f.observe(third)
    k3, d = f.add(mention_record(m(**sea), third))
    assert k3 == k2 and any(r.startswith("names shared 100%") for r in d["reasons"])


def test_rare_names_weigh_more_than_common_ones():
    w = fuse.NameWeights()
    for doc in [{"syria", "aleppo"}, {"syria", "idlib"}, {"syria", "aleppo", "ariha"}, {"syria"}]:
        w.observe(doc)
    assert w("ariha") > w("aleppo") > w("syria") > 0 and w("never seen") > w("ariha")
    event = {"names": frozenset({"syria", "ariha", "idlib"}), "name_counts": {"syria": 1, "ariha": 1, "idlib": 1},
             "name_n": 1}
    common = fuse.names_share(frozenset({"syria", "aleppo"}), event, frozenset({"syria"}), w)
    rare = fuse.names_share(frozenset({"ariha", "aleppo"}), event, frozenset({"ariha"}), w)
    assert rare > 3 * common
    # without counts every name weighs the same: the plain cosine of the two name sets
    flat = fuse.names_share(frozenset({"syria", "aleppo"}), event, frozenset({"syria"}))
    assert flat == pytest.approx(min(1.0, (1 / (2 ** 0.5 * 3 ** 0.5)) / fuse.COSINE_FULL))


def test_reports_without_place_find_events_by_name():
    staunton = frozenset({"staunton", "sharron", "crawford", "smith", "diane"})
    f = Fuser()
    k1, _ = f.add(mention_record(m(sub_event_type="Arrests", event_type="Strategic developments",
                                   country="United States", country_code="US", admin1="Virginia",
                                   location="Staunton", event_date=None, time_precision=None,
                                   actor1=None, fatalities=None), staunton))
    nowhere = dict(sub_event_type="Arrests", event_type="Strategic developments", country=None, country_code=None,
                   admin1=None, location=None, latitude=None, longitude=None, geo_precision=None,
                   event_date=None, time_precision=None, actor1=None, fatalities=None)
    assert f.index.candidates(mention_record(m(**nowhere), staunton)) == {k1}
    assert f.index.candidates(mention_record(m(**nowhere), frozenset({"houston", "texas"}))) == set()
    k2, d = f.add(mention_record(raw(**nowhere, evidence=[{"text": "Staunton police arrested Smith"}]), staunton))
    assert k2 == k1 and d["decision"] == "merged"
    # a name filed under too many events is too common to block on
    for i in range(fuse.NAME_CAP + 1):
        f.index.add(("x", i), {"names": frozenset({"syria"})})
    assert f.index.candidates(mention_record(m(**nowhere), frozenset({"syria"}))) == set()


def test_a_type_slip_is_forgiven_only_when_participants_and_wording_agree():
    names = frozenset({"staunton", "sharron", "crawford", "smith", "diane"})
    text = [{"text": "Staunton police arrested Sharron Crawford Smith over the 1967 killings of two women"}]
    e = new_event(mention_record(raw(sub_event_type="Arrests", evidence=text), names))
    s, why = compare(mention_record(raw(sub_event_type="Attack", evidence=text), names), e)
    assert s is not None and "name the same participants" in " ".join(why)
    other = frozenset({"houston", "texas", "smith"})
    assert compare(mention_record(raw(sub_event_type="Attack", evidence=text), other), e)[0] is None
    assert compare(mention_record(raw(sub_event_type="Attack"), names), e)[0] is None   # other wording


def test_a_stray_town_elsewhere_never_relocates_an_event_at_sea():
    sea = dict(country=None, country_code=None, admin1=None, location="Gulf of Aden",
               latitude=12.0, longitude=48.0, geo_precision=3, sub_event_type="Arrests",
               event_type="Strategic developments", event_date=None, time_precision=None)
    e = new_event(m(**sea))
    # a town on the other side of the world (a misread word) does not refine the sea
    merge(e, m(**{**sea, "country": "Philippines", "country_code": "PH", "location": "Naval",
                  "latitude": 11.56, "longitude": 124.4, "geo_precision": 1}))
    assert e["location"] == "Gulf of Aden"
    # a port on its shore does
    merge(e, m(**{**sea, "country": "Yemen", "country_code": "YE", "location": "Aden",
                  "latitude": 12.78, "longitude": 45.04, "geo_precision": 1}))
    assert e["location"] == "Aden" and e["geo_precision"] == 1


def test_consolidation_joins_an_event_once_later_reports_tie_it_to_another():
    """Greedy fusion depends on order: a report with no place arrives before the reports that
    name the same people at the event's place. Consolidation joins the two events afterwards
    (the older keeps its key) and leaves a look-alike elsewhere alone."""
    arrest = dict(sub_event_type="Arrests", event_type="Strategic developments", event_date=None,
                  time_precision=None, actor1=None, fatalities=None, country="United States",
                  country_code="US", admin1="Virginia", location="Staunton", latitude=38.15,
                  longitude=-79.07, geo_precision=1)
    nowhere = dict(arrest, country=None, country_code=None, admin1=None, location=None, latitude=None,
                   longitude=None, geo_precision=None)
    people = frozenset({"virginia", "sharron", "diane", "crawford", "smith", "staunton"})
    f = Fuser()
    k1, _ = f.add(mention_record(raw(**arrest, evidence=[{"text": "A woman was detained in Staunton"}]),
                                 frozenset({"staunton"})))
    k2, d2 = f.add(mention_record(raw(**nowhere, evidence=[
        {"text": "In Virginia, Sharron Diane Crawford Smith was charged by Staunton police"}]), people))
    assert d2["decision"] == "new" and k2 != k1          # one shared name is too little
    houston = dict(arrest, admin1="Texas", location="Houston", latitude=29.76, longitude=-95.37)
    k3, _ = f.add(mention_record(raw(**houston, evidence=[{"text": "Houston police detained Mary Jones"}]),
                                 frozenset({"houston", "mary", "jones"})))
    k4, _ = f.add(mention_record(raw(**arrest, evidence=[
        {"text": "Staunton police arrested Sharron Diane Crawford Smith over the killings"}]), people))
    assert len(f.events) == 3
    merges = f.consolidate([k4])
    assert [(mg["from"], mg["into"]) for mg in merges] == [(k2, k1)]
    assert set(f.events) == {k1, k3} and f.events[k1]["n_mentions"] == 3
    assert f.events[k1]["name_counts"]["sharron"] == 2 and f.events[k1]["location"] == "Staunton"
    assert f.consolidate() == []                           # a fixed point


def test_an_actor_named_with_and_without_its_country_is_one_actor():
    e = new_event(m(actor1="Police Forces of United States", country="United States", country_code="US",
                    admin1="Virginia", location="Staunton", latitude=38.15, longitude=-79.07))
    s, why = compare(m(actor1="Police Forces", country="United States", country_code="US", admin1="Virginia",
                       location="Staunton", latitude=38.15, longitude=-79.07), e)
    assert "shared actor police forces" in why
    s2, why2 = compare(m(actor1="Police Forces of Mexico", country="United States", country_code="US",
                         admin1="Virginia", location="Staunton", latitude=38.15, longitude=-79.07), e)
    assert "no actor in common" in why2 and s2 < s


def test_a_port_near_a_named_sea_counts_as_the_same_area():
    sea = dict(country=None, country_code=None, admin1=None, location="Gulf of Aden",
               latitude=12.0, longitude=48.0, geo_precision=3, sub_event_type="Arrests",
               event_type="Strategic developments", event_date=None, time_precision=None, actor1=None)
    e = new_event(m(**sea))
    near, why = compare(m(**{**sea, "country": "Yemen", "country_code": "YE", "location": "Aden",
                             "latitude": 12.78, "longitude": 45.04, "geo_precision": 1}), e)
    far, why_far = compare(m(**{**sea, "country": "Philippines", "country_code": "PH", "location": "Naval",
                                "latitude": 11.56, "longitude": 124.4, "geo_precision": 1}), e)
    assert any("within 1000 km" in w for w in why) and "place unknown on one side" in why_far
    assert near > far


def test_reports_of_one_document_do_not_share_names_by_being_one_document():
    names = frozenset({"aleppo", "bachelet", "assad", "geneva", "ariha"})
    text = [{"text": "Regime forces pounded the villages of western Aleppo province on Friday"}]
    base = dict(sub_event_type="Armed clash", event_type="Battles", location=None, latitude=None, longitude=None,
                admin1="Aleppo", geo_precision=3, event_date=None, time_precision=None,
                actor1="Military Forces of Syria", fatalities=None, evidence=text)
    shelling = dict(base, sub_event_type="Shelling/artillery/missile attack")
    clash = mention_record(raw(**base), names, source=7)
    # the same names in another document: the same participants, so a type slip may be forgiven
    s, why = compare(mention_record(raw(**shelling), names, source=8), new_event(clash))
    assert s is not None and any(r.startswith("names shared 100%") for r in why)
    # in one document they are just that document's names: a clash and a shelling stay apart
    s, why = compare(mention_record(raw(**shelling), names, source=7), new_event(clash))
    assert s is None and not any(r.startswith("names shared") for r in why)
    # two reports of one type at one place in one document are one event (ACLED's coding unit)
    s, why = compare(mention_record(raw(**base), names, source=7), new_event(clash))
    assert "reported by the same document (its names not compared)" in why and s >= fuse.WEIGHTS.threshold
