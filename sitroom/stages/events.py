"""Event assembly: triggers + actors + places + dates + counts of one sentence become an event.

Each non-negated, non-hypothetical trigger is anchored in its sentence: the sentence's most specific
event place (speaker locations excluded), its day (``stages/dates/choice.py``: its own, a report's,
the story's, one told just after, else the publication day, coarser),
its actors by grammatical role, and its incident death counts. A clause that lists several places
("in Marseille, Lyon and Grenoble", "in Caracas and the city of Maracay") gives one event per place,
a toll given place by place ("seven were killed in A; four in B") one event per place with its own
toll, a listed pair of days ("on Tuesday and Wednesday") one event per day, and clauses joined by
"while" that each give a toll are incidents of their own. Events of one document that are the same happening
(same sub-event type, compatible place and date: both days stated and equal, a headline and its
story, or one stated day and a mention, before any day was named, in the same place; one named
place and day; never two named towns, villages or districts) are merged,
their evidence pooled, the story's larger count kept. Confidence rewards explicit, specific, attributed detail; events are returned most
confident first.
"""
from __future__ import annotations

import copy
import hashlib
import re
from functools import lru_cache
from typing import Any, Callable


from ..data import load as load_data
from ..kb.gazetteer import ADMIN1, Gazetteer, Record
from ..model import ActorMention, Analysis, DateExpr, Event, Place, Span, Trigger
from .actors import assign_roles as _assign_roles
from .casualties import (Count, bomber_not_counted, clause_bounds, next_sentence_count, refined_count,
                         segment_bounds)
from .context import DocContext, Sentence, most_specific, sentence_span, since_before
from .dates.choice import EventDays, within_story
from .geocode import geo_precision as _geo_precision
from .offsets import Coverage, OffsetIndex
from .calibration import calibrate
from .triggers import cue_regex

ANAPHORA = re.compile(r"\b(the same (?:region|area|city|town|village|province|district)|"
                      r"the (?:province|region|area|city|town|village|enclave|district|countryside)|"
                      r"there|its (?:western|southern|northern|eastern) countryside)\b", re.I)


def note_templates() -> dict[str, str]:
    return load_data("notes.yaml")["templates"]


def _precision(place: Place | None, geo_precision: Callable[[Place], int]) -> int | None:
    return geo_precision(place) if place is not None else None


def _place_fields(ev: Event, place: Place, precision: int | None) -> None:
    ev.country = place.country
    ev.country_code = place.country_code
    ev.admin1 = place.admin1
    ev.admin2 = place.admin2
    ev.location = place.name or place.text
    ev.latitude = place.latitude
    ev.longitude = place.longitude
    ev.geo_precision = precision
    if place.feature == "admin1":
        # ACLED: an event known only to its province is coded at the provincial capital, with
        # geo_precision 3 (the province's centroid is no place anything happened)
        seat = province_seat(place)
        if seat is not None:
            ev.location, ev.latitude, ev.longitude = seat.name, seat.latitude, seat.longitude
            ev.geo_precision = 3


def province_seat(place: Place) -> Record | None:
    """The gazetteer town that stands for the province ``place`` resolved to, or None."""
    gaz = Gazetteer.get()
    for r in gaz.lookup(place.name or place.text):
        if r.kind == ADMIN1 and r.country_code == place.country_code and r.name == place.admin1:
            seat = gaz.seat(r.id)
            if seat is not None and seat.latitude is not None and seat.longitude is not None:
                return seat
            return None
    return None


_LOCATIVE = re.compile(r"\b(?:in|inside|across|throughout|into|on|at|near|of)\s+(?:the\s+)?(?:\w+\s+){0,2}$", re.I)


def _locative(places: list[Place], text: str) -> list[Place]:
    """A country named as a party ("a truce between Turkey and Russia") is no event location;
    one after a locative preposition ("fighting in Mali") is."""
    out = []
    for p in places:
        if p.feature == "country" and not _LOCATIVE.search(text[max(0, p.start - 30):p.start]):
            continue
        out.append(p)
    return out


# places listed together: "in the cities of Marseille, Lyon and Grenoble", "in Nis and Kragujevac"
_LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and\s+|as well as\s+)?|\s+and\s+|\s+as well as\s+)(?:in\s+)?(?:the\s+)?"
                       r"(?:(?:city|town|village|province|state|region|district)\s+of\s+)?$", re.I)


def _twin(ev: Event, num: Any, doc_id: str) -> Event:
    """A copy of ``ev`` for another place or day its clause lists, with its own toll ``num`` (a
    number) or none: the clause's count stays with the event the rules chose (it may be a total)."""
    twin = copy.deepcopy(ev)
    twin.fatalities = twin.fatalities_low = twin.fatalities_high = num.value if num is not None else None
    twin.fatalities_evidence = Span(num.start, num.end, num.text, doc_id) if num is not None else None
    twin.civilian_fatalities = None
    return twin


def _listed_run(items: list, i: int, gap: re.Pattern, text: str) -> list:
    """The run of ``items`` (in text order) around ``items[i]`` whose neighbours are joined by
    ``gap`` in the text ("A, B and C")."""
    lo = hi = i
    while lo > 0 and gap.match(text[items[lo - 1].end:items[lo].start]):
        lo -= 1
    while hi + 1 < len(items) and gap.match(text[items[hi].end:items[hi + 1].start]):
        hi += 1
    return items[lo:hi + 1]


