"""The extractive answerer: the stages of the answer pipeline, run in order.

analyse the question (evidence.analyse) → candidate sentences with their signals (candidates) → score (hand-set
weights or the learned model) → decline when the evidence is weak or says the thing is not stated (decline) → lead
and followers (select) → decline when what was chosen is about another place, phase, year or kind (decline) →
the answer text with [n] marks and the passages as citations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from assistant.cues import cue
from assistant.retrieval.fusion import text_key
from assistant.text import is_korean
from assistant.types import Answer, Chunk, Citation, SentenceTrace

from . import decline as why
from .candidates import Candidate, candidates
from .confidence import AnswerFeatures, ConfidenceModel, answer_features
from .evidence import Analysis, Evidence, analyse
from .features import Weights
from .remarks import says_not_stated
from .scorer import AnswerModel
from .select import (bridge_terms, followers, in_other_language, lead_order, list_answer, other_language_second,
                     premise_fact, qualifier, second_hop)

DECLINE = {
    "ko": "제공된 문서에서는 이 질문에 대한 답을 찾지 못했습니다. 가장 가까운 구절을 아래에 표시합니다.",
    "en": "The documents do not answer this question. The closest passages are shown below.",
}
NOT_STATED_LEAD = {
    "ko": "문서에는 이에 대한 수치나 내용이 나와 있지 않습니다. 관련 구절: ",
    "en": "The documents do not state this. The relevant passage says: ",
}


@dataclass(frozen=True)
class ComposeSettings:
    max_sentences: int = 3
    abstain_below: float = 0.20
    min_lexical: float = 0.30
    min_dense: float = 0.30
    weights: Weights = Weights()
    model: AnswerModel | None = None
    # Further sentences join the best one when they score at least this share of it (and add a question word or
    # the kind asked). Measured: 0.8 -> 0.7 gained 2 on the test set and 2 on the training questions, lost none,
    # held-out unchanged; 0.6 gained 3 more on the test set only, with answers 10% longer than at 0.8.
    follow_within: float = 0.7
    confidence: ConfidenceModel | None = None  # declines an answer it judges unlikely right (stage 7)


def score(cands: list[Candidate], n_passages: int, cfg: ComposeSettings) -> list[Candidate]:
    """Each candidate with its score and the contributions that make it up."""
    out = []
    for c in cands:
        if cfg.model is not None:
            out.append(replace(c, score=cfg.model.score(c.features), parts=cfg.model.parts(c.features)))
        else:
            parts = cfg.weights.parts(c.lex, c.dense, c.passage, n_passages, c.tmatch)
            out.append(replace(c, score=sum(v for _, v in parts), parts=parts))  # as features.sentence_score
    return out


def compose(ev: Evidence, cfg: ComposeSettings = ComposeSettings()) -> Answer:
    an = analyse(ev)
    cands = score(candidates(ev, an), len(ev.passages), cfg)
    ranked = sorted(cands, key=lambda c: -c.score)
    summary = _summary(ranked, an)
    if cfg.model is not None:
        weak = not ranked or ranked[0].score < cfg.model.threshold
    else:
        ranked = why.supported_first(ranked, cfg.min_lexical, cfg.min_dense)
        weak = not ranked or ranked[0].score < cfg.abstain_below or not why.supported(ranked[0], cfg.min_lexical,
                                                                                           cfg.min_dense)
    if weak:
        return _decline(ev, an, why.NO_EVIDENCE if ev.passages else why.NO_PASSAGES, ranked, summary)
    said = why.not_stated_remark(ranked)
    if said is not None:
        # The evidence says what was asked is not in the sources: a decline, with that sentence cited.
        p = ev.passages[said.passage]
        return Answer(question=ev.question, text=f"{NOT_STATED_LEAD[an.lang]}{said.text} [1]", abstained=True,
                      citations=(_citation(1, p, ev.passage_scores[said.passage], said.text),), query=ev.query,
                      evidence=summary, reason=why.NOT_STATED, trace=_trace([said] + ranked))
    other_led = in_other_language(ranked[0], an.lang)
    ranked = lead_order(ranked, an, ev.passages, ev.idf)
    chosen = followers(ranked, an, set(ev.query_terms) | set(ev.carried_terms), other_led, cfg.max_sentences,
                       cfg.follow_within)
    chosen = list_answer(cands, _added(ev, an, cands, ranked, chosen))
    if len(an.cities) == 1 and why.another_city(chosen[0], ev.passages, an.cities):
        # Led by a sentence about another city: those go, and with none left the answer is not in the documents.
        # (Declining outright lost an answer that a later sentence gave for the right city.)
        chosen = [c for c in chosen if not why.another_city(c, ev.passages, an.cities)]
        if not chosen:
            return _decline(ev, an, why.OTHER_PLACE, ranked, summary)
    missing = why.unanswered(ev.question, an.own_kinds, chosen)
    if missing:
        return _decline(ev, an, missing, ranked, summary)
    feats = answer_features(ev, an, chosen, why.supported(chosen[0], cfg.min_lexical, cfg.min_dense))
    summary = {**summary, "answer_features": dict(feats.named()), "missing_terms": list(feats.missing)}
    if cfg.confidence is not None:
        p = cfg.confidence.probability(feats.values)
        summary["confidence"] = round(p, 4)
        if p < cfg.confidence.threshold:
            return _decline(ev, an, why.LOW_CONFIDENCE, ranked, summary, feats, cfg.confidence)
    return _answer(ev, chosen, ranked, summary, feats, cfg.confidence)


def _added(ev: Evidence, an: Analysis, cands: list[Candidate], ranked: list[Candidate],
           chosen: list[Candidate]) -> list[Candidate]:
    """The chosen sentences with what completes them: a chained question's second fact, a premise's own fact, a
    sentence limiting the lead, the best sentence in the other language."""
    weights = {t: ev.idf(t) for t in ev.query_terms}
    hop = second_hop(ranked, chosen, weights, bridge_terms(chosen[0], ev.query, weights))
    if hop is not None:
        chosen = chosen + [hop]
    fact = premise_fact(ranked, chosen, ev.premise_terms, ev.passages, ev.idf) if ev.premise_terms else None
    if fact is not None:
        chosen = chosen[:1] + [fact] + chosen[1:]
    limit = qualifier(cands, chosen[0])
    if limit is not None and text_key(limit.text) not in {text_key(c.text) for c in chosen}:
        chosen = chosen[:1] + [limit] + chosen[1:]
    return chosen + other_language_second(ranked, chosen, an.lang)


def _answer(ev: Evidence, chosen: list[Candidate], ranked: list[Candidate], summary: dict,
            feats: AnswerFeatures | None = None, model: ConfidenceModel | None = None) -> Answer:
    numbering: dict[int, int] = {}
    parts: list[str] = []
    for c in chosen:
        n = numbering.setdefault(c.passage, len(numbering) + 1)
        # A statute sentence is only half an answer without its clause: name the article it comes from, unless
        # the sentence opens with it.
        article = article_of(ev.passages[c.passage].section)
        lead = f"{article}: " if article and not text_key(c.text).startswith(text_key(article.split("(")[0])) else ""
        parts.append(f"{lead}{c.text} [{n}]")
    citations = tuple(
        _citation(n, ev.passages[i], ev.passage_scores[i], next(c.text for c in chosen if c.passage == i))
        for i, n in sorted(numbering.items(), key=lambda kv: kv[1])
    )
    return Answer(question=ev.question, text=" ".join(parts), abstained=False, citations=citations, query=ev.query,
                  evidence=summary, reason=why.ANSWERED,
                  trace=_trace([chosen[0]] + ranked) + _confidence_trace(feats, model))


def article_of(section: str) -> str | None:
    """"제9조(도심융합특구의 지정)" when the innermost part of a section path is a statute article, else None."""
    last = (section or "").split(" > ")[-1].strip()
    m = cue("article_heading").match(last)
    return f"{text_key(m.group(1))}({m.group(2).strip()})" if m else None


def _summary(ranked: list[Candidate], an: Analysis) -> dict:
    """The best sentence's signals, recorded with the answer (for calibration and evaluation records)."""
    if not ranked:
        return {}
    b = ranked[0]
    return {"score": round(b.score, 4), "lexical": round(b.lex, 4), "dense": round(b.dense, 4), "type": b.tmatch,
            "cross_lingual": is_korean(b.text) != (an.lang == "ko"),
            "not_stated": says_not_stated(b.text)}


