"""Refit the calibrated confidence (``sitroom/data/calibration.yaml``) on the real-world dev set.

    .venv/bin/python benchmarks/calibrate.py                 # run the pipeline, choose, fit, write the model
    .venv/bin/python benchmarks/calibrate.py --from out.jsonl --dry-run   # reuse an extract run, write nothing

One command after any change that moves the signals (places, triggers, grouping, dates, numbers):

1. It runs the pipeline over ``../shared/eval/realworld/`` (or reads ``--from``, the output of
   ``sitroom extract --format jsonl`` on its articles). The rules' score and the signals do not
   depend on the shipped model, which is switched off for the run (an old model file never stops
   a refit).
2. It rebuilds each event's features from its ``signals`` (:mod:`sitroom.stages.calibration`) and
   labels each event right or wrong with the set's matching rules
   (:func:`sitroom.evaluate.events.judge_events`, events taken by their rule-based score, so the
   second copy of a real event is wrong).
3. **The fitting procedure** (what is shipped): an L2-regularised logistic regression over one
   candidate feature set (:data:`CANDIDATES`), every coefficient of the sign
   :data:`sitroom.stages.calibration.DIRECTION` gives it (a feature whose coefficient comes out the
   other way is dropped and the rest refitted: the probability is monotone in every signal), the
   L2 strength chosen by 5-fold cross-validation over the training articles.
4. **Model choice, out of fold, over the whole set.** Each candidate's procedure is run on half the
   articles and predicts the other half (2-fold by article, repeated ``--repeats`` times with other
   random halves: the shipped model is fitted on 40 articles, so these are predictions of a model
   fitted on as much data, on articles it never saw). The confidences are made as the pipeline
   makes them (capped at the document's first event, teasers capped) and judged as the scorer
   judges them (each real event once, most confident first). The first candidate whose pooled
   log loss is within one standard error of the lowest (:func:`choose`) is chosen; its out-of-fold reliability table is the best estimate of how the shipped
   model behaves on held-out pages, and is written into the model file (``validation``), where
   ``benchmarks/accuracy.py`` reads it for docs/accuracy.md.
5. The chosen procedure is fitted on the *tune* half only and written; its tables on tune (in
   sample) and on the *measure* half (never fitted on, never used to choose) are printed.
6. The default threshold (the store, the report, the dashboard) is the lowest of
   :data:`THRESHOLDS` at which the out-of-fold share right of the events shown is at least
   :data:`TARGET_PRECISION`.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitroom.evaluate.events import judge_events, read_events_key, reliability  # noqa: E402
from sitroom.model import Event, Span  # noqa: E402
from sitroom.stages import calibration  # noqa: E402
from sitroom.stages.calibration import DIRECTION, features  # noqa: E402

KEY = ROOT.parent / "shared" / "eval" / "realworld" / "gold.jsonl"
OUT = ROOT / "sitroom" / "data" / "calibration.yaml"
STRENGTHS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: The candidate feature sets, each a fitting procedure of its own; the whole-set out-of-fold log
#: loss chooses. ``rules``: the rules' score alone (Platt scaling, the baseline); ``compact``: the
#: rules' score and what the rules do not see (a more certain copy, another country or year, a
#: tally, a place that contradicts its sentence, the document's province, the kind of event, how
#: often and how early it is told); ``all``: every signal. The event-type indicators other than
#: ``strategic`` are in none: they learn the dev pages' mix of types rather than how reliable an
#: extraction is.
COMPACT = ("heuristic", "trigger_score", "dup_type", "dup_sentence", "foreign", "log_days_before",
           "after_published", "period", "headline", "quote", "place_conflict", "admin1_share",
           "strategic", "log_mentions", "log_rank")
#: name: (features, shrink): ``+shrink`` candidates rescale the fitted logit (:func:`procedure`).
#: In order of preference: the simpler and more cautious first (see :func:`choose`).
CANDIDATES: dict[str, tuple[tuple[str, ...], bool]] = {
    "rules": (("heuristic",), False),
    "compact+shrink": (COMPACT, True),
    "compact": (COMPACT, False),
    "all+shrink": (tuple(sorted(DIRECTION)), True),
    "all": (tuple(sorted(DIRECTION)), False),
}
#: Candidate default thresholds, and the share of shown events that should be right.
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
TARGET_PRECISION = 0.70
HI = 0.8


# ---------------------------------------------------------------- rows

def _event(d: dict) -> Event:
    ev = Event(event_id=str(d.get("event_id") or ""))
    for k in ("event_date", "event_type", "sub_event_type", "country_code", "admin1", "geo_precision",
              "fatalities"):
        setattr(ev, k, d.get(k))
    sig = dict(d.get("signals") or {})
    ev.signals = sig
    ev.confidence = float(sig.get("heuristic", d.get("confidence") or 0.0))
    ev.evidence = [Span(e.get("start", 0), e.get("end", 0), "") for e in d.get("evidence") or []]
    return ev


class Doc:
    """One article's events, ordered as :func:`sitroom.stages.calibration.calibrate` ranks them
    (by the rule-based score), with their features and labels."""

    def __init__(self, doc_id: str, part: str, gold: dict, dicts: list[dict], feats: list[dict],
                 labels: list[int]) -> None:
        self.doc_id, self.part, self.gold = doc_id, part, gold
        self.dicts, self.feats, self.labels = dicts, feats, labels
        self.teaser = [bool((d.get("signals") or {}).get("teaser")) for d in dicts]


def doc_rows(result: dict, gold: dict, published: date | None) -> tuple[list[dict], list[int], list[dict]]:
    """Features, labels and the event dicts of a document's events (ordered by the rule-based score)."""
    dicts = [e for e in result.get("events") or [] if isinstance(e, dict)]
    if not dicts:
        return [], [], []
    if any("heuristic" not in (e.get("signals") or {}) for e in dicts):
        raise SystemExit(f"{result.get('doc_id')}: events without signals: run this sitroom's extract")
    evs = [_event(e) for e in dicts]
    order = sorted(range(len(evs)), key=lambda i: (-evs[i].confidence, evs[i].evidence[0].start if evs[i].evidence else 0))
    ranked = [evs[i] for i in order]
    cc = (dicts[0].get("signals") or {}).get("doc_country")
    feats = [features(ev, ranked, r, published=published, doc_country=cc) for r, ev in enumerate(ranked)]
    ordered = [dict(dicts[i], confidence=evs[i].confidence) for i in order]
    judged = judge_events(gold, ordered)
    return feats, [int(x) for x in judged], ordered


