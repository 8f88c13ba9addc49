"""sitroom watch for real: a local HTTP server on 127.0.0.1 serves feeds, sitemaps, robots.txt and
pages; the watcher polls it through the polite fetcher, extracts, recognises repeats, ingests and fuses;
alert rules fire to a webhook receiver on 127.0.0.1. Delays are short but real."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from sitroom.store import open_store
from sitroom.store import schema as S
from sitroom.watch import alerts as A
from sitroom.watch import canon, registry
from sitroom.watch import schema as W
from sitroom.watch.fetcher import FetchFailed, FetchSettings, PoliteFetcher, parse_retry_after
from sitroom.watch.poller import Watcher, WatchSettings

from tests.helpers import ROOT


# ---------------------------------------------------------------------- article texts (made up)

ARTICLES = {
    "idlib": ("Airstrikes kill 12 in Idlib market",
              "Russian airstrikes killed 12 civilians in the town of Maarat al-Numan in Idlib province on Tuesday, "
              "the Syrian Observatory for Human Rights said. The strikes hit a crowded vegetable market in the "
              "centre of the town shortly after noon, and rescue workers said several people were still missing "
              "under the rubble. Residents said the planes returned twice over the following hour. Medical staff "
              "at a nearby hospital said they had received dozens of wounded people, many of them children."),
    "aden": ("Clashes in Aden leave five dead",
             "Fighting between government forces and separatist fighters killed five people in the southern city "
             "of Aden on Monday, security officials said. The clashes broke out near the presidential palace in "
             "the Crater district and lasted for several hours before a fragile calm returned. Officials said two "
             "of the dead were civilians caught in the crossfire. Shops in the district remained closed and "
             "residents said they heard heavy gunfire throughout the afternoon."),
    "kabul": ("Bomb blast in Kabul kills three",
              "A roadside bomb exploded in the west of Kabul on Sunday, killing three people and wounding seven "
              "others, police said. The bomb was attached to a minibus carrying government employees to work in "
              "the morning rush hour. No group immediately claimed responsibility for the attack. A police "
              "spokesman said an investigation had been opened and that the wounded had been taken to hospital "
              "in the city, where two of them were said to be in a serious condition."),
}


def page(title: str, body: str, date: str = "2020-01-15") -> bytes:
    paras = "".join(f"<p>{p}.</p>" for p in body.split(". ") if p)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='article:published_time' content='{date}'></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article><h1>{title}</h1>{paras}</article><footer>Copyright the test site</footer></body></html>").encode()


def rss(items: list[tuple[str, str]], title: str = "Test feed") -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{u}</link><pubDate>Wed, 15 Jan 2020 10:00:00 GMT</pubDate></item>"
                   for t, u in items)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title><link>http://x/</link>"
            f"<description>d</description>{body}</channel></rss>").encode()


NOT_ARTICLE = (b"<!doctype html><html><head><title>Section</title></head><body><nav><ul>"
               b"<li><a href='/a'>World</a></li><li><a href='/b'>Sport</a></li><li><a href='/c'>Business</a></li>"
               b"</ul></nav></body></html>")


# ---------------------------------------------------------------------- the local server

class Site:
    """A tiny web site on 127.0.0.1: ``routes[path] = dict(status, body, headers, delay, etag)``."""

    def __init__(self) -> None:
        self.routes: dict[str, dict] = {}
        self.log: list[tuple[str, float, dict]] = []       # (path, time, request headers)
        self.posts: list[tuple[str, dict, bytes]] = []
        self.post_status: list[int] = []                    # statuses to answer POSTs with, in order
        site = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *a):
                pass

            def do_GET(self):
                site.log.append((self.path, time.monotonic(), dict(self.headers)))
                r = site.routes.get(self.path)
                if r is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if r.get("delay"):
                    time.sleep(r["delay"])
                if callable(r.get("fn")):
                    r = dict(r, **r["fn"]())
                etag = r.get("etag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(r.get("status", 200))
                for k, v in (r.get("headers") or {}).items():
                    self.send_header(k, v)
                if etag:
                    self.send_header("ETag", etag)
                body = r.get("body", b"")
                self.send_header("Content-Type", r.get("type", "text/html; charset=utf-8"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                site.posts.append((self.path, dict(self.headers), body))
                code = site.post_status.pop(0) if site.post_status else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def hits(self, path: str) -> int:
        return sum(1 for p, _t, _h in self.log if p == path)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture
def store(request):
    """SQLite, or PostgreSQL for tests marked ``@pytest.mark.parametrize("store", BOTH, indirect=True)``."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return request.getfixturevalue("sqlite_store")("w.db")        # test_commands opens it again by name
    return request.getfixturevalue("pg_store")()


BOTH = ["sqlite", "postgresql"]


def fast(**kw) -> FetchSettings:
    base = dict(delay=0.15, timeout=1.0, deadline=3.0, retries=1, backoff=0.05, max_wait=0.5, allow_loopback=True)
    base.update(kw)
    return FetchSettings(**base)


def watcher(store, pipeline, **kw) -> Watcher:
    return Watcher(store, WatchSettings(fetch=fast(**kw)), pipeline=pipeline)


