"""The pipeline: registered components over one document model.

ingest (Document) → nlp (one spaCy pass, batched) → the components, in order, each reading and
writing fields of one :class:`~sitroom.model.Analysis` → a JSON-ready result per document.

A component declares what it requires and assigns (:mod:`sitroom.components`); ``Pipeline`` is an
ordered list of component names, checked and instantiated once when it is built. The default list
and the default components are in :mod:`sitroom.stages.default`; a new component plugs in by
registering it and naming it (``Pipeline(stages=[...])``, :meth:`Pipeline.add`), not by editing
this module. Documents stream through in batches, so thousands of short documents load the model
once and run through ``nlp.pipe``.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from typing import Any, Callable, Iterable, Iterator

from . import components as _components
from .components import PipelineError, component, register   # noqa: F401 - the API to extend a pipeline
from .model import Analysis, DocError, Document, RESULT_KEYS, to_jsonable

log = logging.getLogger("sitroom")


class Pipeline:
    """An ordered list of registered components, each instantiated once.

    ``Pipeline()`` runs the default components (``DEFAULT_STAGES``); ``Pipeline(stages=[...])``
    any registered ones. The order is checked when the pipeline is built and on every change:
    every field a component requires must be assigned by a component before it
    (:class:`~sitroom.components.PipelineError` otherwise, naming the component and the field).
    """

    def __init__(self, stages: Iterable[str] | None = None) -> None:
        if isinstance(stages, str):
            raise PipelineError(f"stages is a list of component names, not the string {stages!r}")
        names = _components.default_stages() if stages is None else tuple(stages)
        specs = _components.check(names)
        self._stages: list[tuple[str, Callable[[Analysis], Any]]] = [(s.name, s.create()) for s in specs]

    @property
    def stage_names(self) -> tuple[str, ...]:
        """The names of the components, in the order they run."""
        return tuple(name for name, _ in self._stages)

    def get(self, name: str) -> Callable[[Analysis], Any]:
        """The instance of the component ``name`` in this pipeline."""
        for n, comp in self._stages:
            if n == name:
                return comp
        raise KeyError(f"no component {name!r} in this pipeline ({', '.join(self.stage_names)})")

    def add(self, name: str, *, before: str | None = None, after: str | None = None) -> None:
        """Add the registered component ``name``: last, or just before/after the named one. The
        new order is checked first; the pipeline is unchanged when it fails."""
        if before is not None and after is not None:
            raise PipelineError("give before= or after=, not both")
        names = list(self.stage_names)
        anchor = before if before is not None else after
        if anchor is None:
            at = len(names)
        elif anchor in names:
            at = names.index(anchor) + (0 if before is not None else 1)
        else:
            raise PipelineError(f"cannot add {name!r} {'before' if before is not None else 'after'}"
                                f" {anchor!r}: no such component in this pipeline ({', '.join(names)})")
        names.insert(at, name)
        (new,) = [s for s in _components.check(names) if s.name == name]
        self._stages.insert(at, (name, new.create()))

    def remove(self, name: str) -> None:
        """Take the component ``name`` out; refused (unchanged) when a later one requires what it
        assigns."""
        names = list(self.stage_names)
        if name not in names:
            raise PipelineError(f"no component {name!r} in this pipeline ({', '.join(names)})")
        at = names.index(name)
        _components.check(names[:at] + names[at + 1:])
        del self._stages[at]

    # -- one document, already parsed
    def analyse(self, analysis: Analysis) -> Analysis:
        """Run every component over ``analysis`` in order."""
        for name, comp in self._stages:
            out = comp(analysis)
            if out is not None:
                if not isinstance(out, Analysis):
                    raise TypeError(f"component {name!r} returned {type(out).__name__}: a component"
                                    " returns None or the Analysis")
                analysis = out
        return analysis

    def run(self, items: Iterable[Document | DocError], *, batch_size: int = 32,
            on_result: Callable[[dict[str, Any]], None] | None = None) -> Iterator[dict[str, Any]]:
        """Results in input order; a document that fails gets {"doc_id", "error"}, the batch goes on.

        A document longer than spaCy's limit is parsed in pieces (:func:`sitroom.nlp.parse_long`)
        and gives one result like any other; a parse error is blamed on its own document (the
        batch is parsed again one document at a time); each document's extraction runs under a
        time budget (:func:`time_budget`) and ends as an error line when it runs out.
        """
        from .ingest.clean import cap_symbol_runs
        from .nlp import load_nlp
        from .scale import memory

        nlp = load_nlp()
        memory.tune_allocator()     # spaCy's large arrays go back to the system when freed
        batch: list[Document | DocError] = []

        def flush() -> Iterator[dict[str, Any]]:
            docs = [d for d in batch if isinstance(d, Document)]
            parsed = _parse_batch(nlp, docs, batch_size)
            k = 0
            for item in batch:
                if isinstance(item, DocError):
                    yield {"doc_id": item.doc_id, "error": item.error}
                    continue
                sdoc = parsed[k]
                k += 1
                try:
                    if isinstance(sdoc, BaseException):
                        raise sdoc
                    yield self._result(nlp, item, sdoc)
                except TimeBudgetExceeded as exc:
                    yield {"doc_id": item.doc_id, "error": f"{TIME_BUDGET_ERROR}: {exc}"}
                except Exception as exc:  # one bad document never stops the batch
                    log.warning("%s: extraction failed: %s: %s", item.doc_id, type(exc).__name__, exc)
                    log.debug("traceback", exc_info=True)
                    msg = " ".join(f"{type(exc).__name__}: {exc}".split())
                    msg = msg if len(msg) <= 500 else msg[:497] + "..."
                    yield {"doc_id": item.doc_id, "error": f"{INTERNAL_ERROR} during extraction: {msg}"}
            batch.clear()
            memory.release()

        for item in items:
            batch.append(cap_symbol_runs(item) if isinstance(item, Document) else item)
            if len(batch) >= batch_size:
                yield from flush()
        if batch:
            yield from flush()

    def _result(self, nlp, document: Document, sdoc) -> dict[str, Any]:
        analysis = self._analyse_within_budget(nlp, document, sdoc)
        result = result_dict(analysis)
        # the context refers back to its Analysis: break the cycle so that the Analysis and its
        # spaCy Doc are freed on return, not by a later garbage collection
        analysis.context = None
        return result

    def _analyse_within_budget(self, nlp, document: Document, sdoc) -> Analysis:
        """Parse (when still to do: a long document) and analyse one document within its time
        budget."""
        seconds = time_budget(len(document.text))
        started = time.monotonic()

        def check() -> None:
            if seconds and time.monotonic() - started > seconds:
                raise TimeBudgetExceeded(_budget_message(seconds, len(document.text)))

        with _alarm(seconds, len(document.text)):
            if sdoc is _LONG:
                from .nlp import parse_long      # sitroom.nlp imports spaCy: not on import of this module

                sdoc = parse_long(nlp, document.nlp_text, check=check)
            analysis = self.analyse(Analysis(document=document, doc=sdoc))
        check()        # where no alarm can run (not the main thread), the budget is checked after
        return analysis


# ---------------------------------------------------------------- parsing a batch, time budgets

#: how the error lines of documents that failed (not bad input) begin; see :func:`failed`
INTERNAL_ERROR = "internal error"
TIME_BUDGET_ERROR = "time budget exceeded"


def failed(result: dict[str, Any]) -> bool:
    """A document that could not be processed for a reason of sitroom's own (a bug, an exception,
    its time budget), as opposed to bad input (empty, binary, too large, ...)."""
    err = result.get("error")
    return isinstance(err, str) and (err.startswith(INTERNAL_ERROR) or err.startswith(TIME_BUDGET_ERROR)
                                     or "internal error while" in err)


_LONG = object()     # placeholder: a document over spaCy's limit, parsed in pieces when its turn comes


def _parse_batch(nlp, docs: list[Document], batch_size: int) -> list[Any]:
    """A spaCy Doc per document (``_LONG`` for those over the limit, an exception for one that
    failed). When ``nlp.pipe`` fails, the rest are parsed one by one so that the error lands on
    the document that caused it and the others are kept."""
    from .scale.memory import text_batches

    out: list[Any] = [_LONG if len(d.nlp_text) > nlp.max_length else None for d in docs]
    todo = [k for k, v in enumerate(out) if v is None]
    try:    # in groups of bounded text: spaCy's working memory grows with a batch's characters
        for group in text_batches([len(docs[k].nlp_text) for k in todo]):
            ks = [todo[i] for i in group]
            for k, sdoc in zip(ks, nlp.pipe((docs[k].nlp_text for k in ks), batch_size=len(ks))):
                out[k] = sdoc
    except Exception:  # noqa: BLE001 - find the culprit below
        log.debug("batch parse failed; parsing one by one", exc_info=True)
        for k in todo:
            if out[k] is None:
                try:
                    out[k] = nlp(docs[k].nlp_text)
                except Exception as exc:  # noqa: BLE001 - this document's own error
                    out[k] = exc
    return out


class TimeBudgetExceeded(BaseException):
    """A document's processing ran out of time. A BaseException, like KeyboardInterrupt, so that
    no ``except Exception`` inside extraction swallows it; :meth:`Pipeline.run` turns it into
    the document's error line."""