def listed_with(place: Place, candidates: list[Place], text: str) -> list[Place]:
    """The other places of a list the event's place is in ("looting took place in Marseille, Lyon
    and Grenoble": Marseille and Lyon beside Grenoble), same kind of place (towns with towns,
    provinces with provinces), in text order; none when the place stands alone. Each is an
    incident of its own (ACLED: one event per location)."""
    from .context import SPECIFICITY
    level = SPECIFICITY.get(place.feature, 0)
    if level < SPECIFICITY["admin1"]:
        return []
    same = sorted((p for p in candidates if SPECIFICITY.get(p.feature, 0) == level
                   and p.latitude is not None and p.relation in (None, "near")),
                  key=lambda p: p.start)
    if place not in same:
        return []
    chain = _listed_run(same, same.index(place), _LIST_GAP, text)
    seen = {(place.name, place.admin1)}
    out = []
    for p in chain:
        if p is place or (p.name, p.admin1) in seen:
            continue
        seen.add((p.name, p.admin1))
        out.append(p)
    return out


#: what follows one place of a toll to the next place and its number: "; four in", ", and eight
#: in", " and three more in" ("seven people were killed in Sakkada; four in Gyadadde")
_ELLIPSIS = re.compile(r"^(?:\s+(?:on|late|early|last|this)(?:\s+[A-Za-z]+){1,2})?"
                       r"\s*(?:[;,]\s*(?:and\s+|while\s+)?|\s+and\s+)(?P<n>[\w,-]+)\s+"
                       r"(?:(?:more|others?|people|persons|civilians|residents|villagers)\s+)?"
                       r"(?:in|at)\s+(?:the\s+)?(?:(?:village|town|city|district|area)\s+of\s+)?$",
                       re.I)


def elliptic_tolls(place: Place, candidates: list[Place], numbers: list, text: str,
                   end: int) -> list[tuple[Place, Any]]:
    """The places and numbers of a toll the sentence goes on to give place by place without
    repeating its verb ("seven people were killed in Sakkada; four in Gyadadde; eight in Barin
    Zare"): (place, number) for each, in text order, up to ``end``. Each is an incident of its
    own (ACLED: one event per location) with its own death toll."""
    out: list[tuple[Place, Any]] = []
    by_start = {n.start: n for n in numbers if n.value is not None}
    prev = place
    for p in sorted((p for p in candidates if p.start >= place.end and p.end <= end
                     and p.latitude is not None), key=lambda p: p.start):
        m = _ELLIPSIS.match(text[prev.end:p.start])
        if m is None:
            break
        num = by_start.get(prev.end + m.start("n"))
        if num is None:
            break
        out.append((p, num))
        prev = p
    return out


_DAY_LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+then\s+)(?:on\s+|again\s+on\s+)?$", re.I)


def listed_days(d: DateExpr, dates: list[DateExpr], text: str) -> list[DateExpr]:
    """The other days of a list the event's day is in ("on Tuesday and Wednesday", "on 3 May and
    5 May"): each day is an incident of its own (ACLED: one event per day). Days only; a range
    ("from 3 to 5 May") is one period, not a list."""
    if d.precision != 1 or d.kind not in ("date", "time") or not d.value_start:
        return []
    days = sorted((x for x in dates if x.precision == 1 and x.kind in ("date", "time")
                   and x.value_start), key=lambda x: x.start)
    if d not in days:
        return []
    chain = _listed_run(days, days.index(d), _DAY_LIST_GAP, text)
    seen = {d.value_start}
    out = []
    for x in chain:
        if x.value_start not in seen:
            seen.add(x.value_start)
            out.append(x)
    return out


def _mention_span(m: ActorMention | None, doc_id: str) -> Span | None:
    return Span(m.start, m.end, m.text, doc_id) if m is not None else None


def make_note(ev: Event) -> str:
    templates = note_templates()
    verb = templates.get(ev.sub_event_type or "", templates["default"])
    who = ev.actor1 or "Unidentified actors"
    where = ""
    if ev.location:
        extra = ", ".join(x for x in (ev.admin1 if ev.admin1 != ev.location else None, ev.country)
                          if x)
        where = f" in {ev.location}" + (f" ({extra})" if extra else "")
    when = f"On {ev.event_date}, " if ev.event_date else ""
    target = f" against {ev.actor2}" if ev.actor2 and "{target}" not in verb else ""
    s = verb.format(target=ev.actor2 or "unidentified targets")
    note = f"{when}{who} {s}{target}{where}"
    if ev.fatalities:
        note += f"; {ev.fatalities} reported killed"
        if ev.fatalities_high and ev.fatalities_low and ev.fatalities_high != ev.fatalities_low:
            note += f" (reports range {ev.fatalities_low}-{ev.fatalities_high})"
    return note[0].upper() + note[1:] + "."


def _taxonomy() -> dict:
    return load_data("taxonomy.yaml")


@lru_cache(maxsize=None)
def _without_fatalities() -> frozenset:
    """Sub-event types that kill no one by definition (taxonomy ``without_fatalities``)."""
    return frozenset(_taxonomy().get("without_fatalities") or ())


