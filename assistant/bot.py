"""The Python API: Assistant.from_index(path) → ask / search. Thin glue over index, retrieval and answer."""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

from assistant.answer import AnswerModel, ComposeSettings, Evidence, analyse, candidates, compose
from assistant.answer.confidence import ConfidenceModel
from assistant.answer.plan import Planner
from assistant.clean import clean_history, clean_text
from assistant.embedders import Embedder, UseM3, get_embedder
from assistant.errors import InputError
from assistant.index import StoredIndex, embedder_names, ensure_index, open_store, recorded_sources
from assistant.query import followup_context, resolve_followup, word_translations
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


# Conditions in the order a caseworker reads them: what decides first (an unmet condition, else one still open),
# then what is met, then what is still open.
_DECIDES = {"not_met": 0, "unknown": 1, "met": 2}
_STATUS_ORDER = {"not_met": 0, "met": 1, "unknown": 2}
BENEFIT = {"ko": "혜택", "en": "benefit"}
GIVEN = {"ko": "질문에서: ", "en": "from your question: "}
YES_NO = {"ko": ("예", "아니요"), "en": ("yes", "no")}


def _given(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return YES_NO[lang][0 if value else 1]
    if isinstance(value, (int, float)):
        return f"{value:,}"
    return str(value)


def _from_gazetteer(key: str, value: Any, place, lang: str) -> str:
    """Where a fact the question did not state came from: the gazetteer row of the place it names."""
    from assistant.gazetteer import population_as_of

    name = place.label if lang == "ko" else place.en
    if key == "population":
        as_of, source = population_as_of()
        return (f"지명 자료: {name} 주민등록인구 {value:,}명, {as_of} 기준, {source}" if lang == "ko" else
                f"gazetteer: {name}, resident registration population {value:,} at {as_of} ({source})")
    if key == "capital_region":
        where = ("수도권" if value else "수도권 밖") if lang == "ko" else (
            "in the capital region" if value else "outside the capital region")
        return f"지명 자료: {name} — {where}" if lang == "ko" else f"gazetteer: {name} is {where}"
    return f"{'지명 자료' if lang == 'ko' else 'gazetteer'}: {name} → {_given(value, lang)}"


def eligibility_to_answer(question: str, result, lang: str, sources: dict | None = None) -> Answer:
    """The checker's result as a chat answer, in the order a caseworker reads it: the verdict; the condition that
    decides (an unmet one, else one still open) with its [n] clause; the benefit that follows (rate, period, cap)
    unless a condition fails; the other conditions, each with the fact read from the question; what to ask."""
    from assistant.types import Citation

    citations: list[Citation] = []

    def cite(text: str, citation: dict) -> str:
        where = citation.get("section") or (f"p. {citation['page']}" if citation.get("page") else "")
        citations.append(Citation(n=len(citations) + 1, doc_id=citation["doc_id"], title=citation.get("title", ""),
                                  page=citation.get("page"), section=where, text=citation["text"], score=1.0,
                                  sentence=citation["text"]))
        return f"{text} [{len(citations)}]"

    def condition(c) -> str:
        given = "" if c.given is None else (f" ({_from_gazetteer(c.fact, c.given, sources[c.fact], lang)})"
                                            if c.fact in (sources or {}) else f" ({GIVEN[lang]}{_given(c.given, lang)})")
        return "- " + cite(f"{STATUS[lang][c.status]} — {c.text}{given}", c.citation)

    ordered = sorted(result.conditions, key=lambda c: _DECIDES.get(c.status, 3))
    lines = [f"{result.name}: {VERDICT[lang][result.verdict]}."]
    lines += [condition(c) for c in ordered[:1]]
    lines += ["- " + cite(f"{BENEFIT[lang]} — {b.text}", b.citation) for b in result.benefits]
    lines += [condition(c) for c in sorted(ordered[1:], key=lambda c: _STATUS_ORDER.get(c.status, 3))]
    if result.questions:
        lines.append(("확인이 필요한 사항: " if lang == "ko" else "Please tell me: ") + " / ".join(result.questions))
    return Answer(question=question, text="\n".join(lines), abstained=False, citations=tuple(citations),
                  query=question, evidence={"eligibility": {**result.to_json(), "from_gazetteer": {
                      k: p.label for k, p in (sources or {}).items()}}})


def merge_answers(direct: Answer, table: Answer) -> Answer:
    """The verdict and the per-condition table first, then the extractive answer (when there is one); citations
    renumbered."""
    if direct.abstained:
        return table
    offset = len(table.citations)
    text = direct.text
    for c in sorted(direct.citations, key=lambda c: -c.n):
        text = text.replace(f"[{c.n}]", f"[{c.n + offset}]")
    from dataclasses import replace as _replace

    cites = table.citations + tuple(_replace(c, n=c.n + offset) for c in direct.citations)
    return Answer(question=direct.question, text=table.text + "\n\n" + text, abstained=False, citations=cites,
                  query=direct.query, evidence={**direct.evidence, **table.evidence}, reason=direct.reason,
                  trace=direct.trace, generation=direct.generation)


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


def _model(loader, choice: str, off: str, shipped: str, what: str):
    """A model chosen by a setting: None for `off`, the packaged one for `shipped`, else the JSON file at that path."""
    if choice == off:
        return None
    model = loader(None if choice == shipped else choice)
    if model is None:
        raise InputError(f"{what} {choice!r} not found or not for these features")
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
        # answer_model: "weights" (hand-set), "trained" (assistant/data/answer_model.json) or a path; likewise
        # answer_confidence: "off", "shipped" (assistant/data/confidence_model.json) or a path.
        self.answer_model = _model(AnswerModel.load, settings.answer_model, "weights", "trained", "answer model")
        self._compose_settings = ComposeSettings(
            max_sentences=settings.max_answer_sentences, abstain_below=settings.abstain_below,
            min_lexical=settings.min_lexical, min_dense=settings.min_dense, model=self.answer_model,
            confidence=_model(ConfidenceModel.load, settings.answer_confidence, "off", "shipped",
                              "answer confidence model"))
        self._chat = None
        if settings.llm_url:
            from assistant.generate.llm import ChatModel, LlmConfig

            self._chat = ChatModel(LlmConfig(settings.llm_url, settings.llm_model, settings.llm_timeout_s))
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
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

    def _set_index(self, index: StoredIndex, live: str | None = None) -> None:
        retriever = HybridRetriever.from_settings(index, self.embedders, self.settings)
        with self._lock:
            self.index = index
            self.retriever = retriever
            self._rows: dict[str, int] | None = None  # chunk_id -> row, made when a generated answer needs it
            self._live, self._checked = live, time.monotonic()

    def refresh(self, every: float = 2.0) -> bool:
        """Reload when another process published a newer build (a server's other workers, another machine on the
        same database, an index build run beside it); asks the store at most once per `every` seconds. Returns
        whether it reloaded."""
        if time.monotonic() - self._checked < every or not self._refreshing.acquire(blocking=False):
            return False  # checked lately, or another thread is loading the new build: answer from this one
        try:
            where = open_store(self.settings)
            live = where.live_id()
            self._checked = time.monotonic()
            if live is None or live == self._live:
                return False
            self._set_index(where.load(embedder_names(self.settings)), live)
            return True
        finally:
            self._refreshing.release()

    @classmethod
    def from_index(cls, path: str | Path = "index", settings: Settings | None = None, build: bool = True,
                   progress: bool = True, embedders: dict[str, Embedder] | None = None) -> "Assistant":
        """Open the index at `path`. With build=True (the default) a missing index is first built from
        settings.corpus_dirs, and one whose own sources changed is refreshed from them, with a progress bar. An
        existing index keeps the sources it was built from, whatever settings.corpus_dirs says."""
        settings = recorded_sources((settings or Settings.from_env()).replace(index_dir=Path(path)))
        if build:
            ensure_index(settings, progress=progress, embedders=embedders)
        where = open_store(settings)
        live = where.live_id()  # asked first: a build published meanwhile is picked up by the next refresh
        bot = cls(where.load(embedder_names(settings)), settings, embedders)
        bot._live = live
        return bot

    def reload(self) -> None:
        """Pick up a newer build of the same index (after documents were added or removed)."""
        where = open_store(self.settings)
        live = where.live_id()
        self._set_index(where.load(embedder_names(self.settings)), live)

    def search(self, query: str, k: int = 10, filters: Filters | dict | None = None,
               history: list[dict] | None = None) -> list[Hit]:
        query = resolve_followup(_check_question(query, "query"), clean_history(history))
        if not isinstance(k, int) or k < 1:
            raise InputError("k must be a positive whole number")
        retriever = self.retriever
        ranked = retriever.retrieve(query, k=k, filters=self._filters(filters), distinct=self.settings.distinct_documents)
        return [Hit.from_chunk(retriever.chunks[r.row], r.score) for r in ranked]

    def ask(self, question: str, history: list[dict] | None = None, filters: Filters | dict | None = None) -> Answer:
        answer = None
        for kind, value in self.ask_events(question, history, filters):
            if kind == "answer":
                answer = value
        return answer

    def ask_events(self, question: str, history: list[dict] | None = None, filters: Filters | dict | None = None):
        """`ask` as it happens: with a language model, ("token", text) as it writes and ("sentence", SentenceCheck)
        as each sentence is verified; always ("answer", Answer) last, the answer `ask` returns."""
        question = _check_question(question)
        history = clean_history(history)
        answer = self._answer(question, history, filters)
        if self._chat is not None:
            yield from self._generated(answer, history)
            return
        eligibility = self._eligibility_answer(question, history)
        yield "answer", answer if eligibility is None else merge_answers(answer, eligibility)

    def _generated(self, answer: Answer, history: list[dict] | None):
        from assistant.generate import sources_for
        from assistant.generate.answer import stream
        from assistant.text import is_korean

        retriever = self.retriever
        if self._rows is None:
            self._rows = {c.chunk_id: r for r, c in enumerate(retriever.chunks)}
        sources = sources_for(answer, retriever.chunks, self._rows)
        lang = "ko" if is_korean(answer.question) else "en"
        for kind, value in stream(answer, sources, history or [], lang, self._chat, self._sentence_embedder.embed_queries):
            if kind == "answer":
                eligibility = self._eligibility_answer(answer.question, history)
                value = value if eligibility is None else merge_answers(value, eligibility)
            yield kind, value

    def _answer(self, question: str, history: list[dict] | None, filters) -> Answer:
        return compose(self.evidence(question, history, filters), self._compose_settings)

    def evidence(self, question: str, history: list[dict] | None = None, filters=None) -> Evidence:
        """What the answer is composed from: the question, the query it became, the passages its searches found
        (the planner's further searches included) and how to weigh its words."""
        context = followup_context(question, history)
        query = f"{context} {question}" if context else question
        retriever = self.retriever
        ranked = retriever.retrieve(query, k=self.settings.top_k, filters=self._filters(filters))
        terms = tokenize(question)
        carried = tokenize(context) if context else []
        ev = Evidence(
            question=question, query=query,
            passages=tuple(retriever.chunks[r.row] for r in ranked),
            passage_scores=tuple(r.score for r in ranked),
            idf=retriever.bm25.idf, query_terms=tuple(terms), carried_terms=tuple(carried),
            other_language_terms=tuple(self._other_language_terms(question, terms)),
            translations=self._translations(terms), carried_translations=self._translations(carried),
            embed=self._sentence_embedder.embed_queries,
        )
        return self._planner(retriever, filters).plan(ev)

    def _planner(self, retriever: HybridRetriever, filters) -> Planner:
        def search(query: str, k: int) -> list:
            return [(retriever.chunks[r.row], r.score)
                    for r in retriever.retrieve(query, k=k, filters=self._filters(filters))]

        s = self.settings
        return Planner(search, s.top_k, s.bridge_passages, s.min_lexical)

    def candidates(self, question: str, history: list[dict] | None = None, filters=None) -> list:
        """Every candidate sentence with its features (for training and inspecting the answer model)."""
        ev = dataclasses.replace(self.evidence(question, history, filters), premise_terms=())
        return candidates(ev, analyse(ev))

    def _other_language_terms(self, question: str, terms: list[str]) -> list[str]:
        extra = self.retriever.other_language_names(question)
        numbers = [t for t in terms if t.replace(".", "").isdigit()]
        return tokenize(" ".join(extra)) + numbers if extra else []

    def _translations(self, terms: list[str]) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
        """The question's words (tokens) with their other-language renderings, each rendering as tokens."""
        if not self.settings.translate_words or not terms:
            return ()
        return tuple((t, tuple(tuple(tokenize(r)) for r in renderings)) for t, renderings in word_translations(terms))

    def _eligibility_answer(self, question: str, history: list[dict] | None) -> Answer | None:
        """An eligibility question ("인구 62만 명인 비수도권 도시도 … 신청할 수 있나요?") is answered per condition,
        with the facts it states filled in and the missing ones asked for."""
        from assistant.eligibility_read import detect_programme, read_turns
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
        case = read_turns([t.get("content", "") for t in (history or []) if t.get("role") == "user"] + [question], prog)
        result = self.check(prog.id, case.facts, lang=lang)
        return eligibility_to_answer(question, result, lang, case.sources)

    # --- eligibility and briefings ----------------------------------------------------------------------------
    def locate(self, doc_id: str, quote: str) -> dict[str, Any]:
        """The indexed passage of doc_id that holds quote (spacing ignored): doc_id, page, section, text."""
        want = _squash(quote)
        if doc_id in self.index.files and not self.visible(doc_id):
            raise InputError("a clause of this programme comes from a document above your clearance")
        # A rule's document that this index does not hold (another corpus) is cited by its name and quote alone.
        for chunk in self.retriever.chunks:
            if chunk.doc_id == doc_id and want in _squash(chunk.text):
                return {"doc_id": doc_id, "page": chunk.page, "section": chunk.section, "text": quote, "title": chunk.title}
        return {"doc_id": doc_id, "page": None, "section": "", "text": quote, "title": ""}

    def check(self, programme: str, facts: dict[str, Any] | None = None, lang: str = "ko"):
        """Per-condition verdicts for one programme (see assistant/data/eligibility.yaml) with cited clauses."""
        from assistant.eligibility import check

        return check(programme, facts, lang=lang, locate=self.locate)

    def brief(self, topic: str, lang: str = "ko"):
        """A briefing draft on topic (개요 … 참고자료), every bullet cited; see assistant/briefing.py. With a language
        model, its overview and issues are prose the verifier lets stand (assistant/generate/brief.py)."""
        from assistant.briefing import build_briefing

        if lang not in ("ko", "en"):
            raise InputError("lang is ko or en")
        briefing = build_briefing(self, _check_question(topic, "topic"), lang=lang)
        if self._chat is None:
            return briefing
        from assistant.generate.brief import with_prose

        return with_prose(briefing, self._chat, self._sentence_embedder.embed_queries)

    @property
    def documents(self) -> dict[str, dict[str, Any]]:
        """The indexed files this view may see: doc_id → {title, meta, chunks, sha256, path}."""
        if self.levels is None:
            return self.index.files
        return {d: f for d, f in self.index.files.items() if self.visible(d)}

