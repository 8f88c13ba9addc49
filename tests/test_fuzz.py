"""Fuzzing: generated text, HTML, feeds and JSON Lines through reading, extraction and storing.

Properties, for every input: reading never raises and gives one item per document (a document or
its error line); valid text is never an error line; every span's offsets index the text as given;
every result is JSON that encodes to UTF-8, reads back equal and has no integer a database cannot
hold; storing the results never fails.

A bounded number of cases runs with the tests (profile ``ci``); ``make fuzz`` runs many more
(``SITROOM_FUZZ=fuzz``, ``SITROOM_FUZZ_EXAMPLES`` to change how many). Every failure found
becomes a regression test (``tests/test_robust.py`` and the ``@example`` cases below).
"""
import io
import json
import os
from datetime import date
from xml.sax.saxutils import escape as xml_escape

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is in the test extra")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sitroom.ingest import document_from_text, iter_documents  # noqa: E402
from sitroom.ingest import readers  # noqa: E402
from sitroom.model import DocError, Document  # noqa: E402
from sitroom.output import dumps  # noqa: E402

_COMMON = dict(deadline=None, derandomize=False, print_blob=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=12, **_COMMON)
settings.register_profile("fuzz", max_examples=int(os.environ.get("SITROOM_FUZZ_EXAMPLES", "400")), **_COMMON)
PROFILE = os.environ.get("SITROOM_FUZZ", "ci")
FUZZ = settings.get_profile(PROFILE)

INT64_MAX = 2**63 - 1


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from sitroom.store import open_store

    s = open_store(str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"))
    yield s
    s.close()


# ---------------------------------------------------------------- strategies

_UNICODE = st.characters(codec=None, categories=(
    "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi",
    "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Co", "Cs"))
_CONTROL = st.sampled_from(["\x00", "\x07", "\x0b", "\x0c", "\r", "\r\n", "\x1b", "\x7f", "\x85",
                            "\u2028", "\u2029", "\u200b", "\ufeff", "\u202e", "\xa0", "\t", "\n\n"])
_WORDS = st.sampled_from([
    "Air strikes", "killed", "civilians", "in", "Idlib", "Aleppo", "Saraqib", "on", "Monday", "rebels",
    "shelled", "the", "town", "of", "at least", "dozens of", "injured", "Syrian", "army", "said",
    "according to", "the Observatory", "ceasefire", "denied", "protesters", "police", "fired",
    "tear gas", "Kabul", "Mogadishu", "bomb", "exploded", "near", "\u201c", "\u201d", "(", ")", ",", ".",
])
_EDGE_NUMBERS = st.one_of(
    st.integers(-10**30, 10**30).map(str),
    st.integers(0, 10**25).map(lambda n: f"{n:,}"),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(1, 5000).map(lambda n: "9" * n),
    st.sampled_from(["1e400", "0", "000", "350,0000", "1.5 million", "2.5bn", "three hundred thousand",
                     "tens of thousands of", "nan", "inf", "\u2212" + "5", "\u0663\u0664",
                     "\u0967\u0968\u0969", "1,2,3,4", "12.34.56", "0.000001", "10^100",
                     "99999999999999999999 billion"]),
)
_EDGE_DATES = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(
        lambda d: d.strftime(d.isoformat() if d.year < 1000 else "%d %B %Y")),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(lambda d: d.isoformat()),
    st.tuples(st.integers(-5, 99), st.integers(-5, 40), st.integers(-10, 100000)).map(
        lambda t: f"{t[0]}/{t[1]}/{t[2]}"),
    st.sampled_from(["31 February 2020", "0 January 0", "December 99999", "2020-13-45", "March 0",
                     "in the year 10000", "yesterday", "last Thursday", "early December",
                     "since April 29", "Jan. 16", "the 1990s", "Q5 2020", "week 60 of 2020",
                     "two days after the attack", "9999-12-31", "0001-01-01", "1 BC", "Ramadan",
                     "between 12 and 9 March 2020", "mid-2099", "the 21st of Smarch"]),
)
_LONG_TOKENS = st.builds(lambda c, n: c * n,
                         st.sampled_from([")", "(", "\U0001F600", "#", "a", "-", "\"", "'", ".", "_",
                                          "\u0300", "a)", "http://x.y/", "\u4e2d"]),
                         st.integers(50, 3000))
_FRAGMENT = st.one_of(
    _WORDS, _EDGE_NUMBERS, _EDGE_DATES, _CONTROL,
    st.text(_UNICODE, max_size=40),
    st.lists(_WORDS, min_size=3, max_size=15).map(" ".join),
)
TEXT = st.one_of(
    st.lists(_FRAGMENT, min_size=1, max_size=25).map(" ".join),
    st.lists(st.one_of(_FRAGMENT, _LONG_TOKENS), min_size=1, max_size=6).map(" ".join),
    st.text(_UNICODE, min_size=1, max_size=300),
)