@lru_cache(maxsize=None)
def _cue_set(name: str) -> re.Pattern | None:
    """A cue set of the taxonomy as one regex, compiled as the trigger finder compiles cues."""
    return cue_regex((_taxonomy().get("cue_sets") or {}).get(name) or [])


def _has_cue(name: str, text: str, common_only: bool = False) -> bool:
    """Whether a cue of the set occurs; ``common_only``: as a common word (lower case, or
    capitalised only at the start of a sentence or headline), so the "Jazeera Storm" operation
    is no storm."""
    rx = _cue_set(name)
    if rx is None:
        return False
    for m in rx.finditer(text):
        if not common_only or m.group(0).islower():
            return True
        before = text[:m.start()].rstrip()
        if not before or before[-1] in ".!?;:\n":
            return True
    return False


def _words_rx(items) -> re.Pattern | None:
    items = [str(x) for x in items or () if str(x).strip()]
    return re.compile(r"\b(?:" + "|".join(items) + r")\b", re.I) if items else None


# When no trigger of the taxonomy fires, a report of violence still names its means ("bombardment
# kills 47 in Idlib countryside", "16 killed by shelling"): the first such word, or an incident
# death count, anchors one low-confidence event. The words are the taxonomy's ``fallback`` section.
@lru_cache(maxsize=1)
def _fallback() -> tuple[list[tuple[str, re.Pattern]], re.Pattern | None, re.Pattern | None]:
    """The taxonomy's ``fallback`` lexicon, compiled once: (sub-event cues, casualty words,
    attribution words)."""
    fb = _taxonomy().get("fallback") or {}
    cues = [(sub, rx) for sub, items in (fb.get("cues") or {}).items()
            if (rx := _words_rx(items)) is not None]
    return cues, _words_rx(fb.get("casualty_words")), _words_rx(fb.get("attribution_words"))


@lru_cache(maxsize=1)
def _sub_event_info() -> dict[str, tuple[str, str | None]]:
    tax = _taxonomy()
    out: dict[str, tuple[str, str | None]] = {}
    for et in tax.get("event_types", []):
        for st in et.get("sub_event_types", []):
            pl = st.get("plover") or {}
            ptype = pl.get("type") if isinstance(pl, dict) else str(pl)
            if isinstance(pl, dict) and pl.get("mode") and ptype:
                ptype = f"{ptype}:{pl['mode']}"
            out[st["name"]] = (et["name"], ptype)
    return out


def fallback_triggers(text: str, counts: list[Count], has_place: bool = False) -> list[Trigger]:
    """One weak trigger for a document no taxonomy trigger fired on: the first word naming a means
    of violence when the text also reports deaths or casualties or names a place ("bombardment
    targets Homs countryside"), else an incident death count ("11 members of the regime forces
    killed") as an attack."""
    cues, casualty_rx, attribution_rx = _fallback()
    killed_counts = [c for c in counts if c.kind == "killed" and c.parent is None and not c.cumulative]
    if not (killed_counts or (casualty_rx and casualty_rx.search(text)) or has_place):
        return []
    # disasters, accidents, crime and claims of responsibility are no event of the taxonomy
    if any(_has_cue(n, text, common_only=True) for n in ("disaster", "accident", "crime")) \
            or (attribution_rx and attribution_rx.search(text)):
        return []
    best = None
    for sub, rx in cues:
        m = rx.search(text)
        if m and (best is None or m.start() < best[1].start()):
            best = (sub, m)
    info = _sub_event_info()
    if best is not None:
        sub, m = best
        start, end, word = m.start(), m.end(), m.group(0)
    elif killed_counts and (_has_cue("state", text) or _has_cue("nonstate", text)):
        c = killed_counts[0]
        sub, start, end, word = "Attack", c.number.start, c.number.end, c.number.text
        # the counted noun phrase: "seven (Cameroon government) soldiers were killed": armed
        # men, not civilians
        counted = re.split(r"\b(?:were|was|have|had|killed|died|dead)\b|[,.;]",
                           text[c.number.end:c.number.end + 60])[0]
        if _has_cue("military_target", counted) and not _has_cue("civilian", counted):
            sub = "Armed clash"
    else:
        return []
    if sub not in info:
        return []
    et, plover = info[sub]
    return [Trigger(text=word, start=start, end=end, sub_event_type=sub, event_type=et,
                    plover=plover, score=0.0)]


_TALLY_HEAD = re.compile(r"\b\d[\d,]*\s+(?:\w+\s+){0,3}?(?:killed|died|dead|were|have been|had been)\b"
                         r"[^;]*?\bincluding\b(?P<rest>[^;]*)", re.I)
_COMBATANTS = re.compile(r"\b(?:members?|forces|fighters|militiamen|militants|soldiers|gunmen|troops|"
                         r"rebels|loyalists)\b", re.I)
_NONCOMBATANTS = re.compile(r"\b(?:civilians?|citizens|persons|people|children|women|others?)\b", re.I)


def is_daily_tally(segment: str) -> bool:
    """"137 people were killed yesterday, including 33 members of the regime forces and 68
    citizens": a day's (or period's) toll over many incidents, broken down by fighters and
    civilians -- a summary, not one incident."""
    m = _TALLY_HEAD.search(segment)
    if not m:
        return False
    rest = m.group("rest")
    return len(re.findall(r"\b\d[\d,]*\b", rest)) >= 1 and bool(_COMBATANTS.search(rest)) \
        and bool(_NONCOMBATANTS.search(rest))


