"""``sitroom report``: the report dict, its HTML / Markdown / PDF renderings and the command.

One database for the module: the seed article, the composed examples and a hostile document
(markup in its title, text, speaker and URL), ingested once.
"""
from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import pytest
from tests.helpers.shared_data import SEED, missing
import typer
from typer.testing import CliRunner

from tests.helpers import ROOT

COMPOSED = ROOT / "examples" / "composed"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = {
    "id": "hostile/1", "title": f"{SCRIPT} Strike on Ariha",
    "text": (f"{SCRIPT} Strike on Ariha\n\nARIHA, Syria, Jan. 15 - An air strike hit a bakery in Ariha in Idlib "
             f"province on Wednesday, killing 6 civilians {IMG}, rescuers said.\n\n"
             f"The {SCRIPT} militia denied carrying out the strike."),
    "published": "2020-01-15", "source": "<b>Evil</b> Wire", "url": "javascript:alert(1)",
}
FILTERS = dict(country="SY", admin1="Idlib", since="2020-01-01", until="2020-01-17")


def _app() -> typer.Typer:
    from sitroom.cli.report import report
    from sitroom.cli.store import ingest

    app = typer.Typer()
    app.command("ingest")(ingest)
    app.command("report")(report)
    return app


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    d = tmp_path_factory.mktemp("report")
    path = str(d / "r.db")
    hostile = d / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    run = CliRunner().invoke
    app = _app()
    seed = SEED if SEED.is_file() else None
    if seed is not None:
        r = run(app, ["ingest", str(seed), "--published", "2020-01-17", "--db", path, "-q"])
        assert r.exit_code == 0, r.output
    r = run(app, ["ingest", str(COMPOSED / "reports.jsonl"), str(hostile), "--db", path, "-q"])
    assert r.exit_code == 0, r.output
    return path


@pytest.fixture(scope="module")
def rep(db) -> dict:
    from sitroom.report.data import build_report
    from sitroom.store import open_store

    with open_store(db) as store:
        return build_report(store, **FILTERS)


@pytest.fixture(scope="module")
def page(rep) -> str:
    from sitroom.report.render import render_html
    return render_html(rep)


def _ev(rep: dict) -> dict:
    return {e["id"]: e for e in rep["evidence"]}


# ------------------------------------------------------------------ the data layer

def test_report_dict_is_json_with_every_section(rep):
    assert set(rep) >= {"schema", "title", "generated_at", "filters", "period", "counts", "key_figures", "contested",
                        "events", "timeline", "agreements", "sources", "evidence"}
    back = json.loads(json.dumps(rep))          # plain JSON: no dates, no sets
    assert back == rep
    assert rep["filters"] == {"country": "SY", "admin1": "Idlib", "since": "2020-01-01", "until": "2020-01-17"}
    assert rep["counts"]["events"] == len(rep["events"]) > 0
    assert all(e["admin1"] == "Idlib" for e in rep["events"])
    assert rep["counts"]["documents"] == len(rep["sources"]) >= 5
    assert {"killed", "displaced", "trapped"} <= {g["kind"] for g in rep["key_figures"]}


def test_evidence_ids_resolve_and_offsets_index_the_document(rep):
    ev = _ev(rep)
    refs = [i for g in rep["key_figures"] for f in g["figures"] for i in f["value_evidence"] + f["evidence"]]
    refs += [i for e in rep["events"] for i in e["evidence"] + e["fatalities_evidence"]]
    refs += [i for c in rep["contested"]["claims"] for i in c["evidence"]]
    refs += [i for a in rep["agreements"] for i in a["evidence"]]
    assert refs and all(i in ev for i in refs)
    sources = {s["doc_id"]: s for s in rep["sources"]}
    assert all(it["doc_id"] in sources and it["source_id"] == sources[it["doc_id"]]["id"] for it in ev.values())
    texts = {json.loads(line)["id"]: json.loads(line)["text"]
             for line in (COMPOSED / "reports.jsonl").read_text(encoding="utf-8").splitlines()}
    checked = 0
    for it in ev.values():
        text = texts.get(it["doc_id"])
        if text is not None and isinstance(it["start"], int):
            assert text[it["start"]:it["end"]] == it["text"]
            if it["context"]:
                assert text[it["context"]["start"]:it["context"]["end"]] == it["context"]["text"]
            checked += 1
    assert checked > 5


