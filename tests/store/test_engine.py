"""Pooled PostgreSQL connections: pinged only after sitting idle (sitroom.store.engine)."""
from __future__ import annotations

import sqlalchemy as sa

from sitroom.store import engine as E


def test_a_busy_pool_is_not_pinged_and_a_dead_idle_connection_is_replaced(pg_url, monkeypatch):
    eng = E.make_engine(pg_url)
    pings: list[int] = []
    real = eng.dialect.do_ping
    monkeypatch.setattr(eng.dialect, "do_ping", lambda c: pings.append(1) or real(c))
    try:
        with eng.connect() as conn:
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        for _ in range(5):                  # back a moment ago: used as it is
            with eng.connect() as conn:
                assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() == pid
        assert pings == []
        with E.make_engine(pg_url, pool_pre_ping=True).connect() as admin:   # the server drops it
            assert admin.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
        monkeypatch.setattr(E, "PING_AFTER_IDLE", 0.0)       # it has now sat idle "too long"
        with eng.connect() as conn:                         # pinged, found dead, replaced: no error
            assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() != pid
        assert pings
    finally:
        eng.dispose()

