"""Numbers that count people or things affected: killed, injured, displaced, trapped, destroyed.

One pass over the document's numbers; each counted number gets a kind (from the verb or noun that
governs it, via the dependency parse), a unit (the noun it counts) and, for "including 293 women
and 433 children", a parent number it breaks down. Events take the incident counts; figures take
the cumulative ones.

What is no count of the dead: a measure ("60 to 70 kg", "50 km", an age), the doer ("a gunman
killed two farmers" counts the farmers), a vague word beside a stated number, a tally over several
incidents ("a spate of attacks that claimed six lives", "the fighting has killed more than 200",
a cue in the count's own clause only). What is: one victim written as a word ("a protester",
"another police constable", "her 3-year-old son", "Protester killed as ..."), named victims
("killing Jalal Khan, Azizullah and Abdullah" is 3), ranges at their lower bound ("19 to 21" is 19,
as ACLED codes the conservative figure). The word lists are sitroom/data/casualty_words.yaml.
``stages/events.py`` then chooses an event's count with :func:`next_sentence_count` (the toll of
the sentence after the event's), :func:`bomber_not_counted` (ACLED: a suicide bombing's dead
include the bomber) and :func:`refined_count` ("more than 40", then "41 named").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from ..data import load as load_data, require_strings
from ..model import DateExpr
from ..nlp import doc_text
from .numbers import Number, find_numbers
from .offsets import Coverage

KIND_LEMMAS = {
    "killed": {"kill", "die", "dead", "death", "slay", "massacre", "execute", "behead", "perish",
               "fatality", "toll", "murder", "shoot dead", "lose", "martyr", "martyred", "life",
               "lives"},
    "injured": {"injure", "wound", "hurt", "injury", "maim", "casualty", "wounded", "injured"},
    "displaced": {"flee", "displace", "uproot", "evacuate", "displacement", "refugee", "shelter",
                  "escape", "leave", "relocate", "expel"},
    "trapped": {"trap", "besiege", "strand", "encircle", "surround"},
    "destroyed": {"destroy", "damage", "raze", "ruin", "flatten", "demolish", "burn", "torch",
                  "knock", "level", "collapse", "bomb", "hit", "target"},
    "detained": {"arrest", "detain", "abduct", "kidnap", "seize", "hold", "capture", "jail"},
}
PEOPLE_NOUNS = {"people", "person", "civilian", "civilians", "child", "children", "woman", "women",
                "man", "men", "fighter", "fighters", "soldier", "soldiers", "troops", "militant",
                "militants", "rebel", "rebels", "resident", "residents", "villager", "villagers",
                "protester", "protesters", "demonstrator", "demonstrators", "worker", "workers",
                "family", "families", "student", "students", "refugee", "refugees", "member",
                "members", "policeman", "policemen", "officer", "officers", "gunman", "gunmen",
                "insurgent", "insurgents", "combatant", "combatants", "individual", "individuals",
                "inhabitant", "inhabitants", "boy", "boys", "girl", "girls", "infant", "infants",
                "teenager", "teenagers", "personnel", "jihadist", "jihadists", "syrians", "victim",
                "victims", "passenger", "passengers", "patient", "patients", "journalist",
                "journalists", "worshipper", "worshippers", "pilgrim", "pilgrims", "guard", "guards",
                "detainee", "detainees", "prisoner", "prisoners", "hostage", "hostages"}
THING_NOUNS = {"house", "houses", "home", "homes", "hospital", "hospitals", "school", "schools",
               "building", "buildings", "village", "villages", "town", "towns", "shop", "shops",
               "mosque", "mosques", "church", "churches", "vehicle", "vehicles", "tank", "tanks",
               "facility", "facilities", "clinic", "clinics", "market", "markets", "bridge", "bridges"}
BREAKDOWN_KEYS = {"woman": "women", "women": "women", "child": "children", "children": "children",
                  "civilian": "civilians", "civilians": "civilians", "man": "men", "men": "men",
                  "fighter": "fighters", "fighters": "fighters", "soldier": "soldiers",
                  "soldiers": "soldiers", "boy": "children", "boys": "children", "girl": "children",
                  "girls": "children", "minor": "children", "minors": "children"}
BREAKDOWN_CUES = ("including", "among them", "among whom", "of whom", "of them", "among",
                  "mostly", "most of them", "included")
CUMULATIVE_CUES = ("since", "so far", "in total", "in all", "toll", "tally", "total", "to date",
                   "this year", "past year", "last year", "months", "weeks", "overall", "altogether",
                   "cumulative", "over the past", "over the last", "throughout", "campaign", "war",
                   "conflict", "hostilities", "have fled", "has fled", "had fled")
VERIFY_CUES = ("verified", "confirmed", "documented", "corroborated", "recorded")
# where the clause of a count ends: "kills 11 people, raising the death toll to 317" -- the toll
# of the later clause is cumulative, the 11 of the first is not
# ("killed 23 people in the town which has been under siege ever since ...": a relative clause on
# a place or thing ends it too)
_CLAUSE_END = re.compile(r"[,;\u2026]|\.\.\.|\b(?:and )?(?:raising|raises|raised|raise|rises|rising|bringing|brings)\b"
                         r"|\b(?:which|where)\b", re.I)


def _casualty_words() -> dict:
    """The counter's word lists (sitroom/data/casualty_words.yaml), read once at import."""
    words = load_data("casualty_words.yaml")
    for key in ("single_victims", "units", "cumulative_cues", "bomber_dead", "bomber_counted"):
        require_strings("casualty_words.yaml", key, words.get(key) or [])
    return words


