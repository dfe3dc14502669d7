"""The evaluation harness: a test set of questions with known answers, metrics, side-by-side configurations."""

from .metrics import answer_matches, normalise_answer, retrieval_scores
from .testset import Question, load_testset

__all__ = ["Question", "answer_matches", "load_testset", "normalise_answer", "retrieval_scores"]
