"""The reference page, read as a demanding analyst reads it (the core-pipeline issue's acceptance).

These check the public JSON output of `sitroom extract --format json`, not internals.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers.shared_data import SEED, missing

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=missing(SEED))


@pytest.fixture(scope="module")
def result():
    out = subprocess.run([sys.executable, "-m", "sitroom.cli", "extract", str(SEED), "--published",
                          "2020-01-17", "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def events_of(result, sub_type):
    return [e for e in result["events"] if e["sub_event_type"] == sub_type]


def test_offsets_index_the_input_text(result):
    text = SEED.read_text(encoding="utf-8")
    for key in ("events", "figures", "claims", "agreements"):
        for item in result[key]:
            for span in item["evidence"]:
                assert text[span["start"]:span["end"]] == span["text"]
    for p in result["places"] + result["dates"]:
        assert text[p["start"]:p["end"]] == p["text"]


def test_ground_offensive_in_aleppo(result):
    battles = [e for e in result["events"] if e["event_type"] == "Battles"
               and e["admin1"] in ("Aleppo", "Halab") and e["event_date"] == "2020-01-17"]
    assert battles, [(e["sub_event_type"], e["admin1"], e["event_date"]) for e in result["events"]]
    assert "Syria" in (battles[0]["actor1"] or "")


def test_shelling_in_aleppo_same_day(result):
    shelling = [e for e in events_of(result, "Shelling/artillery/missile attack")
                if e["admin1"] in ("Aleppo", "Halab") and e["event_date"] == "2020-01-17"]
    assert shelling


def test_russian_air_strikes_in_aleppo_on_jan_16(result):
    strikes = [e for e in events_of(result, "Air/drone strike")
               if e["admin1"] in ("Aleppo", "Halab") and e["event_date"] == "2020-01-16"]
    assert strikes and "Russia" in (strikes[0]["actor1"] or "")


def test_air_strikes_on_maarat_al_numan_geocoded_to_town(result):
    strikes = [e for e in events_of(result, "Air/drone strike") if e["event_date"] == "2020-01-16"
               and e["admin1"] == "Idlib" and e["geo_precision"] == 1]
    assert strikes
    assert abs(strikes[0]["latitude"] - 35.65) < 0.1 and abs(strikes[0]["longitude"] - 36.67) < 0.1


def test_market_strike_in_idlib_city(result):
    market = [e for e in events_of(result, "Air/drone strike") if e["event_date"] == "2020-01-14"]
    assert market
    ev = market[0]
    assert ev["fatalities"] in (19, 21) and ev["geo_precision"] == 1 and ev["admin1"] == "Idlib"
    assert abs(ev["latitude"] - 35.93) < 0.1 and abs(ev["longitude"] - 36.63) < 0.1


def test_air_strikes_resumed_jan_15_in_idlib(result):
    assert [e for e in events_of(result, "Air/drone strike")
            if e["event_date"] == "2020-01-15" and e["admin1"] == "Idlib"]


def test_verified_un_tally(result):
    tally = [f for f in result["figures"] if f["kind"] == "killed" and f["value"] == 1506]
    assert tally
    f = tally[0]
    assert f["breakdown"].get("women") == 293 and f["breakdown"].get("children") == 433
    assert f["period_start"] == "2019-04-29" and f["verified"]


def test_displacement_figures(result):
    displaced = {f["value"] for f in result["figures"] if f["kind"] == "displaced"}
    assert 350000 in displaced and 400000 in displaced


def test_denial_and_appeal_claims(result):
    kinds = {(c["kind"], c["speaker"]) for c in result["claims"]}
    assert any(k == "denial" and ("Moscow" in s or "Russia" in s) for k, s in kinds)
    assert any(k == "appeal" and "Bachelet" in s for k, s in kinds)


def test_truce_effective_jan_12(result):
    truces = [a for a in result["agreements"] if a["kind"] in ("ceasefire", "truce")
              and a["effective_date"] == "2020-01-12"]
    assert truces
    parties = " ".join(truces[0]["parties"])
    assert "Turkey" in parties or "Türkiye" in parties
    assert "Russia" in parties


def test_malformed_number_flagged(result):
    assert any(q["kind"] == "malformed_number" and "350,0000" in q["message"] for q in result["quality"])


def test_no_event_in_geneva_or_amman(result):
    for e in result["events"]:
        assert e["location"] not in ("Geneva", "Amman", "Genève")
    roles = {p["text"]: p["role"] for p in result["places"] if p["text"] in ("Geneva", "Amman")}
    assert roles and all(r == "speaker_location" for r in roles.values())


def test_denial_contests_the_russian_strikes_it_names(result):
    denials = [c for c in result["claims"] if c["kind"] == "denial"]
    about = {i for c in denials for i in c["about"]}
    disputed = [e for e in result["events"] if e["event_id"] in about]
    assert disputed and all(e["contested"] for e in disputed)
    assert all("Russia" in (e["actor1"] or "") + (e["assoc_actor_1"] or "") for e in disputed)
    assert any(e["admin1"] == "Idlib" and e["event_type"] == "Explosions/Remote violence" for e in disputed)
