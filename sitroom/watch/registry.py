"""The source registry: what ``sitroom watch`` polls, and how each source is doing."""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from . import schema as W

KINDS = ("feed", "sitemap", "site", "folder")
SCALES = ("local", "national", "regional", "international")
DEFAULT_INTERVAL = 900
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")
FIELDS = ("name", "kind", "url", "language", "region", "scale", "interval", "pattern")


class SourceError(ValueError):
    """A source that cannot be registered as given; the message says why."""


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def aware(dt: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they are UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?\s*$", re.I)


def parse_duration(value: Any) -> float:
    """Seconds from ``90``, ``"90s"``, ``"15m"``, ``"2h"``, ``"1d"``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        secs = float(value)
    else:
        m = _DURATION.match(str(value))
        if not m:
            raise SourceError(f"{value!r} is not a duration (e.g. 90s, 15m, 2h, 1d)")
        unit = (m[2] or "s")[0].lower()
        secs = float(m[1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    if secs <= 0:
        raise SourceError(f"{value!r}: a duration must be positive")
    return secs


def show_duration(secs: float | int | None) -> str:
    if secs is None:
        return "-"
    secs = int(secs)
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= n and secs % n == 0:
            return f"{secs // n}{unit}"
    return f"{secs}s"


def guess_kind(url: str) -> str:
    if "://" not in url:
        return "folder"
    path = url.split("?", 1)[0].lower()
    if "sitemap" in path:
        return "sitemap"
    if path.endswith((".rss", ".atom", ".xml", "/feed", "/feed/", "/rss", "/rss/")) or "/feed" in path or "rss" in path:
        return "feed"
    return "site"


def validate(spec: dict[str, Any]) -> dict[str, Any]:
    """A clean row from a user's spec (CLI options or one YAML entry); SourceError if bad."""
    unknown = set(spec) - set(FIELDS) - {"path", "enabled"}
    if unknown:
        raise SourceError(f"unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}, path, enabled")
    name = str(spec.get("name") or "").strip()
    if not NAME_RE.match(name):
        raise SourceError(f"name {name!r}: use letters, digits, '.', '_' or '-' (at most 128)")
    url = str(spec.get("url") or spec.get("path") or "").strip()
    if not url:
        raise SourceError(f"{name}: a url (or, for a folder, a path) is needed")
    kind = str(spec.get("kind") or guess_kind(url)).strip().lower()
    if kind not in KINDS:
        raise SourceError(f"{name}: kind {kind!r}; choose one of {', '.join(KINDS)}")
    if kind == "folder":
        if "://" in url:
            raise SourceError(f"{name}: a folder source takes a path, not a URL")
        url = os.path.abspath(os.path.expanduser(url))
    else:
        from ..ingest.fetch import FetchError, check_scheme
        try:
            check_scheme(url)
        except FetchError as exc:
            raise SourceError(f"{name}: {exc}") from None
    scale = spec.get("scale")
    if scale is not None:
        scale = str(scale).strip().lower()
        if scale not in SCALES:
            raise SourceError(f"{name}: scale {scale!r}; choose one of {', '.join(SCALES)}")
    interval = spec.get("interval")
    interval_s = int(round(parse_duration(interval))) if interval not in (None, "") else DEFAULT_INTERVAL
    lang = spec.get("language")
    region = spec.get("region")
    pattern = spec.get("pattern")
    if pattern is not None:
        pattern = str(pattern).strip()
        if kind != "folder":
            raise SourceError(f"{name}: pattern is for folder sources")
        if not pattern or "/" in pattern or len(pattern) > 128:
            raise SourceError(f"{name}: pattern {pattern!r}: a file name pattern such as *.txt")
    return {"name": name, "kind": kind, "url": url, "pattern": pattern or None,
            "language": str(lang).strip()[:16] if lang else None,
            "region": str(region).strip()[:128] if region else None, "scale": scale,
            "interval_s": max(1, interval_s), "enabled": bool(spec.get("enabled", True))}


def add(store, spec: dict[str, Any], *, replace: bool = False) -> str:
    """Register a source; returns "added", "updated" or "unchanged". An existing name is an error
    unless ``replace`` (its settings are then updated; its history and health are kept)."""
    row = validate(spec)
    t = W.watch_sources
    with store.writer.begin() as conn:
        old = conn.execute(sa.select(t).where(t.c.name == row["name"])).mappings().first()
        if old is None:
            conn.execute(sa.insert(t).values(**row, created_at=now_utc()))
            return "added"
        if not replace:
            raise SourceError(f"a source named {row['name']!r} exists (remove it first, or import with --replace)")
        changes = {k: v for k, v in row.items() if old[k] != v}
        if not changes:
            return "unchanged"
        if "url" in changes or "kind" in changes:    # another listing: forget the old one's validators
            changes.update(etag=None, last_modified=None, feed_url=None)
        conn.execute(sa.update(t).where(t.c.id == old["id"]).values(**changes))
        if "scale" in changes:      # the source_scale of the events of its documents
            from ..store.listing import refresh_documents
            it = W.watch_items
            refresh_documents(conn, sa.select(it.c.document_id).where(it.c.source_id == old["id"],
                                                                       it.c.document_id.is_not(None)))
        return "updated"


def import_yaml(store, path: str, *, replace: bool = True) -> dict[str, list[str]]:
    """Register every source of a YAML file (``sources: [ {name, url, ...}, ... ]`` or a list).
    Every entry is checked before anything is written. A relative folder path is relative to the
    YAML file."""
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise SourceError(f"{path} is not valid YAML: {exc}") from None
    items = data.get("sources") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise SourceError(f"{path}: expected a list of sources under 'sources:'")
    errors, names = [], set()
    base = os.path.dirname(os.path.abspath(path))
    for i, s in enumerate(items, 1):
        if not isinstance(s, dict):
            errors.append(f"entry {i}: not a mapping")
            continue
        loc = s.get("path") or s.get("url")
        if isinstance(loc, str) and "://" not in loc and not os.path.isabs(os.path.expanduser(loc)):
            s["path" if s.get("path") else "url"] = os.path.join(base, loc)    # relative to the YAML file
        try:
            row = validate(s)
        except SourceError as exc:
            errors.append(f"entry {i}: {exc}")
            continue
        if row["name"] in names:
            errors.append(f"entry {i}: name {row['name']!r} appears twice")
        names.add(row["name"])
    if errors:
        raise SourceError(f"{path}: " + "; ".join(errors))
    out: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": []}
    for s in items:
        out[add(store, s, replace=replace)].append(s["name"])
    return out


def remove(store, name: str) -> bool:
    """Remove a source. The articles it brought stay (and stay known, so never fetched twice)."""
    t = W.watch_sources
    with store.writer.begin() as conn:
        return conn.execute(sa.delete(t).where(t.c.name == name)).rowcount > 0


def list_sources(store) -> list[dict[str, Any]]:
    t = W.watch_sources
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t).order_by(t.c.name)).mappings()]