def _tag(draw_name, children, broken):
    name, attrs = draw_name
    inner = "".join(children)
    return f"<{name}{attrs}>{inner}" + ("" if broken else f"</{name}>")


_TAG_NAMES = st.tuples(
    st.sampled_from(["p", "div", "span", "article", "b", "i", "a", "table", "tr", "td", "h1", "ul",
                     "li", "script", "style", "noscript", "svg", "math", "iframe", "br", "main",
                     "x-y", "template", "title", "head", "body", "html", "meta", "pre"]),
    st.sampled_from(["", ' class="x"', ' href="javascript:alert(1)"', " onload=alert(1)",
                     ' data-x="\u2028"', ' a="', " =", ' lang="ar" dir="rtl"']))
HTML = st.one_of(
    st.recursive(
        st.one_of(TEXT.map(xml_escape), TEXT, st.sampled_from(["<!-- c", "<![CDATA[x]]>", "&#0;",
                                                              "&#x110000;", "&nbsp;", "&bogus;", "<", ">"])),
        lambda kids: st.builds(_tag, _TAG_NAMES, st.lists(kids, max_size=4), st.booleans()),
        max_leaves=30),
    st.builds(lambda n, m, t: "<div>" * n + f"<p>{t}</p>" + "</div>" * m,
              st.integers(1, 4000), st.integers(0, 4000), TEXT.map(xml_escape)),
).map(lambda body: f"<html><head><title>t</title></head><body>{body}</body></html>")


def _rss(items):
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>']
    for title, body, pub, raw in items:
        body = f"<![CDATA[{body}]]>" if raw else xml_escape(body)
        parts.append(f"<item><title>{xml_escape(title)}</title><description>{body}</description>"
                     f"<pubDate>{xml_escape(pub)}</pubDate><guid>{xml_escape(title)[:50]}</guid></item>")
    parts.append("</channel></rss>")
    return "".join(parts)


FEED = st.one_of(
    st.lists(st.tuples(TEXT, st.one_of(TEXT, HTML), st.one_of(_EDGE_DATES, st.text(max_size=30)),
                       st.booleans()), min_size=1, max_size=4).map(_rss),
    st.builds(lambda s, cut: s[:cut], st.lists(st.tuples(TEXT, TEXT, _EDGE_DATES, st.booleans()),
                                              min_size=1, max_size=2).map(_rss),
              st.integers(0, 400)),             # cut anywhere: broken XML
)

_JSON_VALUE = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**40, 10**40),
                                     st.floats(), TEXT),
                           lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                  st.dictionaries(st.text(max_size=5), kids, max_size=3)),
                           max_leaves=6)
_RECORD = st.fixed_dictionaries(
    {"text": st.one_of(TEXT, TEXT, _JSON_VALUE)},
    optional={"id": _JSON_VALUE, "title": _JSON_VALUE, "published": st.one_of(_EDGE_DATES, _JSON_VALUE),
              "source": _JSON_VALUE, "url": _JSON_VALUE, "extra": _JSON_VALUE})
_LINE = st.one_of(
    st.tuples(_RECORD, st.booleans()).map(lambda t: json.dumps(t[0], ensure_ascii=t[1]).encode(
        "utf-8", "surrogatepass")),
    st.sampled_from([b'{"text": "Shelling hit Aleppo \\ud800 on Monday."}', b'{"text": "x\\udfff\\ud800"}',
                     b"{not json", b"[1, 2]", b'"just a string"', b"\xff\xfe\x00", b"{}",
                     b'{"text": null}', b'{"text": "\\u0000"}', b"\x00" * 10]),
    st.binary(max_size=80),
)
JSONL = st.lists(_LINE, min_size=1, max_size=8).map(lambda lines: b"\n".join(lines) + b"\n")


# ---------------------------------------------------------------- checks

