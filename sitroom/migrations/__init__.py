"""Alembic migrations for the sitroom event database; run by :func:`sitroom.store.open_store`."""