# ---------------------------------------------------------------- fitting

def fit(X: np.ndarray, y: np.ndarray, strength: float) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (intercept not penalised)."""
    n, k = X.shape
    A = np.hstack([np.ones((n, 1)), X])
    w = np.zeros(k + 1)
    reg = np.full(k + 1, 1.0 / strength)
    reg[0] = 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(A @ w, -30, 30)))
        g = A.T @ (p - y) + reg * w
        H = (A * (p * (1 - p))[:, None]).T @ A + np.diag(reg) + 1e-9 * np.eye(k + 1)
        step = np.linalg.solve(H, g)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w[1:], float(w[0])


def fit_signed(X: np.ndarray, y: np.ndarray, strength: float, signs: np.ndarray) -> tuple[np.ndarray, float]:
    """:func:`fit` with each coefficient of the sign ``signs`` gives it (+1, -1; 0: free): the
    feature whose coefficient is most strongly of the wrong sign is dropped and the rest refitted,
    until none is."""
    active = np.ones(X.shape[1], dtype=bool)
    while True:
        coef = np.zeros(X.shape[1])
        if active.any():
            c, b = fit(X[:, active], y, strength)
            coef[active] = c
        else:
            p = min(max(float(y.mean()), 1e-6), 1 - 1e-6)
            b = math.log(p / (1 - p))
        wrong = np.where(active & (coef * signs < 0))[0]
        if not len(wrong):
            return coef, b
        active[wrong[np.argmax(np.abs(coef[wrong]))]] = False


def predict(X: np.ndarray, coef: np.ndarray, b: float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(X @ coef + b, -30, 30)))


def logloss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


class Model:
    """The fitting procedure's result: standardisation, coefficients, intercept, strength."""

    def __init__(self, names: tuple[str, ...], mean, scale, coef, intercept: float, strength: float) -> None:
        self.names, self.mean, self.scale = names, mean, scale
        self.coef, self.intercept, self.strength = coef, intercept, strength

    def predict(self, X: np.ndarray) -> np.ndarray:
        return predict((X - self.mean) / self.scale, self.coef, self.intercept)

    def as_data(self) -> dict:
        """The model file's ``coef``/``mean``/``scale`` (features whose coefficient is 0 left out)."""
        keep = [i for i, w in enumerate(self.coef) if w != 0.0]
        return {"intercept": round(self.intercept, 6),
                "coef": {self.names[i]: round(float(self.coef[i]), 6) for i in keep},
                "mean": {self.names[i]: round(float(self.mean[i]), 6) for i in keep},
                "scale": {self.names[i]: round(float(self.scale[i]), 6) for i in keep}}


