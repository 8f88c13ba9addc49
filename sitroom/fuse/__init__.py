"""Fusion of event mentions across documents into events.

A *mention* is one event as one document reports it (a dict in the ``events`` list of a pipeline
result). An *event* is what several mentions agree on. Both are handled as plain dicts with the
ACLED field names (``sitroom.store`` keeps them as rows), plus two derived integers:
``lo``/``hi``, the first and last day (proleptic ordinal) the event may have happened.

Rules (:func:`compare`), each leaving a human-readable reason:

* **type** - sub-event types must be in the same family (an air strike and a shelling of the same
  town the same day are one event reported two ways; an air strike and a protest never are),
  unless both reports' documents name the same participants and their evidence shares its wording
  (then the mismatch is taken for an extraction slip and only counts against);
* **date** - the date ranges implied by each report's ``time_precision`` must overlap (one day of
  slack for "overnight" and time zones);
* **place** - same country; within a distance that grows with the coarser ``geo_precision``
  (15 km for towns, 50 km for districts); a province-level report only needs the same admin1;
* **actors** - a shared actor counts for, naming only different actors counts against;
* **wording** - the content words of the evidence sentences overlap;
* **names** - the proper names of the two documents (people, vessels, towns, organisations:
  :func:`names`) overlap: the cosine of the two name sets, each name weighed by how rare it is
  among the documents seen so far (:class:`NameWeights`: "Sukanya" says more than "India"), and
  an event's names by how many of its sources give them (:func:`names_share`), so an event with
  many sources does not come to share every name of its topic. Few names in common counts against;
* **one document** - two reports from one document count a little for (:data:`SAME_DOC`), and
  their names are not compared;
* **fatalities** - close numbers count a little for; far-apart numbers a little against (they are
  kept anyway as ``fatalities_low``/``fatalities_high``).

Two events (a report is an event of one mention) become one when they score :data:`THRESHOLD` or
more; the best-scoring pair is joined first (:func:`consolidate`). Candidates come from a *blocking index* (:func:`block_keys`): an event is filed
under (place key, week bucket) for every week its date range covers, and a mention only looks at
events filed under its own place key (plus coarser keys) and the weeks its own range touches, so
fusion is near-linear in the number of mentions. An event is also filed under its longest proper
names, so a report with no place or no date finds the events whose documents name the same
participants (names filed under more than :data:`NAME_CAP` events are too common to look up).

The store (:mod:`sitroom.store`) fuses one transaction of documents at a time: every mention of
the batch starts as an event of its own, then :func:`consolidate` joins the best-scoring pair among
them and the stored events around them, rescores the joined event, and goes on until no pair
reaches the threshold (the older event keeps its id). Within a transaction the result does not
depend on the order of the documents (ties are broken by content, not arrival); across
transactions fusion stays greedy: an event is never split again, so a different grouping of the
same documents into transactions can give different events. :class:`Fuser` (no database) files
one mention at a time into the best candidate, then consolidates the same way.
"""
from __future__ import annotations

import heapq
import math
import re
from datetime import date, timedelta
from typing import Any, Iterable

THRESHOLD = 0.5
DAY_SLACK = 1
#: Largest distance (km) between two reports of one event, by the coarser geo_precision.
LIMIT_KM = {1: 15.0, 2: 50.0}
UNDATED = -1
MAX_BUCKETS = 60

FAMILIES: dict[str, str] = {}
for _fam, _subs in {
    "remote": ["Air/drone strike", "Shelling/artillery/missile attack", "Chemical weapon"],
    "explosive": ["Suicide bomb", "Remote explosive/landmine/IED", "Grenade"],
    "battle": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory",
               "Non-violent transfer of territory"],
    "civilians": ["Attack", "Abduction/forced disappearance", "Sexual violence"],
    "protest": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "riot": ["Violent demonstration", "Mob violence"],
}.items():
    for _s in _subs:
        FAMILIES[_s] = _fam
#: Families that reports of one real event often mix (an "attack" that was a bombing or a clash).
NEAR_FAMILIES = {frozenset(p) for p in [("civilians", "battle"), ("civilians", "explosive"),
                                        ("remote", "explosive"), ("protest", "riot")]}

#: Fields copied from a location when a more precise one refines it.
PLACE_FIELDS = ("country", "country_code", "admin1", "admin2", "location", "latitude", "longitude",
                "geo_precision")


def family(sub_event_type: str | None) -> str | None:
    if not sub_event_type:
        return None
    return FAMILIES.get(sub_event_type, sub_event_type.casefold())


# ------------------------------------------------------------------ dates

