"""The answer pipeline's hand-offs: reason codes, the trace --explain shows, the answer-confidence stage."""

import json

import pytest

from assistant.answer import ComposeSettings, Evidence, analyse, compose
from assistant.answer.confidence import FEATURES, ConfidenceModel, answer_features, missing_terms
from assistant.answer.candidates import candidates
from assistant.answer.decline import REASONS
from assistant.text import tokenize
from assistant.types import Chunk


def chunk(i, text, title="문서", section="1. 개요"):
    return Chunk(chunk_id=f"d{i}#0", doc_id=f"d{i}.md", title=title, text=text, section=section, page=i, start=0,
                 end=len(text), doc_type="plan", lang="ko", date="2024-11-07")


def ask(q, passages, cfg=ComposeSettings(abstain_below=0.1, min_lexical=0.2), **kw):
    ev = Evidence(question=q, query=q, passages=tuple(passages), passage_scores=tuple(0.9 - 0.1 * i for i in range(len(passages))),
                  idf=lambda t: 1.0, query_terms=tuple(tokenize(q)), **kw)
    return compose(ev, cfg)


@pytest.mark.parametrize("question,text,reason", [
    ("대구 특구의 총사업비는 얼마인가요?", "대구 특구의 총사업비는 7,872억 원이다.", "answered"),
    ("광주 특구의 부지 면적은 얼마인가요?", "대구 특구의 총사업비는 7,872억 원이다.", "no_evidence"),
    ("대구 특구의 총사업비는 얼마인가요?", "대구 특구의 총사업비는 공개 자료에서 확인되지 않았다.", "not_stated"),
    ("대구 특구 착공식은 언제 열렸나요?", "부산 특구 착공식은 2025년 3월 5일 열렸다.", "other_place"),
    ("대구 특구의 총사업비는 얼마인가요?", "대구 특구의 총사업비는 국비와 지방비로 마련한다.", "kind_missing"),
    ("대구 특구 3단계 면적은 얼마인가요?", "대구 특구 1단계 면적은 21만㎡이다.", "part_missing"),
    ("2023년 말 기준 대구 특구 입주 기업은 몇 곳인가요?", "2021년 대구 특구 입주 기업은 12곳이다.", "other_year"),
])
def test_every_way_of_answering_or_declining_has_its_reason(question, text, reason):
    ans = ask(question, [chunk(1, text)])
    assert ans.reason == reason and reason in REASONS
    assert ans.abstained == (reason != "answered")
    assert ans.to_json()["reason"] == reason


def test_the_trace_shows_lead_and_runner_up_with_contributions_that_make_their_score():
    passages = [chunk(1, "대구 특구의 총사업비는 7,872억 원이다. 대구 특구는 세 거점으로 이루어진다.")]
    ans = ask("대구 특구의 총사업비는 얼마인가요?", passages)
    lead, runner, whole = ans.trace
    assert (lead.role, runner.role, whole.role) == ("lead", "runner-up", "answer")
    assert "7,872억" in lead.text and lead.text != runner.text
    for s in (lead, runner):
        assert dict(s.contributions).keys() == {"coverage", "meaning", "passage_rank", "kind_match"}
        assert sum(v for _, v in s.contributions) == pytest.approx(s.score)
    assert dict(whole.signals).keys() == set(FEATURES)
    json.dumps([s.to_json() for s in ans.trace], ensure_ascii=False)


def test_a_name_written_in_the_other_language_is_not_missing_but_an_unmentioned_word_is():
    q = "대구 특구의 사업비와 입주 기업 수는?"
    passages = (chunk(1, "The Daegu zone's project cost is 787.2 billion won.", title="Daegu"),)
    ev = Evidence(question=q, query=q, passages=passages, passage_scores=(1.0,), idf=lambda t: 1.0,
                  query_terms=tuple(tokenize(q)),
                  translations=(("사업비", (("project", "cost"),)),))
    missing = missing_terms(ev, analyse(ev), [0])
    assert "대구" not in missing and "사업비" not in missing
    assert "입주" in missing


def test_a_confidence_model_declines_what_it_judges_unlikely_right(tmp_path):
    passages = [chunk(1, "대구 특구의 총사업비는 7,872억 원이다.")]
    q = "대구 특구의 총사업비는 얼마인가요?"
    lenient = ConfidenceModel((0.0,) * len(FEATURES), 0.0, 0.4)  # p = 0.5 for every answer
    strict = ConfidenceModel((0.0,) * len(FEATURES), 0.0, 0.6)
    base = ComposeSettings(abstain_below=0.1, min_lexical=0.2)
    from dataclasses import replace

    assert ask(q, passages, replace(base, confidence=lenient)).reason == "answered"
    ans = ask(q, passages, replace(base, confidence=strict))
    assert ans.abstained and ans.reason == "low_confidence" and ans.evidence["confidence"] == 0.5
    # the model file: version and features must be the ones this code computes
    path = tmp_path / "m.json"
    path.write_text(json.dumps(strict.to_json()), encoding="utf-8")
    assert ConfidenceModel.load(path) == strict
    path.write_text(json.dumps({**strict.to_json(), "features": ["score"]}), encoding="utf-8")
    assert ConfidenceModel.load(path) is None