def items(store) -> dict[str, dict]:
    with store.engine.connect() as c:
        return {r["url"]: dict(r) for r in c.execute(sa.select(W.watch_items)).mappings()}


def n_docs(store) -> int:
    with store.engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(S.documents)).scalar_one()


# ---------------------------------------------------------------------- units

def test_canonical_url_drops_tracking_and_fragment():
    c = canon.canonical_url
    assert c("HTTPS://News.Example:443/a/b?utm_source=x&id=2&fbclid=y#top") == "https://news.example/a/b?id=2"
    assert c("http://news.example/a?b=2&a=1") == c("http://news.example/a?a=1&b=2")
    assert c("http://news.example:8080/x") == "http://news.example:8080/x"
    assert c("http://news.example/a?id=2") != c("http://news.example/a?id=3")


def test_sketch_sees_a_syndicated_copy_and_not_another_story():
    t = ARTICLES["idlib"][1]
    copy = "BEIRUT (Wire Agency) - Updated 14:02 GMT. By our correspondent. " + t + " Reporting by the wire desk."
    a, b, other = (canon.parse_sketch(canon.sketch(x)) for x in (t, copy, ARTICLES["aden"][1]))
    assert canon.similarity(a, b) >= canon.NEAR_DUPLICATE
    assert canon.similarity(a, other) < 0.2
    assert canon.sketch("too short to sketch") is None


def test_retry_after_values():
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(formatdate(time.time() + 60, usegmt=True)) == pytest.approx(60, abs=2)
    assert parse_retry_after("soon") is None


def test_registry_validates_and_imports(store, tmp_path):
    assert registry.add(store, {"name": "a", "url": "https://x.example/feed.xml", "scale": "national",
                                "interval": "10m"}) == "added"
    src = registry.get(store, "a")
    assert (src["kind"], src["interval_s"], src["scale"]) == ("feed", 600, "national")
    for bad, why in (({"name": "a b", "url": "https://x.example/"}, "name"),
                     ({"name": "b", "url": "ftp://x.example/"}, "scheme"),
                     ({"name": "b", "url": "https://x.example/", "scale": "galactic"}, "scale"),
                     ({"name": "b", "url": "https://x.example/", "interval": "soon"}, "duration"),
                     ({"name": "a", "url": "https://x.example/"}, "exists")):
        with pytest.raises(registry.SourceError, match=why):
            registry.add(store, bad)
    y = tmp_path / "s.yaml"
    y.write_text("sources:\n  - {name: a, url: 'https://x.example/other.xml', kind: feed}\n"
                 "  - {name: f, path: '%s', kind: folder}\n" % tmp_path)
    assert registry.import_yaml(store, str(y)) == {"added": ["f"], "updated": ["a"], "unchanged": []}
    y.write_text("sources:\n  - {name: ok, url: 'https://x.example/'}\n  - {name: bad, url: 'https://x/', scale: huge}\n")
    with pytest.raises(registry.SourceError, match="entry 2"):
        registry.import_yaml(store, str(y))
    assert registry.get(store, "ok") is None          # nothing written when one entry is bad
    assert registry.remove(store, "a") and not registry.remove(store, "a")


def test_examples_import(store):
    res = registry.import_yaml(store, str(ROOT / "examples" / "sources.yaml"))
    assert res["added"]
    assert registry.get(store, "inbox")["url"] == str(ROOT / "examples" / "composed")
    rules = A.import_rules(store, str(ROOT / "examples" / "alerts.yaml"))
    assert rules["added"]


# ---------------------------------------------------------------------- the fetcher

def test_fetcher_conditional_get_retry_after_slow_500_and_private_redirect(site):
    site.routes["/robots.txt"] = {"body": b"User-agent: *\nDisallow: /private/\n", "type": "text/plain"}
    site.routes["/feed"] = {"body": b"<rss/>", "etag": '"v1"', "type": "application/rss+xml"}
    site.routes["/busy"] = {"status": 429, "headers": {"Retry-After": "1"}}
    site.routes["/long"] = {"status": 503, "headers": {"Retry-After": "3600"}}
    site.routes["/slow"] = {"delay": 1.6, "body": b"late"}
    site.routes["/broken"] = {"status": 500}
    site.routes["/away"] = {"status": 302, "headers": {"Location": "http://10.255.255.1/x"}}
    site.routes["/private/x"] = {"body": b"secret"}
    f = PoliteFetcher(fast(delay=0.2, max_wait=2.0))
    a = f.get(site.url + "/feed")
    assert a.status == 200 and a.etag == '"v1"'
    b = f.get(site.url + "/feed", etag=a.etag)
    assert b.not_modified
    assert site.log[-1][2].get("If-None-Match") == '"v1"'
    with pytest.raises(FetchFailed) as exc:               # 429, waited (Retry-After 1 s), then given up
        f.get(site.url + "/busy")
    assert exc.value.status == 429 and site.hits("/busy") == 2
    t = [tm for p, tm, _h in site.log if p == "/busy"]
    assert t[1] - t[0] >= 0.95
    assert f.blocked(site.url + "/feed") is not None      # the host's last word: wait a second
    time.sleep(1.05)
    with pytest.raises(FetchFailed, match="timed out"):
        f.get(site.url + "/slow", retries=0)
    with pytest.raises(FetchFailed, match="HTTP 500"):
        f.get(site.url + "/broken")
    assert site.hits("/broken") == 2                      # one retry
    with pytest.raises(FetchFailed, match="refused redirect") as exc:
        f.get(site.url + "/away")
    assert exc.value.result == "refused"
    with pytest.raises(FetchFailed, match="robots"):
        f.get(site.url + "/private/x")
    assert site.hits("/private/x") == 0 and site.hits("/robots.txt") == 1
    with pytest.raises(FetchFailed):                      # a long Retry-After blocks the host
        f.get(site.url + "/long")
    assert f.blocked(site.url + "/feed") is not None
    starts = [tm for _u, tm in f.requests]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.19                              # never two requests to one host closer than the delay
    strict = PoliteFetcher(fast(allow_loopback=False))
    with pytest.raises(FetchFailed, match="loopback"):
        strict.get(site.url + "/feed")


