"""Database URLs, engines and migrations.

``--db`` / ``SITROOM_DB`` accept a file path (SQLite, default ``sitroom.db``), a ``sqlite:///``
URL, or a ``postgresql://`` URL (driven by psycopg 3).
"""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

DEFAULT_DB = "sitroom.db"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def resolve_url(db: str | None = None) -> str:
    """A SQLAlchemy URL from ``--db``, then ``SITROOM_DB``, then ``sitroom.db``."""
    db = db or os.environ.get("SITROOM_DB") or DEFAULT_DB
    if "://" not in db:
        return "sqlite:///" + str(Path(db).expanduser())
    scheme, rest = db.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + rest
    return db


def _wal(cur, attempts: int = 100) -> None:
    """Put a SQLite file in WAL mode (persistent: later connections find it set). Switching needs
    the file to itself and does not wait on busy_timeout, so two processes opening a new database
    at once retry here instead of failing with "database is locked"."""
    import sqlite3
    import time

    for i in range(attempts):
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or i == attempts - 1:
                raise
            time.sleep(0.05 + 0.01 * i)


def make_engine(db: str | None = None, *, writer: bool = False, **kw) -> Engine:
    """An engine for ``db``. ``writer=True`` (SQLite): every transaction starts with
    ``BEGIN IMMEDIATE``, so a writer's read-then-write never races another writer."""
    url = resolve_url(db)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, **kw)
        if writer:
            @sa.event.listens_for(engine, "connect")
            def _no_implicit_begin(dbapi_conn, _record):  # noqa: ANN001
                dbapi_conn.isolation_level = None

            @sa.event.listens_for(engine, "begin")
            def _begin_immediate(conn):  # noqa: ANN001
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                _wal(cur)
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
        return engine
    if "pool_pre_ping" in kw:
        return sa.create_engine(url, **kw)
    engine = sa.create_engine(url, **kw)
    _ping_after_idle(engine)
    return engine


#: A pooled PostgreSQL connection idle longer than this is pinged before it is used again.
PING_AFTER_IDLE = 10.0


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it sat idle more than :data:`PING_AFTER_IDLE` seconds (a server
    restarted, a firewall dropped it): a dead one is replaced, as ``pool_pre_ping`` does, but a
    connection back from a request a moment ago is not pinged again (a round trip per request,
    which a busy server pays on every page)."""
    import time

    @sa.event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_conn, record):  # noqa: ANN001
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy):  # noqa: ANN001
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:    # noqa: BLE001  (the pool then opens a new connection)
            raise sa.exc.DisconnectionError(f"pooled connection is gone: {exc}") from exc


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (idempotent; a no-op when already there)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":   # two processes opening a new database at once
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x5174_5201})
        command.upgrade(alembic_config(conn), revision)
