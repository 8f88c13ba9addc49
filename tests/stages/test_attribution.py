"""Speakers of reporting verbs."""
from sitroom.stages.attribution import find_attributions
from sitroom.model import Document
from sitroom.nlp import parse_one


def speakers(text):
    return [a.speaker for a in find_attributions(parse_one(Document(doc_id="t", text=text)).doc)]


def test_a_wire_dateline_is_no_speaker():
    names = speakers("MOSCOW, Jan. 16 - The Russian Defence Ministry on Thursday denied reports "
                     "that its aircraft had bombed a market in Idlib city.")
    assert names and "MOSCOW" not in names
    assert any("Defence Ministry" in n for n in names)


def test_a_capital_as_subject_still_speaks():
    assert speakers("Moscow denied bombing civilians in Idlib.") == ["Moscow"]
