"""Alert rules over fused events.

A rule (YAML or ``sitroom alerts add``)::

    name: idlib-strikes                 # letters, digits, . _ -  (the Atom feed is /alerts/NAME.atom)
    area:                               # every key given must hold
      country: SY                       # ISO code or name
      admin1: Idlib
      bbox: [35.8, 35.2, 37.2, 36.5]    # west, south, east, north
      near: {place: Aleppo, km: 50}     # or {lat: 36.2, lon: 37.1, km: 50}
    types: ["Air/drone strike"]         # sub-event or event types (any)
    actors: ["Russia"]                  # part of an actor's name (any)
    min_fatalities: 1
    words: ["hospital", "market"]       # in the event's notes, place, actors or source titles (any)
    webhook: https://example.org/hook   # optional: POST each alert there as JSON

A rule fires once per fused event it matches, and again only when that event materially changes:
its death toll rises, a new source confirms it, or it becomes contested. What fired is kept in
``alerts_fired`` (with the payload), so a restart never fires twice for the same state.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any, Iterable

import sqlalchemy as sa

from ..store import event_code
from ..store import schema as S
from ..model import to_jsonable
from ..store.serialize import event_json
from . import schema as W
from .registry import NAME_RE, aware, now_utc

RULE_KEYS = ("name", "area", "types", "actors", "min_fatalities", "words", "webhook", "enabled")
AREA_KEYS = ("country", "admin1", "bbox", "near")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class RuleError(ValueError):
    pass


def _str_list(name: str, key: str, v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise RuleError(f"{name}: {key} must be a list of words (quote values YAML reads as numbers or booleans)")
    return [x.strip() for x in v]


def _float(name: str, what: str, v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise RuleError(f"{name}: {what} {v!r} is not a number") from None
    if math.isnan(f) or math.isinf(f):
        raise RuleError(f"{name}: {what} must be a finite number")
    return f


def resolve_place(name: str) -> tuple[float, float, str]:
    """(lat, lon, label) of the most populous gazetteer place called ``name``."""
    from ..kb.gazetteer import Gazetteer

    recs = [r for r in Gazetteer.get().lookup(name) if r.latitude is not None and r.longitude is not None]
    if not recs:
        raise RuleError(f"place {name!r} is not in the gazetteer (give lat and lon instead)")
    best = max(recs, key=lambda r: (r.kind == "populated_place", r.population))
    label = ", ".join(x for x in (best.name, best.admin1, best.country) if x)
    return best.latitude, best.longitude, label


def validate(spec: dict[str, Any]) -> dict[str, Any]:
    """A clean rule from a user's spec; RuleError says what is wrong."""
    if not isinstance(spec, dict):
        raise RuleError("a rule is a mapping")
    unknown = set(spec) - set(RULE_KEYS)
    if unknown:
        raise RuleError(f"unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(RULE_KEYS)}")
    name = str(spec.get("name") or "").strip()
    if not NAME_RE.match(name):
        raise RuleError(f"rule name {name!r}: use letters, digits, '.', '_' or '-' (at most 128)")
    out: dict[str, Any] = {"name": name}
    area = spec.get("area") or {}
    if not isinstance(area, dict):
        raise RuleError(f"{name}: area must be a mapping ({', '.join(AREA_KEYS)})")
    bad = set(area) - set(AREA_KEYS)
    if bad:
        raise RuleError(f"{name}: unknown area key(s) {', '.join(sorted(bad))}; known: {', '.join(AREA_KEYS)}")
    a: dict[str, Any] = {}
    for k in ("country", "admin1"):
        if area.get(k) is not None:
            if not isinstance(area[k], str) or not area[k].strip():
                raise RuleError(f"{name}: area.{k} must be a name (quote NO for Norway)")
            a[k] = area[k].strip()
    if area.get("bbox") is not None:
        b = area["bbox"]
        if isinstance(b, str):
            b = b.split(",")
        if not isinstance(b, (list, tuple)) or len(b) != 4:
            raise RuleError(f"{name}: area.bbox is [west, south, east, north]")
        w, s, e, n = (_float(name, "bbox", x) for x in b)
        if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= n <= 90):
            raise RuleError(f"{name}: area.bbox {b} is not [west, south, east, north] in degrees")
        a["bbox"] = [w, s, e, n]
    if area.get("near") is not None:
        nr = area["near"]
        if not isinstance(nr, dict) or "km" not in nr:
            raise RuleError(f"{name}: area.near is {{place: NAME, km: N}} or {{lat: Y, lon: X, km: N}}")
        km = _float(name, "near.km", nr["km"])
        if km <= 0:
            raise RuleError(f"{name}: near.km must be positive")
        if nr.get("lat") is not None and nr.get("lon") is not None:
            lat, lon = _float(name, "near.lat", nr["lat"]), _float(name, "near.lon", nr["lon"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise RuleError(f"{name}: near.lat/lon out of range")
            label = nr.get("place") or f"{lat:.3f},{lon:.3f}"
        elif nr.get("place"):
            lat, lon, label = resolve_place(str(nr["place"]))
        else:
            raise RuleError(f"{name}: area.near needs a place or lat and lon")
        a["near"] = {"lat": lat, "lon": lon, "km": km, "place": str(label)}
    if a:
        out["area"] = a
    for k in ("types", "actors", "words"):
        vals = _str_list(name, k, spec.get(k))
        if vals:
            out[k] = vals
    if spec.get("min_fatalities") is not None:
        mf = spec["min_fatalities"]
        if isinstance(mf, bool) or not isinstance(mf, int) or mf < 0:
            raise RuleError(f"{name}: min_fatalities must be a whole number >= 0")
        out["min_fatalities"] = mf
    if spec.get("webhook"):
        from ..ingest.fetch import FetchError, check_scheme
        try:
            check_scheme(str(spec["webhook"]))
        except FetchError as exc:
            raise RuleError(f"{name}: webhook: {exc}") from None
        out["webhook"] = str(spec["webhook"]).strip()
    out["enabled"] = bool(spec.get("enabled", True))
    return out


# ---------------------------------------------------------------------- storage

def add_rule(store, spec: dict[str, Any], *, replace: bool = False) -> str:
    rule = validate(spec)
    t = W.alert_rules
    enabled = rule.pop("enabled")
    with store.writer.begin() as conn:
        old = conn.execute(sa.select(t).where(t.c.name == rule["name"])).mappings().first()
        if old is None:
            conn.execute(sa.insert(t).values(name=rule["name"], spec=rule, enabled=enabled, created_at=now_utc()))
            return "added"
        if not replace:
            raise RuleError(f"a rule named {rule['name']!r} exists (remove it first, or import with --replace)")
        if old["spec"] == rule and old["enabled"] == enabled:
            return "unchanged"
        conn.execute(sa.update(t).where(t.c.id == old["id"]).values(spec=rule, enabled=enabled))
        return "updated"


def import_rules(store, path: str, *, replace: bool = True) -> dict[str, list[str]]:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except OSError as exc:
        raise RuleError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{path} is not valid YAML: {exc}") from None
    items = data.get("alerts") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise RuleError(f"{path}: expected a list of rules under 'alerts:'")
    errors = []
    for i, r in enumerate(items, 1):
        try:
            validate(r)
        except RuleError as exc:
            errors.append(f"rule {i}: {exc}")
    if errors:
        raise RuleError(f"{path}: " + "; ".join(errors))
    out: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": []}
    for r in items:
        out[add_rule(store, r, replace=replace)].append(r["name"])
    return out


def remove_rule(store, name: str) -> bool:
    t = W.alert_rules
    with store.writer.begin() as conn:
        rid = conn.execute(sa.select(t.c.id).where(t.c.name == name)).scalar()
        if rid is None:
            return False
        conn.execute(sa.delete(W.alerts_fired).where(W.alerts_fired.c.rule_id == rid))
        conn.execute(sa.delete(t).where(t.c.id == rid))
        return True


def list_rules(store, *, enabled_only: bool = False) -> list[dict[str, Any]]:
    t, f = W.alert_rules, W.alerts_fired
    q = (sa.select(t, sa.func.count(f.c.id).label("fired"), sa.func.max(f.c.fired_at).label("last_fired"))
         .select_from(t.outerjoin(f, f.c.rule_id == t.c.id)).group_by(t.c.id).order_by(t.c.name))
    if enabled_only:
        q = q.where(t.c.enabled.is_(True))
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        r["last_fired"] = aware(r["last_fired"])
    return rows


def get_rule(store, name: str) -> dict[str, Any] | None:
    t = W.alert_rules
    with store.engine.connect() as conn:
        r = conn.execute(sa.select(t).where(t.c.name == name)).mappings().first()
    return dict(r) if r else None


def fired(store, rule_id: int, limit: int = 100) -> list[dict[str, Any]]:
    f = W.alerts_fired
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(f).where(f.c.rule_id == rule_id)
                                              .order_by(f.c.id.desc()).limit(limit)).mappings()]
    for r in rows:
        r["fired_at"] = aware(r["fired_at"])
    return rows


