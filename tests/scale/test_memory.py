"""Bounded memory in a long extraction run (sitroom.scale.memory): spaCy sees a batch in groups of
bounded text, and the grouping changes no result."""
from __future__ import annotations

import sys

import pytest

from sitroom.ingest import document_from_text
from sitroom.scale import memory


@pytest.mark.parametrize("lengths, limit, groups", [
    ([], 10, []),
    ([3, 3, 3], 10, [[0, 1, 2]]),
    ([4, 4, 4], 10, [[0, 1], [2]]),
    ([25, 2, 2], 10, [[0], [1, 2]]),        # a longer document goes alone
    ([2, 25, 2], 10, [[0], [1], [2]]),
    ([10, 10], 10, [[0], [1]]),
])
def test_text_batches_are_consecutive_and_bounded(lengths, limit, groups):
    got = [list(r) for r in memory.text_batches(lengths, limit)]
    assert got == groups
    assert [i for g in got for i in g] == list(range(len(lengths)))
    assert all(len(g) == 1 or sum(lengths[i] for i in g) <= limit for g in got)


TEXTS = [
    "Two civilians were killed when an air strike hit a market in Saraqib, Idlib, on Monday, "
    "local medics said.",
    "Police fired tear gas at hundreds of protesters in Bamako on Friday; five people were injured.",
    "Gunmen attacked a village near Mopti overnight and killed seven herders, the army said on Tuesday. "
    "Residents said the attackers burned a granary before fleeing into the bush.",
    "Shelling of Donetsk on Sunday wounded four people, regional officials said.",
]


def _docs():
    return [document_from_text(t, doc_id=f"d{i}", published="2021-03-02") for i, t in enumerate(TEXTS)]


def test_grouping_spacy_batches_by_text_changes_no_result(pipeline, monkeypatch):
    import json

    from sitroom.nlp import load_nlp

    whole = [json.dumps(r, sort_keys=True) for r in pipeline.run(_docs(), batch_size=8)]
    nlp = load_nlp()
    seen: list[int] = []
    real_pipe = type(nlp).pipe

    def spy(self, texts, **kw):
        texts = list(texts)
        seen.append(sum(len(t) for t in texts) if len(texts) > 1 else 0)
        return real_pipe(self, texts, **kw)

    monkeypatch.setattr(memory, "PARSE_CHARS", 150)
    monkeypatch.setattr(type(nlp), "pipe", spy)
    grouped = [json.dumps(r, sort_keys=True) for r in pipeline.run(_docs(), batch_size=8)]
    assert len(seen) > 1 and max(seen) <= 150      # several groups, none over the limit
    assert grouped == whole


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_allocator_is_tuned_and_trimmed_on_glibc(monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    if memory._libc() is None:
        pytest.skip("not glibc")
    assert memory.tune_allocator() is True
    memory.release()
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert memory.tune_allocator() is False      # the user's own setting is left alone


def test_results_are_read_a_line_at_a_time(tmp_path):
    """``ingest --results`` of a large JSON Lines file holds one line, not the file."""
    import io

    from sitroom.ingest import results as R

    class Lines(io.StringIO):
        read_lines = 0

        def __next__(self):
            Lines.read_lines += 1
            return super().__next__()

    text = "\n" + "".join('{"doc_id": "d%d"}\n' % i for i in range(1000)) + "not json\n"
    got = R._read(Lines(text), "r.jsonl")
    assert next(got) == {"doc_id": "d0"} and Lines.read_lines == 2
    rest = list(got)
    assert len(rest) == 1000 and rest[-1] == {"doc_id": "r.jsonl:1002", "error": rest[-1]["error"]}
    assert rest[-1]["error"].startswith("not a JSON line")
    array = tmp_path / "r.json"
    array.write_text('\n [{"doc_id": "a"},\n {"doc_id": "b"}]\n', encoding="utf-8")
    assert [r["doc_id"] for r in R.read_results([str(array)])] == ["a", "b"]