_CW = _casualty_words()


def _alt(words) -> str:
    return "|".join(sorted((re.escape(w).replace("\\ ", r"\s+") for w in words), key=len, reverse=True))


_SINGLE = _alt(_CW.get("single_victims") or [])
# "One Turkish soldier killed", "kills a civilian", "a 40-year-old man", "another police constable":
# a single victim written as a word, tried at each determiner; its modifiers are neither
# determiners nor number words ("a mob killed a cleric" is the cleric; "another four persons")
_ONE_DET = re.compile(r"\b(?:one|a|an|another|his|her|their)\s+", re.I)
_ONE_REST = re.compile(r"(?:(?!(?:one|a|an|another|the|two|three|four|five|six|seven|eight|nine|ten|dozens?|"
                       r"several|few|more|of|and|or|but|in|at|on|by|to|from|with|who|that|which|was|were|is|"
                       r"has|had|been|dead)\b)(?!(?:kill|die|wound|injur|attack|shoot|shot|strik|struck|hit|"
                       r"target|bomb|shell|murder|abduct|kidnap|arrest|fire|open)\w*\b)"
                       r"(?:[A-Za-z]+|\d+-year-old)[-\s]+){0,3}?"
                       rf"(?P<noun>{_SINGLE})\b(?!-)", re.I)
_ONE_DIED = re.compile(r"\bone\s+(?:died|was killed|killed|dead)\b", re.I)
# whole words only: "war" is a cue, "warplanes" is not; "the latest in a spate of attacks that
# claimed six lives": a tally over several incidents
_CUMULATIVE_RE = re.compile(r"\b(?:" + _alt(CUMULATIVE_CUES + tuple(_CW.get("cumulative_cues") or ())) + r")\b")
# a measure, never a count: "60 to 70 kg", "50 km", "a 40-year-old man"
_UNIT_AFTER = re.compile(rf"[ \t]*-?[ \t]*(?:{_alt(_CW.get('units') or [])})(?![\w/])", re.I)
_ENTITY_BEFORE = re.compile(r"&#?x?$")
# headline style without an article: "Rocket attack kills soldier", "shelling killed child"
_BARE_ONE_RE = re.compile(r"\b(?:kills|killed|killing)\s+(?P<n>soldier|civilian|child|woman|man|fighter|"
                          r"policeman|journalist|teenager|boy|girl|officer|commander|doctor|activist)\b",
                          re.I)
# a headline that opens with a singular victim: "Protester killed as Iraqis scuffle with police"
_HEAD_ONE_RE = re.compile(rf"(?:^|\n)[ \t]*(?:(?!(?:A|An|One|The|Another)\b)[A-Z][\w-]*[ \t]+){{0,2}}?(?P<n>(?i:{_SINGLE}))[ \t]+"
                          r"(?i:killed|shot dead|dies|died|slain)\b")