def test_known_figure_with_breakdown_attribution_and_verification(rep):
    killed = next(g for g in rep["key_figures"] if g["kind"] == "killed")["figures"]
    f = next(f for f in killed if f["value"] == 1506 and f["verified"])
    assert f["status"] == "verified" and f["attributed_to"]
    parts = {b["key"]: b["value"] for b in f["breakdown"]}
    assert parts["women"] == 293 and parts["children"] == 433
    ev = _ev(rep)
    assert "1,506" in ev[f["value_evidence"][0]]["text"]
    women = next(b for b in f["breakdown"] if b["key"] == "women")
    assert ev[women["evidence"][0]]["text"] == "293"          # the number's own span
    assert "293 women" in ev[women["evidence"][0]]["context"]["text"]
    displaced = next(g for g in rep["key_figures"] if g["kind"] == "displaced")["figures"]
    assert any(f["value"] == 350000 and f["un_attributed"] for f in displaced)


def test_fused_market_strike_has_several_sources_and_is_contested(rep):
    strikes = [e for e in rep["events"] if e["date"] == "2020-01-14" and e["sub_event_type"] == "Air/drone strike"]
    assert strikes, [(e["date"], e["sub_event_type"]) for e in rep["events"]]
    e = strikes[0]
    assert e["n_sources"] >= 2 and len(e["documents"]) >= 2
    assert e["contested"] and e["id"] in rep["contested"]["events"]
    assert e["fatalities"] and e["fatalities_evidence"] and e["evidence_text"]
    assert e["latitude"] and e["longitude"]
    ev = _ev(rep)
    assert any(re.search(r"\d|seventeen|nineteen", ev[i]["text"]) for i in e["fatalities_evidence"])
    denials = [c for c in rep["contested"]["claims"] if c["kind"] == "denial"
               and any(x["event_id"] == e["id"] and x["relation"] == "denies" for x in c["events"])]
    assert denials and all(c["evidence"] for c in denials)


def test_agreements_timeline_and_sources(rep):
    cf = [a for a in rep["agreements"] if a["start"] == "2020-01-12"]
    assert cf and cf[0]["n_violations"] >= 1 and cf[0]["evidence"]
    codes = {e["id"] for e in rep["events"]}
    for a in cf:
        assert a["n_violations"] == sum(d["n_events"] for d in a["days"])
        assert all(x["event_id"] in codes and x["event_date"] >= "2020-01-12" for d in a["days"] for x in d["events"])
    tl = rep["timeline"]
    assert tl["start"] == "2020-01-01" and tl["end"] == "2020-01-17" and len(tl["days"]) == 17
    assert sum(d["total"] for d in tl["days"]) + tl["outside"] + tl["undated"] == len(rep["events"])
    assert all(sum(d["by_type"].values()) == d["total"] for d in tl["days"])
    assert any(s["published"] == "2020-01-14" and s["title"] for s in rep["sources"])


def test_filters_and_bad_dates(db):
    from sitroom.report.data import build_report
    from sitroom.store import open_store

    with open_store(db) as store:
        # a region named in lower case finds its events (Aleppo comes with the reference page)
        regions = {e["admin1"] for e in store.query_events() if e.get("admin1")}
        region = "Aleppo" if "Aleppo" in regions else sorted(regions)[0]
        got = build_report(store, admin1=region.lower())
        assert got["events"] and all(e["admin1"] == region for e in got["events"])
        empty = build_report(store, since="2030-01-01")
        with pytest.raises(ValueError):
            build_report(store, since="2020-13-01")
        with pytest.raises(ValueError):
            build_report(store, since="2020-02-01", until="2020-01-01")
    assert empty["events"] == [] and empty["counts"]["events"] == 0 and empty["agreements"] == []
    from sitroom.report.render import render_html, render_markdown
    html = render_html(empty)
    assert "No dated events" in html and "No events with coordinates" in html and html.count("<svg") == 2
    assert "No events match" in render_markdown(empty)


