"""Event triggers: what happened.

:class:`TriggerFinder` loads the event taxonomy (``sitroom/data/taxonomy.yaml`` through
:func:`sitroom.data.load`, so ``SITROOM_DATA`` overrides apply; its header
documents the schema), compiles every trigger phrase once into a token index and every cue
list into a regular expression, and fills ``Analysis.triggers`` with :class:`~sitroom.model.Trigger`
objects (ACLED event/sub-event type, PLOVER type, score, negation, hypothetical flag, sentence).

Matching uses a compiled index (first-token form -> patterns) rather than spaCy's ``Matcher``:
with thousands of inflected forms in set predicates the ``Matcher`` spent ~19 ms per CASE snippet;
the index does the same matching (inflections, alternatives, optional words, gaps, hyphens) in
~0.5 ms (whole stage, context checks included: ~4.5 ms per snippet).

Disambiguation is by context written in the taxonomy: cues that must / must not occur in the
sentence, cues that must occur in the grammatical subject (who acted) or object (who was hit) of the
trigger's verb, and "non-events" (disasters, crime, diplomacy, attribution) that damp every trigger
in their sentence. A capitalised trigger word inside an organisation's or unit's name ("Oromo
Liberation Army", "JTF Storm"; cue sets ``organisation_heads`` and ``name_prefixes``) is none.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import data as data_files
from ..model import Analysis, Trigger
from ..nlp import doc_text, token_table
from .attribution import REPORT_LEMMAS
from .casualties import clause_bounds

TAXONOMY_FILE = "taxonomy.yaml"

#: Irregular forms added to a phrase word's inflections.
IRREGULAR: dict[str, tuple[str, ...]] = {
    "strike": ("struck", "stricken"), "shoot": ("shot",), "blow": ("blew", "blown"),
    "take": ("took", "taken"), "retake": ("retook", "retaken"), "fight": ("fought",),
    "fall": ("fell", "fallen"), "drive": ("drove", "driven"), "overrun": ("overran",),
    "hold": ("held",), "leave": ("left",), "find": ("found",), "lay": ("laid",),
    "throw": ("threw", "thrown"), "break": ("broke", "broken"), "beat": ("beaten",),
    "burn": ("burnt",), "withdraw": ("withdrew", "withdrawn"), "build": ("built",),
    "flee": ("fled",), "slay": ("slew", "slain"), "steal": ("stole", "stolen"), "lead": ("led",),
    "bring": ("brought",), "catch": ("caught",), "seek": ("sought",), "win": ("won",),
    "go": ("went", "gone"), "hit": ("hits", "hitting"), "set": ("sets", "setting"),
    "gun": ("gunned",), "kidnap": ("kidnapped", "kidnapping", "kidnapper", "kidnappers"),
    "rob": ("robbed", "robbing"), "sink": ("sank", "sunk"), "rise": ("rose", "risen"),
    "begin": ("began", "begun"), "mean": ("meant",), "hurl": ("hurled",), "swim": ("swam",),
    "shell": ("shelled", "shelling", "shellings"), "plan": ("planned", "planning"),
    "stab": ("stabbed", "stabbing"), "flog": ("flogged",), "nab": ("nabbed",),
    "grab": ("grabbed",), "drop": ("dropped", "dropping"), "stop": ("stopped", "stopping"),
}

_MONTH_LIKE = {"March", "May"}
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "last", "its", "their", "his",
                "her", "recent", "deadly", "latest"}
#: a clause after these words tells what led to the reported event ("... after setting fire to")
_AFTER_WORDS = {"after", "following"}
#: outcomes whose cause is the event: "died after being beaten by police"
_OUTCOME_LEMMAS = {"die", "succumb", "kill", "wound", "injure", "hospitalise", "hospitalize", "hurt"}
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
NEG_LEMMAS = {"deny", "refute", "reject", "dismiss", "rule", "disprove"}
HYPO_VERBS = {"threaten", "plan", "vow", "warn", "intend", "prepare", "seek", "call", "urge",
              "demand", "propose", "consider", "fear", "expect", "aim", "want", "hope", "risk",
              "pledge", "promise", "ask", "appeal", "plot", "ready", "poised"}
HYPO_NOUNS = {"threat", "plan", "call", "risk", "possibility", "prospect", "fear", "warning",
              "appeal", "demand", "bid", "attempt"}
MODALS = {"will", "would", "could", "may", "might", "should", "shall", "'ll", "wo", "ca"}


def inflections(word: str) -> set[str]:
    """A word and its regular (over-generated, harmless) inflections plus irregular forms."""
    w = word.lower()
    out = {w, w + "s", w + "es", w + "ed", w + "d", w + "ing"}
    if w.endswith("e"):
        out |= {w[:-1] + "ing", w[:-1] + "ion"}
    if w.endswith("y") and len(w) > 2:
        out |= {w[:-1] + "ies", w[:-1] + "ied"}
    if len(w) > 2 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
        out |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    out |= set(IRREGULAR.get(w, ()))
    return out


def cue_regex(cues: list[str]) -> re.Pattern | None:
    """Cue words as one case-insensitive regex: each cue at a word start, "word=" as a whole word,
    the words of a multi-word cue with any whitespace or hyphen between them."""
    if not cues:
        return None
    parts = []
    for cue in cues:
        cue = str(cue).strip().lower()
        whole = cue.endswith("=")
        cue = cue.rstrip("=")
        if not cue:
            continue
        words = re.split(r"[\s\-]+", cue)
        body = r"[\s\-]+".join(re.escape(w) for w in words)
        parts.append(body + (r"(?![\w])" if whole else ""))
    # every cue starts a word: the look-behind once, before the alternation, so the regex engine
    # tries the cues at word starts only (the same matches as the look-behind in every part)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + ")", re.IGNORECASE) if parts else None


@dataclass
class _TriggerSpec:
    key: str
    phrase: str
    sub_event_type: str
    event_type: str
    code: str | None
    plover: str | None
    weight: float
    pos: str = "any"
    require: re.Pattern | None = None
    require_all: list[re.Pattern] = field(default_factory=list)
    exclude: re.Pattern | None = None
    boost: re.Pattern | None = None
    subject: re.Pattern | None = None
    subject_not: re.Pattern | None = None
    obj: re.Pattern | None = None
    obj_not: re.Pattern | None = None
    scope: str = "sentence"
    strength: float = 0.0          # non-events only
    non_event: bool = False
    #: names of non-events that do not damp this trigger ("a truce brokered by a UN envoy")
    undamped_by: frozenset = frozenset()


def _title_case(sent) -> bool:
    """A headline in Title Case: most words of four letters or more are capitalised."""
    words = [t.text for t in sent if t.is_alpha and len(t.text) >= 4]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _in_name(span, sent) -> bool:
    """A capitalised word inside a name ("Jazeera Storm" in quotes anywhere; Operation Euphrates
    Shield in an ordinary sentence): not at the sentence start, and quoted or, outside Title Case
    headlines, next to another capitalised word."""
    first = span[0]
    if not first.text[:1].isupper() or first.i == sent.start:
        return False
    doc = span.doc
    lo, hi = max(sent.start, first.i - 4), min(sent.end, span.end + 4)
    if any(t.text in _OPEN_QUOTES for t in doc[lo:first.i]) and \
            any(t.text in _CLOSE_QUOTES for t in doc[span.end:hi]):
        return True
    if _title_case(sent):
        return False
    prev = doc[first.i - 1] if first.i > sent.start else None
    nxt = doc[span.end] if span.end < sent.end else None

    def cap(t):
        return t is not None and t.is_alpha and t.text[:1].isupper()
    return cap(prev) or cap(nxt)


#: words that may join the words of a name: "Front for the Liberation of ...", "Workers' Party"
_NAME_JOINERS = {"of", "for", "the", "and", "'", "’", "'s", "’s", "-"}


def _in_org_name(span, sent, heads: frozenset, prefixes: tuple) -> bool:
    """The trigger is a word of an organisation's, armed group's or unit's name: every word of it
    capitalised and (a) the capitalised name it starts or continues ends, at most four words on, in
    an organisation head noun ("Oromo Liberation Army", "425th Separate Assault Regiment",
    "Front for the Liberation of ...") or (b) it follows a unit prefix ("JTF Storm"). In a Title
    Case headline (no final stop) every word is capitalised, so there the name (trigger to head noun) must also
    occur, written the same, elsewhere in the document ("Oromo Liberation Army Fighters Kill 12"
    over a report that names the Oromo Liberation Army; never "Rebels Attack Army Base").
    "Syrian Army shelled ..." keeps its trigger: "shelled" is outside the name."""
    if not heads and not prefixes:
        return False
    words = [t for t in span if t.is_alpha]
    if not words or not all(t.text[:1].isupper() for t in words):
        return False
    doc = span.doc
    first = span[0]
    end = None                # the end of the name (exclusive)
    for pre in prefixes:
        n = len(pre)
        if first.i - n >= sent.start and \
                tuple(t.lower_ for t in doc[first.i - n:first.i]) == pre:
            end = span.end
            break
    if end is None and len(span) > 1 and span[-1].lower_ in heads:
        end = span.end
    j, seen = span.end, 0
    while end is None and j < sent.end and seen < 4:
        t = doc[j]
        if t.is_alpha and t.text[:1].isupper():
            if t.lower_ in heads:
                end = j + 1
            seen += 1
        elif t.lower_ not in _NAME_JOINERS or j == span.end and t.lower_ in ("and", "-"):
            break
        j += 1
    if end is None:
        return False
    if _title_case(sent) and not sent.text.rstrip().endswith((".", "!", "?")):
        name = doc[first.i:end].text
        return doc_text(doc).count(name) >= 2
    return True


_OPEN_QUOTES = {"\"", "“", "'", "‘", "«"}
_CLOSE_QUOTES = {"\"", "”", "'", "’", "»"}


class TriggerFinder:
    """Find event triggers with the taxonomy's patterns. Build once; call per analysis."""

    def __init__(self, taxonomy_path: str | Path | None = None, min_score: float = 0.3,
                 classify_min_score: float = 0.3):
        # the packaged taxonomy with its SITROOM_DATA overrides, or a file of one's own
        self.path = Path(taxonomy_path) if taxonomy_path else TAXONOMY_FILE
        self.taxonomy: dict[str, Any] = (data_files.load_file(taxonomy_path) if taxonomy_path
                                         else data_files.load(TAXONOMY_FILE))
        self.min_score = min_score
        self.classify_min_score = classify_min_score
        #: classify_text: score discount per sentence after the first that has a trigger
        self.position_penalty = 0.15
        self.background_factor = 0.5
        self.cue_sets = {k: [str(c) for c in v] for k, v in (self.taxonomy.get("cue_sets") or {}).items()}
        self.specs: dict[str, _TriggerSpec] = {}
        #: sub-event type -> index of its exclusive group (one trigger per group and sentence)
        self.group_of: dict[str, int] = {}
        for gi, group in enumerate(self.taxonomy.get("exclusive_groups") or []):
            for name in group:
                self.group_of[name] = gi
        self.sub_event_types: dict[str, dict[str, Any]] = {}   # name -> {code, event_type, plover, definition}
        self._by_first: dict[str, list[tuple[str, list]]] = {}   # first-token form -> patterns
        for et in self.taxonomy.get("event_types", []):
            for st in et.get("sub_event_types", []):
                plover = st.get("plover") or {}
                ptype = plover.get("type") if isinstance(plover, dict) else str(plover)
                if isinstance(plover, dict) and plover.get("mode"):
                    ptype = f"{ptype}:{plover['mode']}" if ptype else None
                self.sub_event_types[st["name"]] = {
                    "code": st.get("code"), "event_type": et["name"], "plover": ptype,
                    "definition": st.get("definition", "")}
                for i, trig in enumerate(st.get("triggers") or []):
                    key = f"{st['name']}#{i}"
                    self._add(key, trig, st["name"], et["name"], st.get("code"), ptype)
        for ne in self.taxonomy.get("non_events") or []:
            for i, trig in enumerate(ne.get("triggers") or []):
                key = f"NONEVENT:{ne['name']}#{i}"
                spec = self._add(key, trig, ne["name"], "", ne.get("code"), None)
                spec.non_event = True
                spec.strength = float(ne.get("strength", 0.5))
        #: an actor word right before a non-event word makes that word a verb: "gunmen storm the
        #: campus", "protesters flood the square" (cue set ``actors_before_verb``)
        self._actor_before = cue_regex(self._expand(["@actors_before_verb"])) \
            if "actors_before_verb" in self.cue_sets else None
        #: a trigger that names an earlier event in passing ("the scene of a 2017 chemical
        #: attack", "to mourn demonstrators killed last month") is background (cue set
        #: ``past_reference``); its score is scaled by ``background_factor``
        self._past_ref = cue_regex(self._expand(["@past_reference"])) \
            if "past_reference" in self.cue_sets else None
        #: "weeks of fighting", "a series of attacks": a run of earlier events as background
        self._runs = {str(w).lower() for w in self.cue_sets.get("runs_of_events") or ()}
        self._masked = cue_regex(self._expand(["@masked_phrases"])) \
            if "masked_phrases" in self.cue_sets else None
        #: "in connection with the attack", "blamed for the bombing": an earlier event referred to
        self._refs = tuple(sorted({" ".join(str(w).lower().split()) for w in
                                   self.cue_sets.get("reference_before") or ()}, key=len, reverse=True))
        #: "blamed the ELN for the attack": a word of blame before "for"/"of" and the trigger
        self._blame = cue_regex(self._expand(["@blame_words"])) if "blame_words" in self.cue_sets else None
        #: "Oromo Liberation Army", "JTF Storm": a trigger word inside a name is no event (cue
        #: sets ``organisation_heads`` and ``name_prefixes``)
        self._org_heads = frozenset(str(w).lower() for w in self.cue_sets.get("organisation_heads") or ())
        self._name_prefixes = tuple(tuple(str(p).lower().split())
                                    for p in self.cue_sets.get("name_prefixes") or ())

    # ------------------------------------------------------------------ compilation
    def _expand(self, cues: Any) -> list[str]:
        out: list[str] = []
        for c in cues or []:
            c = str(c)
            if c.startswith("@"):
                if c[1:] not in self.cue_sets:
                    raise ValueError(f"{self.path}: unknown cue set {c}")
                out.extend(self._expand(self.cue_sets[c[1:]]))   # a set may name other sets
            else:
                out.append(c)
        return out

    def _add(self, key, trig, sub, event, code, plover) -> _TriggerSpec:
        spec = _TriggerSpec(
            key=key, phrase=trig["phrase"], sub_event_type=sub, event_type=event, code=code,
            plover=plover, weight=float(trig.get("weight", 0.6)), pos=trig.get("pos", "any"),
            require=cue_regex(self._expand(trig.get("require"))),
            require_all=[r for r in (cue_regex(self._expand(g)) for g in trig.get("require_all") or []) if r],
            exclude=cue_regex(self._expand(trig.get("exclude"))),
            boost=cue_regex(self._expand(trig.get("boost"))),
            subject=cue_regex(self._expand(trig.get("subject"))),
            subject_not=cue_regex(self._expand(trig.get("subject_not"))),
            obj=cue_regex(self._expand(trig.get("object"))),
            obj_not=cue_regex(self._expand(trig.get("object_not"))),
            scope=trig.get("scope", "sentence"),
            undamped_by=frozenset(str(x) for x in trig.get("undamped_by") or ()))
        self.specs[key] = spec
        for slots in self._patterns(spec.phrase):
            self._index(key, slots)
        return spec

    @staticmethod
    def _patterns(phrase: str) -> list[list[tuple]]:
        """Phrase syntax (see the taxonomy header) -> token patterns. A pattern is a list of slots;
        a slot is ("any", n) for up to n arbitrary tokens, or ("alt", optional, [sequence, ...])
        where a sequence is a tuple of frozensets of lower-case forms (one set per token)."""
        out = []
        for alt_phrase in phrase.split(", "):
            slots: list[tuple] = []
            for word in alt_phrase.split():
                if word == "...":
                    slots.append(("any", 5))
                    continue
                optional = word.endswith("?") and len(word) > 1
                word = word.rstrip("?")
                single: set[str] = set()
                seqs: list[tuple] = []
                for alt in word.split("|"):
                    parts = [p for p in alt.split("-") if p]
                    if not parts:
                        continue
                    if len(parts) == 1:
                        single |= inflections(parts[0])
                    else:
                        seqs.append(tuple(frozenset(inflections(p)) if j == len(parts) - 1
                                          else frozenset({p.lower()}) for j, p in enumerate(parts)))
                    if "-" in alt:   # some hyphenated words stay one token
                        single |= {alt.lower(), alt.lower() + "s", alt.lower() + "d"}
                if single:
                    seqs.insert(0, (frozenset(single),))
                slots.append(("alt", optional, seqs))
            while slots and slots[0][0] == "any":
                slots.pop(0)
            while slots and slots[-1][0] == "any":
                slots.pop()
            if slots:
                out.append(slots)
        return out

    def _index(self, key: str, slots: list[tuple]) -> None:
        """Register a pattern under every form its first token can take (optional leading slots
        expand into patterns without them)."""
        first = slots[0]
        if first[0] == "alt" and first[1]:
            rest = slots[1:]
            while rest and rest[0][0] == "any":
                rest = rest[1:]
            if rest:
                self._index(key, rest)
            first = ("alt", False, first[2])
            slots = [first] + slots[1:]
        for seq in first[2]:
            for form in seq[0]:
                self._by_first.setdefault(form, []).append((key, slots))

    def _match_at(self, lowers: list[str], i: int, slots: list[tuple]) -> set[int]:
        """All end positions where ``slots`` match starting at token i (a hyphen token between
        two words is skipped)."""
        ends: set[int] = set()
        n = len(lowers)

        def step(j: int, k: int, first: bool) -> None:
            if k == len(slots):
                ends.add(j)
                return
            if not first and j < n and lowers[j] == "-":
                step(j + 1, k, True)
            slot = slots[k]
            if slot[0] == "any":
                for g in range(slot[1] + 1):
                    if j + g <= n:
                        step(j + g, k + 1, True)
                return
            if slot[1]:
                step(j, k + 1, first)
            for seq in slot[2]:
                jj = j
                ok = True
                for t, forms in enumerate(seq):
                    if t and jj < n and lowers[jj] == "-":
                        jj += 1
                    if jj < n and lowers[jj] in forms:
                        jj += 1
                    else:
                        ok = False
                        break
                if ok:
                    step(jj, k + 1, False)

        step(i, 0, True)
        ends.discard(i)
        return ends

    def match(self, doc) -> list[tuple[str, int, int]]:
        """(pattern key, start token, end token) for every trigger/non-event phrase in a Doc."""
        lowers = token_table(doc).lower
        out = []
        for i, low in enumerate(lowers):
            for key, slots in self._by_first.get(low, ()):
                for end in self._match_at(lowers, i, slots):
                    out.append((key, i, end))
        return out

    # ------------------------------------------------------------------ matching
    def _candidates(self, analysis: Analysis) -> tuple[list[tuple], dict[int, list[tuple[float, str]]]]:
        doc = analysis.doc
        text_lower = doc_text(doc).lower()
        sents = list(doc.sents)
        sent_of_tok = {}
        for si, s in enumerate(sents):
            for i in range(s.start, s.end):
                sent_of_tok[i] = si
        # "according to activists" (who reported it, not who was there), "a family gathering" (no
        # protest): blanked out before cue words are checked (cue set masked_phrases)
        whole = doc_text(doc)
        sent_text = [whole[s.start_char:s.end_char] for s in sents]     # each s.text
        if self._masked:
            sent_text = [self._masked.sub(" ", t) for t in sent_text]
        if self._masked:
            text_lower = self._masked.sub(" ", text_lower)
        cands = []
        damp: dict[int, list[tuple[float, str]]] = {}   # sentence -> [(strength, non-event name)]
        # a cue searched in the whole document has one answer per document, in a sentence one
        # per sentence (for every trigger word of it): each searched once
        doc_hits: dict = {}
        sent_hits: dict[int, dict] = {}
        seen = set()
        for key, start, end in self.match(doc):
            if (key, start, end) in seen:
                continue
            seen.add((key, start, end))
            spec = self.specs[key]
            span = doc[start:end]
            si = sent_of_tok[start]
            ctx = text_lower if spec.scope == "document" else sent_text[si]
            memo = doc_hits if spec.scope == "document" else sent_hits.setdefault(si, {})
            if not self._check(spec, span, ctx, memo):
                continue
            if spec.non_event:
                if _in_name(span, sents[si]):
                    continue      # the "Jazeera Storm" operation is no storm
                if self._actor_before is not None and start > sents[si].start and \
                        self._actor_before.match(doc[start - 1].text):
                    continue      # "gunmen storm the university": no weather
                head = span.root
                if head.dep_ == "nsubj" and head.head.lemma_ in REPORT_LEMMAS:
                    continue      # "the UN envoy announced": who speaks, not what happened
                damp.setdefault(si, []).append((spec.strength, spec.sub_event_type))
                continue
            if _in_org_name(span, sents[si], self._org_heads, self._name_prefixes):
                continue          # "Oromo Liberation Army": a name, not a liberation
            score = spec.weight + (0.1 if spec.boost is not None and _found(spec.boost, ctx, memo) else 0.0)
            cands.append((spec, span, si, min(score, 1.0)))
        return cands, damp

    def _check(self, spec: _TriggerSpec, span, ctx: str, memo: dict | None = None) -> bool:
        head = _anchor(span)
        if len(span) == 1 and head.text in _MONTH_LIKE and any(
                t.like_num for t in head.doc[max(head.i - 1, 0):head.i + 2]):
            return False          # "16 March", "March 2019"
        if span.start >= 2 and span.doc[span.start - 1].text == "-" and span.doc[span.start - 2].lower_ == "non":
            return False          # "non-violent demonstration"
        if spec.pos == "noun" and head.pos_ not in ("NOUN", "PROPN"):
            return False
        if spec.pos == "verb" and (head.pos_ not in ("VERB", "AUX") or head.dep_ in ("amod", "compound")):
            return False
        if spec.require is not None and not _found(spec.require, ctx, memo):
            return False
        for r in spec.require_all:
            if not _found(r, ctx, memo):
                return False
        if spec.exclude is not None and _found(spec.exclude, ctx, memo):
            return False
        if spec.subject is not None or spec.subject_not is not None:
            subj = subject_text(span)
            if subj is None and not _is_passive(span):
                # no subject in the parse: the words before the trigger in its sentence
                subj = span.doc[span.sent.start:span.start].text
            if spec.subject is not None and not (subj and spec.subject.search(subj)):
                return False
            if spec.subject_not is not None and subj and spec.subject_not.search(subj):
                return False
        if spec.obj is not None or spec.obj_not is not None:
            obj = object_text(span)
            if spec.obj is not None and not (obj and spec.obj.search(obj)):
                return False
            if spec.obj_not is not None and obj and spec.obj_not.search(obj):
                return False
        return True

    def __call__(self, analysis: Analysis) -> None:
        doc = analysis.doc
        if doc is None:
            raise ValueError("analysis.doc is empty: run sitroom.nlp.parse first")
        cands, damp = self._candidates(analysis)
        sents = list(doc.sents)
        text = doc_text(doc)
        # best candidate per anchor token, then drop spans overlapping a better one
        best: dict[int, tuple] = {}
        for spec, span, si, score in cands:
            if spec.event_type not in ("Protests", "Riots"):
                # a protest about a flood, a crime or a treaty is still a protest; a riot that
                # sets a dumpster ablaze is still a riot
                score *= 1.0 - max((st for st, name in damp.get(si, ())
                                    if name not in spec.undamped_by), default=0.0)
            if self._background(span):
                score *= self.background_factor
            if score < self.min_score:
                continue
            a = _anchor(span).i
            if a not in best or score > best[a][3] or (
                    score == best[a][3] and len(span) > len(best[a][1])):
                best[a] = (spec, span, si, score)
        chosen: list[tuple] = []
        per_sentence: set[tuple[int, int, str]] = set()
        # the chosen spans never overlap: kept sorted by start, a new span overlaps one of them
        # only if it overlaps the last that starts before its end
        taken_starts: list[int] = []
        taken_ends: list[int] = []
        for item in sorted(best.values(), key=lambda x: (-x[3], x[1].start)):
            k = bisect.bisect_left(taken_starts, item[1].end)
            if k and taken_ends[k - 1] > item[1].start:
                continue
            # one trigger per sub-event type (or exclusive group) and sentence: the best-scoring one
            slot = self.group_of.get(item[0].sub_event_type, item[0].sub_event_type)
            # (clauses joined by "while" that each give a toll are incidents of their own)
            s = sents[item[2]]
            clause = clause_bounds(text, s.start_char, s.end_char, item[1].start_char)[0]
            if (item[2], clause, slot) in per_sentence:
                continue
            per_sentence.add((item[2], clause, slot))
            chosen.append(item)
            k = bisect.bisect_left(taken_starts, item[1].start)
            taken_starts.insert(k, item[1].start)
            taken_ends.insert(k, item[1].end)
        triggers = []
        for spec, span, si, score in sorted(chosen, key=lambda x: x[1].start):
            s = sents[si]
            triggers.append(Trigger(
                text=analysis.document.text[span.start_char:span.end_char],
                start=span.start_char, end=span.end_char,
                sub_event_type=spec.sub_event_type, event_type=spec.event_type, plover=spec.plover,
                score=round(score, 3), negated=is_negated(span), hypothetical=is_hypothetical(span),
                sentence=(s.start_char, s.end_char)))
        analysis.triggers = triggers

    def _background(self, span) -> bool:
        """The trigger names an earlier event inside a clause about something else: a noun
        with a year before it ("a deadly 2017 chemical weapons attack") or a subordinate
        trigger dated in the past ("demonstrators killed last month"). The main verb of a
        sentence is never background: "Last month, soldiers killed 12 people" reports it."""
        head = _anchor(span)
        while head.dep_ in ("compound", "amod") and head.head.pos_ in ("NOUN", "PROPN") \
                and head.head.i > head.i:
            head = head.head          # "chemical weapons" -> "... weapons attack"
        if head.dep_ == "ROOT":
            return False
        if head.pos_ in ("NOUN", "PROPN"):
            if self._noun_background(head):
                return True
            gov = head
            while gov.dep_ == "pobj" and gov.head.dep_ == "prep" and gov.head.head.pos_ in ("NOUN", "PROPN"):
                gov = gov.head.head
            if gov.i != head.i and self._past_ref is not None and \
                    self._past_ref.search(" ".join(t.text for t in gov.subtree)):
                return True       # "after the death of its leader in an air strike last month"
        elif head.dep_ not in ("acl", "relcl", "amod", "advcl", "pcomp", "xcomp"):
            return False
        elif head.dep_ in ("acl", "relcl") and head.head.pos_ in ("NOUN", "PROPN") \
                and self._noun_background(head.head):
            return True           # "convicted over the 2015 attacks that killed 130 people"
        elif ((head.dep_ == "pcomp" and head.head.lower_ in _AFTER_WORDS) or (head.dep_ == "advcl" and any(
                c.dep_ == "mark" and c.lower_ in _AFTER_WORDS for c in head.children))) \
                and _led_to_the_event(head):
            # "took the pilot hostage after setting fire to his plane"; not "died after being
            # beaten": what led to a death is the event
            return True
        if self._past_ref is None:
            return False
        # the trigger's own words and modifiers, not the clauses hanging off it
        toks = [t for t in head.subtree if t.i <= head.i or t.dep_ in ("npadvmod", "advmod", "prep", "pobj", "amod", "det", "case", "poss", "nummod")
                and t.head.i in (head.i,) + tuple(c.i for c in head.children)]
        if any(_YEAR.match(t.text) and t.dep_ == "pobj" and t.head.lower_ == "in" for t in toks):
            return True           # "killed in 2015"
        text = " ".join(t.text for t in sorted(toks, key=lambda t: t.i))
        return bool(self._past_ref.search(text))

    def _noun_background(self, head) -> bool:
        """A noun naming an earlier event: a year before it ("the 2015 attacks"), after "weeks of",
        or after words that refer to an earlier event ("in connection with", "blamed ... for")."""
        doc = head.doc
        if any(_YEAR.match(t.text) for t in doc[head.left_edge.i:head.i]):
            return True
        of = head.head
        if head.dep_ == "pobj" and of.lower_ == "of" and of.head.lower_ in self._runs:
            return True       # "after weeks of fighting", "following a series of attacks"
        if self._refs:
            before = doc[max(head.left_edge.i - 5, head.sent.start):head.left_edge.i]
            words = " ".join(t.lower_ for t in before if t.lower_ not in _DETERMINERS)
            if words.endswith(self._refs):
                return True   # "arrested in connection with the grenade attack"
            if self._blame is not None and words.endswith((" for", " of")) and any(
                    self._blame.match(t.text) for t in before):
                return True   # "blamed the ELN for the car bomb attack"
        return False

    def classify_text(self, analysis: Analysis) -> Trigger | None:
        """The single best trigger of a short snippet (earlier sentences and asserted, non-negated
        mentions preferred), or None when nothing event-like is found."""
        if not analysis.triggers:
            self(analysis)
        best, best_score = None, self.classify_min_score
        sent_starts = sorted({t.sentence[0] for t in analysis.triggers})
        for t in analysis.triggers:
            s = t.score * (1.0 - self.position_penalty * min(sent_starts.index(t.sentence[0]), 5))
            if t.negated:
                s *= 0.6
            if t.hypothetical:
                s *= 0.8
            if s > best_score:
                best, best_score = t, s
        return best

    def code(self, sub_event_type: str) -> str | None:
        """CASE 2021 code of an ACLED sub-event type."""
        info = self.sub_event_types.get(sub_event_type)
        return info["code"] if info else None


