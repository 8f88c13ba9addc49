"""``sitroom figures``, ``claims``, ``ceasefires``: what documents report besides events."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..model import to_jsonable
from ..store.serialize import CLAIM_COLUMNS, FIGURE_COLUMNS, claim_csv, claim_json, figure_json
from .options import (admin1_option, check_format, country_option, db_option, output_option, parse_date, query,
                      table_format_option)


def _table(title: str, columns: tuple[str, ...]):
    """An empty rich table with sitroom's look: the given title and folding columns."""
    from rich.table import Table

    t = Table(header_style="bold", expand=True, title=title)
    for col in columns:
        t.add_column(col, overflow="fold")
    return t


def _write_rows(fmt: str, output: Optional[Path], json_rows: list[dict], columns: list[str],
                csv_rows: list[dict], table) -> None:
    """JSON (a list), CSV (``columns``) or a rich table (``table(console)``) to ``output`` or stdout."""
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "json":
            json.dump(to_jsonable(json_rows), stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        elif fmt == "csv":
            w = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            w.writeheader()
            for r in csv_rows:
                w.writerow(to_jsonable(r))
        else:
            table(Console(file=stream, width=200) if output else Console())
    finally:
        if output:
            stream.close()


def figures(
    db: Optional[str] = db_option(),
    kind: Optional[str] = typer.Option(None, "--kind", help="killed, injured, displaced, ..."),
    country: Optional[str] = country_option(),
    admin1: Optional[str] = admin1_option(),
    since: Optional[str] = typer.Option(None, "--since", help="Figures whose period reaches this date (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Figures whose period starts by this date (YYYY-MM-DD)."),
    doc: Optional[str] = typer.Option(None, "--doc", help="Only this document (its doc_id)."),
    fmt: str = table_format_option(),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many figures."),
    output: Optional[Path] = output_option(),
) -> None:
    """List figures (tallies: killed, injured, displaced ...) the documents report, with their period and source."""
    check_format(fmt)
    rows = query(db, "query_figures", kind=kind, country=country, admin1=admin1, since=parse_date(since, "--since"),
                  until=parse_date(until, "--until"), doc=doc, limit=limit)
    js = [figure_json(r) for r in rows]

    def table(console: Console) -> None:
        from rich.markup import escape

        t = _table(f"{len(js)} figures", ("kind", "number", "unit", "period", "where", "attributed to", "document"))
        for f in js:
            num = f"{f['qualifier'] + ' ' if f.get('qualifier') else ''}{f['value'] if f['value'] is not None else ''}"
            if f.get("low") is not None and f.get("high") is not None and f["low"] != f["high"]:
                num += f" ({f['low']}-{f['high']})"
            period = "..".join(x for x in (f.get("period_start"), f.get("period_end")) if x)
            where = ", ".join(x for x in (f.get("location"), f.get("admin1"), f.get("country")) if x)
            t.add_row(escape(f.get("kind") or ""), escape(num), escape(f.get("unit") or ""), period, escape(where),
                      escape(f.get("attributed_to") or "") + (" (verified)" if f["verified"] else ""),
                      escape(f["doc_id"] or ""))
        console.print(t)

    _write_rows(fmt, output, js, FIGURE_COLUMNS, js, table)


def claims(
    db: Optional[str] = db_option(),
    kind: Optional[str] = typer.Option(None, "--kind", help="denial | accusation | statement | appeal"),
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Speaker name or part of it."),
    target: Optional[str] = typer.Option(None, "--target", help="Accused party, or part of its name."),
    event: Optional[str] = typer.Option(None, "--event", help="Only claims linked to this event (SR12)."),
    country: Optional[str] = typer.Option(None, "--country", help="Linked to an event in this country (SY or name)."),
    admin1: Optional[str] = typer.Option(None, "--admin1", help="Linked to an event in this region."),
    since: Optional[str] = typer.Option(None, "--since", help="Claims made on or after this date (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Claims made on or before this date (YYYY-MM-DD)."),
    type_: Optional[str] = typer.Option(None, "--type", help="Linked to an event of this sub-event or event type."),
    actor: Optional[str] = typer.Option(None, "--actor", help="Linked to an event with this actor."),
    fmt: str = table_format_option(),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many claims."),
    output: Optional[Path] = output_option(),
) -> None:
    """List claims (statements, appeals, denials, accusations) with the events they dispute or are about."""
    from ..store.core import parse_event_id

    check_format(fmt)
    if event is not None:
        try:
            parse_event_id(event)
        except ValueError:
            raise typer.BadParameter(f"{event!r} is not an event id like SR12", param_hint="--event")
    rows = query(db, "query_claims", kind=kind, speaker=speaker, target=target, event=event, country=country,
                  admin1=admin1, since=parse_date(since, "--since"), until=parse_date(until, "--until"),
                  type=type_, actor=actor, limit=limit)
    js = [claim_json(r) for r in rows]

    def table(console: Console) -> None:
        from rich.markup import escape

        t = _table(f"{len(js)} claims", ("kind", "speaker", "target", "date", "text", "events", "document"))
        for c in js:
            evs = " ".join(f"{e['relation']} {e['event_id']}" + (" (contested)" if e["contested"] else "")
                           for e in c["events"])
            t.add_row(escape(c["kind"] or ""), escape(c["speaker"] or ""), escape(c["target"] or ""),
                      c["date"] or "", escape(c["text"] or ""), escape(evs), escape(c["doc_id"] or ""))
        console.print(t)

    _write_rows(fmt, output, js, CLAIM_COLUMNS, [claim_csv(c) for c in js], table)


CEASEFIRE_COLUMNS = ["agreement", "kind", "parties", "effective_date", "agreed_date", "area", "status", "documents",
                     "date", "n_events", "fatalities", "events"]


def ceasefires(
    db: Optional[str] = db_option(),
    kind: Optional[str] = typer.Option(None, "--kind", help="ceasefire, truce, de-escalation zone, ... (part of it)."),
    area: Optional[str] = typer.Option(None, "--area", help="Agreements covering this area, e.g. Idlib."),
    since: Optional[str] = typer.Option(None, "--since", help="Agreements in effect from this date on (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Count violations up to this date (YYYY-MM-DD)."),
    fmt: str = table_format_option(),
    output: Optional[Path] = output_option(),
) -> None:
    """List agreements (ceasefires, truces ...) with their alleged violations per day.

    A violation is a violent event inside the agreement's area on or after its effective date."""
    check_format(fmt)
    rows = query(db, "ceasefires", kind=kind, area=area, since=parse_date(since, "--since"),
                  until=parse_date(until, "--until"))
    flat = []
    for a in rows:
        base = {k: a.get(k) for k in CEASEFIRE_COLUMNS[:8]}
        base["parties"] = "; ".join(a["parties"])
        base["documents"] = " ".join(a["documents"])
        if not a["days"]:
            flat.append(dict(base, date="", n_events=0, fatalities=0, events=""))
        for d in a["days"]:
            flat.append(dict(base, date=d["date"], n_events=d["n_events"], fatalities=d["fatalities"],
                             events=" ".join(e["event_id"] for e in d["events"])))

    def table(console: Console) -> None:
        from rich.markup import escape

        if not rows:
            console.print("no agreements")
        for a in rows:
            head = (f"{a['kind'] or 'agreement'} #{a['agreement']}"
                    + (f" between {', '.join(a['parties'])}" if a["parties"] else "")
                    + f", effective {a['effective_date'] or a['agreed_date'] or 'date unknown'}"
                    + f", area {a['area_used'] or 'unknown'}" + (f", {a['status']}" if a.get("status") else "")
                    + f": {a['n_violations']} alleged violations, {a['fatalities']} killed"
                    + f" (reported in {', '.join(a['documents'])})")
            t = _table(escape(head), ("day", "events", "killed", "which"))
            for d in a["days"]:
                t.add_row(d["date"], str(d["n_events"]), str(d["fatalities"]),
                          escape("; ".join(f"{e['event_id']} {e['sub_event_type'] or '?'} at {e['location'] or '?'}"
                                           + (" (contested)" if e["contested"] else "") for e in d["events"])))
            console.print(t)

    _write_rows(fmt, output, rows, CEASEFIRE_COLUMNS, flat, table)