def _spans(obj):
    if isinstance(obj, dict):
        if isinstance(obj.get("start"), int) and isinstance(obj.get("end"), int) and isinstance(obj.get("text"), str):
            yield obj
        for v in obj.values():
            yield from _spans(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _spans(v)


def _ints(obj):
    if isinstance(obj, bool):
        return
    if isinstance(obj, int):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _ints(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _ints(v)


def check_result(res, text=None):
    line = dumps(res)
    line.encode("utf-8")                                   # no lone surrogate left
    assert line.split("\n") == [line]                      # one line, whatever the text holds
    assert json.loads(line) == res                         # no NaN, nothing that reads back otherwise
    assert all(abs(n) <= INT64_MAX for n in _ints(res))    # every integer fits a database column
    if "error" in res:
        return
    for s in _spans(res):
        if text is not None and "start" in s and s.get("doc_id", res["doc_id"]) == res["doc_id"]:
            assert text[s["start"]:s["end"]] == s["text"], s


def run_documents(pipeline, docs, store=None):
    results = list(pipeline.run(docs))
    assert [r["doc_id"] for r in results] == [d.doc_id for d in docs]
    for d, r in zip(docs, results):
        if isinstance(d, Document):
            assert "error" not in r, r["error"]            # valid text is never an error line
            check_result(r, d.text)
        else:
            check_result(r)
    if store is not None:
        stats = store.ingest([r for r in results if "error" not in r])
        assert stats.errors == 0, stats.error_ids
    return results


# ---------------------------------------------------------------- the properties

@FUZZ
@given(texts=st.lists(TEXT, min_size=1, max_size=3), published=st.one_of(st.none(), st.dates()))
@example(texts=["Shelling killed 99999999999999999999 people in Idlib."], published=None)
@example(texts=["A blast killed " + "9" * 400 + " and 1e400 in Homs on 31 February 2020."], published=None)
@example(texts=[")" * 3000 + " \U0001F600" * 10 + "\ud800"], published=date(1, 1, 1))
@example(texts=["On 9999-12-31 and 0001-01-01 rebels shelled Aleppo, killing 5."], published=date(9999, 12, 31))
def test_text_through_extraction(pipeline, texts, published):
    docs = [document_from_text(t, doc_id=f"t{i}", published=published) for i, t in enumerate(texts)]
    run_documents(pipeline, docs)


@FUZZ
@given(texts=st.lists(TEXT, min_size=1, max_size=3))
def test_text_through_storing(pipeline, store, texts):
    docs = [document_from_text(t, doc_id=f"s{i}", published="2020-01-17") for i, t in enumerate(texts)]
    run_documents(pipeline, docs, store)


@FUZZ
@given(html=HTML)
@example(html="<html><body>" + "<div>" * 5000 + "<p>Rebels shelled Aleppo on Monday, killing four people there.</p></body></html>")
def test_html_through_reading_and_extraction(pipeline, html):
    item = readers.read_html(html.encode("utf-8", "surrogatepass"), "page.html", None)
    assert isinstance(item, (Document, DocError))
    if isinstance(item, Document):
        from sitroom.ingest import clean
        run_documents(pipeline, [clean(item)])


@FUZZ
@given(feed=FEED)
@example(feed='<rss version="2.0"><channel><item><title>t</title><description>&lt;p&gt;Rebels\x0b'
              ' shelled Aleppo &amp;#1; on Monday.&lt;/p&gt;</description></item></channel></rss>')
def test_feeds_through_reading_and_extraction(pipeline, feed):
    items = list(readers.read_feed(feed.encode("utf-8", "surrogatepass"), "feed.xml", None))
    assert items and all(isinstance(i, (Document, DocError)) for i in items)
    from sitroom.ingest import clean
    run_documents(pipeline, [clean(i) if isinstance(i, Document) else i for i in items])


@FUZZ
@given(data=JSONL)
@example(data=b'{"id":"a","text":"Air strikes hit Idlib."}\n{"text":"bad \\ud800"}\n{"id":"c","text":"Rebels attacked Hama."}\n')
@example(data=b'{"text": "Air strikes Air strikes Air strikes Air strikes", "published": "0001-01-01"}\n')
@example(data=b'{"text": "Rebels shelled Aleppo in December 9999, killing 3.", "published": "9999-12-31"}\n')
@example(data=b'\xff\xfe\x00\n{"text": "Shelling hit Aleppo \\ud800 on Monday."}\n')
def test_jsonl_through_reading_extraction_and_storing(pipeline, store, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("jl") / "batch.jsonl"
    path.write_bytes(data)
    items = list(iter_documents([str(path)]))
    lines = [ln for ln in data.split(b"\n") if ln.strip()]
    # (bytes that begin like UTF-16/32 or look binary are read as one text or refused as a whole)
    whole = len(items) == 1 and (readers.bom_encoding(data) not in (None, "utf-8-sig")
                                 or isinstance(items[0], DocError) and items[0].error == readers.BINARY)
    assert len(items) == max(1, len(lines)) or whole       # one item per line, the rest read
    assert all(isinstance(i, (Document, DocError)) for i in items)
    assert not any(isinstance(i, DocError) and "internal error" in i.error for i in items), \
        [i.error for i in items if isinstance(i, DocError)]
    run_documents(pipeline, items, store)


@FUZZ
@given(text=TEXT)
def test_stdin_and_files_read_any_bytes(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("b") / "any.txt"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    items = list(iter_documents([str(path)]))
    assert len(items) >= 1 and all(isinstance(i, (Document, DocError)) for i in items)
    assert not any(isinstance(i, DocError) and "internal error" in i.error for i in items)
    items = list(iter_documents(["-"], stdin=io.TextIOWrapper(io.BytesIO(path.read_bytes()), "utf-8")))
    assert len(items) >= 1 and not any(isinstance(i, DocError) and "internal error" in i.error for i in items)
