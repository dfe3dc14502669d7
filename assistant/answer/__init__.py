"""Answer composition: extractive, cited, and willing to decline."""

from .compose import DECLINE, compose

__all__ = ["DECLINE", "compose"]
