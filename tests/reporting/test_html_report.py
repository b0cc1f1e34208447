"""The HTML report is self-contained and escapes what users typed."""

import re

from bot.reporting.conversations import conversations
from bot.reporting.figures import compute
from bot.reporting.html_report import render
from bot.reporting.nearest_faq import FaqIndex
from bot.reporting.privacy import SenderHasher
from bot.reporting.similarity import lexical_vectoriser
from bot.reporting.store import StoredEvent, read_events
from tests.support.tracker_store import at

ATTACK = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def injected():
    """A conversation whose declined question is markup, as Rasa would store it."""
    t = at(4, 12)
    decline = {"event": "bot", "text": "抱歉", "data": {"custom": {"answer": {"kind": "decline", "answer_id": None}}}}
    return [
        StoredEvent("zz-attacker", "session_started", t, None, None, {}),
        StoredEvent("zz-attacker", "user", t + 1, "out_of_scope", None, {"event": "user", "text": ATTACK}),
        StoredEvent("zz-attacker", "bot", t + 2, None, None, decline),
    ]


def page(store):
    vec = lexical_vectoriser()
    index = FaqIndex.build(vec)
    convs = conversations(list(read_events(str(store))) + injected())
    return render(compute(convs, vec, index, SenderHasher(b"s")), index.title)


def test_self_contained_no_script_no_remote_assets(scripted_store):
    html = page(scripted_store)
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html
    assert html.count("<svg") == 2 and "<rect" in html


def test_user_text_is_escaped(scripted_store):
    html = page(scripted_store)
    assert ATTACK not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_headline_figures_are_shown(scripted_store):
    html = page(scripted_store)
    assert "2026-11-02 至 2026-11-05" in html
    # 10 questions with the injected one: 2 answered, 1 clarified, 7 declined.
    assert "<b>10</b><span>提问</span>" in html and "<b>70.0%</b><span>无法回答</span>" in html
    assert "<b>1 / 1</b>" in html  # 有用 / 没用
    assert "加强针怎么打" in html and "wecom-zhangsan" not in html
