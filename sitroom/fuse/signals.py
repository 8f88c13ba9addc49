"""The signals of :func:`sitroom.fuse.compare`, one pure function each.

Every signal has the same shape: ``signal(m, e, c) -> (score, reason)`` for mention ``m``, event
``e`` and the :class:`Context` of the pair (the weights and what several signals share: how much
the wording and the names overlap). ``score`` is what the signal adds (0.0 when it says nothing);
``reason`` is the human-readable line ``sitroom explain`` shows (None when there is nothing to
say); a score of None is a *veto*: the pair can never be one event, and ``reason`` says why.

:data:`SIGNALS` lists them in the order their reasons are written.
"""
from __future__ import annotations

from typing import Callable, Optional, Tuple

from .records import NEAR_FAMILIES, fatality_range, haversine_km, iso, norm, place_key, same_actor
from .weights import Weights
from .words import NameWeights, names_share

Signal = Tuple[Optional[float], Optional[str]]
_EMPTY: frozenset = frozenset()


class Context:
    """What the signals of one pair share: the weights, how rare names are, the wording overlap
    (share of content words and the common words), whether both come from one document, and the
    names' share (None when not compared) and the shared names."""

    __slots__ = ("weights", "rarity", "one_document", "_m", "_e", "_words", "_names")

    def __init__(self, m: dict, e: dict, weights: Weights, rarity: NameWeights | None = None) -> None:
        self.weights = weights
        self.rarity = rarity
        self._m, self._e = m, e
        self._words = self._names = None    # computed when a signal first asks (a veto may come first)
        self.one_document = not (m.get("source_docs") or _EMPTY).isdisjoint(e.get("source_docs") or ())

    @property
    def overlap(self) -> float:
        """The overlap coefficient of the two reports' content words (each side needs 3)."""
        return (self._words or self._wording())[0]

    @property
    def common(self) -> frozenset:
        """The content words both reports use."""
        return (self._words or self._wording())[1]

    def _wording(self) -> tuple[float, frozenset]:
        tm, te = self._m.get("terms"), self._e.get("terms")     # (as wording_overlap, inline)
        if tm and te and len(tm) >= 3 and len(te) >= 3:
            common = tm & te
            self._words = (len(common) / min(len(tm), len(te)), common)
        else:
            self._words = (0.0, _EMPTY)
        return self._words

    @property
    def share(self) -> float | None:
        """How much the shared names say (:func:`~sitroom.fuse.words.names_share`), None when
        names are not compared (one document, or too few names on a side)."""
        return (self._names or self._naming())[0]

    @property
    def shared(self) -> frozenset:
        """The names both reports give."""
        return (self._names or self._naming())[1]

    def _naming(self) -> tuple[float | None, frozenset]:
        m, e, weights = self._m, self._e, self.weights
        nm, ne = m.get("names"), e.get("names")
        if not self.one_document and nm and ne and len(nm) >= weights.names_min and len(ne) >= weights.names_min:
            shared = nm & ne
            self._names = (names_share(nm, e, shared, self.rarity, m, weights.cosine_full), shared)
        else:
            self._names = (None, _EMPTY)
        return self._names

    @property
    def strong_names(self) -> bool:
        """The reports name the same participants (a share of at least ``strong_names`` over at
        least ``strong_names_min`` names)."""
        w = self.weights
        return self.share is not None and self.share >= w.strong_names and len(self.shared) >= w.strong_names_min


def wording_overlap(m: dict, e: dict) -> tuple[float, frozenset]:
    """The overlap coefficient of two reports' content words (each side needs 3) and the words."""
    tm, te = m.get("terms"), e.get("terms")
    if tm and te and len(tm) >= 3 and len(te) >= 3:
        common = tm & te
        return len(common) / min(len(tm), len(te)), common
    return 0.0, frozenset()


def same_document(m: dict, e: dict, c: Context) -> Signal:
    """Two reports of one document count a little for; their names are not compared."""
    if c.one_document:
        return c.weights.same_doc, "reported by the same document (its names not compared)"
    return 0.0, None


def event_type(m: dict, e: dict, c: Context) -> Signal:
    """Sub-event types must be in one family (or near families); a mismatch is forgiven, as an
    extraction slip, only when the reports name the same participants in the same words."""
    w = c.weights
    sm, se = m.get("sub_event_type"), e.get("sub_event_type")
    if not (sm and se):
        return 0.0, "sub-event type unknown on one side"
    fm, fe = m.get("family"), e.get("family")
    if sm == se:
        return w.type_same, f"same sub-event type ({sm})"
    if fm == fe:
        return w.type_same_family, f"same sub-event family '{fm}' ({sm} ~ {se})"
    if frozenset((fm, fe)) in NEAR_FAMILIES:
        return w.type_near_family, f"related sub-event families ({sm} ~ {se})"
    if c.overlap >= w.wording_some and c.strong_names:      # (the cheaper test first)
        # the same participants in the same words: one event the extractor typed two ways
        return w.type_slip, f"different sub-event types ({sm} vs {se}) but the reports name the same participants"
    return None, f"different sub-event types ({sm} vs {se})"


def dates(m: dict, e: dict, c: Context) -> Signal:
    """Date ranges must overlap (with ``day_slack`` days); the same day counts most."""
    w = c.weights
    if m.get("lo") is None or e.get("lo") is None:
        return 0.0, "undated on one side"
    if m["lo"] - w.day_slack > e["hi"] or e["lo"] - w.day_slack > m["hi"]:
        return None, (f"dates do not overlap ({iso(m['lo'])}..{iso(m['hi'])} vs "
                      f"{iso(e['lo'])}..{iso(e['hi'])})")
    pm, pe = m.get("time_precision") or 3, e.get("time_precision") or 3
    if pm == 1 and pe == 1:
        if m["lo"] == e["lo"]:
            return w.date_same_day, f"same day ({iso(m['lo'])})"
        return w.date_one_day_apart, f"one day apart ({iso(m['lo'])} vs {iso(e['lo'])})"
    return w.date_overlap, f"date ranges overlap ({m.get('event_date')} p{pm} vs {e.get('event_date')} p{pe})"


