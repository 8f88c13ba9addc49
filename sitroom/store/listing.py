"""Events as ``/api/events`` sends them, stored ready to send (revision 0008, table ``event_docs``).

A page of ``/api/events`` used to build, per event, its sources (documents, watched-source scale),
the place names its mentions wrote, :func:`~sitroom.store.serialize.event_json`,
:func:`~sitroom.model.to_jsonable` and the JSON text: about 20 ms of CPU for 100 events. The
store now keeps each event's JSON object (and its GeoJSON geometry) as text, written whenever the
event, its sources or its mentions change, so a page is one indexed query returning ids and texts,
joined into the response by string concatenation.

* :func:`refresh` is the ONE function every write path calls, inside its transaction and after its
  writes, with the ids of the events it touched (created, updated, absorbed, given a source or a
  mention; ids of deleted events are fine). ``Store.ingest`` calls it; so must any other writer
  (a bulk COPY path, a maintenance command).
* A stored text is used only while its ``stamp`` equals the event's ``updated_at`` and its
  ``version`` is :func:`version` (the format below and the data files the ACLED columns read): any
  other event of a page (never refreshed, changed by a writer that did not call :func:`refresh`,
  or written under other data files) is rendered from its rows by :func:`render`, the same code
  that fills the table, so the response is the same bytes either way.
* :func:`fill` writes every missing or outdated text: the migration's backfill, and ``sitroom
  doctor --fix`` after the data files changed (until then those events are rendered per request).
"""
from __future__ import annotations

import json
import os
from datetime import date
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..model import to_jsonable
from . import schema as S
from .serialize import event_json

#: Bump when what :func:`render` writes for an event changes (keys, order, values): every stored
#: text is then outdated (served by rendering until :func:`fill` writes it again).
FORMAT = 1

#: The data files the event's ACLED columns are derived from (``sitroom.output.acled.tables``).
DATA_FILES = ("acled.yaml", "acled_countries.yaml", "source_scales.yaml", "actors.yaml")

_VERSION: dict[str, str] = {}


def version() -> str:
    """The format of the stored texts: :data:`FORMAT` and the bytes of :data:`DATA_FILES` (with
    their ``SITROOM_DATA`` overrides), hashed; read once per process and override path."""
    env = os.environ.get("SITROOM_DATA", "")
    got = _VERSION.get(env)
    if got is None:
        import hashlib

        from ..data import fingerprint
        h = hashlib.sha1(f"event_docs {FORMAT}".encode())
        for name in DATA_FILES:
            h.update(f"\0{name}\0{fingerprint(name)}".encode())
        got = _VERSION[env] = h.hexdigest()[:16]
    return got


