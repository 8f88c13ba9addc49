"""Readers for the gold sets in ``../shared/eval/`` (one per format).

Every reader yields :class:`GoldItem` s in file order: the text sitroom runs on, a doc id, the
publication date to give the pipeline (never derived from the gold answer), the gold fields, and
the split part the item belongs to (see :func:`assign_part`).

Formats (``FORMATS``):

* ``case2021``: CASE 2021 Task 2 TSV (``id``, ``EventSnippet``, ``SubType``); no date.
* ``ucdp``: UCDP GED CSV. Text = ``source_headline`` (several sources' headlines joined by ``;``);
  published = the first real date in ``source_date`` (UCDP writes ``1753-01-01`` for "unknown";
  dates before 1900 are skipped), never ``date_start``.
* ``fakes``: FA-KES CSV. Text = ``article_title`` + blank line + ``article_content`` (the content
  alone when it already starts with the title); published = ``date`` (M/D/YY).
* ``geo-xml``: TR-News / LGL-style (``<article docid>``, ``<toponym><phrase>``, ``<gaztag>``) and
  GeoWebNews-style (``<article file>``, ``<toponym><extractedName>``, ``<type>``) XML,
  auto-detected per file. Published = ``<dltime>`` when present.
* ``timeml``: TimeML ``.tml`` files (a file or a directory), via :func:`read_timeml`; published =
  the document creation time.
* ``events``: a hand-coded ACLED-style key (JSON Lines, one line per article) with the articles in
  a second JSON Lines file (``articles.jsonl`` beside the key, or ``articles=``); see
  :mod:`sitroom.evaluate.events`.

Splits (``--split tune|measure|all``), fixed and deterministic, so nothing is tuned on what is
reported:

* ``case2021``: 0-based data-row index, even = tune, odd = measure (as ``benchmarks/case_quick.py``).
* ``timeml``: files under a ``TimeBank/`` directory = tune, under ``AQUAINT/`` = measure (as
  ``benchmarks/timeml_quick.py``); any other file by text hash (below).
* ``ucdp``, ``fakes``, ``geo-xml``: the parity of the first 8 hex digits of the text's
  :func:`~sitroom.model.content_hash` (whitespace-normalised, case-folded SHA-256): even = tune.
  Identical texts (UCDP repeats one headline for several events) always fall in the same part.
* ``events``: the same parity, of the hash of the article id.
"""
from __future__ import annotations

import csv
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

from ..model import content_hash

FORMATS = ("case2021", "ucdp", "fakes", "geo-xml", "timeml", "events")
PARTS = ("tune", "measure")


@dataclass
class GoldItem:
    doc_id: str
    text: str
    published: date | None
    gold: dict[str, Any]
    part: str = "tune"                 # tune | measure
    title: str | None = None
    index: int = 0                     # position in the gold file (0-based)
    source: str = ""                   # gold file the item came from
    meta: dict[str, Any] = field(default_factory=dict)


def hash_part(text: str) -> str:
    """tune/measure by the parity of the text's content hash (stable across runs and machines)."""
    return "tune" if int(content_hash(text)[:8], 16) % 2 == 0 else "measure"


def index_part(index: int) -> str:
    return "tune" if index % 2 == 0 else "measure"


