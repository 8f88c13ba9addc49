"""Tense and aspect at an expression: does the clause it sits in look back (news is mostly past
tense), look ahead ("will meet on Monday", "plans to ..."), or neither (deadlines, present-tense
verbs, dates on nouns)? The answer picks the year of "Jan. 16" and the week of "Monday"."""
from __future__ import annotations

import bisect
import re

from ...nlp import token_starts
from .vocabulary import FORWARD_VERBS, REPORT_VERBS, SAME_PAST, TIME_CONJ

_MODALS = {"will", "'ll", "shall", "wo", "would", "could", "might", "should", "can", "may", "must"}
_SINCE = re.compile(r"\bsince\s+$")
_DEADLINE = re.compile(r"\b(?:to|until|till|by|through|effective|payable|record)\s+$")


def governing_verb(tok):
    """The verb the token hangs on (up to 8 steps up the tree); a bare participle ("departing
    each Thursday from August 6") is skipped for the clause it modifies."""
    v = tok
    for _ in range(8):
        if v.head.i == v.i:
            break
        if v.pos_ in ("VERB", "AUX"):
            if not (v.tag_ == "VBG" and v.dep_ in ("pcomp", "acl", "advcl")
                    and not any(c.dep_ in ("aux", "auxpass") for c in v.children)):
                break
        v = v.head
    return v


def tense_at(doc, pos: int, src: str) -> str:
    """Tense of the clause governing the token at char ``pos``: "past", "future", "neutral",
    "present" (a present-tense verb that the expression hangs on directly)."""
    if doc is None or len(doc) == 0:
        return "past"
    i = max(0, bisect.bisect_right(token_starts(doc), pos) - 1)
    tok = doc[i]
    before = src[max(0, pos - 12):pos].lower()
    since = _SINCE.search(before) is not None
    deadline = _DEADLINE.search(before)
    v = governing_verb(tok)
    if v.pos_ not in ("VERB", "AUX"):
        return "neutral" if deadline else "past"
    if any(c.dep_ == "mark" and c.i > tok.i for c in v.children):
        # the expression comes before the complementizer of the clause it was hung on
        # ("warnings on Thursday that strikes could ..."): it is not part of that clause,
        # whose modal or tense says nothing about it
        return "neutral" if deadline else "past"
    words = {c.lower_ for c in v.children if c.dep_ in ("aux", "auxpass")}
    if words & _MODALS:
        # "may have been", "would have" (perfect after a modal) look back
        return "past" if words & {"have", "'ve"} and v.tag_ == "VBN" else "future"
    if since:
        return "past"
    if "to" in words and (v.head.lemma_.lower() in FORWARD_VERBS or v.dep_ in ("acl", "relcl")):
        # infinitive: "plans to meet on Monday", "was set to resume Monday", "guidelines to be
        # published in early November"
        return "future"
    if v.lower_ in ("scheduled", "due", "expected", "planned") and v.tag_ == "VBN" \
            and not any(w in ("has", "have", "had") for w in words):
        return "future"
    if v.tag_ == "VBD" or words & {"had", "was", "were", "did", "has", "have"} or v.tag_ == "VBN":
        if not deadline and future_in_past(v):
            return "future"
        if deadline or (tok.head.dep_ == "prep" and tok.head.head.pos_ == "NOUN"
                        and tok.head.head.i != v.i):
            # a date on a noun ("told of a cutback in September") is not dated by the
            # past verb: the nearest occurrence
            return "neutral"
        return "past"
    # a present-tense verb the expression hangs on ("they meet Monday"), not through a noun
    # ("Friday's purchases is"), nor a reporting verb or a past spelt like the present
    direct = tok.head.i == v.i or (tok.head.dep_ == "prep" and tok.head.head.i == v.i)
    possessive = tok.i + 1 < len(doc) and doc[tok.i + 1].tag_ == "POS"
    if direct and not possessive and not deadline and v.tag_ in ("VBZ", "VBP") \
            and v.lemma_.lower() not in REPORT_VERBS and v.lower_ not in SAME_PAST:
        return "present"
    return "neutral"


def future_in_past(v) -> bool:
    """A past-tense time clause ("as soon as trading opened Monday", "once the troops left")
    under a clause that looks ahead ("would buy", "were likely to buy"): the future of then."""
    if v.dep_ != "advcl" or v.tag_ not in ("VBD", "VBN") or any(
            c.dep_ in ("aux", "auxpass") and c.lower_ in ("had", "has", "have") for c in v.children):
        return False
    if not any(c.dep_ in ("mark", "advmod") and c.lower_ in TIME_CONJ for c in v.children) \
            and not (v.head.lower_ in TIME_CONJ and v.head.pos_ in ("ADV", "SCONJ", "ADP")):
        return False
    h = v.head
    for _ in range(3):
        if h.pos_ in ("VERB", "AUX") or h.head.i == h.i:
            break
        h = h.head
    if h.pos_ not in ("VERB", "AUX"):
        return False
    words = {c.lower_ for c in h.children if c.dep_ in ("aux", "auxpass")}
    if words & {"will", "'ll", "shall", "wo", "would"}:
        return not (words & {"have", "'ve"})
    return "to" in words and h.head.lemma_.lower() in FORWARD_VERBS
