"""Who said it: reporting verbs, their speakers, and pronoun/surname carry-over.

Every figure and claim names its source. A sentence's attribution is the subject of its reporting
verb ("..., the United Nations said"), the object of "according to", or, for "he said", the last
named speaker before it. A later bare surname ("Bachelet said") is mapped back to the full name and
role first given ("United Nations human rights chief Michelle Bachelet").
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span as SpacySpan, Token

from ..nlp import doc_text, token_table

REPORT_LEMMAS = {
    "say", "tell", "report", "state", "announce", "add", "claim", "deny", "accuse", "blame",
    "call", "urge", "appeal", "warn", "confirm", "verify", "allege", "insist", "reject",
    "condemn", "demand", "declare", "dismiss", "note", "write", "tweet", "estimate", "document",
    "record", "quote", "cite",
}
PRONOUNS = {"he", "she", "they", "it", "we", "i"}
_ROLE_WORDS = {"chief", "spokesman", "spokeswoman", "spokesperson", "minister", "president",
               "commander", "official", "officials", "investigator", "chairman", "chair", "head",
               "director", "envoy", "governor", "general", "secretary", "ambassador", "monitor",
               "monitors", "coordinator", "representative", "mayor", "leader", "agency", "office",
               "ministry", "observatory", "group", "prime", "correspondent", "source", "sources",
               "witnesses", "residents", "rescuers", "activists", "medics", "doctors", "police"}


@dataclass
class Attribution:
    speaker: str                 # canonical speaker name ("Michelle Bachelet", "United Nations")
    role: str | None             # "United Nations human rights chief"
    verb: str                    # lemma of the reporting verb ("say", "deny", "according to")
    verb_token: int              # token index of the verb (or of "according")
    sentence: tuple[int, int]    # char offsets of the sentence
    speaker_span: tuple[int, int]
    entity_label: str | None = None
    extra: dict = field(default_factory=dict)


def _subject_of(verb: Token) -> Token | None:
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if subjects:
        # '"People are being killed, many people," spokesman Jeremy Laurence told': the parser
        # may give two subjects; the named one is the speaker
        named = [c for c in subjects if c.pos_ == "PROPN" or c.ent_type_ in ("PERSON", "ORG", "GPE")]
        return (named or subjects)[-1]
    # "..., saying ..." / conjoined verbs share the head's subject
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.i != verb.i:
        return _subject_of(verb.head)
    return None


def _np_span(tok: Token) -> SpacySpan:
    """The noun phrase of a subject, without trailing relative/appositive clauses."""
    left = tok.left_edge.i
    right = tok.i
    for child in tok.rights:
        if child.dep_ in ("compound", "flat", "prep") and child.i == right + 1 and child.dep_ != "prep":
            right = child.right_edge.i
        elif child.dep_ == "prep" and child.text.lower() == "of" and child.i == right + 1:
            right = child.right_edge.i   # "chairman of the Commission", "Ministry of Defence"
        elif child.dep_ == "conj" and child.i > right:
            right = child.right_edge.i   # "witnesses and insurgent sources"
    return tok.doc[left:right + 1]


def _appositive(tok: Token) -> SpacySpan | None:
    for child in tok.children:
        if child.dep_ == "appos":
            return tok.doc[child.left_edge.i:child.right_edge.i + 1]
    return None


class _EntityIndex:
    """A document's entities, listed once, found by token range (``doc.ents`` rebuilds them all
    on every access: per speaker that made attribution quadratic in the document's length)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.ents = list(doc.ents)
        self.starts = [e.start for e in self.ents]

    def within(self, start: int, end: int) -> list[SpacySpan]:
        """Entities lying wholly inside tokens ``start:end``, in text order."""
        out = []
        for k in range(bisect.bisect_left(self.starts, start), len(self.ents)):
            e = self.ents[k]
            if e.start >= end:
                break
            if e.end <= end:
                out.append(e)
        return out


class SpeakerMemory:
    """Names first given in full, remembered for later mentions in the same document."""

    def __init__(self, ents: _EntityIndex | None = None) -> None:
        self._ents = ents
        self.by_surname: dict[str, tuple[str, str | None, str | None]] = {}
        self.last: tuple[str, str | None, str | None] | None = None
        self.last_person: tuple[str, str | None, str | None] | None = None

    def canonical(self, span: SpacySpan) -> tuple[str, str | None, str | None]:
        doc = span.doc
        if self._ents is None or self._ents.doc is not doc:
            self._ents = _EntityIndex(doc)
        inside = self._ents.within(span.start, span.end)
        person = next((e for e in inside if e.label_ == "PERSON"), None)
        text = span.text.strip().strip(",").strip()
        if text.lower().startswith("the "):
            text = text[4:]
        if person is not None:
            name = person.text
            role = (doc[span.start:person.start].text + " " + doc[person.end:span.end].text).strip(" ,")
            role = role[4:] if role.lower().startswith("the ") else role
            role = role or None
            key = name.split()[-1].lower()
            known = self.by_surname.get(key)
            if known and len(known[0]) >= len(name):
                return known[0], role or known[1], "PERSON"
            self.by_surname[key] = (name, role, "PERSON")
            return name, role, "PERSON"
        # a bare surname given in full earlier ("Bachelet", which the model may tag ORG)
        key = text.split()[-1].lower() if text else ""
        if len(text.split()) == 1 and key in self.by_surname:
            return self.by_surname[key]
        label = next((e.label_ for e in inside), None)
        return text, None, label