def parse_day(value: str | None) -> tuple[date, int] | None:
    """An ISO date at its own granularity -> (first day, implied precision)."""
    if not value:
        return None
    try:
        if len(value) >= 10:
            return date.fromisoformat(value[:10]), 1
        if len(value) == 7:
            return date(int(value[:4]), int(value[5:7]), 1), 3
        if len(value) == 4:
            return date(int(value), 1, 1), 4
    except ValueError:
        return None
    return None


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def date_range(event_date: str | None, precision: int | None) -> tuple[int, int] | None:
    """First and last day (ordinals) an event reported at this date and precision may fall on."""
    parsed = parse_day(event_date)
    if parsed is None:
        return None
    d, implied = parsed
    p = max(precision or implied, implied)
    o = d.toordinal()
    if p <= 1:
        lo = hi = o
    elif p == 2:
        lo, hi = o - 7, o + 7
    elif p == 3:
        if d.day == 1:
            lo, hi = o, (_month_end(d).toordinal() if d < date(9999, 12, 1) else o + 30)
        else:
            lo, hi = o - 15, o + 15
    else:
        lo, hi = date(d.year, 1, 1).toordinal(), date(d.year, 12, 31).toordinal()
    # the first and last days of the calendar (year 1, year 9999) bound every range
    return max(lo, 1), min(hi, date.max.toordinal())


def _iso(ordinal: int | None) -> str | None:
    return date.fromordinal(ordinal).isoformat() if ordinal is not None else None


# ------------------------------------------------------------------ places

def _norm(s: Any) -> str:
    return " ".join(str(s).split()).casefold() if s else ""


def place_key(rec: dict) -> tuple[str, str]:
    """(country key, finest place key): ("SY", "SY|idlib"), ("SY", "SY"), or ("", "").
    Memoised in ``rec["_pk"]`` (records are dicts; :func:`merge` refreshes it)."""
    got = rec.get("_pk")
    if got is None:
        got = rec["_pk"] = _place_key(rec)
    return got


def _place_key(rec: dict) -> tuple[str, str]:
    cc = (rec.get("country_code") or "").upper() or _norm(rec.get("country"))
    if not cc:
        # a named place the gazetteer could not put in a country ("Gulf of Aden"): its own key
        loc = _norm(rec.get("location"))
        return ("@" + loc, "@" + loc) if loc else ("", "")
    a1 = _norm(rec.get("admin1"))
    return cc, f"{cc}|{a1}" if a1 else cc


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


# ------------------------------------------------------------------ records

def _actors(rec: dict) -> set[str]:
    return {_norm(rec.get(k)) for k in ("actor1", "actor2", "assoc_actor_1") if rec.get(k)}


def _same_actor(a: str, b: str) -> bool:
    """One actor named generically by one report and with its country by another ("police
    forces" and "police forces of united states")."""
    return a.startswith(b + " of ") or b.startswith(a + " of ")


def mention_record(ev: dict, context: frozenset | None = None, source: Any = None) -> dict:
    """A pipeline event dict -> a mention record (ACLED fields + lo/hi/family/actors, the content
    words of its evidence, and ``names``: the proper names of its document, ``context`` when the
    caller computed them with :func:`document_names`, else those of its own evidence).
    ``source``: a key of its document; two records of one document never count their names as
    shared (they are the same names)."""
    rec = {k: ev.get(k) for k in (
        "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
        "actor2", "country", "country_code", "admin1", "admin2", "location", "latitude",
        "longitude", "geo_precision", "fatalities", "fatalities_low", "fatalities_high",
        "civilian_fatalities", "injured", "notes", "confidence")}
    rec["contested"] = bool(ev.get("contested"))
    rng = date_range(rec["event_date"], rec["time_precision"])
    rec["lo"], rec["hi"] = rng if rng else (None, None)
    rec["family"] = family(rec["sub_event_type"])
    rec["actors"] = sorted(_actors(rec))
    texts = [str(sp.get("text") or "") for sp in (ev.get("evidence") or []) if isinstance(sp, dict)]
    rec["terms"] = terms(" ".join(texts))
    rec["names"] = context if context is not None else names(texts)
    rec["source_docs"] = frozenset() if source is None else frozenset([source])
    return rec


_WORD = re.compile(r"[^\W\d_]{4,}")
#: Words too common in conflict news to say which event a report is about.
STOPWORDS = frozenset("""
    that this with from have were been their they them there than then when what which while who whom
    whose where will would could should about after before also into over under more most other some
    such only very just said says told tells saying according reported report reports news agency
    local officials official statement sources source today yesterday monday tuesday wednesday thursday
    friday saturday sunday week weeks month months year years people least including against during
    between being because however among within without around since until still even many much several
""".split())
MAX_TERMS = 300
MAX_NAMES = 200
#: Names signal: ``NAMES_WEIGHT * share - NAMES_PENALTY`` where share is the overlap coefficient of
#: the two sides' proper names (each side needs at least NAMES_MIN names).
NAMES_WEIGHT = 0.3
NAMES_PENALTY = 0.1
NAMES_MIN = 2
#: Share of names (at least 3 of them) above which a type mismatch is taken for an extraction slip.
STRONG_NAMES = 0.6
#: Share of content words above which two reports' wording counts as "nearly the same".
STRONG_WORDING = 0.5


