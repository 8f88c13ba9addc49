"""Toponym resolution with document context.

Each mention found by :class:`sitroom.stages.places.PlaceExtractor` carries its gazetteer
candidates; this module picks one per mention using

* the document's country context (countries named, demonyms, places whose country is not in
  doubt), then its admin1 context (second pass: places inside a province/state already named),
* population and feature kind,
* cue words: "Aleppo province" / "province of Idlib" -> admin1 (or admin2 for district/county);
  "Idlib city" / "the town of X" / ", the provincial capital" -> populated place; a bare name that
  is both an admin1 and its capital city is read as the city,

then reads every place inside the document's geographic focus (``analysis.geo_focus``: the
countries the text is about; a place abroad without a qualifier is a local name the gazetteer
lacks), marks where the text puts the event relative to a place (:func:`relation`: near,
container, border, origin), and fills the :class:`~sitroom.model.Place` fields, ``role``
("speaker_location" for where someone merely spoke or is based: "told reporters in Geneva",
"Amman-based", datelines; otherwise "other") and ``confidence``.
"""
from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from ..data import load as load_data, require_strings
from ..model import Analysis, Place
from ..kb.gazetteer import (ADMIN1, ADMIN1_SURROUNDINGS, ADMIN2, COUNTRY, PLACE, REGION, Gazetteer,
                        Record, name_key)


@dataclass
class Mention:
    """A toponym candidate before resolution (found by
    :class:`sitroom.stages.places.PlaceExtractor`, resolved here)."""
    start: int                      # char offsets into document.text
    end: int
    tok_start: int
    tok_end: int
    text: str
    ids: tuple[int, ...] = ()       # gazetteer record ids (exact key)
    loose: bool = False             # matched on the skeleton key / fuzzily
    ner: str | None = None          # NER label covering it
    demonym_cc: str | None = None
    cue: str | None = None          # admin1/admin2/populated_place preference from cue words
    provincial_capital: bool = False
    strength: float = 1.0           # recognition evidence 0..1
    weak: bool = False              # accept only if its country is in the document's context
    extra: dict = field(default_factory=dict)


CTX_WEIGHT, CTX_FLOOR, POP_DIV, A1_WEIGHT = 1.2, 2.0, 5.0, 0.5
#: GeoNames ids that news means by a bare ambiguous name more often than population says:
#: Washington (D.C., not the state), New York City (not the state).
PREFERRED = {4140963, 5128581}
#: a bare name shared by a big city (>= WORLD_CITY people) and a town at least NAMESAKE_RATIO
#: times smaller means the big city unless the text places it ("London" in a US story is
#: London, England; "London, Ohio" is not): the small namesake loses NAMESAKE_PENALTY, about
#: what country context gives, so it needs its country *and* its province (or "X, State").
WORLD_CITY, NAMESAKE_RATIO, NAMESAKE_PENALTY = 500000, 30, 0.8
#: a spelling variant (skeleton or fuzzy match) that fits towns in more countries than this is
#: no evidence of any of them when the document's focus is elsewhere
LOOSE_MAX_COUNTRIES = 5
KIND_PRIOR = {REGION: 2.6, COUNTRY: 1.0, ADMIN1: 0.45, ADMIN2: 0.05, PLACE: 0.4}
#: countries where Arabic-form place names (al-X, Tal X, Kafr X, Abu X) are at home
ARAB_WORLD = frozenset("""SY IQ LB JO PS IL SA YE OM AE QA BH KW EG LY TN DZ MA EH MR SD SS SO DJ KM
ER TD NE ML TR IR AF PK""".split())
#: first words of Arabic place names (never a place on their own)
ARABIC_NAME_HEADS = frozenset("""sheikh shaykh kafr kfar deir dayr tal tall tel jabal jebel abu umm
ras qasr khirbet khirbat wadi jisr beit bayt bani beni qalat qalaat bab""".split())

_GAP = (r"(?:\s+(?:a|an|the|his|her|their|its|to|reporters|journalists|news|press|media|"
        r"conference|briefing|statement|interview|speech|remarks|video|televised|telephone|phone|"
        r"call|link|visit|meeting|summit|talks|on|late|earlier|later|today|yesterday|"
        r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|while|during|after|"
        r"joint|written|brief|short|separate|told|said|"
        r"speaking|visiting|issued|released|posted|online|via|by))*")
_SPEAKER_LEFT = re.compile(
    r"\b(?:told|tells|telling|said|says|saying|spoke|speaks|speaking|briefing|briefed|"
    r"conference|statement|interview|remarks|announced|announcing|addressing|testified|"
    r"wrote|posted|tweeted|headquartered|headquarters|based|reporters|journalists|"
    r"correspondent|reported from|reporting from|visit|visiting)" + _GAP +
    r"\s+(?:in|from|at)\s+(?:the\s+)?$", re.I)
_BASED_RIGHT = re.compile(r"^\s?[-–]\s?based\b|^\s+based\b", re.I)
_DATELINE_RIGHT = re.compile(
    r"^(?:\s*,\s*[A-Z][\w.' ]{1,30})?\s*(?:\((?:Reuters|AP|AFP|Xinhua|UPI|Anadolu|AA|dpa|"
    r"CNN|BBC|Al Jazeera|[A-Z][\w ]{1,20})\)\s*)?[-–—:]\s")


def geo_precision(place: Place) -> int:
    """ACLED geo_precision: 1 a town/village, 2 a district (admin2), a named part of a region or
    the area of a town ("near X", "60 km north of X"), 3 a province/region/country (or anything
    coarser/unknown)."""
    if place.geo_precision is not None:
        return place.geo_precision
    if place.feature == PLACE:
        return 1
    if place.feature == ADMIN2:
        return 2
    return 3


def _focus_data() -> dict:
    d = load_data("geo_focus.yaml")
    for key in ("generic_tlds", "relation_near", "near_words", "border_words", "origin_verbs",
                "escape_verbs", "village_words", "locality_words", "neighbourhood_words"):
        require_strings("geo_focus.yaml", key, d[key])
    return d


FOCUS = _focus_data()
_DIRS = sorted((w for w in FOCUS["relation_near"]), key=len, reverse=True)
_DIR_ALT = "|".join(re.escape(w) for w in _DIRS)
_UNIT = r"(?:km|kms|kilometers?|kilometres?|miles?|mi)"
#: "60 km north of", "about 20 kilometres (12 miles) northwest of", "some 30km to the south of"
_DIST_LEFT = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?)\s*-?\s*(?P<u>" + _UNIT + r")\b\.?(?:\s*\([^()]{0,25}\))?\s+"
    r"(?:to\s+the\s+)?(?P<d>" + _DIR_ALT + r")\s+of\s+(?:the\s+)?(?:(?:town|city|village|"
    r"capital|district|province|region|state)\s+of\s+)?$", re.I)