# ---------------------------------------------------------------------- watching

def serve_articles(site, names, prefix="/news/"):
    for n in names:
        t, body = ARTICLES[n]
        site.routes[f"{prefix}{n}-story-of-the-day"] = {"body": page(t, body)}


def test_watch_feed_end_to_end(site, store, pipeline):
    site.routes["/robots.txt"] = {"body": b"User-agent: *\nDisallow: /private/\n", "type": "text/plain"}
    serve_articles(site, ["idlib", "aden"])
    site.routes["/private/kabul-story-of-the-day"] = {"body": page(*ARTICLES["kabul"])}
    site.routes["/section/world-news-and-more"] = {"body": NOT_ARTICLE}
    site.routes["/go/to-the-internal-site-now"] = {"status": 302, "headers": {"Location": "http://10.255.255.1/x"}}
    site.routes["/err/broken-story-of-the-day"] = {"status": 500}
    u = site.url
    feed_items = [("Idlib", f"{u}/news/idlib-story-of-the-day?utm_source=rss#top"),
                  ("Aden", f"{u}/news/aden-story-of-the-day"),
                  ("Kabul", f"{u}/private/kabul-story-of-the-day"),
                  ("World", f"{u}/section/world-news-and-more"),
                  ("Internal", f"{u}/go/to-the-internal-site-now"),
                  ("Broken", f"{u}/err/broken-story-of-the-day")]
    state = {"items": feed_items[:2] + feed_items[2:], "etag": '"1"'}
    site.routes["/feed.xml"] = {"fn": lambda: {"body": rss(state["items"]), "etag": state["etag"]},
                                "type": "application/rss+xml"}
    registry.add(store, {"name": "wire", "url": u + "/feed.xml", "scale": "international"})
    w = watcher(store, pipeline)
    rs = w.poll()
    st = rs.sources[0]
    assert (st.listed, st.added, st.skipped) == (6, 2, 2)
    it = items(store)
    idlib = it[f"{u}/news/idlib-story-of-the-day"]           # tracking parameters and fragment gone
    assert idlib["state"] == "done" and idlib["result"] == "added" and idlib["document_id"]
    assert it[f"{u}/private/kabul-story-of-the-day"]["result"] == "robots"
    assert it[f"{u}/section/world-news-and-more"]["result"] == "not_article"
    assert it[f"{u}/go/to-the-internal-site-now"]["result"] == "refused"
    assert it[f"{u}/err/broken-story-of-the-day"]["state"] == "pending"      # a 500: tried again later
    assert site.hits("/private/kabul-story-of-the-day") == 0
    assert n_docs(store) == 2
    with store.engine.connect() as c:
        doc = c.execute(sa.select(S.documents).where(S.documents.c.id == idlib["document_id"])).mappings().first()
        assert doc["source"] == "wire" and doc["published"].isoformat() == "2020-01-15"
        assert doc["url"].endswith("/news/idlib-story-of-the-day?utm_source=rss#top") or "idlib" in doc["url"]
        n_ev = c.execute(sa.select(sa.func.count()).select_from(S.events)).scalar_one()
    assert n_ev >= 2
    assert registry.source_scales(store, [idlib["document_id"]]) == {idlib["document_id"]: "international"}
    from sitroom.store.export import acled_row
    rows = [acled_row(e) for e in store.iter_events()]          # the registry's scale reaches ACLED's column
    assert rows and {r["source_scale"] for r in rows} == {"International"}
    h = registry.health(store, "wire")
    assert h["articles_found"] == 2 and h["errors_in_row"] == 0 and h["last_new_at"] is not None

    # second poll: the feed answers 304; the 500 page is tried again (given up after its third round)
    w.poll(force=True)
    feed_gets = [hd for p, _t, hd in site.log if p == "/feed.xml"]
    assert feed_gets[-1].get("If-None-Match") == '"1"'
    assert site.hits("/news/idlib-story-of-the-day") == 1 and site.hits("/news/aden-story-of-the-day") == 1
    broken = items(store)[f"{u}/err/broken-story-of-the-day"]
    assert (broken["state"], broken["attempts"]) == ("pending", 2)

    # a new item appears (and a new ETag): only it is fetched
    serve_articles(site, ["kabul"])
    state["items"] = [("Kabul 2", f"{u}/news/kabul-story-of-the-day")] + feed_items
    state["etag"] = '"2"'
    rs = w.poll(force=True)
    assert rs.sources[0].added == 1 and n_docs(store) == 3
    assert site.hits("/news/idlib-story-of-the-day") == 1
    assert items(store)[f"{u}/err/broken-story-of-the-day"]["state"] == "failed"
    assert site.hits("/err/broken-story-of-the-day") == 6          # three rounds, one retry each
    with store.engine.connect() as c:
        results = dict(c.execute(sa.select(W.watch_fetches.c.result, sa.func.count())
                                 .group_by(W.watch_fetches.c.result)).all())
    assert results["not_modified"] == 1 and results["robots"] == 1 and results["refused"] == 1
    times = [t for _p, t, _h in site.log]
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.14      # one host: the delay between every two requests
    from sitroom.watch.poller import status_summary
    summ = status_summary(store)
    assert summ["sources"][0]["articles_found"] == 3 and summ["fetches"]["ok"] >= 5
    # the JSON /api/events sends, stored by the store, carries the source's scale, also once changed
    from sitroom.store import listing
    with store.engine.connect() as c:
        assert listing.stale(c) == []
        assert {'"source_scale":"International"' in b for b in c.execute(sa.select(S.event_docs.c.body)).scalars()} == {True}
    assert registry.add(store, {"name": "wire", "url": u + "/feed.xml", "scale": "national"}, replace=True) == "updated"
    with store.engine.connect() as c:
        assert listing.stale(c) == []
        assert {'"source_scale":"National"' in b for b in c.execute(sa.select(S.event_docs.c.body)).scalars()} == {True}


