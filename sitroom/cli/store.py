"""``sitroom ingest``, ``events``, ``explain``, ``export``: filling the event database and reading
its fused events."""
from __future__ import annotations

import csv
import itertools
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..ingest.results import read_results
from .options import (actor_option, admin1_option, check_format, country_option, db_option, err,
                      min_confidence_option, open_db, output_option, parse_date, query, since_option,
                      table_format_option, type_option, until_option)


def ingest(
    paths: list[str] = typer.Argument(..., help="Files, directories, http(s) URLs, JSON Lines batches, or - for standard input."),
    db: Optional[str] = db_option(),
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
        return _dry_run(paths, db=db, published=parse_date(published, "--published"), results=results,
                        allow_private=allow_private, max_bytes=max_bytes, batch_size=batch_size,
                        commit_every=commit_every, workers=workers, scheduler=scheduler)
    from ..scale import default_workers
    from ..store.core import FUSION_MODES

    if fusion not in FUSION_MODES:
        raise typer.BadParameter(f"{fusion!r} is not one of {', '.join(FUSION_MODES)}", param_hint="--fusion")
    store = open_db(db)
    if fusion == "partitioned":
        store.fusion, store.fusion_workers = fusion, max(1, workers or default_workers())
    skipped: list[str] = []
    if results:
        items = read_results(paths)
    else:
        from ..ingest import iter_documents
        from ..model import Document
        from ..scale.run import extraction

        pub = parse_date(published, "--published")
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
    db: Optional[str] = db_option(),
    country: Optional[str] = country_option(),
    admin1: Optional[str] = admin1_option(),
    since: Optional[str] = since_option(),
    until: Optional[str] = until_option(),
    type_: Optional[str] = type_option(),
    actor: Optional[str] = actor_option(),
    fmt: str = table_format_option(),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many events."),
    output: Optional[Path] = output_option(),
    min_confidence: Optional[float] = min_confidence_option(
        help="Only events at least this likely to be real and right (default: the calibrated threshold, "
             "sitroom/data/calibration.yaml; 0 lists every event)."),
) -> None:
    """List fused events matching the filters (streamed: memory stays constant however many)."""
    from ..store.export import CSV_COLUMNS
    from ..store.serialize import csv_row, event_json

    check_format(fmt)
    filters = dict(country=country, admin1=admin1, since=parse_date(since, "--since"),
                   until=parse_date(until, "--until"), type=type_, actor=actor,
                   min_confidence=_min_confidence(min_confidence))
    store = open_db(db)
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

    from ..store.core import event_code

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
    db: Optional[str] = db_option(),
    fmt: str = typer.Option("text", "--format", "-f", help="text | json"),
) -> None:
    """Show a fused event: every mention, its evidence spans, and why it was merged."""
    from ..store.core import event_code, parse_event_id
    from ..model import to_jsonable
    from ..store.serialize import event_json

    try:
        parse_event_id(event_id)
    except ValueError:
        raise typer.BadParameter(f"{event_id!r} is not an event id like SR12", param_hint="EVENT_ID")
    e = query(db, "event", event_id=event_id)
    if e is None:
        err.print(f"sitroom: no event {event_id}", markup=False)
        raise typer.Exit(1)
    if fmt == "json":
        out = event_json(e)
        out["claims"] = to_jsonable(e["claims"])
        out["merged_from"] = e.get("merged_from")
        out["absorbed"] = to_jsonable(e.get("absorbed") or [])
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print(explain_text(e, event_code))


def explain_text(e: dict, event_code=None) -> str:
    from ..store.core import event_code as code

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
    db: Optional[str] = db_option(),
    output: Optional[Path] = output_option(),
    country: Optional[str] = country_option(),
    admin1: Optional[str] = admin1_option(),
    since: Optional[str] = since_option(),
    until: Optional[str] = until_option(),
    type_: Optional[str] = type_option(),
    actor: Optional[str] = actor_option(),
) -> None:
    """Export fused events: ACLED CSV, GeoJSON (QGIS), JSON Lines (with documents and mentions), HXL CSV (HDX)."""
    from ..store.export import EXPORT_FORMATS, write_export

    if fmt not in EXPORT_FORMATS:
        raise typer.BadParameter(f"{fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}", param_hint="--format")
    store = open_db(db)
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    filters = dict(country=country, admin1=admin1, since=parse_date(since, "--since"),
                   until=parse_date(until, "--until"), type=type_, actor=actor)
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