def terms(text: str) -> frozenset:
    """Content words of a report's evidence, for the wording signal of :func:`compare`."""
    return frozenset(w for w in (x.casefold() for x in _WORD.findall(text or "")) if w not in STOPWORDS)


_NAME = re.compile(r"[A-Z][^\W\d_]*(?:['’-][^\W\d_]+)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“‘(\[]\s*|\n\s*)$")
#: Capitalised words that name nothing in particular.
GENERIC_NAMES = frozenset("""
    the a an and but he she it we they his her its their there this that these those in on at for of
    by with from as after before when while if mr mrs ms dr gen col lt sgt capt president minister
    police army navy government officials official said says according reuters ap afp bbc cnn
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
""".split()) | STOPWORDS


def names(texts: Iterable[str]) -> frozenset:
    """Proper names (capitalised words not at a sentence start, casefolded) in ``texts``: the
    participants, vessels, places and organisations a report names, for :func:`compare`."""
    out = set()
    for t in texts:
        for mt in _NAME.finditer(t or ""):
            w = mt.group().casefold()
            if len(w) < 3 or w in GENERIC_NAMES:
                continue
            if _SENTENCE_START.search(t[max(0, mt.start() - 3):mt.start()]):
                continue
            out.add(w.removesuffix("'s").removesuffix("’s"))
    return frozenset(out)


def document_names(result: dict) -> frozenset:
    """The proper names of a whole pipeline result: every evidence span of its events, claims,
    figures and agreements (the same document names its participants in several sentences)."""
    texts = []
    for k in ("events", "claims", "figures", "agreements"):
        for x in result.get(k) or ():
            if isinstance(x, dict):
                texts += [str(sp.get("text") or "") for sp in x.get("evidence") or () if isinstance(sp, dict)]
    return names(dict.fromkeys(texts))


def _fat_range(rec: dict) -> tuple[int | None, int | None]:
    f = rec.get("fatalities")
    lo = rec.get("fatalities_low")
    hi = rec.get("fatalities_high")
    lo = lo if lo is not None else f
    hi = hi if hi is not None else (f if f is not None else lo)
    if lo is None:
        lo = hi
    return lo, hi


def new_event(m: dict) -> dict:
    """A fused event that (so far) has one mention."""
    e = {k: m.get(k) for k in (
        "event_date", "time_precision", "event_type", "sub_event_type", "family", "actor1",
        "assoc_actor_1", "actor2", *PLACE_FIELDS, "civilian_fatalities", "injured", "notes",
        "confidence", "contested", "lo", "hi")}
    e["actors"] = list(m.get("actors") or [])
    e["source_docs"] = frozenset(m.get("source_docs") or ())
    e["terms"] = frozenset(m.get("terms") or ())
    nm = m.get("names") or ()
    e["name_counts"] = {n: 1 for n in nm}       # name -> how many of its mentions' documents name it
    e["name_n"] = 1 if nm else 0                # mentions that brought names
    e["names"] = frozenset(nm)
    lo, hi = _fat_range(m)
    e["fatalities_low"], e["fatalities_high"] = lo, hi
    e["fatalities"] = lo
    e["n_mentions"] = 1
    return e


# ------------------------------------------------------------------ blocking

def buckets(lo: int | None, hi: int | None, slack: int = 0) -> list[int]:
    if lo is None or hi is None:
        return [UNDATED]
    b0, b1 = (lo - slack) // 7, (hi + slack) // 7
    if b1 - b0 >= MAX_BUCKETS:
        b1 = b0 + MAX_BUCKETS - 1
    return list(range(b0, b1 + 1))


def block_keys(e: dict) -> list[tuple[str, str, int]]:
    """Rows under which an event is filed: (country key, place key, week bucket), and
    (NAME_COUNTRY, "~name", NAME_BUCKET) for up to NAME_KEYS of its proper names."""
    country, place = place_key(e)
    rows = [(country, place, b) for b in buckets(e.get("lo"), e.get("hi"))]
    rows += [(NAME_COUNTRY, NAME_PREFIX + n, NAME_BUCKET) for n in name_keys(e)]
    return rows


#: The name part of the blocking index: an event is also filed under its longest proper names
#: (the most specific: "sukanya", "philadelphia"), so a report that gives no place (or no date)
#: still finds the events whose documents name the same participants. A name filed under more
#: than NAME_CAP events is too common to block on and is ignored by lookups.
NAME_KEYS = 12
NAME_CAP = 200
NAME_BUCKET = -2
NAME_COUNTRY = "~"
NAME_PREFIX = "~"


def name_keys(e: dict) -> list[str]:
    return sorted((n for n in e.get("names") or () if len(n) <= 150), key=lambda n: (-len(n), n))[:NAME_KEYS]


