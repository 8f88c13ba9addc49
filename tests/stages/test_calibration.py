"""Calibrated confidence (sitroom.stages.calibration): the features of composed events, the
shipped model's behaviour, the cap that keeps the rules' first event first, and the reasons."""
from __future__ import annotations

from datetime import date

import pytest

from sitroom.stages.calibration import calibrate, default_threshold, features, load_model, probability
from sitroom.model import Event, Span


def ev(etype="Battles", admin1="Kaduna", cc="NG", day="2024-05-02", conf=0.7, sentence=1, start=0, **signals):
    e = Event(event_id="", event_type=etype, sub_event_type="Armed clash", country_code=cc, admin1=admin1,
              event_date=day, confidence=conf, geo_precision=2)
    e.evidence = [Span(start, start + 10, "x")]
    e.signals = {"trigger_score": 0.8, "date_explicit": True, "place_explicit": True, "actor": True,
                 "fatalities": True, "mentions": 1, "position": 0.1, "sentence": sentence, **signals}
    return e


PUB = date(2024, 5, 3)


@pytest.mark.parametrize("second,key,value", [
    (ev(conf=0.6, sentence=4), "dup_type", 1.0),                               # same type, province, day
    (ev(conf=0.6, sentence=4, day="2024-05-01"), "dup_type", 1.0),             # a day apart: same incident
    (ev(conf=0.6, sentence=4, day="2024-04-20"), "dup_type", 0.0),             # another day
    (ev(conf=0.6, sentence=4, admin1="Zamfara"), "dup_type", 0.0),             # another province
    (ev("Violence against civilians", conf=0.6, sentence=1), "dup_sentence", 1.0),   # same sentence, other type
    (ev("Violence against civilians", conf=0.6, sentence=5), "dup_sentence", 0.0),
    (ev(conf=0.6, cc="CO", admin1="Cauca"), "foreign", 1.0),                   # not the document's country
    (ev(conf=0.6, day="2013-05-02", admin1="Borno"), "log_days_before", pytest.approx(8.2, abs=0.1)),
    (ev(conf=0.6, day="2024-05-09", admin1="Borno"), "after_published", 1.0),
])
def test_features_of_a_second_event(second, key, value):
    first = ev()
    ranked = [first, second]
    f = features(second, ranked, 1, published=PUB, doc_country="NG")
    assert f[key] == value
    f0 = features(first, ranked, 0, published=PUB, doc_country="NG")
    assert f0["dup_type"] == 0.0 and f0["dup_sentence"] == 0.0 and f0["foreign"] == 0.0


def toy_model():
    return {"intercept": 0.0, "threshold": 0.5, "coef": {"heuristic": 4.0, "dup_type": -6.0, "foreign": -6.0},
            "mean": {"heuristic": 0.5}, "scale": {"heuristic": 0.25}}


def test_probability_follows_the_coefficients():
    m = toy_model()
    assert probability({"heuristic": 0.5}, m) == pytest.approx(0.5)
    assert probability({"heuristic": 0.75}, m) > 0.98
    assert probability({"heuristic": 0.75, "dup_type": 1.0}, m) < 0.2
    assert probability({"heuristic": 1e9}, m) <= 1.0                       # clipped, no overflow


def test_calibrate_caps_at_the_first_event_and_gives_reasons():
    a = ev(conf=0.55)                                                       # the rules' first event
    b = ev(conf=0.5, sentence=3)                                            # its duplicate
    c = ev("Explosions/Remote violence", conf=0.52, admin1="Borno", sentence=6)   # another incident
    d = ev(conf=0.45, cc="CO", admin1="Cauca", sentence=8)
    m = dict(toy_model(), coef={"heuristic": 8.0, "dup_type": -6.0, "foreign": -6.0})
    calibrate([b, d, a, c], published=PUB, doc_country="NG", model=m)
    assert a.signals["heuristic"] == 0.55 and a.confidence == pytest.approx(probability(
        {"heuristic": 0.55}, m), abs=1e-3)
    assert c.confidence <= a.confidence                                     # never above the first
    assert b.confidence < 0.5 and b.reason.startswith("secondary")
    assert d.confidence < 0.5 and d.reason.startswith("background: in a country")
    assert a.reason is None


def test_without_a_model_the_rule_score_stays():
    e = ev(conf=0.42)
    calibrate([e], published=PUB, doc_country="NG", model={})
    assert e.confidence == 0.42 and e.signals["heuristic"] == 0.42


def test_shipped_model_is_a_probability_model():
    m = load_model()
    if m is None:
        pytest.skip("no calibration model shipped")
    assert set(m["coef"]) <= set(features(ev(), [ev()], 0, published=PUB, doc_country="NG"))
    assert 0.0 < default_threshold() < 1.0
    # more evidence never lowers the probability of a lone, first event by much; a duplicate is
    # always less likely than the same event alone
    lone = features(ev(), [ev()], 0, published=PUB, doc_country="NG")
    dup = dict(lone, dup_type=1.0, log_rank=0.69)
    assert probability(dup, m) < probability(lone, m)
    assert probability(dict(lone, foreign=1.0), m) < probability(lone, m)
