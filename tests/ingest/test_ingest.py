"""Stage 1, ingest: formats, cleaning, bad input and URL safety. No internet is used."""
from __future__ import annotations

import http.server
import io
import json
import threading
from datetime import date
from pathlib import Path

import pytest
from tests.helpers.shared_data import SEED, missing

from sitroom.ingest import clean, document_from_text, iter_documents
from sitroom.ingest.fetch import FetchError, check_url
from sitroom.model import DocError, Document

from tests.helpers import ROOT


HEADLINE = "Rebels seize hilltop near Kidal after two days of fighting"
SCRAPED = f"""{HEADLINE}

{HEADLINE}

{HEADLINE}

Armed groups seized a strategic hilltop near Kidal on Tuesday after two days of heavy fighting with government troops, local officials said.

At least 12 soldiers were killed and several others wounded, according to a military source who spoke on condition of anonymity.

Army vows\u00a0counter-offensive

The defence ministry said in a statement that the army would retake the position in the coming days.

Residents said they had fled towards the town of Anefis, fearing further clashes.

Civilians caught in crossfire

Aid agencies said hundreds of families had been displaced since the start of the month.
"""


def one(items):
    items = list(items)
    assert len(items) == 1, items
    return items[0]


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return str(p)


def check_offsets(doc: Document) -> None:
    assert len(doc.nlp_text) == len(doc.text)
    assert doc.nlp_text.count("\n") == doc.text.count("\n")
    for q in doc.quality:
        for sp in q.evidence:
            assert doc.text[sp.start:sp.end] == sp.text


# ---------------------------------------------------------------- plain text and cleaning

def test_scraped_page_repeated_headline_and_subheadings(tmp_path):
    path = write(tmp_path, "scraped.txt", SCRAPED)
    doc = one(iter_documents([path], published=date(2020, 1, 17)))
    assert isinstance(doc, Document)
    assert doc.doc_id == path
    assert doc.text == SCRAPED                      # nothing stripped from text
    check_offsets(doc)
    assert doc.title == HEADLINE
    assert doc.published == date(2020, 1, 17) and doc.published_from == "option"
    # repeats blanked in nlp_text, first occurrence kept
    assert doc.nlp_text.count(HEADLINE) == 1
    assert doc.nlp_text.startswith(HEADLINE)
    flags = [q for q in doc.quality if q.kind == "repeated_headline"]
    assert len(flags) == 1
    ev = flags[0].evidence
    assert len(ev) == 2 and all(sp.text == HEADLINE for sp in ev)
    for sp in ev:
        assert doc.nlp_text[sp.start:sp.end].strip() == ""
    # sub-headlines as section breaks; offsets index text
    heads = [doc.text[s:e] for s, e in doc.headings]
    assert heads == ["Army vows\u00a0counter-offensive", "Civilians caught in crossfire"]
    # \xa0 normalised only in nlp_text
    s, e = doc.headings[0]
    assert doc.nlp_text[s:e] == "Army vows counter-offensive"
    assert "\u00a0" in doc.text
    assert doc.content_hash and len(doc.content_hash) == 64


def test_clean_is_idempotent_and_keeps_text():
    doc = document_from_text(SCRAPED, doc_id="x")
    again = clean(doc)
    assert again.text == doc.text and again.nlp_text == doc.nlp_text
    assert again.headings == doc.headings
    assert [q.kind for q in again.quality] == [q.kind for q in doc.quality]


def test_document_from_text_crlf_and_published():
    text = "Clashes in Tripoli\r\n\r\nFighting broke out in the capital on Monday, residents said.\r\n"
    doc = document_from_text(text, doc_id="t", published="2021-03-04", source="Wire")
    assert doc.text == text and len(doc.nlp_text) == len(text)
    assert "\r" not in doc.nlp_text
    assert doc.title == "Clashes in Tripoli"
    assert doc.published == date(2021, 3, 4) and doc.published_from == "option"
    assert doc.source == "Wire"


