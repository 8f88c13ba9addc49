"""Situation reports over the event database, in two layers.

* :func:`sitroom.report.data.build_report` - the report as a plain, JSON-serialisable dict (the
  dashboard's ``/api/report`` serves it as is);
* :mod:`sitroom.report.render` - that dict as a self-contained HTML page, Markdown or PDF, with
  charts from :mod:`sitroom.report.charts` (inline SVG drawn with matplotlib).

Every number in the rendered report points at the evidence it came from: the dict's ``evidence``
list holds the source spans (document, offsets, text) and every figure, event, claim and agreement
names the evidence ids it rests on.
"""
from __future__ import annotations



def __getattr__(name: str):
    if name == "build_report":     # imported on first use (SQLAlchemy)
        from .data import build_report
        return build_report
    raise AttributeError(name)


__all__ = ["build_report"]