def _float(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if f == f else None      # NaN -> None


def _int(v: Any) -> int | None:
    f = _float(v)
    return int(f) if f is not None else None


def _csv_field_limit() -> None:
    try:
        csv.field_size_limit(sys.maxsize)
    except OverflowError:             # pragma: no cover - 32-bit platforms
        csv.field_size_limit(2**31 - 1)


# ---------------------------------------------------------------- case2021

def read_case2021(path: str | Path) -> Iterator[GoldItem]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for i, row in enumerate(rows):
            text = row.get("EventSnippet") or ""
            yield GoldItem(doc_id=f"case2021:{row['id']}", text=text, published=None,
                           gold={"code": (row.get("SubType") or "").strip()},
                           part=index_part(i), index=i, source=str(path))


# ---------------------------------------------------------------- ucdp

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def first_source_date(value: str | None) -> date | None:
    """The first real date in UCDP's ``source_date`` ("2016-01-12;2016-01-13"); 1753-01-01 and
    other pre-1900 placeholders are skipped."""
    for m in _ISO_DATE.finditer(value or ""):
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if d.year >= 1900:
            return d
    return None


def read_ucdp(path: str | Path) -> Iterator[GoldItem]:
    _csv_field_limit()
    with open(path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            text = (row.get("source_headline") or "").strip()
            gid = row.get("id") or str(i)
            gid = gid[:-2] if gid.endswith(".0") else gid
            gold = {
                "id": gid,
                "adm_1": (row.get("adm_1") or "").strip() or None,
                "adm_2": (row.get("adm_2") or "").strip() or None,
                "where_coordinates": row.get("where_coordinates") or None,
                "where_prec": _int(row.get("where_prec")),
                "latitude": _float(row.get("latitude")),
                "longitude": _float(row.get("longitude")),
                "date_prec": _int(row.get("date_prec")),
                "date_start": (row.get("date_start") or "")[:10] or None,
                "date_end": (row.get("date_end") or "")[:10] or None,
                "best": _int(row.get("best")),
                "low": _int(row.get("low")),
                "high": _int(row.get("high")),
                "deaths_civilians": _int(row.get("deaths_civilians")),
                "type_of_violence": _int(row.get("type_of_violence")),
                "side_a": row.get("side_a") or None,
                "side_b": row.get("side_b") or None,
            }
            yield GoldItem(doc_id=f"ucdp:{gid}", text=text,
                           published=first_source_date(row.get("source_date")), gold=gold,
                           part=hash_part(text), index=i, source=str(path),
                           meta={"source_date": row.get("source_date")})


# ---------------------------------------------------------------- fakes

def parse_mdy(value: str | None) -> date | None:
    """FA-KES dates: M/D/YY (two-digit years are 20YY) or M/D/YYYY."""
    m = re.match(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*$", value or "")
    if not m:
        return None
    y = int(m.group(3))
    if y < 100:
        y += 2000
    try:
        return date(y, int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


def read_fakes(path: str | Path) -> Iterator[GoldItem]:
    _csv_field_limit()
    with open(path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            title = (row.get("article_title") or "").strip()
            content = (row.get("article_content") or "").strip()
            if title and not content.startswith(title):
                text = f"{title}\n\n{content}" if content else title
            else:
                text = content
            uid = row.get("unit_id") or str(i)
            gold = {
                "location": (row.get("location") or "").strip() or None,
                "date": row.get("date"),
                "actor": row.get("actor") or None,
                "cause_of_death": row.get("cause_of_death") or None,
                "nb_civilians": _int(row.get("nb_civilians")),
                "nb_children": _int(row.get("nb_children")),
                "nb_women": _int(row.get("nb_women")),
                "nb_noncivilians": _int(row.get("nb_noncivilians")),
                "label": _int(row.get("label")),
                "source": row.get("source") or None,
            }
            yield GoldItem(doc_id=f"fakes:{uid}", text=text, published=parse_mdy(row.get("date")),
                           gold=gold, part=hash_part(text), title=title or None, index=i,
                           source=str(path))


# ---------------------------------------------------------------- geo-xml

#: GeoWebNews annotation types that are toponyms (Literal and Associative, Gritta et al. 2019).
GWN_TOPONYM_TYPES = frozenset({"Literal", "Literal_Modifier", "Embedded_Literal", "Mixed",
                               "Metonymic", "Non_Literal_Modifier", "Embedded_Non_Lit", "Coercion"})
#: GeoWebNews types neither rewarded nor penalised: a predicted place overlapping one of these is
#: left out of precision (demonyms without a place, language names, person names equal to places).
GWN_IGNORED_TYPES = frozenset({"Demonym", "Language", "Homonym"})
#: Everything else (Literal_Expression, Non_Lit_Expression: the words around a toponym;
#: Non_Toponym: organisation names etc.) is not a toponym: predicting a place there is a false
#: positive.


def _text(el: ET.Element | None, tag: str) -> str | None:
    if el is None:
        return None
    v = el.findtext(tag)
    if v is None:
        return None
    v = v.strip()
    return v or None


def geo_style(root: ET.Element) -> str:
    """'lgl' (TR-News/LGL: <toponym><phrase>, <gaztag>) or 'gwn' (GeoWebNews: <extractedName>)."""
    for t in root.iter("toponym"):
        if t.find("extractedName") is not None:
            return "gwn"
        if t.find("phrase") is not None or t.find("gaztag") is not None:
            return "lgl"
    first = root.find("article")
    if first is not None and first.get("file") is not None:
        return "gwn"
    return "lgl"


def repair_offsets(text: str, start: int, end: int, phrase: str | None,
                   window: int = 20) -> tuple[int, int]:
    """TR-News has some offsets one or two characters off (and a few ends cut short): when the
    span does not hold the annotated phrase, move it to the nearest occurrence of the phrase within
    ``window`` characters. Otherwise the offsets are kept as given."""
    if not phrase or text[start:end] == phrase:
        return start, end
    lo = max(0, start - window)
    best: int | None = None
    i = text.find(phrase, lo, start + len(phrase) + window)
    while i != -1:
        if best is None or abs(i - start) < abs(best - start):
            best = i
        i = text.find(phrase, i + 1, start + len(phrase) + window)
    if best is None:
        return start, end
    return best, best + len(phrase)


def read_geo_xml(path: str | Path) -> Iterator[GoldItem]:
    p = Path(path)
    if p.is_dir():
        for f in sorted(p.glob("*.xml")):
            yield from read_geo_xml(f)
        return
    root = ET.parse(p).getroot()
    style = geo_style(root)
    stem = p.stem
    for i, art in enumerate(root.iter("article")):
        text = art.findtext("text") or ""
        title = (art.findtext("title") or "").strip() or None
        aid = art.get("docid") or art.get("file") or art.get("id") or str(i)
        published = None
        dl = _text(art, "dltime")
        if dl and _ISO_DATE.match(dl):
            try:
                published = date.fromisoformat(dl[:10])
            except ValueError:
                published = None
        toponyms: list[dict[str, Any]] = []
        ignored: list[dict[str, Any]] = []
        tops = art.find("toponyms")
        for t in (tops.findall("toponym") if tops is not None else []):
            start, end = _int(t.findtext("start")), _int(t.findtext("end"))
            if start is None or end is None or end <= start:
                continue
            phrase = _text(t, "phrase") if style == "lgl" else _text(t, "extractedName")
            start, end = repair_offsets(text, start, end, phrase)
            if style == "lgl":
                g = t.find("gaztag")
                lat = _float(_text(g, "lat")) if g is not None else None
                lon = _float(_text(g, "lon")) if g is not None else None
                gid = g.get("geonameid") if g is not None else None
                rec = {"start": start, "end": end, "text": text[start:end],
                       "phrase": _text(t, "phrase"), "type": "toponym", "lat": lat, "lon": lon,
                       "geonameid": gid, "name": _text(g, "name")}
                toponyms.append(rec)
            else:
                ttype = _text(t, "type") or ""
                rec = {"start": start, "end": end, "text": text[start:end],
                       "phrase": _text(t, "extractedName"), "type": ttype,
                       "lat": _float(_text(t, "latitude")), "lon": _float(_text(t, "longitude")),
                       "geonameid": _text(t, "geonamesID"), "name": _text(t, "normalisedName")}
                if ttype in GWN_TOPONYM_TYPES:
                    toponyms.append(rec)
                elif ttype in GWN_IGNORED_TYPES:
                    ignored.append(rec)
                elif ttype == "Non_Toponym":
                    pass
        toponyms.sort(key=lambda r: (r["start"], r["end"]))
        yield GoldItem(doc_id=f"{stem}:{aid}", text=text, published=published, title=title,
                       gold={"style": style, "toponyms": toponyms, "ignored": ignored},
                       part=hash_part(text), index=i, source=str(p))


# ---------------------------------------------------------------- timeml

def timeml_part(path: str, text: str) -> str:
    parts = Path(path).parts
    if "TimeBank" in parts:
        return "tune"
    if "AQUAINT" in parts:
        return "measure"
    return hash_part(text)


def read_timeml_items(path: str | Path) -> Iterator[GoldItem]:
    from .timeml import read_timeml

    for i, d in enumerate(read_timeml(path)):
        yield GoldItem(doc_id=f"timeml:{d['doc_id']}", text=d["text"], published=d["published"],
                       gold={"timeml": d}, part=timeml_part(d["path"], d["text"]), index=i,
                       source=d["path"])


# ---------------------------------------------------------------- dispatch

READERS: dict[str, Callable[[str | Path], Iterator[GoldItem]]] = {
    "case2021": read_case2021,
    "ucdp": read_ucdp,
    "fakes": read_fakes,
    "geo-xml": read_geo_xml,
    "timeml": read_timeml_items,
}


def detect_format(path: str | Path) -> str:
    """Guess the format from the path and the first bytes (``--format auto``)."""
    p = Path(path)
    if p.is_dir():
        if any(p.rglob("*.tml")):
            return "timeml"
        if any(p.glob("*.xml")):
            return "geo-xml"
        raise ValueError(f"{path}: no .tml or .xml files to evaluate")
    if p.suffix == ".tml":
        return "timeml"
    with open(p, encoding="utf-8", errors="replace") as fh:
        head = fh.read(4096)
    first = head.splitlines()[0] if head else ""
    if "<TimeML" in head:
        return "timeml"
    from .events import is_events_key

    if is_events_key(p):
        return "events"
    if head.lstrip().startswith("<"):
        return "geo-xml"
    if "EventSnippet" in first:
        return "case2021"
    if "source_headline" in first:
        return "ucdp"
    if "article_content" in first:
        return "fakes"
    raise ValueError(f"{path}: cannot tell the format; give --format ({', '.join(FORMATS)})")


def read_gold(path: str | Path, fmt: str = "auto", articles: str | Path | None = None) -> list[GoldItem]:
    """The gold items of a file (``articles``: the article file of an ``events`` key, by default
    ``articles.jsonl`` beside it)."""
    fmt = detect_format(path) if fmt in (None, "", "auto") else fmt
    if fmt == "events":
        from .events import read_events_key

        return list(read_events_key(path, articles))
    if fmt not in READERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return list(READERS[fmt](path))


def select(items: list[GoldItem], split: str | None = None, limit: int | None = None) -> list[GoldItem]:
    """The items of one split part (``tune``, ``measure``; ``all``/None = every item), then the
    first ``limit`` of them."""
    if split not in (None, "", "all"):
        if split not in PARTS:
            raise ValueError(f"unknown split {split!r}; choose tune, measure or all")
        items = [it for it in items if it.part == split]
    if limit is not None and limit >= 0:
        items = items[:limit]
    return items
