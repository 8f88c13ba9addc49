"""``sitroom evaluate``: measure the pipeline on a gold set.

Registered in :mod:`sitroom.cli` with ``app.command("evaluate")(evaluate)``.
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from .readers import FORMATS

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
    from .scorers import SCORE_KEYS

    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("over", justify="right")
    keys = [k for k in SCORE_KEYS.get(fmt, ()) if k in scores] + \
        [k for k in scores if k not in SCORE_KEYS.get(fmt, ())]
    for k in keys:
        if k == "confusion":
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


def render_cases(console: Console, cases: list[dict]) -> None:
    for i, c in enumerate(cases, 1):
        failed = c.get("failed") or [k for k, v in (c.get("checks") or {}).items() if v is False]
        console.print(f"[bold]{i}. {c['doc_id']}[/bold] ({c.get('part')}) loss {c.get('loss', 0):g}"
                      + (f"  failed: {', '.join(failed)}" if failed else ""))
        if c.get("error"):
            console.print(f"   error: {c['error']}", markup=False)
        console.print(f"   text: {c.get('text', '')}", markup=False)
        console.print(f"   gold: {json.dumps(c.get('gold'), ensure_ascii=False)}", markup=False)
        console.print(f"   pred: {json.dumps(c.get('pred'), ensure_ascii=False)}", markup=False)
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
) -> None:
    """Run the pipeline on a gold set's text and score what a user gets."""
    from pathlib import Path

    from .readers import detect_format
    from .run import run_evaluation, worst_cases
    from .scorers import denominators

    if fmt != "auto" and fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r}; choose auto or one of {', '.join(FORMATS)}", param_hint="--format")
    if split not in ("tune", "measure", "all"):
        raise typer.BadParameter(f"{split!r}; choose tune, measure or all", param_hint="--split")
    if not Path(gold).exists():
        raise typer.BadParameter(f"{gold}: no such file or directory", param_hint="GOLD")
    try:
        fmt = detect_format(gold) if fmt == "auto" else fmt
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format")

    show_progress = not json_out and err.is_terminal
    if show_progress:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
        with Progress(SpinnerColumn(), TextColumn("evaluating"), TextColumn("{task.completed} documents"),
                      TimeElapsedColumn(), console=err, transient=True) as progress:
            task = progress.add_task("evaluating", total=None)
            scores, cases = run_evaluation(gold, fmt, limit=limit, split=split, batch_size=batch_size,
                                           on_result=lambda k: progress.update(task, completed=k))
    else:
        scores, cases = run_evaluation(gold, fmt, limit=limit, split=split, batch_size=batch_size)

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
