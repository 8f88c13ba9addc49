"""sitroom: news reports about armed conflict in; verified, geocoded, source-attributed events out.

The Python API (docs/python-api.md)::

    import sitroom
    result = sitroom.extract("text of a report, or a path", published="2020-01-17")
    with sitroom.open("sitroom.db") as db:
        df = db.events(country="SY", since="2020-01-01").to_pandas()

Importing ``sitroom`` is cheap: the pipeline, the database layer and pandas load on first use.
``sitroom.extract`` is :func:`sitroom.api.extract`; the extraction stages live in ``sitroom.stages``.
"""
_LAZY = {"extract": "api", "open": "api", "Result": "api", "Database": "api", "Record": "api", "Table": "api"}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'sitroom' has no attribute {name!r}")
    from importlib import import_module
    module = import_module(f"{__name__}.{mod}")
    return module if mod == name else getattr(module, name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
