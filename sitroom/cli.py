"""The ``sitroom`` command line. One obvious thing per verb."""
from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="sitroom: news reports about armed conflict in, verified geocoded events out.")
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one line per message, never wrapped


def _parse_published(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint="--published")


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log details to stderr.")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
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
    from .ingest import iter_documents
    from .model import DocError, Document
    from .output import FORMATS, Writer
    pub = _parse_published(published)
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
        from .scale.run import extraction
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
    from .pipeline import failed

    if "error" in res:
        counts["error"] += 1
        counts["failed"] = counts.get("failed", 0) + failed(res)
    else:
        counts["ok"] += 1
    writer.write(res)


from .evaluate.command import evaluate  # noqa: E402
from .store.command import ceasefires, claims, events, explain, export, figures, ingest  # noqa: E402
from .serve.command import serve  # noqa: E402

app.command("ingest")(ingest)
app.command("events")(events)
app.command("explain")(explain)
app.command("export")(export)
app.command("figures")(figures)
app.command("claims")(claims)
app.command("ceasefires")(ceasefires)
app.command("evaluate")(evaluate)
app.command("serve")(serve)
from .report.command import report  # noqa: E402
app.command("report")(report)
from .ops import backup, doctor  # noqa: E402
app.command("doctor")(doctor)
app.command("backup")(backup)
from .watch.command import register as _register_watch  # noqa: E402
_register_watch(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