# the final toll of one incident is no tally over many: "raise the death toll of Maarrat al-Numan
# massacre to 11", "raise to 5, the number of those who were killed in the targeting of Qardaha"
_INCIDENT_TOLL = re.compile(
    r"\bdeath toll (?:of|in) (?:the )?(?:[\w'\u2019-]+ ){0,5}?(?:massacre|bombing|explosion|blast|attack|"
    r"shelling|strike|airstrike|air strike|raid|targeting|ambush)\b[^,;]{0,40}?\bto\b"
    r"|\b(?:raise|raises|raising|rises|rising)(?: the death toll)? to [\d,]+(?: \w+){0,2}, the number of "
    r"(?:people|persons|those|citizens|civilians)(?: who (?:were|have been))? killed (?:in|by) ", re.I)
# ... unless the statement counts over a period: "to 90 in less than 72 hours", "since April"
_PERIOD = re.compile(r"\b(?:in|during|within|over|for) (?:the )?(?:last |past |less than |more than )?"
                     r"(?:\d+|two|three|four|five|six|seven|several|few|\w+teen) (?:consecutive )?"
                     r"(?:days|hours|weeks|months)\b|\bsince\b|\bescalation\b|\bcampaign\b", re.I)
# a period of the same day is no cumulative tally: "kills 10 since this morning"
_SAME_DAY = re.compile(r"\bsince (?:this|the) (?:morning|dawn|evening|afternoon)\b|\bsince dawn\b", re.I)


# a state word right after the counted noun: "left five passengers dead", "ten people injured"
_RESULT_STATE = re.compile(r"\s+(dead|killed|martyred|injured|wounded)\b", re.I)
# the rising toll of one incident: "the number of Maoists killed in the encounter ... has
# increased to 31", "the death toll from the attack rose to 12"
_TOLL_RISE = re.compile(r"\b(?:number of (?:[\w-]+ ){0,3}?(?:killed|dead|deaths|fatalities)|death toll)\b"
                        r"[^.;]{0,100}?\b(?:increased|risen|rose|rises|climbed|reached|jumped|gone up|"
                        r"went up) to\s*$", re.I)


def _casualties_are_dead(segment: str) -> bool:
    """"6 casualties and several others were wounded", "bombing causes 9 casualties": a count of
    "casualties" is the dead (monitors' usage: SOHR writes "casualties and injuries") unless the
    same statement counts the dead in other words ("3 killed and 12 casualties")."""
    return not _DEAD_WORDS.search(segment)


_DEAD_WORDS = re.compile(r"\b(?:killed|killing|kills?|dead|died|deaths?|death toll|fatalities|bodies|"
                         r"martyred|martyrs)\b", re.I)


def _one_counts(text: str, numbers: list[Number]) -> tuple[list[Number], set[int]]:
    """Single victims written as words, and the starts of those whose own words say they were
    killed ("kills soldier", "Protester killed as ..."), whatever the parse of a headline says."""
    taken = [(n.start, n.end) for n in numbers]
    out = []
    killed: set[int] = set()
    for m in _ONE_DET.finditer(text):
        rest = _ONE_REST.match(text, m.end())
        if not (rest or _ONE_DIED.match(text, m.start())):
            continue
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        # the span ends before the noun ("A 47-year-old | man", "an Army | jawan"): the noun
        # after it is the counted one
        end = len(text[:rest.start("noun")].rstrip(" \t\n-")) if rest else m.start() + len(m.group(0).split()[0])
        out.append(Number(m.start(), end, text[m.start():end], 1, num_start=m.start()))
    for m in list(_BARE_ONE_RE.finditer(text)) + list(_HEAD_ONE_RE.finditer(text)):
        a, b = m.start("n"), m.end("n")
        if any(x < b and a < y for x, y in taken):
            continue
        out.append(Number(a, b, m.group("n"), 1, num_start=a))
        killed.add(a)
    return out, killed


def segment_bounds(text: str, start: int, end: int, pos: int) -> tuple[int, int]:
    """The ';'-separated part of the span start..end that holds ``pos`` (several headlines or
    clauses joined by semicolons are separate statements)."""
    a = text.rfind(";", start, pos)
    b = text.find(";", pos, end)
    return (a + 1 if a >= 0 else start), (b if b >= 0 else end)


