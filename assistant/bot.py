"""The Python API: Assistant.from_index(path) → ask / search. Thin glue over index, retrieval and answer."""

from __future__ import annotations

import copy
import dataclasses
import threading
from pathlib import Path
from typing import Any

from assistant.answer import AnswerModel, candidates, compose
from assistant.answer.compose import places_named
from assistant.answer.evidence import question_types, sentence_score
from assistant.clean import clean_history, clean_text
from assistant.embedders import Embedder, UseM3, get_embedder
from assistant.errors import InputError
from assistant.index import StoredIndex, embedder_names, ensure_index, load, recorded_sources
from assistant.query import (described_head, find_entities, followup_context, premise, resolve_followup,
                             word_translations)
from assistant.retrieval import Filters, HybridRetriever
from assistant.settings import Settings
from assistant.text import tokenize
from assistant.types import Answer, Hit, access_of

MAX_QUESTION_CHARS = 2000


VERDICT = {
    "ko": {"eligible": "모든 조건을 충족합니다", "not_eligible": "충족하지 못하는 조건이 있습니다",
           "undetermined": "판단에 필요한 사실이 더 필요합니다"},
    "en": {"eligible": "all conditions are met", "not_eligible": "at least one condition is not met",
           "undetermined": "more facts are needed to decide"},
}
STATUS = {"ko": {"met": "충족", "not_met": "미충족", "unknown": "확인 필요"},
          "en": {"met": "met", "not_met": "not met", "unknown": "unknown"}}


def eligibility_to_answer(question: str, result, lang: str) -> Answer:
    """The checker's result as a chat answer: verdict, one line per condition with its [n] clause, what to ask."""
    from assistant.types import Citation

    lines = [f"{result.name}: {VERDICT[lang][result.verdict]}."]
    citations = []
    for i, c in enumerate(result.conditions, 1):
        where = c.citation.get("section") or (f"p. {c.citation['page']}" if c.citation.get("page") else "")
        lines.append(f"- {STATUS[lang][c.status]} — {c.text} [{i}]")
        citations.append(Citation(n=i, doc_id=c.citation["doc_id"], title=c.citation.get("title", ""),
                                  page=c.citation.get("page"), section=where, text=c.citation["text"], score=1.0,
                                  sentence=c.citation["text"]))
    if result.questions:
        lines.append(("확인이 필요한 사항: " if lang == "ko" else "Please tell me: ") + " / ".join(result.questions))
    return Answer(question=question, text="\n".join(lines), abstained=False, citations=tuple(citations),
                  query=question, evidence={"eligibility": result.to_json()})


def merge_answers(direct: Answer, table: Answer) -> Answer:
    """The extractive answer first (when there is one), then the per-condition table; citations renumbered."""
    if direct.abstained:
        return table
    offset = len(direct.citations)
    text = table.text
    for c in sorted(table.citations, key=lambda c: -c.n):
        text = text.replace(f"[{c.n}]", f"[{c.n + offset}]")
    from dataclasses import replace as _replace

    cites = direct.citations + tuple(_replace(c, n=c.n + offset) for c in table.citations)
    return Answer(question=direct.question, text=direct.text + "\n\n" + text, abstained=False, citations=cites,
                  query=direct.query, evidence={**direct.evidence, **table.evidence})


def _squash(text: str) -> str:
    return "".join(text.split())


def _check_question(text: Any, what: str = "question") -> str:
    # What could not be decoded becomes a space: a word stays a word ("대구\ud800 특구" asks about 대구).
    if not isinstance(text, (str, bytes)) or not clean_text(text, " ").strip():
        raise InputError(f"the {what} is empty")
    text = clean_text(text, " ").strip()
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(f"the {what} is too long ({len(text)} characters; at most {MAX_QUESTION_CHARS})")
    return text


def _cited_docs(programme) -> set[str]:
    return {c.doc_id for c in programme.conditions}


def _answer_model(choice: str) -> AnswerModel | None:
    """"weights": hand-set weights (None); "trained": the shipped model (assistant/data/answer_model.json); else a
    JSON path."""
    if choice == "weights":
        return None
    model = AnswerModel.load(None if choice == "trained" else choice)
    if model is None:
        raise InputError(f"answer model {choice!r} not found or not for these features")
    return model