def _trace(order: Sequence[Candidate]) -> tuple[SentenceTrace, ...]:
    """The lead (first of `order`) and the runner-up (the next one that is another sentence)."""
    if not order:
        return ()
    lead = order[0]
    runner = next((c for c in order[1:] if c is not lead), None)
    return tuple(SentenceTrace(role, c.text, c.score, _signals(c), c.parts)
                 for role, c in (("lead", lead), ("runner-up", runner)) if c is not None)


def _signals(c: Candidate) -> tuple[tuple[str, float], ...]:
    return (("coverage", c.lex), ("own_coverage", c.own_lex), ("meaning", c.dense), ("kind_match", c.tmatch),
            ("not_stated", c.not_stated), ("passage_rank", float(c.passage)))


def _citation(n: int, chunk: Chunk, score: float, sentence: str) -> Citation:
    return Citation(
        n=n, doc_id=chunk.doc_id, title=chunk.title, page=chunk.page, section=chunk.section, text=chunk.text,
        score=round(float(score), 4), sentence=sentence, chunk_id=chunk.chunk_id, doc_type=chunk.doc_type,
        lang=chunk.lang, date=chunk.date,
    )


def _decline(ev: Evidence, an: Analysis, reason: str, ranked: list[Candidate], summary: dict,
             feats: AnswerFeatures | None = None, model: ConfidenceModel | None = None) -> Answer:
    closest = tuple(_citation(i + 1, p, s, "") for i, (p, s) in enumerate(zip(ev.passages[:3], ev.passage_scores[:3])))
    return Answer(question=ev.question, text=DECLINE[an.lang], abstained=True, citations=closest, query=ev.query,
                  evidence=summary, reason=reason, trace=_trace(ranked) + _confidence_trace(feats, model))


def _confidence_trace(feats: AnswerFeatures | None, model: ConfidenceModel | None) -> tuple[SentenceTrace, ...]:
    """The whole answer's features and, with a confidence model, their contributions to its log-odds."""
    if feats is None:
        return ()
    p = model.probability(feats.values) if model else 0.0
    parts = model.parts(feats.values) if model else ()
    return (SentenceTrace("answer", ", ".join(feats.missing), p, feats.named(), parts),)
