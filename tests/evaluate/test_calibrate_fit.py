"""The refit of the calibrated confidence (``benchmarks/calibrate.py``): the fit keeps every
coefficient of its signal's sign, the shrink never makes a model more confident, the model choice
follows the one-standard-error rule, and the confidences are made as the pipeline makes them.
Synthetic data: no dev set needed."""
from __future__ import annotations


import numpy as np
import pytest

from tests.helpers import benchmark_module


@pytest.fixture(scope="module")
def cal():
    return benchmark_module("calibrate")


def synthetic(n=600, seed=0):
    """y depends on x0 (+) only; x1 is x0 plus noise, so an unconstrained fit gives x1 a
    coefficient of either sign; x2 is noise."""
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    x1 = x0 + 0.3 * rng.normal(size=n)
    x2 = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(2.0 * x0 - 1.0)))).astype(float)
    return np.column_stack([x0, x1, x2]), y, np.arange(n) // 6


def test_signed_fit_keeps_every_sign(cal):
    X, y, _ = synthetic()
    free, _ = cal.fit(X, y, 100.0)
    for signs in ([1, -1, -1], [1, -1, 1], [-1, 1, 0]):
        coef, _ = cal.fit_signed(X, y, 100.0, np.array(signs, dtype=float))
        assert all(c * s >= 0 for c, s in zip(coef, signs)), (signs, coef)
    # the constraint only bites where the free fit broke it
    same, _ = cal.fit_signed(X, y, 100.0, np.sign(free))
    assert np.allclose(same, free)


def test_procedure_shrink_never_sharpens(cal):
    X, y, g = synthetic()
    names = ("heuristic", "trigger_score", "position")     # directions +, +, -
    plain, _ = cal.procedure(names, X, y, g)
    shrunk, _ = cal.procedure(names, X, y, g, shrink=True)
    z_plain = np.abs((X - plain.mean) / plain.scale @ plain.coef)
    z_shrunk = np.abs((X - shrunk.mean) / shrunk.scale @ shrunk.coef)
    assert np.all(z_shrunk <= z_plain + 1e-9)
    p = shrunk.predict(X)
    assert np.all((p > 0) & (p < 1))
    assert plain.strength in cal.STRENGTHS
    data = plain.as_data()
    assert set(data["coef"]) <= set(names) and all(w != 0 for w in data["coef"].values())


def test_choose_prefers_the_first_within_one_standard_error(cal):
    rng = np.random.default_rng(1)
    best = rng.random(80) + 1.0
    swing = 0.01 * np.resize([1.0, -1.0], 80)
    losses = {"simple": best + swing + 0.0005,        # 0.0005 worse on average, noise 0.01 by article
              "rich": best}
    assert cal.choose(losses, 400)[0] == "simple"
    losses = {"simple": best + 0.5, "rich": best}                       # clearly worse
    chosen, excess = cal.choose(losses, 400)
    assert chosen == "rich" and excess["simple"] > 1.0 and excess["rich"] == 0.0


def test_confidences_as_the_pipeline_makes_them(cal):
    from sitroom.stages.events import TEASER_CONFIDENCE

    doc = cal.Doc("d", "tune", {"events": [], "no_event": False},
                  [{"signals": {}}, {"signals": {"teaser": True}}, {"signals": {}}], [{}, {}, {}], [1, 0, 0])
    got = cal.confidences(doc, np.array([0.6, 0.9, 0.81234]))
    assert got == [0.6, min(0.6, TEASER_CONFIDENCE), 0.6]      # never above the first; teaser capped
