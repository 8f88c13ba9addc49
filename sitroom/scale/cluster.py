"""Extraction on a Dask distributed cluster (``pip install sitroom[dask]``).

``extract_dask(items, "tcp://HOST:8786")`` sends chunks of documents to the cluster's workers and
yields their results in input order, so the caller stays the one writer to the store. Every worker
builds the pipeline once: :class:`LoadPipeline`, a worker plugin, loads it when the worker joins
(and :func:`sitroom.scale.worker_pipeline` keeps it in a module-level cache, in an importable
module, so tasks reuse it). ``"local"`` starts a :class:`dask.distributed.LocalCluster` of
``workers`` single-threaded processes on 127.0.0.1 for the run.

When a worker dies, the scheduler runs its tasks again on another worker (Dask's own retry, up to
``distributed.scheduler.allowed-failures``); a chunk the scheduler gives up on
(``KilledWorker``) is sent again one document at a time, and a document that still kills its
worker alone gets an error line. Results are yielded once, in order, whatever the retries.
"""
from __future__ import annotations

import logging
from collections import deque
from typing import Any, Callable, Iterable, Iterator

from . import chunked, extract_chunk

log = logging.getLogger("sitroom.scale")


def _dask():
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise RuntimeError("Dask is not installed: pip install 'sitroom[dask]'") from exc
    import distributed
    return distributed


try:
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:     # Dask is optional: the plugin is only used when it is there
    _WorkerPlugin = object


class LoadPipeline(_WorkerPlugin):
    """Load sitroom's pipeline once on every worker, when it joins the cluster."""
    name = "sitroom-pipeline"

    def setup(self, worker) -> None:
        from sitroom.scale import worker_pipeline
        worker_pipeline()


def connect(scheduler: str, workers: int = 2):
    """A Client for ``scheduler`` (an address, or "local" for a LocalCluster of ``workers``
    processes); returns (client, cluster or None)."""
    distributed = _dask()
    if logging.getLogger().getEffectiveLevel() > logging.INFO:     # Dask's chatter only with --verbose
        for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.core"):
            logging.getLogger(name).setLevel(logging.ERROR)
    cluster = None
    if scheduler == "local":
        cluster = distributed.LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
        client = distributed.Client(cluster)
    else:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise RuntimeError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    return client, cluster


def extract_dask(items: Iterable, scheduler: str, *, workers: int = 2, batch_size: int = 32,
                 client=None, on_chunk: Callable[[int], None] | None = None,
                 in_flight: int | None = None) -> Iterator[dict[str, Any]]:
    """Pipeline results for ``items`` in input order, extracted on a Dask cluster."""
    distributed = _dask()
    own = client is None
    cluster = None
    if own:
        client, cluster = connect(scheduler, workers)
    try:
        try:        # load the model on every worker now; a worker that fails here loads it on its first task
            client.register_plugin(LoadPipeline())
        except Exception as exc:  # noqa: BLE001 - e.g. a worker died while loading
            log.warning("pipeline not preloaded on every worker (%s: %s): workers load it on their first task",
                        type(exc).__name__, exc)
        n_workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
        cap = in_flight or 3 * n_workers
        source = chunked(items, max(1, batch_size))
        pending: deque[list] = deque()     # [chunk, future, split]
        while True:
            while len(pending) < cap:
                chunk = next(source, None)
                if chunk is None:
                    break
                pending.append([chunk, client.submit(extract_chunk, chunk, batch_size, pure=False), False])
            if not pending:
                return
            chunk, fut, single = pending[0]
            try:
                results = fut.result()
            except distributed.KilledWorker:
                pending.popleft()
                if single:
                    doc_id = str(getattr(chunk[0], "doc_id", "?"))
                    log.error("%s: workers died extracting this document", doc_id)
                    results = [{"doc_id": doc_id, "error": "worker died extracting this document"}]
                else:          # retry the chunk one document at a time, in the same place
                    for item in reversed(chunk):
                        pending.appendleft([[item], client.submit(extract_chunk, [item], batch_size, pure=False), True])
                    continue
            else:
                pending.popleft()
            fut.release()
            if on_chunk:
                on_chunk(len(results))
            yield from results
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()


def describe(scheduler: str, timeout: float = 5.0) -> str:
    """One line on the cluster behind ``scheduler`` (for --dry-run)."""
    if scheduler == "local":
        return "a LocalCluster on 127.0.0.1"
    distributed = _dask()
    try:
        with distributed.Client(scheduler, timeout=f"{timeout}s") as client:
            info = client.scheduler_info(n_workers=-1)
            ws = info.get("workers", {})
            threads = sum(w.get("nthreads", 1) for w in ws.values())
            return f"the cluster at {scheduler}: {len(ws)} workers, {threads} threads"
    except Exception as exc:  # noqa: BLE001
        return f"the cluster at {scheduler} (not reachable now: {type(exc).__name__}: {exc})"
