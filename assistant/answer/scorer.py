"""Stage 4 of the answer pipeline, the learned alternative to the hand-set weights: a logistic model over
features.FEATURES, its weights in a versioned JSON file written by scripts/train_answer_model.py."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from .features import FEATURES


@dataclass(frozen=True)
class AnswerModel:
    """Logistic regression over candidate_features: the probability that a sentence holds the answer.
    Trained by scripts/train_answer_model.py on questions written from the corpus (eval/train/), never the test set;
    `threshold` (decline below it) is calibrated on training questions."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def score(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * f for w, f in zip(self.weights, features))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def parts(self, features: Sequence[float]) -> tuple[tuple[str, float], ...]:
        """Each feature's contribution to the log-odds: what `--explain` shows."""
        return (("bias", self.bias),) + tuple((n, w * f) for n, w, f in zip(FEATURES, self.weights, features))

    @classmethod
    def load(cls, path=None) -> "AnswerModel | None":
        """The shipped model (assistant/data/answer_model.json), or None when absent or for other features."""
        import json
        from importlib import resources

        try:
            raw = (json.loads(open(path, encoding="utf-8").read()) if path else
                   json.loads(resources.files("assistant.data").joinpath("answer_model.json").read_text(encoding="utf-8")))
        except (FileNotFoundError, ValueError):
            return None
        if tuple(raw.get("features", ())) != FEATURES:
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
