"""The web server's guard (``sitroom.serve.guard``): Host allow-list, sizes, query validation,
read-only mode, read token, CORS, security headers on every response (errors and 500s too),
no path traversal under /static. Over an empty database: nothing here needs ../shared."""
from __future__ import annotations

import hmac

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

LOCAL = "http://127.0.0.1"
TOKEN = "w-token-123"
HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
           "cross-origin-opener-policy", "permissions-policy")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from sitroom.store import open_store

    s = open_store(str(tmp_path_factory.mktemp("guard") / "guard.db"))
    yield s
    s.close()


def _client(store, base_url=LOCAL, **kw):
    from fastapi.testclient import TestClient

    from sitroom.serve import create_app

    kw.setdefault("token", TOKEN)
    return TestClient(create_app(store=store, tile_url="off", **kw), base_url=base_url,
                      raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(store):
    with _client(store) as c:
        yield c


def _secured(r) -> None:
    for h in HEADERS:
        assert h in r.headers, (r.status_code, r.request.url, h)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]


# ------------------------------------------------------------------ Host (DNS rebinding)

@pytest.mark.parametrize("host,ok", [
    ("127.0.0.1:8000", True), ("localhost", True), ("localhost:8000", True), ("[::1]:8000", True),
    ("app.localhost", True), ("LOCALHOST", True),
    ("evil.example", False), ("evil.example:8000", False), ("127.0.0.1.evil.example", False),
    ("localhost.evil.example", False), ("", False), ("10.0.0.5", False)])
def test_host_header_checked_against_the_localhost_names(client, host, ok):
    r = client.get("/api/config", headers={"Host": host})
    assert (r.status_code == 200) is ok, (host, r.status_code)
    if not ok:
        assert r.status_code == 400 and "Host" in r.json()["detail"]
    _secured(r)


def test_host_allow_list_configurable(store, monkeypatch):
    with _client(store, allowed_hosts=["sitroom.example.org", ".corp.example"]) as c:
        for host, status in [("sitroom.example.org", 200), ("sitroom.example.org:443", 200), ("a.corp.example", 200),
                             ("corp.example", 200), ("evilcorp.example", 400), ("localhost", 400)]:
            assert c.get("/api/config", headers={"Host": host}).status_code == status, host
    monkeypatch.setenv("SITROOM_ALLOWED_HOSTS", "dash.example.net, localhost")
    with _client(store) as c:
        assert c.get("/api/config", headers={"Host": "dash.example.net"}).status_code == 200
        assert c.get("/api/config", headers={"Host": "other.example.net"}).status_code == 400
    with _client(store, allowed_hosts=["*"]) as c:
        assert c.get("/api/config", headers={"Host": "anything.example"}).status_code == 200


# ------------------------------------------------------------------ query parameters

BAD_QUERIES = [
    "limit=-1", "limit=0", "limit=1001", "limit=99999999999999999999999", "limit=1e3", "limit=abc", "limit=",
    "offset=-1", f"offset={2**63}", f"offset={2**64 + 5}", "offset=" + "9" * 400, "offset=1.5", "offset=%EF%BC%91",
    "country=" + "x" * 5000, "actor=" + "%C3%A9" * 1001, "country=%00", "actor=a%0Ab%07", "type=%ED%A0%80",
    "admin1=%FF%FE", "since=99999-01-01", "until=-1", "since=" + "1" * 3000,
]


@pytest.mark.parametrize("path", ["/api/events", "/api/figures", "/api/claims", "/api/agreements"])
@pytest.mark.parametrize("query", BAD_QUERIES, ids=lambda q: q[:30])
def test_bad_query_parameters_are_422_never_500(client, path, query):
    r = client.get(f"{path}?{query}")
    assert r.status_code == 422, (path, query[:60], r.status_code, r.text[:200])
    assert "detail" in r.json()
    _secured(r)


def test_unknown_event_format_is_422(client):
    r = client.get("/api/events?format=xml")
    assert r.status_code == 422
    _secured(r)