# "Nine police officers and seven insurgents were killed": counts of different groups joined by
# "and" or a comma, with no word of killing between them, are one toll (16, with its breakdown).
_COORD_GAP = re.compile(r"^[^.;:()\n]{0,60}?(?:,\s*|\s+and\s+|\s+as well as\s+)$", re.I)
_TOLL_WORD = re.compile(r"\b(?:kill\w*|died|dead|deaths?|lost|including|among|of them|of whom|while|"
                        r"whereas|injur\w*|wound\w*|another|other|others|earlier|later)\b", re.I)


def _coordinated(killed: list[Count], text: str) -> list[Count]:
    """The counts of one segment with coordinated groups summed into one count (its span from the
    first number to the last, its value the sum, the parts in ``breakdown``); others unchanged."""
    ks = sorted((c for c in killed if c.number.value is not None), key=lambda c: c.number.start)
    out: list[Count] = []
    group: list[Count] = []

    def close() -> None:
        if len(group) > 1:
            from dataclasses import replace as dc_replace
            total = sum(c.number.value for c in group)
            parts = {(c.unit or f"group {i + 1}"): c.number.value for i, c in enumerate(group)}
            first = group[0]
            last = group[-1].number
            span = dc_replace(first.number, value=total, low=None, high=None, end=last.end,
                              text=text[first.number.start:last.end])
            out.append(dc_replace(first, number=span, breakdown={**first.breakdown, **parts}))
        else:
            out.extend(group)

    for c in ks:
        if group:
            prev = group[-1]
            gap = text[prev.number.end:c.number.start]
            if (_COORD_GAP.search(gap) and not _TOLL_WORD.search(gap)
                    and c.unit != prev.unit and c.unit is not None and prev.unit is not None):
                group.append(c)
                continue
            close()
        group = [c]
    close()
    return out + [c for c in killed if c.number.value is None]


FOCUS_BONUS = 0.1
#: Confidence added to events of the lede (the first body sentence).
LEDE_BONUS = 0.1
#: events of a related-link headline after the body (``Sentence.teaser``) keep at most this
#: confidence: below every default threshold of the store, the report and the dashboard
TEASER_CONFIDENCE = 0.2


#: event types that take no death count stated apart from them: a toll belongs to violence, not
#: to a development reported beside it ("Rural leader killed" is no toll of a displacement)
_NO_LOOSE_TOLL = frozenset({"Strategic developments", "Protests"})


def _ordinal(day: str | None) -> int | None:
    """The day number of an ISO date (its first 10 characters), else None."""
    import datetime as _dt
    try:
        return _dt.date.fromisoformat((day or "")[:10]).toordinal()
    except ValueError:
        return None


def _exact_over_vague(killed: list[Count]) -> list[Count]:
    """A stated number wins over a vague word of the same statement ("17 soldiers and 36
    volunteers were killed ... several dozen attackers also died" is 53): the vague word is kept
    only when nothing else is stated (ACLED codes it then: several 10, dozens 12)."""
    exact = [c for c in killed if not c.number.vague]
    return exact or killed


def _unassigned_counts(events: list[Event], counts: list[Count], text: str, doc_id: str,
                       places_in: Callable[[int, int], list[Place]] | None = None) -> None:
    """A death count stated apart from any event ("Air strikes hit Maarat Misrin. 9 civilians
    killed, 25 injured"): the most confident event without a death count of its own takes it,
    one count per event, in text order. Cumulative counts, breakdowns and daily tallies never; nor
    a strategic development or a protest; nor an event more than a week before the story's
    latest day; nor an event in another province than the places the count's sentence names ("a gang killed six
    officers in Fafi, Garissa County" is no toll of an event in Mandera)."""
    used = {(e.fatalities_evidence.start, e.fatalities_evidence.end) for e in events
            if e.fatalities_evidence is not None}
    free = []
    seen = {" ".join(text[s.start:s.end].split()) for e in events if e.fatalities_evidence is not None
            for s in e.evidence if s.start <= e.fatalities_evidence.start < s.end}
    counted = Coverage((s.start, s.end) for e in events if e.fatalities is not None for s in e.evidence)
    for c in counts:
        if c.kind != "killed" or c.parent is not None or c.cumulative or c.number.value is None:
            continue
        if (c.number.start, c.number.end) in used:
            continue
        a, b = segment_bounds(text, c.sentence[0], c.sentence[1], c.number.start)
        if is_daily_tally(text[a:b]):
            continue
        if counted.covers(c.number.start):
            continue          # its sentence already gave an event its count
        said = " ".join(text[a:b].split())
        if said in seen:
            continue          # a headline printed twice, a repeated sentence: one statement
        seen.add(said)
        free.append(c)
    if not free:
        return
    # the story's days: a loose toll is no toll of a background event weeks before them
    days = sorted(d for d in (_ordinal(e.event_date) for e in events) if d is not None)
    latest = days[-1] if days else None
    waiting = [e for e in sorted(events, key=lambda e: -e.confidence)
               if latest is None or _ordinal(e.event_date) is None or latest - _ordinal(e.event_date) <= 7]
    for c in free:
        admin1s = {(p.country_code, p.admin1) for p in (places_in(c.sentence[0], c.sentence[1]) if places_in else [])
                   if p.admin1 and p.feature not in ("country", "demonym") and p.role != "speaker_location"}
        ev = next((e for e in waiting if e.fatalities is None and e.sub_event_type not in _without_fatalities()
                   and e.event_type not in _NO_LOOSE_TOLL
                   and (not admin1s or (e.country_code, e.admin1) in admin1s)), None)
        if ev is None:
            continue
        waiting.remove(ev)
        ev.fatalities = ev.fatalities_low = ev.fatalities_high = c.number.value
        ev.fatalities_evidence = Span(c.number.start, c.number.end, c.number.text, doc_id)
        if c.breakdown.get("civilians"):
            ev.civilian_fatalities = c.breakdown["civilians"]