def procedure(names: tuple[str, ...], X: np.ndarray, y: np.ndarray, groups: np.ndarray,
              inner: int = 5, shrink: bool = False) -> tuple[Model, float]:
    """Fit one candidate on training rows: the strength by ``inner``-fold cross-validation over the
    training articles (``groups``), then every training row. With ``shrink``, the fitted logit is
    then rescaled (Platt: slope and offset fitted to the inner out-of-fold predictions, the slope at
    most 1), which pulls over-confident extremes toward the base rate. Returns the model and its
    inner cross-validated log loss."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale
    signs = np.array([DIRECTION.get(n, 0) for n in names], dtype=float)
    ids = np.unique(groups)
    fold_of = {g: i % inner for i, g in enumerate(np.random.default_rng(0).permutation(ids))}
    folds = np.array([fold_of[g] for g in groups])
    best = None
    for s in STRENGTHS:
        oof = np.zeros_like(y)
        for k in range(inner):
            tr, te = folds != k, folds == k
            if not te.any():
                continue
            c, b = fit_signed(Z[tr], y[tr], s, signs)
            oof[te] = predict(Z[te], c, b)
        ll = logloss(oof, y)
        if best is None or ll < best[0] - 1e-9:
            best = (ll, s, oof)
    ll, strength, oof = best
    coef, b = fit_signed(Z, y, strength, signs)
    if shrink:
        q = np.clip(oof, 1e-6, 1 - 1e-6)
        z = np.log(q / (1 - q))
        (a,), _ = fit(z[:, None], y, 1e6)
        a = min(1.0, max(0.0, float(a)))
        a0 = _offset(a * z, y)
        coef, b = a * coef, a * b + a0
    return Model(names, mean, scale, coef, b, strength), ll


def _offset(z: np.ndarray, y: np.ndarray) -> float:
    """The intercept that, added to the fixed logits ``z``, fits ``y`` best (Newton)."""
    b = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z + b, -30, 30)))
        step = float(np.sum(p - y)) / max(float(np.sum(p * (1 - p))), 1e-9)
        b -= step
        if abs(step) < 1e-10:
            break
    return b


# ---------------------------------------------------------------- as the pipeline and the scorer

def confidences(doc: Doc, p: np.ndarray) -> list[float]:
    """The confidences the pipeline gives for the model's probabilities ``p`` (rank order): rounded,
    never above the document's first event, teasers capped (:mod:`sitroom.stages.events`)."""
    from sitroom.stages.events import TEASER_CONFIDENCE

    out, cap = [], 1.0
    for r, x in enumerate(p):
        x = round(float(x), 3)
        if r == 0:
            cap = x
        c = min(x, cap)
        if doc.teaser[r]:
            c = round(min(c, TEASER_CONFIDENCE), 3)
        out.append(c)
    return out


def judged(doc: Doc, conf: list[float]) -> list[bool]:
    """Right or wrong as the scorer says, by the final confidences (each real event once)."""
    return judge_events(doc.gold, [dict(d, confidence=c) for d, c in zip(doc.dicts, conf)])


def outcomes(docs: list[Doc], probs: list[np.ndarray]) -> dict:
    """Confidences and scorer labels of every event, and what the scorer would print about them."""
    pairs: list[tuple[float, bool]] = []
    no_event_conf = 0
    for doc, p in zip(docs, probs):
        conf = confidences(doc, p)
        pairs += list(zip(conf, judged(doc, conf)))
        if doc.gold.get("no_event"):
            no_event_conf += sum(1 for c in conf if c >= 0.5)
    c = np.array([x for x, _ in pairs])
    r = np.array([x for _, x in pairs], dtype=float)
    return {"pairs": pairs, "conf": c, "right": r, "no_event_conf": no_event_conf}