# ---------------------------------------------------------------------- syntax helpers

def _found(rx, ctx: str, memo: dict | None) -> bool:
    """``rx.search(ctx)``, remembered in ``memo`` (one per context: the document or a sentence)."""
    if memo is None:
        return rx.search(ctx) is not None
    hit = memo.get(rx)
    if hit is None:
        hit = memo[rx] = rx.search(ctx) is not None
    return hit


def _anchor(span):
    """The token that stands for a matched phrase: its first verb, else its syntactic root."""
    for t in span:
        if t.pos_ == "VERB":
            return t
    return span.root


def _led_to_the_event(clause) -> bool:
    """Whether an "after ..." clause tells what led to the reported event: the verb it hangs off
    is no outcome of it ("died", "was wounded")."""
    verb = governing_verb(clause.doc[clause.head.i:clause.head.i + 1])
    return verb is not None and verb.lemma_.lower() not in _OUTCOME_LEMMAS


def governing_verb(span):
    """The verb whose subject/object says who acted on whom for this trigger."""
    tok = _anchor(span)
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX") and tok.dep_ != "amod":
            return tok
        if tok.head.i == tok.i:
            break
        tok = tok.head
    return tok if tok.pos_ in ("VERB", "AUX") else None


def _is_passive(span) -> bool:
    verb = governing_verb(span)
    return verb is not None and any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def subject_tokens(verb):
    """nsubj of a verb (inherited through conj/advcl/xcomp), or the agent of a passive."""
    for _ in range(4):
        agent = [c for c in verb.children if c.dep_ == "agent"]
        if agent:
            pobj = [c for c in agent[0].children if c.dep_ == "pobj"]
            return pobj[0] if pobj else None
        subj = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
        if subj:
            if (subj[0].lower_ in ("it", "they", "we") or any(
                    c.dep_ == "poss" and c.lower_ in ("its", "their", "our") for c in subj[0].children)) \
                    and verb.dep_ == "ccomp" and verb.head.lemma_ in REPORT_LEMMAS:
                # "the army said it had killed 40 bandits", "the Houthis said their forces took the
                # camp": the speaker is who acted
                speaker = [c for c in verb.head.children if c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN")]
                if speaker:
                    return speaker[0]
            return subj[0]
        if [c for c in verb.children if c.dep_ == "nsubjpass"]:
            return None
        if verb.dep_ in ("conj", "advcl", "xcomp", "pcomp", "acl") and verb.head.i != verb.i:
            verb = verb.head
            if verb.pos_ not in ("VERB", "AUX"):
                # acl on a noun: "forces backed by X attacking ..." -> the noun is the actor
                return verb
            continue
        break
    return None


def _subtree_text(tok) -> str:
    return " ".join(t.text for t in tok.subtree)


def _head_phrase_text(tok) -> str:
    """The phrase of a subject without its coordinated parts: "The army and allied militias"
    -> "The army" (the first conjunct decides who acted)."""
    skip: set[int] = set()
    for c in tok.children:
        if c.dep_ in ("conj", "cc"):
            skip.update(t.i for t in c.subtree)
    return " ".join(t.text for t in tok.subtree if t.i not in skip)


def subject_text(span) -> str | None:
    verb = governing_verb(span)
    if verb is None:
        return None
    subj = subject_tokens(verb)
    return _head_phrase_text(subj) if subj is not None else None


def object_tokens(span) -> list:
    out = []
    anchor = _anchor(span)
    verb = governing_verb(span)
    for tok in {anchor, verb} - {None}:
        for c in tok.children:
            if c.dep_ in ("dobj", "nsubjpass", "attr", "dative"):
                out.append(c)
            elif c.dep_ == "prep" and c.lower_ in ("on", "against", "at", "upon", "into", "in", "near", "inside", "outside"):
                out.extend(p for p in c.children if p.dep_ == "pobj")
        if not any(c.dep_ == "dobj" for c in tok.children):
            # "attacked farmers harvesting olives", parsed as a clause: its subject is the object
            for c in tok.children:
                if c.dep_ == "ccomp" and c.i > tok.i:
                    out.extend(g for g in c.children if g.dep_ == "nsubj" and g.i > tok.i)
    return out


def object_text(span) -> str | None:
    toks = object_tokens(span)
    return " ".join(_subtree_text(t) for t in toks) if toks else None


def _ancestors(tok, stop_at_ccomp: bool, limit: int = 4):
    cur = tok
    for _ in range(limit):
        if cur.head.i == cur.i:       # spaCy makes a new Token per access: compare indices
            return
        if stop_at_ccomp and cur.dep_ in ("ccomp", "parataxis"):
            return
        cur = cur.head
        yield cur


def is_negated(span) -> bool:
    anchor = _anchor(span)
    for tok in [anchor, *list(_ancestors(anchor, stop_at_ccomp=True, limit=2))][:3]:
        if any(c.dep_ == "neg" for c in tok.children):
            return True
        if any(c.dep_ == "det" and c.lower_ in ("no",) for c in tok.children):
            return True
        if tok.pos_ == "VERB" and tok.i != anchor.i:
            break
    for tok in _ancestors(anchor, stop_at_ccomp=False, limit=4):
        if tok.lemma_.lower() in NEG_LEMMAS:
            return True
    if anchor.dep_ == "pobj" and anchor.head.lower_ == "without":
        return True               # "entered the town without any fighting"
    return False


def is_hypothetical(span) -> bool:
    anchor = _anchor(span)
    chain = [anchor, *_ancestors(anchor, stop_at_ccomp=True, limit=4)]
    for i, tok in enumerate(chain):
        if any(c.dep_ == "aux" and c.lower_ in MODALS for c in tok.children):
            return True
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children) and i + 1 < len(chain) \
                and chain[i + 1].lemma_.lower() in HYPO_VERBS:
            return True
        if i > 0 and tok.pos_ == "VERB" and tok.lemma_.lower() in HYPO_VERBS:
            return True
        if i > 0 and tok.pos_ == "NOUN" and tok.lemma_.lower() in HYPO_NOUNS:
            return True
        if tok.tag_ == "VB" and any(c.lower_ in ("going",) for c in tok.children):
            return True
    return False


_DEFAULT: TriggerFinder | None = None


def classify_text(analysis: Analysis, finder: TriggerFinder | None = None) -> Trigger | None:
    """Module-level shortcut: the best trigger of a snippet with the default taxonomy."""
    global _DEFAULT
    if finder is None:
        if _DEFAULT is None:
            _DEFAULT = TriggerFinder()
        finder = _DEFAULT
    return finder.classify_text(analysis)
