"""The dashboard's JSON API and pages (``sitroom serve``), through FastAPI's test client.

One database per module: the reference page ingested by the real pipeline."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from tests.helpers.shared_data import SEED, missing

from sitroom.store import open_store

from tests.helpers import ROOT

pytestmark = [pytest.mark.skipif(not SEED.exists(), reason=missing(SEED)),
              pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")]

TOKEN = "s3cret-token"
HOSTILE_TITLE = '<script>window.__xss=1</script> Strike report'
HOSTILE_TEXT = ("Nawa strike <b>bold</b>\n\n"
                "On January 5, 2020, a Syrian government airstrike hit the town of Nawa in Daraa province "
                "<script>window.__xss=1</script> <img src=x onerror=\"window.__xss=1\">, killing 3 civilians, "
                "activists said.")


@pytest.fixture(scope="module")
def store(tmp_path_factory, pipeline):
    from sitroom.ingest import iter_documents

    db = str(tmp_path_factory.mktemp("serve") / "serve.db")
    s = open_store(db)
    stats = s.ingest(pipeline.run(iter_documents([str(SEED)], date(2020, 1, 17))))
    assert stats.added == 1
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(store):
    from fastapi.testclient import TestClient

    from sitroom.serve import create_app

    with TestClient(create_app(store=store, token=TOKEN, tile_url="off"), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="module")
def readonly(store):
    from fastapi.testclient import TestClient

    from sitroom.serve import create_app

    with TestClient(create_app(store=store, token=""), base_url="http://127.0.0.1") as c:
        yield c


def _ids(body) -> list[str]:
    return [e["event_id"] for e in body["events"]]


# ------------------------------------------------------------------ events

def test_events_list_and_paging(client, store):
    body = client.get("/api/events").json()
    assert body["total"] == store.count_events() == len(store.query_events())
    assert body["limit"] == 100 and body["offset"] == 0
    assert len(body["events"]) == body["total"] >= 5
    e = body["events"][0]
    for key in ("event_id", "event_date", "sub_event_type", "location", "latitude", "longitude", "sources",
                "documents", "place_names", "date_range"):
        assert key in e
    everything = _ids(body)
    first = client.get("/api/events", params={"limit": 3}).json()
    second = client.get("/api/events", params={"limit": 3, "offset": 3}).json()
    assert first["total"] == second["total"] == body["total"]
    assert _ids(first) + _ids(second) == everything[:6]
    past = client.get("/api/events", params={"offset": 500}).json()
    assert past["events"] == [] and past["total"] == body["total"]
    assert client.get("/api/events", params={"limit": 1001}).status_code == 422
    assert client.get("/api/events", params={"limit": 0}).status_code == 422
    assert client.get("/api/events", params={"offset": -1}).status_code == 422


def test_events_filters_match_the_store(client, store):
    cases = [{"type": "Air/drone strike"}, {"actor": "russia"}, {"admin1": "Aleppo"}, {"country": "SY"},
             {"country": "Syria", "since": "2020-01-16"}, {"until": "2020-01-12"},
             {"type": "Explosions/Remote violence", "admin1": "idlib"}]
    for params in cases:
        body = client.get("/api/events", params=params).json()
        want = store.query_events(**params)
        assert body["total"] == len(want), params
        assert _ids(body) == [f"SR{r['id']}" for r in want], params
    strikes = client.get("/api/events", params={"type": "Air/drone strike"}).json()["events"]
    assert strikes and all(e["sub_event_type"] == "Air/drone strike" for e in strikes)
    assert client.get("/api/events", params={"country": "XX"}).json() == {
        "total": 0, "total_exact": True, "limit": 100, "offset": 0, "next_cursor": None, "events": []}


def test_events_place_names_keep_the_source_spelling(client):
    events = client.get("/api/events").json()["events"]
    maarat = [e for e in events if "Maarat al-Numan" in e["place_names"]]
    assert maarat and maarat[0]["location"] == "Maarrat an Numan"


def test_events_geojson(client):
    r = client.get("/api/events", headers={"Accept": "application/geo+json"}, params={"limit": 4, "offset": 1})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 4
    assert fc["total"] > 4 and fc["offset"] == 1
    f = fc["features"][0]
    assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
    lon, lat = f["geometry"]["coordinates"]
    assert (lat, lon) == (f["properties"]["latitude"], f["properties"]["longitude"])
    assert f["id"] == f["properties"]["event_id"]
    same = client.get("/api/events", params={"limit": 4, "offset": 1, "format": "geojson"}).json()
    assert same == fc
    plain = client.get("/api/events", headers={"Accept": "application/geo+json"}, params={"format": "json"})
    assert plain.headers["content-type"].startswith("application/json") and "events" in plain.json()


def test_event_detail_with_mentions_and_marked_evidence(client):
    events = client.get("/api/events").json()["events"]
    eid = next(e["event_id"] for e in events if "Maarat al-Numan" in e["place_names"])
    r = client.get(f"/api/events/{eid}")
    assert r.status_code == 200
    e = r.json()
    assert e["event_id"] == eid and e["mentions"] and e["sources"]
    m = e["mentions"][0]
    ev = m["evidence"][0]
    assert "Maarat al-Numan" in ev["text"]
    assert "".join(s["text"] for s in ev["segments"]) == ev["text"]    # segments cut the sentence, nothing lost
    marked = {s["text"]: s for s in ev["segments"] if s.get("field")}
    assert marked["Maarat al-Numan"]["field"] == "location"
    assert marked["Maarat al-Numan"]["kind"] == "place"
    assert marked["Maarat al-Numan"]["value"] == "Maarrat an Numan"
    assert {s["kind"] for s in marked.values()} >= {"place", "actor", "date", "trigger"}
    assert any(f["field"] == "location" and f["text"] == "Maarat al-Numan" for f in m["fields"])
    assert isinstance(e["claims"], list) and m["fusion"]["decision"] in ("new", "merged")
    # the numeric id works too
    assert client.get(f"/api/events/{eid[2:]}").json()["event_id"] == eid


def test_unknown_events_are_404_and_bad_dates_422(client):
    assert client.get("/api/events/SR999999").status_code == 404
    assert client.get("/api/events/not-an-id").status_code == 404
    assert "detail" in client.get("/api/events/SR999999").json()
    for params in ({"since": "2020-13-01"}, {"until": "yesterday"}, {"since": "17/01/2020"}):
        assert client.get("/api/events", params=params).status_code == 422, params
    assert client.get("/api/figures", params={"since": "soon"}).status_code == 422
    assert client.get("/api/claims", params={"until": "2020-02-30"}).status_code == 422
    assert client.get("/api/agreements", params={"since": "x"}).status_code == 422
    assert client.get("/api/report", params={"since": "x"}).status_code == 422
    assert client.get("/api/claims", params={"event": "nope"}).status_code == 422


# ------------------------------------------------------------------ reports

def test_figures_claims_agreements(client, store):
    figs = client.get("/api/figures").json()
    assert figs["total"] == len(store.query_figures()) > 0
    assert {"kind", "value", "doc_id", "evidence"} <= set(figs["figures"][0])
    killed = client.get("/api/figures", params={"kind": "killed"}).json()
    assert killed["figures"] and all(f["kind"] == "killed" for f in killed["figures"])
    page = client.get("/api/figures", params={"limit": 1, "offset": 1}).json()
    assert page["figures"] == figs["figures"][1:2] and page["total"] == figs["total"]

    claims = client.get("/api/claims").json()
    assert claims["total"] == len(store.query_claims()) > 0
    denials = client.get("/api/claims", params={"kind": "denial"}).json()["claims"]
    assert denials and all(c["kind"] == "denial" for c in denials)
    linked = denials[0]["events"][0]["event_id"]
    about = client.get("/api/claims", params={"event": linked}).json()["claims"]
    assert about and all(any(x["event_id"] == linked for x in c["events"]) for c in about)

    ags = client.get("/api/agreements").json()
    assert ags["total"] == len(store.ceasefires()) > 0
    a = ags["agreements"][0]
    assert {"kind", "parties", "area", "days", "n_violations"} <= set(a)
    assert client.get("/api/agreements", params={"area": "Idlib"}).json()["total"] >= 1


def test_report(client):
    r = client.get("/api/report", params={"country": "SY", "since": "2020-01-01", "until": "2020-01-31"})
    try:
        import sitroom.report.data  # noqa: F401
    except ImportError:
        assert r.status_code == 503
        return
    assert r.status_code == 200
    body = r.json()
    assert isinstance(body, dict) and body
    assert "Idlib" in json.dumps(body)


def test_facets_and_config(client):
    f = client.get("/api/facets").json()
    assert any(x["sub_event_type"] == "Air/drone strike" for x in f["sub_event_types"])
    assert any(x["admin1"] == "Idlib" for x in f["admin1"])
    assert any("Russia" in x["actor"] for x in f["actors"])
    assert f["dates"][0] <= f["dates"][1]
    c = client.get("/api/config").json()
    assert c["tiles"]["url"] is None and c["writes"] is True
    assert c["outlines"]["countries"].startswith("/static/")


# ------------------------------------------------------------------ writes

def _post(client, body, token=TOKEN, **kw):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    headers.update(kw.pop("headers", {}))
    return client.post("/api/documents", json=body, headers=headers, **kw)


def test_post_refused_without_a_configured_token(readonly):
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": f"Bearer {TOKEN}"}):
        r = readonly.post("/api/documents", json={"text": "x"}, headers=headers)
        assert r.status_code == 403, headers
    assert readonly.get("/api/config").json()["writes"] is False


def test_post_needs_the_right_bearer_token(client):
    body = {"text": HOSTILE_TEXT}
    assert _post(client, body, token=None).status_code == 401
    assert _post(client, body, token="wrong").status_code == 401
    assert _post(client, body, token=TOKEN + "x").status_code == 401
    r = client.post("/api/documents", json=body, headers={"Authorization": f"Basic {TOKEN}"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_post_body_limits_and_validation(client):
    big = {"text": "a" * 1_100_000}
    assert _post(client, big).status_code == 413
    r = client.post("/api/documents", content=b"{" + b" " * 1_000_001 + b"}",
                    headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert r.status_code == 413
    assert _post(client, {"title": "no text"}).status_code == 422
    assert _post(client, {"text": "   "}).status_code == 422
    assert _post(client, {"text": "x", "published": "2020-02-30"}).status_code == 422
    r = client.post("/api/documents", content=b"not json",
                    headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert r.status_code == 422


def test_post_ingests_and_the_document_is_queryable(client):
    before = client.get("/api/events").json()["total"]
    body = {"text": HOSTILE_TEXT, "title": HOSTILE_TITLE, "url": "javascript:alert(1)", "published": "2020-01-06",
            "id": "hostile-1", "source": "<b>Outlet</b>"}
    r = _post(client, body)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["status"] == "added" and got["doc_id"] == "hostile-1" and got["events"]
    after = client.get("/api/events").json()
    assert after["total"] == before + len(got["events"])
    nawa = client.get("/api/events", params={"since": "2020-01-05", "until": "2020-01-05"}).json()["events"]
    assert [e["event_id"] for e in nawa if e["location"] == "Nawa"] == got["events"]
    e = client.get(f"/api/events/{got['events'][0]}").json()
    texts = [ev["text"] for m in e["mentions"] for ev in m["evidence"]]
    assert any('<img src=x onerror="window.__xss=1">' in t for t in texts)   # stored verbatim; the page escapes
    assert any(s["title"] == HOSTILE_TITLE for s in e["sources"])
    # the same content again changes nothing
    again = _post(client, body)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert client.get("/api/events").json()["total"] == after["total"]


# ------------------------------------------------------------------ pages, headers, assets

def test_page_headers_and_no_inline_script(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    html = r.text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html)            # no inline event handlers
    assert "http://" not in html and "https://" not in html   # no CDN
    assert 'id="event-count"' in html
    api = client.get("/api/events")
    assert api.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in api.headers


def test_csp_allows_the_tile_server(store):
    from fastapi.testclient import TestClient

    from sitroom.serve import create_app

    with TestClient(create_app(store=store, token=None), base_url="http://127.0.0.1") as c:
        csp = c.get("/").headers["content-security-policy"]
        assert "img-src 'self' data: https://tile.openstreetmap.org" in csp
        assert c.get("/api/config").json()["tiles"]["url"].startswith("https://tile.openstreetmap.org/")


def test_static_assets_served(client):
    for path, kind in [("/static/app.js", "javascript"), ("/static/app.css", "text/css"),
                       ("/static/vendor/leaflet/leaflet.js", "javascript"),
                       ("/static/vendor/leaflet/leaflet.css", "text/css"),
                       ("/static/vendor/leaflet/images/marker-icon.png", "image/png"),
                       ("/static/vendor/leaflet.markercluster/leaflet.markercluster.js", "javascript"),
                       ("/static/vendor/leaflet.markercluster/MarkerCluster.Default.css", "text/css"),
                       ("/static/docs.js", "javascript")]:
        r = client.get(path)
        assert r.status_code == 200 and kind in r.headers["content-type"], path
        assert r.headers["x-content-type-options"] == "nosniff"
    countries = client.get("/static/vendor/outlines/countries.geojson")
    admin1 = client.get("/static/vendor/outlines/admin1.geojson")
    assert countries.status_code == admin1.status_code == 200
    assert len(countries.content) + len(admin1.content) < 3_000_000
    syria = [f["properties"]["name"] for f in admin1.json()["features"] if f["properties"]["iso3"] == "SYR"]
    assert "Idlib" in syria and "Aleppo" in syria
    assert any(f["properties"]["name"] == "Syria" for f in countries.json()["features"])
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/static/../app.py").status_code == 404


def test_app_js_never_writes_html():
    js = (ROOT / "sitroom" / "serve" / "static" / "app.js").read_text()
    assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js
    assert "document.write" not in js and "eval(" not in js


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/events", "/api/events/{event_id}", "/api/figures", "/api/claims", "/api/agreements",
                 "/api/report", "/api/documents"):
        assert path in spec["paths"], path
    assert "requestBody" in spec["paths"]["/api/documents"]["post"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/docs.js" in docs.text and "https://" not in docs.text


# ------------------------------------------------------------------ the command

def test_serve_command_warns_off_loopback(monkeypatch, tmp_path):
    import uvicorn
    from typer.testing import CliRunner

    from sitroom.cli import app
    from sitroom.serve.guard import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.5.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.delenv("SITROOM_TOKEN", raising=False)
    db = str(tmp_path / "cmd.db")
    runner = CliRunner()
    r = runner.invoke(app, ["serve", "--db", db])
    assert r.exit_code == 0, r.output
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8000
    assert "not on loopback" not in r.output and "SITROOM_TOKEN is not set" in r.output
    r = runner.invoke(app, ["serve", "--db", db, "--host", "0.0.0.0", "--port", "8123"])
    assert r.exit_code == 0, r.output
    assert calls[-1]["host"] == "0.0.0.0" and calls[-1]["port"] == 8123
    assert "warning: listening on 0.0.0.0, not on loopback" in r.output


def test_serve_workers_answer_with_the_same_guard(tmp_path):
    """`sitroom serve --workers 2`: two server processes over one database give the same answers and
    the same Host guard as one process (each builds the app from the environment the command set)."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    db = tmp_path / "w.db"
    with open_store(str(db)) as s:
        s.ingest([{"doc_id": "d1", "text": "x", "published": "2020-01-14", "events": [], "figures": [],
                   "claims": [], "agreements": [], "quality": []}])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("SITROOM_DB", None)
    proc = subprocess.Popen([sys.executable, "-m", "sitroom.cli", "serve", "--db", "w.db", "--port", str(port),
                             "--workers", "2", "--read-only"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/api/events"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    body = json.loads(r.read())
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stderr.read().decode()[-800:]
                assert time.monotonic() < deadline, "the server did not answer within 90 s"
                time.sleep(0.3)
        assert body["total"] == 0 and body["events"] == []
        codes = set()
        for _ in range(8):          # every process answers with the guard in front
            req = urllib.request.Request(url, headers={"Host": "evil.example"})
            try:
                urllib.request.urlopen(req, timeout=5)
                codes.add(200)
            except urllib.error.HTTPError as exc:
                codes.add(exc.code)
        assert codes == {400}
        post = urllib.request.Request(f"http://127.0.0.1:{port}/api/documents", data=b'{"text": "x"}',
                                      headers={"Content-Type": "application/json"}, method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(post, timeout=5)
        assert refused.value.code == 403            # --read-only reached the workers
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "2 server processes" in proc.stderr.read().decode()


def test_a_served_app_is_settled_out_of_the_collectors_sight():
    """`sitroom serve` hands uvicorn an app whose start-up objects are frozen (gc.freeze), so a
    full collection under load does not scan them; the app itself is unchanged."""
    import gc

    from sitroom.serve.app import create_app, settled

    app = create_app(None)
    try:
        assert settled(app) is app
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_served_app_reads_the_filter_values_at_start(tmp_path, caplog):
    """`settled` reads what the event filters keep (Store.warm) before the server serves; a
    database it cannot read then is a warning, not a server that does not start."""
    import gc

    from sitroom.serve.app import create_app, settled
    from sitroom.store import open_store

    store = open_store(str(tmp_path / "w.db"))
    calls = []
    store.warm = lambda: calls.append(1)
    try:
        settled(create_app(store=store))
        assert calls == [1]

        def broken():
            raise RuntimeError("connection refused")
        store.warm = broken
        with caplog.at_level("WARNING"):
            app = settled(create_app(store=store))
        assert app is not None and "connection refused" in caplog.text
    finally:
        gc.unfreeze()
        store.close()