#: seconds a document may take, per 100,000 characters and at least (``SITROOM_TIME_BUDGET``;
#: 0 turns the budget off)
DEFAULT_TIME_BUDGET = 60.0


def time_budget(n_chars: int) -> float:
    """Seconds allowed for one document of ``n_chars`` characters: the budget (environment
    variable ``SITROOM_TIME_BUDGET``, default 60 s) plus as much again per 100,000 characters.
    0 means no limit."""
    raw = os.environ.get("SITROOM_TIME_BUDGET", "")
    try:
        base = float(raw) if raw.strip() else DEFAULT_TIME_BUDGET
    except ValueError:
        base = DEFAULT_TIME_BUDGET
    if not base > 0 or base == float("inf"):
        return 0.0
    return base * (1 + n_chars / 100_000)


def _budget_message(seconds: float, n_chars: int) -> str:
    return (f"processing stopped after {seconds:.0f} s, the time budget of a document of"
            f" {n_chars:,} characters (raise it with SITROOM_TIME_BUDGET=seconds, 0 for none)")


@contextlib.contextmanager
def _alarm(seconds: float, n_chars: int):
    """Raise TimeBudgetExceeded in the main thread after ``seconds`` (POSIX interval timer); no-op
    elsewhere (threads, Windows) and for 0."""
    usable = (seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)   # nobody else's timer running
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise TimeBudgetExceeded(_budget_message(seconds, n_chars))

    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except (ValueError, OSError):          # pragma: no cover - signals unavailable here
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def result_dict(analysis: Analysis) -> dict[str, Any]:
    d = analysis.document
    out: dict[str, Any] = {
        "doc_id": d.doc_id,
        "content_hash": d.content_hash,
        "title": d.title,
        "published": d.published.isoformat() if d.published else None,
        "published_from": d.published_from,
        "source": d.source,
        "url": d.url,
    }
    for key in RESULT_KEYS:
        out[key] = to_jsonable(getattr(analysis, key))
    return out
