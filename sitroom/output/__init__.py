"""Writers for extraction results: json, jsonl (the batch contract), csv (ACLED columns), table."""
from __future__ import annotations

import csv
import json
import time
import re
from typing import Any, Iterable, TextIO

from ..model import ACLED_COLUMNS

FORMATS = ("json", "jsonl", "csv", "table")
#: CSV columns: every ACLED column in ACLED's order, then sitroom's additions (``event_id`` is the
#: pipeline's id of the event; ``country_code`` the ISO 3166 alpha-2 code).
CSV_COLUMNS = ACLED_COLUMNS + (
    "event_id", "fatalities_low", "fatalities_high", "civilian_fatalities", "confidence", "doc_id", "evidence",
    "country_code",
)


#: characters JSON leaves raw but that many readers take for line ends (U+2028, U+2029, NEL:
#: str.splitlines, JavaScript before ES2019) or that no UTF-8 encoder takes (lone surrogates)
_LINE_BREAKING = re.compile("[\u2028\u2029\u0085\ud800-\udfff]")


def _escape_line_breaks(s: str) -> str:
    return _LINE_BREAKING.sub(lambda m: "\\u%04x" % ord(m.group()), s)


def dumps(obj: Any) -> str:
    """One JSON line: UTF-8 as is, except the characters above, written as \\uXXXX escapes."""
    return _escape_line_breaks(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


class Writer:
    """Streams results in the chosen format; ``close()`` finishes formats that need the end."""

    def __init__(self, fmt: str, out: TextIO, console=None) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        self.fmt, self.out, self.console = fmt, out, console
        self.results: list[dict[str, Any]] = []
        self._csv = None
        self.extracted_at = int(time.time())     # the CSV's ACLED timestamp: when the events were made

    def write(self, result: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.out.write(dumps(result) + "\n")
            self.out.flush()
        elif self.fmt == "csv":
            if self._csv is None:
                self._csv = csv.DictWriter(self.out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
                self._csv.writeheader()
            for row in csv_rows(result, extracted_at=self.extracted_at):
                self._csv.writerow(row)
        else:
            self.results.append(result)

    def close(self) -> None:
        if self.fmt == "json":
            obj: Any = self.results[0] if len(self.results) == 1 else self.results
            self.out.write(_escape_line_breaks(json.dumps(obj, ensure_ascii=False, indent=2)) + "\n")
        elif self.fmt == "table":
            print_tables(self.results, self.console)


def csv_rows(result: dict[str, Any], *, extracted_at: int | None = None) -> Iterable[dict[str, Any]]:
    """One document's events as CSV rows: ACLED's columns by ACLED's codebook (sitroom/output/acled.py),
    then sitroom's. ``fatalities`` is 0 when no number was reported, as ACLED writes it
    (``fatalities_low``/``fatalities_high`` stay empty)."""
    from .acled import acled_fields

    sources = [{"source": result.get("source"), "url": result.get("url")}]
    for ev in result.get("events") or []:
        row = {k: ev.get(k) for k in CSV_COLUMNS if k in ev}
        row.update(acled_fields(ev, number=event_number(ev.get("event_id")), sources=sources,
                                updated=extracted_at if extracted_at is not None else int(time.time())))
        if row.get("fatalities") is None:
            row["fatalities"] = 0
        row["doc_id"] = result.get("doc_id")
        row["evidence"] = " | ".join(f"{s['start']}-{s['end']}" for s in ev.get("evidence", []))
        yield row


def event_number(event_id: str | None) -> int | str:
    """The number of an extracted event's ACLED id: its pipeline id ``ev-<hex>`` read as a number,
    stable across runs (the database numbers fused events by their row)."""
    h = (event_id or "").rpartition("-")[2]
    try:
        return int(h, 16)
    except ValueError:
        return h


def print_tables(results: list[dict[str, Any]], console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    for res in results:
        if "error" in res:
            console.print(f"[bold red]{res['doc_id']}[/]: {res['error']}", markup=True, highlight=False)
            continue
        title = res.get("title") or res["doc_id"]
        console.rule(f"[bold]{_esc(title)}[/]  ({_esc(res['doc_id'])}, published {res.get('published') or 'unknown'})")
        t = Table(show_lines=False, header_style="bold", expand=True)
        for col in ("date", "type", "actor1", "actor2", "location", "admin1", "country", "killed", "conf"):
            t.add_column(col, overflow="fold")
        for ev in res["events"]:
            killed = ev.get("fatalities")
            if killed is not None and ev.get("fatalities_high") not in (None, killed):
                killed = f"{ev['fatalities_low']}-{ev['fatalities_high']}"
            t.add_row(
                f"{ev.get('event_date') or '?'} (p{ev.get('time_precision') or '?'})",
                ev.get("sub_event_type") or "", _esc(ev.get("actor1") or ""), _esc(ev.get("actor2") or ""),
                f"{_esc(ev.get('location') or '')} (g{ev.get('geo_precision') or '?'})",
                _esc(ev.get("admin1") or ""), _esc(ev.get("country") or ""),
                "" if killed is None else str(killed), f"{ev.get('confidence', 0):.2f}")
        console.print(t)
        for f in res.get("figures", []):
            bd = ", ".join(f"{k} {v:,}" for k, v in f.get("breakdown", {}).items() if k != "civilians")
            console.print(
                f"  figure: {f['kind']} {(f.get('qualifier') or '') + ' ' if f.get('qualifier') else ''}"
                f"{f['value']:,}" + (f" ({bd})" if bd else "")
                + (f" since {f['period_start']}" if f.get("period_start") else "")
                + (f", {_esc(f['location'])}" if f.get("location") else "")
                + (f" — {_esc(f['attributed_to'])}" if f.get("attributed_to") else "")
                + (" [verified]" if f.get("verified") else ""), markup=False, highlight=False)
        for c in res.get("claims", []):
            if c["kind"] != "statement":
                console.print(f"  claim ({c['kind']}): {c.get('speaker')}: {c['text'][:110]}",
                              markup=False, highlight=False)
        for a in res.get("agreements", []):
            console.print(f"  agreement: {a['kind']} between {', '.join(a['parties']) or '?'}; "
                          f"effective {a.get('effective_date') or '?'}; area {a.get('area') or '?'}"
                          + (f"; {a['status']}" if a.get("status") else ""), markup=False, highlight=False)
        for q in res.get("quality", []):
            console.print(f"  quality: {q['kind']}: {q['message']}", markup=False, highlight=False)


def _esc(s: str) -> str:
    from rich.markup import escape
    return escape(str(s))