@pytest.mark.parametrize("store", BOTH, indirect=True)
def test_syndicated_copy_and_same_text_elsewhere_are_copies(site, store, pipeline):
    t, body = ARTICLES["idlib"]
    site.routes["/a/idlib-story-of-the-day"] = {"body": page(t, body)}
    site.routes["/b/idlib-wire-copy-of-the-story"] = {
        "body": page(t, "BEIRUT (Wire Agency) - Updated 14:02 GMT. By our correspondent. " + body +
                     " Reporting by the wire desk; editing by the night editor")}
    site.routes["/c/idlib-same-text-again-here"] = {"body": page(t, body)}
    site.routes["/one.xml"] = {"body": rss([("x", f"{site.url}/a/idlib-story-of-the-day")]), "type": "application/rss+xml"}
    site.routes["/two.xml"] = {"body": rss([("y", f"{site.url}/b/idlib-wire-copy-of-the-story"),
                                            ("z", f"{site.url}/c/idlib-same-text-again-here")]),
                               "type": "application/rss+xml"}
    registry.add(store, {"name": "one", "url": site.url + "/one.xml"})
    registry.add(store, {"name": "two", "url": site.url + "/two.xml"})
    rs = watcher(store, pipeline).poll()
    assert [s.added for s in rs.sources] == [1, 0]
    assert rs.sources[1].copies == 1 and rs.sources[1].same_text == 1
    assert n_docs(store) == 1
    with store.engine.connect() as c:
        copies = [dict(r) for r in c.execute(sa.select(W.document_copies).order_by(W.document_copies.c.id)).mappings()]
    assert [c["source"] for c in copies] == ["two", "two"]
    assert copies[0]["similarity"] < 1.0 and copies[1]["similarity"] == 1.0
    assert len({c["document_id"] for c in copies}) == 1


def test_sitemap_site_discovery_and_folder(site, store, pipeline, tmp_path):
    serve_articles(site, ["idlib", "aden", "kabul"])
    u = site.url
    site.routes["/sitemap.xml"] = {"type": "application/xml", "body": (
        "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<sitemap><loc>{u}/news-sitemap.xml</loc><lastmod>2020-01-15</lastmod></sitemap></sitemapindex>").encode()}
    site.routes["/news-sitemap.xml"] = {"type": "application/xml", "body": (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
        "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
        f"<url><loc>{u}/news/idlib-story-of-the-day</loc><news:news><news:publication_date>2020-01-15"
        "</news:publication_date><news:title>Idlib</news:title></news:news></url></urlset>").encode()}
    site.routes["/home"] = {"body": (f"<html><head><link rel='alternate' type='application/rss+xml' href='/f.rss'>"
                                     f"</head><body><a href='/news/zzz'>x</a></body></html>").encode()}
    site.routes["/f.rss"] = {"body": rss([("Aden", f"{u}/news/aden-story-of-the-day")]), "type": "application/rss+xml"}
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "kabul.txt").write_text(ARTICLES["kabul"][1])
    (folder / "README.md").write_text(ARTICLES["aden"][1] + " Not to be read.")
    registry.add(store, {"name": "sm", "url": u + "/sitemap.xml"})
    registry.add(store, {"name": "home", "url": u + "/home", "kind": "site"})
    registry.add(store, {"name": "inbox", "url": str(folder), "pattern": "*.txt"})
    rs = watcher(store, pipeline).poll()
    assert {s.name: s.added for s in rs.sources} == {"sm": 1, "home": 1, "inbox": 1}
    assert registry.get(store, "home")["feed_url"] == u + "/f.rss"
    rs = watcher(store, pipeline).poll(force=True)
    assert sum(s.added for s in rs.sources) == 0 and n_docs(store) == 3