_WHILE = re.compile(r",?\s+(?:while|whereas)\s+", re.I)
_TOLL = re.compile(r"\b(?:killed|killing|died|dead|deaths?|lost their lives)\b", re.I)


def clause_bounds(text: str, start: int, end: int, pos: int) -> tuple[int, int]:
    """The clause of start..end that holds ``pos`` when "while" or "whereas" joins clauses that
    each give a death toll ("Nine people were killed in X, while two others died in Y"): two
    incidents, each with its place and count. Else start..end."""
    cuts = [m for m in _WHILE.finditer(text, start, end)]
    if not cuts:
        return start, end
    bounds = [start] + [m.start() for m in cuts] + [end]
    parts = [(bounds[0], bounds[1])] + [(cuts[i].end(), bounds[i + 2]) for i in range(len(cuts))]
    if not all(_TOLL.search(text, a, b) and find_numbers(text[a:b]) for a, b in parts):
        return start, end
    for a, b in parts:
        if a <= pos < b:
            return a, b
    return start, end


@dataclass
class Count:
    number: Number
    kind: str | None                 # killed, injured, displaced, trapped, destroyed, detained
    unit: str | None                 # the counted noun, lemma ("civilian", "people", "hospital")
    unit_token: int | None
    sentence: tuple[int, int]
    sent_index: int
    parent: int | None = None        # index (in the list) of the number this one breaks down
    breakdown: dict[str, int] = field(default_factory=dict)
    cumulative: bool = False
    verified: bool = False


def _counted_noun(doc: Doc, num_end: int) -> Token | None:
    """The noun a number counts: '1,506 civilians', 'dozens of hospitals', '3 million people'."""
    from bisect import bisect_left

    from ..nlp import token_starts
    i = bisect_left(token_starts(doc), num_end)     # the first token starting at or after num_end
    toks = [t for t in doc[i:i + 6] if not t.is_space][:4]
    for t in toks:
        if t.pos_ in ("NOUN", "PROPN") or t.lower_ in PEOPLE_NOUNS:
            # "three traffic policemen": the head of the compound is the counted noun
            hops = 0
            while t.dep_ == "compound" and t.head.i > t.i and t.head.pos_ in ("NOUN", "PROPN") and hops < 3 \
                    and t.lower_ not in PEOPLE_NOUNS:      # ("20 civilians activists": civilians)
                t, hops = t.head, hops + 1
            return t
        if t.lower_ not in ("of", "other", "more", "people", "additional", "innocent", "unarmed",
                             "armed", "syrian", "civilian", "-", "injured", "wounded", "displaced") \
                and t.pos_ not in ("ADJ", "NUM", "DET"):
            return None
    return None


#: the kind of a count that names who did it, not who suffered it: "a gunman killed two
#: farmers", "shot dead by three soldiers" (the count is dropped)
AGENT = "agent"
# verbs whose active subject is the doer: "gunmen killed", "troops arrested" (not "died", "fled")
_DOER_VERBS = {"kill", "execute", "slay", "massacre", "behead", "murder", "shoot", "injure", "wound",
               "hurt", "maim", "displace", "uproot", "expel", "arrest", "detain", "abduct", "kidnap",
               "capture", "seize", "attack", "ambush", "storm", "raid", "bomb", "shell", "torch", "burn"}


_VICTIM_WORDS = {"casualty", "casualties", "victim", "victims", "death", "deaths", "body", "bodies",
                 "dead", "fatality", "fatalities", "martyr", "martyrs", "injury", "injuries", "wounded",
                 "injured", "loss", "losses", "civilian", "civilians", "child", "children", "woman", "women"}


def _is_agent(tok: Token) -> bool:
    """The counted noun is the doer: the active subject of a verb of violence that has an object
    ("a gunman killed two farmers"), or the object of "by" ("killed by a soldier")."""
    if tok.lemma_.lower() in _VICTIM_WORDS or tok.lower_ in _VICTIM_WORDS:
        return False            # "4 casualties in bombardment ... shell X": a headline's bad parse
    if tok.head.text[:1].isupper() and tok.head.i > tok.sent.start:
        return False            # "Eight Civilians Killed 14 Injured": a title-case headline's participle
    if tok.dep_ == "nsubj" and tok.head.pos_ == "VERB" and tok.head.lemma_.lower() in _DOER_VERBS \
            and any(c.dep_ == "dobj" for c in tok.head.children):
        return True             # (with an object: "5 killed in X" is a headline's passive)
    if tok.dep_ == "pobj" and tok.head.lower_ == "by" and tok.head.dep_ == "agent":
        return True
    return False


