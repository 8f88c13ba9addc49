"""ACLED-complete exports: every ACLED column in ACLED's order, values by ACLED's codebook.

The CSVs are read the way analysts read ACLED's (pandas with ACLED's column types), and the inter
codes are checked against the actor types of sitroom/data/actors.yaml on composed reports of each
kind (tests/data/acled_kinds.jsonl: written for these tests, not real reports).
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sitroom.model import ACLED_COLUMNS
from sitroom.output import acled

from tests.helpers import ROOT, TEST_DATA

DATA = ROOT / "sitroom" / "data"
KINDS = TEST_DATA / "acled_kinds.jsonl"

#: ACLED's column order, as its API and its CSV exports write it.
ACLED_ORDER = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
               "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
               "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
               "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
               "fatalities", "tags", "timestamp"]

#: kind -> (sub_event_type, actor1 type, actor2 type or None, interaction, disorder_type, civilian_targeting)
EXPECTED = {
    "kind/battle": ("Armed clash", "state_forces", "rebel_group", 12, "Political violence", ""),
    "kind/protest": ("Peaceful protest", "protesters", None, 60, "Demonstrations", ""),
    "kind/riot": ("Violent demonstration", "rioters", "*", None, "Demonstrations", ""),
    "kind/civilians": ("Attack", "political_militia", "civilians", 37, "Political violence", "Civilian targeting"),
    "kind/airstrike": ("Air/drone strike", "external_force", "civilians", 78, "Political violence",
                       "Civilian targeting"),
    "kind/force": ("Excessive force against protesters", "*", "*", 16, "Political violence; Demonstrations", ""),
}
INTER = {"state_forces": 1, "rebel_group": 2, "political_militia": 3, "identity_militia": 4, "rioters": 5,
         "protesters": 6, "civilians": 7, "external_force": 8}


# ------------------------------------------------------------------ the data files

def test_columns_are_acleds_in_acleds_order():
    assert list(ACLED_COLUMNS) == ACLED_ORDER
    from sitroom.output import CSV_COLUMNS as EXTRACT
    from sitroom.store.export import CSV_COLUMNS as EXPORT
    for cols in (EXTRACT, EXPORT):
        assert list(cols[:len(ACLED_ORDER)]) == ACLED_ORDER and len(set(cols)) == len(cols)
        assert "event_id" in cols[len(ACLED_ORDER):]          # sitroom's id stays, after ACLED's


def test_data_files_agree_with_actors_and_taxonomy():
    t = acled.tables()                     # loads and checks every file
    actors = yaml.safe_load((DATA / "actors.yaml").read_text(encoding="utf-8"))
    types = {a["type"] for a in actors["actors"]} | {h["type"] for k, h in actors["heads"].items() if k != "modifiers"}
    assert types <= set(t.inter) and {t.inter[k] for k in INTER} == set(range(1, 9))
    assert all(t.inter[k] == v for k, v in INTER.items())
    codes = {c[0] for c in actors["countries"]}
    assert codes <= set(t.countries), sorted(codes - set(t.countries))
    tax = yaml.safe_load((DATA / "taxonomy.yaml").read_text(encoding="utf-8"))
    for et in tax["event_types"]:
        for st in et["sub_event_types"]:
            assert acled.disorder_type(et["name"], st["name"]), (et["name"], st["name"])
    assert acled.disorder_type("Riots", "Mob violence") == "Political violence"
    assert acled.disorder_type("Protests", "Peaceful protest") == "Demonstrations"
    syr = acled.country("sy")
    assert (syr.alpha3, syr.numeric, syr.region) == ("SYR", 760, "Middle East")
    assert acled.country("NO").alpha3 == "NOR"            # not YAML's boolean
    assert acled.country("XK").numeric == 0               # ACLED's iso for Kosovo
    assert acled.country("SD").region == "Northern Africa" and acled.country("AF").region == "South Asia"
    assert acled.event_id_cnty("SY", 12) == "SYR12" and acled.event_id_cnty(None, 3) == "XXX3"


def test_bad_data_is_refused(monkeypatch):
    from sitroom import data

    real = data.load
    acled.tables.cache_clear()
    monkeypatch.setattr(data, "load", lambda name: {"countries": {"NO": ["NOR", 578, "Narnia", "Norway"]}}
                        if name == "acled_countries.yaml" else real(name))
    try:
        with pytest.raises(ValueError, match="acled_countries.yaml"):
            acled.tables()
    finally:
        acled.tables.cache_clear()


def test_actor_types_inter_codes_and_interaction():
    assert acled.actor_type("Military Forces of Syria", "SY") == "state_forces"
    assert acled.actor_type("Military Forces of Russia", "SY") == "external_force"      # abroad: 8
    assert acled.actor_type("Military Forces of Russia", "RU") == "state_forces"
    assert acled.actor_type("Protesters (Sudan)", "SD") == "protesters"
    assert acled.actor_type("Hayat Tahrir al-Sham", "SY") == "rebel_group"
    assert acled.actor_type("Civilians", None) == "civilians"                         # a fallback name
    assert acled.actor_type("Someone Unheard Of", "SY") is None
    assert acled.inter_code(None) == 0 and acled.inter_code("Someone Unheard Of") is None
    assert acled.interaction(7, 1) == 17 and acled.interaction(1, 7) == 17
    assert acled.interaction(6, 0) == 60 and acled.interaction(0, 7) is None and acled.interaction(None, 1) is None
    assert acled.civilian_targeting("Violence against civilians", 0) == "Civilian targeting"
    assert acled.civilian_targeting("Explosions/Remote violence", 7) == "Civilian targeting"
    assert acled.civilian_targeting("Battles", 2) == ""


def test_source_scale_from_what_is_known():
    assert acled.source_scale([{"source": "Reuters"}]) == "International"
    assert acled.source_scale([{"source": "www.reuters.com"}]) == "International"
    assert acled.source_scale([{"source": None, "url": "https://mobile.reuters.com/article/x"}]) == "International"
    assert acled.source_scale([{"source": "SANA"}, {"source": "AFP"}, {"source": "Reuters"}]) == "National-International"
    assert acled.source_scale([{"source": "Unknown Gazette"}]) is None
    # a scale given with the source (a source registry's) wins over the outlet list
    assert acled.source_scale([{"source": "Reuters", "scale": "Local"}, {"source": "SANA"}]) == "Local-National"


def test_outlet_scale_answers_are_kept_only_for_the_tables_they_came_from(monkeypatch):
    url = "https://www.example-gazette.org/news/1"
    assert acled.outlet_scale("Example Gazette", url) is None
    assert acled.outlet_scale("Example Gazette", url) is None         # the kept answer
    real = acled.tables()
    acled.tables.cache_clear()
    from sitroom import data
    load = data.load
    monkeypatch.setattr(data, "load", lambda name: {"scales": ["Local", "National", "International"],
                                                     "outlets": [{"names": ["Example Gazette"], "scale": "Local",
                                                                  "domains": ["example-gazette.org"]}]}
                        if name == "source_scales.yaml" else load(name))
    try:
        t = acled.tables()
        assert t is not real
        assert acled.outlet_scale("Example Gazette", url) == "Local"  # the new tables' answer
        assert acled.outlet_scale(None, url) == "Local"
    finally:
        acled.tables.cache_clear()
    monkeypatch.setattr(data, "load", load)
    assert acled.outlet_scale("Example Gazette", url) is None


# ------------------------------------------------------------------ composed reports of each kind

@pytest.fixture(scope="module")
def kinds_results(tmp_path_factory) -> Path:
    from sitroom.cli import app

    out = tmp_path_factory.mktemp("acled") / "kinds.jsonl"
    r = CliRunner().invoke(app, ["extract", str(KINDS), "--format", "jsonl", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    return out


def _read_acled_csv(text: str):
    pd = pytest.importorskip("pandas", reason="pandas reads the CSV as analysts do: pip install -e '.[test]'")
    return pd.read_csv(io.StringIO(text), dtype=acled.PANDAS_DTYPES,
                       parse_dates=["event_date"], keep_default_na=False, na_values=[""])


def _check_kinds(df, id_col: str) -> None:
    assert list(df.columns[:len(ACLED_ORDER)]) == ACLED_ORDER
    assert str(df["event_date"].dtype).startswith("datetime64")
    assert (df["year"] == df["event_date"].dt.year).all()
    seen = set()
    for _, row in df.iterrows():
        doc = row[id_col]
        country = row["country_code"]
        for a, i in (("actor1", "inter1"), ("actor2", "inter2")):    # every code is its actor's type
            name = row[a] if isinstance(row[a], str) else None
            typ = acled.actor_type(name, country)
            assert row[i] == (0 if name is None else INTER[typ]), (doc, a, name, row[i])
        exp = EXPECTED.get(doc)
        if exp is None or row["sub_event_type"] != exp[0]:
            continue
        seen.add(doc)
        sub, t1, t2, inter, disorder, civ = exp
        assert t1 == "*" or acled.actor_type(row["actor1"], country) == t1, (doc, row["actor1"])
        if t2 is None:
            assert row["inter2"] == 0 and not isinstance(row["actor2"], str)
        elif t2 != "*":
            assert acled.actor_type(row["actor2"], country) == t2, (doc, row["actor2"])
        if inter is not None:
            assert row["interaction"] == inter, (doc, row["interaction"])
        assert row["disorder_type"] == disorder and (row["civilian_targeting"] if isinstance(row["civilian_targeting"], str) else "") == civ
        assert row["iso"] == acled.country(country).numeric and row["region"] == acled.country(country).region
        assert row["event_id_cnty"].startswith(acled.country(country).alpha3)
    assert seen == set(EXPECTED), set(EXPECTED) - seen
    rows = {r[id_col]: r for _, r in df.iterrows() if EXPECTED.get(r[id_col], ("",))[0] == r["sub_event_type"]}
    assert rows["kind/protest"]["inter1"] == 6 and rows["kind/riot"]["inter1"] == 5
    assert rows["kind/airstrike"]["source_scale"] == "International"      # Al Jazeera, by name and URL
    assert rows["kind/protest"]["source_scale"] == "National"             # Sudan Tribune
    assert (df["fatalities"] >= 0).all() and rows["kind/civilians"]["fatalities"] == 21
    assert (df["timestamp"] > 1_500_000_000).all()


def test_extract_csv_reads_as_acled(kinds_results):
    from sitroom.output import Writer

    buf = io.StringIO()
    w = Writer("csv", buf)
    for line in kinds_results.read_text(encoding="utf-8").splitlines():
        w.write(json.loads(line))
    w.close()
    df = _read_acled_csv(buf.getvalue())
    _check_kinds(df, "doc_id")
    assert df["event_id_cnty"].is_unique


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_export_csv_jsonl_and_api_carry_the_acled_fields(kinds_results, tmp_path):
    from sitroom.store import open_store
    from sitroom.store.export import write_export

    with open_store(str(tmp_path / "k.db")) as store:
        store.ingest(json.loads(x) for x in kinds_results.read_text(encoding="utf-8").splitlines())
        buf = io.StringIO()
        n = write_export("acled-csv", store.iter_events(), buf)
        df = _read_acled_csv(buf.getvalue())
        assert len(df) == n > 0
        docs = {e["id"]: e["documents"][0] for e in store.query_events()}
        df["doc"] = [docs[int(x[2:])] for x in df["event_id"]]
        _check_kinds(df, "doc")
        assert all(x == f"{acled.country(c).alpha3}{i[2:]}" for x, c, i in zip(df["event_id_cnty"], df["country_code"], df["event_id"]))
        buf = io.StringIO()
        write_export("jsonl", store.iter_events(with_mentions=True), buf)
        lines = [json.loads(x) for x in buf.getvalue().splitlines()]
        import pandas as pd
        for js in lines:                                  # the same fields, the JSON way (null, not 0)
            assert set(ACLED_ORDER) <= set(js) and {"event_id", "country_code", "documents", "mentions"} <= set(js)
            row = df[df["event_id"] == js["event_id"]].iloc[0]
            assert js["interaction"] == (None if pd.isna(row["interaction"]) else int(row["interaction"]))
            assert js["iso"] == row["iso"] and js["timestamp"] == row["timestamp"]
        from fastapi.testclient import TestClient
        from sitroom.serve import create_app

        with TestClient(create_app(store=store, tile_url="off"), base_url="http://127.0.0.1") as c:
            got = c.get("/api/events", params={"limit": 100}).json()
            items = got["events"]
            assert items and all(set(ACLED_ORDER) <= set(e) for e in items)
            one = c.get(f"/api/events/{items[0]['event_id']}").json()
            assert set(ACLED_ORDER) <= set(one)