# ------------------------------------------------------------------ HTML

def test_html_has_charts_and_every_link_lands(page):
    assert page.startswith("<!DOCTYPE html>")
    assert 'aria-label="Events per day by type"' in page and 'aria-label="Events by location, sized by fatalities"' in page
    assert page.count("<svg") == 2 and "<rect" in page and "<path" in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids"
    targets = re.findall(r'href="#([^"]+)"', page)
    missing = sorted({t for t in targets if t not in set(ids)})
    assert not missing, missing[:10]
    # self-contained: nothing to fetch
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page.split('<section id="sources">')[0])
    assert "<link" not in page and "@import" not in page


def test_html_every_number_links_to_its_evidence(rep, page):
    ev = _ev(rep)
    # figures: the value cell is a link to the number's span
    for g in rep["key_figures"]:
        for f in g["figures"]:
            row = re.search(rf'<tr id="figure-{f["id"]}">(.*?)</tr>', page, re.S).group(1)
            cell = re.search(r'<td class="n">(.*?)</td>', row, re.S).group(1)
            m = re.match(r'<a class="num" href="#evidence-(E\d+)"', cell)
            assert m and m.group(1) in ev, cell
    # events: every toll is a link to the sentence(s) it came from
    for e in rep["events"]:
        row = re.search(rf'<tr id="event-{e["id"]}">(.*?)</tr>', page, re.S).group(1)
        cell = re.search(r'<td class="n">(.*?)</td>', row, re.S).group(1)
        if e["fatalities"] is not None:
            assert '<a class="num" href="#evidence-' in cell, cell
    # no bare number outside a link in the number cells of the whole page
    for cell in re.findall(r'<td class="n">(.*?)</td>', page, re.S):
        bare = re.sub(r'<a [^>]*>.*?</a>|<sup.*?</sup>|<div class="note">.*?</div>|<[^>]+>', "", cell)
        assert not re.search(r"[1-9]", bare), cell
    # the evidence entry quotes the span and names document and offsets
    f = next(f for g in rep["key_figures"] for f in g["figures"] if f["value"] == 1506)
    li = re.search(rf'<li id="evidence-{f["value_evidence"][0]}">(.*?)</li>', page, re.S).group(1)
    # the marked span is the number as the document writes it ("1,506", or "at least 1,506")
    assert re.search(r"<mark>(?:[a-z]+ )*1,506</mark>", li) and "chars " in li and "#source-D" in li