def _governing_kind(tok: Token) -> str | None:
    """Walk from the counted noun up the parse to the verb that says what happened to it."""
    seen = 0
    cur = tok
    candidates: list[Token] = [tok]
    # relative clause: "19 people who died", "400,000 people who fled"
    candidates += [c for c in tok.children if c.dep_ in ("relcl", "acl", "amod")]
    while cur.head.i != cur.i and seen < 4:     # (spaCy makes a new Token per access)
        cur = cur.head
        candidates.append(cur)
        if cur.pos_ == "VERB" and cur.dep_ not in ("xcomp",):
            # "were killed": stop at the first full verb
            candidates += [c for c in cur.children if c.dep_ in ("prt", "acomp", "oprd")]
            break
        seen += 1
    if _is_agent(tok):
        return AGENT
    for c in candidates:
        lemma = c.lemma_.lower()
        for kind, lemmas in KIND_LEMMAS.items():
            if lemma in lemmas or c.lower_ in lemmas:
                if kind == "destroyed" and tok.lower_ in PEOPLE_NOUNS:
                    continue
                if kind in ("killed", "injured", "displaced", "trapped", "detained") and \
                        tok.lower_ in THING_NOUNS:
                    continue
                return kind
    return None


# words that say what happened to a count when the parse does not link them ("11 member from the
# regime forces killed", "bombardment kills 10 in X", "the bodies of 6 fighters")
STRONG = {
    "killed": {"kill", "killed", "dead", "die", "died", "execute", "executed", "slay", "slain",
               "massacre", "massacred", "body", "bodies", "death", "deaths", "toll", "behead",
               "martyr", "martyrs", "martyred"},
    "injured": {"wound", "wounded", "injure", "injured", "hurt", "maim"},
    "displaced": {"flee", "fled", "displace", "displaced", "uproot", "uprooted"},
    "detained": {"arrest", "arrested", "detain", "detained", "abduct", "abducted", "kidnap",
                 "kidnapped"},
}


def _token_at(doc: Doc, char: int) -> Token | None:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _nearby_kind(doc: Doc, num: Token, noun: Token | None, sent) -> str | None:
    def kind_of(t: Token) -> str | None:
        for kind, words in STRONG.items():
            if t.lemma_.lower() in words or t.lower_ in words:
                return kind
        return None
    after_start = (noun.i if noun is not None else num.i) + 1
    for t in doc[after_start:min(sent.end, after_start + 7)]:
        if t.like_num or t.text in (";", ":") or t.pos_ == "NUM":
            break
        k = kind_of(t)
        if k:
            return k
    for t in doc[max(sent.start, num.i - 3):num.i]:
        if t.like_num:
            continue
        k = kind_of(t)
        if k:
            return k
    return None


# the present perfect of a toll: "has killed", "have been killed", "have died", "has claimed"
_PERFECT = re.compile(r"\b(?:has|have)\s+(?:now\s+|so far\s+|already\s+)?(?:been\s+)?(?:killed|claimed|died|"
                      r"left\b[^.;]{0,40}\bdead)\b", re.I)
# a whole conflict as the subject: "an insurgency launched in 2009 has killed tens of thousands",
# "the fighting has killed more than 200 fighters"
_CONFLICT_SUBJECT = re.compile(r"\b(?:fighting|violence|insurgency|insurrection|rebellion|war|conflict|clashes|"
                               r"unrest|crisis|uprising|hostilities)\b(?:\s+[\w'\u2019-]+){0,8}?\s+(?:has|have)\b", re.I)


def _has_cumulative_cue(clause: str) -> bool:
    """A cumulative cue in the clause, not as a word of a name ("the Baluch Activists Campaign has
    published the names of 41 people killed that day": a capitalised cue inside a clause that is
    no title-case headline)."""
    words = re.findall(r"[A-Za-z]+", clause)
    title_case = len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
    for m in _CUMULATIVE_RE.finditer(clause.lower()):
        if clause[m.start()].isupper() and re.search(r"\w", clause[:m.start()]) and not title_case:
            continue
        return True
    return False


