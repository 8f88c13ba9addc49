"""``sitroom extract``: documents in, events, places, dates, figures, claims and agreements out."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .options import err, parse_date


def extract(
    paths: list[str] = typer.Argument(..., help="Files, directories, http(s) URLs, or - for standard input."),
    published: Optional[str] = typer.Option(None, "--published", help="Publication date (YYYY-MM-DD) for inputs whose metadata has none."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="json | jsonl | table | csv (default: table on a terminal, else jsonl)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of standard output."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Allow fetching URLs on private or loopback addresses."),
    max_bytes: int = typer.Option(5_000_000, "--max-bytes", help="Largest document accepted, in bytes."),
    batch_size: int = typer.Option(32, "--batch-size", help="Documents per spaCy batch."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No warnings or progress on stderr."),
    workers: int = typer.Option(1, "--workers", "-w", min=0, help="Extract in this many processes (0: one per core); output stays in input order."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Extract on a Dask cluster: tcp://HOST:8786, or 'local' for a LocalCluster of --workers processes."),
) -> None:
    """Extract events, places, dates, figures, claims, agreements and quality flags."""
    from ..ingest import iter_documents
    from ..model import DocError, Document
    from ..output import FORMATS, Writer
    pub = parse_date(published, "--published")
    out_is_tty = output is None and sys.stdout.isatty()
    fmt = fmt or ("table" if out_is_tty else "jsonl")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r}; choose one of {', '.join(FORMATS)}", param_hint="--format")
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    console = Console(file=stream) if fmt == "table" else None
    writer = Writer(fmt, stream, console)
    counts = {"ok": 0, "error": 0}

    def note_item(item):
        if isinstance(item, DocError):
            if not quiet:
                err.print(f"sitroom: {item.doc_id}: {item.error}", markup=False)
        elif isinstance(item, Document) and not quiet:
            for q in item.quality:
                if q.severity in ("warning", "error") and q.kind != "repeated_headline":
                    err.print(f"sitroom: {item.doc_id}: warning: {q.message}", markup=False)
        return item

    items = (note_item(i) for i in iter_documents(paths, pub, allow_private=allow_private,
                                                   max_bytes=max_bytes, stdin=sys.stdin))
    show_progress = not quiet and err.is_terminal
    try:
        from ..scale.run import extraction
        results = extraction(items, workers=workers, scheduler=scheduler, batch_size=batch_size, quiet=quiet)
        if show_progress:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} documents"),
                          TimeElapsedColumn(), console=err, transient=True) as progress:
                task = progress.add_task("extracting", total=None)
                for res in results:
                    _emit(res, writer, counts, quiet)
                    progress.advance(task)
        else:
            for res in results:
                _emit(res, writer, counts, quiet)
        writer.close()
    finally:
        if output:
            stream.close()
    if counts["ok"] == 0:
        if not quiet:
            err.print("sitroom: no document could be read", markup=False)
        raise typer.Exit(1)
    if counts.get("failed"):
        if not quiet:
            err.print(f"sitroom: {counts['failed']} document(s) failed (internal error or time budget;"
                      " see their error lines)", markup=False)
        raise typer.Exit(3)


def _emit(res, writer, counts, quiet) -> None:
    from ..pipeline import failed

    if "error" in res:
        counts["error"] += 1
        counts["failed"] = counts.get("failed", 0) + failed(res)
    else:
        counts["ok"] += 1
    writer.write(res)