#: "north of", "the outskirts of", "on the edge of"
_AREA_LEFT = re.compile(r"\b(?:" + _DIR_ALT + r")\s+of\s+(?:the\s+)?(?:(?:town|city|village|"
                        r"capital)\s+of\s+)?$", re.I)
_NEAR_LEFT = re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+")
                                             for w in FOCUS["near_words"]) +
                        r")\s+(?:the\s+)?(?:(?:town|city|village|capital)\s+of\s+)?$", re.I)
_BORDER_LEFT = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in FOCUS["border_words"]) +
                          r")\s+(?:with|of)\s+(?:the\s+)?(?:neighbou?ring\s+)?$", re.I)
_BORDER_RIGHT = re.compile(r"^(?:\s*-\s*[A-Z][\w-]*)?\s+(?:" +
                           "|".join(re.escape(w) for w in FOCUS["border_words"]) + r")\b", re.I)
_ORIGIN_LEFT = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in FOCUS["origin_verbs"]) +
                          r")\b[^.;:!?\n]{0,60}?\b(?:from|out of)\s+(?:the\s+)?"
                          r"(?:neighbou?ring\s+|southern\s+|northern\s+|eastern\s+|western\s+)?$",
                          re.I)
_ESCAPE_LEFT = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in FOCUS["escape_verbs"]) +
                          r")\s+(?:back\s+)?(?:in)?to\s+(?:the\s+)?(?:neighbou?ring\s+)?$", re.I)
#: "<Name> village in the ", "<Name> hamlet of ": an unknown village before its container
_CONTAINED_LEFT = re.compile(
    r"(?<![\w'’-])(?P<name>[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+){0,2})\s+(?:" +
    "|".join(re.escape(w) for w in FOCUS["village_words"]) +
    r")s?\s*,?\s+(?:in|of|near)\s+(?:the\s+)?(?:(?:[a-z]+)\s+)?$")
_BEARING = {"north": 0, "northern": 0, "northeast": 45, "north-east": 45, "east": 90,
            "eastern": 90, "southeast": 135, "south-east": 135, "south": 180, "southern": 180,
            "southwest": 225, "south-west": 225, "west": 270, "western": 270, "northwest": 315,
            "north-west": 315}


def relation(text: str, start: int, end: int) -> tuple[str, tuple | None] | None:
    """Where the text puts something relative to the name at text[start:end]: ("near", (km,
    bearing)) for "60 km north of X" (the point is moved by that much), ("near", None) for
    "north of X", "the outskirts of X", "near X"; ("border", None) for "the Niger border";
    ("origin", None) for where something came from or someone went ("rockets fired from X",
    "escaped back into X"); None when the name is the place itself. (The resolver adds
    "container" and "name", a place named inside an organisation's name.)"""
    left = text[max(0, start - 70):start]
    if _BORDER_RIGHT.match(text[end:end + 30]) or _BORDER_LEFT.search(left):
        return "border", None
    m = _DIST_LEFT.search(left)
    if m:
        km = float(m.group("n").replace(",", "."))
        if m.group("u").lower().startswith("mi"):
            km *= 1.609
        bearing = _BEARING.get(m.group("d").lower())
        return "near", ((km, bearing) if bearing is not None and 0 < km <= 500 else None)
    if _AREA_LEFT.search(left) or _NEAR_LEFT.search(left):
        return "near", None
    if _ORIGIN_LEFT.search(left) or _ESCAPE_LEFT.search(left):
        return "origin", None
    return None


def _offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point km away from (lat, lon) in the compass direction bearing (degrees)."""
    b = math.radians(bearing)
    dlat = km * math.cos(b) / 111.2
    dlon = km * math.sin(b) / (111.2 * max(0.1, math.cos(math.radians(lat))))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def source_country(source: str | None) -> str | None:
    """The country of a news source's country-code host name ("www.dawn.com.pk" -> PK), except
    the country-code domains used world-wide (geo_focus.yaml: generic_tlds); None otherwise."""
    if not source:
        return None
    host = re.sub(r"^[a-z]+://", "", source.strip().lower()).split("/")[0].split(":")[0]
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if len(tld) != 2 or not tld.isalpha() or tld in FOCUS["generic_tlds"]:
        return None
    return {"uk": "GB"}.get(tld, tld.upper())


#: what stands between the names of a list: "A, B and C", "A or B", "A & B"
_LIST_GAP = re.compile(r"^\s*(?:,|,?\s*(?:and|or|&))\s*$")


def _inside(r: Record, unit: Record) -> bool:
    """r lies in the admin1 or country ``unit``."""
    if unit.kind == ADMIN1:
        return r.admin1_id == unit.id and r.id != unit.id
    return unit.kind == COUNTRY and r.kind != COUNTRY and r.country_code == unit.country_code


def _within(p: Place, unit: Place) -> bool:
    """The resolved place p lies in the place ``unit`` (its country, first- or second-level unit,
    or the same place)."""
    if p.country_code != unit.country_code:
        return False
    if unit.feature == COUNTRY:
        return True
    if unit.feature == ADMIN1:
        return p.admin1 == unit.admin1
    if unit.feature == ADMIN2:
        return p.admin1 == unit.admin1 and (p.admin2 == unit.name or p.admin2 == unit.admin2
                                           or p.name == unit.name)
    return p.name == unit.name or (p.admin1 == unit.admin1 and p.feature in (ADMIN1, ADMIN2))


def _role(text: str, start: int, end: int) -> str:
    left = text[max(0, start - 80):start]
    right = text[end:end + 40]
    if _BASED_RIGHT.match(right):
        return "speaker_location"
    if _SPEAKER_LEFT.search(left):
        return "speaker_location"
    if _is_dateline(text, start, end):
        return "speaker_location"
    return "other"


def _is_dateline(text: str, start: int, end: int) -> bool:
    """A dateline: at the start of the text or of a line: "GENEVA (Reuters) - ", "AMMAN, Jordan —"."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip() and bool(_DATELINE_RIGHT.match(text[end:end + 40]))


# ---------------------------------------------------------------- localities
#: a capitalised name of up to three words ("Bel-Air", "Barin Zare", "Carrefour Feuilles")
_WORD = r"[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]*)*"
_NAME = _WORD + r"(?: " + _WORD + r"){0,2}"
_NAMES = _NAME + r"(?:\s*,\s*(?:and\s+)?" + _NAME + r"|\s+and\s+" + _NAME + r")*"
_LW = "|".join(re.escape(w) for w in sorted(FOCUS["locality_words"], key=len, reverse=True))
#: "the town of Ramia", "the village Sesa", "the districts of Bel-Air and Solino"
_LOCAL_BEFORE = re.compile(r"\b(?:the|a)\s+(?:(?:nearby|neighbouring|neighboring|remote|small|border|"
                           r"northern|southern|eastern|western|central|rural)\s+)?(?:" + _LW +
                           r")\s+(?:of\s+|called\s+|named\s+)?"
                           r"(?P<names>" + _NAMES + r")")