class NameWeights:
    """How much a shared proper name says: its inverse document frequency among the documents
    fused so far, ``log((documents + 1) / (documents naming it + 0.5))``. A name every report of a
    region gives ("India", "Gulf", "Aden") weighs almost nothing; a ship's or a victim's name
    ("Sukanya", "Hiller") weighs most. With no documents counted every name weighs the same.
    The store keeps the counts in its ``name_docs`` table; :meth:`observe` adds a document."""

    def __init__(self, doc_freq: dict[str, int] | None = None, documents: int = 0) -> None:
        self.doc_freq = dict(doc_freq or {})
        self.documents = documents
        self._memo: dict[str, float] = {}

    def observe(self, names: Iterable[str]) -> None:
        self.documents += 1
        for n in set(names):
            self.doc_freq[n] = self.doc_freq.get(n, 0) + 1
        self._memo = {}

    def __call__(self, name: str) -> float:
        got = self._memo.get(name)
        if got is None:
            got = self._memo[name] = math.log((self.documents + 1) / (self.doc_freq.get(name, 0) + 0.5))
        return got

    def norm(self, rec: dict, by_sources: bool) -> float:
        """The length of a record's weighted name vector: its names (``by_sources`` False) or a
        typical source's (each name by the share of sources naming it). Memoised in the record
        until :func:`merge` changes its names or new documents change the weights."""
        slot = "_nb" if by_sources else "_na"
        got = rec.get(slot)
        if got is not None and got[0] is self._memo:
            return got[1]
        if by_sources:
            counts, n = _source_counts(rec)
            v = math.sqrt(sum((self(x) * c / n) ** 2 for x, c in counts.items()))
        else:
            v = math.sqrt(sum(self(x) ** 2 for x in rec.get("names") or ()))
        rec[slot] = (self._memo, v)
        return v


#: The weighted cosine of two documents' names that counts as full agreement (share 1.0): reports
#: of one event share about 0.2 of their (weighted) names, reports of look-alike events of one
#: topic about 0.01 (ECB+, its median pairs).
COSINE_FULL = 0.3
#: Two reports of one document: its names say nothing (they are the same names), but a document
#: rarely reports two events of one type at one place without telling them apart by date or
#: place (ACLED's coding unit: one event per type, place and day), so this counts a little for.
SAME_DOC = 0.1


def names_share(nm: frozenset, e: dict, shared: frozenset, weights: NameWeights | None = None,
                m: dict | None = None) -> float:
    """How much of a mention's names an event's sources name, from 0 to 1: the cosine between the
    mention's names and a *typical* source of the event (each name counts by the share of the
    event's sources that name it, so an event that gathered many documents does not come to
    "share" every name of its topic), names weighed by rarity (:class:`NameWeights`), divided by
    :data:`COSINE_FULL`. ``m``: the record ``nm`` comes from (memoises its vector's length)."""
    w = weights or _FLAT
    counts, n = _source_counts(e)
    dot = sum(w(x) ** 2 * counts.get(x, 0) for x in shared) / n
    a = w.norm(m, False) if m is not None else math.sqrt(sum(w(x) ** 2 for x in nm))
    b = w.norm(e, True)
    return min(1.0, dot / (a * b) / COSINE_FULL) if a and b else 0.0


def _source_counts(e: dict) -> tuple[dict[str, int], int]:
    counts, n = e.get("name_counts"), e.get("name_n") or 0
    if not counts or n < 1:
        return dict.fromkeys(e.get("names") or (), 1), 1
    return counts, n


_FLAT = NameWeights()


def wants_names(m: dict) -> bool:
    """A mention without a place or without a date also looks its candidates up by name."""
    return bool(m.get("names")) and (not place_key(m)[0] or m.get("lo") is None)


# ------------------------------------------------------------------ comparison

