"""The monitoring commands: ``sitroom sources ...``, ``sitroom watch``, ``sitroom alerts ...``,
``sitroom brief``. Registered in :mod:`sitroom.cli` with ``register(app)``."""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape

from ..cli.options import db_option, open_db

err = Console(stderr=True, highlight=False, soft_wrap=True)
sources_app = typer.Typer(no_args_is_help=True, add_completion=False,
                          help="The sources `sitroom watch` polls: feeds, news sitemaps, sites, folders.")
alerts_app = typer.Typer(no_args_is_help=True, add_completion=False,
                         help="Alert rules over fused events: area, types, actors, fatalities, words.")

BASE_URL_HELP = "Dashboard address put in alerts' links (default $SITROOM_BASE_URL or http://127.0.0.1:8000)."


@contextmanager
def _opened(db: Optional[str], *errors: type[Exception]) -> Iterator:
    """The store for one command, closed afterwards; an error of the given kinds (a bad source or
    rule) becomes one clear line and exit code 2."""
    store = open_db(db)
    try:
        yield store
    except errors as exc:
        raise _fail(str(exc))
    finally:
        store.close()


def _fail(msg: str, code: int = 2) -> typer.Exit:
    err.print(f"sitroom: {' '.join(str(msg).split())}", markup=False)
    return typer.Exit(code)


def _when(dt) -> str:
    if dt is None:
        return "never"
    from .registry import aware
    dt = aware(dt)
    ago = (datetime.now(dt.tzinfo) - dt).total_seconds()
    rel = f"{int(ago)}s ago" if ago < 120 else f"{int(ago // 60)}m ago" if ago < 7200 else \
        f"{int(ago // 3600)}h ago" if ago < 172800 else f"{int(ago // 86400)}d ago"
    if ago < 0:
        rel = f"in {int(-ago // 60)}m" if -ago >= 60 else f"in {int(-ago)}s"
    return f"{dt.strftime('%Y-%m-%d %H:%M:%S')}Z ({rel})"


def _base_url(value: Optional[str]) -> str:
    from .alerts import DEFAULT_BASE_URL
    return value or os.environ.get("SITROOM_BASE_URL") or DEFAULT_BASE_URL


# ====================================================================== sources

@sources_app.command("add")
def sources_add(
    name: str = typer.Argument(..., help="A short name: letters, digits, . _ -"),
    url: str = typer.Argument(..., help="Feed, sitemap or front page URL, or a folder path."),
    kind: Optional[str] = typer.Option(None, "--kind", help="feed | sitemap | site | folder (default: guessed from the URL)."),
    language: Optional[str] = typer.Option(None, "--language", help="Language of the source, e.g. en."),
    region: Optional[str] = typer.Option(None, "--region", help="Region it covers, e.g. Syria."),
    scale: Optional[str] = typer.Option(None, "--scale", help="local | national | regional | international (ACLED source_scale)."),
    interval: str = typer.Option("15m", "--interval", help="How often to poll it: 90s, 15m, 2h, 1d."),
    pattern: Optional[str] = typer.Option(None, "--pattern", help="Folder sources: read only files named like this, e.g. '*.txt'."),
    db: Optional[str] = db_option(),
) -> None:
    """Register a source to watch."""
    from . import registry

    with _opened(db, registry.SourceError) as store:
        registry.add(store, {"name": name, "url": url, "kind": kind, "language": language, "region": region,
                             "scale": scale, "interval": interval, "pattern": pattern})
    err.print(f"sitroom: source {name} added", markup=False)


@sources_app.command("import")
def sources_import(
    path: Path = typer.Argument(..., help="YAML file: `sources:` then a list of {name, url, kind, language, region, scale, interval}."),
    replace: bool = typer.Option(True, "--replace/--no-replace", help="Update sources that exist already (default) or refuse them."),
    db: Optional[str] = db_option(),
) -> None:
    """Register (or update) every source of a YAML file; nothing is written if one entry is bad."""
    from . import registry

    with _opened(db, registry.SourceError) as store:
        res = registry.import_yaml(store, str(path), replace=replace)
    err.print(f"sitroom: {len(res['added'])} sources added, {len(res['updated'])} updated, "
              f"{len(res['unchanged'])} unchanged", markup=False)


