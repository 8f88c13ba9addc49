"""sitroom evaluate: gold readers on slices of the real sets, scorers on hand-made predictions
whose right answer is known, the run/command plumbing with a stand-in pipeline, and one small
end-to-end run through the real pipeline (marked ``pipeline``)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from tests.helpers import ROOT
from tests.helpers.shared_data import SHARED, missing
import yaml

from sitroom.evaluate.readers import (GoldItem, detect_format, first_source_date, hash_part,
                                      parse_mdy, read_case2021, read_fakes, read_geo_xml,
                                      read_gold, read_ucdp, repair_offsets, select)
from sitroom.evaluate.scorers import (MAX_ERROR_KM, best_event, canonical_admin1, case_code,
                                      denominators, haversine_km, same_admin1, score,
                                      stated_numbers, weighted_f1)

EVAL = SHARED / "eval"
DATA = ROOT / "sitroom" / "data"


def need(rel: str) -> Path:
    p = EVAL / rel
    if not p.exists():
        pytest.skip(missing(p))
    return p


def first(it, n):
    out = []
    for x in it:
        out.append(x)
        if len(out) >= n:
            break
    return out


# ---------------------------------------------------------------- readers on the real sets

def test_read_case2021_slice():
    items = first(read_case2021(need("case2021/dev.tsv")), 4)
    assert [i.doc_id for i in items] == ["case2021:1", "case2021:3", "case2021:6", "case2021:8"]
    assert [i.gold["code"] for i in items] == ["AIR_STRIKE", "FORCE_AGAINST_PROTEST", "CHEM_WEAP", "PEACE_PROTEST"]
    assert items[0].text.startswith("The US warplanes pounded the village of Kashkash")
    assert items[0].published is None
    assert [i.part for i in items] == ["tune", "measure", "tune", "measure"]   # even/odd rows


def test_read_ucdp_slice():
    items = first(read_ucdp(need("ucdp/ged_syria_2016_2018_sample.csv")), 8)
    a, b = items[0], items[1]
    assert a.doc_id == "ucdp:236764"
    assert a.text.startswith("The Russian Caesar’s warplanes")
    assert a.published == date(2017, 1, 4)            # source_date, not date_start (2016-01-01)
    assert a.gold["date_start"] == "2016-01-01" and a.gold["where_prec"] == 6 and a.gold["best"] == 2056
    assert b.gold["adm_1"] == "Rif Dimashq Governorate" and b.gold["where_prec"] == 2
    assert abs(b.gold["latitude"] - 33.388) < 1e-6
    # "1753-01-01" is UCDP's unknown date: skipped, so no publication date
    seventh = items[6]
    assert seventh.text.startswith("Clashes in Jobar") and seventh.published is None


def test_first_source_date_and_mdy():
    assert first_source_date("2016-01-12;2016-01-13") == date(2016, 1, 12)
    assert first_source_date("1753-01-01;2016-02-03") == date(2016, 2, 3)
    assert first_source_date("") is None
    assert parse_mdy("10/17/16") == date(2016, 10, 17)
    assert parse_mdy("4/5/2017") == date(2017, 4, 5)
    assert parse_mdy("17/10/16") is None


def test_read_fakes_slice():
    items = first(read_fakes(need("fakes/dev.csv")), 3)
    a = items[0]
    assert a.published == date(2016, 10, 17)
    assert a.gold["location"] == "aleppo" and a.gold["nb_civilians"] == 45 and a.gold["nb_children"] == 5
    assert a.title == "Air raids kill at least 12 civilians in Syrias Aleppo Monitor"
    assert a.text.startswith(a.title) and a.text.count(a.title) == 1     # content repeats the title
    assert all(i.part in ("tune", "measure") for i in items)


def test_read_tr_news_slice():
    items = first(read_geo_xml(need("geo/TR-News.xml")), 3)
    a = items[0]
    assert a.doc_id == "TR-News:1040001" and a.published == date(2016, 12, 19)
    assert a.gold["style"] == "lgl"
    t = a.gold["toponyms"][0]
    assert (t["start"], t["end"], t["text"]) == (2, 9, "Turkish")
    assert (t["lat"], t["lon"], t["geonameid"]) == (39.0, 35.0, "298795")
    for it in items:                                   # offsets hold the annotated phrase
        for t in it.gold["toponyms"]:
            assert it.text[t["start"]:t["end"]] == t["phrase"]


def test_tr_news_offsets_repaired():
    text = "They met in Etobicoke, then left."
    i = text.index("Etobicoke")
    assert repair_offsets(text, i + 1, i + 10, "Etobicoke") == (i, i + 9)
    assert repair_offsets(text, i, i + 9, "Etobicoke") == (i, i + 9)
    assert repair_offsets(text, i, i + 9, "Nowhere") == (i, i + 9)


def test_read_gwn_slice():
    items = first(read_geo_xml(need("geo/GWN.xml")), 2)
    a = items[0]
    assert a.gold["style"] == "gwn" and a.doc_id == "GWN:0"
    types = {t["type"] for it in items for t in it.gold["toponyms"]}
    assert "Literal" in types
    assert not types & {"Literal_Expression", "Non_Lit_Expression", "Non_Toponym", "Demonym"}
    names = [t["text"] for t in a.gold["toponyms"]]
    assert "Frenchmen Street" in names and "citizens" not in names


def test_read_timeml_slice():
    tb = need("timebank")
    items = read_gold(tb / "TimeBank", "timeml")[:2] + read_gold(tb / "AQUAINT", "timeml")[:1]
    assert [i.part for i in items] == ["tune", "tune", "measure"]
    assert all(i.published is not None and i.gold["timeml"]["timex"] for i in items)


def test_detect_format_and_split():
    assert detect_format(need("case2021/dev.tsv")) == "case2021"
    assert detect_format(need("ucdp/ged_syria_2016_2018_sample.csv")) == "ucdp"
    assert detect_format(need("fakes/dev.csv")) == "fakes"
    assert detect_format(need("geo/GWN.xml")) == "geo-xml"
    assert detect_format(need("timebank")) == "timeml"
    items = [GoldItem(f"d{i}", f"text {i}", None, {}, part=hash_part(f"text {i}"), index=i) for i in range(40)]
    tune, meas = select(items, "tune"), select(items, "measure")
    assert len(tune) + len(meas) == 40 and tune and meas
    assert not {i.doc_id for i in tune} & {i.doc_id for i in meas}
    assert hash_part("Same  TEXT") == hash_part("same text")       # normalised content hash
    assert select(items, "all", 3) == items[:3]
    with pytest.raises(ValueError):
        select(items, "dev")


# ---------------------------------------------------------------- data files

def test_case2021_codes_match_taxonomy():
    codes = yaml.safe_load((DATA / "case2021_codes.yaml").read_text(encoding="utf-8"))
    assert len(codes["acled"]) == 25
    assert set(codes["none_codes"]) == {"ORG_CRIME", "NATURAL_DISASTER", "MAN_MADE_DISASTER", "DIPLO", "ATTRIB"}
    tax = yaml.safe_load((DATA / "taxonomy.yaml").read_text(encoding="utf-8"))
    in_tax = {s["code"]: s["name"] for et in tax["event_types"] for s in et["sub_event_types"]}
    for code, name in codes["acled"].items():
        assert in_tax.get(code) == name, code
    assert case_code("Air/drone strike") == "AIR_STRIKE" and case_code("Arrests") == "ARREST"
    assert case_code("Other") == "OTHER" and case_code(None) == "NONE"
    assert case_code("Made-up type") == "?Made-up type"


@pytest.mark.parametrize("gold,pred,ok", [
    ("Aleppo Governorate", "Ḩalab", True),
    ("Aleppo governorate", "Aleppo", True),
    ("Idlib Governorate", "Idlib", True),
    ("Rif Dimashq Governorate", "Rīf Dimashq", True),
    ("Deir ez Zor Governorate", "Dayr az Zawr", True),
    ("Ar Raqqah Governorate", "Ar Raqqah", True),
    ("Al Hasakah Governorate", "Al Ḩasakah", True),
    ("Hamah Governorate", "Ḩamāh", True),
    ("Daraa Governorate", "Dar'ā", True),
    ("Latakia Governorate", "Al Lādhiqīyah", True),
    ("As Suwayda Governorate", "As Suwaydā'", True),
    ("Damascus Governorate", "Dimashq", True),
    ("Damascus Governorate", "Rīf Dimashq", False),
    ("Aleppo Governorate", "Idlib", False),
    ("deir ezzor", "Dayr az Zawr", True),
    ("hasakeh", "Al Ḩasakah", True),
    ("lattakia", "Al Lādhiqīyah", True),
    ("Aleppo Governorate", None, False),
])
def test_same_admin1(gold, pred, ok):
    assert same_admin1(gold, pred) is ok


def test_fakes_damascus_covers_rif_dimashq():
    assert same_admin1("damascus", "Rīf Dimashq", scheme="fakes")
    assert not same_admin1("damascus", "Rīf Dimashq")
    assert not same_admin1("aleppo", "Rīf Dimashq", scheme="fakes")
    assert canonical_admin1("Ḩalab") == canonical_admin1("aleppo")


# ---------------------------------------------------------------- scorers, hand-made predictions

def ev(sub=None, conf=0.5, **kw):
    return {"sub_event_type": sub, "confidence": conf, **kw}


def res(events=(), places=(), dates=(), figures=(), doc_id="x"):
    return {"doc_id": doc_id, "events": list(events), "places": list(places), "dates": list(dates),
            "figures": list(figures)}


def item(doc_id, text="", gold=None, published=None, part="tune"):
    return GoldItem(doc_id, text, published, gold or {}, part=part)


def test_best_event_is_highest_confidence():
    r = res([ev("Armed clash", 0.4), ev("Air/drone strike", 0.9), ev("Attack", 0.9)])
    assert best_event(r)["sub_event_type"] == "Air/drone strike"
    assert best_event(res()) is None and best_event({"doc_id": "x", "error": "boom"}) is None


def test_weighted_f1_known_values():
    # class A: P 1/2 R 1 -> F 2/3 (support 1); class B: F 0 (support 1) -> weighted 1/3
    assert weighted_f1(["A", "B"], ["A", "A"], ["A", "B"]) == pytest.approx(1 / 3)
    assert weighted_f1(["A"], ["A"], ["A"]) == 1.0
    assert weighted_f1([], [], []) is None


def test_score_case2021_two_snippets_and_a_none():
    items = [item("1", gold={"code": "AIR_STRIKE"}), item("2", gold={"code": "ARMED_CLASH"}),
             item("3", gold={"code": "DIPLO"})]
    results = [res([ev("Armed clash", 0.2), ev("Air/drone strike", 0.8)]),   # best: air strike
               res([ev("Air/drone strike", 0.7)]),                           # wrong
               res()]                                                        # NONE, right
    scores, cases = score("case2021", items, results)
    assert scores["n"] == 3
    assert scores["f1_seen"] == pytest.approx(1 / 3)
    assert scores["acc_seen"] == pytest.approx(0.5)
    # f1_all: AIR 2/3, ARMED 0, NONE 1 (each support 1)
    assert scores["f1_all"] == pytest.approx((2 / 3 + 0 + 1) / 3)
    assert scores["none_as_event"] == 0.0
    assert scores["confusion"] == {"AIR_STRIKE": {"AIR_STRIKE": 1}, "ARMED_CLASH": {"AIR_STRIKE": 1},
                                   "NONE": {"NONE": 1}}
    assert set(scores) == {"n", "f1_seen", "acc_seen", "f1_all", "none_as_event", "confusion"}
    assert [c["loss"] for c in cases] == [0.0, 1.0, 0.0]
    # a NONE snippet given an event, and a failed document
    s2, _ = score("case2021", [item("4", gold={"code": "NATURAL_DISASTER"}), item("5", gold={"code": "ARREST"})],
                  [res([ev("Attack")]), {"doc_id": "5", "error": "RuntimeError: x"}])
    assert s2["none_as_event"] == 1.0 and s2["acc_seen"] == 0.0


UCDP_GOLD = dict(adm_1="Idlib Governorate", adm_2=None, where_coordinates="Saraqib town", where_prec=1,
                 latitude=35.8623, longitude=36.8059, date_prec=1, date_start="2018-02-04",
                 date_end="2018-02-04", best=12, low=12, high=12, deaths_civilians=12,
                 type_of_violence=1, side_a=None, side_b=None, id="1")


def test_score_ucdp_known_answers():
    g2 = dict(UCDP_GOLD, best=3, where_prec=4, adm_1="Aleppo Governorate")
    items = [item("u1", "Russian warplanes kill 12 civilians in Saraqib", UCDP_GOLD, date(2018, 2, 5)),
             item("u2", "Clashes in the countryside of Aleppo", g2, date(2018, 2, 5)),
             item("u3", "Twelve killed in Saraqib", UCDP_GOLD, date(2018, 2, 5))]
    results = [
        res([ev("Air/drone strike", 0.9, admin1="Idlib", latitude=35.86, longitude=36.80,
                event_date="2018-02-04", fatalities=12)]),
        res([ev("Armed clash", 0.5, admin1="Ḩalab", event_date="2018-02-05")]),
        res([], places=[{"start": 15, "end": 22, "latitude": 35.9, "longitude": 36.9}]),
    ]
    s, cases = score("ucdp", items, results)
    assert s["n"] == 3
    assert s["event_recall"] == pytest.approx(2 / 3)
    assert s["admin1_accuracy"] == pytest.approx(2 / 3)          # u1, u2 right; u3 no event
    assert s["best_within_25km"] == pytest.approx(1 / 2)         # u1 yes, u3 no event (u2 prec 4)
    assert s["any_within_25km"] == pytest.approx(1.0)            # u3's place is ~10 km away
    assert s["fatalities_exact_stated"] == pytest.approx(1 / 2)  # u1 states 12, u3 "Twelve"; u2 no 3
    assert s["date_exact"] == pytest.approx(1 / 3)
    assert denominators("ucdp", s, cases)["best_within_25km"] == 2
    assert cases[2]["failed"] == ["event_recall", "admin1_accuracy", "best_within_25km",
                                  "fatalities_exact_stated", "date_exact"]


def test_stated_numbers():
    assert stated_numbers("3 massacres kill at least 43 civilians; 1,206 were killed") >= {3, 43, 1206}
    assert 12 in stated_numbers("Twelve killed") and 2016 in stated_numbers("in 2016")
    assert 5 not in stated_numbers("a 5.5 magnitude")
    assert stated_numbers("Syria Daily Report 13/02/2016") == set()


def test_score_fakes_known_answers():
    gold = {"location": "damascus", "nb_civilians": 18, "nb_children": 5, "nb_women": 0,
            "nb_noncivilians": 0, "date": None, "actor": None, "cause_of_death": None, "label": 1,
            "source": None}
    items = [item("f1", gold=gold), item("f2", gold=dict(gold, location="idlib"))]
    results = [
        res([ev("Air/drone strike", 0.9, admin1="Rīf Dimashq", civilian_fatalities=18)],
            figures=[{"kind": "killed", "value": 18, "unit": "people", "breakdown": {"children": 5}}]),
        res([ev("Air/drone strike", 0.9, admin1="Ḩalab")]),
    ]
    s, _ = score("fakes", items, results)
    assert s["admin1_accuracy"] == 0.5
    assert s["civilians_exact"] == 0.5 and s["children_exact"] == 0.5
    assert s["women_exact"] is None                               # no gold women >= 1


def test_score_geo_known_answers():
    text = "Shelling hit Aleppo and Idlib, Syrian officials said in Damascus."
    a, i, s, d = (text.index(w) for w in ("Aleppo", "Idlib", "Syrian", "Damascus"))
    gold = {"style": "gwn",
            "toponyms": [{"start": a, "end": a + 6, "text": "Aleppo", "lat": 36.2021, "lon": 37.1343, "geonameid": "170063"},
                         {"start": i, "end": i + 5, "text": "Idlib", "lat": 35.9306, "lon": 36.6339, "geonameid": None},
                         {"start": d, "end": d + 8, "text": "Damascus", "lat": None, "lon": None, "geonameid": None}],
            "ignored": [{"start": s, "end": s + 6, "text": "Syrian", "type": "Demonym"}]}
    places = [
        {"start": a, "end": a + 6, "text": "Aleppo", "latitude": 36.2, "longitude": 37.13, "gazetteer_id": "geonames:170063"},
        {"start": i, "end": i + 5, "text": "Idlib", "latitude": 35.93 + 2.0, "longitude": 36.63},  # ~222 km off
        {"start": s, "end": s + 6, "text": "Syrian", "latitude": 35.0, "longitude": 38.0},           # ignored
        {"start": 0, "end": 8, "text": "Shelling", "latitude": 0.0, "longitude": 0.0},              # false positive
    ]
    sc, cases = score("geo-xml", [item("g", text, gold)], [res(places=places)])
    assert sc["toponym_precision"] == pytest.approx(2 / 3)
    assert sc["toponym_recall"] == pytest.approx(2 / 3)
    assert sc["toponym_f1"] == pytest.approx(2 / 3)
    assert sc["resolved_161km"] == pytest.approx(1 / 2)
    assert sc["resolved_25km"] == pytest.approx(1 / 2)
    idlib_err = haversine_km(35.9306, 36.6339, 37.93, 36.63)
    assert sc["median_error_km"] == pytest.approx((idlib_err + haversine_km(36.2021, 37.1343, 36.2, 37.13)) / 2)
    assert cases[0]["counts"]["exact_id"] == 1
    dn = denominators("geo-xml", sc, cases)
    assert dn["toponym_precision"] == 3 and dn["toponym_recall"] == 3 and dn["resolved_161km"] == 2
    # nothing found: recall 0, unresolved toponyms count as the largest error
    sc2, _ = score("geo-xml", [item("g", text, gold)], [res()])
    assert sc2["toponym_recall"] == 0.0 and sc2["toponym_precision"] is None
    assert sc2["median_error_km"] == MAX_ERROR_KM


def test_haversine():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.2, abs=0.2)


def test_score_timeml_known_answers():
    text = "On Friday, Iraq said in August 1990 and today."
    f, au, to = text.index("Friday"), text.index("August 1990"), text.index("today")
    doc = {"doc_id": "t", "path": "t.tml", "text": text, "published": date(1990, 8, 15), "dct": "1990-08-15",
           "timex": [{"tid": "t1", "start": f, "end": f + 6, "text": "Friday", "type": "DATE", "value": "1990-08-10", "mod": None, "function": None},
                     {"tid": "t2", "start": au, "end": au + 11, "text": "August 1990", "type": "DATE", "value": "1990-08", "mod": None, "function": None},
                     {"tid": "t3", "start": to, "end": to + 5, "text": "today", "type": "DATE", "value": "PRESENT_REF", "mod": None, "function": None}]}
    preds = [{"start": f, "end": f + 6, "value": "1990-08-10", "text": "Friday"},
             {"start": au, "end": au + 11, "value": "1990-08-01", "text": "August 1990"}]
    s, cases = score("timeml", [item("timeml:t", text, {"timeml": doc})], [res(dates=preds)])
    assert s == {"n": 2, "timex_recall": 1.0, "value_accuracy": 0.5}     # PRESENT_REF not scored
    assert cases[0]["loss"] == 1.0 and "August 1990" in cases[0]["evidence"][0]


# ---------------------------------------------------------------- run + command, stand-in pipeline

class StandInPipeline:
    """Answers every document with one Air/drone strike in Aleppo; records the batches."""

    def __init__(self):
        self.docs = []

    def run(self, items, batch_size=32):
        for d in items:
            self.docs.append(d)
            yield {"doc_id": d.doc_id, "events": [ev("Air/drone strike", 0.9, admin1="Ḩalab",
                                                     event_date=d.published.isoformat() if d.published else None)],
                   "places": [], "dates": [], "figures": []}


def test_run_evaluation_with_stand_in(tmp_path):
    from sitroom.evaluate.run import run_evaluation, worst_cases

    tsv = tmp_path / "mini.tsv"
    tsv.write_text("id\tEventSnippet\tSubType\n1\tJets bombed a village.\tAIR_STRIKE\n"
                   "2\tTroops clashed with rebels.\tARMED_CLASH\n3\tAn earthquake hit.\tNATURAL_DISASTER\n"
                   "4\tJets bombed a village.\tAIR_STRIKE\n", encoding="utf-8")
    p = StandInPipeline()
    scores, cases = run_evaluation(tsv, "auto", pipeline=p)
    assert scores["n"] == 4 and scores["none_as_event"] == 1.0 and scores["acc_seen"] == pytest.approx(2 / 3)
    assert len(p.docs) == 3                        # the repeated snippet ran once
    assert [c["doc_id"] for c in cases] == ["case2021:1", "case2021:2", "case2021:3", "case2021:4"]
    assert [c["doc_id"] for c in worst_cases(cases, 5)] == ["case2021:2", "case2021:3"]
    s_tune, _ = run_evaluation(tsv, "case2021", split="tune", pipeline=StandInPipeline())
    s_meas, _ = run_evaluation(tsv, "case2021", split="measure", limit=1, pipeline=StandInPipeline())
    assert s_tune["n"] == 2 and s_meas["n"] == 1


def test_command_json_prints_one_object(tmp_path, monkeypatch):
    import typer
    from typer.testing import CliRunner

    import sitroom.pipeline
    from sitroom.cli.evaluate import evaluate

    monkeypatch.setattr(sitroom.pipeline, "Pipeline", StandInPipeline)
    app = typer.Typer()
    app.command("evaluate")(evaluate)
    app.command("noop")(lambda: None)             # two commands: "evaluate" must be named
    csvp = tmp_path / "mini.csv"
    csvp.write_text("unit_id,article_title,article_content,source,date,location,actor,cause_of_death,"
                    "nb_children,nb_civilians,nb_noncivilians,nb_women,label\n"
                    "1,Strike in Aleppo,Jets struck Aleppo killing 3 civilians.,x,4/5/17,aleppo,,,0,3,0,0,1\n"
                    "2,Strike in Idlib,Jets struck Idlib.,x,4/6/17,idlib,,,0,0,0,0,1\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["evaluate", str(csvp), "--format", "fakes", "--json"])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert obj == {"n": 2, "admin1_accuracy": 0.5, "civilians_exact": 0.0, "children_exact": None,
                   "women_exact": None}
    r = runner.invoke(app, ["evaluate", str(csvp), "--json", "--errors", "1"])
    obj = json.loads(r.stdout)
    assert [c["doc_id"] for c in obj["errors"]] == ["fakes:2"]
    r = runner.invoke(app, ["evaluate", str(csvp), "--errors", "2"])
    assert r.exit_code == 0 and "admin1_accuracy" in r.stdout and "worst cases" in r.stdout
    r = runner.invoke(app, ["evaluate", str(csvp), "--split", "dev"])
    assert r.exit_code != 0


# ---------------------------------------------------------------- the real pipeline (few, small)

@pytest.mark.pipeline
def test_real_pipeline_small_case2021_and_ucdp():
    """End to end: 6 CASE snippets and 6 UCDP headlines through Pipeline().run."""
    from sitroom.evaluate.run import run_evaluation

    s, cases = run_evaluation(need("case2021/dev.tsv"), "case2021", limit=6, split="tune")
    assert s["n"] == 6 and 0.0 <= s["f1_all"] <= 1.0
    assert not any(c["error"] for c in cases), [c["error"] for c in cases if c["error"]]
    s, cases = run_evaluation(need("ucdp/ged_syria_2016_2018_sample.csv"), "ucdp", limit=6, split="tune")
    assert s["n"] == 6 and s["event_recall"] > 0
    assert not any(c["error"] for c in cases)