def compare(m: dict, e: dict, weights: NameWeights | None = None) -> tuple[float | None, list[str]]:
    """Score how likely mention ``m`` reports event ``e``; None when a rule forbids it.
    ``weights``: how much each shared proper name says (default: all alike)."""
    score, why = 0.0, []

    # wording: the reports' evidence shares its content words
    tm, te = m.get("terms"), e.get("terms")
    overlap, common = 0.0, frozenset()
    if tm and te and len(tm) >= 3 and len(te) >= 3:
        common = tm & te
        overlap = len(common) / min(len(tm), len(te))
    # names: the participants, vessels, places, organisations both reports' documents name
    nm, ne = m.get("names"), e.get("names")
    shared_names, name_share = frozenset(), None
    one_document = not (m.get("source_docs") or frozenset()).isdisjoint(e.get("source_docs") or ())
    if one_document:
        score += SAME_DOC
        why.append("reported by the same document (its names not compared)")
    elif nm and ne and len(nm) >= NAMES_MIN and len(ne) >= NAMES_MIN:
        shared_names = nm & ne
        name_share = names_share(nm, e, shared_names, weights, m)
    strong_names = name_share is not None and name_share >= STRONG_NAMES and len(shared_names) >= 3

    # type
    sm, se = m.get("sub_event_type"), e.get("sub_event_type")
    fm, fe = m.get("family"), e.get("family")
    if sm and se:
        if sm == se:
            score += 0.3
            why.append(f"same sub-event type ({sm})")
        elif fm == fe:
            score += 0.2
            why.append(f"same sub-event family '{fm}' ({sm} ~ {se})")
        elif frozenset((fm, fe)) in NEAR_FAMILIES:
            score += 0.05
            why.append(f"related sub-event families ({sm} ~ {se})")
        elif strong_names and overlap >= 0.25:
            # the same participants in the same words: one event the extractor typed two ways
            score -= 0.1
            why.append(f"different sub-event types ({sm} vs {se}) but the reports name the same participants")
        else:
            return None, [f"different sub-event types ({sm} vs {se})"]
    else:
        why.append("sub-event type unknown on one side")

    # date
    if m.get("lo") is not None and e.get("lo") is not None:
        if m["lo"] - DAY_SLACK > e["hi"] or e["lo"] - DAY_SLACK > m["hi"]:
            return None, [f"dates do not overlap ({_iso(m['lo'])}..{_iso(m['hi'])} vs "
                          f"{_iso(e['lo'])}..{_iso(e['hi'])})"]
        pm, pe = m.get("time_precision") or 3, e.get("time_precision") or 3
        if pm == 1 and pe == 1:
            if m["lo"] == e["lo"]:
                score += 0.3
                why.append(f"same day ({_iso(m['lo'])})")
            else:
                score += 0.2
                why.append(f"one day apart ({_iso(m['lo'])} vs {_iso(e['lo'])})")
        else:
            score += 0.1
            why.append(f"date ranges overlap ({m.get('event_date')} p{pm} vs {e.get('event_date')} p{pe})")
    else:
        why.append("undated on one side")

    # place
    cm, _ = place_key(m)
    ce, _ = place_key(e)
    named = cm.startswith("@") or ce.startswith("@")
    if named and cm == ce:       # a sea, a region the gazetteer lacks: as coarse as an admin1
        score += 0.1
        why.append(f"same named place ({m.get('location')}), not in the gazetteer")
    elif named and cm and ce and _near_region(m, e):
        score += 0.05
        why.append(f"{m.get('location')} and {e.get('location')} lie within {REGION_KM:g} km of each other")
    elif named or not (cm and ce):
        why.append("place unknown on one side")
    else:
        if cm != ce:
            return None, [f"different countries ({cm} vs {ce})"]
        gm, ge = m.get("geo_precision") or 3, e.get("geo_precision") or 3
        coarse = max(gm, ge)
        a1m, a1e = _norm(m.get("admin1")), _norm(e.get("admin1"))
        limit = LIMIT_KM.get(coarse)
        have_xy = None not in (m.get("latitude"), m.get("longitude"), e.get("latitude"), e.get("longitude"))
        if limit is not None and have_xy:
            d = haversine_km(m["latitude"], m["longitude"], e["latitude"], e["longitude"])
            if d > limit:
                return None, [f"{d:.1f} km apart (limit {limit:g} km at geo_precision {coarse})"]
            score += 0.3 if coarse == 1 else 0.2
            why.append(f"{d:.1f} km apart (limit {limit:g} km at geo_precision {coarse})")
        elif limit is not None and _norm(m.get("location")) and _norm(m.get("location")) == _norm(e.get("location")):
            score += 0.3 if coarse == 1 else 0.2
            why.append(f"same location ({m.get('location')})")
        elif a1m and a1e and a1m != a1e:
            return None, [f"different admin1 ({m.get('admin1')} vs {e.get('admin1')})"]
        elif a1m and a1m == a1e:
            if limit is not None:   # both precise, no coordinates, different names
                if _norm(m.get("location")) and _norm(e.get("location")):
                    return None, [f"different locations ({m.get('location')} vs {e.get('location')})"]
            score += 0.1
            why.append(f"same admin1 ({e.get('admin1')}), coarse location (geo_precision {coarse})")
        else:
            score += 0.05
            why.append(f"same country ({cm}), no finer place on one side")

    # actors
    am, ae = set(m.get("actors") or ()), set(e.get("actors") or ())
    if am and ae:
        shared = am & ae or {a for a in am for b in ae if _same_actor(a, b)}
        if shared:
            score += 0.2
            why.append("shared actor " + ", ".join(sorted(shared)))
        else:
            score -= 0.25
            why.append("no actor in common")

    # wording
    if overlap >= STRONG_WORDING:
        score += 0.2
    elif overlap >= 0.25:
        score += 0.1
    if overlap >= 0.25:
        why.append(f"wording overlaps {overlap:.0%} ({', '.join(sorted(common)[:6])})")

    # names
    if name_share is not None:
        bonus = round(NAMES_WEIGHT * name_share - NAMES_PENALTY, 3)
        score += bonus
        why.append(f"names shared {name_share:.0%} ({', '.join(sorted(shared_names)[:6]) or 'none'}): {bonus:+.2f}")

    # fatalities
    lm, hm = _fat_range(m)
    le, he = e.get("fatalities_low"), e.get("fatalities_high")
    if lm is not None and le is not None:
        a, b = (hm if hm is not None else lm), (he if he is not None else le)
        near = min(abs(lm - le), abs(a - b), abs(lm - b), abs(a - le))
        if near <= max(2, 0.3 * max(a, b)):
            score += 0.1
            why.append(f"fatalities agree ({lm if lm == hm else f'{lm}-{hm}'} vs {le if le == he else f'{le}-{he}'})")
        else:
            score -= 0.05
            why.append(f"fatalities disagree ({lm} vs {le}-{he}), kept as low/high")
    return round(score, 3), why