# ---------------------------------------------------------------------- matching

def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _text_of(e: dict) -> str:
    parts = [e.get("notes") or "", e.get("location") or "", e.get("admin1") or "", e.get("admin2") or ""]
    parts += [str(a) for a in (e.get("actors") or []) if a]
    parts += [str(s.get("title") or "") for s in e.get("sources") or []]
    parts += [t for t in (e.get("terms") or []) if isinstance(t, str) and not t.startswith("^")]
    parts.append(e.get("_evidence_text") or "")
    return "\n".join(parts).casefold()


def matches(rule: dict[str, Any], e: dict[str, Any]) -> bool:
    """Does the fused event ``e`` (a row of ``events`` with ``sources``) satisfy every part of ``rule``?"""
    area = rule.get("area") or {}
    if "country" in area:
        c = area["country"].casefold()
        if c not in ((e.get("country_code") or "").casefold(), (e.get("country") or "").casefold()):
            return False
    if "admin1" in area and (e.get("admin1") or "").casefold() != area["admin1"].casefold():
        return False
    lat, lon = e.get("latitude"), e.get("longitude")
    if "bbox" in area:
        w, s, ea, n = area["bbox"]
        if lat is None or lon is None or not (s <= lat <= n):
            return False
        if not (w <= lon <= ea if w <= ea else (lon >= w or lon <= ea)):   # across the antimeridian
            return False
    if "near" in area:
        nr = area["near"]
        if lat is None or lon is None or _km(nr["lat"], nr["lon"], lat, lon) > nr["km"]:
            return False
    if rule.get("types"):
        have = {(e.get("sub_event_type") or "").casefold(), (e.get("event_type") or "").casefold()}
        if not any(t.casefold() in have for t in rule["types"]):
            return False
    if rule.get("actors"):
        names = [(e.get(k) or "").casefold() for k in ("actor1", "actor2", "assoc_actor_1")]
        names += [str(a).casefold() for a in (e.get("actors") or []) if a]
        if not any(a.casefold() in n for a in rule["actors"] for n in names if n):
            return False
    if rule.get("min_fatalities") is not None and (e.get("fatalities") or 0) < rule["min_fatalities"]:
        return False
    if rule.get("words"):
        text = _text_of(e)
        if not any(re.search(r"(?<!\w)" + re.escape(w.casefold()) + r"(?!\w)", text) for w in rule["words"]):
            return False
    return True


