"""The store's bulk writes: rows go in with COPY on PostgreSQL, with one executemany elsewhere.

An ingest transaction writes thousands of rows (mentions, blocking-index rows, sources, figures,
claims). On PostgreSQL an executemany sends and parses every row as its own statement; ``COPY
... FROM STDIN`` streams them in one command. Both run inside the caller's transaction on the
same connection, so a document that fails still leaves nothing behind, and the rows are the
same: every value goes through the column type's own bind processing (SQLAlchemy's, as for an
INSERT: JSON columns serialised the same way), omitted columns take their server defaults, and
ids drawn from a table's sequence are drawn in row order, as a multi-row INSERT draws them.
"""
from __future__ import annotations

import os
from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def copy_default() -> bool:
    """COPY unless ``SITROOM_PG_COPY=0`` (the executemany path: for comparing the two, or a
    connection pooler that does not pass COPY through)."""
    return os.environ.get("SITROOM_PG_COPY", "1").strip() != "0"


def use_copy(conn: Connection) -> bool:
    """Whether this connection's bulk writes use COPY: PostgreSQL (psycopg 3), unless the
    store was opened with ``pg_copy=False`` (or ``SITROOM_PG_COPY=0``)."""
    return conn.dialect.name == "postgresql" and conn.info.get("sitroom_pg_copy", True) \
        and hasattr(conn.connection.driver_connection, "cursor")


def insert(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``: COPY on PostgreSQL, else one
    executemany."""
    if not rows:
        return
    if not use_copy(conn):
        conn.execute(sa.insert(table), list(rows))
        return
    _copy(conn, table, list(rows[0]), ([r[c] for c in rows[0]] for r in rows), len(rows))


def insert_returning_ids(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids (``table.c.id``), in row order."""
    if not rows:
        return []
    if not use_copy(conn):
        return conn.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
                            list(rows)).scalars().all()
    ids = conn.execute(sa.text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
                       .bindparams(t=table.name, n=len(rows))).scalars().all()
    ids.sort()      # the values one multi-row INSERT would draw, in the same order
    cols = list(rows[0])
    _copy(conn, table, ["id", *cols], ([i, *(r[c] for c in cols)] for i, r in zip(ids, rows)), len(rows))
    return ids


def _copy(conn: Connection, table: sa.Table, columns: list[str], values, n: int) -> None:
    dialect = conn.dialect
    procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    quote = dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(sql) as copy:
        for vals in values:
            copy.write_row([p(v) if p is not None else v for p, v in zip(procs, vals)])