def _running_toll(segment: str) -> bool:
    """A count in the present perfect that runs over a whole conflict or a period: "More than
    36,000 people have been killed ... since Boko Haram launched its insurrection", "the fighting
    has killed more than 200 fighters": a tally, not one incident's dead."""
    return bool(_PERFECT.search(segment)) and bool(
        re.search(r"\bsince\b", segment, re.I) or _CONFLICT_SUBJECT.search(segment))


# verbs whose object (or passive subject) is a person killed: "gunmen killed Carlos Posada",
# "Homero Cortes was murdered", "killing Jalal Khan, Azizullah and Abdullah"
_KILL_VERBS = {"kill", "murder", "assassinate", "execute", "behead", "slay", "lynch", "stab"}


def _named_victims(doc: Doc, numbers: list[Number]) -> list[Number]:
    """Named people killed: a PERSON entity that is the object of a verb of killing or the subject
    of its passive, with the PERSONs coordinated with it ("killing Jalal Khan, Azizullah and
    Abdullah" is 3); one count per group, its span from the first name to the last."""
    taken = [(n.start, n.end) for n in numbers]
    persons = {e.root.i: e for e in doc.ents if e.label_ == "PERSON"}
    out: list[Number] = []
    seen: set[int] = set()
    for i, ent in persons.items():
        r = ent.root
        if i in seen or r.dep_ not in ("dobj", "nsubjpass") or r.head.lemma_.lower() not in _KILL_VERBS:
            continue
        if r.dep_ == "nsubjpass" and not any(c.dep_ == "auxpass" for c in r.head.children):
            continue
        spans = [(ent.start_char, ent.end_char)]
        stack = [r]
        while stack:          # the names coordinated with it (NER may miss a one-word name)
            t = stack.pop()
            for c in t.children:
                if c.dep_ == "conj" and (c.i in persons or c.pos_ == "PROPN") and c.i not in seen:
                    seen.add(c.i)
                    e = persons.get(c.i)
                    spans.append((e.start_char, e.end_char) if e is not None else
                                 (c.left_edge.idx, c.idx + len(c.text)))
                    stack.append(c)
        seen.add(i)
        a = min(x for x, _ in spans)
        b = max(y for _, y in spans)
        if any(x < b and a < y for x, y in taken):
            continue
        out.append(Number(a, b, doc_text(doc)[a:b], len(spans), num_start=a))
    return out


