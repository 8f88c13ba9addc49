"""Toponym recognition: every place mention in a document, resolved against the gazetteer.

Two sources are combined:

* spaCy NER (GPE, LOC, FAC; NORP demonyms such as "Syrian" become ``feature="demonym"`` places
  resolved to the country), and
* a gazetteer-driven matcher over the tokens: longest match of up to N tokens on the normalised
  name key (:func:`sitroom.kb.gazetteer.name_key`), looked up in a dict (no scans), because
  the small English model tags "Aleppo" NORP, "Maarat al-Numan" PERSON and "Saraqib" ORG.

Guards against common words that are also tiny places (Man, Hit, Police, Reading, Mobile...):
capitalisation, PROPN, a common-word list, no matches inside longer PERSON/ORG entities, a
minimum population for single-token matches without NER support unless the country is already
in the document's context. Cue words ("Aleppo province", "the city of Idlib") are recorded for
the resolver (:mod:`sitroom.stages.geocode`), which fills the :class:`~sitroom.model.Place`
fields, the role (speaker_location) and the confidence.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from ..data import ENV as DATA_ENV, load as load_data, load_file, require_strings
from ..model import Analysis, Place
from ..kb.gazetteer import (ADMIN1, ADMIN1_POSTAL_CODES, ADMIN2, COUNTRY, PLACE, REGION,
                            Gazetteer, name_key, skeleton)
from ..nlp import TokenTable, doc_text, parse_one, token_table
from .geocode import Mention, PlaceResolver

#: the demonym table (a data file: ``SITROOM_DATA`` overrides apply)
DEMONYMS_FILE = "demonyms.yaml"

MAX_TOKENS = 6
#: a town this big that opens a PERSON entity ("Seattle Seahawks") is no surname elsewhere
BIG_TOWN_PERSON = 100000


def _place_words() -> dict:
    """The extractor's word lists (sitroom/data/place_words.yaml), read once at import."""
    words = load_data("place_words.yaml")
    for key, value in words.items():
        require_strings("place_words.yaml", key, value.keys() if isinstance(value, dict) else value)
    return words


_WORDS = _place_words()
# the lists are documented in sitroom/data/place_words.yaml
ARABIC_HEADS = frozenset(_WORDS["arabic_heads"])
ARTICLE_WORDS = frozenset(_WORDS["article_words"])
PARTICLES = frozenset(_WORDS["particles"])
ADMIN_CUES = {k: {"admin1": ADMIN1, "admin2": ADMIN2}[v] for k, v in _WORDS["admin_cues"].items()}
#: several-word cues ("Local Government Area"), as tuples of lower-case words, longest first
ADMIN_PHRASES = sorted(((tuple(k.split()), {"admin1": ADMIN1, "admin2": ADMIN2}[v])
                        for k, v in (_WORDS.get("admin_phrases") or {}).items()),
                       key=lambda x: -len(x[0]))
CITY_CUES = set(_WORDS["city_cues"])
#: officials after a name: "New York Gov. Andrew Cuomo" (a state), "Beaconsfield Mayor" (a town)
OFFICE_CUES = {**{w: ADMIN1 for w in _WORDS["admin1_offices"]},
               **{w: PLACE for w in _WORDS["town_offices"]}}
NER_PLACE = {"GPE", "LOC", "FAC"}
VESSEL_PREFIXES = frozenset(_WORDS["vessel_prefixes"])     # case-sensitive: "INS Mysore"
VESSEL_NOUNS = frozenset(_WORDS["vessel_nouns"])           # "the warship Mysore"
TITLES = set(_WORDS["titles"])
LOCATIVE_PREPS = frozenset(_WORDS["locative_prepositions"])
MODIFIER_WORDS = frozenset(_WORDS["modifier_words"])
COMMON_WORDS = frozenset(_WORDS["common_words"])
DIRECTIONS = set(_WORDS["directions"])
SURROUNDING_CUES = frozenset(_WORDS["surrounding_cues"])
COORDINATORS = frozenset(_WORDS["coordinators"])
FACILITY_WORDS = frozenset(_WORDS["facility_words"])
INSTITUTION_WORDS = frozenset(_WORDS["institution_words"])


def admin_cue_at(doc, k: int) -> tuple[str, int] | None:
    """The unit cue that starts at token k: one word ("Idlib province") or a phrase ("Maradun
    Local Government Area"): (admin1 or admin2, its number of tokens), else None."""
    if k >= len(doc):
        return None
    w = doc[k].lower_
    for words, kind in ADMIN_PHRASES:
        if tuple(t.lower_ for t in doc[k:k + len(words)]) == words:
            return kind, len(words)
    if w in ADMIN_CUES:
        return ADMIN_CUES[w], 1
    return None


def _names_vessel(tok) -> bool:
    """A ship prefix ("INS", case-sensitive) or a word for a ship ("warship", "cruise ship")
    before a name: the name is a ship's."""
    return tok.text in VESSEL_PREFIXES or tok.lower_ in VESSEL_NOUNS


def _no_acronym_towns(text: str, ids: tuple, gaz) -> tuple:
    """The records an all-capital word of up to three letters can name: not towns ("the SOS
    call" is no Sos in France), but country and region codes ("US", "DRC")."""
    if len(name_key(text)) <= 3 and text.isupper():
        return tuple(r for r in ids if gaz.record(r).kind != PLACE)
    return ids


def _direction_of_next(doc, s: int, e: int) -> bool:
    """A lone compass word before a capitalised name ("Northeast Philadelphia", "North Idlib"):
    a modifier of that name, not a place of its own."""
    return e - s == 1 and doc[s].lower_ in DIRECTIONS and e < len(doc) and _is_cap(doc[e])


SPEECH_VERBS = {"say", "tell", "add", "write", "explain", "note", "believe", "think", "argue",
                "insist", "recall", "ask", "want", "claim"}

# the verbs/nouns after which "in X" / "from X" names where someone spoke, not where it happened
SPEAKER_LEFT = (
    r"\b(?:told|tells|telling|said|says|saying|spoke|speaks|speaking|briefing|briefed|"
    r"conference|statement|statements|interview|remarks|announced|announcing|addressing|"
    r"address|testified|wrote|posted|tweeted|headquartered|headquarters|based|reported|"
    r"reporting|summit|meeting|talks|told reporters|news conference)\b[^.;\n]{0,45}?"
    r"\b(?:in|from|at)\s+(?:the\s+)?$")


def _demonym_table(path: str | None) -> dict:
    """demonyms.yaml with its overrides (``path=None``), or the file at ``path``."""
    data = load_data(DEMONYMS_FILE) if path in (None, DEMONYMS_FILE) else load_file(path)
    if not isinstance(data, dict):
        raise ValueError(f"{path or DEMONYMS_FILE}: the top level must map demonyms to country codes")
    return data


