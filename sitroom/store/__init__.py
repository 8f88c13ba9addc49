"""sitroom's event database: documents, mentions, fused events, figures, claims, agreements.

>>> from sitroom.store import open_store
>>> store = open_store("sitroom.db")        # or "postgresql://user@host/db"; migrated on open
>>> store.ingest(Pipeline().run(docs))      # one transaction per document
>>> store.query_events(country="SY", type="Air/drone strike")
"""
from .core import IngestStats, Store, event_code, open_store, parse_event_id
from .engine import DEFAULT_DB, make_engine, migrate, resolve_url

__all__ = ["DEFAULT_DB", "IngestStats", "Store", "event_code", "make_engine", "migrate", "open_store",
           "parse_event_id", "resolve_url"]