# a wire dateline opening a sentence: "MOSCOW, Jan. 16 -", "BEIRUT (AP) -", "GENEVA -"
_DATELINE = re.compile(r"^\s*[A-Z][A-Z.'\- ]{2,40}(?:,\s*[^\n\u2014\u2013-]{1,40}?)?\s*(?:\([^)\n]{1,30}\))?"
                       r"\s*[\u2014\u2013-]{1,2}\s")


def find_attributions(doc: Doc) -> list[Attribution]:  # noqa: C901
    """Every reporting verb of the document with its (resolved) speaker, in text order."""
    ents = _EntityIndex(doc)
    memory = SpeakerMemory(ents)
    out: list[Attribution] = []
    tt = token_table(doc)
    text = doc_text(doc)
    for sent in doc.sents:
        dl = _DATELINE.match(text[sent.start_char:sent.end_char])
        dateline_end = sent.start_char + dl.end() if dl else -1
        for i in range(sent.start, sent.end):
            # a Token only where one may be: "according", or a reporting verb
            if tt.lower[i] != "according" and not (tt.pos[i] == "VERB" and tt.lemma[i].lower() in REPORT_LEMMAS):
                continue
            tok = doc[i]
            verb = None
            speaker_tok = None
            if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
                pobj = next((c for c in doc[tok.i + 1].children if c.dep_ == "pobj"), None)
                if pobj is not None:
                    verb, speaker_tok = "according to", pobj
            elif tok.pos_ == "VERB" and tok.lemma_.lower() in REPORT_LEMMAS:
                subj = _subject_of(tok)
                if subj is not None:
                    verb, speaker_tok = tok.lemma_.lower(), subj
            if verb is None or speaker_tok is None:
                continue
            if speaker_tok.lower_ in PRONOUNS:
                ref = memory.last_person if speaker_tok.lower_ in ("he", "she") else memory.last
                if ref is None or speaker_tok.lower_ in ("it", "we", "i"):
                    continue
                name, role, label = ref
                span = (speaker_tok.idx, speaker_tok.idx + len(speaker_tok))
            else:
                np = _np_span(speaker_tok)
                appos = _appositive(speaker_tok)
                if speaker_tok.idx < dateline_end:
                    # "MOSCOW, Jan. 16 - The Russian Defence Ministry ... denied": the dateline's
                    # city is no speaker; the parser hangs the real subject on it as apposition
                    if appos is None or appos.start_char < dateline_end:
                        continue
                    np, appos = appos, None
                name, role, label = memory.canonical(np)
                appos_person = appos is not None and (
                    any(e.label_ == "PERSON" for e in ents.within(appos.start, appos.end))
                    or (speaker_tok.lower_ in _ROLE_WORDS and all(t.pos_ == "PROPN" for t in appos)))
                if label != "PERSON" and appos_person:
                    # "Ukraine's military spokesman Oleksandr Shtupun": the name is the apposition
                    role_text = np.text.strip(" ,")
                    name, _, _ = memory.canonical(appos)
                    label = "PERSON"
                    role = role_text[4:] if role_text.lower().startswith("the ") else role_text
                    memory.by_surname[name.split()[-1].lower()] = (name, role, label)
                elif appos is not None and not role:
                    role = appos.text.strip(" ,")
                    if name.split()[-1].lower() in memory.by_surname:
                        memory.by_surname[name.split()[-1].lower()] = (name, role, label)
                if not name or not any(c.isalpha() for c in name):
                    continue
                # "It is deeply distressing" is no speaker; a speaker is a name, an organisation
                # or a noun of people who speak
                if not (label in ("PERSON", "ORG", "GPE", "NORP")
                        or any(t.lemma_.lower() in _ROLE_WORDS or t.lower_ in _ROLE_WORDS for t in np)
                        or any(t.pos_ == "PROPN" for t in np)):
                    continue
                span = (np.start_char, np.end_char)
                memory.last = (name, role, label)
                if label == "PERSON":
                    memory.last_person = memory.last
            out.append(Attribution(name, role, verb, tok.i, (sent.start_char, sent.end_char), span, label))
    return out