def _load_demonyms(path: str | None = None) -> dict[str, str]:
    data = _demonym_table(path)
    out: dict[str, str] = {}
    for word, val in data.items():
        word = str(word)
        if isinstance(val, list):
            cc, plural = str(val[0]), (str(val[1]) if len(val) > 1 else None)
        else:
            cc, plural = str(val), None
        cc = cc.upper() if len(cc) == 2 else cc     # a region name ("Africa") otherwise
        out[word] = cc
        if plural:
            out[plural] = cc
        elif not word.endswith(("ese", "ish", "ch", "ss", "s")):
            out[word + "s"] = cc
    return out


def demonyms_singular(path: str | None = None) -> frozenset[str]:
    """The demonyms as listed (singular adjectives: "Syrian")."""
    return _demonyms_singular(path, _data_env())


def demonyms(path: str | None = None) -> dict[str, str]:
    """Demonym (singular and plural) -> country code or region name."""
    return _demonyms(path, _data_env())


def _data_env() -> str:
    return os.environ.get(DATA_ENV, "")


@lru_cache(maxsize=4)
def _demonyms_singular(path: str | None, env: str) -> frozenset[str]:
    return frozenset(str(k) for k in _demonym_table(path))


@lru_cache(maxsize=4)
def _demonyms(path: str | None, env: str) -> dict[str, str]:
    return _load_demonyms(path)


def _cut_semicolon(span) -> tuple[str, int]:
    """The span's text up to a ';' glued inside its last token ("Aleppo;Syria" -> "Aleppo"),
    and where it then ends; ("", start) when the span starts with the semicolon."""
    t = span.text
    k = t.find(";")
    if k < 0:
        return t, span.end_char
    t = t[:k].rstrip()
    return t, span.start_char + len(t)


def _article_led(text: str) -> bool:
    """"al-Sham", "Al Sham", "el-Fasher": a name that starts with an Arabic article."""
    head = text.split("-", 1)[0].split(" ", 1)[0].lower()
    return head in ARTICLE_WORDS and len(text) > len(head) + 1


def _after_operation(doc, i: int) -> bool:
    """The name of a military operation: right after "Operation" (or "operation"), a quote between
    them allowed ("Operation “Olive Branch”", "operation Euphrates Shield")."""
    j = i - 1
    while j >= 0 and doc[j].text in ("\"", "“", "'", "‘", "«"):
        j -= 1
    return j >= 0 and doc[j].lower_ == "operation"


#: a state code after "Town,": "KY", "KY--(Marketwire", "Ky" (an AP abbreviation without its period)
_STATE_CODE = re.compile(r"^([A-Z][A-Za-z]{1,3})(?:--|—|–|$)")
#: an abbreviation glued to a dateline dash by the tokenizer: "Calif.--", "Calif.--(BUSINESS"
_DASH_GLUED = re.compile(r"^([A-Z][A-Za-z.]*\.)(?:--|—|–)")


def _team_like(ent) -> bool:
    """A "PERSON" entity that reads like a sports team: a plural last word ("Seattle
    Seahawks", "Boston Celtics"), not a first name and surname ("Vladimir Putin")."""
    last = ent[-1]
    return len(ent) > 1 and (last.tag_ == "NNPS" or (last.text.endswith("s") and
                                                     not last.text.endswith(("ss", "'s", "’s"))
                                                     and len(last.text) > 3))


def _glued_to_unknown(doc, m: Mention, s: int, e: int) -> bool:
    """A known name right next to another capitalised word inside one place entity (s..e) that
    is no cue, direction, particle or facility word: "Bawan Daji", "Addis Maleda" are names of
    their own that the gazetteer lacks, not the towns Bawan or Addis."""
    for k in (m.tok_start - 1, m.tok_end):
        if s <= k < e:
            t = doc[k]
            w = t.lower_
            if t.is_alpha and _is_cap(t) and w not in ADMIN_CUES and w not in CITY_CUES and \
                    w not in DIRECTIONS and w not in PARTICLES and w not in FACILITY_WORDS and \
                    w not in SURROUNDING_CUES and w.rstrip(".") not in TITLES:
                return True
    return False


_NAME_LINKS = frozenset({"of", "in", "and", "for", "the", "&", "-", "al"})


def _inside_acronym_name(doc, m: Mention) -> bool:
    """The mention is part (not the whole) of a capitalised name followed by its acronym in
    brackets, the acronym made of the name's initials: "Islamic State West Africa Province
    (ISWAP)", "Syrian Observatory for Human Rights (SOHR)". "Democratic Republic of Congo
    (DRC)" is the whole name, and stays."""
    n = len(doc)
    s, e = m.tok_start, m.tok_end
    while s > 0 and not doc[s - 1].is_space and "\n" not in doc[s - 1].whitespace_ and (
            (doc[s - 1].is_alpha and _is_cap(doc[s - 1]) and not doc[s - 1].is_sent_start)
            or doc[s - 1].lower_ in _NAME_LINKS):
        s -= 1
    while s < m.tok_start and doc[s].lower_ in _NAME_LINKS:
        s += 1
    while e < n and ((doc[e].is_alpha and _is_cap(doc[e])) or doc[e].lower_ in _NAME_LINKS):
        e += 1
    while e > m.tok_end and doc[e - 1].lower_ in _NAME_LINKS:
        e -= 1
    if (s, e) == (m.tok_start, m.tok_end) or e + 2 >= n or doc[e].text != "(" or \
            doc[e + 2].text != ")":
        return False
    acro = doc[e + 1].text
    if not (acro.isupper() and acro.isalpha() and 2 <= len(acro) <= 8):
        return False
    initials = "".join(t.text[0].upper() for t in doc[s:e] if t.is_alpha and _is_cap(t))
    return initials == acro


def _is_cap(t) -> bool:
    return _is_cap_text(t.text)


def _is_cap_text(s: str) -> bool:
    return bool(s) and (s[0].isupper() or (s[0].isdigit() is False and s[:1] in "‘'`" and
                                          len(s) > 1 and s[1].isupper()))


_CAPS: list = [None, None]


def _caps(tt: TokenTable) -> list[bool]:
    """:func:`_is_cap` of every token of a :class:`~sitroom.nlp.TokenTable` (the last one asked about)."""
    if _CAPS[0] is not tt:
        _CAPS[0], _CAPS[1] = tt, [_is_cap_text(s) for s in tt.text]
    return _CAPS[1]


_NOT_INSIDE = frozenset({",", ";", ":", "(", ")", '"', "“", "”"})


