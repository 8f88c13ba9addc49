"""``sitroom report``: a situation report (HTML, Markdown, PDF or JSON) from the event database.

The report itself is built by :mod:`sitroom.report.data` and rendered by :mod:`sitroom.report.render`.
"""
from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from .options import admin1_option, country_option, db_option, min_confidence_option, output_option, since_option, until_option

FORMATS = ("html", "md", "pdf", "json")
SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".pdf": "pdf", ".json": "json"}


def _fail(message: str, code: int = 2) -> typer.Exit:
    """One line on standard error, then exit with ``code``."""
    typer.echo(f"sitroom: {' '.join(message.split())}", err=True)
    return typer.Exit(code)


def _date(value: Optional[str], option: str) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _fail(f"{option}: {value!r} is not a date in YYYY-MM-DD form")


def _sqlite_path(db: Optional[str]) -> Optional[Path]:
    """The file of a SQLite database named by --db / SITROOM_DB / the default, else None."""
    from ..store.engine import resolve_url

    url = resolve_url(db)
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///"):]
    if not path or path.startswith(":memory:"):
        return None
    return Path(path)


def _open_existing(db: Optional[str]):
    """Open a database that exists (a report never creates an empty one)."""
    from ..store import open_store

    shown = db or os.environ.get("SITROOM_DB") or "sitroom.db"
    path = _sqlite_path(db)
    if path is not None and not path.is_file():
        raise _fail(f"no database at {shown}: run `sitroom ingest` first or pass --db")
    try:
        return open_store(db)
    except Exception as exc:  # noqa: BLE001 - a bad URL, an unreachable server, not a database
        raise _fail(f"cannot open database {shown}: {type(exc).__name__}: {exc}")


def report(
    db: Optional[str] = db_option(),
    country: Optional[str] = country_option(),
    admin1: Optional[str] = admin1_option(),
    since: Optional[str] = since_option(),
    until: Optional[str] = until_option(),
    fmt: Optional[str] = typer.Option(None, "--format", "-f",
                                      help="html | md | pdf | json (default: from the -o suffix, else html)."),
    output: Optional[Path] = output_option(),
    min_confidence: Optional[float] = min_confidence_option(
        help="Leave out events less likely than this to be real and right (default: the calibrated "
             "threshold of sitroom/data/calibration.yaml; 0 keeps every event)."),
) -> None:
    """Write a situation report: key figures with who reported them, contested claims, a timeline,
    a map, agreements with their alleged violations, sources, and the evidence behind every number.

    HTML is one self-contained page (every number links to its evidence); PDF (WeasyPrint) carries
    numbered evidence notes; Markdown uses footnotes and writes its charts as SVG files next to it;
    JSON is the report's data (what the dashboard serves at /api/report)."""
    if fmt is None:
        fmt = SUFFIXES.get(output.suffix.lower(), "html") if output else "html"
    fmt = fmt.strip().lower()
    fmt = {"markdown": "md", "htm": "html"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise _fail(f"--format: unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "pdf" and output is None:
        raise _fail("--format pdf needs -o/--output FILE.pdf")
    lo, hi = _date(since, "--since"), _date(until, "--until")
    if lo and hi and lo > hi:
        raise _fail(f"--since {lo.isoformat()} is after --until {hi.isoformat()}")
    if output is not None and output.parent and not output.parent.exists():
        raise _fail(f"-o: directory {output.parent} does not exist")

    from ..report.data import build_report

    store = _open_existing(db)
    try:
        data = build_report(store, country=country, admin1=admin1, since=lo, until=hi,
                            min_confidence=min_confidence)
    except ValueError as exc:
        raise _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - e.g. a database that is not sitroom's
        raise _fail(f"cannot read the database: {type(exc).__name__}: {exc}", 1)
    finally:
        store.close()

    from ..report import render

    try:
        if fmt == "json":
            text: str | bytes = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        elif fmt == "html":
            text = render.render_html(data)
        elif fmt == "pdf":
            text = render.render_pdf(data)
        else:
            if output is not None:     # charts as SVG files beside the Markdown
                refs = {}
                for name, svg in render.chart_files(data).items():
                    p = output.with_name(f"{output.stem}.{name}.svg")
                    p.write_text(svg, encoding="utf-8")
                    refs[name] = p.name
                text = render.render_markdown(data, chart_refs=refs)
            else:
                text = render.render_markdown(data, inline_charts=True)
    except Exception as exc:  # noqa: BLE001 - a renderer failure: one line, not a traceback
        raise _fail(f"cannot render the {fmt} report: {type(exc).__name__}: {exc}", 1)

    if output is None:
        sys.stdout.write(text if isinstance(text, str) else text.decode("latin-1"))
        sys.stdout.flush()
        return
    if isinstance(text, bytes):
        output.write_bytes(text)
    else:
        output.write_text(text, encoding="utf-8")
    c = data["counts"]
    typer.echo(f"sitroom: {fmt} report written to {output} ({c['events']} events, {c['figures']} figures, "
               f"{c['contested_claims']} contested claims, {c['documents']} documents)", err=True)