#: "in Koumbri commune", "the Sabra suburb of", "Sakkada, Gyadadde and Otawa villages"
_LOCAL_AFTER = re.compile(r"(?:^|(?<=[a-z,;:]\s)|(?<=\bthe\s))(?P<names>" + _NAMES + r")\s+(?:" +
                          _LW + r")\b")
#: "in Fafi, Garissa County": an unknown name qualified by a known unit
_LOCAL_QUALIFIED = re.compile(r"\b(?:in|at|near|of)\s+(?P<names>" + _NAME + r"),\s+(?=[A-Z])")
_NAME_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
#: between a locality and its container: "X commune in ", "X suburb of ", ", ", "located in the
#: suburbs of ", "within the "
_CONTAINER_GAP = re.compile(
    r"^(?:\s*,)?\s*\(?\s*(?:(?:" + _LW + r")\s+)?(?:(?:located|situated|lying|which\s+is|that\s+is)\s+)?"
    r"(?:(?:in|of|within|inside|near|outside)\s+)?(?:the\s+)?(?:(?:suburbs|outskirts|heart|centre|"
    r"center|edge|north|south|east|west|northern|southern|eastern|western|central)\s+(?:of\s+)?)?"
    r"(?:the\s+)?$")
#: ", Elwak, " between a locality and its container: another local name, skipped
_UNKNOWN_LINK = re.compile(r"^\s*,\s*" + _NAME + r"\s*,\s*$")
_NOT_NAMES = frozenset("""the a an in on at of and or but this that these those it its he she they we i
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december local government state police army security""".split())


#: last words of a facility's or institution's name: "Bege Baptist Church" is no locality
_FACILITY_WORDS = frozenset(load_data("place_words.yaml")["facility_words"]) | \
    frozenset(load_data("place_words.yaml")["institution_words"])
_POSSESSIVE = re.compile(r"['’]s\s+")


def _local_names(text: str) -> list[tuple[int, int, str, str]]:
    """The capitalised names the text calls local places: (start, end, name, frame word), in text
    order; names of one list share its end (for the container). The frame word is "," for a
    name qualified by the unit after it ("in Fafi, Garissa County"); "'s" for a name after its
    container's possessive ("Lakki Marwat's Serai Naurang area")."""
    out: list[tuple[int, int, str, str]] = []
    for rx in (_LOCAL_BEFORE, _LOCAL_AFTER, _LOCAL_QUALIFIED):
        for m in rx.finditer(text):
            a = m.start("names")
            group = m.group("names")
            word = ","
            if rx is _LOCAL_BEFORE:
                word = next((w for w in m.group(0)[:a - m.start()].lower().split()
                             if w in FOCUS["locality_words"]), "")
            elif rx is _LOCAL_AFTER:
                word = m.group(0)[m.end("names") - m.start():].split()[-1].lower()
            pos = 0
            for piece in _NAME_SPLIT.split(group):
                k = group.index(piece, pos)
                pos = k + len(piece)
                words = piece.split()
                while words and words[0].lower() in _NOT_NAMES:      # "In Koumbri": Koumbri
                    words = words[1:]
                if not words or any(w.lower() in _NOT_NAMES for w in words):
                    continue
                name = " ".join(words)
                s = a + k + piece.index(words[0])
                poss = None
                for poss in _POSSESSIVE.finditer(name):
                    pass
                if poss is not None:         # "Borno State's Damboa": Damboa, in Borno State
                    s += poss.end()
                    name = name[poss.end():]
                    if not name[:1].isupper():
                        continue
                if name.split()[-1].lower() in _FACILITY_WORDS or \
                        name.split()[-1].lower() in FOCUS["locality_words"]:
                    continue                 # "Bege Baptist Church", "Tinh Khe Commune"
                out.append((s, s + len(name), name, "'s" if poss is not None else word))
    seen: set[tuple[int, int]] = set()
    uniq = []
    for x in sorted(out):
        if (x[0], x[1]) not in seen:
            seen.add((x[0], x[1]))
            uniq.append(x)
    return uniq