def change_reasons(e: dict[str, Any], prev: dict[str, Any] | None) -> list[str]:
    """Why ``e`` deserves an alert given the state last alerted (none: it is new)."""
    if prev is None:
        return ["new"]
    out = []
    if e.get("fatalities") is not None and (prev.get("fatalities") is None or e["fatalities"] > prev["fatalities"]):
        out.append("fatalities")
    if (e.get("n_sources") or 0) > (prev.get("n_sources") or 0):
        out.append("sources")
    if e.get("contested") and not prev.get("contested"):
        out.append("contested")
    return out


def payload(rule: dict, e: dict, reasons: list[str], prev: dict | None, fired_at: datetime,
            base_url: str) -> dict[str, Any]:
    code = event_code(e["id"])
    base = base_url.rstrip("/")
    ev = event_json(e)
    ev.pop("mentions", None)
    return to_jsonable({
        "rule": rule["name"], "reasons": reasons, "fired_at": fired_at, "event_id": code,
        "summary": summary(e), "event": ev,
        "sources": [{k: s.get(k) for k in ("source", "title", "url", "published", "fatalities", "doc_id")}
                    for s in e.get("sources") or []],
        "previous": None if prev is None else {k: prev.get(k) for k in ("fatalities", "n_sources", "contested")},
        "links": {"dashboard": f"{base}/?event={code}", "evidence": f"{base}/api/events/{code}"},
    })


def summary(e: dict) -> str:
    what = e.get("sub_event_type") or e.get("event_type") or "Event"
    where = ", ".join(x for x in (e.get("location"), e.get("admin1"), e.get("country")) if x) or "unknown place"
    day = e.get("event_date") or "undated"
    out = f"{what} in {where} ({day})"
    if e.get("fatalities"):
        out += f": {e['fatalities']} killed"
    out += f"; {e.get('n_sources') or 0} source(s)"
    if e.get("contested"):
        out += "; contested"
    return out


