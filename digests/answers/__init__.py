"""Grounded answers: question analysis, story and sentence retrieval, typed candidates, scoring, composition."""

from digests.answers.engine import AnswerEngine, Trace
from digests.answers.question import Question, classify

__all__ = ["AnswerEngine", "Question", "Trace", "classify"]
