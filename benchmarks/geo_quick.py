"""Quick geoparsing benchmark on ../shared/eval/geo (TR-News, GeoWebNews).

Runs Document -> parse_one -> PlaceExtractor and reports toponym precision/recall/F1 (a
prediction matches a gold toponym when their character spans overlap; one-to-one, greedy),
resolved_161km / resolved_25km (share of gold toponyms with an overlapping predicted place whose
coordinates are within that distance of the gold point: end to end), acc@161 among the
recognised ones, median error km, and speed.

Split: the official tune/measure halves of ``sitroom evaluate`` (parity of the article text's
content hash, :func:`sitroom.evaluate.readers.hash_part`), ``--part tune|measure|all``. Look at
errors (``--errors N``) on the tune half only.

Gold: TR-News: every <toponym> (demonyms such as "Turkish" included: they carry a country gaztag).
GWN: every toponym with coordinates (Literal, Literal_Modifier, Non_Literal_Modifier (adjectival
demonyms), Metonymic, Mixed, Coercion, Embedded_*). Predictions overlapping annotated toponyms
without coordinates of type Demonym/Homonym/Language/Coercion are neutral (not counted either
way); over Non_Toponym or unannotated text they are false positives.

Usage: python benchmarks/geo_quick.py [--part tune|measure|all] [--file TR-News|GWN] [--errors N]
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GEO = Path(__file__).resolve().parents[2] / "shared" / "eval" / "geo"
NEUTRAL_TYPES = {"Demonym", "Homonym", "Language", "Coercion"}


def split_part(text: str) -> str:
    """``tune`` or ``measure``: the same split as ``sitroom evaluate --split`` (content hash)."""
    from sitroom.evaluate.readers import hash_part
    return hash_part(text)


def haversine(a, b, c, d) -> float:
    p1, p2 = math.radians(a), math.radians(c)
    dl = math.radians(d - b)
    x = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, x)))


def load(name: str):
    """[(doc_id, text, gold [(s,e,lat,lon,phrase,type)], neutral [(s,e)])]"""
    root = ET.parse(GEO / f"{name}.xml").getroot()
    out = []
    for k, art in enumerate(root.findall("article")):
        text = art.findtext("text") or ""
        gold, neutral = [], []
        for t in art.find("toponyms") if art.find("toponyms") is not None else []:
            s, e = int(t.findtext("start")), int(t.findtext("end"))
            if name == "TR-News":
                g = t.find("gaztag")
                if g is None or g.findtext("lat") is None:
                    neutral.append((s, e))
                    continue
                gold.append((s, e, float(g.findtext("lat")), float(g.findtext("lon")),
                             t.findtext("phrase"), g.findtext("fcode")))
            else:
                ty = t.findtext("type")
                if t.find("latitude") is not None:
                    gold.append((s, e, float(t.findtext("latitude")),
                                 float(t.findtext("longitude")), t.findtext("extractedName"), ty))
                elif ty in NEUTRAL_TYPES:
                    neutral.append((s, e))
        out.append((art.get("docid") or art.get("file") or str(k), text, gold, neutral))
    return out


def score(name: str, part: str, errors: int = 0):
    from sitroom.model import Document
    from sitroom.nlp import parse_one, load_nlp
    from sitroom.stages.places import PlaceExtractor
    load_nlp()
    ext = PlaceExtractor()
    arts = load(name)
    idx = [i for i in range(len(arts)) if part == "all" or split_part(arts[i][1]) == part]
    tp = fp = fn = 0
    r161 = r25 = 0
    ngold = 0
    errs = []
    t_nlp = t_ext = 0.0
    nplaces = 0
    fps, fns, far = [], [], []
    for i in idx:
        did, text, gold, neutral = arts[i]
        doc = Document(did, text)
        t0 = time.perf_counter()
        a = parse_one(doc)
        t1 = time.perf_counter()
        ext(a)
        t2 = time.perf_counter()
        t_nlp += t1 - t0
        t_ext += t2 - t1
        preds = a.places
        nplaces += len(preds)
        used = set()
        ngold += len(gold)
        for (s, e, la, lo, ph, ty) in gold:
            best = None
            for j, p in enumerate(preds):
                if j in used or p.end <= s or p.start >= e:
                    continue
                best = j
                break
            if best is None:
                fn += 1
                fns.append((did, ph, ty, text[max(0, s - 40):e + 40].replace("\n", " ")))
                continue
            used.add(best)
            tp += 1
            p = preds[best]
            if p.latitude is not None:
                d = haversine(la, lo, p.latitude, p.longitude)
                errs.append(d)
                r161 += d <= 161
                r25 += d <= 25
                if d > 161:
                    far.append((did, ph, ty, p.name, p.country_code, p.feature, round(d)))
            else:
                far.append((did, ph, ty, None, None, p.feature, None))
        for j, p in enumerate(preds):
            if j in used:
                continue
            if any(not (p.end <= s or p.start >= e) for s, e in neutral):
                continue
            fp += 1
            fps.append((did, p.text, p.feature, p.name, p.country_code,
                        text[max(0, p.start - 40):p.end + 40].replace("\n", " ")))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / ngold if ngold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    res = {
        "file": name, "part": part, "articles": len(idx), "gold": ngold,
        "precision": round(prec, 3), "recall": round(rec, 3), "toponym_f1": round(f1, 3),
        "resolved_161km": round(r161 / ngold, 3) if ngold else 0,
        "resolved_25km": round(r25 / ngold, 3) if ngold else 0,
        "acc161_of_recognised": round(r161 / tp, 3) if tp else 0,
        "median_error_km": round(statistics.median(errs), 1) if errs else None,
        "ms_per_article_extract": round(1000 * t_ext / max(1, len(idx)), 1),
        "ms_per_article_spacy": round(1000 * t_nlp / max(1, len(idx)), 1),
        "places_per_s_extract": round(nplaces / t_ext) if t_ext else None,
    }
    if errors:
        print(f"--- {name} FP (first {errors})")
        for x in fps[:errors]:
            print("  FP", x)
        print(f"--- {name} FN")
        for x in fns[:errors]:
            print("  FN", x)
        print(f"--- {name} far/unresolved")
        for x in far[:errors]:
            print("  FAR", x)
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", default="tune", choices=["tune", "measure", "all"])
    ap.add_argument("--file", action="append", choices=["TR-News", "GWN"])
    ap.add_argument("--errors", type=int, default=0)
    args = ap.parse_args()
    if args.errors and args.part != "tune":
        ap.error("--errors lists cases of the tune half only (never read measure-half errors)")
    t0 = time.perf_counter()
    from sitroom.kb.gazetteer import Gazetteer
    g = Gazetteer.get()
    print(f"gazetteer: {len(g)} records, load {g.load_seconds:.2f}s (built now: {g.built})")
    for name in args.file or ["TR-News", "GWN"]:
        print(score(name, args.part, args.errors))
    print(f"total {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
