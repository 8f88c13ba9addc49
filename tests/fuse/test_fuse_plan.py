"""Fusion's parts on their own: each signal (inputs -> score and reason, or a veto), the weights
file and its checks, plan() (create, join, refine) and the two Candidates sources (memory and
the store's SQL) giving the same plan."""
from __future__ import annotations

from pathlib import Path

import pytest

from sitroom import fuse
from sitroom.fuse import signals as sig
from sitroom.fuse.weights import WEIGHTS, Weights

W = WEIGHTS


def rec(**kw) -> dict:
    base = dict(event_date="2020-01-16", time_precision=1, sub_event_type="Air/drone strike",
                country="Syria", country_code="SY", admin1="Idlib", location="Ariha",
                latitude=35.81, longitude=36.61, geo_precision=1)
    base.update(kw)
    return fuse.mention_record(base)


def ctx(m, e, weights=W):
    return sig.Context(m, e, weights)


CASES = [
    # (signal, mention fields, event fields, expected score (None: veto), expected reason)
    (sig.event_type, {}, {}, 0.3, "same sub-event type (Air/drone strike)"),
    (sig.event_type, {"sub_event_type": "Shelling/artillery/missile attack"}, {}, 0.2,
     "same sub-event family 'remote' (Shelling/artillery/missile attack ~ Air/drone strike)"),
    (sig.event_type, {"sub_event_type": "Grenade"}, {}, 0.05,
     "related sub-event families (Grenade ~ Air/drone strike)"),
    (sig.event_type, {"sub_event_type": "Peaceful protest"}, {}, None,
     "different sub-event types (Peaceful protest vs Air/drone strike)"),
    (sig.event_type, {"sub_event_type": None}, {}, 0.0, "sub-event type unknown on one side"),
    (sig.dates, {}, {}, 0.3, "same day (2020-01-16)"),
    (sig.dates, {"event_date": "2020-01-17"}, {}, 0.2, "one day apart (2020-01-17 vs 2020-01-16)"),
    (sig.dates, {"event_date": "2020-01", "time_precision": 3}, {}, 0.1,
     "date ranges overlap (2020-01 p3 vs 2020-01-16 p1)"),
    (sig.dates, {"event_date": "2020-01-19"}, {}, None,
     "dates do not overlap (2020-01-19..2020-01-19 vs 2020-01-16..2020-01-16)"),
    (sig.dates, {"event_date": None}, {}, 0.0, "undated on one side"),
    (sig.place, {}, {}, 0.3, "0.0 km apart (limit 15 km at geo_precision 1)"),
    (sig.place, {"latitude": 35.95, "longitude": 36.75}, {}, None,
     "20.0 km apart (limit 15 km at geo_precision 1)"),
    (sig.place, {"country": "Turkey", "country_code": "TR"}, {}, None, "different countries (TR vs SY)"),
    (sig.place, {"admin1": "Aleppo", "geo_precision": 3, "location": None, "latitude": None, "longitude": None},
     {}, None, "different admin1 (Aleppo vs Idlib)"),
    (sig.place, {"geo_precision": 3, "location": None, "latitude": None, "longitude": None}, {}, 0.1,
     "same admin1 (Idlib), coarse location (geo_precision 3)"),
    (sig.place, {"admin1": None, "geo_precision": 4, "location": None, "latitude": None, "longitude": None},
     {}, 0.05, "same country (SY), no finer place on one side"),
    (sig.place, {"country": None, "country_code": None, "location": None}, {}, 0.0, "place unknown on one side"),
    (sig.actors, {"actor1": "Military Forces of Russia"}, {"actor1": "Military Forces of Russia"}, 0.2,
     "shared actor military forces of russia"),
    (sig.actors, {"actor1": "Police Forces"}, {"actor1": "Police Forces of Syria"}, 0.2,
     "shared actor police forces"),
    (sig.actors, {"actor1": "Military Forces of Russia"}, {"actor1": "Rebels"}, -0.25, "no actor in common"),
    (sig.actors, {}, {"actor1": "Rebels"}, 0.0, None),
    (sig.fatalities, {"fatalities": 10}, {"fatalities": 12}, 0.1, "fatalities agree (10 vs 12)"),
    (sig.fatalities, {"fatalities": 3}, {"fatalities": 40}, -0.05, "fatalities disagree (3 vs 40-40), kept as low/high"),
    (sig.fatalities, {}, {"fatalities": 40}, 0.0, None),
]


@pytest.mark.parametrize("signal,mkw,ekw,score,reason", CASES)
def test_each_signal_gives_its_score_and_reason_or_a_veto(signal, mkw, ekw, score, reason):
    m, e = rec(**mkw), fuse.new_event(rec(**ekw))
    got, why = signal(m, e, ctx(m, e))
    assert why == reason
    assert got == (None if score is None else pytest.approx(score))


