"""The default pipeline: its components, what each requires and assigns, and their order.

Each stage is registered here once (:mod:`sitroom.components`): the classes of the stage modules
as they are (instantiated once per :class:`sitroom.pipeline.Pipeline`), and a small function for
each stage that is a plain function. ``DEFAULT_STAGES`` is the order ``Pipeline()`` runs them in;
docs/architecture.md shows the same list as a table (generated from here).
"""
from __future__ import annotations

from ..components import component, register
from ..model import Analysis
from .actors import ActorFinder
from .attribution import find_attributions
from .casualties import find_counts
from .context import DocContext
from .dates import DateExtractor
from .events import EventBuilder
from .numbers import find_numbers
from .places import PlaceExtractor
from .statements import build_agreements, build_claims, build_figures, quality_flags
from .triggers import TriggerFinder

#: the components of ``Pipeline()``, in order
DEFAULT_STAGES = ("places", "dates", "context", "actors", "triggers", "numbers", "counts",
                  "attributions", "events", "figures", "claims", "agreements", "quality")

register("places", PlaceExtractor, requires=("doc",), assigns=("places", "geo_focus"),
         summary="toponyms (gazetteer matcher + NER, `stages/places.py`), each geocoded in the"
                 " document's geographic focus (`stages/geocode.py`)")
register("dates", DateExtractor, requires=("doc",), assigns=("dates",),
         summary="temporal expressions normalised against the publication date (`stages/dates/`: one rule table in rules.py)")


@component("context", requires=("doc", "places", "dates", "geo_focus"), assigns=("context",))
def context(analysis: Analysis) -> None:
    """sentences, and the places and dates in each (`stages/context.py`, `DocContext`)"""
    analysis.context = DocContext(analysis)


register("actors", ActorFinder, requires=("doc", "context"), assigns=("actors",),
         summary="actors by the actor dictionary, read in the document's country (`stages/actors.py`)")
register("triggers", TriggerFinder, requires=("doc",), assigns=("triggers",),
         summary="event words by the taxonomy, negation, hypotheticals (`stages/triggers.py`)")


@component("numbers", assigns=("numbers", "too_large"))
def numbers(analysis: Analysis) -> None:
    """numbers in words and digits; those too large to count anything apart (`stages/numbers.py`)"""
    analysis.too_large = []
    analysis.numbers = find_numbers(analysis.document.text, analysis.too_large)


@component("counts", requires=("doc", "dates", "numbers"), assigns=("counts",))
def counts(analysis: Analysis) -> None:
    """what each number counts: killed, injured, displaced, ... (`stages/casualties.py`)"""
    analysis.counts = find_counts(analysis.doc, analysis.dates, analysis.numbers)


@component("attributions", requires=("doc",), assigns=("attributions",))
def attributions(analysis: Analysis) -> None:
    """who said what (`stages/attribution.py`)"""
    analysis.attributions = find_attributions(analysis.doc)


register("events", EventBuilder,
         requires=("doc", "places", "dates", "actors", "triggers", "context", "counts"),
         assigns=("events", "places.role"),
         summary="a clause's trigger, place, date, actors and counts become an event (one per place"
                 " of a listed \"X, Y and Z\", one per \"while\"-joined toll); merged,"
                 " calibrated (`stages/events.py`, `stages/calibration.py`); the places that locate"
                 " an event get the role event_location")


@component("figures", requires=("triggers", "context", "counts", "attributions"), assigns=("figures",))
def figures(analysis: Analysis) -> None:
    """figures that are no incident's count, their period, place and source (`stages/statements.py`)"""
    analysis.figures = build_figures(analysis)


@component("claims", requires=("places", "actors", "triggers", "context", "attributions", "events"),
           assigns=("claims", "events.contested"))
def claims(analysis: Analysis) -> None:
    """statements, appeals, denials, accusations and the events they are about; a denied event is
    contested (`stages/statements.py`)"""
    analysis.claims = build_claims(analysis)


@component("agreements", requires=("actors", "context"), assigns=("agreements",))
def agreements(analysis: Analysis) -> None:
    """ceasefires, truces and other agreements (`stages/statements.py`, `data/agreements.yaml`)"""
    analysis.agreements = build_agreements(analysis)


@component("quality", requires=("dates", "numbers", "too_large"), assigns=("quality",))
def quality(analysis: Analysis) -> None:
    """the input's quality flags and the extraction's own (`stages/statements.py`)"""
    analysis.quality = quality_flags(analysis)