def near_region(m: dict, e: dict, km: float) -> bool:
    """A named region ("Gulf of Aden") and a point near it (Aden): within ``km`` of each other."""
    if None in (m.get("latitude"), m.get("longitude"), e.get("latitude"), e.get("longitude")):
        return False
    return haversine_km(m["latitude"], m["longitude"], e["latitude"], e["longitude"]) <= km


def place(m: dict, e: dict, c: Context) -> Signal:
    """Same country; within a distance that grows with the coarser geo_precision; a province-level
    report only needs the same admin1; a place outside the gazetteer by its name or distance."""
    w = c.weights
    cm, _ = place_key(m)
    ce, _ = place_key(e)
    named = cm.startswith("@") or ce.startswith("@")
    if named and cm == ce:       # a sea, a region the gazetteer lacks: as coarse as an admin1
        return w.place_same_named, f"same named place ({m.get('location')}), not in the gazetteer"
    if named and cm and ce and near_region(m, e, w.region_km):
        return w.place_near_region, (f"{m.get('location')} and {e.get('location')} lie within "
                                     f"{w.region_km:g} km of each other")
    if named or not (cm and ce):
        return 0.0, "place unknown on one side"
    if cm != ce:
        return None, f"different countries ({cm} vs {ce})"
    gm, ge = m.get("geo_precision") or 3, e.get("geo_precision") or 3
    coarse = max(gm, ge)
    a1m, a1e = norm(m.get("admin1")), norm(e.get("admin1"))
    limit = w.limit_km.get(coarse)
    close = w.place_close_precise if coarse == 1 else w.place_close_coarse
    have_xy = None not in (m.get("latitude"), m.get("longitude"), e.get("latitude"), e.get("longitude"))
    if limit is not None and have_xy:
        d = haversine_km(m["latitude"], m["longitude"], e["latitude"], e["longitude"])
        if d > limit:
            return None, f"{d:.1f} km apart (limit {limit:g} km at geo_precision {coarse})"
        return close, f"{d:.1f} km apart (limit {limit:g} km at geo_precision {coarse})"
    if limit is not None and norm(m.get("location")) and norm(m.get("location")) == norm(e.get("location")):
        return close, f"same location ({m.get('location')})"
    if a1m and a1e and a1m != a1e:
        return None, f"different admin1 ({m.get('admin1')} vs {e.get('admin1')})"
    if a1m and a1m == a1e:
        if limit is not None:   # both precise, no coordinates, different names
            if norm(m.get("location")) and norm(e.get("location")):
                return None, f"different locations ({m.get('location')} vs {e.get('location')})"
        return w.place_same_admin1, f"same admin1 ({e.get('admin1')}), coarse location (geo_precision {coarse})"
    return w.place_same_country, f"same country ({cm}), no finer place on one side"


def actors(m: dict, e: dict, c: Context) -> Signal:
    """A shared actor counts for, naming only different actors counts against."""
    am, ae = set(m.get("actors") or ()), set(e.get("actors") or ())
    if not (am and ae):
        return 0.0, None
    shared = am & ae or {a for a in am for b in ae if same_actor(a, b)}
    if shared:
        return c.weights.actor_shared, "shared actor " + ", ".join(sorted(shared))
    return c.weights.actor_none_shared, "no actor in common"


def wording(m: dict, e: dict, c: Context) -> Signal:
    """The content words of the evidence sentences overlap."""
    w = c.weights
    bonus = w.wording_strong_bonus if c.overlap >= w.wording_strong else \
        w.wording_some_bonus if c.overlap >= w.wording_some else 0.0
    if c.overlap >= w.wording_some:
        return bonus, f"wording overlaps {c.overlap:.0%} ({', '.join(sorted(c.common)[:6])})"
    return bonus, None


def names(m: dict, e: dict, c: Context) -> Signal:
    """The documents' proper names overlap (:func:`sitroom.fuse.names_share`); few in common
    counts against."""
    if c.share is None:
        return 0.0, None
    bonus = round(c.weights.names_weight * c.share - c.weights.names_penalty, 3)
    return bonus, f"names shared {c.share:.0%} ({', '.join(sorted(c.shared)[:6]) or 'none'}): {bonus:+.2f}"


def fatalities(m: dict, e: dict, c: Context) -> Signal:
    """Close numbers count a little for, far-apart ones a little against (both are kept)."""
    w = c.weights
    lm, hm = fatality_range(m)
    le, he = e.get("fatalities_low"), e.get("fatalities_high")
    if lm is None or le is None:
        return 0.0, None
    a, b = (hm if hm is not None else lm), (he if he is not None else le)
    near = min(abs(lm - le), abs(a - b), abs(lm - b), abs(a - le))
    if near <= max(w.fatalities_near, w.fatalities_ratio * max(a, b)):
        return w.fatalities_agree, (f"fatalities agree ({lm if lm == hm else f'{lm}-{hm}'} vs "
                                    f"{le if le == he else f'{le}-{he}'})")
    return w.fatalities_disagree, f"fatalities disagree ({lm} vs {le}-{he}), kept as low/high"


#: The signals in the order their reasons are written.
SIGNALS: tuple[Callable[[dict, dict, Context], Signal], ...] = (
    same_document, event_type, dates, place, actors, wording, names, fatalities)
