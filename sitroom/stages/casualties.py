"""Numbers that count people or things affected: killed, injured, displaced, trapped, destroyed.

One pass over the document's numbers; each counted number gets a kind (from the verb or noun that
governs it, via the dependency parse), a unit (the noun it counts) and, for "including 293 women
and 433 children", a parent number it breaks down. Events take the incident counts; figures take
the cumulative ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from ..model import DateExpr
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
# whole words only: "war" is a cue, "warplanes" is not
_CUMULATIVE_RE = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in CUMULATIVE_CUES) + r")\b")
# where the clause of a count ends: "kills 11 people, raising the death toll to 317" -- the toll
# of the later clause is cumulative, the 11 of the first is not
_CLAUSE_END = re.compile(r"[,;\u2026]|\.\.\.|\b(?:and )?(?:raising|raises|raised|raise|rises|rising|bringing|brings)\b", re.I)
# "One Turkish soldier killed", "kills a civilian": a single victim written as a word
_ONE_RE = re.compile(r"\b(?:one|a|an)\s+(?:[A-Za-z]+[- ]){0,2}?(?:soldier|civilian|child|woman|man|fighter|member|"
                     r"person|boy|girl|officer|policeman|journalist|citizen|teenager|youth|young man|"
                     r"militant|rebel|gunman|commander|doctor|nurse|worker|farmer|shepherd|infant|baby|"
                     r"elderly man|pilot|activist)\b|\bone\s+(?:died|was killed|killed|dead)\b", re.I)
_ENTITY_BEFORE = re.compile(r"&#?x?$")
# headline style without an article: "Rocket attack kills soldier", "shelling killed child"
_BARE_ONE_RE = re.compile(r"\b(?:kills|killed|killing)\s+(?P<n>soldier|civilian|child|woman|man|fighter|"
                          r"policeman|journalist|teenager|boy|girl|officer|commander|doctor|activist)\b",
                          re.I)
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
_RESULT_STATE = re.compile(r"\s+(dead|killed|injured|wounded)\b", re.I)
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


def _one_counts(text: str, numbers: list[Number]) -> list[Number]:
    taken = [(n.start, n.end) for n in numbers]
    out = []
    for m in _ONE_RE.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        w = m.group(0).split()[0]
        out.append(Number(m.start(), m.start() + len(w), w, 1, num_start=m.start()))
    for m in _BARE_ONE_RE.finditer(text):
        a, b = m.start("n"), m.end("n")
        if any(x < b and a < y for x, y in taken):
            continue
        out.append(Number(a, b, m.group("n"), 1, num_start=a))
    return out


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
    toks = doc[i:i + 4]
    for t in toks:
        if t.pos_ in ("NOUN", "PROPN") or t.lower_ in PEOPLE_NOUNS:
            return t
        if t.lower_ not in ("of", "other", "more", "people", "additional", "innocent", "unarmed",
                             "armed", "syrian", "civilian", "-", "injured", "wounded", "displaced") \
                and t.pos_ not in ("ADJ", "NUM", "DET"):
            return None
    return None


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


def find_counts(doc: Doc, dates: list[DateExpr], numbers: list[Number] | None = None) -> list[Count]:
    text = doc.text
    numbers = numbers if numbers is not None else find_numbers(text)
    date_spans = [(d.start, d.end) for d in dates]
    sents = list(doc.sents)
    sent_starts = [s.start_char for s in sents]
    counts: list[Count] = []
    import bisect
    numbers = sorted(list(numbers) + _one_counts(text, list(numbers)), key=lambda n: n.start)
    in_a_date = Coverage(date_spans).overlaps
    for n in numbers:
        if in_a_date(n.num_start, n.end):
            continue
        if _ENTITY_BEFORE.search(text[max(0, n.num_start - 3):n.num_start]):
            continue     # "&#8220;": an HTML character reference, not a count
        si = max(0, bisect.bisect_right(sent_starts, n.num_start) - 1)
        sent = sents[si]
        noun = _counted_noun(doc, n.end)
        num_tok = _token_at(doc, n.end - 1)
        kind = _governing_kind(noun) if noun is not None else None
        if kind is None and num_tok is not None:
            kind = _governing_kind(num_tok)       # "kills 10", "5 killed"
        if kind is None and num_tok is not None:
            kind = _nearby_kind(doc, num_tok, noun, sent)
        # "has left at least five passengers dead": the state after the counted noun says what
        # happened to it, whatever the verb governing it ("left", "hit") would say
        state = _RESULT_STATE.match(text, noun.idx + len(noun.text) if noun is not None else n.end)
        if state is not None and kind in (None, "killed", "injured", "displaced", "destroyed"):
            kind = "killed" if state.group(1).lower() in ("dead", "killed") else "injured"
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
        m_end = _CLAUSE_END.search(text, n.end, sb)
        stext = text[sa:(m_end.start() if m_end else sb)].lower()
        cumulative = bool(_CUMULATIVE_RE.search(_SAME_DAY.sub(" ", stext)))
        if cumulative and kind == "killed" and _INCIDENT_TOLL.search(text[sa:sb]) \
                and not _PERIOD.search(text[sa:sb]):
            cumulative = False
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