#: How far (km) a point may lie from a named region's point (a sea, a desert) and still refine it.
REGION_KM = 1000.0


def _near_region(m: dict, e: dict) -> bool:
    """A named region ("Gulf of Aden") and a point near it (Aden): the same area, coarsely."""
    if None in (m.get("latitude"), m.get("longitude"), e.get("latitude"), e.get("longitude")):
        return False
    return haversine_km(m["latitude"], m["longitude"], e["latitude"], e["longitude"]) <= REGION_KM


def _inside(m: dict, e: dict) -> bool:
    """Whether mention ``m``'s place can refine event ``e``'s: the same country (and admin1, when
    both give one); a named region without a country ("Gulf of Aden") only by a point near it, so
    a stray town elsewhere never relocates the event."""
    if not place_key(e)[0]:
        return True
    cm, ce = _norm(m.get("country_code")), _norm(e.get("country_code"))
    if ce:
        if cm != ce:
            return False
        a1m, a1e = _norm(m.get("admin1")), _norm(e.get("admin1"))
        return not (a1m and a1e and a1m != a1e)
    return _near_region(m, e)


def merge(e: dict, m: dict) -> dict:
    """Fold mention ``m`` into event ``e`` (in place); returns ``e``."""
    e.pop("_na", None)
    e.pop("_nb", None)
    e["n_mentions"] = (e.get("n_mentions") or 0) + 1
    # date: intersect ranges; the more precise report's date wins
    if m.get("lo") is not None:
        pm, pe = m.get("time_precision") or 4, e.get("time_precision") or 4
        if e.get("lo") is None:
            e["lo"], e["hi"] = m["lo"], m["hi"]
            e["event_date"], e["time_precision"] = m["event_date"], m["time_precision"]
        else:
            lo, hi = max(e["lo"], m["lo"]), min(e["hi"], m["hi"])
            if pm < pe:
                e["event_date"], e["time_precision"] = m["event_date"], m["time_precision"]
            if lo <= hi:
                e["lo"], e["hi"] = lo, hi
            elif pm < pe:
                e["lo"], e["hi"] = m["lo"], m["hi"]
    # place: a more precise report refines the location
    gm, ge = m.get("geo_precision"), e.get("geo_precision")
    if place_key(m)[0] and (not place_key(e)[0] or (gm is not None and (ge is None or gm < ge))) \
            and _inside(m, e):
        for k in PLACE_FIELDS:
            e[k] = m.get(k)
        e["_pk"] = m["_pk"]
    else:
        for k in ("country", "country_code", "admin1", "admin2"):
            if not e.get(k) and m.get(k) and _norm(m.get("country_code")) == _norm(e.get("country_code")):
                e[k] = m[k]
                e.pop("_pk", None)
    # type, actors
    for k in ("sub_event_type", "event_type", "family", "actor1", "actor2", "assoc_actor_1"):
        if not e.get(k) and m.get(k):
            e[k] = m[k]
    e["actors"] = sorted(set(e.get("actors") or ()) | set(m.get("actors") or ()))
    if m.get("source_docs"):
        e["source_docs"] = frozenset(e.get("source_docs") or ()) | m["source_docs"]
    tm = m.get("terms")
    if tm:
        te = e.get("terms") or frozenset()
        if len(te) < MAX_TERMS:
            e["terms"] = frozenset(te | tm) if len(te | tm) <= MAX_TERMS else \
                frozenset(list(te) + sorted(tm - te)[:MAX_TERMS - len(te)])
    nm = m.get("names")
    if nm:
        counts = dict(e.get("name_counts") or {n: 1 for n in e.get("names") or ()})
        for x in nm:
            counts[x] = counts.get(x, 0) + 1
        if len(counts) > MAX_NAMES:     # keep the names most sources give
            counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NAMES])
        e["name_counts"] = counts
        e["name_n"] = (e.get("name_n") or (1 if e.get("names") else 0)) + 1
        e["names"] = frozenset(counts)
    # figures: every source's number is kept; the event spans them, ACLED-style conservative best
    lm, hm = _fat_range(m)
    if lm is not None:
        e["fatalities_low"] = lm if e.get("fatalities_low") is None else min(e["fatalities_low"], lm)
        e["fatalities_high"] = hm if e.get("fatalities_high") is None else max(e["fatalities_high"], hm)
        e["fatalities"] = e["fatalities_low"]
    for k in ("civilian_fatalities", "injured"):
        if m.get(k) is not None:
            e[k] = m[k] if e.get(k) is None else max(e[k], m[k])
    if m.get("confidence") is not None:
        e["confidence"] = max(e.get("confidence") or 0.0, m["confidence"])
    e["contested"] = bool(e.get("contested") or m.get("contested"))
    if not e.get("notes") and m.get("notes"):
        e["notes"] = m["notes"]
    return e