def test_failing_source_backs_off_and_others_go_on(site, store, pipeline):
    serve_articles(site, ["aden"])
    site.routes["/bad.xml"] = {"status": 500}
    site.routes["/good.xml"] = {"body": rss([("Aden", f"{site.url}/news/aden-story-of-the-day")]),
                                "type": "application/rss+xml"}
    registry.add(store, {"name": "bad", "url": site.url + "/bad.xml", "interval": "60s"})
    registry.add(store, {"name": "good", "url": site.url + "/good.xml"})
    w = watcher(store, pipeline)
    rs = w.poll()
    assert rs.sources[0].error and rs.sources[1].added == 1
    bad = registry.health(store, "bad")
    assert bad["errors_in_row"] == 1 and bad["status"] == "error"
    w.poll(force=True)
    bad = registry.health(store, "bad")
    assert bad["errors_in_row"] == 2
    wait = (bad["next_due_at"] - bad["last_fetch_at"]).total_seconds()
    assert 115 <= wait <= 125                   # interval * 2 after the second failure
    assert not w.is_due(registry.get(store, "bad") | {"next_due_at": bad["next_due_at"],
                                                      "last_fetch_at": bad["last_fetch_at"]}, bad["last_fetch_at"])


# ---------------------------------------------------------------------- alerts

@pytest.mark.parametrize("store", BOTH, indirect=True)
def test_alerts_fire_once_and_on_material_change(site, store, pipeline):
    t, body = ARTICLES["idlib"]
    site.routes["/hook"] = {}
    site.post_status = [500]                       # the first delivery fails once, then succeeds
    A.add_rule(store, {"name": "idlib", "area": {"country": "SY", "admin1": "Idlib"}, "min_fatalities": 1,
                       "webhook": site.url + "/hook"})
    A.add_rule(store, {"name": "near", "area": {"near": {"lat": 35.65, "lon": 36.67, "km": 40}}})
    A.add_rule(store, {"name": "yemen", "area": {"country": "YE"}})
    A.add_rule(store, {"name": "words", "words": ["market"], "types": ["Air/drone strike"]})
    A.add_rule(store, {"name": "truce", "words": ["ceasefire", "truce"]})
    serve_articles(site, ["idlib", "aden"])
    site.routes["/f.xml"] = {"fn": lambda: {"body": rss(feed)}, "type": "application/rss+xml"}
    feed = [("a", f"{site.url}/news/idlib-story-of-the-day")]
    registry.add(store, {"name": "f", "url": site.url + "/f.xml"})
    w = watcher(store, pipeline)
    w.poll()
    fired = A.check(store, base_url="http://dash.example")
    by_rule = {p["rule"]: p for p in fired}
    assert set(by_rule) == {"idlib", "near", "words"}
    p = by_rule["idlib"]
    assert p["reasons"] == ["new"] and p["event"]["admin1"] == "Idlib" and p["sources"][0]["source"] == "f"
    assert p["links"]["dashboard"] == f"http://dash.example/?event={p['event_id']}"
    assert A.check(store) == []                    # nothing changed: nothing fires again
    counts = A.deliver_webhooks(store, allow_loopback=True, backoff=0.05)
    assert counts == {"sent": 1, "pending": 0, "failed": 0}
    assert len(site.posts) == 2                    # the 500, then the retry
    body_json = json.loads(site.posts[-1][2])
    assert body_json["event_id"] == p["event_id"] and body_json["alert_id"]
    refused = A.deliver_webhooks(store, backoff=0.05)       # nothing pending any more
    assert refused == {"sent": 0, "pending": 0, "failed": 0}

    # a second outlet reports the same strike with a higher toll: the event changes, the rule fires again
    site.routes["/news/idlib-second-report-today"] = {"body": page(
        "Idlib market strike toll rises to 15",
        "The death toll from Russian airstrikes on a market in Maarat al-Numan in Idlib province on Tuesday rose "
        "to 15, the Syrian Observatory for Human Rights said on Wednesday. Rescue teams pulled more bodies from "
        "the rubble of the vegetable market overnight, and local doctors said many of the wounded were children. "
        "The monitor said the planes struck the market twice within an hour.")}
    feed.append(("b", f"{site.url}/news/idlib-second-report-today"))
    w.poll(force=True)
    again = [x for x in A.check(store) if x["rule"] == "idlib"]
    assert len(again) == 1 and again[0]["event_id"] == p["event_id"]
    assert set(again[0]["reasons"]) & {"sources", "fatalities"} and again[0]["previous"]["n_sources"] == 1
    xml = A.atom_feed(A.get_rule(store, "idlib"), A.fired(store, A.get_rule(store, "idlib")["id"]), "http://d")
    assert xml.count(b"<entry>") == 2 and p["event_id"].encode() in xml


