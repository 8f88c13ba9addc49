"""sitroom's event database: documents, mentions, fused events, figures, claims, agreements.

>>> from sitroom.store import open_store
>>> store = open_store("sitroom.db")        # or "postgresql://user@host/db"; migrated on open
>>> store.ingest(Pipeline().run(docs))      # one transaction per document
>>> store.query_events(country="SY", type="Air/drone strike")
"""
_LAZY = {"IngestStats": "core", "Store": "core", "event_code": "core", "open_store": "core",
         "parse_event_id": "core", "DEFAULT_DB": "engine", "make_engine": "engine", "migrate": "engine",
         "resolve_url": "engine"}


def __getattr__(name: str):
    # imported on first use: `sitroom extract` need not load SQLAlchemy
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(name)
    from importlib import import_module
    return getattr(import_module(f"{__name__}.{mod}"), name)

__all__ = ["DEFAULT_DB", "IngestStats", "Store", "event_code", "make_engine", "migrate", "open_store",
           "parse_event_id", "resolve_url"]