class EventBuilder:
    """Events from the triggers, with their place, date, actors and counts; merged, calibrated."""

    def __init__(self, geo_precision: Callable[[Place], int] = _geo_precision,
                 assign_roles: Callable[[Analysis, Trigger], dict[str, Any]] = _assign_roles) -> None:
        self.geo_precision = geo_precision
        self.assign_roles = assign_roles

    def __call__(self, analysis: Analysis) -> None:
        """Assigns ``analysis.events`` (most confident first), read from the triggers, places,
        dates, actors, ``analysis.context`` and ``analysis.counts``; a place that locates an event
        gets the role event_location."""
        if analysis.context is None:
            raise ValueError("analysis.context is empty: the context component runs before events")
        analysis.events = self.build(analysis, analysis.context, analysis.counts)
        mark_event_places(analysis)

    def _placed(self, ev: Event, place: Place, doc_id: str) -> Event:
        """``ev`` moved to ``place``, with the place's evidence."""
        _place_fields(ev, place, _precision(place, self.geo_precision))
        ev.location_evidence = Span(place.start, place.end, place.text, doc_id)
        return ev

    def build(self, analysis: Analysis, ctx: DocContext, counts: list[Count]) -> list[Event]:
        document = analysis.document
        doc_id = document.doc_id
        focus = ctx.focus()
        # the lede: the first sentence of the body, where news puts the event the story is about
        lede = next((x.index for x in ctx.sentences if not x.heading), None)
        published = document.published
        events: list[Event] = []
        last_place: Place | None = None
        triggers = [t for t in sorted(analysis.triggers, key=lambda t: t.start)
                    if not (t.negated or t.hypothetical)]
        if not triggers:
            triggers = fallback_triggers(document.text, counts,
                                         has_place=any(p.latitude is not None and p.feature != "demonym"
                                                       and p.role != "speaker_location"
                                                       for p in analysis.places))
        pending: list[tuple] = []
        in_range = OffsetIndex(counts, lambda c: c.number.start).between
        days = EventDays(document.text, published, analysis.doc, ctx, since_before)
        date_sources: dict[tuple[int, int], str] = {}   # (trigger, clause start) -> day's source
        listed_at: dict[int, int] = {}    # events split off a list of places: where their place is
        for trig in triggers:
            sent = ctx.sentence_of(trig.start)
            ev = Event(event_id="", event_type=trig.event_type, sub_event_type=trig.sub_event_type,
                       plover_type=trig.plover, trigger=trig.text)
            ev.evidence.append(sentence_span(document, sent))
            # the ';'-separated part of the sentence that holds the trigger (joined headlines)
            seg_a, seg_b = segment_bounds(document.text, sent.start, sent.end, trig.start)
            # "Nine were killed in X, while two others died in Y": each toll is an incident of its own
            part_a, part_b = seg_a, seg_b
            seg_a, seg_b = clause_bounds(document.text, seg_a, seg_b, trig.start)
            # place: of the trigger's part first, else of the sentence (not of the other clause)
            place = most_specific(_locative(ctx.places_in(seg_a, seg_b), document.text), trig.start)
            if place is None:
                place = most_specific(_locative([
                    p for p in ctx.places_in(sent.start, sent.end)
                    if not (part_a <= p.start < part_b) or seg_a <= p.start < seg_b], document.text),
                    trig.start)
            place_explicit = place is not None
            if place is None and ANAPHORA.search(sent.text) and last_place is not None:
                place = last_place
            # "air strikes in northern Syria": the country alone; the document's main province in
            # that country is the better location (not evidenced by this sentence)
            from_focus = False
            if place is not None and place.feature == "country" and focus is not None \
                    and focus.feature != "country" and focus.country_code == place.country_code:
                place, from_focus = focus, True
            if place is None:
                place = focus
            if place is not None:
                prec = _precision(place, self.geo_precision)
                _place_fields(ev, place, prec)
                if place_explicit and not from_focus:
                    ev.location_evidence = Span(place.start, place.end, place.text, doc_id)
                    last_place = place
            # date (stages/dates/choice.py: the clause's own day, a report's, the story's ...)
            day = days.choose(trig.start, sent, seg_a, seg_b)
            d = day.evidence
            # told after the story named a day: may be another incident (no merge on place alone)
            inherited = d is None and days.story_day is not None
            date_sources[(trig.start, seg_a)] = day.source
            ev.event_date, ev.time_precision = day.value, day.precision
            if d is not None:
                ev.date_evidence = Span(d.start, d.end, d.text, doc_id)
            # actors
            roles = self.assign_roles(analysis, trig) or {}
            a1, a2, assoc = roles.get("actor1"), roles.get("actor2"), roles.get("assoc_actor_1")
            ev.actor1 = a1.actor if a1 else None
            ev.actor2 = a2.actor if a2 else None
            if assoc:
                assoc_list = assoc if isinstance(assoc, list) else [assoc]
                ev.assoc_actor_1 = "; ".join(dict.fromkeys(m.actor for m in assoc_list if m)) or None
            ev.actor1_evidence = _mention_span(a1, doc_id)
            ev.actor2_evidence = _mention_span(a2, doc_id)
            # fatalities: incident counts of the same sentence (of the same ';'-separated part)
            killed = [c for c in in_range(seg_a, seg_b) if c.kind == "killed" and c.parent is None
                      and not c.cumulative
                      and ev.sub_event_type not in _without_fatalities()]
            if not killed and ev.sub_event_type not in _without_fatalities():
                # "A bomb went off at the mosque. Five people were killed, police said."
                killed = next_sentence_count(ctx, sent, ev, in_range, analysis.triggers, document.text)
            if killed:
                killed = _coordinated(_exact_over_vague(killed), document.text)
                vals = [c.number.value for c in killed if c.number.value is not None]
                if vals:
                    ev.fatalities = max(vals)
                    ev.fatalities_low = min(vals)
                    ev.fatalities_high = max(vals)
                    best = max(killed, key=lambda c: c.number.value or 0)
                    ev.fatalities_evidence = Span(best.number.start, best.number.end, best.number.text, doc_id)
                    civ = [c.breakdown.get("civilians") for c in killed if c.breakdown.get("civilians")]
                    if civ:
                        ev.civilian_fatalities = max(civ)
                    if bomber_not_counted(ev.sub_event_type, document.text[seg_a:seg_b]):
                        ev.fatalities += 1      # ACLED: a suicide bombing's dead include the bomber
                        ev.fatalities_high += 1
            injured = [c for c in in_range(seg_a, seg_b) if c.kind == "injured" and c.parent is None
                       and not c.cumulative]
            if injured:
                ev.injured = max(c.number.value or 0 for c in injured) or None
            ev.headline = sent.heading
            pending.append((ev, trig, sent, place_explicit, d is not None, seg_a, seg_b, inherited))
            events.append(ev)
            twins: list[tuple[Event, int, bool]] = []    # (event, where its place or day is told, dated)
            if place_explicit and not from_focus and ev.fatalities is not None:
                # "seven were killed in Sakkada; four in Gyadadde": one incident per place,
                # each with its own toll
                for other, num in elliptic_tolls(place, ctx.places_in(place.end, sent.end), analysis.numbers,
                                                 document.text, sent.end):
                    twins.append((self._placed(_twin(ev, num, doc_id), other, doc_id), other.start, d is not None))
            if place_explicit and not from_focus:
                # one clause, several places listed: one event per place (the clause's count
                # stays with the event of the place the rules chose: it may be a total)
                for other in listed_with(place, ctx.places_in(seg_a, seg_b), document.text):
                    twins.append((self._placed(_twin(ev, None, doc_id), other, doc_id), other.start, d is not None))
            if d is not None:
                # "clashed near Debre Tabor on Tuesday and Wednesday": one event per day (the
                # clause's count stays with the first: it may be a total)
                for other_day in listed_days(d, ctx.dates_in(seg_a, seg_b), document.text):
                    twin = _twin(ev, None, doc_id)
                    twin.event_date = other_day.value_start
                    twin.date_evidence = Span(other_day.start, other_day.end, other_day.text, doc_id)
                    twins.append((twin, other_day.start, True))
            for twin, at, dated in twins:
                listed_at[id(twin)] = at
                pending.append((twin, trig, sent, place_explicit, dated, seg_a, seg_b, inherited))
                events.append(twin)
        # who acted is told once per sentence ("A roadside bomb struck a vehicle carrying police
        # reservists"): every event of a sentence with a named actor gets the actor's share of
        # confidence, so the trigger, not which of its words the actor attaches to, ranks them
        actor_sents = {sent.index for ev, _, sent, *_ in pending if ev.actor1}
        length = max(1, len(document.text))
        for ev, trig, sent, place_explicit, date_explicit, seg_a, seg_b, inherited in pending:
            ev.confidence = self._confidence(ev, trig, sent, place_explicit, date_explicit,
                                             actor=sent.index in actor_sents)
            tally = is_daily_tally(document.text[seg_a:seg_b])
            if sent.index == lede:
                ev.confidence = round(min(1.0, ev.confidence + LEDE_BONUS), 3)
            if tally:
                ev.confidence = round(max(0.0, ev.confidence - 0.25), 3)
            if sent.teaser:
                # a related-link headline after the body: another report's event, never the
                # first of this one
                ev.confidence = round(ev.confidence * 0.5, 3)
            ev.signals = {"trigger_score": round(float(trig.score), 3), "date_explicit": date_explicit,
                          "place_explicit": place_explicit, "actor": sent.index in actor_sents,
                          "fatalities": ev.fatalities is not None, "headline": bool(sent.heading),
                          "quote": bool(sent.in_quote), "period": bool(sent.period),
                          "lede": sent.index == lede, "tally": tally, "mentions": 1,
                          "position": round(trig.start / length, 3), "sentence": sent.index,
                          "date_inherited": inherited, "date_source": date_sources.get((trig.start, seg_a))}
            if sent.teaser:
                ev.signals["teaser"] = True
            if id(ev) in listed_at:
                ev.signals["listed_place"] = listed_at[id(ev)]
        events = self._merge(_one_protest(events))
        _unassigned_counts(events, counts, document.text, doc_id, ctx.places_in)
        for ev in events:                   # "more than 40" ... "the names of 41 people killed"
            exact = refined_count(ev, counts, ctx.places_in)
            if exact is not None:
                ev.fatalities = ev.fatalities_high = exact.number.value
                ev.fatalities_evidence = Span(exact.number.start, exact.number.end, exact.number.text, doc_id)
        focus_bonus = focus is not None and focus.admin1 and len({e.admin1 for e in events if e.admin1}) > 1
        for ev in events:
            ev.signals["focus"] = bool(focus_bonus and ev.admin1 == focus.admin1
                                       and ev.country_code == focus.country_code)
            if ev.signals["focus"]:
                # several provinces: the report is mostly about the one named most often
                ev.confidence = round(min(1.0, ev.confidence + FOCUS_BONUS), 3)
            ev.signals["fatalities"] = ev.fatalities is not None
        calibrate(events, published=published, doc_country=ctx.country_code(), context=ctx)
        for ev in events:
            if ev.signals.get("teaser"):
                ev.confidence = round(min(ev.confidence, TEASER_CONFIDENCE), 3)
                ev.reason = "teaser: a related-link headline after the article's body"
        for ev in events:
            ev.source = document.source or _host(document.url) or None
            ev.notes = make_note(ev)
            key = f"{document.content_hash}:{ev.evidence[0].start}:{ev.sub_event_type}"
            if ev.signals.get("listed_place") is not None:      # one of several places or days of a list
                key += f":{ev.signals['listed_place']}"
            ev.event_id = "ev-" + hashlib.sha1(key.encode()).hexdigest()[:12]
        events.sort(key=lambda e: (-e.confidence, -e.signals.get("heuristic", 0.0), e.evidence[0].start))
        return events

    @staticmethod
    def _confidence(ev: Event, trig: Trigger, sent: Sentence, place_explicit: bool, date_explicit: bool,
                    actor: bool | None = None) -> float:
        if actor is None:
            actor = bool(ev.actor1)
        c = 0.25 + 0.2 * max(0.0, min(1.0, trig.score))
        c += 0.15 if date_explicit else 0.0
        if place_explicit:
            c += {1: 0.2, 2: 0.15, 3: 0.1}.get(ev.geo_precision or 3, 0.05)
        elif ev.location:
            c += 0.03
        c += 0.1 if actor else 0.0
        c += 0.05 if ev.fatalities is not None else 0.0
        if sent.period:
            c -= 0.25  # "Since hostilities intensified on April 29, ... 1,506 killed": a tally
        if not (date_explicit or place_explicit or actor or ev.fatalities is not None):
            c -= 0.2   # background ("because of the increased hostilities"), not a reported incident
        if sent.in_quote:
            c -= 0.15
        if sent.heading:
            c -= 0.1
        return round(max(0.0, min(1.0, c)), 3)

    @staticmethod
    def _compatible(a: Event, b: Event) -> bool:
        if a.sub_event_type != b.sub_event_type:
            return False
        if a.admin1 and b.admin1 and (a.admin1 != b.admin1 or a.country_code != b.country_code):
            return False
        if a.location and b.location and a.geo_precision == 1 and b.geo_precision == 1 \
                and a.location != b.location:
            return False
        if a.location_evidence is not None and b.location_evidence is not None \
                and a.location != b.location and (a.geo_precision or 3) <= 2 \
                and (b.geo_precision or 3) <= 2 and a.location not in (b.admin2, b.admin1) \
                and b.location not in (a.admin2, a.admin1):
            return False    # two named towns, villages or districts: two places, not one
        if a.location_evidence is not None and b.location_evidence is not None \
                and a.location == b.location and (a.geo_precision or 3) <= 2 \
                and a.country_code == b.country_code and a.event_date == b.event_date \
                and (a.fatalities is None or b.fatalities is None or a.fatalities == b.fatalities):
            # one type, one named place, one day: one event (ACLED's unit); two different tolls
            # may be two incidents or a day's total beside one of them: left to the rules below
            return True
        explicit_a, explicit_b = a.date_evidence is not None, b.date_evidence is not None
        if explicit_a and explicit_b:
            return a.event_date == b.event_date
        if a.headline or b.headline:
            return True
        # one stated day and one mention without a day of its own, in the same place: one
        # incident told twice ("An attack on a bus in Oromia has left five dead ... the attack
        # happened on Thursday evening on the road between Metehara and Wolenchiti"), as long as
        # the undated mention could be of that day (it is not dated before it)
        if explicit_a != explicit_b and a.admin1 and b.admin1:
            dated, undated = (a, b) if explicit_a else (b, a)
            if not (dated.event_date and undated.event_date
                    and undated.event_date[:10] >= dated.event_date[:10]
                    and within_story(dated.event_date, undated.event_date)):
                return False
            if undated.signals.get("date_inherited", True):
                return False    # told after the story named a day: may be another incident
            # ... and names no other town than the dated one (a province is no other place)
            return undated.location == dated.location or (undated.geo_precision or 3) > 1
        return False

    def _merge(self, events: list[Event]) -> list[Event]:
        merged: list[Event] = []
        # only events of one sub-event type are ever compatible: look among those alone
        by_type: dict[str | None, list[Event]] = {}
        for ev in events:
            same_type = by_type.setdefault(ev.sub_event_type, [])
            target = next((m for m in same_type if self._compatible(m, ev)), None)
            if target is None:
                merged.append(ev)
                same_type.append(ev)
                continue
            _absorb(target, ev)
        return merged


