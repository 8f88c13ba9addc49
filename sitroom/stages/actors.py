"""Actors: who did it, and to whom.

:class:`ActorFinder` takes the actor dictionary (:mod:`sitroom.kb.actors`, from
``sitroom/data/actors.yaml``; its header documents the schema) and compiles it once into spaCy
``PhraseMatcher``/``Matcher`` patterns: named actors by alias, "<demonym> <head>" mentions ("Syrian jets", "Iraqi police", "Sudanese protesters"),
"<country>'s <head>", and generic mentions ("government forces", "police", "civilians",
"gunmen") resolved with the document's country code when one is given.

:func:`assign_roles` picks actor1 / actor2 / assoc_actor_1 for one trigger from the dependency
parse.
"""
from __future__ import annotations

from pathlib import Path

from spacy.matcher import Matcher, PhraseMatcher

from ..kb.actors import ActorDictionary, is_acronym as _is_acronym, slug
from ..model import ActorMention, Analysis, Trigger
from ..nlp import load_nlp
from .offsets import index_for
from .triggers import _anchor, governing_verb, subject_tokens

#: priority on equal span length: named > demonym/possessive/capital > generic
_PRIORITY = {"A": 3, "D": 2, "C": 2, "P": 2, "K": 2, "G": 1}


class ActorFinder:
    """Find and normalise actor mentions. Build once; call per analysis.

    ``path``: an actor dictionary of one's own instead of the packaged one (with its
    ``SITROOM_DATA`` overrides); ``dictionary``: an :class:`~sitroom.kb.actors.ActorDictionary`
    already loaded."""

    def __init__(self, path: str | Path | None = None, dictionary: ActorDictionary | None = None):
        self.dictionary = dictionary or ActorDictionary.load(path)
        self.path = Path(path) if path else None
        kb = self.dictionary
        nlp = load_nlp()
        self.vocab = nlp.vocab
        make = nlp.make_doc
        self.countries = kb.countries
        self.demonyms = kb.demonyms
        self.capitals = kb.capitals
        self.name_to_code = kb.name_to_code
        self.heads = kb.heads
        self.actors = kb.actors
        self.head_class = kb.head_class
        self._compile_named(make)
        self._compile_generic(make, kb.modifiers)

    def _compile_named(self, make) -> None:
        """Named actors by alias: acronyms case-sensitively, the rest in lower case; the
        dictionary's token patterns as they are."""
        self.pm_lower = PhraseMatcher(self.vocab, attr="LOWER")
        self.pm_orth = PhraseMatcher(self.vocab, attr="ORTH")
        self.matcher = Matcher(self.vocab)
        for i, a in enumerate(self.actors):
            lower, orth = [], []
            for alias in self.dictionary.aliases(a):
                (orth if _is_acronym(alias) else lower).append(make(alias if _is_acronym(alias) else alias.lower()))
            if lower:
                self.pm_lower.add(f"A:{i}", lower)
            if orth:
                self.pm_orth.add(f"A:{i}", orth)
            if a.get("patterns"):
                self.matcher.add(f"A:{i}", a["patterns"])

    def _compile_generic(self, make, mods: list[str]) -> None:
        """Generic phrases per head class; one demonym / possessive pattern set for all classes
        (the head word decides the class: first class in the file that lists it); capitals and
        country names standing for their government."""
        mod_tok = {"LOWER": {"IN": mods}, "OP": "{0,2}"}
        for cls, h in self.heads.items():
            gen = [make(str(g).lower()) for g in h.get("generic") or []]
            if gen:
                self.pm_lower.add(f"G:{cls}", gen)
        head_tok = {"LOWER": {"IN": sorted(self.head_class)}}
        dem_single = sorted(d for d in self.demonyms if len(make(d)) == 1 and not _is_acronym(d))
        dem_multi = [d for d in self.demonyms if d not in dem_single]
        pats = [[{"LOWER": {"IN": dem_single}}, mod_tok, head_tok]]
        for dem in dem_multi:
            toks = [t.text for t in make(dem)]
            pats.append(([{"ORTH": t} for t in toks] if _is_acronym(dem) else [{"LOWER": t.lower()} for t in toks])
                        + [mod_tok, head_tok])
        self.matcher.add("D:*", pats)
        # "Russian and Syrian jets"
        self.matcher.add("C:*", [[{"LOWER": {"IN": dem_single}}, {"LOWER": {"IN": ["and", ","]}},
                                  {"LOWER": {"IN": dem_single}}, mod_tok, head_tok]])
        # "Syria's army"
        names_single = sorted(n for n in self.name_to_code if len(make(n)) == 1)
        pp = [[{"LOWER": {"IN": names_single}}, {"LOWER": "'s"}, mod_tok, head_tok]]
        for cname in self.name_to_code:
            if cname not in names_single:
                pp.append([{"LOWER": t.text} for t in make(cname)] + [{"LOWER": "'s"}, mod_tok, head_tok])
        self.matcher.add("P:*", pp)
        self.pm_lower.add("K:capital", [make(c) for c in self.capitals])
        self.pm_lower.add("K:country", [make(c) for c in self.name_to_code])

    # ------------------------------------------------------------------ resolution
    def _generic(self, cls: str, code: str | None) -> tuple[str, str, str | None]:
        h = self.heads[cls]
        if code and code in self.countries:
            return h["name"].format(country=self.countries[code]), h.get("type"), code
        return h.get("fallback", h["name"].replace(" ({country})", "").replace(" of {country}", "")), h.get("type"), None

    def _demonym_code(self, tokens) -> str | None:
        txt = " ".join(t.text for t in tokens)
        for cand in (txt, txt.lower()):
            if cand in self.demonyms:
                return self.demonyms[cand]
        return None

    def __call__(self, analysis: Analysis, country_code: str | None = None) -> None:
        """Assigns ``analysis.actors``; an ambiguous name is read in the document's country
        (``country_code``, else ``analysis.context``'s)."""
        doc = analysis.doc
        if doc is None:
            raise ValueError("analysis.doc is empty: run sitroom.nlp.parse first")
        if country_code is None and analysis.context is not None:
            country_code = analysis.context.country_code()
        matches = []
        for m in (self.pm_lower(doc), self.pm_orth(doc), self.matcher(doc)):
            for mid, s, e in m:
                matches.append((self.vocab.strings[mid], s, e))
        cands = []
        for key, s, e in matches:
            kind = key.split(":", 1)[0]
            cands.append((e - s, _PRIORITY[kind], -s, key, s, e))
        cands.sort(reverse=True)
        taken: set[int] = set()
        mentions: list[ActorMention] = []
        for _, _, _, key, s, e in cands:
            if any(i in taken for i in range(s, e)):
                continue
            ms = self._resolve(doc, key, s, e, country_code)
            if not ms:
                continue
            taken.update(range(s, e))
            mentions.extend(ms)
        text = analysis.document.text
        for m in mentions:
            m.text = text[m.start:m.end]
        analysis.actors = sorted(mentions, key=lambda m: m.start)

    def _mention(self, span, name, atype, code) -> ActorMention:
        return ActorMention(text=span.text, start=span.start_char, end=span.end_char, actor=name,
                            actor_type=atype, country_code=code, actor_id=slug(name))

    def _resolve(self, doc, key: str, s: int, e: int, country_code: str | None) -> list[ActorMention]:
        kind, rest = key.split(":", 1)
        span = doc[s:e]
        if rest == "*":
            rest = self.head_class[doc[e - 1].lower_]
        # "opposition-held", "rebel-controlled", "Russian-backed": modifiers, not actors
        if e + 1 < len(doc) and doc[e].text == "-" and doc[e + 1].lower_ in _MODIFIER_PARTICIPLES:
            return []
        if kind == "A":
            a = self.actors[int(rest)]
            atype = a.get("type")
            code = a.get("country")
            if atype == "state_forces" and country_code and code and code != country_code:
                atype = "external_force"
            m = self._mention(span, a["name"], atype, code)
            m.actor_id = a["id"]
            return [m]
        if kind == "G":
            # bare plural nouns used attributively ("police station", "troops withdrawal") are no actors
            if span.root.dep_ in ("compound",) and span.root.head.i >= e \
                    and span.root.head.lemma_.lower() not in _UNIT_NOUNS:
                return []
            name, atype, code = self._generic(rest, country_code)
            return [self._mention(span, name, atype, code)]
        if kind == "K":
            # a capital or country name stands for its government only as an acting subject
            # ("Moscow denied ...", "Turkey agreed a truce with Russia")
            root = span.root
            if not (root.dep_ == "nsubj" or (root.dep_ == "conj" and root.head.dep_ == "nsubj")
                    or (root.dep_ == "pobj" and root.head.lower_ in ("with", "between"))):
                return []
            code = (self.capitals if rest == "capital" else self.name_to_code)[span.text.lower()]
            return [self._mention(span, f"Government of {self.countries[code]}", "state_forces", code)]
        if kind == "P":
            i = next(t.i for t in span if t.lower_ == "'s")
            code = self.name_to_code.get(doc[s:i].text.lower())
            name, atype, _ = self._generic(rest, code)
            return [self._mention(span, name, self._ext(atype, code, country_code), code)]
        if kind == "C":
            out = []
            for tok in (doc[s], doc[s + 2]):
                code = self._demonym_code([tok])
                if not code:
                    return []
                name, atype, _ = self._generic(rest, code)
                sub = doc[tok.i:tok.i + 1] if tok.i == s else doc[tok.i:e]
                out.append(self._mention(sub, name, self._ext(atype, code, country_code), code))
            return out
        if kind == "D":
            # longest demonym prefix
            for j in range(e - 1, s, -1):
                code = self._demonym_code(list(doc[s:j]))
                if code:
                    break
            else:
                return []
            name, atype, _ = self._generic(rest, code)
            return [self._mention(span, name, self._ext(atype, code, country_code), code)]
        return []

    @staticmethod
    def _ext(atype, code, country_code):
        if atype == "state_forces" and country_code and code and code != country_code:
            return "external_force"
        return atype