def dumps(obj: Any) -> str:
    """JSON text exactly as the API's ``JSONResponse`` renders it (compact, UTF-8, no NaN)."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))


def place_names(conn: Connection, locations: dict[int, str | None]) -> dict[int, list[str]]:
    """event id -> its location as its sources wrote it ("Maarat al-Numan" for the gazetteer's
    "Maarrat an Numan"): the text of the location spans of the mentions placed there."""
    out: dict[int, list[str]] = {}
    m = S.mentions
    ids = sorted(locations)
    span_text = m.c.evidence["location_evidence"]["text"].as_string()   # not the whole evidence
    for i in range(0, len(ids), 500):
        for eid, loc, text in conn.execute(sa.select(m.c.event_id, m.c.location, span_text)
                                           .where(m.c.event_id.in_(ids[i:i + 500])).order_by(m.c.id)):
            if (loc or "").casefold() != (locations.get(eid) or "").casefold():
                continue
            t = " ".join(str(text or "").split())
            if t and t not in out.setdefault(eid, []):
                out[eid].append(t)
    return out


def event_out(row: dict, names: dict[int, list[str]]) -> dict[str, Any]:
    """One event of ``/api/events`` (a row with its ``sources``) as a dict."""
    return dict(event_json(row), place_names=names.get(row["id"], []))


def geometry(e: dict[str, Any]) -> dict[str, Any] | None:
    """The GeoJSON geometry of an :func:`event_out` dict."""
    if e["latitude"] is not None and e["longitude"] is not None:
        return {"type": "Point", "coordinates": [e["longitude"], e["latitude"]]}
    return None


def render(conn: Connection, rows: list[dict]) -> dict[int, tuple[str, str]]:
    """event id -> (JSON text, geometry JSON text) of event rows that carry their ``sources``
    (``Store._attach_sources``). An event whose JSON cannot be written (a NaN) is left out: the
    API then renders it itself, and fails as it always did."""
    names = place_names(conn, {r["id"]: r.get("location") for r in rows})
    out: dict[int, tuple[str, str]] = {}
    for r in rows:
        e = event_out(r, names)
        try:
            out[r["id"]] = (dumps(to_jsonable(e)), dumps(to_jsonable(geometry(e))))
        except ValueError:
            continue
    return out


def _rows(conn: Connection, ids: list[int]) -> list[dict]:
    from .core import READ_COLUMNS, attach_sources

    rows = [dict(r) for r in conn.execute(sa.select(*READ_COLUMNS).where(S.events.c.id.in_(ids))
                                          .order_by(S.events.c.id)).mappings()]
    attach_sources(conn, rows)
    return rows


def refresh(conn: Connection, event_ids: Iterable[int], *, batch: int = 500) -> int:
    """Write the stored JSON of ``event_ids`` again from their rows (inside the caller's
    transaction, after its writes); ids of events that no longer exist lose theirs. Returns how
    many texts were written."""
    ids = sorted({int(i) for i in event_ids})
    ed, ev = S.event_docs, S.events
    v = version()
    n = 0
    stamp = sa.select(ev.c.updated_at).where(ev.c.id == sa.bindparam("eid")).scalar_subquery()
    insert = sa.insert(ed).values(event_id=sa.bindparam("eid"), stamp=stamp, version=v,
                                  body=sa.bindparam("b"), geometry=sa.bindparam("g"))
    for i in range(0, len(ids), batch):
        chunk = ids[i:i + batch]
        conn.execute(sa.delete(ed).where(ed.c.event_id.in_(chunk)))
        docs = render(conn, _rows(conn, chunk))
        if docs:
            # the stamp is copied in SQL, so that it compares equal to updated_at on every backend
            conn.execute(insert, [{"eid": k, "b": b, "g": g} for k, (b, g) in docs.items()])
            n += len(docs)
    return n


def refresh_documents(conn: Connection, documents) -> int:
    """:func:`refresh` the events whose sources include ``documents`` (document row ids, or a
    SELECT of them): for writes that change what an event shows of its documents (the scale of
    the watched source that brought one)."""
    es = S.event_sources
    where = es.c.document_id.in_(documents if isinstance(documents, sa.Select) else list(documents))
    return refresh(conn, conn.execute(sa.select(es.c.event_id).where(where).distinct()).scalars())


def stale(conn: Connection, event_ids: Iterable[int] | None = None) -> list[int]:
    """The events (of ``event_ids``, default all) whose stored JSON is missing, outdated, or not
    what :func:`render` writes from their rows now: [] when every write kept them up to date."""
    ed, ev = S.event_docs, S.events
    if event_ids is None:
        event_ids = conn.execute(sa.select(ev.c.id).order_by(ev.c.id)).scalars()
    ids = sorted({int(i) for i in event_ids})
    out = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        kept = {k: (b, g) for k, b, g in conn.execute(
            sa.select(ed.c.event_id, ed.c.body, ed.c.geometry).join(ev, ev.c.id == ed.c.event_id)
            .where(ed.c.event_id.in_(chunk), ed.c.stamp == ev.c.updated_at, ed.c.version == version()))}
        now = render(conn, _rows(conn, chunk))
        out += [k for k in chunk if kept.get(k) != now.get(k)]
    return out


def fill(conn: Connection, *, batch: int = 2000, progress: Callable[[int, int], None] | None = None) -> int:
    """Write every missing or outdated stored JSON (all events, in id order, ``batch`` at a time);
    ``progress(done, total)`` after each batch. Returns how many were written."""
    ed, ev = S.event_docs, S.events
    v = version()
    outdated = (sa.select(ev.c.id).outerjoin(ed, ed.c.event_id == ev.c.id)
                .where(sa.or_(ed.c.event_id.is_(None), ed.c.version != v, ed.c.stamp != ev.c.updated_at)))
    total = conn.execute(sa.select(sa.func.count()).select_from(outdated.subquery())).scalar_one()
    done = n = 0
    last = 0
    while done < total:
        ids = list(conn.execute(outdated.where(ev.c.id > last).order_by(ev.c.id).limit(batch)).scalars())
        if not ids:
            break
        n += refresh(conn, ids)
        done += len(ids)
        last = ids[-1]
        if progress:
            progress(done, total)
    return n


class NotJSON(RuntimeError):
    """An event whose JSON cannot be written (a float that is NaN or infinite)."""


def page_docs(conn: Connection, rows: list[tuple]) -> list[tuple[int, date | None, str, str]]:
    """(id, date_lo, JSON text, geometry text) of the rows of a page query (id, date_lo, stored
    body or None, stored geometry or None): the events without a usable stored text are rendered
    here (one query for all of them)."""
    missing = [r[0] for r in rows if r[2] is None]
    if not missing:
        return rows
    docs = render(conn, _rows(conn, missing))
    out = []
    for r in rows:
        if r[2] is None:
            got = docs.get(r[0])
            if got is None:     # not JSON-able: the API fails on it, as it always did
                raise NotJSON(f"event {r[0]}: its JSON cannot be written (a NaN or an infinity)")
            r = (r[0], r[1], got[0], got[1])
        out.append(r)
    return out
