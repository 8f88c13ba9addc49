"""sitroom's Python API, for notebooks and scripts (docs/python-api.md).

>>> import sitroom
>>> r = sitroom.extract("Russian jets struck Ariha on Sunday, killing six civilians.", published="2020-02-03")
>>> r.events[0].sub_event_type
'Air/drone strike'
>>> db = sitroom.open("sitroom.db")
>>> db.events(country="SY", since="2020-01-01").to_pandas()

``extract`` returns what ``sitroom extract --format jsonl`` writes, with attribute access;
``open`` queries the event database with the filters of ``sitroom events``, ``figures`` and
``claims``, through the same query code. pandas (and GeoPandas) are optional:
``pip install 'sitroom[pandas]'`` (``'sitroom[geo]'``). Nothing heavy is imported before it is used.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:                                       # only for type checkers: never imported at run time
    import geopandas
    import pandas

    from .pipeline import Pipeline
    from .store.core import IngestStats, Store

__all__ = ["Record", "Table", "Result", "Database", "extract", "open"]


class Record(dict):
    """A JSON object with attribute access: ``event.sub_event_type`` is ``event["sub_event_type"]``.
    Nested objects are Records too; a missing key is an ``AttributeError``."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for k, v in self.items():
            dict.__setitem__(self, k, _wrap(v))

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no field {name!r}; fields: {', '.join(self)}") from None

    def __dir__(self) -> list[str]:
        return list(self) + list(super().__dir__())


def _wrap(v: Any) -> Any:
    if isinstance(v, dict) and not isinstance(v, Record):
        return Record(v)
    if isinstance(v, list):
        return [_wrap(x) for x in v]
    return v


class Table(list):
    """A list of :class:`Record` rows that becomes a pandas DataFrame (``to_pandas()``) or, when they
    have coordinates and GeoPandas is installed, a GeoDataFrame (``to_geopandas()``)."""

    def __init__(self, rows: Iterable[dict] = (), *, frame_rows: list[dict] | None = None,
                 dtypes: dict[str, str] | None = None, parse_dates: tuple[str, ...] = (),
                 columns: tuple[str, ...] | None = None) -> None:
        super().__init__(Record(r) for r in rows)
        self._frame_rows = frame_rows
        self._columns = columns
        self._dtypes = dtypes or {}
        self._dates = parse_dates

    def to_pandas(self) -> "pandas.DataFrame":
        """The rows as a DataFrame; events get ACLED's columns in ACLED's order and column types."""
        pd = _require("pandas", "pandas")
        rows = self._frame_rows if self._frame_rows is not None else [dict(r) for r in self]
        df = pd.DataFrame.from_records(rows)
        if self._columns:
            df = df.reindex(columns=list(self._columns) + [c for c in df.columns if c not in self._columns])
        for col, t in self._dtypes.items():
            if col in df.columns:
                df[col] = df[col].astype(t) if t != "int64" else df[col].fillna(0).astype("int64")
        for col in self._dates:
            if col in df.columns:
                df[col] = pd.to_datetime(df[col], errors="coerce")
        return df

    def to_geopandas(self) -> "geopandas.GeoDataFrame":
        """:meth:`to_pandas` with a point geometry from longitude/latitude (EPSG:4326)."""
        gpd = _require("geopandas", "geo")
        df = self.to_pandas()
        if not {"latitude", "longitude"} <= set(df.columns):
            raise ValueError("these rows have no latitude/longitude columns")
        geom = gpd.points_from_xy(df["longitude"].astype("float64"), df["latitude"].astype("float64"))
        return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")


def _require(module: str, extra: str) -> Any:
    from importlib import import_module

    try:
        return import_module(module)
    except ImportError as exc:
        raise ImportError(f"{module} is not installed: pip install 'sitroom[{extra}]' ({exc})") from None


# ------------------------------------------------------------------ extraction