@sources_app.command("list")
def sources_list(
    db: Optional[str] = db_option(),
    fmt: str = typer.Option("table", "--format", "-f", help="table | json"),
) -> None:
    """The registered sources with their health."""
    from . import registry

    with _opened(db) as store:
        rows = registry.list_sources(store)
    if fmt == "json":
        from ..model import to_jsonable
        for r in rows:
            r["status"] = registry.status_word(r)
        typer.echo(json.dumps(to_jsonable(rows), ensure_ascii=False, indent=2))
        return
    from rich.table import Table
    t = Table(header_style="bold", title=f"{len(rows)} sources")
    for c in ("name", "kind", "url / path", "lang", "region", "scale", "every", "status", "last fetch", "articles"):
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(escape(r["name"]), r["kind"], escape(r["url"]), escape(r["language"] or ""), escape(r["region"] or ""),
                  r["scale"] or "", registry.show_duration(r["interval_s"]), registry.status_word(r),
                  _when(r["last_fetch_at"]), str(r["articles_found"]))
    Console().print(t)


@sources_app.command("show")
def sources_show(
    name: str = typer.Argument(...),
    db: Optional[str] = db_option(),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json"),
) -> None:
    """One source's settings and health: last fetch, last new article, errors in a row, articles found."""
    from . import registry

    with _opened(db) as store:
        h = registry.health(store, name)
    if h is None:
        raise _fail(f"no source named {name!r} (see `sitroom sources list`)", 1)
    if fmt == "json":
        from ..model import to_jsonable
        typer.echo(json.dumps(to_jsonable(h), ensure_ascii=False, indent=2))
        return
    out = Console()
    lines = [
        ("name", h["name"]), ("kind", h["kind"]), ("url", h["url"]), ("files", h["pattern"] or "all"),
        ("discovered feed", h["feed_url"] or "-"), ("language", h["language"] or "-"),
        ("region", h["region"] or "-"), ("scale", h["scale"] or "-"),
        ("interval", registry.show_duration(h["interval_s"])), ("status", h["status"]),
        ("last fetch", _when(h["last_fetch_at"])), ("last success", _when(h["last_ok_at"])),
        ("last new article", _when(h["last_new_at"])), ("errors in a row", str(h["errors_in_row"])),
        ("last error", h["last_error"] or "-"), ("next due", _when(h["next_due_at"])),
        ("articles found", str(h["articles_found"])),
        ("articles by result", ", ".join(f"{k} {v}" for k, v in sorted(h["items"].items())) or "-"),
    ]
    for k, v in lines:
        out.print(f"[bold]{k:>18}[/bold]  {escape(str(v))}")
    if h["recent_fetches"]:
        out.print("[bold]    recent fetches[/bold]")
        for f in h["recent_fetches"]:
            out.print(f"    {escape(_when(f['fetched_at']))}  {f['kind']:<7} {f['status'] or '-':>3} "
                      f"{f['result']:<12} {escape(f['url'])}" + (f"  ({escape(f['detail'])})" if f["detail"] else ""))


@sources_app.command("remove")
def sources_remove(name: str = typer.Argument(...), db: Optional[str] = db_option()) -> None:
    """Stop watching a source (the articles it brought stay, and are never fetched twice)."""
    from . import registry

    with _opened(db) as store:
        ok = registry.remove(store, name)
    if not ok:
        raise _fail(f"no source named {name!r}", 1)
    err.print(f"sitroom: source {name} removed", markup=False)


# ====================================================================== watch

def _fetch_settings(allow_private: bool, allow_loopback: bool, delay: float, timeout: float, deadline: float, max_bytes: int,
                    retries: int, backoff: float, robots: bool):
    from .fetcher import FetchSettings
    return FetchSettings(delay=delay, timeout=timeout, deadline=deadline, max_bytes=max_bytes, retries=retries,
                         backoff=backoff, allow_private=allow_private, allow_loopback=allow_loopback,
                         robots=robots)