def best_match(m: dict, candidates: Iterable[tuple[Any, dict]],
               weights: NameWeights | None = None) -> tuple[Any, float | None, list[str], list[dict]]:
    """The best candidate (key, event) for ``m``: (key or None, score, reasons, rejected)."""
    best_key, best_score, best_why = None, None, []
    rejected: list[dict] = []
    for key, e in candidates:
        s, why = compare(m, e, weights)
        if s is None or s < THRESHOLD:
            if len(rejected) < 5:
                rejected.append({"event": key, "score": s, "reasons": why})
            continue
        if best_score is None or s > best_score:
            best_key, best_score, best_why = key, s, why
    return best_key, best_score, best_why, rejected


def merge_events(dst: dict, src: dict) -> dict:
    """Fold event ``src`` into event ``dst`` (in place): as :func:`merge` with ``src`` as one
    report, then the counts of both sides added up."""
    n = (dst.get("n_mentions") or 0) + (src.get("n_mentions") or 1)
    counts = dict(dst.get("name_counts") or {})
    for x, c in (src.get("name_counts") or {}).items():
        counts[x] = counts.get(x, 0) + c
    name_n = (dst.get("name_n") or 0) + (src.get("name_n") or 0)
    merge(dst, src)
    if counts:
        if len(counts) > MAX_NAMES:
            counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NAMES])
        dst["name_counts"], dst["name_n"], dst["names"] = counts, name_n, frozenset(counts)
    dst["n_mentions"] = n
    return dst


def consolidate(events: dict, index: "MemoryIndex", touched: Iterable, order=lambda k: k,
                weights: NameWeights | None = None, log: dict | None = None) -> list[dict]:
    """Join the events that turn out to be one, best-scoring pair first.

    Every event in ``touched`` is compared with the events the ``index`` gives for it (the one
    with fewer mentions as the report, the other as the event); every pair scoring
    :data:`THRESHOLD` or more waits in a queue, best first (ties: first in ``order``). The best pair
    becomes one event (the one first in ``order``, the older, absorbs the other); the joined event
    is compared again with its candidates, and so on until no pair reaches the threshold. So the
    result depends on the events and on ``order`` only, not on the order they came in. ``events``
    and ``index`` are updated in place. Returns the merges in order: ``{"from", "into", "score",
    "reasons"}``. ``log``, if given, receives for each touched key the number of candidates it
    was first compared with and the best-scoring 5 of those that scored too low (the closest
    calls first): ``{"candidates", "rejected"}``."""
    version: dict[Any, int] = {}
    queue: list[tuple] = []

    def offer(k) -> None:
        cands = index.candidates(events[k])
        note = None
        if log is not None and k not in log:
            note = log[k] = {"candidates": len(cands - {k}), "rejected": []}
        for c in sorted(cands, key=order):
            if c == k or c not in events:
                continue
            a, b = sorted((k, c), key=order)                    # a: the older
            n_a, n_b = (events[x].get("n_mentions") or 1 for x in (a, b))
            report, event = (a, b) if n_a < n_b else (b, a)     # the smaller side is the report
            s, why = compare(events[report], events[event], weights)
            if (s is None or s < THRESHOLD) and note is not None:
                note["rejected"].append({"event": c, "score": s, "reasons": why})
            if s is not None and s >= THRESHOLD:
                heapq.heappush(queue, (-s, order(a), order(b), version.get(a, 0), version.get(b, 0), a, b, why))
        if note is not None:    # the closest calls, stable for equal scores
            note["rejected"] = sorted(note["rejected"], key=lambda x: -1.0 if x["score"] is None else -x["score"])[:5]

    for k in sorted((k for k in set(touched) if k in events), key=order):
        offer(k)
    merges: list[dict] = []
    while queue:
        neg, _, _, va, vb, a, b, why = heapq.heappop(queue)
        if a not in events or b not in events or version.get(a, 0) != va or version.get(b, 0) != vb:
            continue                                            # one side changed since: rescored
        index.remove(b)
        index.remove(a)
        merge_events(events[a], events.pop(b))
        version[a] = version.get(a, 0) + 1
        index.add(a, events[a])
        merges.append({"from": b, "into": a, "score": -neg, "reasons": why})
        offer(a)
    return merges


