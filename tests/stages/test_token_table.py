"""sitroom.nlp.doc_text and token_table: what the stages read per token, equal to spaCy's own."""
from __future__ import annotations

import pytest

from sitroom.nlp import doc_text, load_nlp, parse_long, token_table

TEXTS = [
    "Syrian  regime forces shelled Ma'arat al-Nu'man on Tuesday,\n\nkilling 19 people in a market.",
    "U.S.-led strikes hit Raqqa;Syria at 3 a.m. — “We deny it,” said the ministry.",
    "   leading blanks, trailing blanks   ",
    "ONE\tTAB\u00a0NBSP\u2009thin space 🙂 emoji",
    "x",
]


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.mark.parametrize("text", TEXTS)
def test_the_table_holds_what_each_token_says(nlp, text):
    doc = nlp(text)
    tt = token_table(doc)
    assert tt.text == [t.text for t in doc]
    assert tt.lower == [t.lower_ for t in doc]
    assert tt.space == [t.is_space for t in doc]
    assert tt.alpha == [t.is_alpha for t in doc]
    assert tt.idx == [t.idx for t in doc]
    assert tt.ws == [bool(t.whitespace_) for t in doc]
    assert tt.pos == [t.pos_ for t in doc]
    assert tt.lemma == [t.lemma_ for t in doc]
    assert doc_text(doc) == doc.text == text
    # a span's text is the document's characters from its first token to the end of its last
    for i in range(len(doc)):
        for j in range(i + 1, min(len(doc), i + 4) + 1):
            assert tt.span_text(doc_text(doc), i, j) == doc[i:j].text


def test_the_tables_follow_the_doc_asked_about(nlp):
    a, b = nlp("Aleppo was shelled."), nlp("Idlib was bombed today.")
    assert token_table(a).text[0] == "Aleppo" and doc_text(a) == a.text
    assert token_table(b).text[0] == "Idlib" and doc_text(b) == b.text
    assert token_table(a).text[0] == "Aleppo" and doc_text(a) == a.text


def test_an_empty_doc_and_a_long_one(nlp):
    empty = nlp("")
    assert token_table(empty).text == [] and doc_text(empty) == ""
    long_text = " ".join(f"Shelling hit town number {i} near Idlib." for i in range(120))
    doc = parse_long(nlp, long_text, piece_chars=700)      # pieces joined with Doc.from_docs
    tt = token_table(doc)
    assert doc_text(doc) == long_text
    assert tt.idx == [t.idx for t in doc] and tt.text == [t.text for t in doc]
