"""Answer composition: extractive, cited, and willing to decline. The stages, in order: evidence.analyse (question
analysis), plan (further searches), candidates (sentences and their signals), compose.score, decline, select."""

from .candidates import Candidate, candidates
from .compose import DECLINE, NOT_STATED_LEAD, ComposeSettings, compose
from .evidence import Analysis, Evidence, analyse
from .scorer import AnswerModel

__all__ = ["DECLINE", "NOT_STATED_LEAD", "Analysis", "AnswerModel", "Candidate", "ComposeSettings", "Evidence",
           "analyse", "candidates", "compose"]
