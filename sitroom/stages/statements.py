"""What the document reports beyond single incidents: figures, claims, agreements, quality flags."""
from __future__ import annotations

import bisect
import re
from functools import lru_cache


from ..data import load as load_data
from ..model import Agreement, Analysis, Claim, Document, Event, Figure, Place, QualityFlag, Span, iso_day
from .attribution import Attribution
from .context import DocContext, most_specific, sentence_span, since_before
from .numbers import MAX_VALUE, Number
from .offsets import OffsetIndex, index_for

CLAIM_KINDS = {
    "deny": "denial", "reject": "denial", "dismiss": "denial",
    "accuse": "accusation", "blame": "accusation", "allege": "accusation", "condemn": "accusation",
    "call": "appeal", "urge": "appeal", "appeal": "appeal", "demand": "appeal",
}
_KIND_RANK = {"denial": 3, "accusation": 2, "appeal": 1, "statement": 0}
_QUOTE = re.compile(r"[\"\u201c]([^\"\u201d]{12,})[\"\u201d]")


def agreement_lexicon() -> dict:
    return load_data("agreements.yaml")


@lru_cache(maxsize=1)
def _agreement_patterns():
    """The agreement lexicon's regular expressions, compiled once per process."""
    lex = agreement_lexicon()
    kinds = [(re.compile(p, re.I), k) for k, pats in lex["kinds"].items() for p in pats]
    return (kinds, *(re.compile(lex[key], re.I)
                     for key in ("effective", "agreed", "violated", "appeal", "parties")))


def _attribution_for(attrs: list[Attribution], start: int, end: int) -> Attribution | None:
    inside = [a for a in attrs if a.sentence[0] <= start < a.sentence[1]]
    return inside[-1] if inside else None


def _attribution_finder(attrs: list[Attribution]):
    """``_attribution_for`` over one list, by binary search: attributions come in text order, one
    sentence each, and two sentences are the same or apart (else the plain scan is used)."""
    ranges = [a.sentence for a in attrs]
    if any(not (b[0] >= a[1] or b == a) for a, b in zip(ranges, ranges[1:])):
        return lambda start, end: _attribution_for(attrs, start, end)
    starts = [r[0] for r in ranges]

    def find(start: int, end: int) -> Attribution | None:
        k = bisect.bisect_right(starts, start)
        return attrs[k - 1] if k and ranges[k - 1][1] > start else None
    return find


def _place_fields(obj, place: Place | None) -> None:
    if place is None:
        return
    obj.country, obj.admin1, obj.admin2 = place.country, place.admin1, place.admin2
    obj.location = place.name or place.text


# ------------------------------------------------------------------------------------- figures

_TOO_VAGUE = {"many", "several", "numerous", "a few", "few"}   # no figure to report


def build_figures(analysis: Analysis) -> list[Figure]:
    """Figures (killed, displaced, destroyed, ...) from ``analysis.counts`` that are no incident's
    count, with their period, place and who gave them (``analysis.attributions``)."""
    document, ctx, counts, attrs = analysis.document, analysis.context, analysis.counts, analysis.attributions
    trig_sents = {ctx.sentence_of(t.start).index for t in analysis.triggers
                  if not t.negated and not t.hypothetical}
    figures: list[Figure] = []
    first_of: dict[tuple, Figure] = {}      # (kind, value) -> the first figure saying it
    attribution_for = _attribution_finder(attrs)
    for c in counts:
        if c.parent is not None or (c.number.vague and c.number.text.lower() in _TOO_VAGUE):
            continue
        sent = ctx.sentences[c.sent_index]
        incident = (c.kind in ("killed", "injured") and not c.cumulative and sent.index in trig_sents)
        if incident:
            continue
        n: Number = c.number
        f = Figure(kind=c.kind or "other", value=n.value, low=n.low, high=n.high,
                   qualifier=n.qualifier or (n.text.split()[0].lower() if n.vague else None),
                   unit=c.unit, breakdown=dict(c.breakdown), verified=c.verified)
        f.evidence.append(Span(n.start, n.end, n.text, document.doc_id))
        f.evidence.append(sentence_span(document, sent))
        dates = ctx.dates_in(sent.start, sent.end)
        since = next((d for d in dates if d.mod == "SINCE" or since_before(document.text, sent.start, d.start)), None)
        if since is not None and since.value_start:
            f.period_start = since.value_start
            f.period_end = document.published.isoformat() if document.published else None
        place = most_specific(ctx.places_in(sent.start, sent.end), n.start)
        _place_fields(f, place)
        a = attribution_for(sent.start, sent.end)
        if a is not None:
            f.attributed_to = a.speaker + (f" ({a.role})" if a.role else "")
        # the same number reported twice (a headline and the body): one figure, pooled evidence
        twin = first_of.get((f.kind, f.value))
        if twin is not None:
            twin.evidence += f.evidence
            for attr in ("period_start", "period_end", "attributed_to", "country", "admin1",
                         "admin2", "location", "qualifier"):
                if getattr(twin, attr) is None and getattr(f, attr) is not None:
                    setattr(twin, attr, getattr(f, attr))
            twin.verified = twin.verified or f.verified
            continue
        figures.append(f)
        first_of[(f.kind, f.value)] = f
    return figures