def test_no_title_when_text_starts_with_prose():
    doc = document_from_text("Fighting broke out in the capital on Monday, residents said.")
    assert doc.title is None and doc.headings == []


def test_hard_wrapped_lines_are_not_headings():
    text = ("Government forces shelled the town of Maarat al-Numan on Monday.\n"
            "Rescuers said at least five people were killed when a\n"
            "Shell hit a crowded market in the centre of\n"
            "the town, according to witnesses.\n")
    doc = document_from_text(text)
    assert doc.headings == []


@pytest.mark.skipif(not SEED.exists(), reason=missing(SEED))
def test_seed_file_ingests_sensibly():
    doc = one(iter_documents([str(SEED)], published=date(2020, 1, 17)))
    assert isinstance(doc, Document)
    check_offsets(doc)
    head = "Syrian regime launches ground offensive in Aleppo"
    assert doc.title == head
    flags = [q for q in doc.quality if q.kind == "repeated_headline"]
    assert len(flags) == 1 and len(flags[0].evidence) == 2
    assert doc.nlp_text.count(head) == 1
    heads = [doc.nlp_text[s:e] for s, e in doc.headings]
    assert "UN calls for immediate cessation of hostilities" in heads
    assert not any(q.kind == "non_english" for q in doc.quality)


# ---------------------------------------------------------------- HTML

ARTICLE_HTML = """<!DOCTYPE html>
<html><head>
<title>Shelling kills five in Idlib | Example News</title>
<meta property="og:title" content="Shelling kills five in Idlib">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2020-01-17T10:00:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/contact">Contact us</a></li></ul></nav>
<article>
<h1>Shelling kills five in Idlib</h1>
<p>Government shelling killed five civilians in the town of Maarat al-Numan in Idlib province
on Thursday, rescuers said, as a renewed offensive pressed on despite a declared truce.</p>
<h2>Truce collapses</h2>
<p>The ceasefire agreed between Turkey and Russia took effect on Jan. 12 but air strikes resumed
within days, according to residents and the White Helmets civil defence group.</p>
<p>The United Nations said around 350,000 people had fled the area since early December, most of
them women and children, seeking shelter near the Turkish border.</p>
</article>
<footer><p>Copyright 2020 Example News. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/terms">Terms of service</a></footer>
</body></html>
"""

NO_ARTICLE_HTML = """<!DOCTYPE html><html><head><title>Example News - Index</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/a">About us and our mission</a></li>
<li><a href="/b">World news from everywhere</a></li></ul></nav>
<div class="menu">Login Register Subscribe</div>
<footer>Copyright 2020 Example News</footer></body></html>
"""


def test_html_article(tmp_path):
    path = write(tmp_path, "article.html", ARTICLE_HTML)
    doc = one(iter_documents([path], published=date(2020, 2, 1)))
    assert isinstance(doc, Document), doc
    check_offsets(doc)
    assert "Government shelling killed five civilians" in doc.text
    assert "Privacy policy" not in doc.text and "Sport" not in doc.text
    assert doc.title == "Shelling kills five in Idlib"
    assert doc.source == "Example News"
    assert doc.published == date(2020, 1, 17) and doc.published_from == "metadata"
    assert doc.meta["format"] == "html"
    assert [doc.text[s:e] for s, e in doc.headings] == ["Truce collapses"]


def test_html_sniffed_without_extension(tmp_path):
    path = write(tmp_path, "page", ARTICLE_HTML)
    doc = one(iter_documents([path]))
    assert isinstance(doc, Document) and doc.meta["format"] == "html"


def test_html_title_falls_back_to_title_tag(tmp_path):
    html = ARTICLE_HTML.replace('<meta property="og:title" content="Shelling kills five in Idlib">',
                                "").replace("<h1>Shelling kills five in Idlib</h1>", "")
    doc = one(iter_documents([write(tmp_path, "a.htm", html)]))
    assert isinstance(doc, Document)
    assert doc.title and "Shelling kills five in Idlib" in doc.title


