"""UI text in Korean (default) and English."""

TEXT = {
    "ko": {
        "title": "지역개발 정책 도우미",
        "subtitle": "도심융합특구와 관련 지원제도에 관한 질문에 문서 근거와 함께 답합니다.",
        "chat": "대화", "documents": "문서", "feedback": "피드백", "evaluation": "평가",
        "question": "질문", "placeholder": "예: 대구 도심융합특구의 총사업비는 얼마인가요?", "send": "보내기",
        "new": "새 대화", "export": "대화 내보내기 (Markdown)", "sources": "근거 자료", "closest": "가장 가까운 구절",
        "filters": "필터", "doc_type": "문서 유형", "lang": "언어", "date_from": "기준일 시작 (YYYY-MM-DD)",
        "date_to": "기준일 끝 (YYYY-MM-DD)", "examples": "예시 질문", "good": "👍 도움이 됨", "bad": "👎 도움이 안 됨",
        "comment": "의견 (선택)", "thanks": "피드백이 저장되었습니다.", "no_answer_yet": "먼저 질문해 주세요.",
        "upload": "문서 추가 (PDF, HWP, HWPX, Markdown, 텍스트)", "add": "색인에 추가", "remove": "삭제할 업로드 문서", "remove_btn": "삭제",
        "doc_table": "색인된 문서", "export_csv": "CSV로 내보내기", "refresh": "새로 고침", "run_eval": "평가 실행",
        "sample": "질문 수 (0 = 전체)", "open": "원문 열기", "page": "쪽", "no_sources": "표시할 구절이 없습니다.",
        "empty_question": "질문을 입력해 주세요.",
        "failed": "답변을 만드는 중 문제가 생겼습니다. 질문을 바꾸어 다시 시도해 주세요.",
        "access": "공개 범위 (public: 공개, internal: 내부, restricted: 제한)",
    },
    "en": {
        "title": "Regional-development policy assistant",
        "subtitle": "Answers questions on urban convergence special zones and related programmes, with the passages it used.",
        "chat": "Chat", "documents": "Documents", "feedback": "Feedback", "evaluation": "Evaluation",
        "question": "Question", "placeholder": "e.g. What is the total project cost of the Daegu zone?", "send": "Send",
        "new": "New conversation", "export": "Export conversation (Markdown)", "sources": "Sources", "closest": "Closest passages",
        "filters": "Filters", "doc_type": "Document type", "lang": "Language", "date_from": "As of, from (YYYY-MM-DD)",
        "date_to": "As of, to (YYYY-MM-DD)", "examples": "Example questions", "good": "👍 Helpful", "bad": "👎 Not helpful",
        "comment": "Comment (optional)", "thanks": "Feedback saved.", "no_answer_yet": "Ask a question first.",
        "upload": "Add documents (PDF, HWP, HWPX, Markdown, text)", "add": "Add to index", "remove": "Uploaded document to remove",
        "remove_btn": "Remove", "doc_table": "Indexed documents", "export_csv": "Export CSV", "refresh": "Refresh",
        "run_eval": "Run evaluation", "sample": "Questions (0 = all)", "open": "open source", "page": "p.",
        "no_sources": "No passages to show.", "empty_question": "Please type a question.",
        "failed": "Something went wrong while answering. Please rephrase and try again.",
        "access": "Access level (who may see it)",
    },
}

EXAMPLES = [
    "도심융합특구는 어떤 곳인가요?",
    "대구 도심융합특구의 총사업비는 얼마인가요?",
    "인구 62만 명인 비수도권 도시도 도심융합특구 지정을 신청할 수 있나요?",
    "When was the urban convergence special zone plan announced?",
    "What is one-north?",
]
