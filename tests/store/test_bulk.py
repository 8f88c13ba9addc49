"""Bulk writes (sitroom/store/bulk.py): on PostgreSQL the ingest rows go in with COPY, and the
database is the one the executemany path writes, with the same transaction boundaries."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from sitroom.store import bulk, open_store

from tests.helpers import ROOT
from tests.scale.test_scale import db_snapshot

COMPOSED = ROOT / "examples" / "composed" / "reports.jsonl"


@pytest.fixture(scope="module")
def results(pipeline):
    """Synthetic mentions that fuse over several transactions, and the composed examples' real
    results (figures, claims linked to events, agreements)."""
    from sitroom.fuse.synthetic import synthetic_results
    from sitroom.ingest import iter_documents

    synthetic, _ = synthetic_results(600, seed=11)
    return synthetic + list(pipeline.run(iter_documents([str(COMPOSED)], None)))


def _ingest(url: str, results: list, pg_copy: bool, commit_every: int = 40) -> tuple[dict, list[str]]:
    store = open_store(url, pg_copy=pg_copy)
    statements: list[str] = []
    sa.event.listen(store.writer, "before_cursor_execute",
                    lambda _c, _cur, stmt, *_a: statements.append(" ".join(stmt.split()[:3])))
    try:
        stats = store.ingest(results, commit_every=commit_every, skip_failures=True)
    finally:
        store.close()
    return dict(db_snapshot(url), stats=[json.dumps(stats.as_dict(), sort_keys=True), *stats.error_ids]), statements


def test_copy_writes_the_database_the_insert_path_writes(pg_databases, results):
    with_copy, copied = _ingest(pg_databases(), results, pg_copy=True)
    with_insert, inserted = _ingest(pg_databases(), results, pg_copy=False)
    assert with_copy == with_insert
    for table in ("documents", "mentions", "events", "event_sources", "event_blocks", "figures", "claims",
                  "claim_events", "agreements", "name_docs"):
        assert with_copy[table], table                        # every bulk table has rows to compare
    assert len(with_copy["events"]) < len(with_copy["mentions"])     # fused, across transactions too
    assert "INSERT INTO mentions" in inserted and "INSERT INTO mentions" not in copied
    assert "INSERT INTO documents" not in copied and "INSERT INTO event_blocks" not in copied


def test_a_bad_document_is_skipped_whole_and_the_rest_stored_as_by_inserts(pg_databases, results):
    """A title PostgreSQL refuses (a NUL character) fails its transaction; the transaction is
    replayed one document at a time and only that document is lost, with nothing of it stored."""
    bad = [dict(r) for r in results[:30]]
    bad[7] = dict(bad[7], title="a title with a \x00 in it")
    url = pg_databases()
    with_copy, _ = _ingest(url, bad, pg_copy=True, commit_every=10)
    with_insert, _ = _ingest(pg_databases(), bad, pg_copy=False, commit_every=10)
    # PostgreSQL's sequences are not transactional: a failed attempt burns ids, and the two paths
    # fail at different points of it (psycopg refuses the NUL while preparing the INSERT; COPY's
    # ids are drawn first). So documents, mentions and claims may be numbered differently; every
    # other value is the same.
    assert _without_serial_ids(with_copy) == _without_serial_ids(with_insert)
    assert with_copy["events"] == with_insert["events"] and with_copy["event_blocks"] == with_insert["event_blocks"]
    assert with_copy["stats"][1:] == [bad[7]["doc_id"]]
    assert len(with_copy["documents"]) == 29
    assert not any(bad[7]["content_hash"] in row for row in with_copy["documents"])
    with sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://")).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM mentions m LEFT JOIN documents d ON d.id = m.document_id "
                                    "WHERE d.id IS NULL")).scalar() == 0       # nothing of it half-written
        assert conn.execute(sa.text("SELECT count(*) FROM mentions")).scalar() == 29 * 3


def _without_serial_ids(snapshot: dict) -> dict:
    """The snapshot without the columns that hold sequence-drawn ids (own or referenced)."""
    from sitroom.store import schema as S

    serial = {"id", "document_id", "claim_id"}
    out = {}
    for t in S.metadata.sorted_tables:
        if t.name not in snapshot:      # left out of the snapshot (the stored JSON texts)
            continue
        cols = [c.name for c in t.columns if not isinstance(c.type, sa.DateTime)]
        drop = [i for i, c in enumerate(cols) if c in serial and t.name not in ("events",)]
        out[t.name] = sorted(json.dumps([v for i, v in enumerate(json.loads(r)) if i not in drop])
                             for r in snapshot[t.name])
    return out


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_ids_come_back_in_row_order(backend, tmp_path, request):
    from sitroom.store import schema as S

    url = str(tmp_path / "s.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    store = open_store(url)
    try:
        with store.writer.begin() as conn:
            assert bulk.use_copy(conn) == (backend == "postgresql")
            ids = bulk.insert_returning_ids(conn, S.documents, [
                {"doc_id": f"d{i}", "content_hash": f"h{i}", "ingested_at": dt.datetime(2024, 1, 1), "n_events": 0}
                for i in range(5)])
            bulk.insert(conn, S.name_docs, [])
            got = dict(conn.execute(sa.select(S.documents.c.doc_id, S.documents.c.id)).all())
    finally:
        store.close()
    assert len(set(ids)) == 5 and ids == sorted(ids)
    assert [got[f"d{i}"] for i in range(5)] == ids
