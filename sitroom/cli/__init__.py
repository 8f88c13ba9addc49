"""The ``sitroom`` command line. One obvious thing per verb; one module per family of verbs:

* :mod:`.extract` - ``extract``;
* :mod:`.store` - ``ingest``, ``events``, ``explain``, ``export``;
* :mod:`.statements` - ``figures``, ``claims``, ``ceasefires``;
* :mod:`.evaluate` - ``evaluate``; :mod:`.serve` - ``serve``; :mod:`.report` - ``report``;
* :mod:`.ops` - ``doctor``, ``backup``;
* :mod:`.watch` - ``watch``, ``brief``, ``sources ...``, ``alerts ...``.

The options several verbs share (``--db``, ``--output``, the event filters) and the parsing of dates
are declared once, in :mod:`.options`.
"""
from __future__ import annotations

import logging

import typer

from . import evaluate, extract, ops, report, serve, statements, store, watch

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="sitroom: news reports about armed conflict in, verified geocoded events out.")


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log details to stderr.")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


# in the order `sitroom --help` lists them
app.command("extract")(extract.extract)
app.command("ingest")(store.ingest)
app.command("events")(store.events)
app.command("explain")(store.explain)
app.command("export")(store.export)
app.command("figures")(statements.figures)
app.command("claims")(statements.claims)
app.command("ceasefires")(statements.ceasefires)
app.command("evaluate")(evaluate.evaluate)
app.command("serve")(serve.serve)
app.command("report")(report.report)
app.command("doctor")(ops.doctor)
app.command("backup")(ops.backup)
watch.register(app)


def main() -> None:
    app()