def test_html_without_article(tmp_path):
    path = write(tmp_path, "index.html", NO_ARTICLE_HTML)
    err = one(iter_documents([path]))
    assert isinstance(err, DocError) and err.doc_id == path
    assert "no article" in err.error and "\n" not in err.error


# ---------------------------------------------------------------- JSON Lines

def test_jsonl_with_bad_line(tmp_path):
    lines = [
        json.dumps({"id": "r1", "title": "Clashes in Tripoli", "published": "2019-04-05",
                    "source": "Wire", "url": "https://example.org/r1",
                    "text": "Fighting broke out south of Tripoli on Friday, residents said."}),
        '{"id": "r2", "text": "unterminated',
        "",
        json.dumps({"text": "Two soldiers were killed in an ambush near Gao, the army said.",
                    "published": "not a date"}),
        json.dumps({"id": "r4", "text": "   "}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "r6", "text": "Protesters gathered in Khartoum on Sunday.",
                    "published": "Sun, 07 Apr 2019 10:00:00 GMT"}),
    ]
    path = write(tmp_path, "batch.jsonl", "\n".join(lines) + "\n")
    items = list(iter_documents([path], published=date(2019, 4, 10)))
    assert [type(i).__name__ for i in items] == [
        "Document", "DocError", "Document", "DocError", "DocError", "Document"]
    r1, bad, r4line, empty, notobj, r6 = items
    assert r1.doc_id == "r1" and r1.title == "Clashes in Tripoli" and r1.source == "Wire"
    assert r1.url == "https://example.org/r1"
    assert r1.published == date(2019, 4, 5) and r1.published_from == "metadata"
    assert bad.doc_id == f"{path}:2" and "invalid JSON" in bad.error
    assert r4line.doc_id == f"{path}:4"
    assert r4line.published == date(2019, 4, 10) and r4line.published_from == "option"
    assert any(q.kind == "published_unparseable" for q in r4line.quality)
    assert empty.doc_id == "r4" and empty.error == "empty document"
    assert notobj.doc_id == f"{path}:6"
    assert r6.published == date(2019, 4, 7) and r6.published_from == "metadata"


def test_jsonl_limit_is_per_line(tmp_path):
    small = json.dumps({"id": "s", "text": "Shelling was reported in Donetsk on Monday."})
    big = json.dumps({"id": "b", "text": "x " * 400})
    path = write(tmp_path, "b.jsonl", "\n".join([small, big, small.replace('"s"', '"t"')]) + "\n")
    items = list(iter_documents([path], max_bytes=200))
    assert [type(i).__name__ for i in items] == ["Document", "DocError", "Document"]
    assert items[1].doc_id == f"{path}:2" and "document too large" in items[1].error
    assert [items[0].doc_id, items[2].doc_id] == ["s", "t"]


def test_jsonl_from_stdin_without_id():
    stdin = io.StringIO('{"text": "Clashes were reported in Aden on Tuesday."}\n')
    doc = one(iter_documents(["-"], stdin=stdin))
    assert isinstance(doc, Document) and doc.doc_id == "-:1"


def test_plain_text_from_stdin():
    doc = one(iter_documents(["-"], stdin=io.StringIO(SCRAPED), published=date(2020, 1, 1)))
    assert isinstance(doc, Document) and doc.doc_id == "-" and doc.title == HEADLINE