def test_rule_validation():
    for bad, why in (({"name": "x", "area": {"bbox": [1, 2, 3]}}, "bbox"),
                     ({"name": "x", "area": {"near": {"lat": 1, "lon": 2}}}, "near"),
                     ({"name": "x", "min_fatalities": -1}, "min_fatalities"),
                     ({"name": "x", "colour": "red"}, "unknown"),
                     ({"name": "x", "webhook": "file:///etc/passwd"}, "scheme"),
                     ({"name": "x", "words": [True]}, "words")):
        with pytest.raises(A.RuleError, match=why):
            A.validate(bad)
    r = A.validate({"name": "x", "area": {"bbox": [35, 35, 37, 37]}, "types": ["Battles"]})
    ev = {"latitude": 36.0, "longitude": 36.5, "event_type": "Battles", "sub_event_type": "Armed clash"}
    assert A.matches(r, ev) and not A.matches(r, dict(ev, longitude=38.0))


# ---------------------------------------------------------------------- the command, killed and restarted

def _sitroom(*args, db, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT), SITROOM_DB=str(db))
    return subprocess.Popen([sys.executable, "-m", "sitroom.cli", *args], env=env, cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_kill_9_mid_poll_loses_nothing_and_stores_nothing_twice(site, tmp_path):
    names = list(ARTICLES)
    # six distinct articles (each story alone, and each pair of stories: no two are near-copies),
    # every page served slowly
    texts = [(n, ARTICLES[n][1]) for n in names] + [
        (f"{a}-{b}", ARTICLES[a][1] + " " + ARTICLES[b][1]) for a, b in zip(names, names[1:] + names[:1])]
    paths = []
    for key, body in texts:
        paths.append(f"/news/{key}-story-of-the-day")
        site.routes[paths[-1]] = {"body": page(key, body), "delay": 0.3}
    feed = [(key, site.url + path) for (key, _b), path in zip(texts, paths)]
    site.routes["/feed.xml"] = {"body": rss(feed), "type": "application/rss+xml"}
    db = tmp_path / "k.db"
    s = open_store(str(db))
    registry.add(s, {"name": "f", "url": site.url + "/feed.xml"})
    A.add_rule(s, {"name": "syria", "area": {"country": "SY"}, "webhook": site.url + "/hook"})
    s.close()
    args = ("watch", "--once", "--allow-loopback", "--delay", "0.2", "-q")
    p = _sitroom(*args, "--no-alerts", db=db)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:          # kill it once it has stored some, not all
        time.sleep(0.2)
        with sa.create_engine(f"sqlite:///{db}").connect() as c:
            try:
                n = c.execute(sa.text("SELECT count(*) FROM watch_items WHERE state='done'")).scalar()
            except sa.exc.OperationalError:
                n = 0
        if n >= 2:
            break
    p.send_signal(signal.SIGKILL)
    p.wait(30)
    assert n < 6, "finished before it could be killed"
    p = _sitroom(*args, "--jsonl", db=db)             # the restart also fires the alerts
    out, errs = p.communicate(timeout=300)
    assert p.returncode == 0, errs.decode()
    fired = [json.loads(x) for x in out.decode().splitlines()]
    assert fired and {x["rule"] for x in fired} == {"syria"}
    assert all(x["event"]["country"] == "Syria" and x["sources"] for x in fired)
    posted = [json.loads(b) for path, _h, b in site.posts if path == "/hook"]
    assert sorted(x["alert_id"] for x in posted) == sorted(x["alert_id"] for x in fired)
    s = open_store(str(db))
    try:
        it = items(s)
        assert len(it) == 6 and all(v["state"] == "done" for v in it.values())
        assert n_docs(s) == 6                   # every article once
        with s.engine.connect() as c:
            assert c.execute(sa.select(sa.func.count(sa.distinct(S.documents.c.content_hash)))).scalar_one() == 6
    finally:
        s.close()
    for path in paths:
        assert 1 <= site.hits(path) <= 2        # at most the one being fetched when killed is fetched again


def test_sigterm_finishes_cleanly(site, tmp_path):
    site.routes["/feed.xml"] = {"body": rss([]), "type": "application/rss+xml"}
    db = tmp_path / "t.db"
    s = open_store(str(db))
    registry.add(s, {"name": "f", "url": site.url + "/feed.xml", "interval": "1h"})
    s.close()
    p = _sitroom("watch", "--allow-loopback", "--delay", "0.1", db=db)
    deadline = time.monotonic() + 60
    while site.hits("/feed.xml") == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    out, errs = p.communicate(timeout=30)
    assert p.returncode == 0, errs.decode()
    assert b"stopped" in errs



# ---------------------------------------------------------------------- serve, brief, commands

@pytest.fixture
def watched(site, store, pipeline):
    """A database the watcher filled from the local site (the Idlib and Aden reports), with rules."""
    serve_articles(site, ["idlib", "aden"])
    site.routes["/f.xml"] = {"type": "application/rss+xml", "body": rss(
        [("a", f"{site.url}/news/idlib-story-of-the-day"), ("b", f"{site.url}/news/aden-story-of-the-day")])}
    registry.add(store, {"name": "f", "url": site.url + "/f.xml", "scale": "international"})
    A.add_rule(store, {"name": "idlib", "area": {"country": "SY", "admin1": "Idlib"}, "min_fatalities": 1})
    watcher(store, pipeline).poll()
    return store


def test_served_atom_feed_sources_page_and_changes(watched):
    from datetime import datetime, timedelta, timezone

    from fastapi.testclient import TestClient

    from sitroom.serve import create_app

    store = watched
    fired = A.check(store, base_url="http://testserver")
    assert [p["rule"] for p in fired] == ["idlib"]
    with store.writer.begin() as c:      # error text from the network is untrusted
        c.execute(sa.update(W.watch_sources).values(last_error="<script>alert(1)</script>", errors_in_row=1))
    with TestClient(create_app(store=store, token=None, tile_url="off"), base_url="http://127.0.0.1") as client:
        r = client.get("/alerts/idlib.atom")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
        import xml.etree.ElementTree as ET
        feed = ET.fromstring(r.content)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        entries = feed.findall("a:entry", ns)
        assert len(entries) == 1
        link = entries[0].find("a:link", ns).get("href")
        assert link == f"http://testserver/?event={fired[0]['event_id']}"
        assert "Idlib" in entries[0].find("a:content", ns).text
        assert client.get("/alerts/nothing.atom").status_code == 404
        src = client.get("/api/sources").json()["sources"]
        assert src[0]["name"] == "f" and src[0]["articles_found"] == 2 and src[0]["status"] == "error"
        page_html = client.get("/sources").text
        assert "&lt;script&gt;" in page_html and "<script>" not in page_html
        since = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
        ch = client.get("/api/changes", params={"since": since}).json()
        assert ch["total"] >= 2 and all(e["new"] for e in ch["events"])
        later = client.get("/api/changes", params={"since": ch["now"]}).json()
        assert later["total"] == 0
        assert client.get("/api/changes", params={"since": "yesterday"}).status_code == 422


def test_brief_writes_html_and_markdown(watched, tmp_path):
    from datetime import datetime

    from sitroom.watch.brief import BriefError, due, parse_filters, parse_time, write_brief

    out = tmp_path / "briefs"
    b = write_brief(watched, out, filters={"country": "SY"}, now=datetime(2020, 1, 15, 6, 0))
    html_text = Path(b["html"]).read_text()
    md_text = Path(b["markdown"]).read_text()
    assert Path(b["html"]).name == "brief-2020-01-15.html" and (out / "latest.md").exists()
    assert "Maarrat an Numan" in html_text and "Maarrat an Numan" in md_text
    assert "Aden" not in md_text                    # filtered to Syria
    assert b["counts"]["events"] >= 1
    assert not due((6, 0), out, datetime(2020, 1, 15, 5, 59))
    assert not due((6, 0), out, datetime(2020, 1, 15, 6, 30))      # written already
    assert due((6, 0), out, datetime(2020, 1, 16, 6, 0))
    with pytest.raises(BriefError):
        parse_time("6am")
    with pytest.raises(BriefError):
        parse_filters(["colour=red"])


def test_commands(watched, tmp_path):
    from typer.testing import CliRunner

    from sitroom.cli import app

    db = str(tmp_path / "w.db")
    run = CliRunner().invoke
    r = run(app, ["sources", "show", "f", "--db", db])
    assert r.exit_code == 0 and "articles found  2" in r.output
    r = run(app, ["sources", "show", "nope", "--db", db])
    assert r.exit_code == 1
    r = run(app, ["sources", "list", "--format", "json", "--db", db])
    assert json.loads(r.output)[0]["scale"] == "international"
    r = run(app, ["watch", "--status", "--db", db])
    assert r.exit_code == 0 and "articles: done 2" in r.output
    r = run(app, ["alerts", "add", "aden", "--country", "YE", "--near", "12.8,45.0:30", "--db", db])
    assert r.exit_code == 0, r.output
    r = run(app, ["alerts", "add", "bad", "--bbox", "1,2", "--db", db])
    assert r.exit_code == 2 and "bbox" in r.output
    r = run(app, ["alerts", "check", "--db", db])
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    assert {x["rule"] for x in lines} >= {"idlib", "aden"}
    r = run(app, ["alerts", "check", "--db", db])
    assert not [x for x in r.stdout.splitlines() if x.startswith("{")]       # fired once
    r = run(app, ["alerts", "show", "idlib", "--db", db])
    assert r.exit_code == 0 and "[new]" in r.output and "Idlib" in r.output
    r = run(app, ["alerts", "show", "idlib", "--format", "jsonl", "--db", db])
    assert json.loads(r.stdout.splitlines()[0])["rule"] == "idlib"
    r = run(app, ["alerts", "list", "--format", "json", "--db", db])
    assert {x["name"]: x["fired"] for x in json.loads(r.stdout)}["idlib"] == 1
    r = run(app, ["brief", "--dir", str(tmp_path / "b"), "--filter", "country=SY", "--db", db])
    assert r.exit_code == 0 and (tmp_path / "b" / "latest.html").exists()
    r = run(app, ["sources", "remove", "f", "--db", db])
    assert r.exit_code == 0 and registry.get(watched, "f") is None


def test_429_with_a_long_retry_after_sets_the_host_aside(site, store, pipeline):
    serve_articles(site, ["aden"])
    site.routes["/news/busy-story-of-the-day"] = {"status": 429, "headers": {"Retry-After": "3600"}}
    site.routes["/f.xml"] = {"type": "application/rss+xml", "body": rss(
        [("busy", f"{site.url}/news/busy-story-of-the-day"), ("aden", f"{site.url}/news/aden-story-of-the-day")])}
    registry.add(store, {"name": "f", "url": site.url + "/f.xml"})
    w = watcher(store, pipeline)
    rs = w.poll()
    assert rs.sources[0].error is None and rs.sources[0].pending == 2
    assert site.hits("/news/busy-story-of-the-day") == 1            # not hammered
    assert site.hits("/news/aden-story-of-the-day") == 0            # the host asked for an hour
    assert registry.health(store, "f")["errors_in_row"] == 0        # the feed itself was fine
    rs = w.poll(force=True)                                          # still set aside: nothing asked
    assert site.hits("/f.xml") == 1 and site.hits("/news/aden-story-of-the-day") == 0
    assert "Retry-After" in rs.sources[0].error and registry.health(store, "f")["errors_in_row"] == 0
    w.fetcher.blocked_until.clear()                                  # an hour later
    site.routes["/news/busy-story-of-the-day"] = {"body": page(*ARTICLES["kabul"])}
    rs = w.poll(force=True)
    assert rs.sources[0].added == 2 and n_docs(store) == 2


def test_short_near_copies_and_log_pruning(store):
    from datetime import timedelta

    from sitroom.watch.poller import prune_log
    from sitroom.watch.registry import now_utc

    words = ("Gunmen attacked a police checkpoint on the main road north of the city on Friday night and "
             "killed two officers before fleeing, a local official said")
    idx = canon.SketchIndex()
    idx.add(1, canon.parse_sketch(canon.sketch(words)))
    copy = canon.parse_sketch(canon.sketch("WIRE - " + words + " on Saturday"))
    assert len(copy) < canon.K and idx.best(copy) is not None and idx.best(copy)[0] == 1
    with store.writer.begin() as c:
        c.execute(sa.insert(W.watch_fetches), [
            {"kind": "listing", "url": "http://x/", "fetched_at": now_utc() - timedelta(days=d), "result": "ok"}
            for d in (0, 10, 40)])
    assert prune_log(store, 30) == 1
    with store.engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(W.watch_fetches)).scalar_one() == 2


