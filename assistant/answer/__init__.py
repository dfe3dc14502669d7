"""Answer composition: extractive, cited, and willing to decline."""

from .compose import DECLINE, NOT_STATED_LEAD, candidates, compose
from .evidence import AnswerModel

__all__ = ["DECLINE", "NOT_STATED_LEAD", "AnswerModel", "candidates", "compose"]