def test_answer_features_follow_the_chosen_sentences():
    q = "대구 특구의 총사업비는 얼마인가요?"
    ev = Evidence(question=q, query=q, passages=(chunk(1, "대구 특구의 총사업비는 7,872억 원이다."),),
                  passage_scores=(1.0,), idf=lambda t: 1.0, query_terms=tuple(tokenize(q)))
    an = analyse(ev)
    lead = candidates(ev, an)[0]
    f = dict(answer_features(ev, an, [lead], True).named())
    assert f["missing_share"] == 0.0 and f["kind_asked"] == 1.0 and f["support"] == 1.0 and f["kind_match"] == 1.0


def test_the_sources_panel_says_why_and_escapes_what_documents_say():
    from assistant.ui.i18n import TEXT
    from assistant.ui.render import sources_html

    passages = [chunk(1, "대구 특구의 총사업비는 7,872억 원이다. 대구 특구는 <script>alert(1)</script> 세 거점이다.")]
    ans = ask("대구 특구의 총사업비는 얼마인가요?", passages)
    page = sources_html(ans, TEXT["ko"])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert TEXT["ko"]["details"] in page and TEXT["ko"]["reasons"]["answered"] in page
    assert "coverage +" in page  # each signal's contribution to the lead sentence's score
    declined = ask("광주 특구의 부지 면적은 얼마인가요?", passages)
    assert TEXT["en"]["reasons"]["no_evidence"] in sources_html(declined, TEXT["en"])


def test_a_sentence_that_opens_a_list_answers_with_its_items():
    text = ("다음 각 호의 어느 하나에 해당하는 자는 2년 이하의 징역에 처한다.\n1. 허가 없이 시설을 설치한 자\n"
            "2. 거짓으로 지정을 신청한 자\n\n그 밖의 사항은 시행령으로 정한다.")
    ans = ask("어떤 자가 2년 이하의 징역에 처해지나요?", [chunk(1, text, section="제45조(벌칙)")])
    assert not ans.abstained
    assert "(1) 허가 없이 시설을 설치한 자 (2) 거짓으로 지정을 신청한 자" in ans.text
    assert ans.text.count("2년 이하의 징역") == 1  # each item is given once, without its lead-in again


def test_named_terms_are_figures_known_places_and_capitalised_words():
    from assistant.answer.confidence import named_terms

    assert {"2023", "대구"} <= named_terms("대구 특구의 2023년 예산은?")
    assert {"cortex"} <= named_terms("How many firms are in the Cortex district?")
    assert "firm" not in named_terms("How many firms are in the Cortex district?")


@pytest.mark.parametrize("question,sentence,unmatched", [
    ("Which city was not selected in 2020?", "Daegu was selected in 2020.", 1.0),
    ("Which city was not selected in 2020?", "Ulsan was not selected in 2020.", 0.0),
    ("선정되지 않은 도시는 어디인가요?", "대구가 선정되었다.", 1.0),
    ("Which city was selected in 2020?", "Daegu was selected in 2020.", 0.0),
])
def test_a_negation_the_answer_lacks_is_unmatched(question, sentence, unmatched):
    from assistant.answer.confidence import unmatched_cue

    assert unmatched_cue("negation", question, sentence) == unmatched


def test_an_end_of_an_order_the_answer_does_not_name_is_unmatched():
    from assistant.answer.confidence import unmatched_cue

    assert unmatched_cue("extreme", "Which is the smallest zone?", "Daegu is the largest zone.") == 1.0
    assert unmatched_cue("extreme", "Which is the largest zone?", "Daegu is the largest zone.") == 0.0
    assert unmatched_cue("extreme", "가장 작은 구역은?", "가장 큰 구역은 A이다.") == 0.0  # the word is there; its object is not read


def test_a_name_off_the_lead_sentence_is_a_feature_even_when_its_passage_names_it():
    text = "대구 특구는 2021년에 선정되었다. 부산 특구는 2022년에 선정되었다."
    q = "대구 특구는 2022년에 선정되었나요?"
    ev = Evidence(question=q, query=q, passages=(chunk(1, text),), passage_scores=(0.9,), idf=lambda t: 1.0,
                  query_terms=tuple(tokenize(q)))
    an = analyse(ev)
    cands = [c for c in candidates(ev, an) if c.text.startswith("대구")]
    feats = dict(answer_features(ev, an, cands, True).named())
    assert feats["names_missing"] == 0.0  # the passage holds every name
    assert feats["lead_names_missing"] > 0.0  # the lead sentence lacks the year asked


@pytest.mark.parametrize("text,nothing", [
    ("생성형 AI 구축 및 학습 용역 한국남부발전- 24 -", True),  # a running header with its page number
    ("[ 제1기 및 제2기 위원 비교 ]", True),  # a table's caption
    ("사업 기간은 착수일로부터 13개월이다.", False),
    ("2021-2023년 사업비는 300억 원이다.", False),
])
def test_captions_and_running_headers_answer_nothing(text, nothing):
    from assistant.answer.sentences import answers_nothing

    assert answers_nothing(text, "") == nothing

