"""Sentence-level look-ups shared by the event, figure, claim and agreement extractors."""
from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass

from ..model import Analysis, DateExpr, Place, Span
from .offsets import index_for

SPECIFICITY = {"populated_place": 4, "other": 3, "admin2": 3, "admin1": 2, "country": 1, "demonym": 0}


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str
    in_quote: bool
    heading: bool
    period: bool = False        # opens a period ("Since April 29, ...") or gives a running tally


class DocContext:
    """Sentences, and the places and dates that fall in each, computed once per document."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self._indexes: dict = {}
        doc = analysis.doc
        text = analysis.document.text
        headings = analysis.document.headings
        self.sentences: list[Sentence] = []
        quote_open = False
        for i, s in enumerate(doc.sents):
            st = s.text
            q = st.count('"') + st.count("\u201c") + st.count("\u201d")
            starts_in_quote = quote_open or st.lstrip().startswith(('"', "\u201c"))
            heading = any(hs <= s.start_char < he for hs, he in headings) or (
                i == 0 and not st.rstrip().endswith((".", "!", "?", '"')))
            self.sentences.append(Sentence(i, s.start_char, s.end_char, st, starts_in_quote, heading))
            if q % 2 == 1:
                quote_open = not quote_open
            if "\n\n" in text[s.start_char:s.end_char + 2]:
                quote_open = False
        self._starts = [s.start for s in self.sentences]
        for d in analysis.dates:
            sent = self.sentence_of(d.start)
            if d.mod == "SINCE" or since_before(text, sent.start, d.start):
                sent.period = True

    def sentence_of(self, offset: int) -> Sentence:
        i = max(0, bisect.bisect_right(self._starts, offset) - 1)
        return self.sentences[i]

    def places_in(self, start: int, end: int, *, event_only: bool = True) -> list[Place]:
        found = index_for(self._indexes, "places", self.analysis.places).between(start, end)
        if not event_only:
            return found
        return [p for p in found if not (p.role == "speaker_location" or p.feature == "demonym")]

    def dates_in(self, start: int, end: int) -> list[DateExpr]:
        return index_for(self._indexes, "dates", self.analysis.dates).between(start, end)

    def focus(self) -> Place | None:
        """The document's main place: the admin1 (or country) most mentioned outside speaker roles.
        Computed once per document (events, figures and agreements all ask for it)."""
        if not hasattr(self, "_focus"):
            self._focus = self._compute_focus()
        return self._focus

    def _compute_focus(self) -> Place | None:
        places = [p for p in self.analysis.places if p.role != "speaker_location"
                  and p.feature != "demonym" and p.latitude is not None]
        if not places:
            return None
        by_admin = Counter((p.country_code, p.admin1) for p in places if p.admin1)
        if by_admin:
            (cc, a1), _ = by_admin.most_common(1)[0]
            adm = [p for p in places if p.feature == "admin1" and p.admin1 == a1 and p.country_code == cc]
            if adm:
                return adm[0]
            return next(p for p in places if p.admin1 == a1 and p.country_code == cc)
        return places[0]

    def country_code(self) -> str | None:
        codes = Counter(p.country_code for p in self.analysis.places
                        if p.country_code and p.role != "speaker_location")
        return codes.most_common(1)[0][0] if codes else None


def sentence_span(document, sent: "Sentence") -> Span:
    """The sentence as evidence, without the surrounding whitespace."""
    raw = document.text[sent.start:sent.end]
    start = sent.start + (len(raw) - len(raw.lstrip()))
    end = sent.start + len(raw.rstrip())
    return Span(start, end, document.text[start:end], document.doc_id)


def most_specific(places: list[Place], anchor: int) -> Place | None:
    places = [p for p in places if p.latitude is not None or p.country]
    if not places:
        return None
    return max(places, key=lambda p: (SPECIFICITY.get(p.feature, 0), -abs(p.start - anchor)))


def since_before(text: str, sent_start: int, date_start: int) -> bool:
    """'Since hostilities intensified in Idlib on April 29, ...': the clause opened by "since"
    runs to the date without a comma or another date between."""
    head = text[sent_start:date_start].lower()
    i = head.rfind("since ")
    return i >= 0 and "," not in head[i:] and ";" not in head[i:]