def test_wording_names_and_same_document_signals():
    text = [{"text": "Warplanes struck the crowded vegetable market of Ariha killing shoppers"}]
    m = fuse.mention_record(dict(event_date="2020-01-16", evidence=text), frozenset({"ariha", "idlib", "kafr"}), 1)
    e = fuse.new_event(fuse.mention_record(dict(event_date="2020-01-16", evidence=text),
                                           frozenset({"ariha", "idlib", "nabl"}), 2))
    c = ctx(m, e)
    assert sig.wording(m, e, c) == (0.2, "wording overlaps 100% (ariha, crowded, killing, market, shoppers, struck)")
    score, why = sig.names(m, e, c)
    assert why.startswith("names shared 100% (ariha, idlib): ") and score == pytest.approx(0.2)
    assert sig.same_document(m, e, c) == (0.0, None)
    e["source_docs"] = frozenset({1})
    c = ctx(m, e)
    assert sig.same_document(m, e, c) == (W.same_doc, "reported by the same document (its names not compared)")
    assert sig.names(m, e, c) == (0.0, None)          # one document: names not compared


def test_compare_is_the_sum_of_the_signals_and_stops_at_a_veto():
    m, e = rec(actor1="Military Forces of Russia"), fuse.new_event(rec(actor1="Military Forces of Russia"))
    s, why = fuse.compare(m, e)
    assert s == pytest.approx(0.3 + 0.3 + 0.3 + 0.2)
    assert why == ["same sub-event type (Air/drone strike)", "same day (2020-01-16)",
                   "0.0 km apart (limit 15 km at geo_precision 1)", "shared actor military forces of russia"]
    assert fuse.compare(rec(event_date="2020-03-01"), e) == (None, [
        "dates do not overlap (2020-03-01..2020-03-01 vs 2020-01-16..2020-01-16)"])


def test_weights_change_the_score_and_are_checked():
    m, e = rec(), fuse.new_event(rec())
    base = fuse.compare(m, e)[0]
    assert fuse.compare(m, e, weights=W.replace(type_same=0.5))[0] == pytest.approx(base + 0.2)
    wide = W.with_settings(["day_slack=5"])
    assert fuse.compare(rec(event_date="2020-01-20"), e)[0] is None
    assert fuse.compare(rec(event_date="2020-01-20"), e, weights=wide)[0] is not None
    strict = W.replace(threshold=2.0)
    assert fuse.best_match(m, [(1, e)], weights=strict)[0] is None and fuse.best_match(m, [(1, e)])[0] == 1
    with pytest.raises(ValueError, match="unknown fusion weights"):
        W.replace(no_such_weight=1)
    with pytest.raises(ValueError, match="not a number"):
        W.with_settings(["threshold=high"])
    with pytest.raises(ValueError, match="name=value"):
        W.with_settings(["threshold"])
    with pytest.raises(ValueError, match="whole number"):
        W.replace(names_min=1.5)
    raw = {f: getattr(W, f) for f in W.__dataclass_fields__}
    del raw["threshold"]
    with pytest.raises(ValueError, match="missing fusion weights"):
        Weights.from_mapping(raw)
    assert Weights.load() == W and fuse.WEIGHTS.threshold == W.threshold


# ------------------------------------------------------------------ plan

def doc(key, content, *mentions, denied=()):
    return fuse.NewDocument(key=key, content=content, mentions=[dict(m, source_docs=frozenset([key]))
                                                                for m in mentions],
                            denied=frozenset(denied))


def test_plan_creates_joins_and_refines():
    src = fuse.MemoryCandidates()
    # one document, two reports of one strike: one event created, the second report joins it
    p = fuse.plan([doc(1, "a", rec(), rec(fatalities=5))], src)
    assert len(p.created) == 1 and p.joined == 1 and p.absorbed == [] and p.refined == []
    assert [x.decision["decision"] for x in p.placements] == ["new", "merged"]
    assert p.event_of(0, 0) == p.event_of(0, 1) == p.created[0]
    ids = src.apply(p)
    assert list(src.events) == [1] and ids[p.created[0]] == 1
    # a later report of the same strike joins the stored event: nothing created, event 1 refined
    p2 = fuse.plan([doc(2, "b", rec(location="Ariha", fatalities=7, notes="x"))], src)
    assert p2.created == [] and p2.refined == [1] and p2.placements[0].event == 1
    assert p2.placements[0].decision["decision"] == "merged" and p2.events[1]["fatalities_high"] == 7
    src.apply(p2)
    # an unrelated report (another country) creates a new event and names its candidates' count
    p3 = fuse.plan([doc(3, "c", rec(country="Yemen", country_code="YE", admin1="Aden", location="Aden",
                                     latitude=12.8, longitude=45.0))], src)
    assert len(p3.created) == 1 and p3.placements[0].decision == {"decision": "new", "candidates": 0, "rejected": []}
    assert src.apply(p3)[p3.created[0]] == 2