# -------------------------------------------------------------------------------------- claims

def build_claims(analysis: Analysis) -> list[Claim]:
    """Claims (statements, appeals, denials, accusations) from ``analysis.attributions``, with the
    events each is about; an event a denial is about becomes contested."""
    document, ctx, attrs, events = analysis.document, analysis.context, analysis.attributions, analysis.events
    by_sentence: dict[int, Claim] = {}
    for a in attrs:
        kind = CLAIM_KINDS.get(a.verb, "statement")
        sent = ctx.sentence_of(a.sentence[0])
        existing = by_sentence.get(sent.index)
        if existing is not None and _KIND_RANK[existing.kind] >= _KIND_RANK[kind]:
            continue
        quote = _QUOTE.search(sent.text)
        dates = [d for d in ctx.dates_in(sent.start, sent.end) if d.mod != "SINCE" and d.value_start]
        claim = Claim(kind=kind, speaker=a.speaker, speaker_role=a.role,
                      date=dates[0].value if dates else None,
                      text=quote.group(1).strip() if quote else sent.text.strip())
        claim.evidence.append(sentence_span(document, sent))
        by_sentence[sent.index] = claim
    claims = [by_sentence[k] for k in sorted(by_sentence)]
    # an index of the events by where their evidence starts, to find a claim's events
    evidence_at = OffsetIndex([(s.start, k) for k, e in enumerate(events) for s in e.evidence],
                              lambda x: x[0])
    # quotes that continue a speaker's statement in the next paragraph
    for claim in claims:
        claim.about = _about(claim, analysis, ctx, events, evidence_at)
        if claim.kind == "denial":
            about = set(claim.about)
            for ev in events:
                if ev.event_id in about:
                    ev.contested = True
        if claim.kind == "accusation":
            claim.target = _accused(claim, analysis, ctx)
    return claims


def _speaker_country(claim: Claim, analysis: Analysis, ctx: DocContext | None = None) -> str | None:
    span = claim.evidence[0]
    sent_text = claim.speaker or ""
    places = (ctx.places_in(span.start, span.end, event_only=False) if ctx is not None
              else analysis.places)
    for p in places:
        if span.start <= p.start < span.end and p.text in sent_text and p.country_code:
            return p.country_code
    return None