@pytest.mark.parametrize("query", ["country=Syrie%CC%81", "actor=%D8%A7%D9%84%D8%AC%D9%8A%D8%B4",
                                   "type=Air%2Fdrone%20strike", "admin1=%F0%9F%98%80", "limit=1000",
                                   f"offset={10**9}", "country=" + "y" * 1000, "actor=%27%3B%20DROP%20TABLE%20events%3B--"])
def test_odd_but_valid_parameters_answer(client, query):
    r = client.get(f"/api/events?{query}")
    assert r.status_code == 200, (query, r.text[:200])
    assert r.json()["events"] == []


def test_overlong_query_and_path_are_414(client):
    r = client.get("/api/events?" + "&".join(f"p{i}=x" for i in range(3000)))
    assert r.status_code == 414
    _secured(r)
    r = client.get("/api/events/" + "1" * 3000)
    assert r.status_code == 414


@pytest.mark.parametrize("eid", ["SR" + "9" * 30, "9" * 19, str(2**63), "SR-1", "-5", "SR1.5", "SR%EF%BC%91",
                                 "%F0%9F%98%80", "SR" + "%00", "SR 1 2"])
def test_huge_or_odd_event_ids_are_404_never_500(client, eid):
    r = client.get(f"/api/events/{eid}")
    assert r.status_code in (404, 422), (eid, r.status_code, r.text[:200])
    _secured(r)


@pytest.mark.parametrize("eid", ["SR" + "9" * 30, str(2**63), "SR-1"])
def test_huge_event_id_filter_is_422(client, eid):
    r = client.get("/api/claims", params={"event": eid})
    assert r.status_code == 422
    assert client.get("/api/claims", params={"event": "SR" + "9" * 18}).status_code == 200


# ------------------------------------------------------------------ headers on every response

def test_errors_carry_the_security_headers(client):
    for r in (client.get("/nope"), client.get("/api/events/SR1"), client.delete("/api/events"),
              client.get("/api/events?since=x"), client.post("/api/documents", json={"text": "x"})):
        assert r.status_code in (401, 404, 405, 422), r.status_code
        _secured(r)
    assert client.get("/api/events/SR1").headers["cache-control"] == "no-store"


def test_internal_errors_are_a_bare_500_with_the_headers(store, monkeypatch, caplog):
    def boom(*a, **k):
        raise RuntimeError("secret internals /etc/passwd")
    with _client(store) as c:
        for name in ("query_events", "query_event_docs"):   # every /api/events request reads a page
            monkeypatch.setattr(store, name, boom)
        r = c.get("/api/events")
    assert r.status_code == 500
    _secured(r)
    assert r.json() == {"detail": "internal server error"}
    assert "secret" not in r.text and "Traceback" not in r.text
    assert any("internal error" in rec.getMessage() for rec in caplog.records)


# ------------------------------------------------------------------ bodies

def test_body_size_limit_on_every_path(store):
    with _client(store, max_body=1000) as c:
        auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        r = c.post("/api/documents", content=b'{"text": "' + b"a" * 2000 + b'"}', headers=auth)
        assert r.status_code == 413
        _secured(r)
        assert c.post("/api/events", content=b"x" * 5000).status_code == 413       # before any route

        def chunks():           # no Content-Length: counted as it streams
            for _ in range(10):
                yield b"a" * 500
        r = c.post("/api/documents", content=chunks(), headers=auth)
        assert r.status_code == 413
        assert c.post("/api/documents", content=b"x", headers=dict(auth, **{"Content-Length": "12abc"})).status_code in (400, 413)


# ------------------------------------------------------------------ tokens, read-only, CORS

def test_write_token_compared_in_constant_time(client, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)
    monkeypatch.setattr(hmac, "compare_digest", spy)
    for given in ("w", "w-token-12", "w-token-1234", "W-TOKEN-123", "", "w-token-123\x00"):
        r = client.post("/api/documents", json={"text": "x"}, headers={"Authorization": f"Bearer {given}"})
        assert r.status_code == 401, given
    assert calls and all(TOKEN.encode() in pair for pair in calls)


