"""The pipeline: stages over one document model.

ingest (Document) → nlp (one spaCy pass, batched) → extract (places, dates, triggers, actors,
numbers) → resolve (gazetteer, actor dictionary, date normalisation) → assemble (events, figures,
claims, agreements, quality) → a JSON-ready result per document.

Stages are compiled once per :class:`Pipeline`; documents stream through in batches, so thousands
of short documents load the model once and run through ``nlp.pipe``.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Iterator

from .model import Analysis, DocError, Document, RESULT_KEYS, to_jsonable

log = logging.getLogger("sitroom")


class Pipeline:
    def __init__(self) -> None:
        from .extract.attribution import find_attributions
        from .extract.dates import DateExtractor
        from .extract.events import EventBuilder
        from .extract.places import PlaceExtractor
        from .extract.triggers import TriggerFinder
        from .resolve.actors import ActorFinder, assign_roles
        from .resolve.places import geo_precision

        self.places = PlaceExtractor()
        self.dates = DateExtractor()
        self.triggers = TriggerFinder()
        self.actors = ActorFinder()
        self.find_attributions = find_attributions
        self.events = EventBuilder(geo_precision=geo_precision, assign_roles=assign_roles)

    # -- one document, already parsed
    def analyse(self, analysis: Analysis) -> Analysis:
        from .extract import reports
        from .extract.casualties import find_counts
        from .extract.context import DocContext
        from .extract.numbers import find_numbers

        self.places(analysis)
        self.dates(analysis)
        ctx = DocContext(analysis)
        self.actors(analysis, country_code=ctx.country_code())
        self.triggers(analysis)
        numbers = find_numbers(analysis.document.text)
        analysis.numbers = numbers
        counts = find_counts(analysis.doc, analysis.dates, numbers)
        attrs = self.find_attributions(analysis.doc)
        analysis.events = self.events(analysis, ctx, counts)
        _mark_event_places(analysis)
        analysis.figures = reports.build_figures(analysis, ctx, counts, attrs, analysis.events)
        analysis.claims = reports.build_claims(analysis, ctx, attrs, analysis.events)
        analysis.agreements = reports.build_agreements(analysis, ctx)
        analysis.quality = reports.quality_flags(analysis, numbers)
        return analysis

    def run(self, items: Iterable[Document | DocError], *, batch_size: int = 32,
            on_result: Callable[[dict[str, Any]], None] | None = None) -> Iterator[dict[str, Any]]:
        """Results in input order; a document that fails gets {"doc_id", "error"}, the batch goes on."""
        from .nlp import load_nlp

        nlp = load_nlp()
        batch: list[Document | DocError] = []

        def flush() -> Iterator[dict[str, Any]]:
            docs = [d for d in batch if isinstance(d, Document)]
            parsed = iter(nlp.pipe((d.nlp_text for d in docs), batch_size=batch_size))
            for item in batch:
                if isinstance(item, DocError):
                    yield {"doc_id": item.doc_id, "error": item.error}
                    continue
                try:
                    sdoc = next(parsed)
                    yield result_dict(self.analyse(Analysis(document=item, doc=sdoc)))
                except Exception as exc:  # one bad document never stops the batch
                    log.warning("%s: extraction failed: %s: %s", item.doc_id, type(exc).__name__, exc)
                    log.debug("traceback", exc_info=True)
                    yield {"doc_id": item.doc_id, "error": f"{type(exc).__name__}: {exc}"}
            batch.clear()

        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                yield from flush()
        if batch:
            yield from flush()


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
