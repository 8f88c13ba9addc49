"""Command-line helpers of ``sitroom ingest --workers/--scheduler/--dry-run``: the progress bar
and the dry run."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Iterator, Optional

import typer


@contextlib.contextmanager
def progress(show: bool, console) -> Iterator:
    """``advance(items)`` wraps an iterator of results and counts them on a progress line on
    ``console`` (a terminal); with ``show`` false it returns the iterator as it is."""
    if not show:
        yield lambda items: items
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} documents"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("extracting and storing", total=None)

        def advance(items):
            for res in items:
                yield res
                bar.advance(task)
        yield advance


def dry_run(paths: list[str], *, db: Optional[str], published, results: bool, allow_private: bool,
            max_bytes: int, batch_size: int, commit_every: int, workers: int, scheduler: Optional[str]) -> None:
    """Read the inputs, say how the work would be split, store nothing."""
    from ..model import Document
    from .run import plan

    out = typer.echo
    n_docs = n_words = n_bad = n_stored = 0
    store = None
    if db and (db.startswith("postgresql") or Path(db).exists()) or (not db and Path("sitroom.db").exists()):
        from ..store import open_store
        store = open_store(db)
    try:
        if results:
            from ..ingest.results import read_results
            for res in read_results(paths):
                if "error" in res or not res.get("content_hash"):
                    n_bad += 1
                elif store is not None and store.has_document(res["content_hash"]):
                    n_stored += 1
                else:
                    n_docs += 1
        else:
            from ..ingest import iter_documents
            for d in iter_documents(paths, published, allow_private=allow_private, max_bytes=max_bytes,
                                    stdin=sys.stdin):
                if not isinstance(d, Document):
                    n_bad += 1
                elif store is not None and store.has_document(d.content_hash):
                    n_stored += 1
                else:
                    n_docs += 1
                    n_words += len(d.text.split())
    finally:
        if store is not None:
            store.close()
    out(f"dry run: nothing is extracted or stored; database {db or 'sitroom.db'}")
    if results:
        out(f"{n_docs} results to store (already extracted: no model is loaded)")
    else:
        for line in plan(n_docs, n_words, workers=workers, scheduler=scheduler, batch_size=batch_size):
            out(line)
    out(f"{n_stored} already stored (skipped), {n_bad} unreadable (reported and skipped)")
    out(f"{-(-n_docs // commit_every) if n_docs else 0} transactions of up to {commit_every} documents, "
        "each fused with the stored events around it")