# ---------------------------------------------------------------- feeds

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Conflict Wire</title><link>https://example.org/</link>
<description>News</description>
<item><title>Airstrike hits market in Idlib</title><link>https://example.org/a1</link>
<guid>urn:example:a1</guid><pubDate>Fri, 17 Jan 2020 09:00:00 GMT</pubDate>
<description>&lt;p&gt;An airstrike hit a market in &lt;b&gt;Idlib&lt;/b&gt; on Friday, killing
six people, rescuers said.&lt;/p&gt;&lt;p&gt;The strike came hours after a truce.&lt;/p&gt;</description>
</item>
<item><title>Clashes in Aden</title><link>https://example.org/a2</link>
<description>Clashes broke out in Aden overnight, residents said.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title>
<id>urn:example:feed</id><updated>2020-01-18T00:00:00Z</updated>
<entry><title>Convoy ambushed near Gao</title><id>urn:example:e1</id>
<link href="https://example.org/e1"/><published>2020-01-16T12:00:00Z</published>
<updated>2020-01-16T12:00:00Z</updated>
<content type="html">&lt;p&gt;Gunmen ambushed a military convoy near Gao on Thursday.&lt;/p&gt;</content>
</entry></feed>
"""


def test_rss_feed(tmp_path):
    path = write(tmp_path, "wire.xml", RSS)
    items = list(iter_documents([path], published=date(2020, 1, 20)))
    assert len(items) == 2 and all(isinstance(i, Document) for i in items)
    a1, a2 = items
    assert a1.doc_id == "urn:example:a1" and a1.url == "https://example.org/a1"
    assert a1.title == "Airstrike hits market in Idlib" and a1.source == "Conflict Wire"
    assert "<" not in a1.text and "market in Idlib on Friday" in a1.text
    assert "The strike came hours after a truce." in a1.text
    assert a1.published == date(2020, 1, 17) and a1.published_from == "metadata"
    assert a2.doc_id == "https://example.org/a2"
    assert a2.published == date(2020, 1, 20) and a2.published_from == "option"


def test_atom_feed(tmp_path):
    path = write(tmp_path, "wire.atom", ATOM)
    doc = one(iter_documents([path]))
    assert isinstance(doc, Document)
    assert doc.doc_id == "urn:example:e1" and doc.url == "https://example.org/e1"
    assert doc.title == "Convoy ambushed near Gao"
    assert doc.text == "Gunmen ambushed a military convoy near Gao on Thursday."
    assert doc.published == date(2020, 1, 16) and doc.published_from == "metadata"


# ---------------------------------------------------------------- bad input

def test_cp1252_bytes(tmp_path):
    raw = "The minister\u2019s statement \u2013 issued in Bamako \u2013 said 3 soldiers died.".encode(
        "cp1252")
    doc = one(iter_documents([write(tmp_path, "w.txt", raw)]))
    assert isinstance(doc, Document)
    assert "minister\u2019s" in doc.text
    assert any(q.kind == "decoding" and q.severity == "warning" for q in doc.quality)


def test_utf16_and_utf8_bom(tmp_path):
    text = "Clashes were reported in Aden on Tuesday, residents said."
    d16 = one(iter_documents([write(tmp_path, "u16.txt", text.encode("utf-16"))]))
    d8 = one(iter_documents([write(tmp_path, "u8.txt", text.encode("utf-8-sig"))]))
    assert d16.text == text and d8.text == text
    assert not d16.quality and not d8.quality


def test_binary_empty_missing_directory(tmp_path):
    binary = write(tmp_path, "blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    empty = write(tmp_path, "empty.txt", b"")
    blank = write(tmp_path, "blank.txt", "  \n\n ")
    missing = str(tmp_path / "nope.txt")
    items = list(iter_documents([binary, empty, blank, missing]))
    assert [(i.doc_id, i.error) for i in items] == [
        (binary, "binary file, not text"), (empty, "empty document"), (blank, "empty document"),
        (missing, "file not found")]


def test_directory_expands_sorted(tmp_path):
    d = tmp_path / "batch"
    (d / "sub").mkdir(parents=True)
    (d / "b.txt").write_text("Fighting was reported in Sirte on Monday, residents said.")
    (d / "a.txt").write_text("Clashes were reported in Aden on Tuesday, residents said.")
    (d / "sub" / "c.txt").write_text("Shelling was reported in Donetsk on Monday.")
    (d / ".hidden").write_text("ignored")
    items = list(iter_documents([str(d), str(tmp_path / "emptydir")]))
    assert [i.doc_id for i in items[:3]] == [str(d / "a.txt"), str(d / "b.txt"),
                                             str(d / "sub" / "c.txt")]
    assert isinstance(items[3], DocError) and items[3].error == "file not found"
    (tmp_path / "emptydir").mkdir()
    err = one(iter_documents([str(tmp_path / "emptydir")]))
    assert isinstance(err, DocError) and "no files" in err.error


def test_oversize_file(tmp_path):
    path = write(tmp_path, "big.txt", "Shelling was reported. " * 100)
    err = one(iter_documents([path], max_bytes=1000))
    assert isinstance(err, DocError)
    assert err.error == "document too large (2.3 kB > 1.0 kB; raise with --max-bytes)"
    big = write(tmp_path, "big2.txt", b"a" * 2_100_000)
    err = one(iter_documents([big], max_bytes=2_000_000))
    assert err.error == "document too large (2.1 MB > 2.0 MB; raise with --max-bytes)"


def test_oversize_stdin():
    err = one(iter_documents(["-"], stdin=io.StringIO("word " * 100), max_bytes=100))
    assert isinstance(err, DocError) and err.doc_id == "-"
    assert err.error.startswith("document too large (500 bytes > 100 bytes")


FRENCH = ("Les forces gouvernementales ont bombardé la ville de Maarat al-Numan lundi, selon les "
          "secouristes. Au moins cinq civils ont été tués et plusieurs autres blessés dans les "
          "frappes qui ont visé un marché du centre de la ville, ont indiqué des témoins. Les "
          "Nations unies se sont dites préoccupées par la situation humanitaire dans la région.")
ARABIC = ("قصفت القوات الحكومية مدينة معرة النعمان يوم الاثنين، بحسب فرق الإنقاذ. وقتل خمسة مدنيين "
          "على الأقل وأصيب آخرون في الغارات التي استهدفت سوقا في وسط المدينة، وفق شهود عيان. "
          "وأعربت الأمم المتحدة عن قلقها من الوضع الإنساني في المنطقة بعد موجة النزوح الأخيرة.")


@pytest.mark.parametrize("text", [FRENCH, ARABIC], ids=["french", "arabic"])
def test_non_english_flagged_but_yielded(tmp_path, text):
    doc = one(iter_documents([write(tmp_path, "fr.txt", text)]))
    assert isinstance(doc, Document)
    flags = [q for q in doc.quality if q.kind == "non_english"]
    assert len(flags) == 1 and flags[0].severity == "warning"


def test_english_not_flagged():
    doc = document_from_text(SCRAPED)
    assert not any(q.kind == "non_english" for q in doc.quality)


# ---------------------------------------------------------------- URLs

@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/report.txt",
                                 "gopher://example.org/"])
def test_url_scheme_refused(url):
    err = one(iter_documents([url]))
    assert isinstance(err, DocError) and err.doc_id == url
    assert "refused URL scheme" in err.error


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.0.0.1/report",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/",
                                 "https://192.168.1.1/", "http://0.0.0.0/"])
def test_private_address_refused_without_connecting(url, monkeypatch):
    import socket

    def no_connect(*a, **k):
        raise AssertionError("must not connect")
    monkeypatch.setattr(socket, "create_connection", no_connect)
    monkeypatch.setattr(socket.socket, "connect", no_connect)
    err = one(iter_documents([url]))
    assert isinstance(err, DocError) and "refused" in err.error
    assert "--allow-private" in err.error


def test_check_url_hostname_resolving_to_loopback(monkeypatch):
    import socket
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))])
    with pytest.raises(FetchError, match="loopback"):
        check_url("http://sneaky.example/", allow_private=False)
    assert check_url("http://sneaky.example/", allow_private=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict, bytes]] = {}

    def do_GET(self):  # noqa: N802
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.routes = {
        "/article": (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE_HTML.encode()),
        "/plain": (200, {"Content-Type": "text/plain; charset=utf-8"}, SCRAPED.encode()),
        "/feed": (200, {"Content-Type": "application/rss+xml"}, RSS.encode()),
        "/redirect-private": (302, {"Location": "http://10.0.0.1/x"}, b""),
        "/redirect-ftp": (302, {"Location": "ftp://example.org/x"}, b""),
        "/big": (200, {"Content-Type": "text/plain"}, b"word " * 1000),
    }
    yield base
    server.shutdown()
    server.server_close()


def test_local_fetch_allowed_with_allow_private(local_server):
    url = local_server + "/article"
    doc = one(iter_documents([url], allow_private=True))
    assert isinstance(doc, Document), doc
    assert doc.doc_id == url and doc.url == url
    assert doc.title == "Shelling kills five in Idlib"
    assert doc.published == date(2020, 1, 17)
    plain = one(iter_documents([local_server + "/plain"], allow_private=True))
    assert plain.text == SCRAPED and plain.title == HEADLINE
    feed = list(iter_documents([local_server + "/feed"], allow_private=True))
    assert [d.doc_id for d in feed] == ["urn:example:a1", "https://example.org/a2"]


def test_local_fetch_refused_by_default(local_server):
    err = one(iter_documents([local_server + "/article"]))
    assert isinstance(err, DocError) and "loopback" in err.error


def test_fetch_errors(local_server):
    items = list(iter_documents([local_server + "/missing", local_server + "/big",
                                 local_server + "/redirect-ftp"],
                                allow_private=True, max_bytes=1000))
    assert all(isinstance(i, DocError) for i in items)
    assert "404" in items[0].error
    assert "document too large" in items[1].error
    assert "refused redirect" in items[2].error


def test_redirect_to_private_refused(local_server, monkeypatch):
    # the first hop is allowed (pretend 127.0.0.1 is public), the redirect to 10.0.0.1 is not
    from sitroom.ingest import fetch as fetch_mod
    real = fetch_mod._bad_address
    monkeypatch.setattr(fetch_mod, "_bad_address",
                        lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    err = one(iter_documents([local_server + "/redirect-private"]))
    assert isinstance(err, DocError)
    assert "refused redirect" in err.error and "10.0.0.1" in err.error


def test_json_array_and_pretty_object(tmp_path):
    recs = [{"id": "j1", "text": "Clashes were reported in Aden on Tuesday, residents said."},
            {"text": "Shelling was reported in Donetsk on Monday.", "published": "2022-03-07"}]
    arr = write(tmp_path, "batch.json", json.dumps(recs, indent=2))
    obj = write(tmp_path, "one.json", json.dumps(recs[1], indent=2))
    items = list(iter_documents([arr, obj]))
    assert [i.doc_id for i in items] == ["j1", f"{arr}:2", obj]
    assert items[2].published == date(2022, 3, 7)


def test_text_starting_with_bracket_is_text(tmp_path):
    doc = one(iter_documents([write(tmp_path, "r.txt", "[Reuters] Clashes were reported in Aden.")]))
    assert isinstance(doc, Document) and doc.meta["format"] == "text"


def test_real_stdin_bytes(tmp_path):
    import subprocess
    import sys
    code = ("import sys; from sitroom.ingest import iter_documents\n"
            "for d in iter_documents(['-']):\n"
            "    print(d.doc_id, getattr(d, 'error', None) or [q.kind for q in d.quality])\n")
    root = ROOT
    run = lambda data: subprocess.run([sys.executable, "-c", code], input=data, cwd=root,  # noqa: E731
                                      capture_output=True, timeout=60).stdout.decode()
    assert run(b"\x00\x01\x02binary") == "- binary file, not text\n"
    assert run("Caf\u00e9 attack in Bamako kills two, police said.".encode("cp1252")) == \
        "- ['decoding']\n"
    jl = b'{"id": "a", "text": "Shelling in Donetsk."}\n{"text": "Clashes in Aden."}\n'
    assert run(jl) == "a []\n-:2 []\n"


def test_title_skips_byline():
    doc = document_from_text("By Jane Doe\n\nFighting in Sirte\n\nClashes broke out in Sirte on Monday.")
    assert doc.title == "Fighting in Sirte"
