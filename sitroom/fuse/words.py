"""The words of a report that tell which event it is about: the content words of its evidence
(:func:`terms`, for the wording signal) and the proper names of its document (:func:`names`,
weighed by rarity with :class:`NameWeights`, compared with :func:`names_share`)."""
from __future__ import annotations

import math
import re
from typing import Iterable

from .weights import WEIGHTS

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
#: The longest name counted for :class:`NameWeights` (longer ones are not names but noise).
MAX_NAME_LEN = 160


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
            counts, n = source_counts(rec)
            v = math.sqrt(sum((self(x) * c / n) ** 2 for x, c in counts.items()))
        else:
            v = math.sqrt(sum(self(x) ** 2 for x in rec.get("names") or ()))
        rec[slot] = (self._memo, v)
        return v


#: The weighted cosine of two documents' names that counts as full agreement (share 1.0): reports
#: of one event share about 0.2 of their (weighted) names, reports of look-alike events of one
#: topic about 0.01 (ECB+, its median pairs). (``cosine_full`` of ``sitroom/data/fusion.yaml``.)
COSINE_FULL = WEIGHTS.cosine_full


def names_share(nm: frozenset, e: dict, shared: frozenset, weights: NameWeights | None = None,
                m: dict | None = None, full: float = COSINE_FULL) -> float:
    """How much of a mention's names an event's sources name, from 0 to 1: the cosine between the
    mention's names and a *typical* source of the event (each name counts by the share of the
    event's sources that name it, so an event that gathered many documents does not come to
    "share" every name of its topic), names weighed by rarity (:class:`NameWeights`), divided by
    :data:`COSINE_FULL` (``full``). ``m``: the record ``nm`` comes from (memoises its vector's length)."""
    w = weights or _FLAT
    counts, n = source_counts(e)
    dot = sum(w(x) ** 2 * counts.get(x, 0) for x in shared) / n
    a = w.norm(m, False) if m is not None else math.sqrt(sum(w(x) ** 2 for x in nm))
    b = w.norm(e, True)
    return min(1.0, dot / (a * b) / full) if a and b else 0.0


def source_counts(e: dict) -> tuple[dict[str, int], int]:
    counts, n = e.get("name_counts"), e.get("name_n") or 0
    if not counts or n < 1:
        return dict.fromkeys(e.get("names") or (), 1), 1
    return counts, n


_FLAT = NameWeights()
