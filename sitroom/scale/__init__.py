"""Extraction on every core of a machine, and on a Dask cluster beyond it.

Documents go out in chunks (``batch_size`` documents, one ``nlp.pipe`` batch); each worker process
builds the pipeline once (:func:`worker_pipeline`, a module-level cache, so a Dask worker keeps it
between tasks too) and sends back the chunk's results. Results come back **in input order** and
the caller is the only writer to the store, so ``--workers N`` and ``--scheduler`` give exactly the
lines (and the database) that one process gives.

A worker that dies (killed, out of memory, a crash in native code) loses only time: its chunks run
again in a fresh process; a chunk that was in flight when a worker died is retried one document at
a time, and a document that kills its worker twice on its own gets its output line
``{"doc_id", "error"}`` like any other bad document. Nothing is lost and nothing is yielded twice.
"""
from __future__ import annotations

import logging
import os
from collections import deque
from typing import Any, Callable, Iterable, Iterator

log = logging.getLogger("sitroom.scale")

_PIPELINE = None


def worker_pipeline():
    """The pipeline of this process, built (and the model loaded) on first use."""
    global _PIPELINE
    if _PIPELINE is None:
        from ..nlp import load_nlp
        from ..pipeline import Pipeline

        _PIPELINE = Pipeline()
        load_nlp()
    return _PIPELINE


def extract_chunk(items: list, batch_size: int = 32) -> list[dict[str, Any]]:
    """Run one chunk of documents (or DocErrors) through this process's pipeline."""
    return list(worker_pipeline().run(items, batch_size=batch_size))


def _worker_init() -> None:     # load the model before the first chunk arrives
    worker_pipeline()


def chunked(items: Iterable, size: int) -> Iterator[list]:
    buf: list = []
    for item in items:
        buf.append(item)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _doc_id(item) -> str:
    return str(getattr(item, "doc_id", "?"))


def extract_parallel(items: Iterable, workers: int, *, batch_size: int = 32,
                     on_chunk: Callable[[int], None] | None = None,
                     fn: Callable[[list, int], list] = extract_chunk) -> Iterator[dict[str, Any]]:
    """Pipeline results for ``items`` in input order, extracted by ``workers`` processes (1: this
    process). At most ``2 * workers`` chunks are in flight, so memory stays bounded on any input.
    ``fn(chunk, batch_size)``, a module-level function, turns a chunk into its results."""
    if workers <= 1 and fn is not extract_chunk:
        for chunk in chunked(items, max(1, batch_size)):
            yield from fn(chunk, batch_size)
        return
    if workers <= 1:
        from ..pipeline import Pipeline

        yield from Pipeline().run(items, batch_size=batch_size)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")       # no inherited threads or open handles; the model loads once per worker

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                   initializer=_worker_init if fn is extract_chunk else None)

    source = chunked(items, max(1, batch_size))
    # entries: [chunk, future or None, failures]
    pending: deque[list] = deque()
    pool = new_pool()
    try:
        while True:
            suspect = any(e[2] for e in pending)
            cap = 1 if suspect else 2 * workers     # a suspect document runs alone: then a death is its own
            while len(pending) < 2 * workers and not suspect:
                chunk = next(source, None)
                if chunk is None:
                    break
                pending.append([chunk, None, 0])
            if not pending:
                return
            head = pending[0]
            try:
                for e in list(pending)[:cap]:
                    if e[1] is None:        # submit raises too when a worker died since the last look
                        e[1] = pool.submit(fn, e[0], batch_size)
                results = head[1].result()
            except BrokenProcessPool:
                pool.shutdown(wait=True, cancel_futures=True)
                pool = new_pool()
                retry: list[list] = []
                for e in pending:
                    fut = e[1]
                    if fut is not None and fut.done() and not fut.cancelled() and fut.exception() is None:
                        retry.append(e)                 # finished before the crash: keep it
                    elif fut is None:
                        retry.append(e)
                    elif len(e[0]) > 1:                 # in flight: retry one document at a time
                        retry.extend([[item], None, 1] for item in e[0])
                    elif e[2] >= 2 or (e[2] >= 1 and cap == 1):
                        log.error("%s: a worker died twice on this document", _doc_id(e[0][0]))
                        retry.append([e[0], _Done([{"doc_id": _doc_id(e[0][0]),
                                                     "error": "worker died extracting this document"}]), 0])
                    else:
                        retry.append([e[0], None, e[2] + 1])
                pending = deque(retry)
                continue
            pending.popleft()
            if on_chunk:
                on_chunk(len(results))
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Done:
    """A finished future holding a value."""

    def __init__(self, value) -> None:
        self.value = value

    def result(self):
        return self.value

    def done(self) -> bool:
        return True

    def cancelled(self) -> bool:
        return False

    def exception(self):
        return None