def mark_event_places(analysis: Analysis) -> None:
    """A place mention that located an event gets the role event_location."""
    used = {(e.location_evidence.start, e.location_evidence.end) for e in analysis.events
            if e.location_evidence is not None}
    for p in analysis.places:
        if (p.start, p.end) in used:
            p.role = "event_location"


_PEACEFUL = re.compile(r"\bpeaceful(?:ly)?\b", re.I)


def _one_protest(events: list[Event]) -> list[Event]:
    """The protest events of one report in one place are one demonstration, coded by the most
    severe thing the report tells of it: "Thousands took to the streets ... Police fired tear gas
    to disperse them" is one Protest with intervention. Each takes the most severe type among them
    (taxonomy ``protest_escalation``), except a march its own sentence calls peaceful ("Protesters
    threw stones ... Thousands marched peacefully on Monday"): that one is another demonstration."""
    order = {t: i for i, t in enumerate(_taxonomy().get("protest_escalation") or [])}
    protests = [e for e in events if e.sub_event_type in order]
    if len(protests) < 2:
        return events
    for ev in protests:
        if _PEACEFUL.search(ev.evidence[0].text):
            continue
        same = [o for o in protests if not (
            ev.admin1 and o.admin1 and (ev.admin1 != o.admin1 or ev.country_code != o.country_code))]
        worst = max(same, key=lambda o: order[o.sub_event_type])
        if order[worst.sub_event_type] > order[ev.sub_event_type]:
            ev.sub_event_type, ev.event_type = worst.sub_event_type, worst.event_type
            ev.plover_type = worst.plover_type
    return events