def test_a_dead_webhook_does_not_hold_up_the_round(site, store):
    from sitroom.watch.registry import now_utc

    A.add_rule(store, {"name": "r", "webhook": site.url + "/hook"})
    rid = A.get_rule(store, "r")["id"]
    with store.writer.begin() as c:
        c.execute(sa.insert(W.alerts_fired), [
            {"rule_id": rid, "event_id": i, "fired_at": now_utc(), "reason": "new", "payload": {"event_id": f"SR{i}"},
             "webhook_status": "pending", "webhook_attempts": 0} for i in (1, 2, 3)])
    site.post_status = [503] * 3
    counts = A.deliver_webhooks(store, allow_loopback=True, backoff=0.01)
    assert counts == {"sent": 0, "pending": 3, "failed": 0} and len(site.posts) == 3     # one alert tried 3 times
    counts = A.deliver_webhooks(store, allow_loopback=True, backoff=0.01)               # it answers again
    assert counts == {"sent": 3, "pending": 0, "failed": 0}
    assert [json.loads(b)["event_id"] for _p, _h, b in site.posts[3:]] == ["SR1", "SR2", "SR3"]


def test_a_page_that_breaks_the_reader_does_not_stop_the_source(site, store, pipeline, monkeypatch):
    import sitroom.ingest.readers as readers

    real = readers.read_html

    def fragile(data, doc_id, *a, **kw):
        if "aden" in doc_id:
            raise RuntimeError("reader bug")
        return real(data, doc_id, *a, **kw)

    monkeypatch.setattr(readers, "read_html", fragile)
    serve_articles(site, ["aden", "idlib"])
    site.routes["/f.xml"] = {"type": "application/rss+xml", "body": rss(
        [("aden", f"{site.url}/news/aden-story-of-the-day"), ("idlib", f"{site.url}/news/idlib-story-of-the-day")])}
    registry.add(store, {"name": "f", "url": site.url + "/f.xml"})
    w = watcher(store, pipeline)
    rs = w.poll()
    assert rs.sources[0].error is None and rs.sources[0].added == 1
    it = items(store)[f"{site.url}/news/aden-story-of-the-day"]
    assert it["state"] == "pending" and "reader bug" in it["detail"]
    for _ in range(2):
        w.poll(force=True)
    assert items(store)[f"{site.url}/news/aden-story-of-the-day"]["result"] == "internal_error"


def test_a_changed_file_in_a_folder_is_read_again(store, pipeline, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    f = folder / "reports.jsonl"
    f.write_text(json.dumps({"id": "r1", "text": ARTICLES["aden"][1], "published": "2020-01-13"}) + "\n")
    registry.add(store, {"name": "inbox", "url": str(folder)})
    w = watcher(store, pipeline)
    assert w.poll().sources[0].added == 1
    with f.open("a") as fh:
        fh.write(json.dumps({"id": "r2", "text": ARTICLES["kabul"][1], "published": "2020-01-12"}) + "\n")
    os.utime(f, (time.time() + 5, time.time() + 5))
    st = w.poll(force=True).sources[0]
    assert (st.added, st.same_text) == (1, 1) and n_docs(store) == 2
    assert w.poll(force=True).sources[0].added == 0