def find_counts(doc: Doc, dates: list[DateExpr], numbers: list[Number] | None = None) -> list[Count]:
    text = doc_text(doc)
    numbers = numbers if numbers is not None else find_numbers(text)
    date_spans = [(d.start, d.end) for d in dates]
    sents = list(doc.sents)
    sent_starts = [s.start_char for s in sents]
    counts: list[Count] = []
    import bisect
    ones, killed_by_match = _one_counts(text, list(numbers))
    named = _named_victims(doc, list(numbers) + ones)
    killed_by_match |= {x.start for x in named}
    ones += named
    one_ids = {id(x) for x in ones}
    numbers = sorted(list(numbers) + ones, key=lambda n: n.start)
    in_a_date = Coverage(date_spans).overlaps
    for n in numbers:
        if in_a_date(n.num_start, n.num_start + len(n.text.split()[0]) if id(n) in one_ids else n.end):
            continue          # (of "A 47-year-old" only the article: the age is no date)
        if _ENTITY_BEFORE.search(text[max(0, n.num_start - 3):n.num_start]):
            continue     # "&#8220;": an HTML character reference, not a count
        if _UNIT_AFTER.match(text, n.end):
            continue     # "60 to 70 kg", "50 km": a measure, not a count
        si = max(0, bisect.bisect_right(sent_starts, n.num_start) - 1)
        sent = sents[si]
        noun = _counted_noun(doc, n.end)
        num_tok = _token_at(doc, n.end - 1)
        kind = _governing_kind(noun) if noun is not None else None
        if kind is None and num_tok is not None:
            kind = _governing_kind(num_tok)       # "kills 10", "5 killed"
        if kind == AGENT:
            continue                              # "a gunman killed ...": the doer, not a victim
        if n.start in killed_by_match:
            kind = "killed"
        if kind is None and num_tok is not None:
            kind = _nearby_kind(doc, num_tok, noun, sent)
        # "has left at least five passengers dead": the state after the counted noun says what
        # happened to it, whatever the verb governing it ("left", "hit") would say
        state = _RESULT_STATE.match(text, noun.idx + len(noun.text) if noun is not None else n.end)
        if state is not None and kind in (None, "killed", "injured", "displaced", "destroyed"):
            kind = "killed" if state.group(1).lower() in ("dead", "killed", "martyred") else "injured"
        if kind is None and _TOLL_RISE.search(text[max(sent.start_char, n.start - 160):n.start]):
            kind = "killed"     # "the number of Maoists killed in the encounter ... has increased to 31"
        window = text[max(sent.start_char, n.start - 40):n.start].lower()
        if kind is None and not (noun is not None and noun.lower_ in BREAKDOWN_KEYS
                                 and any(cue in window for cue in BREAKDOWN_CUES)):
            continue
        sa, sb = segment_bounds(text, sent.start_char, sent.end_char, n.num_start)
        if kind == "injured" and noun is not None and noun.lower_ in ("casualties", "casualty") \
                and _casualties_are_dead(text[sa:sb]):
            kind = "killed"
        # "The toll in Khost was confirmed, while six people were killed in Kunar": the cue of
        # the other clause is not this count's
        ca, cb = clause_bounds(text, sa, sb, n.num_start)
        m_end = _CLAUSE_END.search(text, n.end, cb)
        stext = text[ca:(m_end.start() if m_end else cb)]
        cumulative = _has_cumulative_cue(_SAME_DAY.sub(" ", stext))
        if cumulative and kind == "killed" and _INCIDENT_TOLL.search(text[sa:sb]) \
                and not _PERIOD.search(text[sa:sb]):
            cumulative = False
        if not cumulative and kind == "killed" and _running_toll(text[sa:sb]):
            cumulative = True
        c = Count(number=n, kind=kind, unit=(noun.lemma_.lower() if noun is not None else None),
                  unit_token=(noun.i if noun is not None else None),
                  sentence=(sent.start_char, sent.end_char), sent_index=si,
                  cumulative=cumulative,
                  verified=any(cue in text[sa:sb].lower() for cue in VERIFY_CUES))
        counts.append(c)
    # breakdowns: "1,506 civilians, including 293 women and 433 children"
    for i, c in enumerate(counts):
        if c.unit is None or BREAKDOWN_KEYS.get(c.unit) is None:
            continue
        for j in range(i - 1, -1, -1):
            p = counts[j]
            if p.sent_index != c.sent_index or p.parent is not None:
                continue
            between = text[p.number.end:c.number.start].lower()
            if any(cue in between for cue in BREAKDOWN_CUES) and p.number.value and c.number.value \
                    and c.number.value <= p.number.value:
                c.parent = j
                c.kind = p.kind
                p.breakdown[BREAKDOWN_KEYS[c.unit]] = c.number.value
                break
    counts = [c for c in counts if c.kind is not None]
    for c in counts:
        if c.unit and BREAKDOWN_KEYS.get(c.unit) == "civilians" and c.number.value is not None:
            c.breakdown.setdefault("civilians", c.number.value)
    return counts


_BOMBER_DEAD = [re.compile(x, re.I) for x in _CW.get("bomber_dead") or []]
_BOMBER_COUNTED = [re.compile(x, re.I) for x in _CW.get("bomber_counted") or []]
_BOMBER_SURVIVED = re.compile(r"\b(?:survived|arrested|captured|detained|foiled|thwarted|defused|"
                              r"failed to detonate|before (?:he|she|they) could)\b", re.I)


def bomber_not_counted(sub_event_type: str | None, segment: str) -> bool:
    """A suicide bombing whose stated toll leaves out the bomber ("Thirteen civilians died when a
    woman suicide bomber blew herself up" is 14 by ACLED's rule that the attackers killed count):
    the sub-event type is a suicide bombing, the statement says the bomber died ("blew himself
    up", data file ``bomber_dead``), and it neither counts the bomber in ("including the bomber") nor says the attack failed."""
    if sub_event_type != "Suicide bomb":
        return False
    if not any(r.search(segment) for r in _BOMBER_DEAD):
        return False        # "Suicide attack kills 11": whether the 11 holds the bomber is unsaid
    return not (any(r.search(segment) for r in _BOMBER_COUNTED) or _BOMBER_SURVIVED.search(segment))


