"""End-to-end: real Rasa server, real action server, real index, through POST /v1/chat."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid

import pytest

from cunfa.settings import PROJECT_ROOT
from knowledge.ingest import load_statutes
from tests.conftest import SHARED_DATA
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.integration


def chat(stack: Stack, text: str, user: str | None = None, **extra) -> dict:
    with stack.client() as client:
        response = client.post("/v1/chat", json={"user_id": user or uuid.uuid4().hex, "text": text, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_readyz_was_503_until_everything_answered(stack: Stack) -> None:
    assert stack.readyz_before_ready and set(stack.readyz_before_ready) == {503}
    with stack.client() as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["checks"] == {"rasa": True, "actions": True, "knowledge": True}


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("你好", "greet", "村法助手"),
        ("谢谢你啊", "thank", "不客气"),
        ("今天天气怎么样", "out_of_scope", "帮不上"),
        ("好了再见", "goodbye", "再见"),
    ],
)
def test_small_talk(stack: Stack, text: str, intent: str, expected: str) -> None:
    body = chat(stack, text, channel="kiosk")
    assert body["intent"]["name"] == intent
    assert 0.0 < body["intent"]["confidence"] <= 1.0
    assert expected in body["replies"][0]["text"]
    assert body["risk_level"] == "none" and body["case"] is None


def test_legal_question_is_answered_with_exact_statute_citations(stack: Stack) -> None:
    body = chat(stack, "离婚后孩子抚养费怎么算", village_id="sample-village", channel="web")
    assert body["intent"]["name"] == "ask_legal_question"
    reply = next(r for r in body["replies"] if r["citations"])
    assert 1 <= len(reply["citations"]) <= 3
    statutes = {d.citation: d.text for d in load_statutes(SHARED_DATA / "laws")}
    for hit in reply["citations"]:
        assert hit["source"] == "statute"
        assert statutes[hit["citation"]] == hit["text"]
        assert hit["citation"] == hit["title"] + hit["article"]
    assert any("抚养费" in hit["text"] for hit in reply["citations"])
    assert "12348" in reply["text"]


def test_emergency_raises_risk_for_that_conversation_only(stack: Stack) -> None:
    user = uuid.uuid4().hex
    body = chat(stack, "他拿着刀说要砍死我", user=user, channel="hotline")
    assert body["risk_level"] == "emergency"
    assert "110" in body["replies"][0]["text"]
    other = chat(stack, "你好", channel="hotline")
    assert other["risk_level"] == "none"


def test_same_user_on_two_channels_is_two_conversations(stack: Stack) -> None:
    user = uuid.uuid4().hex
    assert chat(stack, "他拿着刀说要砍死我", user=user, channel="wechat")["risk_level"] == "emergency"
    assert chat(stack, "你好", user=user, channel="kiosk")["risk_level"] == "none"


def test_http_search_equals_cli_search(stack: Stack) -> None:
    with stack.client() as client:
        api = client.get("/v1/search", params={"q": "拖欠工资怎么办", "k": 5}).json()
    cli = subprocess.run(
        [sys.executable, "-m", "cunfa.cli", "search", "拖欠工资怎么办", "--k", "5", "--json"],
        cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(cli.stdout) == api
    assert len(api["hits"]) == 5


def test_bad_request_gets_the_error_shape(stack: Stack) -> None:
    with stack.client() as client:
        response = client.post("/v1/chat", json={"user_id": "u", "text": ""})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(
    "query, article",
    [
        ("儿子不给俺养老钱咋办", "中华人民共和国民法典第一千零六十七条"),
        ("老板拖欠俺三个月工钱咋整", "中华人民共和国劳动合同法第三十条"),
        ("俺家地被村里收回去了", "中华人民共和国民法典第三百三十七条"),
        ("邻居家的树挡了俺家的光咋办", "中华人民共和国民法典第二百九十三条"),
    ],
)
def test_everyday_words_reach_the_statute(stack: Stack, query: str, article: str) -> None:
    """A regression guard for the everyday-word bridge (colloquial.txt, for words and character
    pairs alike): without it in the bigram query, 养老钱 ranked a gift-revocation article first."""
    with stack.client() as client:
        hits = client.get("/v1/search", params={"q": query, "k": 3, "source": "statute"}).json()["hits"]
    assert article in [h["citation"] for h in hits]


def _kiosk_topics() -> list[tuple[str, str]]:
    html = (PROJECT_ROOT / "api" / "web" / "kiosk.html").read_text(encoding="utf-8")
    return re.findall(r'data-ask="([^"]+)" data-topic="([a-z_]+)"', html)


def test_the_kiosk_has_topic_buttons() -> None:
    assert len(_kiosk_topics()) >= 4


@pytest.mark.parametrize("question, topic", _kiosk_topics())
def test_every_kiosk_topic_button_gets_a_cited_answer(stack: Stack, question: str, topic: str) -> None:
    """A visitor who taps 欠薪 has said what the matter is: the reply cites statutes at once, even
    where the search alone would have asked which matter it is (拖欠农民工工资 scores below the bar)."""
    body = chat(stack, question, channel="kiosk", topic=topic)
    reply = next(r for r in body["replies"] if r["citations"])
    assert all(hit["source"] == "statute" for hit in reply["citations"])
    assert "12348" in reply["text"]


@pytest.mark.parametrize(
    "query",
    ["老板跑了工钱咋要", "俺家地被村里收回去了", "儿子不给老人养老钱咋整", "邻居盖房占了我家的路", "借钱不还怎么办"],
)
def test_every_search_citation_quotes_its_source_exactly(stack: Stack, query: str) -> None:
    """Faithfulness over the full corpus: statute text equals the article parsed from its file,
    FAQ text equals the lawyer's answer, rule text equals the village's clause."""
    statutes = _statutes()
    faqs = {str(item["query_id"]): item for item in json.loads((SHARED_DATA / "lecoqa" / "train.json").read_text())}
    with stack.client() as client:
        hits = client.get("/v1/search", params={"q": query, "k": 30, "village_id": "sample-qingshiwan"}).json()["hits"]
    assert hits
    for hit in hits:
        if hit["source"] == "statute":
            assert statutes[hit["citation"]] == hit["text"]
        elif hit["source"] == "faq":
            assert faqs[hit["faq_id"]]["答案文本"].strip() == hit["text"]
        else:
            rules = (PROJECT_ROOT / "samples" / "villages" / "qingshiwan.md").read_text(encoding="utf-8")
            assert hit["village_id"] == "sample-qingshiwan" and hit["text"] in rules


_cache: dict[str, dict[str, str]] = {}


def _statutes() -> dict[str, str]:
    if "s" not in _cache:
        _cache["s"] = {d.citation: d.text for d in load_statutes(SHARED_DATA / "laws")}
    return _cache["s"]