def get(store, name: str) -> dict[str, Any] | None:
    t = W.watch_sources
    with store.engine.connect() as conn:
        r = conn.execute(sa.select(t).where(t.c.name == name)).mappings().first()
    return dict(r) if r else None


def health(store, name: str) -> dict[str, Any] | None:
    """A source with its health: last fetch, last new article, errors in a row, articles found,
    its articles by state and its last fetches."""
    src = get(store, name)
    if src is None:
        return None
    it, f = W.watch_items, W.watch_fetches
    with store.engine.connect() as conn:
        states = dict(conn.execute(sa.select(it.c.result, sa.func.count()).where(it.c.source_id == src["id"])
                                   .group_by(it.c.result)).all())
        recent = [dict(r) for r in conn.execute(
            sa.select(f.c.fetched_at, f.c.kind, f.c.url, f.c.status, f.c.result, f.c.detail)
            .where(f.c.source_id == src["id"]).order_by(f.c.id.desc()).limit(10)).mappings()]
    for k in ("created_at", "last_fetch_at", "last_ok_at", "last_new_at", "next_due_at"):
        src[k] = aware(src[k])
    for r in recent:
        r["fetched_at"] = aware(r["fetched_at"])
    src["items"] = {k or "pending": v for k, v in states.items()}
    src["recent_fetches"] = recent
    src["status"] = status_word(src)
    return src


def status_word(src: dict[str, Any]) -> str:
    if not src.get("enabled", True):
        return "disabled"
    if src.get("last_fetch_at") is None:
        return "new"
    if src.get("errors_in_row"):
        return "failing" if src["errors_in_row"] >= 3 else "error"
    return "ok"


def source_scales(store, document_ids: list[int]) -> dict[int, str]:
    """documents.id -> the scale (ACLED's source_scale) of the watched source that brought it,
    for documents that came through ``sitroom watch`` from a source with a scale."""
    it, t = W.watch_items, W.watch_sources
    out: dict[int, str] = {}
    with store.engine.connect() as conn:
        for i in range(0, len(document_ids), 500):
            q = (sa.select(it.c.document_id, t.c.scale).join(t, t.c.id == it.c.source_id)
                 .where(it.c.document_id.in_(document_ids[i:i + 500]), it.c.result == "added",
                        t.c.scale.is_not(None)))
            for doc, scale in conn.execute(q):
                out.setdefault(doc, scale)
    return out