def share(o: dict, t: float) -> tuple[float | None, int]:
    shown = o["conf"] >= t
    return (float(o["right"][shown].mean()) if shown.any() else None), int(shown.sum())


def describe(o: dict, y: np.ndarray | None = None, p: np.ndarray | None = None) -> str:
    """Log loss and Brier of the probabilities (against the training labels), the share right at
    >= 0.8 and >= 0.5 (as the scorer counts it), confident events on no-event pages."""
    out = []
    if y is not None and p is not None:
        out.append(f"log loss {logloss(p, y):.4f}, Brier {brier(p, y):.4f}")
    s8, n8 = share(o, HI)
    s5, n5 = share(o, 0.5)
    out.append(f"conf>=0.8 right {_f(s8)} ({n8})")
    out.append(f"conf>=0.5 right {_f(s5)} ({n5})")
    out.append(f"confident events on no-event pages {o['no_event_conf']}")
    return "; ".join(out)


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def table(rel: dict) -> str:
    lines = [f"  {'bin':>12} {'events':>7} {'right':>7} {'mean conf':>10}"]
    for b in rel["bins"]:
        mc = "-" if b["mean_conf"] is None else f"{b['mean_conf']:.2f}"
        lines.append(f"  [{b['lo']:.1f}, {b['hi']:.1f}{']' if b['hi'] >= 1 else ')'} {b['n']:>7} "
                     f"{_f(b['share']):>7} {mc:>10}")
    if rel["ece"] is not None:
        lines.append(f"  expected calibration error {rel['ece']:.3f}")
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def load_docs(args) -> list[Doc]:
    items = list(read_events_key(args.key))
    if args.src:
        by_id = {}
        with open(args.src, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    d = json.loads(line)
                    by_id[str(d.get("doc_id"))] = d
        results = [by_id.get(it.doc_id, {"doc_id": it.doc_id, "events": []}) for it in items]
    else:
        from sitroom.evaluate.run import predict as run_pipeline

        # the rules' scores and the signals do not depend on the model: run without it, so that
        # a model file from before a change of the features never stops the refit
        calibration.load_model = lambda: None
        print(f"running the pipeline on {len(items)} pages ...", file=sys.stderr, flush=True)
        results = run_pipeline(items)
    docs = []
    for it, res in zip(items, results):
        if res.get("error"):
            print(f"{it.doc_id}: {res['error']}", file=sys.stderr)
        feats, labels, dicts = doc_rows(res, it.gold, it.published)
        docs.append(Doc(it.doc_id, it.part, it.gold, dicts, feats, labels))
    return docs


def matrix(docs: list[Doc], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = np.array([[f.get(k, 0.0) for k in names] for d in docs for f in d.feats], dtype=float).reshape(-1, len(names))
    y = np.array([lab for d in docs for lab in d.labels], dtype=float)
    g = np.array([i for i, d in enumerate(docs) for _ in d.feats], dtype=int)
    return X, y, g


def split(docs: list[Doc], p: np.ndarray) -> list[np.ndarray]:
    out, i = [], 0
    for d in docs:
        out.append(p[i:i + len(d.feats)])
        i += len(d.feats)
    return out


def out_of_fold(docs: list[Doc], names: tuple[str, ...], repeats: int, folds: int = 2,
                shrink: bool = False) -> list[np.ndarray]:
    """Per repeat, every event's probability from the procedure fitted on the other folds'
    articles (articles shuffled into ``folds`` folds, another shuffle each repeat)."""
    X, y, g = matrix(docs, names)
    runs = []
    for rep in range(repeats):
        fold = np.random.default_rng(1000 + rep).permutation(len(docs))[g] % folds
        p = np.zeros_like(y)
        for k in range(folds):
            tr, te = fold != k, fold == k
            if te.any():
                model, _ = procedure(names, X[tr], y[tr], g[tr], shrink=shrink)
                p[te] = model.predict(X[te])
        runs.append(p)
    return runs


def article_losses(docs: list[Doc], runs: list[np.ndarray]) -> np.ndarray:
    """Each article's summed log loss, averaged over the repeats."""
    y = matrix(docs, ("heuristic",))[1]
    g = matrix(docs, ("heuristic",))[2]
    out = np.zeros(len(docs))
    for p in runs:
        q = np.clip(p, 1e-6, 1 - 1e-6)
        np.add.at(out, g, -(y * np.log(q) + (1 - y) * np.log(1 - q)))
    return out / len(runs)


def choose(losses: dict[str, np.ndarray], n_events: int) -> tuple[str, dict[str, float]]:
    """The one-standard-error rule: the first candidate (in :data:`CANDIDATES` order) whose
    out-of-fold log loss is within one standard error of the best one's, the standard error of
    the difference taken over articles (paired: the same splits). Returns the choice and each
    candidate's excess over the best in standard errors."""
    mean = {k: float(v.sum() / n_events) for k, v in losses.items()}
    best = min(mean, key=mean.get)
    n = len(losses[best])
    excess = {}
    for k, v in losses.items():
        d = (v - losses[best]) / n_events * n          # per-article contribution, scaled to a mean
        se = float(np.std(d, ddof=1) / math.sqrt(n)) if n > 1 else 0.0
        excess[k] = (mean[k] - mean[best]) / se if se > 0 else 0.0
    return next(k for k in losses if excess[k] <= 1.0), excess


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--key", type=Path, default=KEY)
    ap.add_argument("--from", dest="src", type=Path, default=None,
                    help="an extract --format jsonl run on the key's articles (default: run the pipeline)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--dry-run", action="store_true", help="choose, fit and report; write nothing")
    ap.add_argument("--candidate", choices=sorted(CANDIDATES), default=None,
                    help="fit this feature set instead of the one the out-of-fold log loss chooses")
    ap.add_argument("--repeats", type=int, default=5,
                    help="repeats of the whole-set 2-fold split by article (default: %(default)s)")
    ap.add_argument("--threshold", type=float, default=None,
                    help="default confidence threshold for the store, report and dashboard (default: the "
                         f"lowest of {THRESHOLDS} at which the out-of-fold share right is at least "
                         f"{TARGET_PRECISION})")
    args = ap.parse_args(argv)
    if not args.key.exists():
        print(f"{args.key}: not found (the real-world dev set lives in ../shared/eval/realworld)", file=sys.stderr)
        return 2
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")
    docs = load_docs(args)
    tune = [d for d in docs if d.part == "tune"]
    measure = [d for d in docs if d.part == "measure"]
    y_all = matrix(docs, ("heuristic",))[1]

    # model choice: the whole set, out of fold
    print(f"{len(docs)} articles, {len(y_all)} events ({int(y_all.sum())} right); out of fold: 2-fold by "
          f"article x {args.repeats}", file=sys.stderr)
    oof_by: dict[str, list[np.ndarray]] = {}
    scores = {}
    losses = {}
    for name, (names, shrink) in CANDIDATES.items():
        runs = out_of_fold(docs, names, args.repeats, shrink=shrink)
        oof_by[name] = runs
        ll = float(np.mean([logloss(p, y_all) for p in runs]))
        br = float(np.mean([brier(p, y_all) for p in runs]))
        scores[name] = (ll, br)
        losses[name] = article_losses(docs, runs)
        hi = [share(outcomes(docs, split(docs, p)), HI) for p in runs]
        his = [s for s, _ in hi if s is not None]
        print(f"candidate {name:>8}: out-of-fold log loss {ll:.4f}, Brier {br:.4f}, conf>=0.8 right "
              f"{_f(float(np.mean(his)) if his else None)} (min {_f(min(his) if his else None)}, "
              f"max {_f(max(his) if his else None)} over repeats; {np.mean([n for _, n in hi]):.1f} events)",
              file=sys.stderr)
    chosen, excess = choose(losses, len(y_all))
    print("excess log loss over the best, in standard errors: "
          + ", ".join(f"{k} {v:.1f}" for k, v in excess.items()), file=sys.stderr)
    chosen = args.candidate or chosen
    names, shrink = CANDIDATES[chosen]
    runs = oof_by[chosen]
    pooled = [outcomes(docs, split(docs, p)) for p in runs]
    oof_pairs = [pr for o in pooled for pr in o["pairs"]]
    oof_all = {"pairs": oof_pairs, "conf": np.concatenate([o["conf"] for o in pooled]),
               "right": np.concatenate([o["right"] for o in pooled]),
               "no_event_conf": sum(o["no_event_conf"] for o in pooled) / len(pooled)}
    rel_oof = reliability(oof_pairs)

    threshold = args.threshold
    for t in THRESHOLDS:
        s, n = share(oof_all, t)
        print(f"threshold {t:.2f}: {n / len(runs):.1f} events shown, {_f(s)} right (out of fold)", file=sys.stderr)
    if threshold is None:
        threshold = next((t for t in THRESHOLDS if (share(oof_all, t)[0] or 0.0) >= TARGET_PRECISION), THRESHOLDS[-1])

    # the shipped model: the procedure on the tune half
    Xt, yt, gt = matrix(tune, names)
    Xm, ym, _ = matrix(measure, names)
    model, inner_ll = procedure(names, Xt, yt, gt, shrink=shrink)
    pt, pm = model.predict(Xt), model.predict(Xm)
    o_t, o_m = outcomes(tune, split(tune, pt)), outcomes(measure, split(measure, pm))
    rel_t, rel_m = reliability(o_t["pairs"]), reliability(o_m["pairs"])

    print(f"\nchosen: {chosen} ({'--candidate' if args.candidate else 'the first within one standard error of the lowest out-of-fold log loss'}), "
          f"strength {model.strength}, default threshold {threshold}")
    print(f"whole set, out of fold (2-fold by article x {args.repeats}, pooled): "
          f"{describe(oof_all)}, log loss {scores[chosen][0]:.4f}, Brier {scores[chosen][1]:.4f}\n"
          + table(rel_oof))
    print(f"tune (fitted on; in sample; inner cross-validated log loss {inner_ll:.4f}): {describe(o_t, yt, pt)}\n"
          + table(rel_t))
    print(f"measure (never fitted on, never used to choose): {describe(o_m, ym, pm)}\n" + table(rel_m))
    print("\ncoefficients (standardised features; 0: left out, its sign would have been wrong):")
    for k, w in sorted(zip(names, model.coef), key=lambda t: -abs(t[1])):
        print(f"  {k:>34} {w:+.3f}")

    s8, n8 = share(oof_all, HI)
    s5, n5 = share(oof_all, threshold)
    data = {
        "about": "Calibrated event confidence: logistic regression over the signals of "
                 "sitroom.stages.calibration.features, each coefficient of the sign DIRECTION gives it. "
                 "Fitted by benchmarks/calibrate.py on the tune half of the real-world development set "
                 "(hand-coded pages; no CASE 2021 data); the feature set chosen by out-of-fold log loss over "
                 "the whole set (one-standard-error rule). Refit after any change that moves the signals.",
        "fitted": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "candidate": chosen,
        "strength": model.strength,
        "threshold": threshold,
        "training": {"articles": len(tune), "events": int(len(yt)), "right": int(yt.sum()),
                     "inner_cv_log_loss": round(inner_ll, 4),
                     "measure_log_loss": round(logloss(pm, ym), 4), "measure_ece": round(rel_m["ece"], 4)},
        "validation": {
            "method": f"whole set, out of fold: 2-fold by article x {args.repeats} (pooled)",
            "articles": len(docs), "events": int(len(y_all)),
            "candidates": {k: {"log_loss": round(v[0], 4), "brier": round(v[1], 4)} for k, v in scores.items()},
            "log_loss": round(scores[chosen][0], 4), "brier": round(scores[chosen][1], 4),
            "ece": round(rel_oof["ece"], 4),
            "conf80_right": None if s8 is None else round(s8, 3), "conf80_events": round(n8 / len(runs), 1),
            "threshold_right": None if s5 is None else round(s5, 3),
            "bins": [{"lo": b["lo"], "hi": b["hi"], "n": round(b["n"] / len(runs), 1),
                      "share": None if b["share"] is None else round(b["share"], 3),
                      "mean_conf": None if b["mean_conf"] is None else round(b["mean_conf"], 3)}
                     for b in rel_oof["bins"]],
        },
        **model.as_data(),
    }
    if not args.dry_run:
        calibration.check_model(data, str(args.out))
        args.out.write_text("# Generated by benchmarks/calibrate.py; do not edit by hand.\n"
                            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