def _about(claim: Claim, analysis: Analysis, ctx: DocContext, events: list[Event],
           evidence_at: OffsetIndex | None = None) -> list[str]:
    span = claim.evidence[0]
    if evidence_at is not None:
        same = [events[k].event_id for k in sorted({k for _, k in evidence_at.between(span.start, span.end)})]
    else:
        same = [e.event_id for e in events if any(span.start <= s.start < span.end for s in e.evidence)]
    if claim.kind != "denial":
        return same
    # a denial disputes the events it names: same actor country as the speaker, the kind of
    # violence the sentence names, the place the sentence names
    cc = _speaker_country(claim, analysis, ctx)
    countries = {m.actor for m in analysis.actors if m.country_code == cc} if cc else set()
    # the places the denial is about, not the speaker's own name ("Moscow denied ...")
    places = [p for p in ctx.places_in(span.start, span.end) if p.text not in (claim.speaker or "")]
    admin1s = {p.admin1 for p in places if p.admin1}
    denied = index_for(ctx._indexes, "triggers", analysis.triggers).between(span.start, span.end)
    from .events import _without_fatalities
    violent = [t for t in denied if t.sub_event_type not in _without_fatalities()]
    denied = violent or denied      # "denied bombing ... since the ceasefire": the bombing is denied
    types = {t.event_type for t in denied} or {"Explosions/Remote violence"}
    subs = {t.sub_event_type for t in denied}
    # the days the sentence names: an event it can be about lies within a day of one of them
    days = [d.value_start for d in ctx.dates_in(span.start, span.end)
            if d.value_start and d.precision == 1 and len(d.value_start) >= 10]

    def can_be_about(e: Event) -> bool:
        # by type: the kind of violence denied ("shelled" is no air strike; a denial of a
        # bombing is never about the truce the same sentence names)
        if (subs and e.sub_event_type not in subs) or e.event_type not in types:
            return False
        if admin1s and e.admin1 not in admin1s:          # by place
            return False
        if days and e.event_date and not any(_days_apart(e.event_date, d) <= 1 for d in days):
            return False                                   # by date
        return True

    about, unattributed = [], []
    for e in events:
        if not can_be_about(e):
            continue
        actors = " ".join(x for x in (e.actor1, e.assoc_actor_1) if x)
        if cc and not actors:
            unattributed.append(e.event_id)
            continue
        if cc and not any(name in actors for name in countries):
            continue    # someone else's act
        about.append(e.event_id)
    # no event of the speaker's side is reported: the denied act is one whose perpetrator the
    # report leaves unknown ("bombs hit the market" denied by the ministry whose aircraft are accused)
    about = about or unattributed
    ok = {e.event_id for e in events if can_be_about(e)}
    same = [x for x in same if x in ok]
    return list(dict.fromkeys(about + same))


def _days_apart(a: str, b: str) -> int:
    da, db = iso_day(a), iso_day(b)
    return abs((da - db).days) if da and db else 0


def _accused(claim: Claim, analysis: Analysis, ctx: DocContext | None = None) -> str | None:
    span = claim.evidence[0]
    speaker = claim.speaker or ""
    actors = (index_for(ctx._indexes, "actors", analysis.actors).between(span.start, span.end)
              if ctx is not None else analysis.actors)
    for m in actors:
        if span.start <= m.start < span.end and m.text not in speaker:
            return m.actor
    return None


# ---------------------------------------------------------------------------------- agreements

def build_agreements(analysis: Analysis) -> list[Agreement]:
    """Ceasefires, truces and other agreements, sentence by sentence (``analysis.context``)."""
    lex = agreement_lexicon()
    document, ctx = analysis.document, analysis.context
    kinds, effective, agreed, violated, appeal, party_cue = _agreement_patterns()
    out: list[Agreement] = []
    for sent in ctx.sentences:
        hits = [(m, k) for rx, k in kinds for m in rx.finditer(sent.text)]
        if not hits:
            continue
        m, kind = min(hits, key=lambda h: h[0].start())
        if appeal.search(sent.text[:m.start()][-40:]):
            continue  # "called for a cessation of hostilities" is an appeal, not an agreement
        places = ctx.places_in(sent.start, sent.end, event_only=False)
        parties: list[str] = []
        if party_cue.search(sent.text):
            # parties are the countries and armed actors the sentence has agreeing, not places
            # something happens in ("in Idlib"), nor demonyms ("Iran-backed"); with "between X
            # and Y", only what stands in that clause
            lo, hi = sent.start, sent.end
            between = re.search(r"\bbetween\b([^.;:]{0,80}?)(?=\b(?:formally|took|came|was|were|is|has|had|on|in|that|which)\b|[,.;]|$)", sent.text, re.I)
            if between:
                lo, hi = sent.start + between.start(1), sent.start + between.end(1)
            for p in places:
                if lo <= p.start < hi and p.feature == "country" and p.country and p.country not in parties \
                        and p.role != "speaker_location" and not _after_in(document.text, p.start):
                    parties.append(p.country)
            for am in analysis.actors if between else ():
                if lo <= am.start < hi and am.actor_type in ("state_forces", "rebel_group", "external_force"):
                    name = am.actor
                    if name not in parties and not any(pt in name for pt in parties):
                        parties.append(name)
        ag = Agreement(kind=kind, parties=parties)
        dates = [d for d in ctx.dates_in(sent.start, sent.end) if d.value_start]
        for d in dates:
            before = sent.text[:d.start - sent.start]
            if effective.search(before[-60:]) or effective.search(sent.text[d.end - sent.start:][:25]):
                ag.effective_date = ag.effective_date or d.value
            elif agreed.search(before[-60:]):
                ag.agreed_date = ag.agreed_date or d.value
        if ag.effective_date is None and effective.search(sent.text) and len(dates) == 1:
            ag.effective_date = dates[0].value
        if violated.search(sent.text):
            ag.status = "violated (reported)"
        area = most_specific([p for p in places if p.feature not in ("country", "demonym")
                              and p.role != "speaker_location"], sent.start + m.start())
        if area is None and ctx.focus() is not None:
            area = ctx.focus()
        ag.area = (area.name or area.text) if area is not None else None
        ag.evidence.append(sentence_span(document, sent))
        out.append(ag)
    return _merge_agreements(out, lex.get("families", {}))