# ---------------------------------------------------------------------- roles

_VICTIM_TYPES = {"civilians"}
#: "police patrol", "army convoy": the compound still names the actor
_UNIT_NOUNS = {"patrol", "convoy", "post", "station", "base", "checkpoint", "vehicle", "officer",
               "personnel", "unit", "position", "outpost", "camp", "barracks", "headquarters",
               "helicopter", "jet", "plane", "aircraft", "drone", "tank", "commander", "spokesman",
               "member", "fighter", "soldier", "chief"}
_MODIFIER_PARTICIPLES = {"held", "controlled", "backed", "led", "run", "allied", "occupied", "dominated",
                         "aligned", "linked", "affiliated", "supported", "sponsored", "friendly", "based"}
_VIOLENT = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"}
_PROTEST_TYPES = {"protesters", "rioters"}


#: the last document's actor mentions, indexed by offset (assign_roles runs once per trigger)
_INDEXES: dict = {}


def _span_of(doc, start: int, end: int):
    return doc.char_span(start, end, alignment_mode="expand")


def assign_roles(analysis: Analysis, trigger: Trigger) -> dict[str, ActorMention | None]:
    """actor1 / actor2 / assoc_actor_1 for one trigger, from the dependency parse.

    actor1: subject of the trigger's verb (inherited through conj/advcl/xcomp), or the "by X" agent
    of a passive, or the actor named in the trigger noun phrase ("Russian warplanes");
    assoc_actor_1: further coordinated subjects ("X and Y launched"), "backed by X", "allied X";
    actor2: direct object, passive subject, or the object of on/against/with/at/targeting; else a
    civilian mention in the sentence (victims: "civilians killed"). For protests and riots actor1
    is the protesters/rioters mention and actor2 the state/police mention.
    """
    doc = analysis.doc
    out: dict[str, ActorMention | None] = {"actor1": None, "actor2": None, "assoc_actor_1": None}
    span = _span_of(doc, trigger.start, trigger.end)
    if span is None:
        return out
    s0, s1 = trigger.sentence
    mentions = (index_for(_INDEXES, "actors", analysis.actors).between(s0, s1) if s1 > s0
                else list(analysis.actors))
    if not mentions:
        return out
    tok_m: dict[int, ActorMention] = {}
    for m in mentions:
        ms = _span_of(doc, m.start, m.end)
        if ms is not None:
            for t in ms:
                tok_m[t.i] = m

    def in_tokens(tokens) -> list[ActorMention]:
        seen: list[ActorMention] = []
        for t in sorted(tokens, key=lambda t: t.i):
            m = tok_m.get(t.i)
            if m is not None and m not in seen:
                seen.append(m)
        return seen

    def backed(tok) -> bool:
        """Is tok inside a 'backed by X' / 'supported by X' / 'allied' modifier?"""
        cur = tok
        for _ in range(4):
            if cur.lemma_.lower() in ("back", "support", "ally", "aid", "assist") and cur.dep_ in ("acl", "amod", "advcl", "relcl"):
                return True
            if cur.head.i == cur.i:
                break
            cur = cur.head
        return False

    anchor = _anchor(span)
    verb = governing_verb(span)

    if trigger.event_type in ("Protests", "Riots"):
        prot = [m for m in mentions if m.actor_type in _PROTEST_TYPES]
        state = [m for m in mentions if m.actor_type in ("state_forces", "external_force")] or \
            [m for m in mentions if m.actor_type not in _PROTEST_TYPES | _VICTIM_TYPES]
        out["actor1"] = prot[0] if prot else None
        if trigger.sub_event_type != "Peaceful protest":
            out["actor2"] = state[0] if state else None
        return out

    # actor1 / assoc from subject or agent
    subj_tok = subject_tokens(verb) if verb is not None else None
    subj_ms: list[ActorMention] = []
    if subj_tok is not None:
        subj_ms = in_tokens(list(subj_tok.subtree))
    # "attack by X", "X's air strikes", "Russian warplanes" (trigger inside a mention)
    for c in anchor.children:
        if c.dep_ == "prep" and c.lower_ == "by":
            subj_ms = in_tokens([t for p in c.children for t in p.subtree]) + subj_ms
        if c.dep_ == "poss":
            subj_ms = in_tokens(list(c.subtree)) + subj_ms
    if anchor.i in tok_m and tok_m[anchor.i] not in subj_ms:
        subj_ms.insert(0, tok_m[anchor.i])
    subj_ms = [m for m in subj_ms if m.actor_type not in _VICTIM_TYPES]   # civilians are no actor1
    primary = [m for m in subj_ms if not backed(doc[_span_of(doc, m.start, m.end).start])]
    assoc = [m for m in subj_ms if m not in primary]
    if primary:
        out["actor1"] = primary[0]
        assoc = primary[1:] + assoc
    # "backed by X" attached to the trigger / verb
    for head in {anchor, verb} - {None}:
        for c in head.children:
            if c.dep_ in ("acl", "amod", "advcl") and c.lemma_.lower() in ("back", "support", "assist", "ally"):
                assoc.extend(m for m in in_tokens(list(c.subtree)) if m not in assoc)
    assoc = [m for m in assoc if m is not out["actor1"]]
    if assoc:
        out["assoc_actor_1"] = assoc[0]

    # actor2: objects / targets
    targets = []
    for head in [anchor, verb]:
        if head is None:
            continue
        for c in head.children:
            if c.dep_ in ("dobj", "nsubjpass", "dative"):
                targets.append(c)
            elif c.dep_ == "prep" and c.lower_ in ("on", "against", "with", "at", "upon", "targeting", "between"):
                targets.extend(p for p in c.children if p.dep_ == "pobj")
            elif c.dep_ in ("advcl", "xcomp", "acl") and c.lemma_.lower() in (
                    "target", "hit", "kill", "attack", "wound", "injure", "leave"):
                targets.extend(p for p in c.children if p.dep_ == "dobj")
    used = {id(out["actor1"]), id(out["assoc_actor_1"])}
    t_ms = [m for m in in_tokens([t for x in targets for t in x.subtree]) if id(m) not in used]
    if t_ms:
        out["actor2"] = t_ms[0]
    else:
        victims = [m for m in mentions if m.actor_type in _VICTIM_TYPES and id(m) not in used]
        if victims and trigger.event_type in ("Violence against civilians", "Explosions/Remote violence"):
            out["actor2"] = victims[0]
    # last resort for actor1: the nearest armed actor before the trigger in the sentence
    if out["actor1"] is None and trigger.event_type in _VIOLENT:
        taken_names = {m.actor for m in (out["actor2"], out["assoc_actor_1"]) if m is not None}
        armed = [m for m in mentions if m.actor not in taken_names
                 and m.actor_type not in _VICTIM_TYPES | _PROTEST_TYPES]
        before = [m for m in armed if m.end <= trigger.start]
        if before:
            out["actor1"] = before[-1]
        elif armed:
            out["actor1"] = armed[0]
    return out
