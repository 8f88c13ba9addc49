"""``sitroom evaluate``: measure the pipeline on a gold set.

The measuring is :mod:`sitroom.evaluate`; this module prints its scores.
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..evaluate.readers import FORMATS

err = Console(stderr=True, highlight=False)


def _fmt_value(key: str, v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if key.endswith("_km"):
            return f"{v:,.1f}"
        return f"{v:.3f}"
    return str(v)


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


def render_scores(console: Console, fmt: str, scores: dict, sup: dict[str, int], title: str) -> None:
    from ..evaluate.scorers import SCORE_KEYS

    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("over", justify="right")
    keys = [k for k in SCORE_KEYS.get(fmt, ()) if k in scores] + \
        [k for k in scores if k not in SCORE_KEYS.get(fmt, ())]
    for k in keys:
        if k in ("confusion", "reliability", "counts"):
            continue
        table.add_row(k, _fmt_value(k, scores[k]), "" if k == "n" else str(sup.get(k, "")))
    console.print(table)
    conf = scores.get("confusion")
    if conf:
        pairs = sorted(((n, g, p) for g, row in conf.items() for p, n in row.items() if g != p),
                       key=lambda t: (-t[0], t[1], t[2]))
        if pairs:
            ct = Table(title="most frequent confusions (gold → predicted)", title_justify="left")
            ct.add_column("gold")
            ct.add_column("predicted")
            ct.add_column("n", justify="right")
            for n, g, p in pairs[:15]:
                ct.add_row(g, p, str(n))
            console.print(ct)
    rel = scores.get("reliability")
    if rel:
        render_reliability(console, rel)
    if fmt == "events" and scores.get("counts"):
        from ..evaluate.events import summary_line

        console.print("SUMMARY " + summary_line(scores), markup=False, soft_wrap=True)


def render_reliability(console: Console, rel: dict) -> None:
    """Share of events right (each real event once) by confidence bin."""
    rt = Table(title=f"reliability: share right by confidence ({rel['n']} events; expected calibration "
                     f"error {_fmt_value('ece', rel.get('ece'))})", title_justify="left")
    for col in ("confidence", "events", "right", "share right", "mean confidence"):
        rt.add_column(col, justify="right")
    for b in rel["bins"]:
        hi = "1.0]" if b["hi"] >= 1.0 else f"{b['hi']:.1f})"
        rt.add_row(f"[{b['lo']:.1f}, {hi}", str(b["n"]), str(b["right"]),
                   _fmt_value("share", b["share"]), _fmt_value("mean", b["mean_conf"]))
    console.print(rt)


def render_cases(console: Console, cases: list[dict]) -> None:
    for i, c in enumerate(cases, 1):
        failed = c.get("failed") or [k for k, v in (c.get("checks") or {}).items() if v is False]
        console.print(f"[bold]{i}. {c['doc_id']}[/bold] ({c.get('part')}) loss {c.get('loss', 0):g}"
                      + (f"  failed: {', '.join(failed)}" if failed else ""))
        if c.get("error"):
            console.print(f"   error: {c['error']}", markup=False)
        console.print(f"   text: {c.get('text', '')}", markup=False)
        for key in ("gold", "pred"):
            v = c.get(key)
            if isinstance(v, list):
                for line in v or ["(none)"]:
                    console.print(f"   {key}: {line}", markup=False)
            else:
                console.print(f"   {key}: {json.dumps(v, ensure_ascii=False)}", markup=False)
        for ev in c.get("evidence") or []:
            console.print(f"   · {ev}", markup=False)


def evaluate(
    gold: str = typer.Argument(..., help="Gold file or directory (see ../shared/eval/README.md)."),
    fmt: str = typer.Option("auto", "--format", "-f",
                            help=f"auto | {' | '.join(FORMATS)} (auto: guessed from the file)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object with the scores."),
    errors: int = typer.Option(0, "--errors", help="Also show the N worst cases with their evidence."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N items (after --split)."),
    split: str = typer.Option("all", "--split",
                              help="tune | measure | all: the fixed half to tune on, the half only "
                                   "to report, or both."),
    batch_size: int = typer.Option(32, "--batch-size", help="Documents per spaCy batch."),
    articles: Optional[str] = typer.Option(None, "--articles",
                                           help="--format events: the articles (JSON Lines, the batch format "
                                                "of extract); default articles.jsonl beside the key."),
) -> None:
    """Run the pipeline on a gold set's text and score what a user gets."""
    from pathlib import Path

    from ..evaluate.readers import detect_format
    from ..evaluate.run import run_evaluation, worst_cases
    from ..evaluate.scorers import denominators

    if fmt != "auto" and fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r}; choose auto or one of {', '.join(FORMATS)}", param_hint="--format")
    if split not in ("tune", "measure", "all"):
        raise typer.BadParameter(f"{split!r}; choose tune, measure or all", param_hint="--split")
    if not Path(gold).exists():
        raise typer.BadParameter(f"{gold}: no such file or directory", param_hint="GOLD")
    if articles is not None and not Path(articles).is_file():
        raise typer.BadParameter(f"{articles}: no such file", param_hint="--articles")
    try:
        fmt = detect_format(gold) if fmt == "auto" else fmt
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format")
    if fmt == "events":
        from ..evaluate.events import read_events_key

        try:                                  # a bad key or article file: one clear message
            for _ in read_events_key(gold, articles):
                pass
        except (ValueError, OSError) as exc:
            raise typer.BadParameter(str(exc), param_hint="GOLD")

    show_progress = not json_out and err.is_terminal
    if show_progress:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
        with Progress(SpinnerColumn(), TextColumn("evaluating"), TextColumn("{task.completed} documents"),
                      TimeElapsedColumn(), console=err, transient=True) as progress:
            task = progress.add_task("evaluating", total=None)
            scores, cases = run_evaluation(gold, fmt, limit=limit, split=split, batch_size=batch_size,
                                           on_result=lambda k: progress.update(task, completed=k),
                                           articles=articles)
    else:
        scores, cases = run_evaluation(gold, fmt, limit=limit, split=split, batch_size=batch_size,
                                       articles=articles)

    worst = worst_cases(cases, errors) if errors > 0 else []
    if json_out:
        obj = dict(scores)
        if errors > 0:
            obj["errors"] = worst
        sys.stdout.write(json.dumps(_json_safe(obj), ensure_ascii=False) + "\n")
        return
    console = Console()
    render_scores(console, fmt, scores, denominators(fmt, scores, cases), f"sitroom evaluate: {fmt}, {gold} (split {split})")
    if worst:
        console.print(f"\n[bold]{len(worst)} worst cases[/bold]")
        render_cases(console, worst)