def test_plan_absorbs_a_stored_event_that_a_new_report_ties_to_another():
    src = fuse.MemoryCandidates()
    coarse = dict(geo_precision=3, location=None, latitude=None, longitude=None)
    # two stored reports of one strike naming different actors: too little in common to join ...
    src.apply(fuse.plan([doc(1, "a", rec(actor1="Military Forces of Russia", **coarse))], src))
    src.apply(fuse.plan([doc(2, "b", rec(actor1="Rebels", **coarse))], src))
    assert len(src.events) == 2
    # ... until a report naming both ties them: the older absorbs the newer
    p = fuse.plan([doc(3, "c", rec(actor1="Military Forces of Russia", actor2="Rebels", **coarse))], src)
    assert [(a, b) for a, b, _ in p.absorbed] == [(2, 1)] and p.refined == [1] and p.created == []
    assert p.placements[0].event == 1 and p.events[1]["n_mentions"] == 3
    ids = src.apply(p)
    assert list(src.events) == [1] and ids == {1: 1}


def test_a_denial_marks_the_event_it_denies_contested():
    p = fuse.plan([doc(1, "a", rec(), rec(country="Yemen", country_code="YE", admin1="Aden", location="Aden",
                                        latitude=12.8, longitude=45.0), denied=[1])], fuse.MemoryCandidates())
    assert [p.events[p.event_of(0, i)]["contested"] for i in (0, 1)] == [False, True]


def test_memory_and_sql_candidates_give_the_same_plan(tmp_path):
    """The composed examples' extraction results ingested batch by batch: at every batch the
    plan from the store's tables equals the plan from memory (same decisions, merges, ids)."""
    from sitroom.store import open_store

    results = _example_results()
    assert len(results) >= 5
    store = open_store(str(tmp_path / "s.db"))
    mem = fuse.MemoryCandidates()
    memory_plans, sql_plans = [], []
    real_plan = fuse.plan

    def spy(documents, source, **kw):
        p = real_plan(documents, source, **kw)
        sql_plans.append(p)
        q = real_plan(documents, mem, **kw)
        mem.apply(q)
        memory_plans.append(q)
        return p
    import sitroom.store.core as core
    orig = core.fuse.plan
    core.fuse.plan = spy
    try:
        for i in range(0, len(results), 2):
            store.ingest(results[i:i + 2])
    finally:
        core.fuse.plan = orig
        store.close()
    assert len(sql_plans) == len(memory_plans) >= 3
    for p, q in zip(sql_plans, memory_plans):
        assert p.created == q.created and p.refined == q.refined
        assert [(a, b, mg["score"], mg["reasons"]) for a, b, mg in p.absorbed] == \
            [(a, b, mg["score"], mg["reasons"]) for a, b, mg in q.absorbed]
        assert [(x.ordinal, x.event, x.decision) for x in p.placements] == \
            [(x.ordinal, x.event, x.decision) for x in q.placements]
    assert any(p.merges for p in sql_plans)


def _example_results() -> list[dict]:
    from sitroom.ingest import iter_documents
    from sitroom.pipeline import Pipeline
    root = Path(__file__).resolve().parents[2] / "examples"
    return list(Pipeline().run(iter_documents([str(root / "composed" / "reports.jsonl")])))


def test_partitioned_consolidation_makes_the_same_merges_in_the_same_order():
    from sitroom.fuse.partition import consolidate_partitioned, partitions
    from sitroom.fuse.synthetic import synthetic_results

    results, _ = synthetic_results(1200, seed=3)
    docs = [doc(d, f"{d:05d}", *[fuse.mention_record(e) for e in r["events"]]) for d, r in enumerate(results)]

    def run(partitioned):
        events, idx, keys = {}, fuse.MemoryIndex(), []
        for d in docs:
            for i, m in enumerate(d.mentions):
                k = fuse.new_key(d.content, i)
                events[k] = fuse.new_event(m)
                idx.add(k, events[k])
                keys.append(k)
        log: dict = {}
        if partitioned:
            merges = consolidate_partitioned(events, idx, keys, order=fuse.event_order, log=log, workers=4)
        else:
            merges = fuse.consolidate(events, idx, keys, order=fuse.event_order, log=log)
        return events, merges, log, partitions(events, order=fuse.event_order)

    events, merges, log, groups = run(False)
    p_events, p_merges, p_log, _ = run(True)
    assert len(groups) > 4 and len(merges) > 100
    assert p_merges == merges and p_log == log
    drop = lambda es: {k: {f: v for f, v in e.items() if not f.startswith("_")} for k, e in es.items()}  # noqa: E731
    assert drop(p_events) == drop(events)
