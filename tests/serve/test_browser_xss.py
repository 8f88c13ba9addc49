"""XSS in the dashboard, as a browser runs it: Debian's Chromium (headless, Playwright) against
``sitroom serve`` over a database whose every field that shows article text is hostile: titles,
source names, document ids, URLs (``javascript:``, ``data:``, mixed case, leading blanks), actor
names, notes, place names, regions. The page must show each as text, run none, and link only
http(s) URLs.

Part of the browser suite (see tests/test_browser.py) but needs no ../shared: the documents are
made here. Skips, with the reason, when Playwright or Chromium is missing."""
from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except Exception:  # noqa: BLE001 - the marks below skip the module
    pass

from tests.helpers.browser_support import SKIP_WITHOUT_BROWSER, serving  # noqa: E402

pytestmark = SKIP_WITHOUT_BROWSER

#: one payload per field, each a different way in; all of them set window.__xss if they ever run
P = {
    "title": '<script>window.__xss="title"</script><img src=x onerror="window.__xss=\'title\'"> Shelling report',
    "source": '"><svg onload="window.__xss=\'source\'"> Outlet',
    "doc_id": "doc<iframe src=javascript:window.__xss='doc'>",
    "actor1": "<img src=x onerror=window.__xss='actor1'> Brigade",
    "actor2": '<a href="javascript:window.__xss=\'actor2\'">Militia</a>',
    "assoc_actor_1": "<details open ontoggle=window.__xss='assoc'>Allies",
    "notes": "Notes <script>window.__xss='notes'</script> <b onmouseover=window.__xss='notes'>hover</b>",
    "location": "Town<img src=x onerror=window.__xss='location'>",
    "admin1": "Region<style>body{display:none}</style>",
}
URLS = ["javascript:window.__xss='url'", " JaVaScRiPt:window.__xss='url2'", "data:text/html,<script>window.__xss='d'</script>",
        "vbscript:msgbox(1)", "https://example.org/a?b=<c>&d=\"e\""]
TEXT = ("On March 3, 2021, Syrian government airstrikes hit the town of Ariha in Idlib province, killing 4 civilians, "
        "rescuers said.")


@pytest.fixture(scope="module")
def server(tmp_path_factory, pipeline):
    """uvicorn in a thread over a database of hostile documents."""
    from sitroom.ingest import document_from_text
    from sitroom.serve import create_app
    from sitroom.store import open_store

    base = next(iter(pipeline.run([document_from_text(TEXT, doc_id="base", published=None)], batch_size=1)))
    assert base.get("events"), base
    results = []
    for i, url in enumerate(URLS):
        r = dict(base, doc_id=f"{P['doc_id']}{i}", title=P["title"], source=P["source"], url=url,
                 content_hash=f"{base['content_hash'][:56]}{i:08d}")
        r["events"] = [dict(e, **{k: P[k] for k in ("actor1", "actor2", "assoc_actor_1", "notes", "location", "admin1")})
                       for e in base["events"]]
        results.append(r)
    store = open_store(str(tmp_path_factory.mktemp("xss") / "xss.db"))
    assert store.ingest(results).added == len(URLS)
    from sitroom.store import event_code
    ids = [event_code(e["id"]) for e in store.query_events()]
    with serving(create_app(store=store, token=None, tile_url="off")) as base:
        yield {"url": base + "/", "events": ids}
    store.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    pg.goto(server["url"])
    pg.wait_for_selector("body[data-events=ready]", timeout=20000)
    pg.problems = problems
    yield pg
    ctx.close()


def _nothing_ran(page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined", page.evaluate("window.__xss")
    # no element any payload would have made, no inline handler anywhere, no non-http(s) link
    injected = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#panel *, #event-list *, .leaflet-marker-pane *, select *, datalist *')).filter(el =>
        ['SCRIPT', 'IMG', 'SVG', 'IFRAME', 'DETAILS', 'STYLE', 'B'].includes(el.tagName.toUpperCase())
        && !el.classList.contains('leaflet-marker-icon') && !el.classList.contains('leaflet-marker-shadow')
    ).map(el => el.outerHTML.slice(0, 80))""")
    assert injected == [], injected
    handlers = page.evaluate("""() => Array.from(document.querySelectorAll('*')).flatMap(el =>
        Array.from(el.attributes).filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name))""")
    assert handlers == [], handlers
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    assert not page.problems, page.problems


def test_list_and_filters_show_hostile_text_as_text(page, server):
    items = page.locator(".event-item")
    expect(items.first).to_be_visible()
    listed = page.locator("#event-list").inner_text()
    assert "Town<img src=x onerror=window.__xss='location'>" in listed
    assert "Region<style>body{display:none}</style>" in listed
    options = page.evaluate("() => Array.from(document.querySelectorAll('#actors option')).map(o => o.value)")
    assert P["actor1"] in options
    page.locator("#f-actor").fill(P["actor1"])
    page.wait_for_timeout(800)
    _nothing_ran(page)


def test_event_panel_shows_every_field_as_text(page, server):
    assert server["events"]
    for eid in server["events"]:
        page.locator(f".event-item[data-event-id='{eid}']").click()
        panel = page.locator("#panel")
        expect(panel).to_have_attribute("data-event-id", eid)
        text = panel.inner_text()
        for key in ("notes", "actor1", "actor2", "assoc_actor_1", "title", "source"):
            assert P[key] in text, (key, text[:500])
        assert "Town<img src=x onerror=window.__xss='location'>" in text
        assert P["doc_id"] in text
        # only the https source is a link; the javascript:, data: and vbscript: ones are plain text
        links = panel.locator(".sources a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert all(h.startswith("https://example.org/") for h in hrefs), hrefs
        _nothing_ran(page)
    assert page.locator("#panel .sources a").count() >= 1


def test_marker_labels_are_text(page, server):
    markers = page.locator(".leaflet-marker-icon[title], .leaflet-marker-icon[aria-label], .marker-cluster")
    expect(markers.first).to_be_attached()
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(500)
    _nothing_ran(page)