# a sentence that opens on another incident: its count is not the previous sentence's
_OTHER_INCIDENT = re.compile(r"^\W*(?:in (?:an?|one) ?(?:other|separate|different|second|similar|related)|"
                             r"in another|elsewhere|separately|meanwhile|earlier|previously|before that|"
                             r"last (?:week|month|year)|a day (?:earlier|before)|the (?:previous|next) day|"
                             r"on the same day|also on|later)\b", re.I)
# triggers that refer back to the previous sentence's incident: "Five people were killed", "the
# attack killed a 40-year-old man"
_ANAPHORIC_TRIGGER = re.compile(r"^(?:kill\w*|died|dies|dead|deaths?|shot dead|attack\w*|incident|violence|"
                                r"assault|blast|explosion|strike|raid)$", re.I)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def next_sentence_count(ctx, sent, ev, in_range, triggers, text: str) -> list[Count]:
    """The death count of the sentence right after an event's sentence when that sentence goes on
    about the same incident ("An apparent roadside bomb went off at the gate of the mosque. Five
    people were killed, said the ministry's spokesman"): same paragraph, no other place (outside
    the event's own place or province), no other day, no opening on another incident ("In another ...",
    "Earlier"), no event of another kind; its incident death counts only (no tally, no
    breakdown). Else []."""
    if sent.heading or sent.index + 1 >= len(ctx.sentences):
        return []
    nxt = ctx.sentences[sent.index + 1]
    if nxt.heading or nxt.teaser or nxt.period or _PARAGRAPH.search(text, sent.end, nxt.start):
        return []
    found = [c for c in in_range(nxt.start, nxt.end) if c.kind == "killed" and c.parent is None
             and not c.cumulative and c.number.value is not None]
    if not found or _OTHER_INCIDENT.match(nxt.text):
        return []
    for p in ctx.places_in(nxt.start, nxt.end):
        if p.feature in ("country", "demonym") or p.role == "speaker_location":
            continue
        if p.feature == "admin1" and (p.country_code, p.admin1) == (ev.country_code, ev.admin1):
            continue
        if p.name is not None and p.name in (ev.location, ev.admin2):
            continue
        return []           # "... in Nuh": another place, another incident
    for d in ctx.dates_in(nxt.start, nxt.end):
        if d.kind in ("date", "range") and d.value_start and ev.event_date and d.value_start != ev.event_date:
            return []
    for t in triggers:
        if nxt.start <= t.start < nxt.end and not t.negated and t.event_type != ev.event_type \
                and not _ANAPHORIC_TRIGGER.match(t.text.strip()):
            return []
    return found


def refined_count(ev, counts: list[Count], places_in) -> Count | None:
    """The exact figure a lower bound announced: "killing more than 40 people on September 30"
    and, later, "the names of 41 people killed that day" -- 41 is consistent with "more than
    40" and says more. A later incident death count of the document just above the event's
    "more than N"/"over N" (N < M <= N + max(2, N/5)), exact or "about", whose sentence names no
    other place than the event's; None when there is none."""
    fe = ev.fatalities_evidence
    if fe is None or ev.fatalities is None:
        return None
    own = next((c for c in counts if c.number.start == fe.start and c.number.end == fe.end), None)
    if own is None or own.number.qualifier != "more than" or own.number.value != ev.fatalities:
        return None
    n = own.number.value
    for c in counts:
        m = c.number.value
        if c is own or c.kind != "killed" or c.parent is not None or c.cumulative or c.number.vague \
                or m is None or c.number.start <= fe.start or c.number.qualifier not in (None, "about"):
            continue
        if not (n < m <= n + max(2, n // 5)):
            continue
        others = [p for p in places_in(c.sentence[0], c.sentence[1])
                  if p.feature not in ("country", "demonym") and p.role != "speaker_location"
                  and p.name not in (ev.location, ev.admin1, ev.admin2)]
        if others:
            continue
        return c
    return None