def _absorb(into: Event, other: Event) -> None:
    """Pool a second mention of the same event: keep the more specific and explicit fields."""
    if other.date_evidence is not None and into.date_evidence is None:
        into.event_date, into.time_precision, into.date_evidence = other.event_date, other.time_precision, other.date_evidence
    if other.location_evidence is not None and (
            into.location_evidence is None or (other.geo_precision or 9) < (into.geo_precision or 9)
            or ((other.geo_precision or 9) == (into.geo_precision or 9) and other.location != into.location
                and into.location in (other.admin2, other.admin1))):
        # (the more specific place; a village of the district the other mention names)
        for f in ("country", "country_code", "admin1", "admin2", "location", "latitude", "longitude",
                  "geo_precision", "location_evidence"):
            setattr(into, f, getattr(other, f))
    for f in ("actor1", "actor2", "assoc_actor_1", "actor1_evidence", "actor2_evidence", "injured",
              "civilian_fatalities"):
        if getattr(into, f) is None and getattr(other, f) is not None:
            setattr(into, f, getattr(other, f))
    if other.fatalities is not None:
        lows = [x for x in (into.fatalities_low, other.fatalities_low) if x is not None]
        highs = [x for x in (into.fatalities_high, other.fatalities_high) if x is not None]
        into.fatalities_low = min(lows) if lows else None
        into.fatalities_high = max(highs) if highs else None
        # a headline's count gives way to the story's ("Missile attack kills three children" /
        # "... killing 15 soldiers as well as three children"; "Dozens killed" / "about 40")
        # between two sentences of the story, the larger: a part ("three more bodies") or an
        # earlier toll ("killed at least 20") beside the whole ("has increased to 31")
        if into.fatalities is None or (into.headline and not other.headline) or (
                other.fatalities > into.fatalities and not other.headline):
            into.fatalities, into.fatalities_evidence = other.fatalities, other.fatalities_evidence
            if other.civilian_fatalities is not None:
                into.civilian_fatalities = other.civilian_fatalities
    into.headline = into.headline and other.headline
    a, b = into.signals, other.signals
    if a and b:
        for k in ("date_explicit", "place_explicit", "actor", "lede"):
            a[k] = bool(a.get(k) or b.get(k))
        for k in ("headline", "quote", "period", "tally"):
            a[k] = bool(a.get(k) and b.get(k))
        a["trigger_score"] = max(a.get("trigger_score", 0.0), b.get("trigger_score", 0.0))
        a["position"] = min(a.get("position", 1.0), b.get("position", 1.0))
        a["mentions"] = a.get("mentions", 1) + b.get("mentions", 1)
    seen = {(s.start, s.end) for s in into.evidence}
    into.evidence += [s for s in other.evidence if (s.start, s.end) not in seen]
    into.confidence = round(min(1.0, max(into.confidence, other.confidence) + 0.05), 3)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    from urllib.parse import urlparse
    host = urlparse(url).hostname or ""
    return host[4:] if host.startswith("www.") else host or None
