"""Read TimeML (TimeBank 1.2 / AQUAINT, TempEval-3 TBAQ-cleaned) and score date extraction.

``read_timeml(path)`` gives one dict per file::

    {"doc_id", "path", "text", "published" (datetime.date | None), "dct" (str | None),
     "timex": [{"tid", "start", "end", "text", "type", "value", "mod"}]}

``text`` is the character content of the ``<TEXT>`` element (inline tags removed, entities
decoded); TIMEX3 offsets index it.

``score_timeml(gold_docs, predicted)`` compares the predicted ``dates`` (JSON dicts with at least
``start``, ``end``, ``value``) of each document with the gold TIMEX3 of type DATE that carry a
calendar value (``1998``, ``1998-01``, ``1998-01-08``, ``1998-W03``, ``1998-Q3``, ``1998-SU`` ...;
not the document creation time, not PRESENT_REF/PAST_REF/FUTURE_REF, not ``XXXX...``, not
durations).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

_CAL = re.compile(r"^\d{4}(?:-(?:\d{2}|W\d{1,2}|WXX|Q[1-4]|H[12]|SP|SU|FA|WI|XX)(?:-(?:\d{2}|XX))?)?$")


def _walk(elem: ET.Element, parts: list[str], pos: list[int], timex: list[dict]) -> None:
    if elem.text:
        parts.append(elem.text)
        pos[0] += len(elem.text)
    for child in elem:
        start = pos[0]
        _walk(child, parts, pos, timex)
        if child.tag == "TIMEX3":
            timex.append({
                "tid": child.get("tid"), "start": start, "end": pos[0],
                "type": child.get("type"), "value": child.get("value"), "mod": child.get("mod"),
                "function": child.get("functionInDocument"),
            })
        if child.tail:
            parts.append(child.tail)
            pos[0] += len(child.tail)


def read_timeml(path: str | Path) -> list[dict[str, Any]]:
    """Read one ``.tml`` file, or every ``.tml`` under a directory (sorted by path)."""
    p = Path(path)
    if p.is_dir():
        out: list[dict[str, Any]] = []
        for f in sorted(p.rglob("*.tml")):
            out.extend(read_timeml(f))
        return out
    root = ET.parse(p).getroot()
    dct_value = None
    dct = root.find("DCT")
    if dct is not None:
        t = dct.find("TIMEX3")
        if t is not None:
            dct_value = t.get("value")
    published = None
    if dct_value and re.match(r"^\d{4}-\d{2}-\d{2}", dct_value):
        try:
            published = date.fromisoformat(dct_value[:10])
        except ValueError:
            published = None
    text_el = root.find("TEXT")
    parts: list[str] = []
    timex: list[dict] = []
    if text_el is not None:
        _walk(text_el, parts, [0], timex)
    text = "".join(parts)
    for t in timex:
        t["text"] = text[t["start"]:t["end"]]
    docid = root.findtext("DOCID") or p.stem
    return [{"doc_id": docid.strip(), "path": str(p), "text": text, "published": published,
             "dct": dct_value, "timex": timex}]


def is_scored(t: dict) -> bool:
    """A gold TIMEX3 that is scored: type DATE with a calendar value, not the creation time."""
    if t.get("type") != "DATE" or t.get("function") == "CREATION_TIME":
        return False
    v = t.get("value") or ""
    return bool(_CAL.match(v))


def canon_value(v: str | None) -> str | None:
    """Canonical spelling for comparison: week numbers zero-padded ("2000-W7" == "2000-W07")."""
    if v is None:
        return None
    m = re.match(r"^(\d{4})-W(\d{1,2})$", v)
    if m:
        return f"{m.group(1)}-W{int(m.group(2)):02d}"
    return v


def score_timeml(gold_docs: list[dict], predicted: list[list[dict]], details: bool = False) -> dict:
    """Recall of gold calendar DATE spans and accuracy of their normalised values.

    ``timex_recall``: share of scored gold TIMEX3 overlapped by some predicted span.
    ``value_accuracy``: share of scored gold TIMEX3 overlapped by a predicted span whose value is
    exactly the gold value (same granularity). Both over ``n`` scored gold expressions.
    """
    n = found = correct = 0
    errors: list[dict] = []
    for g, preds in zip(gold_docs, predicted):
        for t in g["timex"]:
            if not is_scored(t):
                continue
            n += 1
            over = [p for p in preds if p["start"] < t["end"] and t["start"] < p["end"]]
            if over:
                found += 1
            gv = canon_value(t["value"])
            if any(canon_value(p.get("value")) == gv for p in over):
                correct += 1
            elif details:
                ctx = g["text"][max(0, t["start"] - 40):t["end"] + 40].replace("\n", " ")
                errors.append({"doc": g["doc_id"], "dct": g["dct"], "gold_text": t["text"],
                               "gold": t["value"],
                               "pred": [(p.get("text"), p.get("value")) for p in over],
                               "context": ctx})
    out: dict[str, Any] = {"n": n, "timex_recall": found / n if n else 0.0,
                           "value_accuracy": correct / n if n else 0.0}
    if details:
        out["errors"] = errors
    return out