def check(store, *, since: datetime | None = None, base_url: str = DEFAULT_BASE_URL,
          rules: Iterable[dict] | None = None) -> list[dict[str, Any]]:
    """Fire every enabled rule on the events changed since ``since`` (all events when None).
    Returns the payloads fired (each with ``alert_id``), oldest first; they are stored first."""
    rule_rows = [r for r in (rules if rules is not None else list_rules(store, enabled_only=True))]
    if not rule_rows:
        return []
    ev, f = S.events, W.alerts_fired
    q = sa.select(ev).order_by(ev.c.id)
    if since is not None:
        q = q.where(ev.c.updated_at >= since)
    out: list[dict[str, Any]] = []
    with_words = any((r["spec"] or {}).get("words") for r in rule_rows)
    with store.engine.connect() as conn:
        events = [dict(r) for r in conn.execute(q).mappings()]
    for i in range(0, len(events), 500):
        chunk = events[i:i + 500]
        with store.engine.connect() as conn:
            store._attach_sources(conn, chunk)
            ids = [e["id"] for e in chunk]
            if with_words:          # words are looked for in the evidence sentences too
                ms = store._mentions_for(conn, ids)
                for e in chunk:
                    e["_evidence_text"] = "\n".join(
                        str(sp.get("text") or "") for m in ms.get(e["id"], [])
                        for sp in ((m.get("evidence") or {}).get("evidence") or []) if isinstance(sp, dict))
            last: dict[tuple[int, int], dict] = {}
            for r in conn.execute(sa.select(f.c.rule_id, f.c.event_id, f.c.fatalities, f.c.n_sources, f.c.contested)
                                  .where(f.c.event_id.in_(ids)).order_by(f.c.id)).mappings():
                last[(r["rule_id"], r["event_id"])] = dict(r)
        rows = []
        now = now_utc()
        for rule in rule_rows:
            spec = dict(rule["spec"], name=rule["name"])
            for e in chunk:
                if not matches(spec, e):
                    continue
                prev = last.get((rule["id"], e["id"]))
                reasons = change_reasons(e, prev)
                if not reasons:
                    continue
                p = payload(spec, e, reasons, prev, now, base_url)
                rows.append({"rule_id": rule["id"], "event_id": e["id"], "fired_at": now, "reason": ",".join(reasons),
                             "fatalities": e.get("fatalities"), "n_sources": e.get("n_sources"),
                             "contested": bool(e.get("contested")), "payload": p,
                             "webhook_status": "pending" if spec.get("webhook") else None, "webhook_attempts": 0})
        if rows:
            with store.writer.begin() as conn:
                pks = conn.execute(sa.insert(f).returning(f.c.id, sort_by_parameter_order=True), rows).scalars().all()
            for pk, r in zip(pks, rows):
                out.append(dict(r["payload"], alert_id=pk))
    return out


# ---------------------------------------------------------------------- webhooks

