"""The one entry the commands use: pipeline results in input order, from one process, N local
processes, or a Dask cluster (``sitroom extract|ingest --workers N [--scheduler ADDRESS|local]``)."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from . import default_workers, extract_parallel


def resolve_workers(workers: int) -> int:
    return default_workers() if workers <= 0 else workers


def extraction(items: Iterable, *, workers: int = 1, scheduler: str | None = None, batch_size: int = 32,
               quiet: bool = False, on_chunk: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
    """Results for ``items`` (Documents or DocErrors) in input order.

    ``scheduler``: a Dask scheduler address (``tcp://HOST:8786``) or ``"local"`` (a LocalCluster
    of ``workers`` processes); otherwise ``workers`` processes on this machine (1: this process)."""
    workers = resolve_workers(workers)
    if scheduler:
        from .cluster import extract_dask
        return extract_dask(items, scheduler, workers=workers, batch_size=batch_size, on_chunk=on_chunk)
    return extract_parallel(items, workers, batch_size=batch_size, on_chunk=on_chunk)


def plan(n_docs: int, n_words: int, *, workers: int, scheduler: str | None, batch_size: int) -> list[str]:
    """What ``--dry-run`` prints: how the documents will be split."""
    workers = resolve_workers(workers)
    chunks = -(-n_docs // max(1, batch_size)) if n_docs else 0
    if scheduler:
        from .cluster import describe
        where = describe(scheduler) if scheduler != "local" else f"a LocalCluster of {workers} processes on 127.0.0.1"
        inflight = "3 chunks per worker in flight"
    elif workers > 1:
        where = f"{workers} processes on this machine (each loads the model once)"
        inflight = f"at most {2 * workers} chunks in flight"
    else:
        where = "this process"
        inflight = "one chunk at a time"
    return [f"{n_docs} documents ({n_words:,} words) in {chunks} chunks of up to {batch_size} documents",
            f"extracted by {where}; {inflight}; results kept in input order",
            "stored and fused by this process, the one writer to the store"]