@dataclass(frozen=True)
class Result:
    """One document's extraction, as ``sitroom extract --format jsonl`` writes it.

    ``events``, ``places``, ``dates``, ``figures``, ``claims``, ``agreements`` and ``quality`` are
    :class:`Table` s of :class:`Record` s; ``geo_focus`` (the countries and regions the document is
    about) is a :class:`Record`; ``error`` is set (and the tables are empty) when the
    document could not be read. ``to_dict()`` is the CLI's JSON object, unchanged."""

    doc_id: str
    content_hash: str | None = None
    title: str | None = None
    published: str | None = None
    published_from: str | None = None
    source: str | None = None
    url: str | None = None
    events: Table = field(default_factory=Table)
    places: Table = field(default_factory=Table)
    dates: Table = field(default_factory=Table)
    figures: Table = field(default_factory=Table)
    claims: Table = field(default_factory=Table)
    agreements: Table = field(default_factory=Table)
    quality: Table = field(default_factory=Table)
    geo_focus: Record = field(default_factory=Record)
    error: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Result":
        from .model import RESULT_KEYS
        from .output import CSV_COLUMNS, csv_rows
        from .output.acled import PANDAS_DTYPES

        tables: dict[str, Any] = {k: Table(d.get(k) or []) for k in RESULT_KEYS if k != "geo_focus"}
        tables["geo_focus"] = Record(d.get("geo_focus") or {})
        tables["events"] = Table(d.get("events") or [], frame_rows=list(csv_rows(d)), dtypes=PANDAS_DTYPES,
                                 parse_dates=("event_date",), columns=CSV_COLUMNS)
        return cls(doc_id=d.get("doc_id"), content_hash=d.get("content_hash"), title=d.get("title"),
                   published=d.get("published"), published_from=d.get("published_from"), source=d.get("source"),
                   url=d.get("url"), error=d.get("error"), raw=d, **tables)

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON object for this document (``sitroom extract --format json``)."""
        return self.raw

    def to_pandas(self) -> "pandas.DataFrame":
        """The events as a DataFrame with every ACLED column (the CSV's columns and types)."""
        return self.events.to_pandas()


@lru_cache(maxsize=1)
def _pipeline() -> "Pipeline":
    """The pipeline, built (and the spaCy model loaded) once per process."""
    from .pipeline import Pipeline
    return Pipeline()


def _is_path(x: Any) -> bool:
    if isinstance(x, os.PathLike):
        return True
    if not isinstance(x, str) or "\n" in x or len(x) > 4096 or not x.strip():
        return False
    from .ingest import _is_url
    if _is_url(x.strip()):
        return True
    try:
        return Path(x).exists()
    except OSError:
        return False


def extract(text_or_path: str | os.PathLike, published: date | str | None = None, *, title: str | None = None,
            source: str | None = None, url: str | None = None, doc_id: str = "text",
            batch_size: int = 32) -> Result | list[Result]:
    """Extract events, places, dates, figures, claims, agreements and quality flags.

    ``text_or_path`` is the text of one report, or what ``sitroom extract`` reads: a path (text,
    HTML, JSON Lines batch, RSS/Atom feed, directory) or an http(s) URL. ``published`` (a date or
    ``YYYY-MM-DD``) dates inputs whose metadata has none. One document gives one :class:`Result`; a
    batch, feed or directory gives a list of them, in input order. The model loads on the first call
    and is reused by every later one. ``title``/``source``/``url``/``doc_id`` describe a text."""
    from .ingest import document_from_text, iter_documents

    if _is_path(text_or_path):
        items: Iterable[Any] = list(iter_documents([os.fspath(text_or_path)], published))
    elif isinstance(text_or_path, str):
        items = [document_from_text(text_or_path, doc_id=doc_id, published=published, title=title,
                                    source=source, url=url)]
    else:
        raise TypeError(f"extract() takes a text or a path, not {type(text_or_path).__name__}")
    results = [Result.from_dict(r) for r in _pipeline().run(items, batch_size=batch_size)]
    if not results:
        raise ValueError(f"no document could be read from {text_or_path!r}")
    return results[0] if len(results) == 1 else results


# ------------------------------------------------------------------ the database

class Database:
    """The event database (``sitroom ingest`` fills it), queried with the CLI's filters.

    Use as a context manager, or call :meth:`close`. Every query returns a :class:`Table` whose
    rows are what ``sitroom events|figures|claims --format json`` prints."""

    def __init__(self, db: str | os.PathLike | None = None) -> None:
        from .store import open_store

        self.store: "Store" = open_store(os.fspath(db) if db is not None else None)

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def ingest(self, text_or_path: str | os.PathLike, published: date | str | None = None, *,
               batch_size: int = 32, commit_every: int = 100) -> "IngestStats":
        """Extract and store documents, as ``sitroom ingest`` does (a path, URL, batch or directory;
        a document already stored is skipped); returns the counts (added, unchanged, errors,
        mentions, new_events, merged)."""
        from .ingest import iter_documents
        from .model import Document

        docs = list(iter_documents([os.fspath(text_or_path)], _day(published, "published")))
        new = [d for d in docs if not (isinstance(d, Document) and self.store.has_document(d.content_hash))]
        stats = self.store.ingest(_pipeline().run(new, batch_size=batch_size) if new else iter(()),
                                  commit_every=commit_every, skip_failures=True)
        stats.unchanged += len(docs) - len(new)
        return stats

    def events(self, *, country: str | None = None, admin1: str | None = None, since: date | str | None = None,
               until: date | str | None = None, type: str | None = None, actor: str | None = None,  # noqa: A002
               limit: int | None = None) -> Table:
        """Fused events, as ``sitroom events`` filters them: country (ISO code or name), admin1,
        since/until (dates or YYYY-MM-DD; the event's date range overlaps), type (sub-event or event
        type), actor (part of a name). ``to_pandas()`` has ACLED's columns, then sitroom's."""
        from .output.acled import PANDAS_DTYPES
        from .model import to_jsonable
        from .store.export import CSV_COLUMNS
        from .store.serialize import csv_row, event_json

        rows = self.store.query_events(country=country, admin1=admin1, since=_day(since, "since"),
                                       until=_day(until, "until"), type=type, actor=actor, limit=limit)
        return Table(to_jsonable([event_json(r) for r in rows]), frame_rows=[csv_row(r) for r in rows],
                     dtypes=PANDAS_DTYPES, parse_dates=("event_date",), columns=CSV_COLUMNS)

    def event(self, event_id: str | int) -> Record | None:
        """One fused event with its mentions, sources and claims (``sitroom explain --format json``)."""
        from .model import to_jsonable
        from .store.serialize import event_json

        e = self.store.event(event_id)
        if e is None:
            return None
        out = event_json(e)
        out["merged_from"] = e.get("merged_from")
        out["absorbed"] = e.get("absorbed") or []
        return Record(to_jsonable(out))

    def figures(self, *, kind: str | None = None, country: str | None = None, admin1: str | None = None,
                since: date | str | None = None, until: date | str | None = None, doc: str | None = None,
                limit: int | None = None) -> Table:
        """Figures (killed, injured, displaced ... tallies) as ``sitroom figures`` filters them."""
        from .model import to_jsonable
        from .store.serialize import figure_json

        rows = self.store.query_figures(kind=kind, country=country, admin1=admin1, since=_day(since, "since"),
                                        until=_day(until, "until"), doc=doc, limit=limit)
        return Table(to_jsonable([figure_json(r) for r in rows]))

    def claims(self, *, kind: str | None = None, speaker: str | None = None, target: str | None = None,
               event: str | int | None = None, country: str | None = None, admin1: str | None = None,
               since: date | str | None = None, until: date | str | None = None, type: str | None = None,  # noqa: A002
               actor: str | None = None, limit: int | None = None) -> Table:
        """Claims (statements, appeals, denials, accusations) as ``sitroom claims`` filters them."""
        from .model import to_jsonable
        from .store.serialize import claim_json

        rows = self.store.query_claims(kind=kind, speaker=speaker, target=target, event=event, country=country,
                                       admin1=admin1, since=_day(since, "since"), until=_day(until, "until"),
                                       type=type, actor=actor, limit=limit)
        return Table(to_jsonable([claim_json(r) for r in rows]))

    def __repr__(self) -> str:
        return f"<sitroom.Database {self.store.engine.url!r}>"


def _day(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a date in YYYY-MM-DD form") from None


def open(db: str | os.PathLike | None = None) -> Database:  # noqa: A001 - sitroom.open, as the issue names it
    """Open (and migrate) the event database: a SQLite path, a ``postgresql://`` URL, or
    ``SITROOM_DB`` / ``sitroom.db`` when None."""
    return Database(db)
