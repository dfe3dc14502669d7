"""Stage 4 of the answer pipeline, the learned alternative to the hand-set weights: a logistic model over
features.FEATURES, its weights in a versioned JSON file written by scripts/train_answer_model.py."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

from .features import FEATURES


def logistic(bias: float, weights: Sequence[float], values: Sequence[float]) -> float:
    """The probability a logistic model with these weights gives these feature values."""
    z = bias + sum(w * f for w, f in zip(weights, values))
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def log_odds_parts(names: Sequence[str], bias: float, weights: Sequence[float],
                   values: Sequence[float]) -> tuple[tuple[str, float], ...]:
    """Each feature's contribution to the log-odds, the bias first: what `--explain` shows."""
    return (("bias", bias),) + tuple((n, w * f) for n, w, f in zip(names, weights, values))


def read_model_json(path, shipped: str) -> dict | None:
    """A model file: the one at path, else assistant/data/<shipped>; None when absent or not JSON."""
    try:
        text = (Path(path).read_text(encoding="utf-8") if path else
                resources.files("assistant.data").joinpath(shipped).read_text(encoding="utf-8"))
        return json.loads(text)
    except (FileNotFoundError, ValueError):
        return None


@dataclass(frozen=True)
class AnswerModel:
    """Logistic regression over candidate_features: the probability that a sentence holds the answer.
    Trained by scripts/train_answer_model.py on questions written from the corpus (eval/train/), never the test set;
    `threshold` (decline below it) is calibrated on training questions."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def score(self, features: Sequence[float]) -> float:
        return logistic(self.bias, self.weights, features)

    def parts(self, features: Sequence[float]) -> tuple[tuple[str, float], ...]:
        return log_odds_parts(FEATURES, self.bias, self.weights, features)

    @classmethod
    def load(cls, path=None) -> "AnswerModel | None":
        """The shipped model (assistant/data/answer_model.json), or None when absent or for other features."""
        raw = read_model_json(path, "answer_model.json")
        if raw is None or tuple(raw.get("features", ())) != FEATURES:
            return None
        return cls(tuple(raw["weights"]), float(raw["bias"]), float(raw["threshold"]))


def fit_logistic(X: Sequence[Sequence[float]], y: Sequence[int], l2: float = 1e-2, steps: int = 3000,
                 lr: float = 0.5) -> tuple[list[float], float]:
    """Plain L2-regularised logistic regression by gradient descent (numpy only); classes weighted to balance."""
    import numpy as np

    Xa = np.asarray(X, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    pos = max(ya.sum(), 1.0)
    neg = max(len(ya) - ya.sum(), 1.0)
    sw = np.where(ya > 0, len(ya) / (2 * pos), len(ya) / (2 * neg))
    w = np.zeros(Xa.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(Xa @ w + b)))
        g = sw * (p - ya)
        w -= lr * (Xa.T @ g / len(ya) + l2 * w)
        b -= lr * g.mean()
    return [float(v) for v in w], float(b)
