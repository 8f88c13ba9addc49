"""The report's charts, drawn with matplotlib (Agg) from the report dict, as inline SVG strings.

* :func:`timeline_svg` - events per day, stacked by event type;
* :func:`map_svg` - events as points at their coordinates, sized by fatalities, coloured by type,
  over the larger towns of the area from the local gazetteer (GeoNames) for context.

Nothing is fetched from the network. Empty data gives a figure that says so. The SVG has text as
text (``svg.fonttype: none``; matplotlib escapes it) and its element ids are prefixed so that
several charts can sit in one HTML page.
"""
from __future__ import annotations

import io
import math
import re
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import rc_context  # noqa: E402

#: A colour per ACLED event type (Okabe-Ito, readable by colour-blind readers).
TYPE_COLOURS = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#E69F00",
    "Violence against civilians": "#CC79A7",
    "Protests": "#009E73",
    "Riots": "#56B4E9",
    "Strategic developments": "#0072B2",
    "Unknown": "#999999",
}
_EXTRA = ("#F0E442", "#000000", "#8c564b", "#17becf")

RC = {"svg.fonttype": "none", "svg.hashsalt": "sitroom", "font.size": 9, "font.family": "DejaVu Sans",
      "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 10}


def type_colour(t: str, types: list[str] | None = None) -> str:
    if t in TYPE_COLOURS:
        return TYPE_COLOURS[t]
    others = [x for x in (types or []) if x not in TYPE_COLOURS]
    i = others.index(t) if t in others else 0
    return _EXTRA[i % len(_EXTRA)]


def _svg(fig, prefix: str, title: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    s = buf.getvalue()
    s = s[s.index("<svg"):]                      # drop the XML declaration and DOCTYPE
    # unique ids per chart so that several SVGs can share a page
    s = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', s)
    s = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", s)
    s = re.sub(r'((?<![\w-])(?:xlink:)?href)="#([^"]+)"', rf'\1="#{prefix}-\2"', s)
    # an accessible name, and a class for the page's CSS
    s = s.replace("<svg ", f'<svg class="chart" role="img" aria-label="{_attr(title)}" ', 1)
    return s


def _attr(s: str) -> str:
    return (s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


def _empty(ax, text: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_visible(False)
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#666666", fontsize=11)


def _label(s: Any, n: int = 40) -> str:
    """A label from article-derived text: one line, bounded, no mathtext ($ is literal)."""
    t = " ".join(str(s or "").split())
    if len(t) > n:
        t = t[:n - 1] + "…"
    return t.replace("$", r"\$")


# ------------------------------------------------------------------ timeline

def timeline_svg(report: dict[str, Any], *, width: float = 7.5, height: float = 2.8) -> str:
    """Events per day stacked by event type, as an SVG string."""
    tl = report.get("timeline") or {}
    days = tl.get("days") or []
    types = list(tl.get("types") or [])
    title = "Events per day by type"
    with rc_context(RC):
        fig, ax = plt.subplots(figsize=(width, height))
        if not days or not any(d.get("total") for d in days):
            _empty(ax, "No dated events in this period")
            ax.set_title(title, loc="left")
            return _svg(fig, "timeline", title + ": no events")
        xs = [date.fromisoformat(d["date"]) for d in days]
        bottom = [0] * len(days)
        for t in types:
            ys = [int((d.get("by_type") or {}).get(t, 0)) for d in days]
            if not any(ys):
                continue
            ax.bar(xs, ys, bottom=bottom, width=0.8, label=_label(t), color=type_colour(t, types),
                   edgecolor="white", linewidth=0.5)
            bottom = [b + y for b, y in zip(bottom, ys)]
        top = max(bottom) or 1
        ax.set_ylim(0, top + max(1, math.ceil(top * 0.1)))
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("events")
        import matplotlib.dates as mdates
        loc = mdates.AutoDateLocator(minticks=3, maxticks=10)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        ax.set_xlim(mdates.date2num(xs[0]) - 0.7, mdates.date2num(xs[-1]) + 0.7)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        note = []
        if tl.get("undated"):
            note.append(f"{tl['undated']} undated")
        if tl.get("outside"):
            note.append(f"{tl['outside']} dated outside the period")
        approx = sum(d.get("approximate") or 0 for d in days)
        if approx:
            note.append(f"{approx} dated to a week or month (shown on their central day)")
        if note:
            ax.text(1.0, 1.02, "; ".join(note), transform=ax.transAxes, ha="right", va="bottom",
                    fontsize=7, color="#666666")
        ax.set_title(title, loc="left")
        return _svg(fig, "timeline", title)


# ------------------------------------------------------------------ map

def _context_places(lat0: float, lat1: float, lon0: float, lon1: float, limit: int = 12) -> list[tuple]:
    """The most populous gazetteer towns inside the box: [(name, lat, lon, population)].
    Empty when the gazetteer is not available (the map does without)."""
    try:
        from ..kb.gazetteer import Gazetteer
        g = Gazetteer.get()
        c = g._cols     # column-wise: name 0, kind 1, lat 7, lon 8, population 9
        names, kinds, lats, lons, pops = c[0], c[1], c[7], c[8], c[9]
        got = []
        for i in range(len(names)):
            la = lats[i]
            if la != la or not (lat0 <= la <= lat1):
                continue
            lo = lons[i]
            if not (lon0 <= lo <= lon1) or kinds[i] != "populated_place" or pops[i] < 5000:
                continue
            got.append((names[i], la, lo, pops[i]))
        got.sort(key=lambda x: -x[3])
        out, seen = [], set()
        for x in got:
            if x[0] in seen:
                continue
            seen.add(x[0])
            out.append(x)
            if len(out) >= limit:
                break
        return out
    except Exception:  # noqa: BLE001 - context is optional
        return []


def _size(f: Any) -> float:
    """Marker area (points^2) for a fatality count: an event without deaths still shows."""
    n = f if isinstance(f, (int, float)) and f > 0 else 0
    return 30 + 40 * math.sqrt(n)


def map_svg(report: dict[str, Any], *, width: float = 7.5, height: float = 5.5, context: bool = True) -> str:
    """Events as points sized by fatalities and coloured by type, over context towns, as SVG."""
    events = [e for e in report.get("events") or []
              if isinstance(e.get("latitude"), (int, float)) and isinstance(e.get("longitude"), (int, float))]
    types = list((report.get("timeline") or {}).get("types") or [])
    for e in events:
        if (e.get("event_type") or "Unknown") not in types:
            types.append(e.get("event_type") or "Unknown")
    title = "Events by location, sized by fatalities"
    with rc_context(RC):
        fig, ax = plt.subplots(figsize=(width, height))
        if not events:
            _empty(ax, "No events with coordinates in this period")
            ax.set_title(title, loc="left")
            return _svg(fig, "map", title + ": no events")
        lats = [e["latitude"] for e in events]
        lons = [e["longitude"] for e in events]
        pad_lat = max(0.15, (max(lats) - min(lats)) * 0.15)
        pad_lon = max(0.15, (max(lons) - min(lons)) * 0.15)
        lat0, lat1 = min(lats) - pad_lat, max(lats) + pad_lat
        lon0, lon1 = min(lons) - pad_lon, max(lons) + pad_lon
        # keep degrees roughly square at this latitude, and the box about 4:3
        k = 1 / max(0.2, math.cos(math.radians((lat0 + lat1) / 2)))
        ratio = (lon1 - lon0) / (k * (lat1 - lat0))
        if ratio < 1.33:
            extra = (1.33 * k * (lat1 - lat0) - (lon1 - lon0)) / 2
            lon0, lon1 = lon0 - extra, lon1 + extra
        elif ratio > 1.33:
            extra = ((lon1 - lon0) / (1.33 * k) - (lat1 - lat0)) / 2
            lat0, lat1 = lat0 - extra, lat1 + extra
        ax.set_aspect(k)
        if context:
            for name, la, lo, pop in _context_places(lat0, lat1, lon0, lon1):
                if any(abs(la - a) < 0.03 and abs(lo - b) < 0.03 for a, b in zip(lats, lons)):
                    continue    # the event's own label names it
                ax.plot(lo, la, marker="s", ms=3, color="#bbbbbb", zorder=1)
                ax.annotate(_label(name, 24), (lo, la), xytext=(4, -8), textcoords="offset points",
                            fontsize=7, color="#999999", zorder=1)
        # one point per event; several at one place stack, so draw the biggest first
        for e in sorted(events, key=lambda e: -(e.get("fatalities") or 0)):
            t = e.get("event_type") or "Unknown"
            ax.scatter(e["longitude"], e["latitude"], s=_size(e.get("fatalities")), color=type_colour(t, types),
                       alpha=0.6, edgecolors="black" if e.get("contested") else "white",
                       linewidths=1.2 if e.get("contested") else 0.6, zorder=3)
        # label each distinct place with its events and deaths
        places: dict[tuple, dict] = {}
        for e in events:
            key = (round(e["latitude"], 3), round(e["longitude"], 3))
            name = e.get("location") or e.get("admin1") or "?"
            if (e.get("geo_precision") or 1) >= 3:
                name += " (area)"
            p = places.setdefault(key, {"name": name, "n": 0, "f": 0})
            p["n"] += 1
            p["f"] += e.get("fatalities") or 0
        for (la, lo), p in places.items():
            ax.annotate(f"{_label(p['name'], 28)} ({p['n']} ev, {p['f']} killed)", (lo, la), xytext=(6, 6),
                        textcoords="offset points", fontsize=8, zorder=4)
        ax.set_xlim(lon0, lon1)
        ax.set_ylim(lat0, lat1)
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
        ax.grid(color="#eeeeee", linewidth=0.6)
        ax.set_axisbelow(True)
        # legends: colour = type, size = fatalities
        from matplotlib.lines import Line2D
        handles = [Line2D([], [], marker="o", ls="", color=type_colour(t, types), alpha=0.6, ms=7, label=_label(t))
                   for t in types if any((e.get("event_type") or "Unknown") == t for e in events)]
        biggest = max((e.get("fatalities") or 0) for e in events)
        for n in sorted({0, 10, biggest} if biggest > 10 else {0, biggest}):
            handles.append(Line2D([], [], marker="o", ls="", color="#888888", alpha=0.5,
                                  ms=math.sqrt(_size(n)), label=f"{n} killed"))
        if any(e.get("contested") for e in events):
            handles.append(Line2D([], [], marker="o", ls="", mfc="white", mec="black", ms=7, label="contested"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8,
                  labelspacing=1.1)
        ax.set_title(title, loc="left")
        return _svg(fig, "map", title)
