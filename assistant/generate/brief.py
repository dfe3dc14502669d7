"""Briefing sections a reader expects as prose (개요, 쟁점 및 시사점) written by the language model from the
passages the section's bullets cite, under the answer's checks: every sentence verified against the passage it
cites, the rest removed; when the lead fails or fewer than half survive, the cited bullets stay as they were."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

from .answer import decide
from .llm import ChatModel, LlmError
from .prompt import build_section
from .verify import SentenceCheck, Source, bare, check_sentence, split_cited

# The sections written as prose, by their place in assistant.briefing.SECTIONS: the overview and the issues. The
# chronology, the key figures and the plans stay dated, cited bullets.
PROSE_SECTIONS = (0, 3)


@dataclass(frozen=True)
class SectionDraft:
    """One section's attempt: what the model wrote, the verifier's finding on each sentence, whether it replaced
    the bullets and, if not, why (lead_failed, too_few_verified, nothing_written, llm_failed)."""

    section: str
    model: str
    sentences: tuple[SentenceCheck, ...]
    used: bool
    fallback: str = ""
    ignored: tuple[str, ...] = ()

    @property
    def removed(self) -> tuple[SentenceCheck, ...]:
        return tuple(s for s in self.sentences if not s.verified)

    def paragraph(self) -> str:
        """The verified sentences, each with its markers (the briefing's own citation numbers)."""
        return " ".join(f"{bare(s.text)} " + "".join(f"[{n}]" for n in s.cites) for s in self.sentences
                        if s.verified)

    def to_json(self) -> dict:
        return {"section": self.section, "model": self.model, "used": self.used, "fallback": self.fallback,
                "sentences": [s.to_json() for s in self.sentences], "ignored_instructions": list(self.ignored)}


def draft(topic: str, section: str, sources: list[Source], lang: str, chat: ChatModel,
          embed: Callable) -> SectionDraft:
    """The model reads the section's passages numbered from 1 (small models cite [1] whatever the numbers); its
    citations are checked against those and given back the briefing's own numbers."""
    own = {i: s.n for i, s in enumerate(sources, 1)}
    prompt = build_section(topic, section, [dataclasses.replace(s, n=i) for i, s in enumerate(sources, 1)], lang)
    model = chat.config.model or "(served model)"
    try:
        written = "".join(chat.stream(prompt.messages))
    except LlmError:
        return SectionDraft(section, model, (), False, "llm_failed", prompt.ignored)
    by_n = {s.n: s for s in prompt.sources}
    checks = tuple(check_sentence(text, cites, by_n, lang, embed) for text, cites in split_cited(written))
    checks = tuple(dataclasses.replace(c, cites=tuple(own.get(n, n) for n in c.cites)) if c.verified else c
                   for c in checks)
    why = decide(checks)
    return SectionDraft(section, model, checks, not why, why, prompt.ignored)


def with_prose(briefing, chat: ChatModel, embed: Callable):
    """The briefing with its prose sections written by the model where the verifier lets them stand; the draft of
    every section tried is kept in `drafts`."""
    from assistant.briefing import Bullet

    passages = {c.n: Source(c.n, c.doc_id, c.title, c.text) for c in briefing.citations}
    sections, drafts = list(briefing.sections), []
    for i in PROSE_SECTIONS:
        name, bullets = sections[i]
        cited = [passages[n] for n in dict.fromkeys(b.n for b in bullets) if n in passages]
        if not cited:
            continue
        found = draft(briefing.topic, name, cited, briefing.lang, chat, embed)
        drafts.append(found)
        if found.used:
            sections[i] = (name, [Bullet(found.paragraph(), 0, prose=True)])
    return dataclasses.replace(briefing, sections=sections, drafts=briefing.drafts + drafts)
