"""The document and event model every stage shares.

One :class:`Document` enters the pipeline; each stage adds to its :class:`Analysis` (the spaCy
``Doc`` plus what has been extracted so far); the result serialises to the public JSON contract.

Offsets (``start``/``end``) always index ``Document.text``: the text *as given* (the decoded file,
the JSONL ``text`` field, or the main text trafilatura extracted from an HTML page). Cleaning never
shifts offsets: removed passages (repeated headlines, boilerplate) are blanked with spaces in
``Document.nlp_text``, which has exactly the same length as ``text``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:      # the stages' own types, for the Analysis fields below (they import this module)
    from .stages.attribution import Attribution
    from .stages.casualties import Count
    from .stages.context import DocContext
    from .stages.numbers import Number

#: Keys of one line of ``sitroom extract --format jsonl``. A public contract: add, never rename/drop.
RESULT_KEYS = ("events", "places", "dates", "figures", "claims", "agreements", "quality",
               "geo_focus")

#: ACLED's columns, in ACLED's order (its API and CSV exports), used by the CSV writers; the
#: values sitroom derives for them are in sitroom/output/acled.py (docs/acled.md).
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)


_SURROGATE = re.compile("[\ud800-\udfff]")


def iso_day(value: Any) -> date | None:
    """The day of a date or of an ISO string that starts with one ("2020-01-16", "2020-01-16T08:00");
    None for anything else (coarser values such as "2020-01", empty or malformed text)."""
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def content_hash(text: str) -> str:
    """Stable hash of a document's content (whitespace-normalised), to recognise it again."""
    norm = " ".join(text.split()).casefold()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


@dataclass
class Span:
    """A piece of evidence: ``text == document.text[start:end]``."""
    start: int
    end: int
    text: str
    doc_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "start": self.start, "end": self.end, "text": self.text}


@dataclass
class QualityFlag:
    kind: str            # repeated_headline, malformed_number, year_unknown, non_english, ...
    message: str
    evidence: list[Span] = field(default_factory=list)
    severity: str = "warning"   # info | warning | error


@dataclass
class Document:
    doc_id: str
    text: str                              # as given; offsets index this
    title: str | None = None
    published: date | None = None
    published_from: str | None = None      # "metadata", "option" (--published), or None
    source: str | None = None              # outlet / site name
    url: str | None = None
    nlp_text: str | None = None            # same length as text; removed parts blanked
    headings: list[tuple[int, int]] = field(default_factory=list)   # sub-headlines (section breaks)
    quality: list[QualityFlag] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""

    def __post_init__(self) -> None:
        self._scrub_surrogates()
        if self.nlp_text is None:
            self.nlp_text = self.text
        if len(self.nlp_text) != len(self.text):
            raise ValueError("nlp_text must have the same length as text")
        if not self.content_hash:
            self.content_hash = content_hash(self.text)

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.text[start:end], self.doc_id)

    def _scrub_surrogates(self) -> None:
        """A lone surrogate (JSON "\\ud800" with no pair) is no character: no encoder, database or
        hash takes it. Each becomes U+FFFD (one for one: offsets keep), with an ``invalid_unicode``
        warning."""
        bad = 0
        for name in ("doc_id", "text", "title", "source", "url", "nlp_text", "published_from"):
            value = getattr(self, name)
            if isinstance(value, str) and _SURROGATE.search(value):
                bad += len(_SURROGATE.findall(value)) if name == "text" else 0
                setattr(self, name, _SURROGATE.sub("\ufffd", value))
        if bad and not any(q.kind == "invalid_unicode" for q in self.quality):
            self.quality = list(self.quality) + [QualityFlag(
                "invalid_unicode", f"{bad} lone surrogate code point(s) (not valid Unicode) in the"
                " text replaced by U+FFFD", severity="warning")]


@dataclass
class DocError:
    """An input that could not be turned into a document; it still gets its output line."""
    doc_id: str
    error: str


# ---------------------------------------------------------------- extraction results

@dataclass
class DateExpr:
    text: str
    start: int
    end: int
    value: str | None           # ISO 8601 at its own granularity: 2020-01-16, 2019-12, 2019, 2020-W03
    value_start: str | None     # first day covered (ISO date), for ranges and coarse values
    value_end: str | None       # last day covered (ISO date)
    precision: int | None       # 1 day, 2 week/range (<= ~2 weeks), 3 month, 4 year or coarser
    relative: bool = False      # resolved against the publication date
    year_known: bool = True     # False when no year is stated and no publication date is known
    mod: str | None = None      # TimeML-style modifier: START, MID, END, SINCE, BEFORE, AFTER
    kind: str = "date"          # date | range | since | duration | time