# ------------------------------------------------------------------ in-memory fusion

class MemoryIndex:
    """The blocking index in memory: (place key, bucket) and (country, bucket) -> event keys."""

    def __init__(self) -> None:
        self.by_place: dict[tuple[str, int], set] = {}
        self.by_country: dict[tuple[str, int], set] = {}
        self.by_place_any: dict[str, set] = {}
        self.by_bucket: dict[int, set] = {}
        self.by_name: dict[str, set] = {}
        self.rows: dict[Any, list[tuple[str, str, int]]] = {}

    def add(self, key, e: dict) -> None:
        rows = block_keys(e)
        self.rows[key] = rows
        for country, place, b in rows:
            if b == NAME_BUCKET:
                self.by_name.setdefault(place, set()).add(key)
                continue
            self.by_place.setdefault((place, b), set()).add(key)
            self.by_country.setdefault((country, b), set()).add(key)
            self.by_place_any.setdefault(place, set()).add(key)
            self.by_bucket.setdefault(b, set()).add(key)

    def remove(self, key) -> None:
        for country, place, b in self.rows.pop(key, ()):
            if b == NAME_BUCKET:
                self.by_name[place].discard(key)
                continue
            self.by_place[(place, b)].discard(key)
            self.by_country[(country, b)].discard(key)
            self.by_place_any[place].discard(key)
            self.by_bucket[b].discard(key)

    def candidates(self, m: dict) -> set:
        return candidate_keys(m, self)


def query_plan(m: dict) -> tuple[str, list[str], list[str], list[int] | None]:
    """What a mention looks at: (mode, place keys, country keys, buckets or None for all)."""
    country, place = place_key(m)
    bs = None if m.get("lo") is None else buckets(m["lo"], m["hi"], DAY_SLACK) + [UNDATED]
    if place and place != country:           # admin1 known: same admin1, country-level, unplaced
        return "place", [place, country, ""], [], bs
    if country:                              # country only: everything in the country
        return "country", [""], [country], bs
    return "any", [], [], bs                 # no place: everything in the weeks (if dated)


def candidate_keys(m: dict, idx: MemoryIndex) -> set:
    mode, places, countries, bs = query_plan(m)
    out: set = set()
    if wants_names(m):
        for n in m["names"]:
            keys = idx.by_name.get(NAME_PREFIX + n)
            if keys and len(keys) <= NAME_CAP:
                out |= keys
    if bs is None:
        if mode == "any":
            return out                       # undated and unplaced: only events named alike
        for p in places:
            out |= idx.by_place_any.get(p, set())
        for c in countries:
            for b_key, keys in idx.by_country.items():
                if b_key[0] == c:
                    out |= keys
        return out
    for b in bs:
        if mode == "any":
            out |= idx.by_bucket.get(b, set())
            continue
        for p in places:
            out |= idx.by_place.get((p, b), set())
        for c in countries:
            out |= idx.by_country.get((c, b), set())
    return out


class Fuser:
    """Fusion without a database (tests, benchmarks, evaluation): ``add`` mentions, read ``events``.
    ``observe`` each document's names (:func:`document_names`) to weigh names by rarity."""

    def __init__(self) -> None:
        self.events: dict[int, dict] = {}
        self.index = MemoryIndex()
        self.weights = NameWeights()
        self.compared = 0
        self._last_key = 0

    def observe(self, names: Iterable[str]) -> None:
        """Count one document's proper names for :class:`NameWeights`."""
        self.weights.observe(names)

    def add(self, m: dict) -> tuple[int, dict]:
        """File a mention record; returns (event key, decision)."""
        keys = self.index.candidates(m)
        self.compared += len(keys)
        key, score, why, rejected = best_match(m, ((k, self.events[k]) for k in sorted(keys)), self.weights)
        if key is None:
            self._last_key += 1
            key = self._last_key
            self.events[key] = new_event(m)
            decision = {"decision": "new", "candidates": len(keys), "rejected": rejected}
        else:
            self.index.remove(key)
            merge(self.events[key], m)
            decision = {"decision": "merged", "score": score, "reasons": why, "candidates": len(keys)}
        self.index.add(key, self.events[key])
        return key, decision

    def consolidate(self, touched: Iterable | None = None) -> list[dict]:
        """Merge the events that turned out to be one (:func:`consolidate`); ``touched``: the
        event keys to re-offer (default: all)."""
        return consolidate(self.events, self.index, list(self.events) if touched is None else touched,
                           weights=self.weights)
