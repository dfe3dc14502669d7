"""A generated answer with the extractive one as its floor: the model writes from the passages the extractive
answer chose (with their neighbours); the verifier keeps the sentences it can show and removes the rest; when the
lead fails, or fewer than half survive, the extractive answer stands, with the attempt recorded."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from assistant.types import Answer, Citation

from .llm import ChatModel, LlmError
from .prompt import build
from . import facts as F
from .verify import MIN_MEANING, SentenceCheck, Source, bare, check_sentence, meaning, split_cited


@dataclass(frozen=True)
class Generation:
    """What the model wrote and what the verifier made of it. `used`: the answer is the verified generated text;
    otherwise `fallback` says why the extractive answer stands (lead_failed, too_few_verified, off_answer,
    nothing_written, llm_failed)."""

    model: str
    sentences: tuple[SentenceCheck, ...]
    used: bool
    fallback: str = ""
    ignored: tuple[str, ...] = ()  # sentences in the passages that spoke to a model, left out of the prompt

    @property
    def removed(self) -> tuple[SentenceCheck, ...]:
        return tuple(s for s in self.sentences if not s.verified)

    def to_json(self) -> dict:
        return {"model": self.model, "used": self.used, "fallback": self.fallback,
                "sentences": [s.to_json() for s in self.sentences], "ignored_instructions": list(self.ignored)}


def decide(checks: Sequence[SentenceCheck]) -> str:
    """Why the generated text cannot stand ("" when it can): its lead must be verified, and at least half of it."""
    if not checks:
        return "nothing_written"
    if not checks[0].verified:
        return "lead_failed"
    if 2 * sum(c.verified for c in checks) < len(checks):
        return "too_few_verified"
    return ""


def off_answer(lead: str, checks: Sequence[SentenceCheck], embed: Callable) -> bool:
    """Whether the generated answer says something other than the extractive answer it was written from: its
    verified sentences must state every figure the extractive lead states (the date asked for, not only another
    date or an ordinal of the same passage), and the first of them be close to that lead in meaning. Every sentence
    may be true of its passage and the answer still be to another question."""
    kept = [bare(c.text) for c in checks if c.verified]
    if not lead or not kept:
        return False
    if F.missing(F.facts(lead), F.facts(" ".join(kept))):
        return True
    return meaning(kept[0], lead, embed) < MIN_MEANING


def verdict(extractive: Answer, checks: Sequence[SentenceCheck], embed: Callable) -> str:
    """Why the generated text cannot stand ("" when it can): `decide`, then `off_answer`."""
    lead = bare(split_cited(extractive.text)[0][0]) if extractive.text.strip() else ""
    return decide(checks) or ("off_answer" if off_answer(lead, checks, embed) else "")


def _renumbered(extractive: Answer, checks: Sequence[SentenceCheck]) -> tuple[str, tuple[Citation, ...]]:
    """The verified sentences with their markers renumbered to the citations they use, in order of first use."""
    by_n = {c.n: c for c in extractive.citations}
    order: dict[int, int] = {}
    lines = []
    for check in checks:
        if not check.verified:
            continue
        for n in check.cites:
            order.setdefault(n, len(order) + 1)
        body = bare(check.text)
        lines.append(f"{body} " + "".join(f"[{order[n]}]" for n in check.cites))
    citations = tuple(dataclasses.replace(by_n[n], n=m) for n, m in order.items())
    return " ".join(lines), citations


def settle(extractive: Answer, checks: tuple[SentenceCheck, ...], model: str, ignored: tuple[str, ...],
           embed: Callable) -> Answer:
    why = verdict(extractive, checks, embed)
    if why:
        return dataclasses.replace(extractive, generation=Generation(model, checks, False, why, ignored))
    text, citations = _renumbered(extractive, checks)
    return dataclasses.replace(extractive, text=text, citations=citations,
                               generation=Generation(model, checks, True, "", ignored))


def stream(extractive: Answer, sources: Sequence[Source], history: Sequence[dict], lang: str, chat: ChatModel,
           embed: Callable) -> Iterator[tuple[str, object]]:
    """Events as the model writes: ("token", text) as it comes, ("sentence", SentenceCheck) as each sentence
    completes and is verified, then ("answer", Answer): the verified generated answer, or the extractive one with
    the attempt recorded. A declined extractive answer is the answer as it is: there is nothing to check a
    model's sentences against."""
    if extractive.abstained or not sources:
        yield "answer", extractive
        return
    prompt = build(extractive.question, history, sources, lang)
    model = chat.config.model or "(served model)"
    by_n = {s.n: s for s in prompt.sources}  # checked against what the model read, not what it was kept from
    written, done = "", 0
    checks: list[SentenceCheck] = []
    try:
        for piece in chat.stream(prompt.messages):
            written += piece
            yield "token", piece
            parts = split_cited(written)
            # The last two parts may still grow: a sentence's marker can come after its full stop ("…다. [2").
            for sentence, cites in parts[done:len(parts) - 2]:
                checks.append(check_sentence(sentence, cites, by_n, lang, embed))
                yield "sentence", checks[-1]
            done = max(done, len(parts) - 2)
    except LlmError:
        yield "answer", dataclasses.replace(
            extractive, generation=Generation(model, tuple(checks), False, "llm_failed", prompt.ignored))
        return
    final = split_cited(written)
    if [s for s, _ in final[:len(checks)]] != [c.text for c in checks]:  # the whole text split otherwise
        checks = []
    for sentence, cites in final[len(checks):]:
        checks.append(check_sentence(sentence, cites, by_n, lang, embed))
        yield "sentence", checks[-1]
    yield "answer", settle(extractive, tuple(checks), model, prompt.ignored, embed)
