"""Figures and claims are facts too: one tally quoted by several reports is one figure
(sitroom.report.data.same_tallies), and a denial attaches only to the events it can be about by
type, place and date (composed reports through the pipeline)."""
from __future__ import annotations

import pytest

from sitroom.report.data import same_tallies


def fig(i, value, kind="killed", place=None, country="Syria", admin1="Idlib", doc="d1", who=None):
    return {"id": f"F{i}", "kind": kind, "value": value, "low": None, "high": None, "place": place,
            "country": country, "admin1": admin1, "location": None, "doc_id": doc, "attributed_to": who,
            "value_evidence": [f"E{i}"], "evidence": [f"E{i}s"], "place_unstated": False}


@pytest.mark.parametrize("second,merged", [
    (fig(2, 1506, doc="d2", who="UN"), True),                       # same tally, another report
    (fig(2, 1506, doc="d2", admin1=None, country=None), True),      # place unstated on one side
    (fig(2, 1506, doc="d2", admin1="Aleppo"), False),               # another province
    (fig(2, 1507, doc="d2"), False),                                # another number
    (fig(2, 1506, kind="displaced", doc="d2"), False),              # another kind
])
def test_same_tallies(second, merged):
    out = same_tallies([fig(1, 1506, who="OHCHR"), second])
    assert len(out) == (1 if merged else 2)
    first = out[0]
    if merged:
        assert first["doc_ids"] == ["d1", "d2"] and first["n_sources"] == 2 and first["merged_ids"] == ["F2"]
        assert first["value_evidence"] == ["E1", "E2"] and first["evidence"] == ["E1s", "E2s"]
        assert first["reported_by"][0] == "OHCHR"
    else:
        assert [f["n_sources"] for f in out] == [1, 1]


def denials(pipeline, text, published):
    from sitroom.ingest import document_from_text
    (res,) = list(pipeline.run([document_from_text(text, doc_id="t", published=published)]))
    evs = {e["event_id"]: e for e in res["events"]}
    return [(c["text"], [evs[x] for x in c["about"]]) for c in res["claims"] if c["kind"] == "denial"], res


# (text, published, start of the denial sentence, sub-event types it may be about (empty: none))
CASES = [
    ("Jets bombed the main market of Ariha on Monday, killing nine people, rescuers said. A truce had "
     "begun in the province on Saturday. The defence ministry denied that its aircraft bombed the market "
     "in Ariha since the truce began.", "2021-06-09", "The defence ministry denied", {"Air/drone strike"}),
    ("Jets bombed the main market of Ariha on Monday, killing nine people, rescuers said. Syrian state media "
     "denied that the army had shelled villages around Ariha.", "2021-06-09", "Syrian state media denied", set()),
    ("Jets bombed the main market of Ariha on Monday, killing nine people, rescuers said. The ministry "
     "denied that its aircraft bombed Ariha on 2 May.", "2021-06-09", "The ministry denied", set()),
    # a foreign ministry denies the strike whose perpetrator the report leaves unknown: it is about it
    ("Bombs hit a crowded market in Ariha on Tuesday, killing 17 people, residents said. The Russian Defence "
     "Ministry denied that its aircraft had bombed the market in Ariha on Tuesday.", "2021-06-10",
     "The Russian Defence Ministry denied", {"Air/drone strike"}),
]


@pytest.mark.pipeline
@pytest.mark.parametrize("text,published,opening,subs", CASES)
def test_a_denial_is_about_events_of_its_type_place_and_day(pipeline, text, published, opening, subs):
    found, res = denials(pipeline, text, published)
    mine = [about for t, about in found if t.startswith(opening)]
    assert mine, (found, [(e["sub_event_type"], e["event_date"]) for e in res["events"]])
    assert {e["sub_event_type"] for e in mine[0]} == subs