def test_read_only_mode_refuses_every_write(store, monkeypatch):
    with _client(store, read_only=True) as c:
        r = c.post("/api/documents", json={"text": "On May 3, 2021 shelling killed two in Idlib."},
                   headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 403 and "read-only" in r.json()["detail"]
        _secured(r)
        assert c.put("/api/events").status_code == 403
        assert c.get("/api/events").status_code == 200
        assert c.get("/api/config").json()["writes"] is False
    monkeypatch.setenv("SITROOM_READ_ONLY", "1")
    with _client(store) as c:
        assert c.post("/api/documents", json={"text": "x"}, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 403


def test_read_token_guards_every_read(store):
    with _client(store, read_token="r-token") as c:
        for path in ("/", "/api/events", "/api/config", "/static/app.js", "/openapi.json", "/docs"):
            r = c.get(path)
            assert r.status_code == 401, path
            _secured(r)
        assert c.get("/api/events", headers={"Authorization": "Bearer r-token"}).status_code == 200
        assert c.get("/api/events", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200   # write token reads
        assert c.get("/api/events", headers={"Authorization": "Bearer r-tokenX"}).status_code == 401
        assert c.get("/?token=wrong", follow_redirects=False).status_code == 401
        r = c.get("/?token=r-token", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert c.get("/api/events").status_code == 200                     # the cookie, kept by the client
        assert c.get("/").status_code == 200
        c.cookies.clear()
        assert c.get("/api/events", headers={"Cookie": "sitroom_token=nope"}).status_code == 401


def test_cors_closed_unless_configured(store):
    origin = {"Origin": "https://evil.example"}
    preflight = dict(origin, **{"Access-Control-Request-Method": "GET"})
    with _client(store) as c:
        r = c.get("/api/events", headers=origin)
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
        r = c.options("/api/events", headers=preflight)
        assert "access-control-allow-origin" not in r.headers
    with _client(store, cors_origins=["https://dash.example.org"]) as c:
        r = c.get("/api/events", headers={"Origin": "https://dash.example.org"})
        assert r.headers["access-control-allow-origin"] == "https://dash.example.org"
        assert "access-control-allow-origin" not in c.get("/api/events", headers=origin).headers
        r = c.options("/api/events", headers={"Origin": "https://dash.example.org", "Access-Control-Request-Method": "GET"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://dash.example.org"
        _secured(r)


# ------------------------------------------------------------------ static files

@pytest.mark.parametrize("path", ["/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e/app.py",
                                  "/static/%2e%2e%2fapp.py", "/static/vendor/../../app.py", "/static/..%5capp.py",
                                  "/static/%2e%2e%2f%2e%2e%2fstore%2fcore.py", "/static//etc/passwd",
                                  "/static/..%252fapp.py", "/static/%00", "/static/vendor/%2e%2e/%2e%2e/guard.py"])
def test_no_path_traversal_under_static(client, path):
    r = client.get(path)
    assert r.status_code in (400, 404, 422), (path, r.status_code)
    assert "def create_app" not in r.text and "import" not in r.text and "root:" not in r.text
    _secured(r)


# ------------------------------------------------------------------ the command

def test_serve_command_passes_hosts_read_only_and_cors(monkeypatch, tmp_path):
    import uvicorn
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from sitroom.cli import app

    apps = []
    monkeypatch.setattr(uvicorn, "run", lambda a, **kw: apps.append(a))
    monkeypatch.setenv("SITROOM_TOKEN", TOKEN)
    monkeypatch.setenv("SITROOM_READ_TOKEN", "r-token")
    r = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "cmd.db"), "--host", "0.0.0.0",
                                 "--allow-host", "dash.example.org", "--read-only",
                                 "--cors-origin", "https://dash.example.org"])
    assert r.exit_code == 0, r.output
    assert "read-only" in r.output and "anyone who can reach" not in r.output
    with TestClient(apps[-1], base_url="http://dash.example.org", raise_server_exceptions=False) as c:
        auth = {"Authorization": "Bearer r-token"}
        assert c.get("/api/config", headers=auth).status_code == 200
        assert c.get("/api/config").status_code == 401
        assert c.get("/api/config", headers=dict(auth, Host="evil.example")).status_code == 400
        assert c.get("/api/config", headers=dict(auth, Host="localhost:8000")).status_code == 200
        assert c.post("/api/documents", json={"text": "x"}, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 403