class Assistant:
    """Answers questions from one index. Cheap to call from several threads; models load on first use."""

    levels: tuple[str, ...] | None = None  # access levels this view may see; None: every level (one person's own)

    def __init__(self, index: StoredIndex, settings: Settings, embedders: dict[str, Embedder] | None = None):
        self.settings = settings
        self.embedders = embedders or {n: get_embedder(n, settings.threads) for n in index.embedders}
        # Sentence similarity in answers always uses USE: fast, cross-lingual, and its scores are what the
        # abstention threshold was calibrated on, whatever embedder the index uses.
        self._sentence_embedder = self.embedders.get("use-m3") or UseM3(threads=settings.threads)
        self.answer_model = _answer_model(settings.answer_model)
        self._lock = threading.Lock()
        self._set_index(index)

    def scoped(self, levels: tuple[str, ...] | None) -> "Assistant":
        """A view of this assistant that sees only documents at these access levels (a user's clearance). It shares
        the index and the models; every search it makes is masked before scoring (see HybridRetriever.mask)."""
        view = copy.copy(self)
        view.levels = None if levels is None else tuple(levels)
        return view

    def _filters(self, filters: Filters | dict | None) -> Filters | None:
        given = Filters.of(filters)
        if self.levels is None:
            return given
        return dataclasses.replace(given or Filters(), levels=self.levels)

    def visible(self, doc_id: str) -> bool:
        entry = self.index.files.get(doc_id)
        return entry is not None and (self.levels is None or access_of(entry.get("meta", {})) in self.levels)

    def _set_index(self, index: StoredIndex) -> None:
        retriever = HybridRetriever.from_settings(index, self.embedders, self.settings)
        with self._lock:
            self.index = index
            self.retriever = retriever

    @classmethod
    def from_index(cls, path: str | Path = "index", settings: Settings | None = None, build: bool = True,
                   progress: bool = True, embedders: dict[str, Embedder] | None = None) -> "Assistant":
        """Open the index at `path`. With build=True (the default) a missing index is first built from
        settings.corpus_dirs, and one whose own sources changed is refreshed from them, with a progress bar. An
        existing index keeps the sources it was built from, whatever settings.corpus_dirs says."""
        settings = recorded_sources((settings or Settings.from_env()).replace(index_dir=Path(path)))
        if build:
            ensure_index(settings, progress=progress, embedders=embedders)
        index = load(settings.index_dir, embedder_names(settings))
        return cls(index, settings, embedders)

    def reload(self) -> None:
        """Pick up a newer build of the same index directory (after documents were added or removed)."""
        self._set_index(load(self.settings.index_dir, embedder_names(self.settings)))

    def search(self, query: str, k: int = 10, filters: Filters | dict | None = None,
               history: list[dict] | None = None) -> list[Hit]:
        query = resolve_followup(_check_question(query, "query"), clean_history(history))
        if not isinstance(k, int) or k < 1:
            raise InputError("k must be a positive whole number")
        retriever = self.retriever
        ranked = retriever.retrieve(query, k=k, filters=self._filters(filters), distinct=self.settings.distinct_documents)
        return [Hit.from_chunk(retriever.chunks[r.row], r.score) for r in ranked]

    def ask(self, question: str, history: list[dict] | None = None, filters: Filters | dict | None = None) -> Answer:
        question = _check_question(question)
        history = clean_history(history)
        answer = self._answer(question, history, filters)
        eligibility = self._eligibility_answer(question, history)
        if eligibility is None:
            return answer
        return merge_answers(answer, eligibility)

    def _answer(self, question: str, history: list[dict] | None, filters) -> Answer:
        return compose(**self._evidence(question, history, filters),
                       max_sentences=self.settings.max_answer_sentences, abstain_below=self.settings.abstain_below,
                       min_lexical=self.settings.min_lexical, min_dense=self.settings.min_dense,
                       model=self.answer_model)

    def _evidence(self, question: str, history: list[dict] | None, filters) -> dict:
        """What the answer is composed from: the question, the query it became, the passages and the term weights."""
        context = followup_context(question, history)
        query = f"{context} {question}" if context else question
        retriever = self.retriever
        ranked = retriever.retrieve(query, k=self.settings.top_k, filters=self._filters(filters))
        terms = tokenize(question)
        carried = tokenize(context) if context else []
        evidence = dict(
            question=question,
            query=query,
            passages=[retriever.chunks[r.row] for r in ranked],
            passage_scores=[r.score for r in ranked],
            idf=retriever.bm25.idf,
            query_terms=terms,
            carried_terms=carried,
            other_language_terms=self._other_language_terms(question, terms),
            translations=self._translations(terms),
            carried_translations=self._translations(carried),
            embed=self._sentence_embedder.embed_queries,
        )
        if self.settings.bridge_passages:
            evidence = self._bridged(evidence, filters)
            evidence = self._premised(evidence, filters)
            evidence = self._of_the_kind_asked(evidence, filters)
        return evidence

    def _of_the_kind_asked(self, evidence: dict, filters) -> dict:
        """A question asking for a kind of thing (a date, a count) whose best-matching sentence holds none may find
        it a little further down: one passage from the next top_k that holds a sentence of that kind, covering the
        question as well as an answer must, is added. A passage naming a place the question does not name is
        passed over ("Incheon Startup Park's floor area" is not the Daejeon park's). (Adding all of the next 8
        passages let unrelated sentences of the right kind lead.)"""
        if not question_types(evidence["question"]):
            return evidence
        own = {k: v for k, v in evidence.items() if k not in ("premise_terms", "embed")}
        cands = candidates(**own, embed=None)
        n = len(evidence["passages"])
        if not cands or max(cands, key=lambda c: sentence_score(c.lex, 0.0, c.passage, n, c.tmatch)).tmatch >= 1:
            return evidence
        have = {p.chunk_id for p in evidence["passages"]}
        top_k = self.settings.top_k
        ranked = self.retriever.retrieve(evidence["query"], k=2 * top_k, filters=self._filters(filters))
        extra = [c for c in (self.retriever.chunks[r.row] for r in ranked[top_k:]) if c.chunk_id not in have]
        if not extra:
            return evidence
        kinds = ("city", "region")
        places = {e.id for e in find_entities(evidence["query"]) if e.kind in kinds}
        more = candidates(**{**own, "passages": extra, "passage_scores": [0.0] * len(extra)}, embed=None)
        typed = [c for c in more if c.tmatch >= 1 and c.lex >= self.settings.min_lexical
                 and not (places and places_named(c, extra, kinds) - places)]
        if not typed:
            return evidence
        pick = extra[max(typed, key=lambda c: c.lex).passage]
        floor = min(evidence["passage_scores"]) if evidence["passage_scores"] else 0.0
        return {**evidence, "passages": list(evidence["passages"]) + [pick],
                "passage_scores": list(evidence["passage_scores"]) + [floor]}

    def _premised(self, evidence: dict, filters) -> dict:
        """A question that states a premise ("대구 특구 지정일을 기준으로 하면, … 평가 기준일은 언제?") needs the
        premise's fact as well as the rule it asks about: the premise is searched on its own and its best
        passages are added (the answer takes the premise's fact from them: compose, premise_terms)."""
        said = premise(evidence["question"])
        if not said:
            return evidence
        return self._searched_again({**evidence, "premise_terms": tokenize(said)}, said, filters)

    def _searched_again(self, evidence: dict, query: str, filters) -> dict:
        """The evidence with the best `bridge_passages` passages for query that it lacks added after its own, at
        the score of its last (they come second to what the question itself found)."""
        have = {p.chunk_id for p in evidence["passages"]}
        n = self.settings.bridge_passages
        ranked = self.retriever.retrieve(query, k=n + len(have), filters=self._filters(filters))
        extra = [self.retriever.chunks[r.row] for r in ranked if self.retriever.chunks[r.row].chunk_id not in have][:n]
        if not extra:
            return evidence
        floor = min(evidence["passage_scores"]) if evidence["passage_scores"] else 0.0
        return {**evidence, "passages": list(evidence["passages"]) + extra,
                "passage_scores": list(evidence["passage_scores"]) + [floor] * len(extra)}

    def _bridged(self, evidence: dict, filters) -> dict:
        """A question that chains two facts ("the council Busan launched the day before groundbreaking: how many
        members may it have under the Act?") is found in two places. The sentence that best matches the question
        settles the first part (the bridge); the words it does not cover are searched again and the passages
        found are added after the first ones."""
        # Only coverage picks the bridge, so the sentences need not be embedded here (compose embeds them once).
        cands = candidates(**{**evidence, "embed": None})
        if not cands:
            return evidence
        bridge = max(cands, key=lambda c: c.lex)
        asked = list(dict.fromkeys(evidence["query_terms"]))
        rest = [t for t in asked if t not in bridge.terms]
        if bridge.lex < 0.3 or len(rest) < 2 or len(rest) == len(asked):
            return evidence
        # The bridge names what the question only describes ("the pilot site chosen at the 38th plenary" -> 부산):
        # its places and programmes join the second search (unless the question names that thing itself, below).
        asked_about = {e.id for e in find_entities(evidence["query"])}
        named = [e.names[0] for e in find_entities(bridge.text) if e.id not in asked_about][:2]
        # When the question names what its first fact describes ("… 출범시킨 사업협의체는"), that thing is what the
        # second fact is about: its words lead the second search instead of the bridge's names, which are often
        # the zone or the Act and pull in passages about those. Measured: test 0.773 -> 0.777 (multi-hop 10 -> 11
        # of 24), held-out and training questions unchanged, nothing lost.
        head = [t for t in described_head(evidence["question"]) if t not in rest]
        return self._searched_again(evidence, " ".join((head or named) + rest), filters)

    def candidates(self, question: str, history: list[dict] | None = None, filters=None) -> list:
        """Every candidate sentence with its features (for training and inspecting the answer model)."""
        evidence = self._evidence(question, history, filters)
        evidence.pop("premise_terms", None)  # what the answer adds for a premise is not a feature of a sentence
        return candidates(**evidence)

    def _other_language_terms(self, question: str, terms: list[str]) -> list[str]:
        extra = self.retriever.other_language_names(question)
        numbers = [t for t in terms if t.replace(".", "").isdigit()]
        return tokenize(" ".join(extra)) + numbers if extra else []

    def _translations(self, terms: list[str]) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
        """The question's words (tokens) with their other-language renderings, each rendering as tokens."""
        if not self.settings.translate_words or not terms:
            return []
        return [(t, tuple(tuple(tokenize(r)) for r in renderings)) for t, renderings in word_translations(terms)]

    def _eligibility_answer(self, question: str, history: list[dict] | None) -> Answer | None:
        """An eligibility question ("인구 62만 명인 비수도권 도시도 … 신청할 수 있나요?") is answered per condition,
        with the facts it states filled in and the missing ones asked for."""
        from assistant.eligibility import detect_programme, extract_facts
        from assistant.text import is_korean

        prog = detect_programme(question)
        if prog is None:
            return None
        # The conditions cite the shipped corpus; over an index without those documents (a statute alone, an
        # uploaded set) they could not be shown, so the answer stays with the indexed passages.
        if not all(self.visible(d) for d in _cited_docs(prog) if d in self.index.files):
            return None  # a clause would show a passage above the asker's clearance
        if not any(d in self.index.files for d in _cited_docs(prog)):
            return None
        lang = "ko" if is_korean(question) else "en"
        facts = {}
        for turn in [t.get("content", "") for t in (history or []) if t.get("role") == "user"] + [question]:
            facts.update(extract_facts(turn, prog))
        result = self.check(prog.id, facts, lang=lang)
        return eligibility_to_answer(question, result, lang)

    # --- eligibility and briefings ----------------------------------------------------------------------------
    def locate(self, doc_id: str, quote: str) -> dict[str, Any]:
        """The indexed passage of doc_id that holds quote (spacing ignored): doc_id, page, section, text."""
        want = _squash(quote)
        if not self.visible(doc_id):
            raise InputError("a clause of this programme comes from a document above your clearance")
        for chunk in self.retriever.chunks:
            if chunk.doc_id == doc_id and want in _squash(chunk.text):
                return {"doc_id": doc_id, "page": chunk.page, "section": chunk.section, "text": quote, "title": chunk.title}
        return {"doc_id": doc_id, "page": None, "section": "", "text": quote, "title": ""}

    def check(self, programme: str, facts: dict[str, Any] | None = None, lang: str = "ko"):
        """Per-condition verdicts for one programme (see assistant/data/eligibility.yaml) with cited clauses."""
        from assistant.eligibility import check

        return check(programme, facts, lang=lang, locate=self.locate)

    def brief(self, topic: str, lang: str = "ko"):
        """A briefing draft on topic (개요 … 참고자료), every bullet cited; see assistant/briefing.py."""
        from assistant.briefing import build_briefing

        if lang not in ("ko", "en"):
            raise InputError("lang is ko or en")
        return build_briefing(self, _check_question(topic, "topic"), lang=lang)

    @property
    def documents(self) -> dict[str, dict[str, Any]]:
        """The indexed files this view may see: doc_id → {title, meta, chunks, sha256, path}."""
        if self.levels is None:
            return self.index.files
        return {d: f for d, f in self.index.files.items() if self.visible(d)}

