"""The daily brief: the situation report of the last 24 hours, as HTML and Markdown, written by
``sitroom brief`` or on a schedule by ``sitroom watch --brief 06:00``.

The report is :mod:`sitroom.report`'s, over the events whose date range touches the last 24 hours
(event dates are days: yesterday and today). Files: ``DIR/brief-YYYY-MM-DD.html`` and ``.md``
(with the Markdown's charts as SVG beside it), and ``DIR/latest.html`` / ``latest.md`` copies.
"""
from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

FILTER_KEYS = ("country", "admin1")


class BriefError(ValueError):
    pass


def parse_filters(items: list[str] | None) -> dict[str, str]:
    """``["country=SY", "admin1=Idlib"]`` -> ``{"country": "SY", "admin1": "Idlib"}``."""
    out: dict[str, str] = {}
    for it in items or []:
        key, sep, val = it.partition("=")
        key = key.strip().lower()
        if not sep or key not in FILTER_KEYS or not val.strip():
            raise BriefError(f"--brief-filter {it!r}: use KEY=VALUE with KEY one of {', '.join(FILTER_KEYS)}")
        out[key] = val.strip()
    return out


def parse_time(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value or "")
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise BriefError(f"--brief {value!r}: give a time of day as HH:MM (local time), e.g. 06:00")
    return int(m[1]), int(m[2])


def due(at: tuple[int, int], out_dir: Path, now: datetime | None = None) -> bool:
    """Is today's brief due (past ``at`` local time and not written yet)?"""
    now = now or datetime.now()
    if (now.hour, now.minute) < at:
        return False
    return not (out_dir / f"brief-{now.date().isoformat()}.html").exists()


def write_brief(store, out_dir: Path, *, filters: dict[str, str] | None = None,
                now: datetime | None = None) -> dict[str, Any]:
    """Write today's brief into ``out_dir``; returns the paths and the report's counts."""
    from ..report import render
    from ..report.data import build_report

    now = now or datetime.now()
    out_dir.mkdir(parents=True, exist_ok=True)
    data = build_report(store, since=(now - timedelta(hours=24)).date(), until=now.date(), **(filters or {}))
    stem = f"brief-{now.date().isoformat()}"
    html_path, md_path = out_dir / f"{stem}.html", out_dir / f"{stem}.md"
    refs = {}
    for name, svg in render.chart_files(data).items():
        p = out_dir / f"{stem}.{name}.svg"
        p.write_text(svg, encoding="utf-8")
        refs[name] = p.name
    md_text = render.render_markdown(data, chart_refs=refs)
    html_text = render.render_html(data)
    tmp = html_path.with_suffix(".html.part")        # never a half-written brief under its name
    tmp.write_text(html_text, encoding="utf-8")
    tmp.replace(html_path)
    tmp = md_path.with_suffix(".md.part")
    tmp.write_text(md_text, encoding="utf-8")
    tmp.replace(md_path)
    shutil.copyfile(html_path, out_dir / "latest.html")
    shutil.copyfile(md_path, out_dir / "latest.md")
    return {"html": str(html_path), "markdown": str(md_path), "counts": data.get("counts", {})}