def _print_status(store, fmt: str) -> None:
    from .poller import status_summary

    s = status_summary(store)
    if fmt == "json":
        from ..model import to_jsonable
        typer.echo(json.dumps(to_jsonable(s), ensure_ascii=False, indent=2))
        return
    from rich.table import Table
    out = Console()
    out.print(f"last HTTP request {_when(s['last_fetch_at'])}; requests in the last {s['hours']:g} h: "
              + (", ".join(f"{k} {v}" for k, v in sorted(s["fetches"].items())) or "none"))
    out.print("articles: " + (", ".join(f"{k} {v}" for k, v in sorted(s["items"].items())) or "none")
              + f"; copies of stored documents: {s['copies']}")
    t = Table(header_style="bold")
    for c in ("source", "status", "last fetch", "last new", "errors", "articles", "fetches 24 h", "pending", "next due"):
        t.add_column(c, overflow="fold")
    for r in s["sources"]:
        t.add_row(escape(r["name"]), r["status"], _when(r["last_fetch_at"]), _when(r["last_new_at"]),
                  str(r["errors_in_row"]) + (f" ({escape(r['last_error'][:60])})" if r["last_error"] else ""),
                  str(r["articles_found"]), ", ".join(f"{k} {v}" for k, v in sorted(r["fetches"].items())) or "-",
                  str(r["items"].get("pending", 0)), _when(r["next_due_at"]))
    out.print(t)