def test_html_escapes_untrusted_article_text(page):
    assert not re.search(r"<\s*(?:script|img|iframe|object)\b", page, re.I)      # no injected element
    assert not re.search(r"<[^>]*\son\w+\s*=", page, re.I)                       # no event handler attribute
    assert not re.search(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", page, re.I)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page        # the text is there, inert
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;Evil&lt;/b&gt; Wire" in page


def test_chart_text_is_escaped():
    from sitroom.report import charts
    r = {"events": [{"id": "SR1", "latitude": 35.9, "longitude": 36.6, "fatalities": 3, "event_type": "<b>x</b>",
                     "location": "<script>x</script> $a$", "date": "2020-01-02"}],
         "timeline": {"types": ["<b>x</b>"], "days": [{"date": "2020-01-02", "total": 1, "by_type": {"<b>x</b>": 1},
                                                        "events": ["SR1"]}]}}
    svg = charts.map_svg(r) + charts.timeline_svg(r)
    assert "<script" not in svg and "<b>" not in svg and "&lt;script&gt;" in svg


# ------------------------------------------------------------------ Markdown, PDF, command

def test_markdown_footnotes_every_reference(rep):
    from sitroom.report.render import render_markdown
    md = render_markdown(rep, chart_refs={"timeline": "t.svg", "map": "m.svg"})
    assert "## Key figures" in md and "![Events per day by type](t.svg)" in md
    used = set(re.findall(r"\[\^(E\d+)\](?!:)", md))
    defined = set(re.findall(r"^\[\^(E\d+)\]:", md, re.M))
    assert used and used == defined
    assert re.search(r"\*\*(?:[a-z]+ )*1,506\*\*\[\^E", md), md
    assert "<script" not in md and "&lt;script&gt;" in md


def _pdf_pages(data: bytes) -> int:
    n = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            n += len(re.findall(rb"/Type\s*/Page(?![s\w])", zlib.decompress(m.group(1))))
        except zlib.error:
            pass
    return n


def test_command_writes_pdf_md_html_json(db, tmp_path):
    run = CliRunner().invoke
    app = _app()
    args = ["--db", db, "--country", "SY", "--admin1", "Idlib", "--since", "2020-01-01", "--until", "2020-01-17"]
    pdf = tmp_path / "idlib.pdf"
    r = run(app, ["report", *args, "-o", str(pdf)])
    assert r.exit_code == 0, r.output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") and _pdf_pages(data) >= 1
    md = tmp_path / "idlib.md"
    r = run(app, ["report", *args, "-o", str(md)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "idlib.timeline.svg").read_text().lstrip().startswith("<?xml")
    assert "](idlib.map.svg)" in md.read_text()
    r = run(app, ["report", *args, "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["counts"]["events"] > 0
    r = run(app, ["report", *args])                   # html to stdout by default
    assert r.exit_code == 0 and r.stdout.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("extra, message", [
    (["--since", "2020-13-01"], "--since"),
    (["--until", "17/01/2020"], "--until"),
    (["--since", "2020-02-01", "--until", "2020-01-01"], "after"),
    (["--format", "docx"], "unknown format"),
    (["--format", "pdf"], "-o"),
])
def test_command_errors_are_one_line(db, extra, message):
    r = CliRunner().invoke(_app(), ["report", "--db", db, *extra])
    assert r.exit_code == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1 and not r.stdout


def test_command_missing_database_is_not_created(tmp_path, monkeypatch):
    missing = tmp_path / "nope.db"
    r = CliRunner().invoke(_app(), ["report", "--db", str(missing)])
    assert r.exit_code == 2 and "no database" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not missing.exists()
    monkeypatch.setenv("SITROOM_DB", str(missing))
    r = CliRunner().invoke(_app(), ["report", "-f", "json"])
    assert r.exit_code == 2 and str(missing) in r.stderr and not missing.exists()


def test_registered_in_the_cli():
    from sitroom.cli import app
    assert "report" in {c.name for c in app.registered_commands}


def test_composed_examples_are_marked_and_in_sync():
    lines = [json.loads(x) for x in (COMPOSED / "reports.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    txts = sorted(COMPOSED.glob("*.txt"))
    assert 4 <= len(lines) == len(txts) <= 6
    for rec, p in zip(lines, txts):
        text = p.read_text(encoding="utf-8")
        assert rec["text"] == text and rec["title"] == text.splitlines()[0] and rec["published"].startswith("2020-01-")
        assert text.rstrip().endswith("[Composed example for the sitroom demo; not a real report.]")
    assert "composed" in (COMPOSED / "README.md").read_text(encoding="utf-8").lower()


def test_the_same_tally_from_several_reports_is_one_figure(rep):
    """The seed and the composed reports quote the same verified toll and the same displacement
    figure: each is listed once, with every report as a source."""
    by_kind = {g["kind"]: g["figures"] for g in rep["key_figures"]}
    tolls = [f for f in by_kind["killed"] if f["value"] == 1506]
    assert len(tolls) == 1 and tolls[0]["verified"]
    shown = [f for f in by_kind["displaced"] if f["value"] == 350000]
    assert len(shown) == 1
    for f in tolls + shown:
        assert f["n_sources"] == len(f["doc_ids"]) and len(set(f["doc_ids"])) == len(f["doc_ids"])
    values = [(g["kind"], f["value"], f["low"], f["high"], f["place"]) for g in rep["key_figures"] for f in g["figures"]
              if f["value"] is not None]
    assert len(values) == len(set(values))
    if not SEED.is_file():      # the composed reports alone quote each of these tallies once
        pytest.skip(missing(SEED))
    assert any(f["n_sources"] >= 2 for f in tolls + shown)