def _after_in(text: str, start: int) -> bool:
    return bool(re.search(r"\b(?:in|inside|across|throughout|of)\s+(?:the\s+)?$", text[max(0, start - 12):start], re.I))


def _merge_agreements(items: list[Agreement], families: dict[str, str]) -> list[Agreement]:
    merged: list[Agreement] = []
    for ag in items:
        fam = families.get(ag.kind, ag.kind)
        target = None
        for m in merged:
            if families.get(m.kind, m.kind) != fam:
                continue
            if m.parties and ag.parties and not set(m.parties) & set(ag.parties):
                continue
            target = m
            break
        if target is None:
            merged.append(ag)
            continue
        for p in ag.parties:
            if p not in target.parties:
                target.parties.append(p)
        # the most precise date wins: "2020-01-12" over "2020-01"
        for f in ("effective_date", "agreed_date"):
            new, old = getattr(ag, f), getattr(target, f)
            if new and (old is None or len(new) > len(old)):
                setattr(target, f, new)
        target.status = target.status or ag.status
        target.area = target.area or ag.area
        target.evidence += ag.evidence
    return merged


# ------------------------------------------------------------------------------------- quality

def quality_flags(analysis: Analysis) -> list[QualityFlag]:
    """The input's flags, then malformed numbers, dates without a year, no publication date, and
    the numbers left out as too large (``analysis.numbers``, ``analysis.too_large``)."""
    document, numbers = analysis.document, analysis.numbers
    flags = list(document.quality)
    good = {n.value for n in numbers if not n.malformed}
    for n in numbers:
        if n.malformed:
            raw = document.text[n.num_start:n.end]
            msg = f'malformed number "{raw}": read as {n.value:,}'
            if n.value in good:
                msg += f" (the text elsewhere says {n.value:,})"
            flags.append(QualityFlag("malformed_number", msg, [Span(n.num_start, n.end, raw, document.doc_id)]))
    unknown = [d for d in analysis.dates if not d.year_known]
    if unknown:
        flags.append(QualityFlag(
            "year_unknown", f"{len(unknown)} date(s) without a year and no publication date: "
            "their year is left unknown (give --published)",
            [Span(d.start, d.end, d.text, document.doc_id) for d in unknown]))
    if document.published is None:
        flags.append(QualityFlag("no_publication_date", "no publication date in metadata or "
                                 "--published: relative dates cannot be resolved", [], "info"))
    if analysis.too_large:
        flags.append(_too_large_flag(document, analysis.too_large))
    return flags


def _too_large_flag(document: Document, numbers: list[Number]) -> QualityFlag:
    shown = numbers[0].text if len(numbers[0].text) <= 40 else numbers[0].text[:37] + "..."
    return QualityFlag(
        "number_too_large",
        f"{len(numbers)} number(s) above {MAX_VALUE:,} (or too long to read) left out, the first"
        f" {shown!r}: no count of people or things is that large",
        evidence=[Span(n.start, n.end, n.text, document.doc_id)
                  if n.end - n.start <= 200 else Span(n.start, n.start + 200, n.text[:200], document.doc_id)
                  for n in numbers[:5]])