def watch(
    db: Optional[str] = db_option(),
    every: Optional[str] = typer.Option(None, "--every", help="Poll every source this often (15m, 1h); default: each source's own interval."),
    once: bool = typer.Option(False, "--once", help="Poll every source once (due or not), then exit."),
    status: bool = typer.Option(False, "--status", help="Summarise the sources and the fetch log, then exit."),
    source: Optional[list[str]] = typer.Option(None, "--source", help="Only this source (repeatable)."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Allow private and loopback addresses (sources, redirects, webhooks)."),
    allow_loopback: bool = typer.Option(False, "--allow-loopback", help="Allow this machine's loopback addresses only (a local test server); other private addresses stay refused."),
    delay: float = typer.Option(2.0, "--delay", min=0.0, help="Seconds between two requests to one host (robots.txt Crawl-delay wins when longer)."),
    timeout: float = typer.Option(20.0, "--timeout", min=0.1, help="Seconds per network operation."),
    deadline: float = typer.Option(60.0, "--deadline", min=0.1, help="Seconds for a whole request."),
    max_bytes: int = typer.Option(5_000_000, "--max-bytes", help="Largest page or feed accepted, in bytes."),
    retries: int = typer.Option(2, "--retries", min=0, help="Retries of a request that failed for a passing reason."),
    backoff: float = typer.Option(2.0, "--backoff", min=0.0, help="Seconds before the first retry (doubling)."),
    ignore_robots: bool = typer.Option(False, "--ignore-robots", hidden=True, help="Do not read robots.txt (tests only)."),
    alerts: bool = typer.Option(True, "--alerts/--no-alerts", help="Fire the alert rules after each round."),
    jsonl: bool = typer.Option(False, "--jsonl", help="Write each alert fired as a JSON line on standard output."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help=BASE_URL_HELP),
    brief_at: Optional[str] = typer.Option(None, "--brief", help="Write the daily brief at this local time (HH:MM)."),
    brief_filter: Optional[list[str]] = typer.Option(None, "--brief-filter", help="Brief filter KEY=VALUE (country, admin1); repeatable."),
    brief_dir: Path = typer.Option(Path("briefs"), "--brief-dir", help="Where the daily briefs go."),
    keep_log: str = typer.Option("30d", "--keep-log", help="Delete fetch log entries older than this (checked hourly)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress on standard error."),
) -> None:
    """Watch the registered sources: poll the due ones, fetch new articles politely, extract, deduplicate, ingest and fuse them, fire alerts, and go on until stopped.

    SIGTERM or Ctrl-C finishes the current document and exits; a restart resumes where it stopped and never ingests an article twice."""  # noqa: E501
    from . import registry
    from .poller import Watcher, WatchSettings

    try:
        every_s = registry.parse_duration(every) if every else None
    except registry.SourceError as exc:
        raise _fail(f"--every: {exc}")
    try:
        keep_days = registry.parse_duration(keep_log) / 86400
    except registry.SourceError as exc:
        raise _fail(f"--keep-log: {exc}")
    brief_time, filters = None, {}
    if brief_at:
        from .brief import BriefError, parse_filters, parse_time
        try:
            brief_time, filters = parse_time(brief_at), parse_filters(brief_filter)
        except BriefError as exc:
            raise _fail(str(exc))
    store = open_db(db)
    if status:
        try:
            _print_status(store, "text")
        finally:
            store.close()
        return
    known = {s["name"] for s in registry.list_sources(store)}
    if not known:
        store.close()
        raise _fail("no sources to watch: add one with `sitroom sources add NAME URL` or "
                    "`sitroom sources import FILE.yaml`", 1)
    unknown = sorted(set(source or ()) - known)
    if unknown:
        store.close()
        raise _fail(f"--source: no source named {', '.join(unknown)} (see `sitroom sources list`)")
    stop = threading.Event()
    signals = {"n": 0}

    def on_signal(signum, _frame):
        signals["n"] += 1
        if signals["n"] > 1:              # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        stop.set()
        if not quiet:
            err.print(f"sitroom: {signal.Signals(signum).name}: finishing the current document, then stopping",
                      markup=False)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    settings = WatchSettings(fetch=_fetch_settings(allow_private, allow_loopback, delay, timeout, deadline, max_bytes, retries,
                                                   backoff, not ignore_robots), every=every_s)
    show = not quiet
    live = show and err.is_terminal
    status_line = {"text": ""}

    def progress(what: str, info: dict) -> None:
        if not show:
            return
        if what == "source" and live:
            status_line["text"] = f"polling {info['source']}"
        elif what == "article" and live:
            status_line["text"] = f"{info['source']}: article {info['n']} of {info['of']}: {info['url']}"
        elif what == "source_done":
            st = info["stats"]
            bits = [f"{st.listed} listed" if st.listed else ("not modified" if st.not_modified else "")]
            bits += [f"{n} {k}" for k, n in (("new", st.added), ("same text", st.same_text), ("copies", st.copies),
                                                ("skipped", st.skipped), ("failed", st.failed),
                                                ("pending", st.pending)) if n]
            if st.error:
                bits.append(f"error: {st.error}")
            err.print(f"sitroom: {st.name}: " + ", ".join(b for b in bits if b), markup=False)
        elif what == "source_error":
            err.print(f"sitroom: {info['source']}: {info['error']} (next try in {int(info['retry_in'])} s)", markup=False)

    base = _base_url(base_url)
    watcher = Watcher(store, settings, stop=stop, on_progress=progress)
    last_check: datetime | None = None
    pruned = {"next": 0.0}
    code = 0
    spinner = None
    try:
        if live:
            spinner = err.status("starting", spinner="dots")
            spinner.start()

            def refresh():
                while not stop.is_set() and spinner is not None:
                    spinner.update(escape(status_line["text"][:150]) or "waiting")
                    time.sleep(0.2)
            threading.Thread(target=refresh, daemon=True).start()
        while True:
            rs = watcher.poll(force=once, names=source)
            if alerts and not rs.stopped:
                from . import alerts as A
                started = registry.now_utc()
                # events another writer committed late carry an earlier updated_at: look back a while;
                # what already fired for the same state never fires again
                fired = A.check(store, since=last_check - timedelta(minutes=10) if last_check else None, base_url=base)
                last_check = started
                for p in fired:
                    if jsonl:
                        sys.stdout.write(json.dumps(p, ensure_ascii=False) + "\n")
                        sys.stdout.flush()
                    if show:
                        err.print(f"sitroom: alert {p['rule']}: {p['event_id']} [{', '.join(p['reasons'])}] {p['summary']}",
                                  markup=False)
                A.deliver_webhooks(store, allow_private=allow_private, allow_loopback=allow_loopback, wait=stop.wait,
                                   secret=os.environ.get("SITROOM_WEBHOOK_SECRET") or None)
            if time.monotonic() >= pruned["next"]:
                from .poller import prune_log
                prune_log(store, keep_days)
                pruned["next"] = time.monotonic() + 3600
            if brief_time and not stop.is_set():
                from .brief import due, write_brief
                if due(brief_time, brief_dir):
                    b = write_brief(store, brief_dir, filters=filters)
                    if show:
                        err.print(f"sitroom: daily brief written to {b['html']} and {b['markdown']}", markup=False)
            if once or stop.is_set():
                break
            nxt = watcher.next_due()
            now = registry.now_utc()
            wait = 60.0 if nxt is None else max(1.0, (nxt - now).total_seconds())
            if brief_time:
                wait = min(wait, 60.0)
            status_line["text"] = f"waiting until {(now + timedelta(seconds=wait)).strftime('%H:%M:%S')}Z"
            if stop.wait(wait):
                break
    except KeyboardInterrupt:
        code = 130
    finally:
        stop.set()
        if spinner is not None:
            spinner.stop()
        for s, h in old.items():
            signal.signal(s, h)
        store.close()
    if show and code == 0 and signals["n"]:
        err.print("sitroom: stopped", markup=False)
    if code:
        raise typer.Exit(code)


# ====================================================================== alerts

@alerts_app.command("add")
def alerts_add(
    name: str = typer.Argument(..., help="Rule name: letters, digits, . _ - (its feed: /alerts/NAME.atom)."),
    country: Optional[str] = typer.Option(None, "--country", help="ISO code or name."),
    admin1: Optional[str] = typer.Option(None, "--admin1", help="First-level region."),
    bbox: Optional[str] = typer.Option(None, "--bbox", help="west,south,east,north in degrees."),
    near: Optional[str] = typer.Option(None, "--near", help="PLACE:KM or LAT,LON:KM, e.g. Aleppo:50."),
    types: Optional[list[str]] = typer.Option(None, "--type", help="Sub-event or event type (repeatable)."),
    actors: Optional[list[str]] = typer.Option(None, "--actor", help="Part of an actor name (repeatable)."),
    min_fatalities: Optional[int] = typer.Option(None, "--min-fatalities", min=0),
    words: Optional[list[str]] = typer.Option(None, "--word", help="A word the event's text must contain (repeatable; any)."),
    webhook: Optional[str] = typer.Option(None, "--webhook", help="POST each alert there as JSON."),
    db: Optional[str] = db_option(),
) -> None:
    """Add an alert rule."""
    from . import alerts as A

    area: dict[str, Any] = {}
    if country:
        area["country"] = country
    if admin1:
        area["admin1"] = admin1
    if bbox:
        area["bbox"] = bbox.split(",")
    if near:
        where, sep, km = near.rpartition(":")
        if not sep:
            raise _fail(f"--near {near!r}: give PLACE:KM or LAT,LON:KM")
        parts = where.split(",")
        if len(parts) == 2:
            try:
                area["near"] = {"lat": float(parts[0]), "lon": float(parts[1]), "km": km}
            except ValueError:
                area["near"] = {"place": where, "km": km}
        else:
            area["near"] = {"place": where, "km": km}
    spec = {"name": name, "area": area or None, "types": types, "actors": actors, "min_fatalities": min_fatalities,
            "words": words, "webhook": webhook}
    with _opened(db, A.RuleError) as store:
        A.add_rule(store, {k: v for k, v in spec.items() if v is not None})
    err.print(f"sitroom: alert rule {name} added", markup=False)


@alerts_app.command("import")
def alerts_import(
    path: Path = typer.Argument(..., help="YAML file: `alerts:` then a list of rules."),
    replace: bool = typer.Option(True, "--replace/--no-replace", help="Update rules that exist already (default) or refuse them."),
    db: Optional[str] = db_option(),
) -> None:
    """Add (or update) every rule of a YAML file; nothing is written if one rule is bad."""
    from . import alerts as A

    with _opened(db, A.RuleError) as store:
        res = A.import_rules(store, str(path), replace=replace)
    err.print(f"sitroom: {len(res['added'])} rules added, {len(res['updated'])} updated, "
              f"{len(res['unchanged'])} unchanged", markup=False)


@alerts_app.command("list")
def alerts_list(db: Optional[str] = db_option(),
                fmt: str = typer.Option("table", "--format", "-f", help="table | json")) -> None:
    """The alert rules, with how often each fired."""
    from . import alerts as A

    with _opened(db) as store:
        rows = A.list_rules(store)
    if fmt == "json":
        from ..model import to_jsonable
        typer.echo(json.dumps(to_jsonable(rows), ensure_ascii=False, indent=2))
        return
    from rich.table import Table
    t = Table(header_style="bold", title=f"{len(rows)} alert rules")
    for c in ("name", "rule", "webhook", "fired", "last fired"):
        t.add_column(c, overflow="fold")
    for r in rows:
        spec = {k: v for k, v in r["spec"].items() if k not in ("name", "webhook")}
        t.add_row(escape(r["name"]) + ("" if r["enabled"] else " (disabled)"), escape(json.dumps(spec, ensure_ascii=False)),
                  escape(r["spec"].get("webhook") or "-"), str(r["fired"]), _when(r["last_fired"]))
    Console().print(t)


@alerts_app.command("show")
def alerts_show(
    name: str = typer.Argument(...),
    limit: int = typer.Option(20, "--limit", min=1, help="How many of the last alerts."),
    db: Optional[str] = db_option(),
    fmt: str = typer.Option("text", "--format", "-f", help="text | jsonl"),
) -> None:
    """A rule and the last alerts it fired (newest first), with their webhook delivery."""
    from . import alerts as A

    with _opened(db) as store:
        rule = A.get_rule(store, name)
        rows = A.fired(store, rule["id"], limit) if rule else []
    if rule is None:
        raise _fail(f"no alert rule named {name!r} (see `sitroom alerts list`)", 1)
    if fmt == "jsonl":
        for r in rows:
            typer.echo(json.dumps(dict(r["payload"], alert_id=r["id"]), ensure_ascii=False))
        return
    out = Console()
    out.print(f"[bold]{escape(rule['name'])}[/bold]{'' if rule['enabled'] else ' (disabled)'}: "
              f"{escape(json.dumps(rule['spec'], ensure_ascii=False))}")
    if not rows:
        out.print("no alert fired yet")
    for r in rows:
        p = r["payload"] or {}
        hook = f"  webhook {r['webhook_status']} ({r['webhook_attempts']} tries)" if r["webhook_status"] else ""
        out.print(escape(f"{_when(r['fired_at'])}  {p.get('event_id', '')} [{r['reason']}] {p.get('summary') or ''}{hook}"))


@alerts_app.command("remove")
def alerts_remove(name: str = typer.Argument(...), db: Optional[str] = db_option()) -> None:
    """Remove an alert rule and what it fired."""
    from . import alerts as A

    with _opened(db) as store:
        ok = A.remove_rule(store, name)
    if not ok:
        raise _fail(f"no alert rule named {name!r}", 1)
    err.print(f"sitroom: alert rule {name} removed", markup=False)


@alerts_app.command("check")
def alerts_check(
    db: Optional[str] = db_option(),
    base_url: Optional[str] = typer.Option(None, "--base-url", help=BASE_URL_HELP),
    allow_private: bool = typer.Option(False, "--allow-private", help="Allow webhooks on private or loopback addresses."),
    allow_loopback: bool = typer.Option(False, "--allow-loopback", help="Allow webhooks on loopback addresses only."),
    webhooks: bool = typer.Option(True, "--webhooks/--no-webhooks", help="Deliver pending webhook alerts."),
) -> None:
    """Fire every rule over the whole database now (what `sitroom watch` does after each round); each alert fired is a JSON line on standard output."""  # noqa: E501
    from . import alerts as A

    with _opened(db) as store:
        fired = A.check(store, base_url=_base_url(base_url))
        for p in fired:
            sys.stdout.write(json.dumps(p, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        counts = A.deliver_webhooks(store, allow_private=allow_private, allow_loopback=allow_loopback,
                                    secret=os.environ.get("SITROOM_WEBHOOK_SECRET") or None) if webhooks else {}
    err.print(f"sitroom: {len(fired)} alerts fired" + (f"; webhooks: {counts['sent']} sent, {counts['pending']} to retry, "
                                                       f"{counts['failed']} failed" if counts else ""), markup=False)


# ====================================================================== brief

def brief(
    db: Optional[str] = db_option(),
    out_dir: Path = typer.Option(Path("briefs"), "--dir", "-d", help="Directory to write into."),
    brief_filter: Optional[list[str]] = typer.Option(None, "--filter", help="KEY=VALUE (country, admin1); repeatable."),
) -> None:
    """Write the daily brief now: the situation report of the last 24 hours as HTML and Markdown (DIR/brief-DATE.html and .md, and latest.html / latest.md)."""  # noqa: E501
    from .brief import BriefError, parse_filters, write_brief

    try:
        filters = parse_filters(brief_filter)
    except BriefError as exc:
        raise _fail(str(exc).replace("--brief-filter", "--filter"))
    with _opened(db, ValueError) as store:
        b = write_brief(store, out_dir, filters=filters)
    c = b["counts"]
    err.print(f"sitroom: brief written to {b['html']} and {b['markdown']} ({c.get('events', 0)} events, "
              f"{c.get('documents', 0)} documents)", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
    app.add_typer(alerts_app, name="alerts")
    app.command("watch")(watch)
    app.command("brief")(brief)