@dataclass
class Place:
    text: str
    start: int
    end: int
    name: str | None = None             # resolved gazetteer name
    country: str | None = None
    country_code: str | None = None     # ISO 3166-1 alpha-2
    admin1: str | None = None
    admin2: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    feature: str = "other"              # country, admin1, admin2, populated_place, locality, demonym, other
    gazetteer_id: str | None = None     # "geonames:169387"
    role: str = "other"                 # event_location, speaker_location, other
    confidence: float = 0.0
    population: int | None = None
    #: where the text puts the event relative to this place: None (at it), "near" ("near X",
    #: "the outskirts of X", "60 km north of X"), "container" (the unit holding a village the
    #: gazetteer lacks), "border" ("the Niger border"), "origin" ("rockets fired from X",
    #: "fled into X"), "name" (inside an organisation's name: "... West Africa Province (ISWAP)")
    relation: str | None = None
    #: the ACLED geo_precision this mention supports (None: from its feature kind)
    geo_precision: int | None = None
    #: [latitude, longitude] of the area the text describes ("30 km south of X": X moved 30 km
    #: south); the place's own point stays in latitude/longitude
    area_point: list[float] | None = None
    #: for a locality (a local place the gazetteer lacks, placed at its most specific known
    #: container: "Sakkada village" in Maradun): the container's name
    container: str | None = None


@dataclass
class ActorMention:
    text: str
    start: int
    end: int
    actor: str               # normalised name (ACLED style), e.g. "Military Forces of Syria"
    actor_type: str | None = None      # state_forces, rebels, militia, civilians, protesters, ...
    country_code: str | None = None
    actor_id: str | None = None


@dataclass
class Trigger:
    """An event mention's anchor word(s) and its class from the taxonomy."""
    text: str
    start: int
    end: int
    sub_event_type: str
    event_type: str
    plover: str | None = None
    score: float = 1.0
    negated: bool = False
    hypothetical: bool = False     # threat, plan, call for, "could", "would"
    sentence: tuple[int, int] = (0, 0)


@dataclass
class Event:
    event_id: str
    event_date: str | None = None
    time_precision: int | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    assoc_actor_1: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    fatalities: int | None = None
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    civilian_fatalities: int | None = None
    injured: int | None = None
    notes: str = ""
    source: str | None = None
    confidence: float = 0.0
    evidence: list[Span] = field(default_factory=list)
    # sitroom additions
    plover_type: str | None = None
    country_code: str | None = None
    trigger: str | None = None
    date_evidence: Span | None = None
    location_evidence: Span | None = None
    actor1_evidence: Span | None = None
    actor2_evidence: Span | None = None
    fatalities_evidence: Span | None = None
    contested: bool = False
    headline: bool = False          # every mention of it is a headline or sub-headline
    # what the confidence was computed from (sitroom.stages.calibration), and why an event is kept
    # at low confidence (a secondary mention of an incident already coded, background, ...)
    signals: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


@dataclass
class Figure:
    kind: str                       # killed, injured, displaced, trapped, destroyed, ...
    value: int | None
    low: int | None = None
    high: int | None = None
    qualifier: str | None = None
    unit: str | None = None         # people, civilians, hospitals, ...
    breakdown: dict[str, int] = field(default_factory=dict)
    period_start: str | None = None
    period_end: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    location: str | None = None
    attributed_to: str | None = None
    verified: bool = False
    evidence: list[Span] = field(default_factory=list)


@dataclass
class Claim:
    kind: str                       # statement, appeal, denial, accusation
    speaker: str | None
    speaker_role: str | None = None
    date: str | None = None
    text: str = ""
    about: list[str] = field(default_factory=list)
    target: str | None = None       # who is accused / who is asked
    evidence: list[Span] = field(default_factory=list)


@dataclass
class Agreement:
    kind: str                       # ceasefire, truce, de-escalation zone, peace agreement, ...
    parties: list[str] = field(default_factory=list)
    agreed_date: str | None = None
    effective_date: str | None = None
    area: str | None = None
    status: str | None = None       # in force, violated, collapsed, ...
    evidence: list[Span] = field(default_factory=list)


@dataclass
class Analysis:
    """Everything known about one document as it passes the stages: each field is assigned by one
    component of the pipeline (docs/architecture.md lists which). Only the fields in RESULT_KEYS
    are part of the result; the others are the stages' working data."""
    document: Document
    doc: Any = None                 # spacy.tokens.Doc over document.nlp_text
    places: list[Place] = field(default_factory=list)
    dates: list[DateExpr] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    quality: list[QualityFlag] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)
    #: the countries and first-level units the document is about (sitroom.stages.geocode)
    geo_focus: dict[str, Any] = field(default_factory=dict)
    # -- working data of the stages, not in the result
    #: sentences and the places and dates in each (sitroom.stages.context)
    context: DocContext | None = None
    #: numbers left out as too large to count anything (sitroom.stages.numbers)
    too_large: list[Number] = field(default_factory=list)
    #: what each number counts (sitroom.stages.casualties)
    counts: list[Count] = field(default_factory=list)
    #: who said what (sitroom.stages.attribution)
    attributions: list[Attribution] = field(default_factory=list)


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, dates and tuples to plain JSON values."""
    t = type(obj)
    if obj is None or t is str or t is int or t is float or t is bool:     # most values: no checks
        return obj
    if t is dict:           # exact types first: no dataclass check for the containers of a response
        return {(k if type(k) is str else str(k)): to_jsonable(v) for k, v in obj.items()}
    if t is list or t is tuple:
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (str, int, float)):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    return obj
