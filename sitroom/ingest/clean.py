"""Offset-preserving cleaning of a :class:`~sitroom.model.Document`.

``Document.text`` is never changed. Everything cleaning does lands in ``Document.nlp_text`` (same
length as ``text``: characters are only ever *replaced*, never inserted or deleted), in
``Document.headings``, ``Document.title`` (when missing) and ``Document.quality``.

What it does:

* odd whitespace (``\\xa0``, thin/figure/ideographic spaces, zero-width space, BOM, ``\\r``) is
  normalised to a plain space and odd line breaks (``\\u2028``, ``\\u2029``, ``\\x85``, ``\\v``,
  ``\\f``, lone ``\\r``) to ``\\n``; ``\\r\\n`` becomes `` \\n``;
* repeated short lines (a scraped headline printed three times, a repeated "Advertisement") keep
  their first occurrence; the repeats are blanked with spaces and reported as a
  ``repeated_headline`` quality flag (severity ``info``; evidence = the blanked repeats);
* sub-headlines (short lines without final punctuation, after a body paragraph and before more
  text) are listed in ``Document.headings`` as ``(start, end)`` offsets into ``text``;
* the title of a document without one is its first headline-like line (before the first body
  paragraph), which stays in the text;
* runs of more than 100 punctuation or symbol characters without a space (spaCy's tokenizer is
  quadratic on them) are cut to 100 in ``nlp_text``, with a ``symbol_run_capped`` flag (``info``);
* text that does not look like English (share of English function words) gets a ``non_english``
  warning; the document is still processed.
"""
from __future__ import annotations

import dataclasses
import re

from sitroom.model import Document, QualityFlag

# ---------------------------------------------------------------- whitespace

_SPACE_CHARS = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
               "\u202f\u205f\u3000\u200b\ufeff\t"
_BREAK_CHARS = "\u2028\u2029\u0085\x0b\x0c"
_ODD_SPACE_RE = re.compile("[" + _SPACE_CHARS + "]")
_ODD_BREAK_RE = re.compile("[" + _BREAK_CHARS + "]")


def normalise_whitespace(text: str) -> str:
    """Same-length copy of ``text`` with odd spaces and line breaks made plain."""
    out = _ODD_SPACE_RE.sub(" ", text) if _ODD_SPACE_RE.search(text) else text
    if _ODD_BREAK_RE.search(out):
        out = _ODD_BREAK_RE.sub("\n", out)
    if "\r" in out:
        out = out.replace("\r\n", " \n").replace("\r", "\n")
    assert len(out) == len(text)
    return out


# ---------------------------------------------------------------- runs of symbols

#: spaCy's tokenizer strips prefix and suffix characters one at a time, re-reading the rest each
#: time: a run of thousands of ")" or emoji with no space costs it minutes (quadratic). Runs of
#: punctuation and symbols longer than this are cut to it in ``nlp_text`` (the rest blanked).
MAX_SYMBOL_RUN = 100
_SYMBOL_RUN_RE = re.compile(r"(?:[^\w\s]|_){%d,}" % (MAX_SYMBOL_RUN + 1))


def cap_symbol_run_text(nlp: str) -> tuple[str, list[tuple[int, int]]]:
    """Same-length copy of ``nlp`` with each run of more than MAX_SYMBOL_RUN punctuation or symbol
    characters cut to that length (the rest blanked with spaces), and the runs' ``(start, end)``."""
    runs = [(m.start(), m.end()) for m in _SYMBOL_RUN_RE.finditer(nlp)]
    if not runs:
        return nlp, runs
    parts, pos = [], 0
    for start, end in runs:
        keep = start + MAX_SYMBOL_RUN
        parts += [nlp[pos:keep], " " * (end - keep)]
        pos = end
    parts.append(nlp[pos:])
    return "".join(parts), runs


def _symbol_run_flag(document: Document, runs: list[tuple[int, int]]) -> QualityFlag:
    longest = max(e - s for s, e in runs)
    return QualityFlag(
        "symbol_run_capped",
        f"{len(runs)} run(s) of punctuation or symbols without a space (longest {longest:,}"
        f" characters) read as their first {MAX_SYMBOL_RUN} characters",
        evidence=[document.span(s, s + 20) for s, _ in runs[:3]], severity="info")