class PlaceResolver:
    def __init__(self, gazetteer: Gazetteer | None = None):
        self.gaz = gazetteer or Gazetteer.get()
        self._admin_named: set[str] = set()
        self._named: set[str] = set()

    # ---------------------------------------------------------------- context
    def _country_context(self, mentions: list[Mention], text: str | None = None) -> Counter:
        """Country evidence: every mention's vote (ctx, used in scoring), and the focus evidence
        (``self._focus_ctx``), where each name counts once ("Addis Maleda reported ..." three
        times is one (mis)reading, not three places). ``self._named``: countries named outright."""
        ctx: Counter = Counter()
        self._focus_ctx = Counter()
        self._named = set()
        seen: set[str] = set()
        for m in mentions:
            votes = self._votes(m)
            key = m.demonym_cc or name_key(m.text)
            # where someone merely spoke or is based ("the UK-based monitor") is no evidence
            # of what the story is about
            # (a dateline is: "MOGADISHU (AP) --" says the story is about Somalia)
            speaker = text is not None and _role(text, m.start, m.end) == "speaker_location" \
                and not _is_dateline(text, m.start, m.end)
            for cc, w, named in votes:
                ctx[cc] += w
                if speaker:
                    continue
                if named:
                    self._named.add(cc)
                if key not in seen:
                    self._focus_ctx[cc] += w
            if not speaker:
                seen.add(key)
        return ctx

    def _votes(self, m: Mention) -> list[tuple[str, float, bool]]:
        """What one mention says about the document's countries: (country, weight, named)."""
        if m.extra.get("relation") == "name":
            return []       # "Islamic State of Iraq and the Levant (ISIL)": no Iraq story
        if m.extra.get("relation") in ("border", "origin"):
            # "near the Niger border": a border says little about where the story is
            for i in m.ids:
                r = self.gaz.record(i)
                if r.kind == COUNTRY:
                    return [(r.country_code, 0.25, False)]
            return []
        if m.demonym_cc:
            return [(m.demonym_cc, 1.0, True)]
        if not m.ids or m.weak:
            return []
        recs = [self.gaz.record(i) for i in m.ids]
        key = name_key(m.text)
        if any(r.kind == REGION for r in recs):
            # a region inside one country ("Eastern Ghouta") says which country is meant
            rccs = {r.country_code for r in recs if r.kind == REGION}
            if len(rccs) == 1 and None not in rccs and "" not in rccs:
                return [(next(iter(rccs)), 1.0, False)]
            return []
        countries = [r for r in recs if r.kind == COUNTRY]
        if countries:
            c = countries[0]
            return [(c.country_code, 2.0, len(recs) == 1 or name_key(c.name) == key)]
        ccs = {r.country_code for r in recs if r.country_code}
        if not ccs:
            return []
        if len(ccs) == 1:
            return [(next(iter(ccs)), 1.0 if not m.loose else 0.5, False)]
        # a weaker vote for the country of a dominant (much bigger) candidate
        best = max(recs, key=lambda r: r.population)
        others = max((r.population for r in recs if r.country_code != best.country_code),
                     default=0)
        if best.population > 20 * (others + 1000) and name_key(best.name) == key:
            return [(best.country_code, 0.5, False)]
        return []

    def _score(self, m: Mention, r: Record, ctx: Counter, top: float, a1ctx: Counter,
               recs: list[Record], within: Record | None = None) -> float:
        pop_term = math.log10(r.population + 1) / POP_DIV
        s = KIND_PRIOR[r.kind] + (pop_term / 2 if r.kind == ADMIN2 else pop_term)
        if within is not None and (r.kind != ADMIN2 or m.cue == ADMIN2) and _inside(r, within):
            # "Springfield, Ill.", "Gao, Mali": the following admin1/country decides (a county
            # only when the text says "county": "Washington, New York" is no Washington County)
            s += 3.0
        if top:
            s += CTX_WEIGHT * ctx.get(r.country_code, 0) / max(top, CTX_FLOOR)
        if a1ctx and r.kind in (PLACE, ADMIN2) and r.admin1_id >= 0 and \
                all(o.id != r.admin1_id for o in recs):     # not "Idlib" inside "Idlib"
            s += A1_WEIGHT * min(1.0, a1ctx.get(r.admin1_id, 0))
        if r.geonames_id in PREFERRED:
            s += 0.6
        if r.kind == PLACE and within is None and m.cue != ADMIN2:
            big = max((o.population for o in recs if o.kind == PLACE), default=0)
            if big >= WORLD_CITY and r.population * NAMESAKE_RATIO <= big and \
                    not a1ctx.get(r.admin1_id):
                s -= NAMESAKE_PENALTY
        if m.cue == ADMIN1:
            s += {ADMIN1: 2.0, ADMIN2: 1.2}.get(r.kind, 0)
        elif m.cue == ADMIN2:
            s += {ADMIN2: 2.0, ADMIN1: 1.5}.get(r.kind, 0)
        elif m.cue == PLACE:
            s += 2.0 if r.kind == PLACE else 0
        elif r.kind == ADMIN1 and name_key(m.text) in self._admin_named:
            # this document speaks of "X province" elsewhere, never of "X city"
            s += 0.8
        elif r.kind == PLACE:
            # a bare name that is both a province and its capital: the city (a district of the
            # name only counts when no province or country bears it: "Wyoming" is the state,
            # not the town in Wyoming County)
            own = name_key(r.name)
            bigger = any(o.kind in (ADMIN1, COUNTRY) and o.country_code == r.country_code
                         and name_key(o.name) == own for o in recs)
            for o in recs:
                if o.country_code == r.country_code and (
                        (o.kind == ADMIN1 and r.admin1_id == o.admin1_id) or
                        (o.kind == ADMIN2 and not bigger and
                         (r.admin1_id == o.admin1_id or r.admin2_id == o.id))):
                    s += 0.5
                    break
        if r.kind == COUNTRY and not m.loose and name_key(r.name) == name_key(m.text):
            s += 1.0      # "Lebanon's Prime Minister": a country's own name means the country
        if name_key(r.name) == name_key(m.text):
            s += 0.15
        return s

    # ---------------------------------------------------------------- main
    def resolve(self, mentions: Iterable[Mention], analysis: Analysis) -> list[Place]:
        """One reading per mention, in steps: relations and the document's country context
        (:meth:`_context`), weak mentions outside it dropped, "X, Y" qualifiers
        (:meth:`_qualifiers`), scored choices (:meth:`_choose`), lists, surroundings, the
        geographic focus (:meth:`_apply_focus`), then the :class:`Place` records."""
        mentions = [self._arabic_form_filter(m) for m in mentions]
        text = analysis.document.text
        ctx, src = self._context(mentions, analysis)
        # weak mentions survive only when one of their candidates is in the document's countries
        kept = []
        for m in mentions:
            if m.weak:
                ok = any(self.gaz.record(i).country_code in ctx and
                         (ctx[self.gaz.record(i).country_code] >= 1.0) for i in m.ids)
                if not ok:
                    continue
            kept.append(m)
        mentions = kept
        top = max(ctx.values(), default=0.0)

        admin_cued = {name_key(m.text) for m in mentions if m.cue in (ADMIN1, ADMIN2)
                      and not m.extra.get("around")}
        city_cued = {name_key(m.text) for m in mentions if m.cue == PLACE}
        self._admin_named = admin_cued - city_cued
        within, qualifier = self._qualifiers(mentions, text)
        choice = self._choose(mentions, ctx, top, within)

        # "Atlanta, Georgia": Y is the unit that holds the place X was read as
        for k, (kx, unit) in qualifier.items():
            got, x = choice.get(k), choice.get(kx)
            if got and x and x[0] is not None and got[0] is not None and \
                    got[0].id != unit.id and _inside(x[0], unit):
                choice[k] = (unit, got[1], got[2])

        self._lists(mentions, choice, text, within)
        self._surroundings(mentions, choice, text)
        self._apply_focus(mentions, choice, analysis, src, within, ctx, top)
        places: list[Place] = []
        for k, m in enumerate(mentions):
            if not m.extra.get("context_only"):
                places.append(self._place(m, choice.get(k), text))
        return self._localities(places, text, analysis.geo_focus)

    # ---------------------------------------------------------------- localities
    def _localities(self, places: list[Place], text: str, geo_focus: dict | None) -> list[Place]:
        """Local places the gazetteer lacks ("the town of Ramia", "Sakkada, Gyadadde and Otawa
        villages", "in Fafi, Garissa County"): a place of feature "locality" with its own name,
        at its most specific known container (the unit named right after it, else the last unit
        the story named before it, else the story's country), with the container's precision.
        A known name the text puts in another unit than its reading is a local name too ("the
        districts of Bel-Air and Solino located in the suburbs of Port-au-Prince": no Bel Air in
        Maryland); so is every other mention of a local name (one sense per text)."""
        names = _local_names(text)
        if not names:
            return places
        focus = {c["country_code"] for c in (geo_focus or {}).get("countries") or ()}

        def usable(p: Place) -> bool:
            return p.latitude is not None and p.feature not in ("demonym", "locality") and \
                p.role != "speaker_location" and p.relation not in ("origin", "name", "border")

        # indexes (a long text has thousands of places): by start, by end
        ordered = sorted(places, key=lambda p: p.start)
        starts = [p.start for p in ordered]
        longest = max((p.end - p.start for p in ordered), default=0)
        by_end: dict[int, list[Place]] = {}
        for p in ordered:
            by_end.setdefault(p.end, []).append(p)
        before_pool = [p for p in ordered if usable(p) and p.feature != "country"
                       and (not focus or p.country_code in focus)]
        before_starts = [p.start for p in before_pool]
        _stop = re.compile(r"[.;!?\n]")

        def sentence_end(i: int) -> int:
            m = _stop.search(text, i)
            return m.end() if m else len(text)

        def overlapping(a: int, b: int) -> Place | None:
            for k in range(bisect.bisect_left(starts, a - longest), bisect.bisect_left(starts, b)):
                if a < ordered[k].end:
                    return ordered[k]
            return None

        def explicit_container(end: int, start: int, word: str) -> Place | None:
            if word == "'s":    # "Lakki Marwat's Serai Naurang": the possessor holds it
                q = text.rfind("'", 0, start) if "'" in text[max(0, start - 4):start] else \
                    text.rfind("’", 0, start)
                return next((p for p in by_end.get(q, ()) if usable(p)), None)
            k = bisect.bisect_left(starts, end)
            if k >= len(ordered) or ordered[k].start > sentence_end(end):
                return None
            p = ordered[k]
            gap = text[end:p.start]
            # "the Iressuki area, Elwak, Mandera County": past another unknown name
            gap = _UNKNOWN_LINK.sub(", ", gap, count=1) if word != "," else gap
            if len(gap) <= 45 and _CONTAINER_GAP.match(gap) and usable(p) and (
                    word != "," or p.feature in (ADMIN1, ADMIN2, COUNTRY)):
                # ("in Fafi, Garissa County"; not "Marseille, Lyon"); "in Mali's Mopti
                # region": the unit the possessive names
                for q in ordered[bisect.bisect_right(starts, p.end):][:3]:
                    if usable(q) and q.country_code == p.country_code and \
                            re.fullmatch(r"['’]s\s+(?:the\s+)?", text[p.end:q.start]):
                        return q
                return p
            return None

        def story_container(start: int) -> Place | None:
            k = bisect.bisect_right(before_starts, start)
            before = []
            p1 = text.rfind(".", 0, start)
            p0 = text.rfind(".", 0, p1) if p1 > 0 else -1
            while k > 0:
                k -= 1
                p = before_pool[k]
                if p.end > start:
                    continue
                if before and p.start <= p0:
                    break
                before.append(p)
            if before:
                # the most specific of the places named just before (the sentence before it and
                # its own), else the last one ("attacked Mora in the Far North region. ... the
                # nearby village of X": near Mora)
                recent = [p for p in before if p.start > p0] or before[:1]
                rank = {PLACE: 3, ADMIN2: 2, ADMIN1: 1}
                return max(recent, key=lambda p: (rank.get(p.feature, 0), p.start))
            # the first-level unit the story names most, in the country it is most about
            c = next(iter((geo_focus or {}).get("countries") or ()), None)
            a1 = next(iter((geo_focus or {}).get("admin1") or ()), None)
            if c is not None and a1 is not None and a1["country_code"] == c["country_code"]:
                unit = next((p for p in ordered if usable(p) and p.feature == ADMIN1
                             and p.country_code == a1["country_code"] and p.admin1 == a1["admin1"]), None)
                if unit is None:
                    rec = next((r for r in self.gaz.lookup(a1["admin1"]) if r.kind == ADMIN1
                                and r.country_code == a1["country_code"]), None)
                    if rec is not None:
                        unit = Place(text=rec.name, start=-1, end=-1, confidence=0.5)
                        self._fill(unit, rec)
                if unit is not None:
                    return unit
            # the country the story is most about (its name, else only demonyms: "a Lebanese
            # security official")
            countries = [p for p in ordered if usable(p) and p.feature == "country"
                         and (c is None or p.country_code == c["country_code"])]
            if countries:
                return countries[0]
            if c is None or c.get("latitude") is None:
                return None
            return Place(text=c["country"] or c["country_code"], start=-1, end=-1,
                         name=c["country"], country=c["country"], country_code=c["country_code"],
                         latitude=c["latitude"], longitude=c["longitude"], feature=COUNTRY,
                         confidence=0.5)

        # the lists: names sharing one frame end (one container for all)
        replaced: set[int] = set()          # ids of the places a locality replaces
        added: list[Place] = []
        local: dict[str, Place] = {}
        list_gap = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)")
        tail_rx = re.compile(r"\s+(?:" + _LW + r")\b")
        i = 0
        while i < len(names):
            j = i
            while j + 1 < len(names) and list_gap.fullmatch(text, names[j][1], names[j + 1][0]):
                j += 1
            run = names[i:j + 1]
            i = j + 1
            end = run[-1][1]
            tail = tail_rx.match(text, end)
            explicit = explicit_container(tail.end() if tail else end, run[0][0], run[0][3])
            if run[0][3] in (",", "'s") and explicit is None:
                continue
            container = explicit or story_container(run[0][0])
            if container is None:
                continue
            known = [overlapping(s, e) for s, e, _, _ in run]
            if explicit is None and all(k is not None and k.latitude is not None for k in known):
                continue    # "the town of Aleppo": a known place, no local name
            # a list of villages the gazetteer mostly lacks: a known name among them read in
            # another unit is a local namesake ("Sakkada, Gyadadde, Sabon Gari and Otawa villages")
            unknown_in_run = sum(k is None or k.latitude is None for k in known) * 2 >= len(run)
            for (s, e, name, word), k in zip(run, known):
                if k is not None and (k.feature == "demonym" or id(k) in replaced):
                    continue    # "a Syrian town": no town named Syrian
                if k is not None and k.latitude is not None and (
                        k.feature == "country" or _within(k, container) or word == ","
                        or (explicit is None and k.country_code in focus and not unknown_in_run)):
                    continue    # "Gusau town in Zamfara": a known town in its unit
                if k is not None and (k.start != s or k.end != e) and k.latitude is not None:
                    continue    # a known name longer or shorter than the local one
                if any(x.start < e and s < x.end for x in added[-len(run) - 1:]):
                    continue
                loc = self._locality(name, s, e, container, word, explicit is not None, text)
                if k is not None:
                    replaced.add(id(k))
                added.append(loc)
                local.setdefault(name, loc)
        # one sense per text: the other mentions of a local name (one pass over the text)
        if local:
            taken = sorted((x.start, x.end) for x in added)
            taken_starts = [a for a, _ in taken]
            rx = re.compile(r"(?<![\w'’-])(?:" + "|".join(
                re.escape(n) for n in sorted(local, key=len, reverse=True)) + r")(?![\w'’-])")
            for m in rx.finditer(text):
                ms, me = m.start(), m.end()
                if re.search(r"[A-Z][\w'’-]*\s$", text[max(0, ms - 30):ms]) or \
                        re.match(r"\s[A-Z]", text[me:me + 2]):
                    continue    # "Sabon Gari Damri" is no mention of Damri
                t = bisect.bisect_right(taken_starts, ms)
                if (t and taken[t - 1][1] > ms) or (t < len(taken) and taken[t][0] < me):
                    continue    # already a locality
                k = overlapping(ms, me)
                if k is not None and id(k) not in replaced and (k.start != ms or k.end != me):
                    continue
                first = local[m.group(0)]
                loc = Place(**{**first.__dict__, "start": ms, "end": me,
                               "text": text[ms:me], "role": _role(text, ms, me)})
                if k is not None:
                    replaced.add(id(k))
                added.append(loc)
        out = [p for p in places if id(p) not in replaced] + added
        out.sort(key=lambda p: p.start)
        return out

    @staticmethod
    def _locality(name: str, s: int, e: int, container: Place, word: str, explicit: bool,
                  text: str) -> Place:
        p = Place(text=text[s:e], start=s, end=e, name=name, country=container.country,
                  country_code=container.country_code,
                  admin1=container.admin1 if container.feature != "country" else None,
                  admin2=container.name if container.feature == "admin2" else container.admin2,
                  latitude=container.latitude, longitude=container.longitude,
                  feature="locality", confidence=round(0.6 * (container.confidence or 0.5), 3))
        p.container = container.name
        if container.feature == PLACE:
            p.geo_precision = 1 if explicit and word in FOCUS["neighbourhood_words"] else 2
        elif container.feature == ADMIN2:
            p.geo_precision = 2
        else:
            p.geo_precision = 3
        p.role = _role(text, s, e)
        return p

    def _context(self, mentions: list[Mention], analysis: Analysis) -> tuple[Counter, str | None]:
        """Each mention's relation ("60 km north of X", a border, an origin, a name), and the
        document's country context: the countries its mentions name, the caller's hint
        (``document.meta["countries"]``) and the source's country; returns (context, source
        country or None)."""
        text = analysis.document.text
        for m in mentions:
            rel = ("name", None) if m.extra.get("in_name") else relation(text, m.start, m.end)
            if rel is not None:
                m.extra["relation"], m.extra["offset"] = rel
        ctx = self._country_context(mentions, text)
        # optional hint from the caller: document.meta["countries"] = ["SY", ...]
        for cc in (analysis.document.meta or {}).get("countries") or ():
            ctx[str(cc).upper()] += 2.0
            self._named.add(str(cc).upper())
        src = source_country(analysis.document.source or analysis.document.url)
        if src and self.gaz.country(src) is not None:
            ctx[src] += FOCUS["source_weight"]
        return ctx, src

    def _qualifiers(self, mentions: list[Mention], text: str
                    ) -> tuple[dict[int, Record], dict[int, tuple[int, Record]]]:
        """"X, Y" where Y is an unambiguous admin1/country mention right after X: ``within``
        (mention index of X -> the unit it is read inside; the same unit for the other mentions
        of X's name, one sense per text) and ``qualifier`` (index of Y -> (index of X, the unit
        that holds one of X's readings))."""
        within: dict[int, Record] = {}
        qualifier: dict[int, tuple[int, Record]] = {}     # Y of "X, Y" -> (X, the unit)
        for k in range(len(mentions) - 1):
            m, n = mentions[k], mentions[k + 1]
            gap = text[m.end:n.start]
            if gap.strip() == "," and len(gap) <= 3 and n.ids and not n.demonym_cc and \
                    n.cue != PLACE:         # "Montreal, Quebec City": a list, not a qualifier
                cands = [self.gaz.record(i) for i in n.ids]
                big = [c for c in cands if c.kind in (ADMIN1, COUNTRY)]
                if big:
                    # "Atlanta, Georgia": the unit that holds one of X's readings (the US
                    # state, not the country Georgia); otherwise the biggest
                    inner = [self.gaz.record(i) for i in m.ids]
                    inner = [r for r in inner if r.kind == PLACE or
                             (r.kind == ADMIN2 and m.cue == ADMIN2)]
                    holding = [c for c in big if any(_inside(r, c) for r in inner)]
                    within[k] = max(holding or big,
                                    key=lambda c: (c.kind == ADMIN1, c.population)
                                    if holding else (c.kind == COUNTRY, c.population))
                    if holding:
                        qualifier[k + 1] = (k, within[k])
        # one sense per text: "GLASGOW, Ky. -- ... in Glasgow": the qualified reading holds for
        # the other mentions of the same name
        qualified: dict[str, Record] = {}
        for k, w in within.items():
            qualified.setdefault(name_key(mentions[k].text), w)
        for k, m in enumerate(mentions):
            w = qualified.get(name_key(m.text))
            if k not in within and w is not None and not m.demonym_cc:
                within[k] = w
        return within, qualifier

    def _choose(self, mentions: list[Mention], ctx: Counter, top: float,
                within: dict[int, Record]) -> dict[int, tuple[Record | None, float, float]]:
        """The best-scored reading of every mention with candidates: mention index -> (record,
        score, margin over the second best). Two passes: the second adds the admin1 context of
        the first (admin1s named explicitly, places without rival candidates)."""
        choice: dict[int, tuple[Record | None, float, float]] = {}
        a1ctx: Counter = Counter()
        for _pass in (0, 1):
            for k, m in enumerate(mentions):
                if m.demonym_cc or not m.ids:
                    continue
                recs = [self.gaz.record(i) for i in m.ids]
                own_a1 = Counter()
                if _pass:
                    # admin1 context from the *other* mentions
                    own = choice.get(k)
                    if own and own[0] is not None:
                        own_a1[own[0].admin1_id] += 1
                ctx_a1 = a1ctx if _pass else Counter()
                scored = sorted(((self._score(m, r, ctx, top, ctx_a1, recs, within.get(k)), r)
                                 for r in recs),
                                key=lambda x: (-x[0], -x[1].population))
                best_s, best = scored[0]
                second = scored[1][0] if len(scored) > 1 else best_s - 2.0
                choice[k] = (best, best_s, best_s - second)
            # admin1 context: admin1s named explicitly, and places without rival candidates
            a1ctx = Counter()
            for k, (r, _, _) in choice.items():
                if r is None or r.admin1_id < 0:
                    continue
                if r.kind == ADMIN1 or len({self.gaz.record(i).admin1_id
                                            for i in mentions[k].ids}) == 1:
                    a1ctx[r.admin1_id] += 1
        return choice

    def _apply_focus(self, mentions: list[Mention], choice: dict, analysis: Analysis,
                     src: str | None, within: dict, ctx: Counter, top: float) -> None:
        """The document's geographic focus: every place is read inside it unless the text says
        otherwise ("Gao, Mali"); a small town abroad is a local name the gazetteer lacks. Sets
        ``analysis.geo_focus``."""
        text = analysis.document.text
        self._containers(mentions, choice, text)
        fctx = self._focus_ctx
        if src and self.gaz.country(src) is not None:
            fctx[src] += FOCUS["source_weight"]
        for cc in (analysis.document.meta or {}).get("countries") or ():
            fctx[str(cc).upper()] += 2.0
        focus = self._focus_countries(fctx)
        if focus:
            self._in_focus(mentions, choice, focus, within, ctx, top)
        analysis.geo_focus = self._focus_summary(fctx, focus, mentions, choice, text)

    def _place(self, m: Mention, chosen: tuple[Record | None, float, float] | None,
               text: str) -> Place:
        """The output record of one mention: its reading's fields, a confidence from the
        mention's strength and the margin of its choice, its role and its relation."""
        p = Place(text=text[m.start:m.end], start=m.start, end=m.end)
        if m.demonym_cc:
            r = self.gaz.country(m.demonym_cc)
            p.feature = "demonym"
            if r is not None:
                self._fill(p, r)
                p.feature = "demonym"
            else:
                p.country_code = m.demonym_cc
            p.confidence = round(0.85 * m.strength, 3)
        elif chosen is not None and chosen[0] is not None:
            r, s, margin = chosen
            self._fill(p, r)
            conf = m.strength * (0.55 + 0.45 * min(1.0, max(0.0, margin) / 1.5))
            if m.loose:
                conf *= 0.85
            if m.extra.get("demonym"):
                p.feature = "demonym"
            p.confidence = round(min(1.0, conf), 3)
        else:
            p.confidence = round(0.35 * m.strength, 3)
        p.role = _role(text, m.start, m.end)
        rel = m.extra.get("relation")
        if rel is not None and p.latitude is not None and not m.demonym_cc:
            p.relation = rel
            if rel in ("near", "container"):
                # "60 km north of X": X's area, never X itself
                p.geo_precision = max(geo_precision(p), 2)
                off = m.extra.get("offset")
                if off and p.feature in (PLACE, ADMIN2):
                    p.area_point = list(_offset(p.latitude, p.longitude, *off))
        return p

    def _containers(self, mentions: list[Mention], choice: dict, text: str) -> None:
        """"Tinkaradu village in the Mopti region": a village the gazetteer lacks, then the unit
        that holds it. The unit is the most specific place known; its relation "container" says
        the event is somewhere in it (geo_precision at least 2)."""
        for k, m in enumerate(mentions):
            got = choice.get(k)
            if got is None or got[0] is None or got[0].kind == COUNTRY or m.demonym_cc:
                continue
            hit = _CONTAINED_LEFT.search(text[max(0, m.start - 80):m.start])
            if hit is None:
                continue
            a = max(0, m.start - 80) + hit.start("name")
            b = max(0, m.start - 80) + hit.end("name")
            if any(o.start < b and a < o.end and choice.get(j) and choice[j][0] is not None
                   for j, o in enumerate(mentions) if j != k):
                continue        # "Gusau town in Zamfara": a known town, not a container
            m.extra.setdefault("relation", "container")

    # ---------------------------------------------------------------- focus
    def _focus_countries(self, ctx: Counter) -> set[str]:
        """The countries the document is about: those named outright (a country's name or
        demonym) and those whose evidence is a fair share of the strongest one's; empty when
        the evidence is too thin for any rule."""
        top = max(ctx.values(), default=0.0)
        if top < FOCUS["min_evidence"]:
            return set()
        floor = max(FOCUS["min_share_evidence"], FOCUS["focus_share"] * top)
        best = max(ctx, key=ctx.get)
        return {cc for cc, w in ctx.items() if w >= floor} | (self._named & set(ctx)) | {best}

    def _in_focus(self, mentions: list[Mention], choice: dict, focus: set[str], within: dict,
                  ctx: Counter, top: float) -> None:
        """A place read outside the focus countries takes its reading inside them when it has
        one ("Falcon state" in a Venezuelan story is no Falcon in Western Australia); without
        one, a small foreign town or unit is a local name the gazetteer lacks ("Addis", "Bawan"
        in an Ethiopian or Nigerian story) and stays unresolved. A world city keeps its reading,
        and so does a place the text qualifies ("Gao, Mali")."""
        fctx = self._focus_ctx
        main = max(fctx, key=fctx.get) if fctx else None
        for k, (r, s_, mg) in list(choice.items()):
            m = mentions[k]
            if r is not None and m.loose and r.kind != COUNTRY and r.country_code != main and \
                    k not in within and fctx.get(r.country_code, 0) * 2 <= fctx.get(main, 0):
                # a spelling variant is trusted in the country the story is mostly about, not
                # in a neighbour it names ("Babeska" near "the border with Turkey")
                alts = [self.gaz.record(i) for i in m.ids]
                alts = [a for a in alts if a.country_code == main]
                choice[k] = (max(alts, key=lambda a: a.population) if alts else None, s_, mg)
                continue
            if r is not None and r.kind in (PLACE, ADMIN2) and r.country_code != main and \
                    k not in within and r.population < FOCUS["keep_population"] and \
                    fctx.get(r.country_code, 0) * 2 <= fctx.get(main, 0) and \
                    len({self.gaz.record(i).country_code for i in m.ids}) >= \
                    FOCUS["common_name_countries"] and \
                    not any(self.gaz.record(i).country_code == main for i in m.ids):
                # a name towns bear in many countries, none of them the one the story is
                # mostly about ("Bel Air" in a Haitian story): a local name, not the namesake
                # in a country the story merely mentions
                choice[k] = (None, s_, mg)
                continue
            if r is None or r.kind == COUNTRY or not r.country_code or r.country_code in focus:
                continue
            if k in within or m.demonym_cc:
                continue
            if r.kind == REGION:
                continue            # "the Sahel", "Eastern Ghouta": named regions stand
            alts = [self.gaz.record(i) for i in m.ids]
            alts = [a for a in alts if a.country_code in focus]
            if m.loose and (not alts or len({self.gaz.record(i).country_code
                                             for i in m.ids}) > LOOSE_MAX_COUNTRIES):
                # a spelling variant read as a town abroad ("Buhari" as Bauru), or one that
                # fits towns in half the world: no evidence of a place
                choice[k] = (None, s_, mg)
                continue
            if r.kind in (PLACE, ADMIN2) and r.population >= WORLD_CITY and not alts:
                continue
            if alts:
                if r.population >= FOCUS["keep_population"] and \
                        max(a.population for a in alts) * NAMESAKE_RATIO <= r.population:
                    continue        # "Paris", "Gaza": the big place, whatever namesake is near
                recs = [self.gaz.record(i) for i in m.ids]
                best = max(alts, key=lambda a: (self._score(m, a, ctx, top, Counter(), recs),
                                                a.population))
                choice[k] = (best, s_, mg)
                continue
            big = FOCUS["keep_admin1_population"] if r.kind == ADMIN1 else FOCUS["keep_population"]
            if r.population < big:
                choice[k] = (None, s_, mg)

    def _focus_summary(self, ctx: Counter, focus: set[str], mentions: list[Mention],
                       choice: dict, text: str) -> dict:
        """The focus as the output reports it: countries (with their evidence) and the first-level
        units most named in them."""
        countries = []
        for cc in sorted(focus or ({max(ctx, key=ctx.get)} if ctx else set()),
                         key=lambda c: (-ctx.get(c, 0), c)):     # ties by code: a set's order varies by run
            r = self.gaz.country(cc)
            countries.append({"country_code": cc, "country": r.name if r else None,
                              "evidence": round(ctx.get(cc, 0.0), 2),
                              "latitude": r.latitude if r else None,
                              "longitude": r.longitude if r else None})
        a1: Counter = Counter()
        for k, (r, _, _) in choice.items():
            if r is None or not r.admin1 or r.kind == COUNTRY or \
                    (countries and r.country_code not in {c["country_code"] for c in countries}):
                continue
            if _role(text, mentions[k].start, mentions[k].end) == "speaker_location":
                continue
            a1[(r.country_code, r.admin1)] += 1
        return {"countries": countries,
                "admin1": [{"country_code": cc, "admin1": a, "mentions": n}
                           for (cc, a), n in a1.most_common(3)]}

    def _lists(self, mentions: list[Mention], choice: dict, text: str, within: dict) -> None:
        """Names listed together are of one kind: "Montana and Wyoming", "Idaho, Utah, Colorado,
        Washington and California" are states (not Wyoming, Ohio or Washington, D.C.); "Russia,
        Turkey and Georgia" are countries. A member read as something else takes its reading of
        the kind all the others share (for states: in the same country)."""
        runs: list[list[int]] = []
        for k, m in enumerate(mentions):
            if runs and k - 1 == runs[-1][-1] and \
                    _LIST_GAP.match(text[mentions[k - 1].end:m.start]):
                runs[-1].append(k)
            else:
                runs.append([k])
        for run in runs:
            if len(run) < 2:
                continue
            for k in run:
                m, got = mentions[k], choice.get(k)
                if got is None or got[0] is None or m.cue is not None or k in within or \
                        m.demonym_cc:
                    continue
                others = [choice[o][0] for o in run if o != k and choice.get(o) and
                          choice[o][0] is not None and not mentions[o].demonym_cc]
                if len(others) < len(run) - 1:
                    continue            # an unresolved or demonym member: no evidence
                kinds = {o.kind for o in others}
                if len(kinds) != 1 or got[0].kind in kinds:
                    continue
                kind = next(iter(kinds))
                if kind not in (ADMIN1, COUNTRY):
                    continue
                ccs = {o.country_code for o in others}
                alt = [self.gaz.record(i) for i in m.ids]
                alt = [r for r in alt if r.kind == kind and (kind == COUNTRY or r.country_code in ccs)]
                if alt:
                    choice[k] = (max(alt, key=lambda r: r.population), got[1], got[2])

    def _around(self, r: Record) -> Record | None:
        """The first-level unit around a city that is a unit of its own (Rif Dimashq around
        Damascus; gazetteer_extra.yaml: admin1_surroundings), else None."""
        if r.kind not in (PLACE, ADMIN1, ADMIN2) or not r.admin1:
            return None
        name = ADMIN1_SURROUNDINGS.get((r.country_code, name_key(r.admin1)))
        if not name:
            return None
        return next((o for o in self.gaz.lookup(name)
                     if o.kind == ADMIN1 and o.country_code == r.country_code), None)

    def _surroundings(self, mentions: list[Mention], choice: dict, text: str) -> None:
        """"the Damascus countryside", "the outskirts of Damascus", "rural Damascus" (cue words),
        and Damascus as the qualifier of a place around it ("Eastern Ghouta of Damascus",
        "Eastern Ghouta, Damascus", "Eastern Damascus Ghouta"): the unit around the city."""
        if not ADMIN1_SURROUNDINGS:
            return
        for k, m in enumerate(mentions):
            got = choice.get(k)
            if got is None or got[0] is None:
                continue
            around = self._around(got[0])
            if around is None:
                continue
            hit = bool(m.extra.get("around"))
            if not hit and k > 0 and choice.get(k - 1) and choice[k - 1][0] is not None:
                gap = text[mentions[k - 1].end:m.start].strip().lower()
                hit = gap in (",", "of", "of the") and choice[k - 1][0].admin1_id == around.id
            if not hit and k + 1 < len(mentions) and choice.get(k + 1) and \
                    choice[k + 1][0] is not None:
                gap = text[m.end:mentions[k + 1].start]
                hit = gap == " " and choice[k + 1][0].admin1_id == around.id
            if hit:
                choice[k] = (around, got[1], got[2])

    def _arabic_form_filter(self, m: Mention) -> Mention:
        """An Arabic-form name ("al-Duhur", "Tel-Ahdiya", "Abu Dali") is a place in the Arab
        world or its neighbours, never a look-alike in Portugal or Ohio; a lone first word of such
        names ("Tal", "Abu") is the part of a name the gazetteer lacks."""
        if not m.ids or m.demonym_cc:
            return m
        words = re.split(r"[\s\-\u2019'`]+", m.text.strip())
        first = words[0].lower() if words else ""
        if len(words) == 1 and first in ARABIC_NAME_HEADS:
            m.ids = ()
            return m
        arabic = (len(words) > 1 and first in ARABIC_NAME_HEADS) or \
            bool(re.match(r"(?i)(?:al|el|ad|an|ar|as|ash|at|az|ed|es|ez)-\w", m.text))
        if arabic:
            m.ids = tuple(i for i in m.ids if self.gaz.record(i).kind in (COUNTRY, REGION) or
                          self.gaz.record(i).country_code in ARAB_WORLD)
        return m

    @staticmethod
    def _fill(p: Place, r: Record) -> None:
        p.name = r.name
        p.country = r.country
        p.country_code = r.country_code
        p.admin1 = r.admin1 if r.kind != COUNTRY else None
        p.admin2 = r.admin2
        p.latitude = r.latitude
        p.longitude = r.longitude
        p.feature = r.kind
        p.gazetteer_id = r.gazetteer_id
        p.population = r.population or None
