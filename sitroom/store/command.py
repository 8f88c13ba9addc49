"""Typer commands over the event store: ``ingest``, ``events``, ``explain``, ``export``,
``figures``, ``claims``, ``ceasefires``.

Registered in ``sitroom/cli.py`` with ``app.command("ingest")(ingest)`` and so on.
"""
from __future__ import annotations

import csv
import itertools
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Optional

import typer
from rich.console import Console

err = Console(stderr=True, highlight=False)

DB_HELP = "Database: a SQLite file path (default sitroom.db) or a postgresql:// URL."
EVENT_FORMATS = ("table", "csv", "json")


def _db_option():
    return typer.Option(None, "--db", envvar="SITROOM_DB", help=DB_HELP, show_envvar=True)


# Options several commands share, declared once.
def _output_option():
    return typer.Option(None, "--output", "-o", help="Write to this file instead of standard output.")


def _table_format_option():
    return typer.Option("table", "--format", "-f", help="table | csv | json")


def _country_option():
    return typer.Option(None, "--country", help="ISO code (SY) or country name.")


def _admin1_option():
    return typer.Option(None, "--admin1", help="First-level region, e.g. Idlib.")


def _since_option():
    return typer.Option(None, "--since", help="Events on or after this date (YYYY-MM-DD).")


def _until_option():
    return typer.Option(None, "--until", help="Events on or before this date (YYYY-MM-DD).")


def _type_option():
    return typer.Option(None, "--type", help='Sub-event or event type, e.g. "Air/drone strike".')


def _actor_option():
    return typer.Option(None, "--actor", help="Actor name or part of it, e.g. Russia.")


def _open(db: Optional[str]):
    from . import open_store
    try:
        return open_store(db)
    except Exception as exc:  # noqa: BLE001 - a bad URL or unreachable server: one clear line
        err.print(f"sitroom: cannot open database {db or 'sitroom.db'}: {type(exc).__name__}: {exc}", markup=False)
        raise typer.Exit(2)


def _query(db: Optional[str], method: str, **kw):
    """Open the database, run one ``Store`` query, close it."""
    store = _open(db)
    try:
        return getattr(store, method)(**kw)
    finally:
        store.close()


def _table(title: str, columns: tuple[str, ...]):
    """An empty rich table with sitroom's look: the given title and folding columns."""
    from rich.table import Table

    t = Table(header_style="bold", expand=True, title=title)
    for col in columns:
        t.add_column(col, overflow="fold")
    return t


def _date_opt(value: Optional[str], hint: str) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint=hint)


def read_results(paths: list[str]) -> Iterator[dict[str, Any]]:
    """Pipeline results from ``sitroom extract --format jsonl`` (or json) files, ``-`` for stdin."""
    for p in paths:
        fh = sys.stdin if p == "-" else open(p, encoding="utf-8")
        try:
            text = fh.read()
        finally:
            if fh is not sys.stdin:
                fh.close()
        stripped = text.lstrip()
        if stripped.startswith("["):
            yield from json.loads(stripped)
            continue
        for n, line in enumerate(text.split("\n"), 1):    # not splitlines: U+2028 is no line end
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                yield {"doc_id": f"{p}:{n}", "error": f"not a JSON line: {exc}"}