#: entity labels on which :meth:`PlaceExtractor._judge_entity` decides a gazetteer match
_JUDGED_ENTITIES = frozenset({"PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE",
                              "NORP", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT",
                              "QUANTITY"})


class _Found:
    """The mentions found so far and the tokens they cover (each token belongs to one)."""

    __slots__ = ("mentions", "taken")

    def __init__(self) -> None:
        self.mentions: list[Mention] = []
        self.taken: set[int] = set()

    def add(self, m: Mention) -> None:
        self.mentions.append(m)
        self.taken.update(range(m.tok_start, m.tok_end))


class PlaceExtractor:
    """Fills ``analysis.places`` with every toponym mention, resolved with document context."""

    def __init__(self, gazetteer: Gazetteer | None = None, demonyms_path: str | Path | None = None,
                 min_population_single: int = 20000):
        self.gaz = gazetteer or Gazetteer.get()
        path = str(demonyms_path) if demonyms_path else None
        self.demonyms = dict(demonyms(path))
        self.adjectives = set(demonyms_singular(path))
        self.demonym_keys = {name_key(k): v for k, v in self.demonyms.items()}
        self.max_demonym_words = max(k.count(" ") + 1 for k in self.demonym_keys)
        self.min_pop_single = min_population_single
        self._person_parts: set[str] = set()
        self.resolver = PlaceResolver(self.gaz)

    # ------------------------------------------------------------------ matching
    def _gaz_matches(self, doc) -> list[Mention]:
        """Longest gazetteer matches starting at capitalised tokens (dict look-ups only)."""
        out: list[Mention] = []
        n = len(doc)
        tt = token_table(doc)
        caps = _caps(tt)
        i = 0
        while i < n:
            # "al-Bab", "el-Fasher": a lower-case article, a hyphen and a capitalised name
            article_start = (tt.lower[i] in ARTICLE_WORDS and i + 2 < n and tt.text[i + 1] == "-"
                             and not tt.ws[i] and caps[i + 2])
            if (not caps[i] and not article_start) or tt.space[i]:
                i += 1
                continue
            best = self._longest_at(doc, i, min(n, i + MAX_TOKENS))
            if best is None:
                i += 1
                continue
            j, ids, loose = best
            span = doc[i:j]
            stext, send = _cut_semicolon(span)
            m = Mention(span.start_char, send, i, j, stext, ids, loose)
            if j - i > 1:
                # the next shorter name at the same start, judged if the longer one is not a
                # place: "the University of Michigan Center for ..." is no Michigan Center
                short = self._longest_at(doc, i, j - 1)
                if short is not None:
                    sj, sids, sloose = short
                    sspan = doc[i:sj]
                    stext2, send2 = _cut_semicolon(sspan)
                    m.extra["shorter"] = Mention(sspan.start_char, send2, i, sj, stext2, sids,
                                                 sloose)
            out.append(m)
            i = j
        return out

    def _longest_at(self, doc, i: int, jmax: int) -> tuple[int, tuple, bool] | None:
        """The longest gazetteer name starting at token i and ending at most at jmax:
        (end token, record ids, loose) or None."""
        gaz = self.gaz
        tt = token_table(doc)
        caps, texts, lowers, space = _caps(tt), tt.text, tt.lower, tt.space
        text = doc_text(doc)
        for j in range(jmax, i, -1):
            if not (caps[j - 1] or texts[j - 1].isdigit()) or space[j - 1]:
                continue
            full = tt.span_text(text, i, j)          # doc[i:j].text
            if j - 1 > i:
                if any(space[k] or (not caps[k] and lowers[k] not in PARTICLES)
                       or texts[k] in _NOT_INSIDE for k in range(i + 1, j - 1)):
                    continue
                if lowers[j - 1] in ADMIN_CUES or lowers[j - 1] in CITY_CUES:
                    # "Idlib Province": the name is "Idlib", the rest is a cue -- unless the
                    # whole is itself a town's name ("MEXICO CITY", "Kuwait City")
                    fk = name_key(full)
                    if not any(gaz.record(r).kind == PLACE and name_key(gaz.record(r).name) == fk
                               for r in gaz.lookup_key(fk)):
                        continue
            # up to a ';' glued inside the last token ("Aleppo;Syria": _cut_semicolon)
            semi = full.find(";")
            stext = full if semi < 0 else full[:semi].rstrip()
            if not stext or (semi >= 0 and j - 1 > i and
                             ";" in tt.span_text(text, i, j - 1)):
                continue
            key = name_key(stext)
            ids = gaz.lookup_key(key)
            loose = False
            if not ids and ((j - i > 1 and len(key) >= 8 and (
                    any(w in ARTICLE_WORDS for w in key.split()[:-1]) or
                    key.split()[0] in ARABIC_HEADS or
                    any(ch in full for ch in "-'`’‘ʿʾ"))) or
                    (j - i == 1 and len(key) >= 5 and key[:2] in ARTICLE_WORDS and
                     key[:2] in ("al", "el") and caps[i] and not doc[i].is_sent_start)):
                # ("Elwak", "Alhol": an article glued to a one-word name, mid-sentence)
                # transliteration variants: Arabic-style names (article, hyphen, ayn)
                ids = gaz.lookup_skeleton(skeleton(key))
                loose = bool(ids)
            if ids:
                return j, ids, loose
        return None

    def _demonym_mention(self, span, i: int, j: int, cc: str, label: str | None) -> Mention:
        if len(cc) == 2:
            return Mention(span.start_char, span.end_char, i, j, span.text, (), False, label,
                           demonym_cc=cc, strength=0.9)
        ids = tuple(r for r in self.gaz.lookup_key(name_key(cc))
                    if self.gaz.record(r).kind == "other")
        m = Mention(span.start_char, span.end_char, i, j, span.text, ids, False, label,
                    strength=0.8)
        m.extra["demonym"] = True
        return m

    def _demonym_at(self, doc, i: int) -> tuple[int, str] | None:
        tt = token_table(doc)
        text = doc_text(doc)
        for j in range(min(len(doc), i + self.max_demonym_words), i, -1):
            if not tt.alpha[j - 1]:
                continue
            cc = self.demonym_keys.get(name_key(tt.span_text(text, i, j)))
            if cc:
                return j, cc
        return None

    # ------------------------------------------------------------------ main
    def __call__(self, analysis: Analysis) -> None:
        """Find the document's place mentions in four passes, each over what the earlier ones
        left free (a token belongs to one mention), then resolve them all together:
        1. spaCy's place entities (:meth:`_ner_places`), 2. demonyms (:meth:`_demonym_places`),
        3. gazetteer names the tagger missed (:meth:`_gazetteer_places`), 4. abbreviations and
        state codes (:meth:`_abbreviation_places`)."""
        doc = analysis.doc
        if doc is None:
            doc = parse_one(analysis.document).doc
            analysis.doc = doc
        tok_ent: dict[int, object] = {}
        for ent in doc.ents:
            for k in range(ent.start, ent.end):
                tok_ent[k] = ent
        found = _Found()
        gaz_by_start = {m.tok_start: m for m in self._gaz_matches(doc)}
        self._note_names(doc)
        self._ner_places(doc, found, gaz_by_start)
        self._demonym_places(doc, found, tok_ent)
        self._gazetteer_places(doc, found, gaz_by_start, tok_ent)
        self._abbreviation_places(doc, found)
        analysis.places = self.resolver.resolve(self._finish(doc, found.mentions), analysis)

    def _note_names(self, doc) -> None:
        """Words of the text that are no place names wherever they appear: parts of multi-word
        PERSON entities (``_person_parts``) and names given to vessels (``_vessels``)."""
        self._person_parts = {t.text for ent in doc.ents if ent.label_ == "PERSON"
                              and len(ent) > 1 for t in ent if t.is_alpha
                              and not (t.i == ent.start and _team_like(ent)
                                       and self._big_town_only(t.text))}
        # ... but a word the text also uses alone after "in"/"near" ("a gas station in
        # Riverdale") is a place there, whatever the tagger made of "Riverdale Luke Oil"
        self._person_parts -= {t.text for t in doc[1:-1] if t.text in self._person_parts
                               and doc[t.i - 1].lower_ in LOCATIVE_PREPS
                               and not _is_cap(doc[t.i + 1]) and doc[t.i + 1].text not in ("'s", "’s")}
        # names given to vessels ("INS Mysore"): the same name alone later is the ship too
        self._vessels = {doc[i + 1].text for i in range(len(doc) - 1)
                         if _names_vessel(doc[i]) and _is_cap(doc[i + 1])}

    # ------------------------------------------------------------------ 1. NER place entities
    def _ner_places(self, doc, found: "_Found", gaz_by_start: dict[int, Mention]) -> None:
        """Pass 1: every GPE/LOC/FAC entity that names a place (:meth:`_ner_place`)."""
        for ent in doc.ents:
            if ent.label_ not in NER_PLACE:
                continue
            trimmed = self._ner_span(doc, ent)
            if trimmed is not None:
                self._ner_place(doc, ent, *trimmed, found, gaz_by_start)

    def _ner_span(self, doc, ent) -> tuple[int, int, str, int] | None:
        """The entity without a leading article or trailing possessive/punctuation, as (start
        token, end token, text, end offset); None when what is left is no place name (a ship,
        a military operation, a title, a modifier such as "Naval" or "Northeast")."""
        s, e = ent.start, ent.end
        while s < e and doc[s].lower_ in ("the", "a", "an") :
            s += 1
        while e > s and (doc[e - 1].text in ("'s", "’s", "'", "’", ".", ",", "-") or
                         doc[e - 1].is_space):
            e -= 1
        if s >= e:
            return None
        span = doc[s:e]
        # headlines joined by ';' without a space ("Deir Ezzor;122 were killed"): the
        # name ends at the semicolon
        stext, send = _cut_semicolon(span)
        if not stext:
            return None
        if (s > 0 and _names_vessel(doc[s - 1])) or (e - s == 1 and doc[s].text in self._vessels) \
                or _after_operation(doc, s):
            return None         # "INS Mysore": a warship; Operation "Olive Branch"
        if e - s == 1 and (doc[s].lower_ in MODIFIER_WORDS or doc[s].lower_.rstrip(".") in TITLES
                           or _direction_of_next(doc, s, e)):
            return None         # "The Naval commandos", "Northeast Philadelphia": modifiers
        if doc[s].lower_.rstrip(".") in TITLES or (
                s > 0 and doc[s - 1].lower_.rstrip(".") in TITLES and doc[s - 1].text[:1].isupper()
                and ent.label_ != "GPE" or (s > 0 and doc[s - 1].lower_.rstrip(".") in TITLES
                                            and not self.gaz.lookup_key(name_key(stext)))):
            return None
        return s, e, stext, send

    def _ner_place(self, doc, ent, s: int, e: int, stext: str, send: int, found: "_Found",
                   gaz_by_start: dict[int, Mention]) -> None:
        """The mention(s) one place entity (trimmed to tokens s..e) gives, first that applies:
        a longer gazetteer name starting with it, a known abbreviation, its exact name, the
        gazetteer names inside it, a demonym, a transliteration variant (skeleton key), a near
        spelling (fuzzy), or, for a multi-word GPE/LOC, an unresolved place."""
        span = doc[s:e]
        add = found.add
        g = gaz_by_start.get(s)
        if g is not None and g.tok_end > e and not g.loose and all(
                _is_cap(t) or t.lower_ in PARTICLES for t in doc[e:g.tok_end]):
            # "U.S. Virgin Islands" (NER: "U.S."), "MEXICO CITY" (NER: "MEXICO"): the
            # gazetteer's longer name wins
            g.ner = ent.label_
            g.strength = 0.9
            add(g)
            return
        rid = self.gaz.abbrev.get(stext)
        if rid is not None:
            add(Mention(span.start_char, send, s, e, stext, (rid,), False,
                        ent.label_, strength=0.95))
            return
        key = name_key(stext)
        ids = self.gaz.lookup_key(key)
        ids = _no_acronym_towns(stext, ids, self.gaz)
        if ids:
            add(Mention(span.start_char, send, s, e, stext, ids, False, ent.label_,
                        strength=0.95))
            return
        subs = self._sub_matches(doc, s, e, gaz_by_start)
        if subs:
            for m in subs:
                m.ner = ent.label_
                m.strength = 0.9
                add(m)
            return
        dem = self._demonym_at(doc, s)
        if dem and dem[0] == e:
            add(self._demonym_mention(span, s, e, dem[1], ent.label_))
            return
        if ent.label_ in ("GPE", "LOC"):
            sk_ids = self.gaz.lookup_skeleton(skeleton(key)) if len(key) >= 6 and \
                _is_cap(doc[s]) and not any(t.text.isupper() and len(t) > 3 for t in span) \
                else ()
            if e - s == 1:
                # one word: no countries (their spellings are known), a town of some size,
                # and not a surname used elsewhere in the text
                sk_ids = () if stext in self._person_parts else tuple(
                    r for r in sk_ids if self.gaz.record(r).kind != COUNTRY and
                    self.gaz.record(r).population >= 10000)
            if sk_ids:
                # transliteration variant: kept only where its country is in the context
                add(Mention(span.start_char, send, s, e, stext, sk_ids, True,
                            ent.label_, strength=0.7, weak=True))
                return
        loose = self.gaz.fuzzy(stext, cutoff=92) if ent.label_ != "FAC" and \
            len(stext) >= 7 else []
        if loose:
            ids = tuple(dict.fromkeys(r.id for r, _ in loose))
            add(Mention(span.start_char, send, s, e, stext, ids, True, ent.label_,
                        strength=0.7, weak=True))
        elif ent.label_ in ("GPE", "LOC") and any(_is_cap(t) for t in span) and e - s > 1:
            add(Mention(span.start_char, send, s, e, stext, (), False, ent.label_,
                        strength=0.7))

    def _sub_matches(self, doc, s: int, e: int, gaz_by_start: dict[int, Mention]) -> list[Mention]:
        """The gazetteer matcher's names inside an entity (tokens s..e) that the entity as a
        whole is not ("Idlib Province"): no common words, no compass word before a name, no
        acronym that can only be a town, no known name glued to an unknown one."""
        # (the matches are keyed by start in text order: the starts inside the entity are enough)
        subs = [m for k in range(s, e) if (m := gaz_by_start.get(k)) is not None and m.tok_end <= e
                and not all(t.lower_ in COMMON_WORDS for t in doc[m.tok_start:m.tok_end])
                and not _direction_of_next(doc, m.tok_start, m.tok_end)]
        # a sub-match that can only be a town is an acronym ("SOS"); one that may also be
        # a region or country keeps all its readings for the resolver to weigh
        subs = [m for m in subs if _no_acronym_towns(doc[m.tok_start:m.tok_end].text, m.ids, self.gaz)]
        return [m for m in subs if not _glued_to_unknown(doc, m, s, e) or self._known_widely(m)]

    # ------------------------------------------------------------------ 2. demonyms
    def _demonym_places(self, doc, found: "_Found", tok_ent: dict) -> None:
        """Pass 2: demonyms (NORP entities or capitalised demonym words anywhere). People
        ("Syrians"), organisations ("British Airways") and languages ("in Turkish") are
        marked ``context_only``: country context, not place mentions."""
        taken = found.taken
        caps = _caps(token_table(doc))
        i = 0
        while i < len(doc):
            if i in taken or not caps[i]:
                i += 1
                continue
            dem = self._demonym_at(doc, i)
            if dem:
                j, cc = dem
                if not any(k in taken for k in range(i, j)):
                    span = doc[i:j]
                    ent = tok_ent.get(i)
                    m = self._demonym_mention(span, i, j, cc,
                                              ent.label_ if ent is not None else None)
                    nxt = doc[j] if j < len(doc) else None
                    if (doc[j - 1].tag_ in ("NNPS", "NNS") or span.text not in self.adjectives
                            or (ent is not None and ent.label_ in ("WORK_OF_ART", "PERSON")
                                and (ent.end - ent.start) > (j - i))
                            or (ent is not None and ent.label_ == "LANGUAGE")
                            or (i > 0 and doc[i - 1].lower_ in ("in", "speak", "speaks", "spoke")
                                and (nxt is None or not nxt.is_alpha))):
                        m.extra["context_only"] = True
                    found.add(m)
                    i = j
                    continue
            i += 1

    # ------------------------------------------------------------------ 3. gazetteer names
    def _gazetteer_places(self, doc, found: "_Found", gaz_by_start: dict[int, Mention],
                          tok_ent: dict) -> None:
        """Pass 3: gazetteer matches not covered by the earlier passes, judged one by one
        (:meth:`_judge`); a rejected one is kept after all when the text accepts the same name
        elsewhere or puts a cue word after it."""
        taken = found.taken
        rejected: list[Mention] = []
        for m in gaz_by_start.values():
            if any(k in taken for k in range(m.tok_start, m.tok_end)):
                continue
            verdict = self._judge(doc, m, tok_ent)
            while verdict is None and "shorter" in m.extra and self._admin_unit(m.extra["shorter"]):
                # "the University of Michigan Center for ...": no town Michigan Center, but the
                # state (only a state or country: "Queens Park Rangers" names no Queens)
                rejected.append(m)
                m = m.extra["shorter"]
                verdict = self._judge(doc, m, tok_ent)
            if verdict is None:
                rejected.append(m)
                continue
            found.add(m)
        # a name accepted elsewhere in the text is a place here too ("Idlib city was hit",
        # where the tagger read "Idlib" as an adjective); so is a name before a cue word
        confirmed = {name_key(m.text) for m in found.mentions if m.ids and not m.weak and
                     m.extra.get("embedded") is None}
        for m in rejected:
            first = doc[m.tok_start]
            nxt = doc[m.tok_end].lower_ if m.tok_end < len(doc) else ""
            cue = admin_cue_at(doc, m.tok_end)
            ent = tok_ent.get(m.tok_start)
            # "Zamfara State" tagged as a person: the entity is the unit's name and its cue
            unit_named = cue is not None and ent is not None and ent.start == m.tok_start \
                and ent.end == m.tok_end + cue[1] \
                and any(self.gaz.record(r).kind == cue[0] for r in m.ids)
            if first.lower_ in COMMON_WORDS or (first.text in self._person_parts and not unit_named) or \
                    (m.tok_end - m.tok_start == 1 and first.is_stop):
                continue
            if name_key(m.text) in confirmed or (cue is not None or nxt in ("city", "town")):
                if ent is not None and ent.label_ == "PERSON" and m.tok_end - m.tok_start == 1 \
                        and not unit_named:
                    continue
                m.strength = 0.6
                m.weak = name_key(m.text) not in confirmed and not unit_named
                found.add(m)

    # ------------------------------------------------------------------ 4. abbreviations
    def _abbreviation_places(self, doc, found: "_Found") -> None:
        """Pass 4: country abbreviations (US, U.S., UK, UAE, DRC) matched against countries
        only, and a state's code after a town (:meth:`_state_code`)."""
        tt = token_table(doc)
        for i, surface in enumerate(tt.text):
            if i in found.taken:
                continue
            rid = self.gaz.abbrev.get(surface)
            if rid is None and _DASH_GLUED.match(surface):
                # a press-release dateline glued to its dash: "PLEASANTON, Calif.--(BUSINESS
                # WIRE)--" (the tokenizer keeps "Calif.--(BUSINESS" whole)
                surface = _DASH_GLUED.match(surface).group(1)
                rid = self.gaz.abbrev.get(surface)
            if rid is None and "-" in surface[2:]:          # "U.S.-led", "UK-based"
                surface = surface.split("-")[0]
                rid = self.gaz.abbrev.get(surface)
                if rid is not None and self.gaz.record(rid).kind != COUNTRY:
                    rid = None
            state = False
            if rid is None:
                rid, surface = self._state_code(tt, i, found.mentions)
                state = rid is not None
            if rid is not None and (len(surface) > 3 or surface.isupper() or "." in surface
                                    or state):
                found.add(Mention(tt.idx[i], tt.idx[i] + len(surface), i, i + 1, surface, (rid,),
                                  False, None, strength=0.9))

    # ------------------------------------------------------------------ finishing
    def _finish(self, doc, mentions: list[Mention]) -> list[Mention]:
        """The mentions for the resolver: names inside an organisation's spelled-out name
        flagged, names inside a person's name dropped, in text order, cue words recorded."""
        # "Islamic State West Africa Province (ISWAP)": a place named inside an organisation's
        # name spelled out before its acronym is kept as a toponym, but says nothing of where
        # the story or its events are (relation "name")
        for m in mentions:
            if not m.demonym_cc and _inside_acronym_name(doc, m):
                m.extra["in_name"] = True
        # "Ahmadu Bello University": a place name inside a person's name
        mentions = [m for m in mentions if m.demonym_cc or not self._in_person_named(doc, m)]
        mentions.sort(key=lambda m: m.start)
        for m in mentions:
            self._cues(doc, m)
        self._coordinated_cues(doc, mentions)
        return mentions

    def _in_person_named(self, doc, m: Mention) -> bool:
        """The mention sits in an institution's name after a capitalised word that is no place
        ("Ahmadu Bello University", "Aminu Kano Teaching Hospital"): part of the person's name
        the institution bears. "Kabul University", "Idlib Central Hospital" keep their place."""
        n = len(doc)
        e = m.tok_end
        while e < n and doc[e].is_alpha and _is_cap(doc[e]) and doc[e].lower_ not in INSTITUTION_WORDS:
            e += 1
        if e >= n or doc[e].lower_ not in INSTITUTION_WORDS or not _is_cap(doc[e]):
            return False
        k = m.tok_start - 1
        if k < 0:
            return False
        prev = doc[k]
        return prev.is_alpha and _is_cap(prev) and not prev.is_sent_start and \
            prev.lower_ not in DIRECTIONS and prev.lower_ not in PARTICLES and \
            prev.lower_.rstrip(".") not in TITLES and not self.gaz.lookup_key(name_key(prev.text))

    def _known_widely(self, m: Mention) -> bool:
        """A name too well known to be part of an unknown one: a country, a first-level unit or
        a named region ("Eastern Ghouta Monitor" still names Eastern Ghouta; a town is no such
        name: "Sabon Gari X" is a village of its own)."""
        recs = [self.gaz.record(r) for r in m.ids]
        return any(r.kind in (COUNTRY, ADMIN1, REGION) for r in recs)

    def _admin_unit(self, m: Mention) -> bool:
        """The mention's main reading (its most populous) is a country or a first-level unit."""
        recs = [self.gaz.record(r) for r in m.ids]
        return bool(recs) and max(recs, key=lambda r: r.population).kind in (COUNTRY, ADMIN1)

    def _state_code(self, tt: TokenTable, i: int, mentions: list[Mention]) -> tuple[int | None, str]:
        """"LOUISVILLE, KY--(Marketwire)", "EDMONTON, Ky (WBKO)", "Gatineau, QC": a state's
        postal code (capitals) or its AP abbreviation written without the period, right after
        "Town," where the town has a namesake in that state (token ``i`` of the doc whose
        table ``tt`` is); else (None, text)."""
        surface = tt.text[i]
        hit = _STATE_CODE.match(surface)
        if hit is None or i < 2 or tt.text[i - 1] != ",":
            return None, surface
        code = hit.group(1)
        town = next((m for m in mentions if m.tok_end == i - 1 and m.ids), None)
        if town is None:
            return None, surface
        if code.isupper() and len(code) == 2:
            cc_name = ADMIN1_POSTAL_CODES.get(code)
            cands = [r for r in self.gaz.lookup(cc_name[1]) if r.kind == ADMIN1 and
                     r.country_code == cc_name[0]] if cc_name else []
        else:
            rid = self.gaz.abbrev.get(code + ".")
            cands = [self.gaz.record(rid)] if rid is not None else []
        for unit in cands:
            if unit.kind == ADMIN1 and any(self.gaz.record(r).admin1_id == unit.id
                                           for r in town.ids):
                return unit.id, code
        return None, surface

    # ------------------------------------------------------------------ guards
    def _big_town_only(self, word: str) -> bool:
        """A first word of a "PERSON" entity that is a big town's name and nothing bigger:
        "Seattle Seahawks", "Boston Celtics" (teams the tagger reads as people) do not make
        "Seattle" a surname elsewhere; "Jordan", "Georgia" (also countries) stay person parts."""
        recs = [self.gaz.record(r) for r in self.gaz.lookup_key(name_key(word))]
        return bool(recs) and not any(r.kind in (COUNTRY, ADMIN1) for r in recs) and \
            max(r.population for r in recs) >= BIG_TOWN_PERSON

    def _judge(self, doc, m: Mention, tok_ent) -> bool | None:
        """Accept a gazetteer-only match (True; ``m.weak`` set when it needs its country in the
        context) or refuse it (None): the guards here, then :meth:`_judge_entity` when spaCy
        tagged it as something else, else :meth:`_judge_bare`."""
        span = doc[m.tok_start:m.tok_end]
        first = doc[m.tok_start]
        recs = [self.gaz.record(r) for r in m.ids]
        maxpop = max((r.population for r in recs), default=0)
        has_admin = any(r.kind in (COUNTRY, ADMIN1) or (r.kind == REGION and r.country_code) for r in recs)
        ents = {id(tok_ent[k]): tok_ent[k] for k in range(m.tok_start, m.tok_end) if k in tok_ent}
        single = m.tok_end - m.tok_start == 1
        words = [t for t in span if t.is_alpha]
        if span.text.isupper() and len(span.text) <= 4:
            return None     # acronyms (ISIS, AP...) are not places here
        if single and _direction_of_next(doc, m.tok_start, m.tok_end):
            return None     # "Northeast Philadelphia": a part of the city, no place "Northeast"
        if (m.tok_start > 0 and _names_vessel(doc[m.tok_start - 1])) or (
                single and first.text in self._vessels):
            return None     # "INS Mysore" is a warship
        if _after_operation(doc, m.tok_start):
            return None     # Operation "Olive Branch" is a military operation
        if span.text.isupper() and self._dateline(doc, m):
            m.strength = 0.9
            return True
        if single and (first.lower_ in COMMON_WORDS or first.lower_ in MODIFIER_WORDS or first.is_stop):
            return None
        if m.tok_start > 0 and not m.loose and (has_admin or maxpop >= 1000) \
                and self._country_possessive(doc[m.tok_start - 1]):
            # "Syria's Aleppo", "Syrias Aleppo" (whatever NER makes of it): a place
            m.strength = 0.6
            return True
        content = [t for t in words if t.lower_ not in PARTICLES]
        if content and all(t.lower_ in COMMON_WORDS for t in content):
            return None
        prev = doc[m.tok_start - 1] if m.tok_start > 0 else None
        if prev is not None and prev.lower_.rstrip(".") in TITLES and prev.text[:1].isupper():
            return None
        # "Ahrar al-Sham", "Jaysh al-Islam", "Tahrir Al-Sham": an article-led name right after a
        # capitalised word that is no place cue is the tail of a longer (group) name
        if prev is not None and _article_led(span.text) and prev.is_alpha and _is_cap(prev) \
                and not prev.is_sent_start and prev.lower_ not in ADMIN_CUES \
                and prev.lower_ not in CITY_CUES and prev.lower_ not in PARTICLES \
                and not self.gaz.lookup_key(name_key(prev.text)):
            return None
        if single and first.text in self._person_parts:
            return None
        if ents and m.loose and any(e.label_ in ("ORG", "WORK_OF_ART", "PRODUCT") or
                                    (e.label_ == "PERSON" and single) for e in ents.values()):
            return None
        if ents:
            ent = next(iter(ents.values()))
            if len(ents) > 1 or ent.label_ in _JUDGED_ENTITIES:
                return self._judge_entity(doc, m, ents, prev, single, maxpop, has_admin)
        return self._judge_bare(doc, m, single, maxpop, has_admin)

    def _judge_entity(self, doc, m: Mention, ents: dict, prev, single: bool, maxpop: int,
                      has_admin: bool) -> bool | None:
        """:meth:`_judge` for a match that overlaps spaCy entities other than places: several
        entities inside the match (accepted), a person, organisation or work's name (the match
        kept inside it only as an embedded country, state or big city; a person-tagged town
        kept as weak), a NORP word, a number or date (refused)."""
        ent = next(iter(ents.values()))
        span = doc[m.tok_start:m.tok_end]
        if len(ents) > 1:
            # "Ma`arrat an Nu`man" tagged as two ORGs: fine if all lie inside the match
            if all(x.start >= m.tok_start and x.end <= m.tok_end for x in ents.values()):
                m.ner = "multi"
                m.strength = 0.6
                if maxpop < 1000 and not has_admin:
                    m.weak = True
                return True
            return None
        es, ee = ent.start, ent.end
        while es < ee and doc[es].lower_ == "the":
            es += 1
        # the entity lies inside the match ("Jisr" of "Jisr ash-Shughur"): the match wins
        whole = es >= m.tok_start and ee <= m.tok_end
        if ent.label_ in ("PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW",
                          "LANGUAGE"):
            if not whole:
                # "Texas A&M", "University of Michigan", "Washington Post": an embedded
                # toponym; kept (low strength) only for countries/admin1/big cities
                if ent.label_ == "ORG" and (has_admin or maxpop >= 100000) and not m.loose \
                        and all(t.pos_ == "PROPN" for t in span if t.is_alpha):
                    m.ner = "ORG"
                    m.strength = 0.45
                    m.extra["embedded"] = True
                    return True
                return None
            m.ner = ent.label_
            m.strength = 0.6
            if ent.label_ == "PERSON" and single:
                if maxpop < 1000 and not has_admin:
                    return None
                if self._looks_like_person_or_name_part(doc, m):
                    return None
                m.weak = maxpop < 1000000     # "Aleppo" tagged PERSON: a big city is a city
                nxt = doc[m.tok_end] if m.tok_end < len(doc) else None
                if prev is not None and prev.lower_ in LOCATIVE_PREPS and \
                        (nxt is None or nxt.lower_ not in ("'s", "’s")):
                    m.weak = False            # "in Palmyra": a place, whatever NER says
            elif maxpop < 1000 and not has_admin:
                m.weak = True
            if m.loose:
                m.weak = True     # a transliteration variant needs its country in the text
            return True
        if ent.label_ == "NORP":
            m.ner = ent.label_
            m.strength = 0.75
            m.weak = m.weak or m.loose
            return True
        return None     # DATE, TIME, CARDINAL, ORDINAL, MONEY, PERCENT, QUANTITY: no place

    def _judge_bare(self, doc, m: Mention, single: bool, maxpop: int, has_admin: bool) -> bool | None:
        """:meth:`_judge` for a match with no entity (or a place entity the tagger gave
        differently): capitalised proper nouns only, weak at a sentence start, for a small
        town or a transliteration variant."""
        span = doc[m.tok_start:m.tok_end]
        first = doc[m.tok_start]
        # no entity: capitalised proper nouns only
        if single and self._looks_like_person_or_name_part(doc, m):
            return None
        if not all(t.pos_ == "PROPN" or not t.is_alpha or t.lower_ in PARTICLES for t in span):
            if single:
                # the tagger reads "Aleppo neighbourhoods" as ADJ + NOUN: a big place is
                # still a place when capitalised mid-sentence
                if (maxpop >= 100000 or has_admin) and not first.is_sent_start and \
                        first.text[:1].isupper() and not first.text.isupper():
                    m.strength = 0.6
                    return True
                return None
            m.weak = True
        if single and first.is_sent_start:
            m.weak = True
        if single and maxpop < self.min_pop_single and not has_admin:
            if maxpop < 5000:
                return None
            m.weak = True
        if m.loose:
            m.weak = True
        m.strength = 0.6 if m.weak else 0.7
        return True

    def _country_possessive(self, tok) -> bool:
        """"Syria's", "Syrias", "Yemen’s": a country name in the possessive."""
        t = tok.text
        if tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].text in ("'s", "’s", "'", "’"):
            base = t
        else:
            for suf in ("'s", "’s", "s"):
                if t.endswith(suf) and len(t) > len(suf) + 2:
                    base = t[: -len(suf)]
                    break
            else:
                return False
        if not base[:1].isupper():
            return False
        return any(self.gaz.record(i).kind == COUNTRY for i in self.gaz.lookup_key(name_key(base)))

    @staticmethod
    def _dateline(doc, m: Mention) -> bool:
        """"BEIRUT —", "DETROIT (AP) -", "TORRINGTON, Conn. —" at the start of a line."""
        s = m.tok_start
        if s > 0 and not (doc[s - 1].is_space and "\n" in doc[s - 1].text) and s != 0:
            prev = doc[s - 1]
            if not (prev.is_space or "\n" in prev.whitespace_):
                return False
        k = m.tok_end
        while k < len(doc) and (doc[k].text in (",", ".") or (doc[k].is_alpha and k - m.tok_end < 3
                                                                and doc[k].text[:1].isupper())):
            k += 1
        if k < len(doc) and k - m.tok_end < 4 and doc[k].text[:1].isupper() and \
                _DASH_GLUED.match(doc[k].text):
            return True     # "PLEASANTON, Calif.--(BUSINESS WIRE)--": "Calif.--(BUSINESS" is one token
        return k < len(doc) and doc[k].text[:1] in ("—", "–", "-", "(", ":")

    @staticmethod
    def _looks_like_person_or_name_part(doc, m: Mention) -> bool:
        t = doc[m.tok_start]
        if t.dep_ in ("nsubj", "nsubjpass") and t.head.lemma_ in SPEECH_VERBS:
            return True
        if t.head.lemma_ in SPEECH_VERBS and t.dep_ == "nsubj":
            return True
        for k in (m.tok_start - 1, m.tok_end):
            if 0 <= k < len(doc):
                o = doc[k]
                if o.is_alpha and _is_cap(o) and not o.is_sent_start and \
                        o.lower_ not in ADMIN_CUES and o.lower_ not in CITY_CUES and \
                        not (k == m.tok_end and PlaceExtractor._office_after(doc, k)) and \
                        o.lower_ not in PARTICLES and not (k == m.tok_start - 1 and o.is_sent_start):
                    if k == m.tok_end or not doc[m.tok_start].is_sent_start:
                        return True
        return False

    @staticmethod
    def _office_after(doc, k: int) -> str | None:
        """The unit an office named at token k heads: "Gov." / "Governor" (also "Lt. Gov.") a
        first-level unit, "Mayor" a town; None when no such word stands there."""
        if k < len(doc) and doc[k].lower_ in ("lt.", "lt", "lieutenant") and k + 1 < len(doc):
            k += 1
        return OFFICE_CUES.get(doc[k].lower_) if k < len(doc) else None

    def _cues(self, doc, m: Mention) -> None:
        """Cue words around the span: "Aleppo province", "the province of Idlib", "Idlib city",
        "the town of X", ", the provincial capital"."""
        if m.demonym_cc:
            return
        n = len(doc)
        e = m.tok_end
        k = e
        if k < n and doc[k].lower_ in ("'s", "’s"):
            k += 1
        while k < n and k - e < 3 and doc[k].lower_ in DIRECTIONS:
            k += 1      # "Aleppo's western countryside", "Idlib southern province"
        nxt = doc[k].lower_ if k < n else ""
        # ("CALAMBA CITY, Laguna Mayor X": the mayor is Calamba's, Laguna only places it)
        office = self._office_after(doc, e) if k == e and not (
            m.tok_start > 0 and doc[m.tok_start - 1].text == ",") else None
        if office is not None:
            m.cue = office           # "New York Gov. Andrew Cuomo", "Beaconsfield Mayor X"
            m.extra["cue_side"] = "after"
        elif k == e and admin_cue_at(doc, k) is not None:
            m.cue = admin_cue_at(doc, k)[0]     # "Idlib province", "Maradun Local Government Area"
            m.extra["cue_side"] = "after"
        elif nxt in ADMIN_CUES:
            m.cue = ADMIN_CUES[nxt]
            m.extra["cue_side"] = "after"
        elif nxt in ("city", "town", "village"):
            m.cue = PLACE
            m.extra["cue_side"] = "after"
        if nxt in SURROUNDING_CUES:
            m.extra["around"] = True        # "Damascus countryside", "Damascus suburbs"
            m.extra["cue_side"] = "after"
        s = m.tok_start
        if s >= 2 and doc[s - 1].lower_ == "of":
            w = doc[s - 2].lower_
            if w in ADMIN_CUES:
                m.cue = ADMIN_CUES[w]
                m.extra["cue_side"] = "before"
            elif w in ("city", "town", "village", "suburb", "outskirts", "centre", "center",
                       "streets", "neighbourhood", "neighborhood", "capital"):
                m.cue = PLACE
                m.extra["cue_side"] = "before"
            if w in SURROUNDING_CUES:
                m.extra["around"] = True    # "the countryside of Damascus", "outskirts of X"
                m.extra["cue_side"] = "before"
        elif s >= 1 and doc[s - 1].lower_ in SURROUNDING_CUES and doc[s - 1].lower_ not in ADMIN_CUES:
            m.extra["around"] = True        # "rural Damascus"
        # ", the provincial capital" / "(the provincial capital)"
        window = doc[e:min(n, e + 6)].text.lower()
        if "provincial capital" in window or "capital of the province" in window:
            m.provincial_capital = True
            m.cue = PLACE


    @staticmethod
    def _coordinated_cues(doc, mentions: list[Mention]) -> None:
        """A cue word shared by coordinated names: "Idlib and Hama provinces", "the countryside
        of Idlib and Hama", "Hama, Idlib and Latakia countrysides" -- each name gets the cue
        (and the surroundings reading) written once after the last or before the first."""
        names = [m for m in mentions if not m.demonym_cc]
        runs: list[list[Mention]] = []
        for m in names:
            if runs:
                prev = runs[-1][-1]
                gap = [t.lower_ for t in doc[prev.tok_end:m.tok_start] if not t.is_space]
                if prev.tok_end <= m.tok_start and gap and \
                        all(g in COORDINATORS for g in gap) and gap.count(",") <= 1 and \
                        sum(g != "," for g in gap) <= 1:
                    runs[-1].append(m)
                    continue
            runs.append([m])
        for run in runs:
            if len(run) < 2:
                continue
            for src in (run[-1], run[0]):
                side = "after" if src is run[-1] else "before"
                if src.extra.get("cue_side") != side:
                    continue
                for m in run:
                    if m is src or m.cue is not None or m.extra.get("cue_side"):
                        continue
                    m.cue = src.cue
                    if src.extra.get("around"):
                        m.extra["around"] = True
                    m.extra["cue_side"] = "shared"


def extract_places(analysis: Analysis, gazetteer: Gazetteer | None = None) -> list[Place]:
    """Convenience: run a (cached) :class:`PlaceExtractor` on one analysis."""
    ext = _default_extractor() if gazetteer is None else PlaceExtractor(gazetteer)
    ext(analysis)
    return analysis.places


@lru_cache(maxsize=1)
def _default_extractor() -> PlaceExtractor:
    return PlaceExtractor()
