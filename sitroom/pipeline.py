"""The pipeline: stages over one document model.

ingest (Document) → nlp (one spaCy pass, batched) → extract (places, dates, triggers, actors,
numbers) → resolve (gazetteer, actor dictionary, date normalisation) → assemble (events, figures,
claims, agreements, quality) → a JSON-ready result per document.

Stages are compiled once per :class:`Pipeline`; documents stream through in batches, so thousands
of short documents load the model once and run through ``nlp.pipe``.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from typing import Any, Callable, Iterable, Iterator

from .model import Analysis, DocError, Document, QualityFlag, RESULT_KEYS, Span, to_jsonable

log = logging.getLogger("sitroom")


class Pipeline:
    def __init__(self) -> None:
        from .stages.attribution import find_attributions
        from .stages.dates import DateExtractor
        from .stages.events import EventBuilder
        from .stages.places import PlaceExtractor
        from .stages.triggers import TriggerFinder
        from .stages.actors import ActorFinder, assign_roles
        from .stages.geocode import geo_precision

        self.places = PlaceExtractor()
        self.dates = DateExtractor()
        self.triggers = TriggerFinder()
        self.actors = ActorFinder()
        self.find_attributions = find_attributions
        self.events = EventBuilder(geo_precision=geo_precision, assign_roles=assign_roles)

    # -- one document, already parsed
    def analyse(self, analysis: Analysis) -> Analysis:
        from .stages import statements as reports
        from .stages.casualties import find_counts
        from .stages.context import DocContext
        from .stages.numbers import find_numbers

        self.places(analysis)
        self.dates(analysis)
        ctx = DocContext(analysis)
        self.actors(analysis, country_code=ctx.country_code())
        self.triggers(analysis)
        too_large: list = []
        numbers = find_numbers(analysis.document.text, too_large)
        analysis.numbers = numbers
        counts = find_counts(analysis.doc, analysis.dates, numbers)
        attrs = self.find_attributions(analysis.doc)
        analysis.events = self.events(analysis, ctx, counts)
        _mark_event_places(analysis)
        analysis.figures = reports.build_figures(analysis, ctx, counts, attrs, analysis.events)
        analysis.claims = reports.build_claims(analysis, ctx, attrs, analysis.events)
        analysis.agreements = reports.build_agreements(analysis, ctx)
        analysis.quality = reports.quality_flags(analysis, numbers)
        if too_large:
            analysis.quality.append(_too_large_flag(analysis.document, too_large))
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

        nlp = load_nlp()
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
                    yield result_dict(self._analyse_within_budget(nlp, item, sdoc))
                except TimeBudgetExceeded as exc:
                    yield {"doc_id": item.doc_id, "error": f"{TIME_BUDGET_ERROR}: {exc}"}
                except Exception as exc:  # one bad document never stops the batch
                    log.warning("%s: extraction failed: %s: %s", item.doc_id, type(exc).__name__, exc)
                    log.debug("traceback", exc_info=True)
                    msg = " ".join(f"{type(exc).__name__}: {exc}".split())
                    msg = msg if len(msg) <= 500 else msg[:497] + "..."
                    yield {"doc_id": item.doc_id, "error": f"{INTERNAL_ERROR} during extraction: {msg}"}
            batch.clear()

        for item in items:
            batch.append(cap_symbol_runs(item) if isinstance(item, Document) else item)
            if len(batch) >= batch_size:
                yield from flush()
        if batch:
            yield from flush()

    def _analyse_within_budget(self, nlp, document: Document, sdoc) -> Analysis:
        """Parse (when still to do: a long document) and analyse one document within its time
        budget."""
        from .nlp import parse_long

        seconds = time_budget(len(document.text))
        started = time.monotonic()

        def check() -> None:
            if seconds and time.monotonic() - started > seconds:
                raise TimeBudgetExceeded(_budget_message(seconds, len(document.text)))

        with _alarm(seconds, len(document.text)):
            if sdoc is _LONG:
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
    out: list[Any] = [_LONG if len(d.nlp_text) > nlp.max_length else None for d in docs]
    todo = [k for k, v in enumerate(out) if v is None]
    try:
        for k, sdoc in zip(todo, nlp.pipe((docs[k].nlp_text for k in todo), batch_size=batch_size)):
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


def _too_large_flag(document: Document, numbers: list) -> QualityFlag:
    from .stages.numbers import MAX_VALUE

    shown = numbers[0].text if len(numbers[0].text) <= 40 else numbers[0].text[:37] + "..."
    return QualityFlag(
        "number_too_large",
        f"{len(numbers)} number(s) above {MAX_VALUE:,} (or too long to read) left out, the first"
        f" {shown!r}: no count of people or things is that large",
        evidence=[Span(n.start, n.end, n.text, document.doc_id)
                  if n.end - n.start <= 200 else Span(n.start, n.start + 200, n.text[:200], document.doc_id)
                  for n in numbers[:5]])


def _mark_event_places(analysis: Analysis) -> None:
    """A place mention that located an event gets the role event_location."""
    used = {(e.location_evidence.start, e.location_evidence.end) for e in analysis.events
            if e.location_evidence is not None}
    for p in analysis.places:
        if (p.start, p.end) in used:
            p.role = "event_location"


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