def ingest(
    paths: list[str] = typer.Argument(..., help="Files, directories, http(s) URLs, JSON Lines batches, or - for standard input."),
    db: Optional[str] = _db_option(),
    published: Optional[str] = typer.Option(None, "--published", help="Publication date (YYYY-MM-DD) for inputs whose metadata has none."),
    results: bool = typer.Option(False, "--results", help="Inputs are `sitroom extract --format jsonl` output: store them without re-extracting."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Allow fetching URLs on private or loopback addresses."),
    max_bytes: int = typer.Option(5_000_000, "--max-bytes", help="Largest document accepted, in bytes."),
    batch_size: int = typer.Option(32, "--batch-size", help="Documents per spaCy batch."),
    commit_every: int = typer.Option(100, "--commit-every", min=1, help="Documents per transaction."),
    commit_seconds: Optional[float] = typer.Option(None, "--commit-seconds", min=0.1, help="Also commit a transaction that has waited this long (for slow streams; the fused events then depend on timing)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No warnings or summary on stderr."),
    workers: int = typer.Option(1, "--workers", "-w", min=0, help="Extract in this many processes (0: one per core); one writer stores them."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Extract on a Dask cluster: tcp://HOST:8786, or 'local' for a LocalCluster of --workers processes."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say how the work would be split, and store nothing."),
    fusion: str = typer.Option("single", "--fusion", help="single: fuse each transaction in one run; partitioned: in partitions that can never fuse with each other, in --workers processes (the same events)."),
) -> None:
    """Extract and store documents, their event mentions and the fused events.

    Only whole documents are ever stored: an interrupted run leaves whole documents and finishes
    when run again; documents already stored (same content hash) are skipped."""
    if dry_run:
        from ..scale.command import dry_run as _dry_run
        return _dry_run(paths, db=db, published=_date_opt(published, "--published"), results=results,
                        allow_private=allow_private, max_bytes=max_bytes, batch_size=batch_size,
                        commit_every=commit_every, workers=workers, scheduler=scheduler)
    from .core import FUSION_MODES
    if fusion not in FUSION_MODES:
        raise typer.BadParameter(f"{fusion!r} is not one of {', '.join(FUSION_MODES)}", param_hint="--fusion")
    store = _open(db)
    if fusion == "partitioned":
        import os
        store.fusion, store.fusion_workers = fusion, max(1, workers or (os.cpu_count() or 1))
    skipped: list[str] = []
    if results:
        items = read_results(paths)
    else:
        from ..ingest import iter_documents
        from ..model import Document
        from ..scale.run import extraction

        pub = _date_opt(published, "--published")
        docs = iter_documents(paths, pub, allow_private=allow_private, max_bytes=max_bytes, stdin=sys.stdin)

        def fresh(docs):    # a document already stored is not extracted again
            for d in docs:
                if isinstance(d, Document) and store.has_document(d.content_hash):
                    skipped.append(d.doc_id)
                    continue
                yield d
        def extracted():    # the models load only when there is something new to extract
            import itertools

            it = fresh(docs)
            first = next(it, None)
            if first is not None:
                yield from extraction(itertools.chain([first], it), workers=workers, scheduler=scheduler,
                                      batch_size=batch_size)
        items = extracted()
    failures: list[str] = []

    def note(res: dict, status: str) -> None:
        from ..pipeline import failed

        if status == "error" and failed(res):
            failures.append(str(res.get("doc_id")))
        if status == "error" and not quiet:
            err.print(f"sitroom: {res.get('doc_id')}: {res.get('error') or 'no content hash'}", markup=False)

    from ..scale.command import progress
    try:
        with progress(not quiet and err.is_terminal, err) as advance:
            items = advance(items)
            stats = store.ingest(items, commit_every=commit_every, max_seconds=commit_seconds, on_status=note,
                                 skip_failures=True)
    except RuntimeError as exc:     # the cluster cannot be reached: what was committed stays
        err.print(f"sitroom: {exc}", markup=False)
        raise typer.Exit(2)
    finally:
        store.close()
    stats.unchanged += len(skipped)
    if not quiet:
        err.print(f"sitroom: {stats.added} documents added, {stats.unchanged} unchanged, {stats.errors} failed; "
                  f"{stats.mentions} event mentions: {stats.new_events} new events, {stats.merged} merged"
                  + (f", {stats.consolidated} events joined to others" if stats.consolidated else ""), markup=False)
    if stats.added + stats.unchanged == 0:
        raise typer.Exit(1)
    if failures:
        raise typer.Exit(3)     # some documents met an internal error or their time budget


def _min_confidence(value: Optional[float]) -> float:
    from ..stages.calibration import default_threshold

    return default_threshold() if value is None else value


def events(
    db: Optional[str] = _db_option(),
    country: Optional[str] = _country_option(),
    admin1: Optional[str] = _admin1_option(),
    since: Optional[str] = _since_option(),
    until: Optional[str] = _until_option(),
    type_: Optional[str] = _type_option(),
    actor: Optional[str] = _actor_option(),
    fmt: str = _table_format_option(),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many events."),
    output: Optional[Path] = _output_option(),
    min_confidence: Optional[float] = typer.Option(
        None, "--min-confidence", min=0.0, max=1.0,
        help="Only events at least this likely to be real and right (default: the calibrated threshold, "
             "sitroom/data/calibration.yaml; 0 lists every event)."),
) -> None:
    """List fused events matching the filters (streamed: memory stays constant however many)."""
    from .export import CSV_COLUMNS, csv_row, event_json

    _check_fmt(fmt)
    filters = dict(country=country, admin1=admin1, since=_date_opt(since, "--since"),
                   until=_date_opt(until, "--until"), type=type_, actor=actor,
                   min_confidence=_min_confidence(min_confidence))
    store = _open(db)
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    events_read = store.iter_events(batch=max(1, min(1000, limit)) if limit is not None else 1000, **filters)
    try:
        rows = events_read
        if limit is not None:
            rows = itertools.islice(rows, max(0, limit))
        if fmt == "json":       # a JSON array, written one event at a time
            n = 0
            for r in rows:
                item = json.dumps(event_json(r), ensure_ascii=False, indent=2)
                stream.write(("[\n" if n == 0 else ",\n") + "\n".join("  " + x for x in item.split("\n")))
                n += 1
            stream.write("\n]\n" if n else "[]\n")
        elif fmt == "csv":
            w = csv.DictWriter(stream, fieldnames=list(CSV_COLUMNS), extrasaction="ignore", lineterminator="\n")
            w.writeheader()
            for r in rows:
                w.writerow(csv_row(r))
        else:
            _print_table(rows, Console(file=stream) if output else Console())
    finally:
        events_read.close()         # ends its read transaction
        store.close()
        if output:
            stream.close()


def _killed(r: dict) -> str:
    lo, hi = r.get("fatalities_low"), r.get("fatalities_high")
    if lo is not None and hi is not None and lo != hi:
        return f"{lo}-{hi}"
    return "" if r.get("fatalities") is None else str(r["fatalities"])


#: ``sitroom events`` prints its table in blocks of this many rows (one block in memory at a time).
TABLE_BLOCK = 500
EVENT_TABLE_COLUMNS = ("id", "date", "type", "actor1", "actor2", "location", "admin1", "country", "killed", "sources")


def _print_table(rows, console: Console) -> None:
    """The events as a table, streamed: blocks of TABLE_BLOCK rows with the same column widths
    (the header on the first), then the number of events."""
    from rich.markup import escape
    from rich.table import Table

    from .core import event_code

    def block(first: bool) -> Table:
        t = Table(header_style="bold", expand=True, show_header=first, show_edge=True)
        for col in EVENT_TABLE_COLUMNS:
            t.add_column(col, overflow="fold", ratio=1)
        return t

    n = 0
    t = block(True)
    for r in rows:
        t.add_row(event_code(r["id"]), f"{r.get('event_date') or '?'} (p{r.get('time_precision') or '?'})",
                  escape(r.get("sub_event_type") or ""), escape(r.get("actor1") or ""), escape(r.get("actor2") or ""),
                  escape(r.get("location") or ""), escape(r.get("admin1") or ""),
                  escape(r.get("country") or r.get("country_code") or ""),
                  _killed(r) + (" contested" if r.get("contested") else ""), str(r.get("n_sources") or 0))
        n += 1
        if n % TABLE_BLOCK == 0:
            console.print(t)
            t = block(False)
    if t.row_count or n == 0:
        console.print(t)
    console.print(f"{n} events")


def explain(
    event_id: str = typer.Argument(..., help="Event id as listed by `sitroom events` (SR12 or 12)."),
    db: Optional[str] = _db_option(),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json"),
) -> None:
    """Show a fused event: every mention, its evidence spans, and why it was merged."""
    from .core import event_code, parse_event_id
    from .export import _jsonable, event_json

    try:
        parse_event_id(event_id)
    except ValueError:
        raise typer.BadParameter(f"{event_id!r} is not an event id like SR12", param_hint="EVENT_ID")
    e = _query(db, "event", event_id=event_id)
    if e is None:
        err.print(f"sitroom: no event {event_id}", markup=False)
        raise typer.Exit(1)
    if fmt == "json":
        out = event_json(e)
        out["claims"] = _jsonable(e["claims"])
        out["merged_from"] = e.get("merged_from")
        out["absorbed"] = _jsonable(e.get("absorbed") or [])
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print(explain_text(e, event_code))


def explain_text(e: dict, event_code=None) -> str:
    from .core import event_code as code

    lines = [f"{e['merged_from']} was joined to {code(e['id'])} by later reports:"] if e.get("merged_from") else []
    lines += [f"{code(e['id'])}: {e.get('sub_event_type') or '?'} on {e.get('event_date') or 'unknown date'}"
             f" (time_precision {e.get('time_precision')}, range {e.get('date_lo')}..{e.get('date_hi')})",
             f"  where: {', '.join(str(x) for x in (e.get('location'), e.get('admin1'), e.get('country') or e.get('country_code')) if x)}"
             f" (geo_precision {e.get('geo_precision')}; {e.get('latitude')}, {e.get('longitude')})",
             f"  actors: {e.get('actor1') or '-'} / {e.get('actor2') or '-'}",
             f"  fatalities: {e.get('fatalities')} (low {e.get('fatalities_low')}, high {e.get('fatalities_high')})"
             + ("  CONTESTED" if e.get("contested") else ""),
             f"  {e.get('n_mentions')} mentions from {e.get('n_sources')} sources:"]
    for s in e.get("sources") or []:
        lines.append(f"    - {s['doc_id']} ({s.get('source') or 'unknown source'}, published {s.get('published') or '?'}):"
                     f" fatalities {s.get('fatalities')}")
    for i, m in enumerate(e.get("mentions") or [], 1):
        f = m.get("fusion") or {}
        lines.append(f"  mention {i}: {m['doc_id']} #{m['ordinal']} - {m.get('sub_event_type')} on {m.get('event_date')}"
                     f" (p{m.get('time_precision')}) at {m.get('location') or m.get('admin1') or m.get('country') or '?'}"
                     f" (p{m.get('geo_precision')}), actors {m.get('actor1') or '-'} / {m.get('actor2') or '-'},"
                     f" fatalities {m.get('fatalities')}")
        for sp in (m.get("evidence") or {}).get("evidence") or []:
            lines.append(f"      evidence [{sp.get('start')}:{sp.get('end')}]: \"{sp.get('text')}\"")
        if f.get("decision") == "merged":
            lines.append(f"      merged (score {f.get('score')} among {f.get('candidates')} candidates): "
                         + "; ".join(f.get("reasons") or []))
        else:
            lines.append(f"      started an event ({f.get('candidates', 0)} candidates compared)")
            for r in f.get("rejected") or []:
                lines.append(f"        not {r['event']} (score {r['score']}): " + "; ".join(r["reasons"]))
        if f.get("consolidated"):
            c = f["consolidated"]
            lines.append(f"      then joined {c.get('into')} once the batch's reports were filed (score {c.get('score')}): "
                         + "; ".join(c.get("reasons") or []))
    for a in e.get("absorbed") or []:
        lines.append(f"  joined by {a['event_id']} once later reports tied them (score {a.get('score')}): "
                     + "; ".join(a.get("reasons") or []))
    for c in e.get("claims") or []:
        lines.append(f"  claim ({c['relation']}) by {c.get('speaker') or '?'}"
                     + (f" against {c['target']}" if c.get("target") else "")
                     + f" in {c['doc_id']}: \"{c.get('text')}\"")
    return "\n".join(lines)


def export(
    fmt: str = typer.Option(..., "--format", "-f", help="acled-csv | geojson | jsonl | hxl"),
    db: Optional[str] = _db_option(),
    output: Optional[Path] = _output_option(),
    country: Optional[str] = _country_option(),
    admin1: Optional[str] = _admin1_option(),
    since: Optional[str] = _since_option(),
    until: Optional[str] = _until_option(),
    type_: Optional[str] = _type_option(),
    actor: Optional[str] = _actor_option(),
) -> None:
    """Export fused events: ACLED CSV, GeoJSON (QGIS), JSON Lines (with documents and mentions), HXL CSV (HDX)."""
    from .export import EXPORT_FORMATS, write_export

    if fmt not in EXPORT_FORMATS:
        raise typer.BadParameter(f"{fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}", param_hint="--format")
    store = _open(db)
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    filters = dict(country=country, admin1=admin1, since=_date_opt(since, "--since"),
                   until=_date_opt(until, "--until"), type=type_, actor=actor)
    try:
        events_read = store.iter_events(with_mentions=fmt == "jsonl", **filters)
        if output and err.is_terminal:      # a progress bar while writing a file
            from rich.progress import Progress

            with Progress(console=err, transient=True) as bar:
                task = bar.add_task("exporting events", total=store.count_events(**filters))

                def counted(it):
                    for e in it:
                        bar.advance(task)
                        yield e
                n = write_export(fmt, counted(events_read), stream)
        else:
            n = write_export(fmt, events_read, stream)
    finally:
        store.close()
        if output:
            stream.close()
    if output:
        err.print(f"sitroom: {n} events written to {output}", markup=False)


# ------------------------------------------------------------------ figures, claims, ceasefires

def _check_fmt(fmt: str) -> None:
    if fmt not in EVENT_FORMATS:
        raise typer.BadParameter(f"{fmt!r}; choose one of {', '.join(EVENT_FORMATS)}", param_hint="--format")


def _write_rows(fmt: str, output: Optional[Path], json_rows: list[dict], columns: list[str],
                csv_rows: list[dict], table) -> None:
    """JSON (a list), CSV (``columns``) or a rich table (``table(console)``) to ``output`` or stdout."""
    from .export import _jsonable

    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "json":
            json.dump(_jsonable(json_rows), stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        elif fmt == "csv":
            w = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            w.writeheader()
            for r in csv_rows:
                w.writerow(_jsonable(r))
        else:
            table(Console(file=stream, width=200) if output else Console())
    finally:
        if output:
            stream.close()


FIGURE_COLUMNS = ["figure_id", "doc_id", "kind", "value", "low", "high", "qualifier", "unit", "period_start",
                  "period_end", "country", "admin1", "admin2", "location", "attributed_to", "verified", "evidence"]


def _figure_json(r: dict) -> dict:
    data = r.get("data") or {}
    ev = " ".join(str(sp.get("text") or "") for sp in data.get("evidence") or [] if isinstance(sp, dict))
    out = {"figure_id": r["id"], "doc_id": r["doc_id"], "source": r.get("doc_source"),
           "published": r.get("doc_published")}
    out.update({k: r.get(k) for k in FIGURE_COLUMNS[2:-1]})
    out["verified"] = bool(r.get("verified"))
    out["breakdown"] = data.get("breakdown") or {}
    out["evidence"] = ev
    return out


def figures(
    db: Optional[str] = _db_option(),
    kind: Optional[str] = typer.Option(None, "--kind", help="killed, injured, displaced, ..."),
    country: Optional[str] = _country_option(),
    admin1: Optional[str] = _admin1_option(),
    since: Optional[str] = typer.Option(None, "--since", help="Figures whose period reaches this date (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Figures whose period starts by this date (YYYY-MM-DD)."),
    doc: Optional[str] = typer.Option(None, "--doc", help="Only this document (its doc_id)."),
    fmt: str = _table_format_option(),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many figures."),
    output: Optional[Path] = _output_option(),
) -> None:
    """List figures (tallies: killed, injured, displaced ...) the documents report, with their period and source."""
    _check_fmt(fmt)
    rows = _query(db, "query_figures", kind=kind, country=country, admin1=admin1, since=_date_opt(since, "--since"),
                  until=_date_opt(until, "--until"), doc=doc, limit=limit)
    js = [_figure_json(r) for r in rows]

    def table(console: Console) -> None:
        from rich.markup import escape

        t = _table(f"{len(js)} figures", ("kind", "number", "unit", "period", "where", "attributed to", "document"))
        for f in js:
            num = f"{f['qualifier'] + ' ' if f.get('qualifier') else ''}{f['value'] if f['value'] is not None else ''}"
            if f.get("low") is not None and f.get("high") is not None and f["low"] != f["high"]:
                num += f" ({f['low']}-{f['high']})"
            period = "..".join(x for x in (f.get("period_start"), f.get("period_end")) if x)
            where = ", ".join(x for x in (f.get("location"), f.get("admin1"), f.get("country")) if x)
            t.add_row(escape(f.get("kind") or ""), escape(num), escape(f.get("unit") or ""), period, escape(where),
                      escape(f.get("attributed_to") or "") + (" (verified)" if f["verified"] else ""),
                      escape(f["doc_id"] or ""))
        console.print(t)

    _write_rows(fmt, output, js, FIGURE_COLUMNS, js, table)


CLAIM_COLUMNS = ["claim_id", "doc_id", "kind", "speaker", "speaker_role", "date", "target", "text", "events",
                 "contested"]


def _claim_json(r: dict) -> dict:
    return {"claim_id": r["id"], "doc_id": r["doc_id"], "source": r.get("doc_source"),
            "published": r.get("doc_published"), "kind": r.get("kind"), "speaker": r.get("speaker"),
            "speaker_role": r.get("speaker_role"), "date": r.get("date"), "target": r.get("target"),
            "text": r.get("text"), "events": r.get("events") or []}


def _claim_csv(c: dict) -> dict:
    out = dict(c)
    out["events"] = " ".join(f"{e['relation']}:{e['event_id']}" for e in c["events"])
    out["contested"] = " ".join(e["event_id"] for e in c["events"] if e["contested"])
    return out


def claims(
    db: Optional[str] = _db_option(),
    kind: Optional[str] = typer.Option(None, "--kind", help="denial | accusation | statement | appeal"),
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Speaker name or part of it."),
    target: Optional[str] = typer.Option(None, "--target", help="Accused party, or part of its name."),
    event: Optional[str] = typer.Option(None, "--event", help="Only claims linked to this event (SR12)."),
    country: Optional[str] = typer.Option(None, "--country", help="Linked to an event in this country (SY or name)."),
    admin1: Optional[str] = typer.Option(None, "--admin1", help="Linked to an event in this region."),
    since: Optional[str] = typer.Option(None, "--since", help="Claims made on or after this date (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Claims made on or before this date (YYYY-MM-DD)."),
    type_: Optional[str] = typer.Option(None, "--type", help="Linked to an event of this sub-event or event type."),
    actor: Optional[str] = typer.Option(None, "--actor", help="Linked to an event with this actor."),
    fmt: str = _table_format_option(),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many claims."),
    output: Optional[Path] = _output_option(),
) -> None:
    """List claims (statements, appeals, denials, accusations) with the events they dispute or are about."""
    from .core import parse_event_id

    _check_fmt(fmt)
    if event is not None:
        try:
            parse_event_id(event)
        except ValueError:
            raise typer.BadParameter(f"{event!r} is not an event id like SR12", param_hint="--event")
    rows = _query(db, "query_claims", kind=kind, speaker=speaker, target=target, event=event, country=country,
                  admin1=admin1, since=_date_opt(since, "--since"), until=_date_opt(until, "--until"),
                  type=type_, actor=actor, limit=limit)
    js = [_claim_json(r) for r in rows]

    def table(console: Console) -> None:
        from rich.markup import escape

        t = _table(f"{len(js)} claims", ("kind", "speaker", "target", "date", "text", "events", "document"))
        for c in js:
            evs = " ".join(f"{e['relation']} {e['event_id']}" + (" (contested)" if e["contested"] else "")
                           for e in c["events"])
            t.add_row(escape(c["kind"] or ""), escape(c["speaker"] or ""), escape(c["target"] or ""),
                      c["date"] or "", escape(c["text"] or ""), escape(evs), escape(c["doc_id"] or ""))
        console.print(t)

    _write_rows(fmt, output, js, CLAIM_COLUMNS, [_claim_csv(c) for c in js], table)


CEASEFIRE_COLUMNS = ["agreement", "kind", "parties", "effective_date", "agreed_date", "area", "status", "documents",
                     "date", "n_events", "fatalities", "events"]


def ceasefires(
    db: Optional[str] = _db_option(),
    kind: Optional[str] = typer.Option(None, "--kind", help="ceasefire, truce, de-escalation zone, ... (part of it)."),
    area: Optional[str] = typer.Option(None, "--area", help="Agreements covering this area, e.g. Idlib."),
    since: Optional[str] = typer.Option(None, "--since", help="Agreements in effect from this date on (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Count violations up to this date (YYYY-MM-DD)."),
    fmt: str = _table_format_option(),
    output: Optional[Path] = _output_option(),
) -> None:
    """List agreements (ceasefires, truces ...) with their alleged violations per day.

    A violation is a violent event inside the agreement's area on or after its effective date."""
    _check_fmt(fmt)
    rows = _query(db, "ceasefires", kind=kind, area=area, since=_date_opt(since, "--since"),
                  until=_date_opt(until, "--until"))
    flat = []
    for a in rows:
        base = {k: a.get(k) for k in CEASEFIRE_COLUMNS[:8]}
        base["parties"] = "; ".join(a["parties"])
        base["documents"] = " ".join(a["documents"])
        if not a["days"]:
            flat.append(dict(base, date="", n_events=0, fatalities=0, events=""))
        for d in a["days"]:
            flat.append(dict(base, date=d["date"], n_events=d["n_events"], fatalities=d["fatalities"],
                             events=" ".join(e["event_id"] for e in d["events"])))

    def table(console: Console) -> None:
        from rich.markup import escape

        if not rows:
            console.print("no agreements")
        for a in rows:
            head = (f"{a['kind'] or 'agreement'} #{a['agreement']}"
                    + (f" between {', '.join(a['parties'])}" if a["parties"] else "")
                    + f", effective {a['effective_date'] or a['agreed_date'] or 'date unknown'}"
                    + f", area {a['area_used'] or 'unknown'}" + (f", {a['status']}" if a.get("status") else "")
                    + f": {a['n_violations']} alleged violations, {a['fatalities']} killed"
                    + f" (reported in {', '.join(a['documents'])})")
            t = _table(escape(head), ("day", "events", "killed", "which"))
            for d in a["days"]:
                t.add_row(d["date"], str(d["n_events"]), str(d["fatalities"]),
                          escape("; ".join(f"{e['event_id']} {e['sub_event_type'] or '?'} at {e['location'] or '?'}"
                                           + (" (contested)" if e["contested"] else "") for e in d["events"])))
            console.print(t)

    _write_rows(fmt, output, rows, CEASEFIRE_COLUMNS, flat, table)