def cap_symbol_runs(document: Document) -> Document:
    """``document`` with its long symbol runs cut in ``nlp_text`` and a ``symbol_run_capped``
    flag (the same object when there is none): for documents that did not pass :func:`clean`."""
    nlp, runs = cap_symbol_run_text(normalise_whitespace(document.nlp_text or document.text))
    if not runs:
        return document
    quality = list(document.quality)
    if "symbol_run_capped" not in {q.kind for q in quality}:
        quality.append(_symbol_run_flag(document, runs))
    return dataclasses.replace(document, nlp_text=nlp, quality=quality, meta=dict(document.meta))


# ---------------------------------------------------------------- lines

_WORD_RE = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")
_FINAL_PUNCT = tuple(".!?;:,…")
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(#"

#: a repeated line is only collapsed when it has this many words at least
_REPEAT_MIN_WORDS = 2
_REPEAT_MAX_WORDS = 30
_REPEAT_MAX_CHARS = 250
#: headline-like lines are at most this long
_HEADLINE_MAX_WORDS = 20
_HEADLINE_MAX_CHARS = 160


def iter_lines(text: str):
    """Yield ``(start, end)`` of each non-blank line, trimmed of surrounding whitespace."""
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        line = text[pos:nl]
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            start = pos + lead
            yield start, start + len(stripped)
        pos = nl + 1


def _words(s: str) -> list[str]:
    return _WORD_RE.findall(s)


def _ends_with_punct(s: str) -> bool:
    s = s.rstrip(_CLOSERS + " ")
    return s.endswith(_FINAL_PUNCT)


def _starts_like_heading(s: str) -> bool:
    s = s.lstrip(_OPENERS + " ")
    if not s:
        return False
    c = s[0]
    return c.isdigit() or c.isupper() or (c.isalpha() and not c.islower())  # caseless scripts


def is_headline_like(line: str, *, allow_question: bool = False) -> bool:
    """A short line that reads like a (sub-)headline: capitalised, no final punctuation."""
    s = line.strip()
    if not s or len(s) > _HEADLINE_MAX_CHARS:
        return False
    words = _words(s)
    if not words or len(words) > _HEADLINE_MAX_WORDS:
        return False
    if not _starts_like_heading(s):
        return False
    if _ends_with_punct(s):
        if not (allow_question and s.rstrip(_CLOSERS + " ").endswith(("?", "!"))):
            return False
    return True


def _is_body(line: str) -> bool:
    """A line of running prose (ends like a sentence or is long)."""
    s = line.strip()
    return bool(s) and (_ends_with_punct(s) or len(_words(s)) > _HEADLINE_MAX_WORDS)


def _repeat_key(line: str) -> str | None:
    s = line.strip()
    if len(s) > _REPEAT_MAX_CHARS:
        return None
    n = len(_words(s))
    if n < _REPEAT_MIN_WORDS or n > _REPEAT_MAX_WORDS:
        return None
    return " ".join(s.split()).casefold()


#: lines above the body that are not titles: bylines, time stamps, bare dates
_BYLINE_RE = re.compile(
    r"^\s*(by\s|from\s|published\b|updated\b|posted\b|last updated\b|\d{1,2}[:/.]\d{2}|"
    r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\s*$|"
    r"[A-Z][a-z]+\s+\d{1,2},?\s+\d{4}\s*$)", re.I)

#: a line ending in one of these words is a wrapped line, not a headline
_DANGLING = frozenset("""
a an the of to and or at by for with from when that which who whose as but is was were are has
have had its their his her after before into than if because while about between
""".split())

# ---------------------------------------------------------------- language

_EN_STOPWORDS = frozenset("""
a about after against all also an and any are as at be been before being between both but by
can could did do does during each for from had has have he her here him his how i if in into is it
its itself more most no nor not of off on once only or other our out over own said same says she
should so some such than that the their them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your
""".split())
#: below this share of English function words (and with enough words to judge) → non_english
NON_ENGLISH_THRESHOLD = 0.12
_MIN_WORDS_FOR_LANGUAGE = 20
_LANGUAGE_SAMPLE_CHARS = 5000


def english_score(text: str) -> tuple[float, int]:
    """(share of English function words among the words, number of words)."""
    words = [w.casefold() for w in _words(text[:_LANGUAGE_SAMPLE_CHARS]) if not w.isdigit()]
    if not words:
        return 0.0, 0
    hits = sum(1 for w in words if w in _EN_STOPWORDS)
    return hits / len(words), len(words)


def looks_non_english(text: str) -> tuple[bool, float]:
    share, n = english_score(text)
    return (n >= _MIN_WORDS_FOR_LANGUAGE and share < NON_ENGLISH_THRESHOLD), share


# ---------------------------------------------------------------- clean

def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def clean(document: Document) -> Document:
    """Return a cleaned copy of ``document`` (``text`` untouched; see the module docstring).

    Idempotent: cleaning a cleaned document changes nothing and adds no flags twice.
    """
    text = document.text
    nlp = normalise_whitespace(document.nlp_text if document.nlp_text is not None else text)
    nlp, runs = cap_symbol_run_text(nlp)
    chars = list(nlp)
    quality = list(document.quality)
    kinds = {q.kind for q in quality}
    if runs and "symbol_run_capped" not in kinds:
        quality.append(_symbol_run_flag(document, runs))

    # repeated short lines -------------------------------------------------------------
    lines = list(iter_lines(nlp))
    first_seen: dict[str, tuple[int, int]] = {}
    repeats: dict[str, list[tuple[int, int]]] = {}
    for start, end in lines:
        key = _repeat_key(nlp[start:end])
        if key is None:
            continue
        if key in first_seen:
            repeats.setdefault(key, []).append((start, end))
        else:
            first_seen[key] = (start, end)
    blanked: set[tuple[int, int]] = set()
    for key, spans in repeats.items():
        for start, end in spans:
            _blank(chars, start, end)
            blanked.add((start, end))
        fs, fe = first_seen[key]
        shown = text[fs:fe] if len(text[fs:fe]) <= 80 else text[fs:fs + 77] + "..."
        quality.append(QualityFlag(
            "repeated_headline",
            f"line repeated {len(spans) + 1} times, kept the first: {shown!r}",
            evidence=[document.span(s, e) for s, e in spans],
            severity="info",
        ))
    nlp = "".join(chars)

    # headings and title ----------------------------------------------------------------
    kept = [(s, e) for s, e in lines if (s, e) not in blanked]
    headings: list[tuple[int, int]] = []
    blank_paragraphs = any(nlp[a[1]:b[0]].count("\n") >= 2 for a, b in zip(kept, kept[1:]))
    seen_body = False
    title = document.title
    for i, (start, end) in enumerate(kept):
        line = nlp[start:end]
        if _is_body(line):
            seen_body = True
            continue
        if not seen_body:
            if (title is None and is_headline_like(line, allow_question=True)
                    and not _BYLINE_RE.match(line)):
                title = text[start:end].strip()
            continue
        if not is_headline_like(line) or len(_words(line)) < 2:
            continue
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        if nxt is None:
            continue                               # a trailing short line is no section break
        prev_line = nlp[kept[i - 1][0]:kept[i - 1][1]]
        next_line = nlp[nxt[0]:nxt[1]]
        if not _ends_with_punct(prev_line) and not is_headline_like(prev_line):
            continue                               # previous paragraph runs on (hard wrap)
        if next_line.lstrip(_OPENERS)[:1].islower():
            continue                               # this line is continued below
        last = _words(line)[-1].casefold()
        if last in _DANGLING:
            continue                               # "... killed when a": a wrapped line
        gap_before = nlp[kept[i - 1][1]:start].count("\n")
        gap_after = nlp[end:nxt[0]].count("\n")
        if blank_paragraphs and gap_before < 2 and gap_after < 2:
            continue                               # paragraphs are blank-line separated, this isn't
        headings.append((start, end))

    # language --------------------------------------------------------------------------
    if "non_english" not in kinds:
        non_en, share = looks_non_english(nlp)
        if non_en:
            quality.append(QualityFlag(
                "non_english",
                f"text does not look like English (English function words {share:.0%} of words);"
                " extraction is tuned for English",
                severity="warning",
            ))

    return dataclasses.replace(
        document, nlp_text=nlp, headings=headings, title=title, quality=quality,
        meta=dict(document.meta),
    )