def _post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, allow_loopback: bool,
          timeout: float) -> int:
    import urllib.error
    import urllib.request

    from ..ingest.fetch import build_opener
    from .fetcher import FetchSettings, _CheckedRedirects, check_target

    s = FetchSettings(allow_private=allow_private, allow_loopback=allow_loopback)
    check_target(url, s)
    opener = build_opener(allow_private or allow_loopback)
    opener.add_handler(_CheckedRedirects(s))
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(req, timeout=timeout) as resp:
            resp.read(65536)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def deliver_webhooks(store, *, allow_private: bool = False, allow_loopback: bool = False, tries: int = 3, backoff: float = 2.0,
                     max_attempts: int = 10, timeout: float = 10.0, wait=None, secret: str | None = None) -> dict[str, int]:
    """POST every pending alert to its rule's webhook. Each alert is tried ``tries`` times now
    (backoff doubling); one still failing stays pending for the next round, and is given up
    ("failed") after ``max_attempts`` tries in all. ``secret`` signs the body (HMAC-SHA256 in
    ``X-Sitroom-Signature: sha256=HEX``)."""
    import hashlib
    import hmac
    import time

    from ..ingest.fetch import FetchError
    from .fetcher import USER_AGENT

    wait = wait or (lambda s: time.sleep(s) or False)
    f, t = W.alerts_fired, W.alert_rules
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            sa.select(f.c.id, f.c.payload, f.c.webhook_attempts, t.c.spec)
            .join(t, t.c.id == f.c.rule_id).where(f.c.webhook_status == "pending").order_by(f.c.id)).mappings()]
    counts = {"sent": 0, "pending": 0, "failed": 0}
    down: set[str] = set()          # webhooks that failed every try this round: their other alerts wait
    for r in rows:
        url = (r["spec"] or {}).get("webhook")
        attempts, status, detail = r["webhook_attempts"], "pending", None
        if url in down:
            counts["pending"] += 1
            continue
        if not url:
            status = "failed"
        else:
            body = json.dumps(dict(r["payload"], alert_id=r["id"]), ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Sitroom-Alert": str(r["id"])}
            if secret:
                headers["X-Sitroom-Signature"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            for i in range(tries):
                attempts += 1
                try:
                    code = _post(url, body, headers, allow_private=allow_private, allow_loopback=allow_loopback,
                                 timeout=timeout)
                except FetchError as exc:          # a refused address: never worth retrying
                    detail, status = str(exc), "failed"
                    break
                except Exception as exc:  # noqa: BLE001 - network trouble: retry
                    code, detail = None, f"{type(exc).__name__}: {exc}"
                if code is not None and 200 <= code < 300:
                    status = "sent"
                    break
                if attempts >= max_attempts:
                    status = "failed"
                    break
                if i < tries - 1 and wait(backoff * (2 ** i)):
                    break
        if status == "pending" and url:
            down.add(url)
        with store.writer.begin() as conn:
            conn.execute(sa.update(f).where(f.c.id == r["id"]).values(webhook_status=status, webhook_attempts=attempts))
        counts[status] += 1
        if detail and status != "sent":
            import logging
            logging.getLogger("sitroom.watch").warning("alert %s: webhook %s: %s", r["id"], url, detail)
    return counts


# ---------------------------------------------------------------------- Atom

def atom_feed(rule: dict[str, Any], rows: list[dict[str, Any]], base_url: str) -> bytes:
    """An Atom feed of a rule's alerts (newest first). All text is escaped by the XML writer."""
    from xml.etree import ElementTree as ET

    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    base = base_url.rstrip("/")
    root = ET.Element(f"{{{ns}}}feed")
    ET.SubElement(root, f"{{{ns}}}title").text = f"sitroom alerts: {rule['name']}"
    ET.SubElement(root, f"{{{ns}}}id").text = f"{base}/alerts/{rule['name']}.atom"
    ET.SubElement(root, f"{{{ns}}}link", rel="self", href=f"{base}/alerts/{rule['name']}.atom")
    updated = rows[0]["fired_at"] if rows else rule.get("created_at")
    ET.SubElement(root, f"{{{ns}}}updated").text = _iso(updated)
    author = ET.SubElement(root, f"{{{ns}}}author")
    ET.SubElement(author, f"{{{ns}}}name").text = "sitroom"
    for r in rows:
        p = r["payload"] or {}
        entry = ET.SubElement(root, f"{{{ns}}}entry")
        ET.SubElement(entry, f"{{{ns}}}id").text = f"{base}/alerts/{rule['name']}/{r['id']}"
        why = ", ".join(p.get("reasons") or [r.get("reason") or ""])
        ET.SubElement(entry, f"{{{ns}}}title").text = f"{p.get('event_id', '')} [{why}] {p.get('summary', '')}"
        ET.SubElement(entry, f"{{{ns}}}updated").text = _iso(r["fired_at"])
        link = (p.get("links") or {}).get("dashboard") or f"{base}/?event={event_code(r['event_id'])}"
        ET.SubElement(entry, f"{{{ns}}}link", rel="alternate", href=link)
        lines = [p.get("summary") or ""]
        ev = p.get("event") or {}
        if ev.get("notes"):
            lines.append(str(ev["notes"]))
        for s in p.get("sources") or []:
            lines.append(" - ".join(str(x) for x in (s.get("source"), s.get("title"), s.get("url")) if x))
        lines.append(f"Evidence: {(p.get('links') or {}).get('evidence', '')}")
        ET.SubElement(entry, f"{{{ns}}}content", type="text").text = "\n".join(lines)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _iso(v: Any) -> str:
    if isinstance(v, datetime):
        return aware(v).isoformat()
    return str(v or now_utc().isoformat())
