"""The report dict (:func:`sitroom.report.data.build_report`) as HTML, Markdown or PDF.

* :func:`render_html` - one self-contained page: inline CSS, inline SVG charts, no scripts, no
  external resources. Every number is a link to the evidence it rests on (``#evidence-E12``: the
  quoted span, its sentence, document and character offsets); totals link to the list they sum.
* :func:`render_pdf` - the same page printed by WeasyPrint, with numbered notes (superscript
  marks that point into the "Evidence notes" at the end, and are links in the PDF) after every
  number instead of underlined links.
* :func:`render_markdown` - GitHub-flavoured Markdown with footnotes (``[^E12]``) for evidence;
  charts as SVG files next to it, or inline data URIs.

Everything that comes from an article (titles, names, quotes, places, URLs) is untrusted: it is
HTML-escaped (and Markdown-escaped); only http(s) URLs become links.
"""
from __future__ import annotations

import base64
import html
import re
from typing import Any, Callable, Iterable

from . import charts

VAGUE = {"dozens", "hundreds", "thousands", "tens of thousands", "hundreds of thousands", "several",
         "scores", "many", "some", "a few", "millions"}

CSS = """
:root { --ink:#1d1d1f; --mute:#5f6368; --line:#d9dce1; --accent:#0b57d0; --warn:#a8071a; --ok:#137333; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta, .note { color: var(--mute); font-size: 12px; }
a { color: var(--accent); text-decoration: none; }
a.num { font-weight: 600; border-bottom: 1px dotted var(--accent); }
sup.ev { font-size: 10px; margin-left: 1px; }
sup.ev a { margin-left: 2px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card .big { font-size: 20px; font-weight: 700; display: block; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f4f5f7; font-weight: 600; }
td.n { text-align: right; white-space: nowrap; }
td.n .note { white-space: normal; text-align: left; max-width: 14em; }
section { overflow-x: auto; }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; border: 1px solid; white-space: nowrap; }
.verified { color: var(--ok); border-color: var(--ok); }
.un { color: var(--accent); border-color: var(--accent); }
.plain { color: var(--mute); border-color: var(--line); }
.contested { color: var(--warn); border-color: var(--warn); }
blockquote { margin: 4px 0; padding: 2px 10px; border-left: 3px solid var(--line); color: #333; }
mark { background: #fff1a8; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 6px 0; }
ol.evidence { padding-left: 0; list-style: none; font-size: 12px; }
ol.evidence li { margin: 0 0 8px; padding: 4px 6px; border-left: 3px solid var(--line); }
ol.evidence li:target { border-left-color: var(--accent); background: #eef3fd; }
tr:target, li:target, div:target { background: #eef3fd; }
ol.sources { list-style: none; padding-left: 0; }
.sources li { margin-bottom: 4px; }
footer { margin-top: 32px; color: var(--mute); font-size: 11px; }
"""

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm; @bottom-right { content: "page " counter(page) " of " counter(pages);
        font-size: 9px; color: #5f6368; } }
body { max-width: none; padding: 0; font-size: 10.5px; }
h2 { break-after: avoid; }
table { font-size: 9.5px; }
tr, li, blockquote { break-inside: avoid; }
a.num { border-bottom: none; color: inherit; }
sup.fn { font-size: 7.5px; color: #0b57d0; }
sup.fn a { color: #0b57d0; }
svg.chart { width: 100%; }
.card { min-width: 120px; }
"""


# ------------------------------------------------------------------ shared helpers

def h(v: Any) -> str:
    """HTML-escape any value (None -> "")."""
    return html.escape("" if v is None else str(v), quote=True)


def fmt_int(n: Any) -> str:
    if isinstance(n, bool) or n is None:
        return ""
    if isinstance(n, (int, float)):
        return f"{int(n):,}"
    return str(n)


def figure_number(f: dict) -> str:
    """How a figure reads: "about 350,000", "dozens (24-99)", "17–21"."""
    lo, hi, v, q = f.get("low"), f.get("high"), f.get("value"), (f.get("qualifier") or "").strip()
    if lo is not None and hi is not None and lo != hi:
        num = f"{fmt_int(lo)}–{fmt_int(hi)}"
    elif v is not None:
        num = fmt_int(v)
    else:
        num = fmt_int(hi if hi is not None else lo) or "?"
    if q and q.lower() in VAGUE:
        return f"{q} ({num})"
    return f"{q} {num}".strip()


def event_fatalities(e: dict) -> str:
    lo, hi, f = e.get("fatalities_low"), e.get("fatalities_high"), e.get("fatalities")
    if lo is not None and hi is not None and lo != hi:
        return f"{fmt_int(lo)}–{fmt_int(hi)}"
    if f is None:
        return ""
    return fmt_int(f)


def safe_url(u: Any) -> str | None:
    s = str(u or "").strip()
    return s if re.match(r"^https?://[^\s<>\"']+$", s, re.I) else None


def _place(e: dict) -> str:
    parts = []
    for k in ("location", "admin2", "admin1", "country"):
        v = e.get(k)
        if v and v not in parts:
            parts.append(v)
    return ", ".join(parts)


def _actors(e: dict) -> str:
    a = [x for x in (e.get("actor1"), e.get("assoc_actor_1")) if x]
    s = " with ".join(a)
    if e.get("actor2"):
        s = f"{s or 'unnamed actor'} vs {e['actor2']}"
    return s


def _period(f: dict) -> str:
    a, b = f.get("period_start"), f.get("period_end")
    if a and b and a != b:
        return f"{a} to {b}"
    return a or b or ""


def _first_event_by_day(report: dict) -> dict[str, str]:
    return {d["date"]: d["events"][0] for d in (report.get("timeline") or {}).get("days") or [] if d.get("events")}


# ------------------------------------------------------------------ HTML

class _Html:
    """Builds the HTML page. ``pdf``: notes (superscript numbers) instead of number links."""

    def __init__(self, report: dict, *, pdf: bool = False, with_charts: bool = True):
        self.r = report
        self.pdf = pdf
        self.with_charts = with_charts
        self.ev = {e["id"]: e for e in report.get("evidence") or []}
        self.src = {s["doc_id"]: s for s in report.get("sources") or []}
        self.events = {e["id"]: e for e in report.get("events") or []}
        self.notes: dict[str, int] = {}     # PDF: evidence id -> note number, in reading order

    def note(self, eid: str) -> str:
        if eid not in self.notes:
            self.notes[eid] = len(self.notes) + 1
        return str(self.notes[eid])

    # links ----------------------------------------------------------
    def num(self, text: str, ids: Iterable[str] | None, *, title: str = "evidence") -> str:
        """A number with its evidence: a link (HTML) or the number with note marks (PDF)."""
        ids = [i for i in (ids or []) if i in self.ev]
        if not text:
            return ""
        if not ids:
            return h(text)
        if self.pdf:
            marks = ",".join(f'<a href="#evidence-{h(i)}">{self.note(i)}</a>' for i in ids)
            return f'{h(text)}<sup class="fn">{marks}</sup>'
        first, more = ids[0], ids[1:]
        out = f'<a class="num" href="#evidence-{h(first)}" title="{h(title)}: {h(first)}">{h(text)}</a>'
        if more:
            out += '<sup class="ev">' + "".join(f'<a href="#evidence-{h(i)}">{h(i)}</a>' for i in more) + "</sup>"
        return out

    def marks(self, ids: Iterable[str] | None) -> str:
        """Evidence marks after a non-numeric statement (a quote, a claim)."""
        ids = [i for i in (ids or []) if i in self.ev]
        if not ids:
            return ""
        if self.pdf:
            return '<sup class="fn">' + ",".join(
                f'<a href="#evidence-{h(i)}">{self.note(i)}</a>' for i in ids) + "</sup>"
        return '<sup class="ev">' + "".join(f'<a href="#evidence-{h(i)}">{h(i)}</a>' for i in ids) + "</sup>"

    def link(self, text: str, anchor: str) -> str:
        return f'<a class="num" href="#{h(anchor)}">{h(text)}</a>'

    def event_link(self, code: str) -> str:
        if code in self.events:
            return f'<a href="#event-{h(code)}">{h(code)}</a>'
        return h(code)

    def source_link(self, doc_id: str) -> str:
        s = self.src.get(doc_id)
        if not s:
            return h(doc_id)
        label = s.get("source") or s.get("title") or doc_id
        return f'<a href="#source-{h(s["id"])}" title="{h(s.get("title") or doc_id)}">{h(s["id"])}</a>' \
               f' <span class="note">{h(_short(label, 40))}</span>'

    def fatal_cell(self, e: dict) -> str:
        text = event_fatalities(e)
        if not text:
            return '<span class="note">not reported</span>'
        return self.num(text, e.get("fatalities_evidence") or e.get("evidence"), title="death toll")

    # sections --------------------------------------------------------
    def page(self) -> str:
        r = self.r
        title = r.get("title") or "Situation report"
        css = CSS + (PRINT_CSS if self.pdf else "")
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            # nothing but inline styles and images may load: the page runs no script at all
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">",
            f"<title>{h(title)}</title>",
            f"<style>{css}</style></head><body>",
            self.header(), self.summary(), self.figures(), self.contested(), self.timeline(), self.map(),
            self.agreements(), self.events_table(), self.sources(), self.evidence(),
            f'<footer>Generated by sitroom on {h(r.get("generated_at"))} from {fmt_int(len(r.get("sources") or []))} '
            f'documents. Figures are as reported by the named sources; "verified" means the source says '
            f'the figure was verified. Report schema {h(r.get("schema"))}.</footer>',
            "</body></html>",
        ]
        return "\n".join(p for p in parts if p)

    def header(self) -> str:
        r = self.r
        f = r.get("filters") or {}
        per = r.get("period") or {}
        bits = []
        for k, label in (("country", "country"), ("admin1", "region"), ("since", "since"), ("until", "until")):
            if f.get(k):
                bits.append(f"{label} {h(f[k])}")
        span = ""
        if per.get("first_event"):
            span = f"; events dated between {h(per.get('first_event'))} and {h(per.get('last_event'))}"
        return (f'<header><h1>{h(r.get("title") or "Situation report")}</h1>'
                f'<div class="meta">Filters: {", ".join(bits) or "none"}{span}. Generated {h(r.get("generated_at"))}.</div>'
                "</header>")

    def summary(self) -> str:
        c = self.r.get("counts") or {}
        fat = c.get("fatalities") or {}
        lo, hi = fat.get("low") or 0, fat.get("high") or 0
        killed = fmt_int(lo) if lo == hi else f"{fmt_int(lo)}–{fmt_int(hi)}"
        cards = [
            (self.link(fmt_int(c.get("events", 0)), "events"), "events"),
            (self.link(killed, "events"), f"killed in these events ({fmt_int(c.get('events_with_fatalities', 0))} with a toll)"),
            (self.link(fmt_int(c.get("contested_events", 0)), "contested"), "contested events"),
            (self.link(fmt_int(c.get("documents", 0)), "sources"), f"documents from {fmt_int(c.get('sources', 0))} sources"),
            (self.link(fmt_int(c.get("agreements", 0)), "agreements"), "agreements"),
        ]
        html_cards = "".join(f'<div class="card"><span class="big">{a}</span>{h(b)}</div>' for a, b in cards)
        return (f'<section id="summary"><h2>Summary</h2><div class="cards">{html_cards}</div>'
                '<p class="note">Totals add up the events listed under <a href="#events">Events</a>; each event\'s '
                'toll links to the sentences it came from. Key figures below are tallies as the sources state them.</p>'
                "</section>")

    def figures(self) -> str:
        groups = self.r.get("key_figures") or []
        out = ['<section id="figures"><h2>Key figures</h2>']
        if not groups:
            out.append('<p class="note">No figures reported for this area and period.</p>')
        for g in groups:
            out.append(f'<h3>{h(g.get("label") or g.get("kind"))}</h3><table><thead><tr><th>number</th><th>of them</th>'
                       "<th>who / what</th><th>period</th><th>where</th><th>reported by</th><th>status</th>"
                       "<th>source</th></tr></thead><tbody>")
            for f in g.get("figures") or []:
                value = self.num(figure_number(f), f.get("value_evidence"), title="figure")    # notes in reading order
                parts = [f'{self.num(fmt_int(b["value"]), b.get("evidence"))} {h(b["key"])}' for b in f.get("breakdown") or []]
                status = f.get("status") or ""
                cls = {"verified": "verified", "UN-attributed": "un"}.get(status, "plain")
                where = h(f.get("place") or "") or '<span class="note">not stated</span>'
                out.append(
                    f'<tr id="figure-{h(f["id"])}"><td class="n">{value}'
                    f'{self.marks([i for i in f.get("evidence") or [] if i not in (f.get("value_evidence") or [])])}</td>'
                    f'<td>{", ".join(parts)}</td><td>{h(f.get("unit") or "")}</td><td>{h(_period(f))}</td>'
                    f'<td>{where}</td><td>{h("; ".join(f.get("reported_by") or []) or f.get("attributed_to") or "unattributed")}</td>'
                    f'<td><span class="badge {cls}">{h(status)}</span></td>'
                    f'<td>{" ".join(self.source_link(d) for d in f.get("doc_ids") or [f.get("doc_id")])}</td></tr>')
            out.append("</tbody></table>")
        out.append("</section>")
        return "\n".join(out)

    def contested(self) -> str:
        con = self.r.get("contested") or {}
        claims = con.get("claims") or []
        out = ['<section id="contested"><h2>Contested claims</h2>']
        ev_ids = con.get("events") or []
        if ev_ids:
            out.append("<p>Events disputed by at least one party: "
                       + ", ".join(self.event_link(i) for i in ev_ids) + ". Their tolls are shown as reported, "
                       "marked <span class=\"badge contested\">contested</span>.</p>")
        if not claims:
            out.append('<p class="note">No denials or accusations about these events.</p>')
        for c in claims:
            who = h(c.get("speaker") or "unnamed")
            if c.get("speaker_role"):
                who += f' <span class="note">({h(c["speaker_role"])})</span>'
            rows = []
            for e in c.get("events") or []:
                ev = self.events.get(e["event_id"]) or {}
                toll = self.fatal_cell(ev) if ev else h(fmt_int(e.get("fatalities")))
                rows.append(f'<li>{h(e.get("relation"))} {self.event_link(e["event_id"])}: '
                            f'{h(e.get("sub_event_type") or "?")} on {h(e.get("event_date") or "?")} at '
                            f'{h(e.get("location") or "?")}, killed: {toll}'
                            + (' <span class="badge contested">contested</span>' if e.get("contested") else "") + "</li>")
            out.append(
                f'<div id="claim-{h(c["id"])}"><h3><span class="badge contested">{h(c.get("kind"))}</span> {who}'
                + (f' against {h(c["target"])}' if c.get("target") else "")
                + f'</h3><blockquote>{h(c.get("text"))}{self.marks(c.get("evidence"))}</blockquote>'
                + f'<div class="note">{h(c.get("date") or "")} reported in {self.source_link(c.get("doc_id"))}'
                + ("" if c.get("linked") else "; not linked to a listed event") + "</div>"
                + (f"<ul>{''.join(rows)}</ul>" if rows else "") + "</div>")
        out.append("</section>")
        return "\n".join(out)

    def timeline(self) -> str:
        tl = self.r.get("timeline") or {}
        out = ['<section id="timeline"><h2>Timeline</h2>']
        if self.with_charts:
            out.append(charts.timeline_svg(self.r))
        days = [d for d in tl.get("days") or [] if d.get("total")]
        if days:
            types = tl.get("types") or []
            out.append("<details open><summary class=\"note\">Events per day (the chart's data)</summary><table><thead><tr><th>day</th>"
                       + "".join(f"<th>{h(t)}</th>" for t in types) + "<th>total</th><th>events</th></tr></thead><tbody>")
            for d in days:
                first = d["events"][0] if d.get("events") else None
                by_day = [e for e in d.get("events") or []]
                cells = []
                for t in types:
                    n = (d.get("by_type") or {}).get(t, 0)
                    of_t = [x for x in by_day if (self.events.get(x) or {}).get("event_type", "Unknown") == t
                            or (t == "Unknown" and not (self.events.get(x) or {}).get("event_type"))]
                    cells.append(f'<td class="n">{self.link(fmt_int(n), "event-" + of_t[0]) if n and of_t else fmt_int(n)}</td>')
                out.append(f'<tr><td>{h(d["date"])}</td>{"".join(cells)}'
                           f'<td class="n">{self.link(fmt_int(d["total"]), "event-" + first) if first else fmt_int(d["total"])}</td>'
                           f'<td>{" ".join(self.event_link(x) for x in by_day)}</td></tr>')
            out.append("</tbody></table></details>")
        out.append("</section>")
        return "\n".join(out)

    def map(self) -> str:
        if not self.with_charts:
            return ""
        return ('<section id="map"><h2>Map</h2>' + charts.map_svg(self.r)
                + '<p class="note">Points at each event\'s coordinates (city, district or province centre as '
                  'precise as the reports allow), area proportional to the death toll; black outline: contested. '
                  'Grey squares: the largest towns nearby (GeoNames) for orientation.</p></section>')

    def agreements(self) -> str:
        ags = self.r.get("agreements") or []
        out = ['<section id="agreements"><h2>Agreements and alleged violations</h2>']
        if not ags:
            out.append('<p class="note">No ceasefire, truce or de-escalation agreement reported for this area.</p>')
        for a in ags:
            head = h(a.get("kind") or "agreement").capitalize()
            if a.get("parties"):
                head += " between " + h(", ".join(a["parties"]))
            out.append(f'<div id="agreement-{h(a["id"])}"><h3>{head}{self.marks(a.get("evidence"))}</h3>')
            out.append(f'<div class="note">area {h(a.get("area") or "not stated")}; effective '
                       f'{h(a.get("effective_date") or a.get("agreed_date") or "date not reported")}'
                       + (f'; status {h(a["status"])}' if a.get("status") else "")
                       + f'; reported in {", ".join(self.source_link(d) for d in a.get("documents") or [])}</div>')
            days = a.get("days") or []
            if not a.get("start"):
                out.append('<p class="note">No start date reported, so no violations can be counted.</p>')
            elif not days:
                out.append(f'<p>No violent events in the area since {h(a["start"])}.</p>')
            else:
                all_ids = [e["event_id"] for d in days for e in d["events"]]
                out.append(f'<p>{self.link(fmt_int(a.get("n_violations")), "event-" + all_ids[0])} alleged violations '
                           f'(violent events in the area on or after {h(a["start"])}), '
                           f'{self.link(fmt_int(a.get("fatalities")), "event-" + all_ids[0])} killed:</p>')
                out.append("<table><thead><tr><th>day</th><th>events</th><th>killed</th><th>which</th></tr></thead><tbody>")
                for d in days:
                    evs = d.get("events") or []
                    with_toll = [self.events.get(e["event_id"]) for e in evs if e.get("fatalities")]
                    fat_ids = [i for e in with_toll if e for i in (e.get("fatalities_evidence") or e.get("evidence") or [])[:1]]
                    which = "; ".join(
                        f'{self.event_link(e["event_id"])} {h(e.get("sub_event_type") or "?")} at {h(e.get("location") or "?")}'
                        + (f', killed {self.fatal_cell(self.events[e["event_id"]])}' if e.get("fatalities") and e["event_id"] in self.events else "")
                        + (' <span class="badge contested">contested</span>' if e.get("contested") else "") for e in evs)
                    out.append(f'<tr><td>{h(d.get("date"))}</td>'
                               f'<td class="n">{self.link(fmt_int(d.get("n_events")), "event-" + evs[0]["event_id"]) if evs else "0"}</td>'
                               f'<td class="n">{self.num(fmt_int(d.get("fatalities")), fat_ids) if fat_ids else fmt_int(d.get("fatalities"))}</td>'
                               f'<td>{which}</td></tr>')
                out.append("</tbody></table>")
            out.append("</div>")
        out.append("</section>")
        return "\n".join(out)

    def events_table(self) -> str:
        evs = self.r.get("events") or []
        out = [f'<section id="events"><h2>Events ({fmt_int(len(evs))})</h2>']
        if not evs:
            out.append('<p class="note">No events match these filters.</p></section>')
            return "\n".join(out)
        out.append("<table><thead><tr><th>id</th><th>date</th><th>type</th><th>where</th><th>actors</th>"
                   "<th>killed</th><th>sources</th><th>evidence</th></tr></thead><tbody>")
        for e in evs:
            prec = {1: "", 2: " (week)", 3: " (month)"}.get(e.get("time_precision"), "")
            srcs = ", ".join(self.source_link(d) for d in e.get("documents") or [])
            per_source = [s for s in e.get("sources") or [] if s.get("fatalities") is not None]
            if len({s.get("fatalities") for s in per_source}) > 1:
                srcs += '<div class="note">tolls by source: ' + "; ".join(
                    f'{h(self.src.get(s["doc_id"], {}).get("id", s["doc_id"]))} {h(fmt_int(s["fatalities"]))}'
                    for s in per_source) + "</div>"
            badge = ' <span class="badge contested">contested</span>' if e.get("contested") else ""
            if e.get("disputed_by"):
                badge += f'<div class="note">denied by {h(", ".join(e["disputed_by"]))}</div>'
            out.append(
                f'<tr id="event-{h(e["id"])}"><td>{h(e["id"])}</td><td>{h(e.get("date") or "?")}{h(prec)}</td>'
                f'<td>{h(e.get("sub_event_type") or e.get("event_type") or "?")}<div class="note">{h(e.get("event_type") or "")}</div></td>'
                f'<td>{h(_place(e))}</td><td>{h(_actors(e))}</td>'
                f'<td class="n">{self.fatal_cell(e)}{badge}</td><td>{srcs}</td>'
                f'<td>{h(_short(e.get("evidence_text") or "", 220))}{self.marks(e.get("evidence"))}</td></tr>')
        out.append("</tbody></table></section>")
        return "\n".join(out)

    def sources(self) -> str:
        srcs = self.r.get("sources") or []
        out = ['<section id="sources"><h2>Sources</h2><ol class="sources">']
        for s in srcs:
            url = safe_url(s.get("url"))
            title = h(s.get("title") or s.get("doc_id"))
            if url:
                title = f'<a href="{h(url)}" rel="noopener noreferrer nofollow">{title}</a>'
            out.append(f'<li id="source-{h(s["id"])}"><b>{h(s["id"])}</b> {title}'
                       f'<span class="note"> — {h(s.get("source") or "source not named")}, published '
                       f'{h(s.get("published") or "date unknown")}; document {h(s.get("doc_id"))}; '
                       f'{fmt_int(s.get("n_events") or 0)} events; used for {h(", ".join(s.get("roles") or []))}</span></li>')
        if not srcs:
            out.append('<li class="note">No documents.</li>')
        out.append("</ol></section>")
        return "\n".join(out)

    def evidence(self) -> str:
        items = self.r.get("evidence") or []
        name = "Evidence notes" if self.pdf else "Evidence"
        out = [f'<section id="evidence"><h2>{name}</h2>'
               '<p class="note">Each entry quotes the text a number or statement was taken from, with its document '
               'and character offsets (<code>text[start:end]</code> of the document as ingested).</p><ol class="evidence">']
        anchors = {"F": "figure-", "C": "claim-", "A": "agreement-", "S": "event-"}
        if self.pdf:    # notes in the order the page first calls them, then any not called
            order = {i: n for n, i in enumerate(self.notes)}
            items = sorted(items, key=lambda it: order.get(it["id"], len(order)))
        for it in items:
            ctx = it.get("context")
            if ctx and isinstance(ctx.get("start"), int) and isinstance(it.get("start"), int):
                a = it["start"] - ctx["start"]
                b = it["end"] - ctx["start"]
                t = ctx.get("text") or ""
                quote = f"{h(t[:a])}<mark>{h(t[a:b])}</mark>{h(t[b:])}" if 0 <= a <= b <= len(t) else h(it.get("text"))
            else:
                quote = h(it.get("text"))
            offs = (f'chars {fmt_int(it["start"])}–{fmt_int(it["end"])}' if isinstance(it.get("start"), int) else "offsets unknown")
            refs = []
            for ref in it.get("refs") or []:
                prefix = anchors.get(ref[:1])
                refs.append(f'<a href="#{prefix}{h(ref)}">{h(ref)}</a>' if prefix else h(ref))
            src = self.src.get(it.get("doc_id"))
            doc = (f'<a href="#source-{h(src["id"])}">{h(src["id"])}</a> {h(_short(src.get("title") or "", 60))}'
                   if src else h(it.get("doc_id")))
            label = f'{self.note(it["id"])}. ({it["id"]})' if self.pdf else it["id"]
            out.append(f'<li id="evidence-{h(it["id"])}"><b>{h(label)}</b> “{quote}”'
                       f'<div class="note">{doc}; document {h(it.get("doc_id"))}, {offs}; supports {", ".join(refs)}</div></li>')
        if not items:
            out.append('<li class="note">No evidence: the report is empty.</li>')
        out.append("</ol></section>")
        return "\n".join(out)


def _short(s: str, n: int) -> str:
    s = " ".join(str(s or "").split())
    return s if len(s) <= n else s[:n - 1] + "…"


def render_html(report: dict[str, Any], *, charts: bool = True) -> str:
    """The report as one self-contained HTML page (every number a link to its evidence)."""
    return _Html(report, with_charts=charts).page()


def render_pdf_html(report: dict[str, Any]) -> str:
    """The HTML WeasyPrint prints: note marks instead of links, print CSS."""
    return _Html(report, pdf=True).page()


def render_pdf(report: dict[str, Any]) -> bytes:
    """The report as PDF bytes (WeasyPrint), evidence as numbered notes."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # base_url=None and no url_fetcher use: the page holds no external resource to fetch
    return HTML(string=render_pdf_html(report), url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"sitroom report: not fetching {url!r}")


# ------------------------------------------------------------------ Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(v: Any) -> str:
    """Markdown-escape article text: HTML entities for <, >, &; backslashes for Markdown syntax;
    one line (table cells)."""
    s = " ".join(str(v or "").split())
    s = html.escape(s, quote=False)
    return _MD_SPECIAL.sub(r"\\\1", s)


class _Markdown:
    def __init__(self, report: dict, chart_refs: dict[str, str] | None):
        self.r = report
        self.chart_refs = chart_refs
        self.ev = {e["id"]: e for e in report.get("evidence") or []}
        self.src = {s["doc_id"]: s for s in report.get("sources") or []}
        self.events = {e["id"]: e for e in report.get("events") or []}
        self.used: list[str] = []

    def fn(self, ids: Iterable[str] | None) -> str:
        out = ""
        for i in ids or []:
            if i in self.ev:
                if i not in self.used:
                    self.used.append(i)
                out += f"[^{i}]"
        return out

    def num(self, text: str, ids) -> str:
        return f"**{md(text)}**{self.fn(ids)}" if text else ""

    def src_ref(self, doc_id: str) -> str:
        s = self.src.get(doc_id)
        return f"[{s['id']}](#source-{s['id'].lower()})" if s else md(doc_id)

    def fatal(self, e: dict) -> str:
        t = event_fatalities(e)
        return self.num(t, e.get("fatalities_evidence") or e.get("evidence")) if t else "not reported"

    def render(self) -> str:
        r = self.r
        c = r.get("counts") or {}
        fat = c.get("fatalities") or {}
        lo, hi = fat.get("low") or 0, fat.get("high") or 0
        killed = fmt_int(lo) if lo == hi else f"{fmt_int(lo)}–{fmt_int(hi)}"
        f = r.get("filters") or {}
        L = [f"# {md(r.get('title') or 'Situation report')}", "",
             f"_Filters: {md(', '.join(f'{k} {v}' for k, v in f.items() if v) or 'none')}. "
             f"Generated {md(r.get('generated_at'))}._", "", "## Summary", "",
             f"- [**{fmt_int(c.get('events', 0))}**](#events) events, [**{killed}**](#events) killed in them "
             f"({fmt_int(c.get('events_with_fatalities', 0))} with a reported toll)",
             f"- [**{fmt_int(c.get('contested_events', 0))}**](#contested-claims) contested events",
             f"- [**{fmt_int(c.get('documents', 0))}**](#sources) documents from {fmt_int(c.get('sources', 0))} sources",
             f"- [**{fmt_int(c.get('agreements', 0))}**](#agreements-and-alleged-violations) agreements", "",
             "## Key figures", ""]
        groups = r.get("key_figures") or []
        if not groups:
            L += ["_No figures reported for this area and period._", ""]
        for g in groups:
            L += [f"### {md(g.get('label'))}", "",
                  "| number | of them | who / what | period | where | reported by | status | source |",
                  "|---:|---|---|---|---|---|---|---|"]
            for x in g.get("figures") or []:
                parts = ", ".join(f"{self.num(fmt_int(b['value']), b.get('evidence'))} {md(b['key'])}"
                                  for b in x.get("breakdown") or [])
                L.append(f"| {self.num(figure_number(x), x.get('value_evidence'))} | {parts} | {md(x.get('unit'))} | "
                         f"{md(_period(x))} | {md(x.get('place') or 'not stated')} | "
                         f"{md('; '.join(x.get('reported_by') or []) or x.get('attributed_to') or 'unattributed')} | {md(x.get('status'))} | "
                         f"{' '.join(self.src_ref(d) for d in x.get('doc_ids') or [x.get('doc_id')])} |")
            L.append("")
        L += ["## Contested claims", ""]
        con = r.get("contested") or {}
        if con.get("events"):
            L += ["Events disputed by at least one party: " + ", ".join(f"[{i}](#events)" for i in con["events"]) + ".", ""]
        if not con.get("claims"):
            L += ["_No denials or accusations about these events._", ""]
        for cl in con.get("claims") or []:
            L.append(f"- **{md(cl.get('kind'))}** by {md(cl.get('speaker') or 'unnamed')}"
                     + (f" ({md(cl['speaker_role'])})" if cl.get("speaker_role") else "")
                     + f" in {self.src_ref(cl.get('doc_id'))}: “{md(cl.get('text'))}”{self.fn(cl.get('evidence'))}")
            for e in cl.get("events") or []:
                ev = self.events.get(e["event_id"]) or {}
                L.append(f"  - {md(e.get('relation'))} {md(e['event_id'])}: {md(e.get('sub_event_type'))} on "
                         f"{md(e.get('event_date'))} at {md(e.get('location'))}, killed {self.fatal(ev) if ev else '?'}"
                         + (" (contested)" if e.get("contested") else ""))
        L += ["", "## Timeline", ""]
        if self.chart_refs and self.chart_refs.get("timeline"):
            L += [f"![Events per day by type]({self.chart_refs['timeline']})", ""]
        tl = r.get("timeline") or {}
        days = [d for d in tl.get("days") or [] if d.get("total")]
        types = tl.get("types") or []
        if days:
            L += ["| day | " + " | ".join(md(t) for t in types) + " | total | events |",
                  "|---|" + "---:|" * len(types) + "---:|---|"]
            for d in days:
                L.append(f"| {d['date']} | " + " | ".join(fmt_int((d.get('by_type') or {}).get(t, 0)) for t in types)
                         + f" | {fmt_int(d['total'])} | {', '.join(md(x) for x in d.get('events') or [])} |")
            L.append("")
        else:
            L += ["_No dated events._", ""]
        if self.chart_refs and self.chart_refs.get("map"):
            L += ["## Map", "", f"![Events by location, sized by fatalities]({self.chart_refs['map']})", ""]
        L += ["## Agreements and alleged violations", ""]
        ags = r.get("agreements") or []
        if not ags:
            L += ["_No agreements reported for this area._", ""]
        for a in ags:
            L.append(f"### {md((a.get('kind') or 'agreement').capitalize())}"
                     + (f" between {md(', '.join(a['parties']))}" if a.get("parties") else "")
                     + self.fn(a.get("evidence")))
            L += ["", f"Area {md(a.get('area') or 'not stated')}; effective "
                      f"{md(a.get('effective_date') or a.get('agreed_date') or 'date not reported')}"
                      + (f"; status {md(a['status'])}" if a.get("status") else "") + ".", ""]
            if a.get("days"):
                L += [f"**{fmt_int(a.get('n_violations'))}** alleged violations since {md(a.get('start'))}, "
                      f"**{fmt_int(a.get('fatalities'))}** killed:", "",
                      "| day | events | killed | which |", "|---|---:|---:|---|"]
                for d in a["days"]:
                    which = "; ".join(f"{md(e['event_id'])} {md(e.get('sub_event_type'))} at {md(e.get('location'))}"
                                      + (f", killed {self.fatal(self.events[e['event_id']])}"
                                         if e.get("fatalities") and e["event_id"] in self.events else "")
                                      + (" (contested)" if e.get("contested") else "") for e in d.get("events") or [])
                    L.append(f"| {md(d.get('date'))} | {fmt_int(d.get('n_events'))} | {fmt_int(d.get('fatalities'))} | {which} |")
                L.append("")
            elif a.get("start"):
                L += [f"No violent events in the area since {md(a['start'])}.", ""]
        evs = r.get("events") or []
        L += ["## Events", ""]
        if evs:
            L += ["| id | date | type | where | actors | killed | sources | evidence |", "|---|---|---|---|---|---:|---|---|"]
            for e in evs:
                L.append(f"| {md(e['id'])} | {md(e.get('date'))} | {md(e.get('sub_event_type') or e.get('event_type'))} | "
                         f"{md(_place(e))} | {md(_actors(e))} | {self.fatal(e)}{' (contested)' if e.get('contested') else ''} | "
                         f"{', '.join(self.src_ref(d) for d in e.get('documents') or [])} | "
                         f"{md(_short(e.get('evidence_text') or '', 160))}{self.fn(e.get('evidence'))} |")
            L.append("")
        else:
            L += ["_No events match these filters._", ""]
        L += ["## Sources", ""]
        for s in r.get("sources") or []:
            url = safe_url(s.get("url"))
            title = md(s.get("title") or s.get("doc_id"))
            if url:
                title = f"[{title}](<{url}>)"
            L.append(f"- <a id=\"source-{s['id'].lower()}\"></a>**{s['id']}** {title} — {md(s.get('source') or 'source not named')}, published "
                     f"{md(s.get('published') or 'date unknown')}; document `{_code(s.get('doc_id'))}`")
        L.append("")
        # the footnotes: evidence for every number
        notes = []
        for i in self.used:
            it = self.ev[i]
            src = self.src.get(it.get("doc_id"))
            offs = f"chars {it['start']}–{it['end']}" if isinstance(it.get("start"), int) else "offsets unknown"
            ctx = (it.get("context") or {}).get("text")
            quote = f"“{md(it.get('text'))}”" + (f" in “{md(ctx)}”" if ctx else "")
            notes.append(f"[^{i}]: {quote} — {src['id'] + ' ' if src else ''}document `{_code(it.get('doc_id'))}`, {offs}.")
        if notes:
            L += ["## Evidence", ""] + notes + [""]
        return "\n".join(L)


def _code(s: Any) -> str:
    return " ".join(str(s or "").split()).replace("`", "'")


def render_markdown(report: dict[str, Any], *, chart_refs: dict[str, str] | None = None,
                    inline_charts: bool = False) -> str:
    """The report as Markdown with evidence footnotes. ``chart_refs``: {"timeline": path, "map":
    path} of SVG files to show; ``inline_charts``: embed the charts as data URIs instead."""
    if inline_charts and chart_refs is None:
        chart_refs = {name: "data:image/svg+xml;base64," + base64.b64encode(
            ('<?xml version="1.0" encoding="utf-8"?>' + svg.replace('<svg ', '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
             if 'xmlns="http://www.w3.org/2000/svg"' not in svg else svg).encode("utf-8")).decode("ascii")
            for name, svg in (("timeline", charts.timeline_svg(report)), ("map", charts.map_svg(report)))}
    return _Markdown(report, chart_refs).render()


def chart_files(report: dict[str, Any]) -> dict[str, str]:
    """{"timeline": svg, "map": svg} as standalone SVG documents (for files next to Markdown)."""
    out = {}
    for name, fn in (("timeline", charts.timeline_svg), ("map", charts.map_svg)):
        svg = fn(report)
        out[name] = '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + svg
    return out


RENDERERS: dict[str, Callable[..., Any]] = {"html": render_html, "md": render_markdown, "pdf": render_pdf}
