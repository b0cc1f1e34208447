"""The web chat widget in a real browser (headless Debian Chromium).

Most tests drive the demo page against the session's real stack (conftest
`stack`, started with a web port). A few replace the Rasa server with canned
replies (Playwright routing) to reach states the real bot cannot be put in on
demand: a slow answer, a hanging server, HTML inside bot text. The rendering
of each message type (options, feedback, full answers, declines) and the
layouts (长辈模式, phones, the launcher) are driven by a fake REST server on
loopback (tests/support/fake_rasa_rest.py).
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Iterator, List

import pytest
import requests
import yaml

# Pinned in requirements/app.in: a missing playwright is an error, not a skip.
from playwright import sync_api

from bot.paths import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

expect = sync_api.expect

ROOT = PROJECT_ROOT
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SOURCE = "【来源】大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月）"
QUICK_REPLIES = ["哪些人可以接种？", "有哪些疫苗？", "加强针怎么打？", "加强针的接种对象？"]
ANSWER_TIMEOUT_MS = 60_000
DESKTOP = {"width": 1000, "height": 900}
PHONE = {"width": 375, "height": 740}

# Answers the bot gives (excluding the welcome and the typing indicator).
ANSWERS = ".vfc-msg-bot:not(.vfc-welcome):not(.vfc-typing)"


# ---------- browser plumbing ----------


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh")
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


class Watched:
    """A page plus what it did that a test may want to forbid."""

    def __init__(self, page):
        self.page = page
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        self.webhook_posts: List[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", self._on_request)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _on_request(self, request) -> None:
        if request.method == "POST" and request.url.endswith("/webhooks/rest/webhook"):
            self.webhook_posts.append(request.post_data or "")


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(ANSWER_TIMEOUT_MS)
    w = Watched(page)
    yield w
    context.close()
    assert not w.errors, f"JavaScript errors on the page: {w.errors}"


def open_chat(page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".vfc-welcome")).to_be_visible()


def ask(page, text: str) -> None:
    box = page.get_by_role("textbox", name="输入您的问题")
    box.fill(text)
    box.press("Enter")


def nth_answer(page, n: int):
    """The n-th bot answer (1-based), once it is there."""
    answer = page.locator(ANSWERS).nth(n - 1)
    answer.wait_for()
    return answer


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def stored_state(page) -> dict:
    return page.evaluate("""() => {
        const key = Object.keys(localStorage).find(k => k.startsWith('vaccine-faq-chat:'));
        return key ? JSON.parse(localStorage.getItem(key)) : null;
    }""")


# ---------- against the real bot ----------


def test_welcome_states_scope_disclaimer_and_dated_source(watched, stack):
    page = watched.page
    open_chat(page, stack.web_url)
    welcome = page.locator(".vfc-welcome")
    text = welcome.inner_text()
    assert "不构成医疗建议" in text
    assert "大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月）" in text
    assert "12320" in text
    for question in QUICK_REPLIES:
        button = page.get_by_role("button", name=question, exact=True)
        expect(button).to_be_visible()
        assert button.evaluate("b => b.tagName") == "BUTTON"
    assert page.locator(".vfc-log").get_attribute("aria-live") == "polite"


def test_quick_reply_gets_an_answer_with_an_expandable_source(watched, stack):
    page = watched.page
    open_chat(page, stack.web_url)
    page.get_by_role("button", name="加强针怎么打？").click()
    expect(page.locator(".vfc-msg-user").last).to_have_text("您：加强针怎么打？")
    answer = nth_answer(page, 1)
    expect(answer).to_contain_text("加强免疫")
    source = answer.locator("details.vfc-source")
    expect(source.locator("summary")).to_contain_text(SOURCE)
    quote = source.locator(".vfc-source-body")
    expect(quote).to_be_hidden()
    source.locator("summary").click()
    expect(quote).to_be_visible()
    expect(quote.locator(".vfc-quote")).to_contain_text("加强针怎么打")

    ask(page, "我们这有哪几种疫苗可以打")
    expect(nth_answer(page, 2).locator(".vfc-source summary")).to_contain_text(SOURCE)
    answer.scroll_into_view_if_needed()
    shot(page, "web-widget-conversation.png")


def test_typed_question_sent_with_enter_shows_its_source(watched, stack):
    page = watched.page
    open_chat(page, stack.web_url)
    box = page.get_by_role("textbox", name="输入您的问题")
    box.click()
    page.keyboard.type("加强针的接种对象是哪些人")
    page.keyboard.press("Enter")
    answer = nth_answer(page, 1)
    expect(answer.locator(".vfc-source summary")).to_contain_text(SOURCE)
    expect(box).to_have_value("")
    assert len(watched.webhook_posts) == 1
    assert json.loads(watched.webhook_posts[0])["message"] == "加强针的接种对象是哪些人"


def test_conversation_survives_a_reload_with_the_same_sender(watched, stack):
    page = watched.page
    open_chat(page, stack.web_url)
    ask(page, "哪些人可以接种新冠疫苗")
    expect(nth_answer(page, 1).locator(".vfc-source summary")).to_contain_text(SOURCE)
    before = page.locator(".vfc-msg").all_inner_texts()
    sender = stored_state(page)["sender"]

    page.reload()
    expect(page.locator(".vfc-welcome")).to_be_visible()
    assert page.locator(".vfc-msg").all_inner_texts() == before
    expect(page.locator(ANSWERS).first.locator(".vfc-source summary")).to_contain_text(SOURCE)
    assert stored_state(page)["sender"] == sender

    # The server-side conversation continues under the same sender id.
    ask(page, "有哪些疫苗")
    nth_answer(page, 2)
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.auth_token}, timeout=10
    ).json()
    said = [e["text"] for e in tracker["events"] if e.get("event") == "user"]
    assert said == ["哪些人可以接种新冠疫苗", "有哪些疫苗"]


@pytest.mark.parametrize(
    "attack",
    [
        "<img src=x onerror=alert(1)>",
        "<script>window.__pwned=1</script>",
    ],
)
def test_html_in_user_text_is_shown_as_text(watched, stack, attack):
    page = watched.page
    open_chat(page, stack.web_url)
    ask(page, attack)
    nth_answer(page, 1)
    page.reload()  # the stored transcript is rendered again: it must stay inert too
    expect(page.locator(".vfc-msg-user .vfc-text")).to_have_text(attack)
    page.wait_for_timeout(300)  # give an injected onerror handler the chance to fire
    assert watched.dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator(".vfc-log img, .vfc-log script").count() == 0


def test_oversized_input_is_refused_without_sending(watched, stack):
    page = watched.page
    open_chat(page, stack.web_url)
    ask(page, "疫" * 501)
    notice = page.locator(".vfc-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("超过500字")
    expect(page.get_by_role("textbox", name="输入您的问题")).to_have_value("疫" * 501)
    page.wait_for_timeout(300)
    assert watched.webhook_posts == []
    assert page.locator(".vfc-msg-user").count() == 0


def test_cors_allows_only_the_configured_origins(stack):
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    allowed = stack.web_url.rstrip("/")
    for origin, expected in [(allowed, allowed), ("http://evil.example", None)]:
        preflight = requests.options(
            url,
            timeout=10,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        post = requests.post(
            url,
            timeout=30,
            headers={"Origin": origin},
            json={"sender": f"cors-{uuid.uuid4().hex[:8]}", "message": "你好"},
        )
        assert preflight.headers.get("Access-Control-Allow-Origin") == expected, origin
        assert post.headers.get("Access-Control-Allow-Origin") == expected, origin


def test_a_page_from_another_origin_cannot_use_the_bot(watched, stack):
    from bot.serving.stack import free_port
    from bot.serving.web_server import serve_in_thread

    foreign = serve_in_thread("127.0.0.1", free_port(), stack.rasa_url)
    try:
        page = watched.page
        open_chat(page, f"http://127.0.0.1:{foreign.server_address[1]}/")
        ask(page, "加强针怎么打")
        expect(page.locator(".vfc-error")).to_contain_text("无法连接")
        assert page.locator(ANSWERS).count() == 0
    finally:
        foreign.shutdown()
        foreign.server_close()


def test_phone_width_has_no_horizontal_scroll(watched, stack):
    page = watched.page
    page.set_viewport_size(PHONE)
    open_chat(page, stack.web_url)
    ask(page, "https://example.org/" + "a" * 80)  # one unbreakable word, wider than the screen
    nth_answer(page, 1)
    ask(page, "加强针怎么打")
    nth_answer(page, 2).locator(".vfc-source summary").click()
    widths = page.evaluate("""() => ({
        doc: document.documentElement.scrollWidth,
        view: document.documentElement.clientWidth,
        widget: document.querySelector('.vfc').getBoundingClientRect().right,
        log: document.querySelector('.vfc-log').scrollWidth - document.querySelector('.vfc-log').clientWidth,
    })""")
    assert widths["doc"] <= widths["view"] == PHONE["width"], widths
    assert widths["widget"] <= PHONE["width"], widths
    assert widths["log"] <= 0, widths
    for element in page.get_by_role("button").all() + [page.get_by_role("textbox")]:
        box = element.bounding_box()
        assert box is None or box["x"] + box["width"] <= PHONE["width"], element
    page.locator(".vfc").scroll_into_view_if_needed()
    page.locator(".vfc-log").evaluate("log => { log.scrollTop = log.scrollHeight; }")
    shot(page, "web-widget-phone.png")


def test_keyboard_alone_reaches_quick_replies_and_input(watched, stack):
    page = watched.page
    open_chat(page, stack.web_url)
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate("""() => {
            const el = document.activeElement;
            return {cls: el.className, text: (el.textContent || '').trim(), tag: el.tagName,
                    outline: getComputedStyle(el).outlineStyle};
        }""")
        )
    labels = [o["text"] if o["cls"] == "vfc-chip" else o["cls"] for o in order]
    chips = [labels.index(q) for q in QUICK_REPLIES]
    assert chips == sorted(chips), labels
    assert chips[-1] < labels.index("vfc-input") < labels.index("vfc-send"), labels
    assert all(o["outline"] == "solid" for o in order if o["tag"] in ("BUTTON", "INPUT")), order

    # Back to the first quick reply and answer it with the keyboard only.
    while page.evaluate("document.activeElement.textContent") != QUICK_REPLIES[0]:
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(nth_answer(page, 1).locator(".vfc-source summary")).to_contain_text(SOURCE)
    for _ in range(len(QUICK_REPLIES)):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "vfc-input"
    page.keyboard.type("有哪些疫苗")
    page.keyboard.press("Enter")
    expect(nth_answer(page, 2).locator(".vfc-source summary")).to_contain_text(SOURCE)


def test_a_question_in_traditional_is_answered_in_traditional(watched, stack):
    # The whole path: action text (actions/reply_script.py), domain responses
    # (bot/rasa_ext/script_nlg.py via endpoints.yml) and the widget's labels.
    page = watched.page
    open_chat(page, stack.web_url)
    ask(page, "加強針怎麼打")
    answer = nth_answer(page, 1)
    expect(answer.locator(".vfc-text")).to_contain_text("加強免疫")
    summary = answer.locator(".vfc-source summary")
    expect(summary).to_contain_text("【來源】大同日報《市疾控中心專家就新冠病毒疫苗接種再釋疑》（2022年5月）")
    expect(summary).to_contain_text("展開原文")

    ask(page, "謝謝")  # chit-chat: a domain response, rendered by the Rasa server
    expect(nth_answer(page, 2)).to_contain_text("不客氣")

    ask(page, "我们这有哪几种疫苗")  # back to Simplified: so are the replies
    expect(nth_answer(page, 3).locator(".vfc-source summary")).to_contain_text(SOURCE)
    shot(page, "web-widget-traditional.png")


@pytest.fixture(scope="module")
def short_lived_stack():
    """A stack of our own, to stop: the session's one must keep running."""
    from bot.serving.stack import Stack, free_port

    # The greeting is a plain response, so the Rasa server alone can answer it.
    running = Stack(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        start_actions=False,
        log_dir=ROOT / "artifacts" / "logs",
    ).start()
    yield running
    running.stop()


def test_rasa_outage_shows_an_error_with_retry(watched, short_lived_stack):
    page = watched.page
    open_chat(page, short_lived_stack.web_url)
    ask(page, "你好")
    expect(nth_answer(page, 1)).to_contain_text("新冠疫苗接种问答助手")

    short_lived_stack.stop()
    ask(page, "加强针怎么打")
    error = page.get_by_role("alert").filter(has_text="无法连接到问答服务")
    expect(error).to_be_visible()
    expect(page.locator(".vfc-typing")).to_have_count(0)
    retry = error.get_by_role("button", name="重试")
    expect(retry).to_be_visible()
    shot(page, "web-widget-error.png")

    posts = len(watched.webhook_posts)
    retry.click()
    expect(page.get_by_role("alert").filter(has_text="无法连接到问答服务")).to_be_visible()
    assert len(watched.webhook_posts) == posts + 1
    # A retry resends the question; it does not repeat it in the transcript.
    expect(page.locator(".vfc-msg-user").filter(has_text="加强针怎么打")).to_have_count(1)


# ---------- with canned Rasa replies ----------

FAKE_RASA = "http://127.0.0.1:9"  # nothing listens there; Playwright answers instead


@pytest.fixture(scope="module")
def demo_only():
    from bot.serving.stack import free_port
    from bot.serving.web_server import serve_in_thread

    server = serve_in_thread("127.0.0.1", free_port(), FAKE_RASA)
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def fake_rasa(page, messages=None, hold: bool = False, config: dict = None) -> tuple:
    """Answer the widget's webhook calls with `messages`, or with hold=True keep
    them waiting: the returned list collects the held routes to fulfil later."""
    cors = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": "content-type",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
    }
    held = []

    def webhook(route):
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=cors)
        elif hold:
            held.append(route)
        else:
            reply(route, messages)

    def reply(route, body):
        route.fulfill(
            status=200, headers=cors, content_type="application/json", body=json.dumps(body, ensure_ascii=False)
        )

    page.route(f"{FAKE_RASA}/webhooks/rest/webhook", webhook)
    if config:
        body = "window.VACCINE_FAQ_CHAT_CONFIG = " + json.dumps({"server": FAKE_RASA, **config}) + ";"
        page.route("**/config.js", lambda route: route.fulfill(status=200, content_type="text/javascript", body=body))
    held_reply = lambda route, body=messages: reply(route, body)  # noqa: E731
    return held, held_reply


def wait_held(page, held: list) -> None:
    for _ in range(100):
        if held:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the widget sent no request")


PASSAGE_REPLY = [
    {
        "recipient_id": "x",
        "text": "资料原文中与您的问题最相关的内容是：\n“18岁以上人群间隔6个月。”\n"
        "【来源】大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月），答问“加强针怎么打”",
    },
    {
        "recipient_id": "x",
        "custom": {
            "answer": {
                "answer_id": "booster_schedule#2",
                "kind": "passage",
                "intent": "faq",
                "confidence": 0.7,
                "sources": [
                    {
                        "article": "市疾控中心专家就新冠病毒疫苗接种再释疑",
                        "newspaper": "大同日报",
                        "date": "2022-05",
                        "question": "加强针怎么打？",
                        "quote": "18岁以上人群间隔6个月。",
                    }
                ],
            }
        },
    },
]


def test_typing_indicator_shows_while_waiting(watched, demo_only):
    page = watched.page
    held, reply = fake_rasa(page, PASSAGE_REPLY, hold=True)
    open_chat(page, demo_only)
    ask(page, "加强针隔多久")
    typing = page.locator(".vfc-typing")
    expect(typing).to_be_visible()
    expect(typing).to_contain_text("助手正在输入")
    wait_held(page, held)
    page.wait_for_timeout(500)
    expect(typing).to_be_visible()
    reply(held[0])
    expect(nth_answer(page, 1)).to_contain_text("18岁以上人群间隔6个月")
    expect(typing).to_have_count(0)


def test_passage_answer_quotes_its_passage(watched, demo_only):
    page = watched.page
    fake_rasa(page, PASSAGE_REPLY)
    open_chat(page, demo_only)
    ask(page, "加强针隔多久")
    answer = nth_answer(page, 1)
    assert answer.get_attribute("data-kind") == "passage"
    answer.locator(".vfc-source summary").click()
    expect(answer.locator(".vfc-quote")).to_have_text("18岁以上人群间隔6个月。")
    expect(answer.locator(".vfc-source-body")).to_contain_text("出自答问：加强针怎么打？")


def test_html_in_bot_text_is_shown_as_text(watched, demo_only):
    page = watched.page
    evil = '<img src=x onerror="window.__pwned=1">回答'
    fake_rasa(page, [{"recipient_id": "x", "text": evil}])
    open_chat(page, demo_only)
    ask(page, "测试")
    expect(nth_answer(page, 1).locator(".vfc-text")).to_have_text(evil)
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator(".vfc-log img").count() == 0


def test_a_hanging_server_times_out_into_the_error_state(watched, demo_only):
    page = watched.page
    fake_rasa(page, hold=True, config={"timeoutMs": 1500})  # held forever: only the timeout ends it
    open_chat(page, demo_only)
    ask(page, "加强针怎么打")
    expect(page.locator(".vfc-typing")).to_be_visible()
    error = page.get_by_role("alert").filter(has_text="长时间没有回应")
    expect(error).to_be_visible(timeout=10_000)
    expect(page.locator(".vfc-typing")).to_have_count(0)
    expect(error.get_by_role("button", name="重试")).to_be_visible()


# ---------- this session's messages, against a fake REST server ----------
# tests/support/fake_rasa_rest.py speaks Rasa's REST protocol on loopback and
# answers from a script, so every message type can be reached on demand.

from tests.support.fake_rasa_rest import (  # noqa: E402
    ARTICLE,
    FEEDBACK_BUTTONS,
    FakeRasaRest,
    answer_messages,
)

# Copied by hand into docs/screenshots/ when the widget's look changes:
# a test run must not rewrite tracked files.
# The article's own words (data/faq.yml): even a fake server never puts
# medical text in front of a reader, or into a screenshot, that the source lacks.
FAQ_ANSWERS = {
    f["id"]: f["display_answer"]
    for f in yaml.safe_load((ROOT / "data" / "faq.yml").read_text(encoding="utf-8"))["faqs"]
}
FULL_ANSWER = FAQ_ANSWERS["booster_schedule"] + "\n" + SOURCE + "，答问“加强针怎么打”"
LEAD = (
    "一种是使用同一种新冠病毒灭活疫苗完成2剂次接种或使用腺病毒载体疫苗完成1剂次接种的，"
    "18岁以上人群间隔6个月，再使用原灭活疫苗或腺病毒载体疫苗进行1剂次加强免疫。"
)
assert LEAD in FAQ_ANSWERS["booster_schedule"]
CLARIFY_OPTIONS = [
    {"title": "加强针怎么打？", "payload": '/choose_faq{"faq_id":"booster_schedule"}'},
    {"title": "加强针的接种对象？", "payload": '/choose_faq{"faq_id":"booster_target"}'},
    {"title": "都不是", "payload": "/none_of_these"},
]
GUESSES = [
    {"title": "哪些人可以接种？", "payload": '/choose_faq{"faq_id":"eligibility"}'},
    {"title": "有哪些疫苗？", "payload": '/choose_faq{"faq_id":"vaccine_types"}'},
]
NUMBERS_TEXT = '编号123205和112320不是热线；热线是12320。<img src=x onerror="window.__pwned=1"><b>粗</b>'
DECLINE_TEXT = "抱歉，我没能在资料中找到可靠的答案。为避免误导，我不作猜测。您可以换个说法，或拨打12320卫生健康热线。"
SCRIPT = {
    "加强针隔多久": answer_messages(
        "专家的答问里说：“" + LEAD + "”\n（回复“全文”查看完整答问）\n" + SOURCE + "，答问“加强针怎么打”",
        {
            "answer_id": "booster_schedule",
            "kind": "faq",
            "lead": [LEAD],
            "full_answer": FULL_ANSWER,
            "full_answer_mode": "on_request",
            "sources": [dict(ARTICLE, question="加强针怎么打？", quote=LEAD)],
        },
        buttons=[{"title": "看全文", "payload": "/show_full_answer"}] + FEEDBACK_BUTTONS,
    ),
    "加强针": answer_messages(
        "您想问的是下面哪一个问题？",
        {"answer_id": None, "kind": "clarify", "options": ["booster_schedule", "booster_target"]},
        buttons=CLARIFY_OPTIONS,
    ),
    '/choose_faq{"faq_id":"booster_target"}': answer_messages(
        FAQ_ANSWERS["booster_target"] + "\n" + SOURCE + "，答问“加强针的接种对象”",
        {"answer_id": "booster_target", "kind": "faq", "sources": [dict(ARTICLE, question="加强针的接种对象？")]},
        buttons=FEEDBACK_BUTTONS,
    ),
    "疫苗是怎么研发出来的": answer_messages(
        DECLINE_TEXT,
        {"answer_id": None, "kind": "decline", "options": ["eligibility", "vaccine_types"]},
        buttons=GUESSES,
    ),
    "宠物能打吗": answer_messages(
        "抱歉，这个问题超出了资料的范围。",  # a decline that forgot the hotline
        {"answer_id": None, "kind": "decline"},
    ),
    "帮我查加强针": answer_messages(
        "您打的是哪种疫苗？",
        {"answer_id": None, "kind": "booster_check"},
        buttons=[
            {"title": "科兴", "payload": '/inform{"vaccine":"科兴"}'},
            {"title": "国药", "payload": '/inform{"vaccine":"国药"}'},
        ],
    ),
    "加強針隔多久": answer_messages(
        "專家的答問裡說：“18歲以上人群完成全程接種滿6個月後，可以進行一劑次的加強免疫。”\n"
        "【來源】大同日報《市疾控中心專家就新冠病毒疫苗接種再釋疑》（2022年5月），答問“加強針怎麼打”",
        {
            "answer_id": "booster_schedule",
            "kind": "faq",
            "full_answer": "新冠病毒疫苗加強免疫方式有兩種。",
            "sources": [
                dict(
                    ARTICLE,
                    article="市疾控中心專家就新冠病毒疫苗接種再釋疑",
                    newspaper="大同日報",
                    question="加強針怎麼打？",
                    quote="18歲以上人群完成全程接種滿6個月後",
                )
            ],
        },
        buttons=[
            {"title": "有用", "payload": '/feedback{"value":"useful"}'},
            {"title": "沒用", "payload": '/feedback{"value":"useless"}'},
        ],
    ),
    '/feedback{"value":"useful"}': [],
    "号码": [{"recipient_id": "x", "text": NUMBERS_TEXT}],
    '/feedback{"value":"useless"}': answer_messages(
        "抱歉没能帮到您。您也许想问下面的问题，或拨打12320卫生健康热线咨询。",
        {"answer_id": None, "kind": "feedback"},
        buttons=GUESSES,
    ),
}


@pytest.fixture
def fake():
    with FakeRasaRest(SCRIPT) as server:
        yield server


@pytest.fixture
def fake_page(fake):
    """The demo and launcher pages, served for the fake REST server."""
    from bot.serving.stack import free_port
    from bot.serving.web_server import serve_in_thread

    server = serve_in_thread("127.0.0.1", free_port(), fake.url)
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_clarify_options_send_their_payload_and_show_their_title(watched, fake, fake_page):
    page = watched.page
    open_chat(page, fake_page)
    ask(page, "加强针")
    clarify = nth_answer(page, 1)
    assert clarify.get_attribute("data-kind") == "clarify"
    options = clarify.get_by_role("group", name="可选问题")
    expect(options.get_by_role("button")).to_have_text([b["title"] for b in CLARIFY_OPTIONS])
    options.get_by_role("button", name="加强针的接种对象？").click()
    expect(page.locator(".vfc-msg-user").last).to_have_text("您：加强针的接种对象？")
    expect(nth_answer(page, 2)).to_contain_text("接种6个月的18岁及以上人群")
    assert fake.messages_sent() == ["加强针", '/choose_faq{"faq_id":"booster_target"}']


def test_form_choices_are_buttons_that_send_inform_payloads(watched, fake, fake_page):
    page = watched.page
    open_chat(page, fake_page)
    ask(page, "帮我查加强针")
    nth_answer(page, 1).get_by_role("button", name="科兴").click()
    expect(page.locator(".vfc-msg-user").last).to_have_text("您：科兴")
    page.wait_for_function("document.querySelectorAll('.vfc-msg-bot:not(.vfc-welcome)').length >= 2")
    assert fake.messages_sent()[-1] == '/inform{"vaccine":"科兴"}'


def test_feedback_is_a_small_control_used_once_and_remembered(watched, fake, fake_page):
    page = watched.page
    open_chat(page, fake_page)
    ask(page, "加强针隔多久")
    answer = nth_answer(page, 1)
    feedback = answer.locator(".vfc-feedback")
    expect(feedback.get_by_role("button")).to_have_text(["有用", "没用"])
    # Not among the big option buttons.
    expect(answer.locator(".vfc-buttons").get_by_role("button", name="有用")).to_have_count(0)
    users_before = page.locator(".vfc-msg-user").count()
    feedback.get_by_role("button", name="有用").click()
    feedback = answer.locator(".vfc-feedback")
    expect(feedback).to_contain_text("谢谢您的反馈")
    expect(feedback.get_by_role("button", name="有用")).to_be_disabled()
    expect(feedback.get_by_role("button", name="没用")).to_be_disabled()
    assert feedback.get_by_role("button", name="有用").get_attribute("aria-pressed") == "true"
    page.wait_for_timeout(300)
    assert fake.messages_sent()[-1] == '/feedback{"value":"useful"}'
    assert page.locator(".vfc-msg-user").count() == users_before  # no "您：有用" bubble
    expect(page.locator(".vfc-error")).to_have_count(0)  # an empty reply is fine for feedback

    page.reload()
    feedback = nth_answer(page, 1).locator(".vfc-feedback")
    expect(feedback).to_contain_text("谢谢您的反馈")
    expect(feedback.get_by_role("button", name="没用")).to_be_disabled()
    assert fake.messages_sent().count('/feedback{"value":"useful"}') == 1


def test_useless_feedback_offers_guesses_and_the_hotline(watched, fake, fake_page):
    page = watched.page
    open_chat(page, fake_page)
    ask(page, "加强针隔多久")
    nth_answer(page, 1).locator(".vfc-feedback").get_by_role("button", name="没用").click()
    reply = nth_answer(page, 2)
    expect(reply.get_by_role("button", name="哪些人可以接种？")).to_be_visible()
    expect(reply.locator('a[href="tel:12320"]')).to_have_text("12320")


def test_full_answer_is_collapsed_under_the_lead_and_opens_with_the_keyboard(watched, fake, fake_page):
    page = watched.page
    open_chat(page, fake_page)
    ask(page, "加强针隔多久")
    answer = nth_answer(page, 1)
    expect(answer.locator(".vfc-text")).to_contain_text(LEAD)
    # Text channels' hint and 全文 button are replaced by the toggle.
    expect(answer).not_to_contain_text("回复“全文”")
    expect(answer.get_by_role("button", name="看全文")).to_have_count(0)
    toggle = answer.get_by_role("button", name="展开全文")
    full = answer.locator(".vfc-full-body")
    expect(full).to_be_hidden()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == full.get_attribute("id")

    toggle.focus()
    page.keyboard.press("Enter")
    expect(full).to_be_visible()
    expect(full).to_contain_text("新冠病毒疫苗加强免疫方式有两种，市民选择其中一种即可")
    toggle = answer.get_by_role("button", name="收起全文")
    assert toggle.get_attribute("aria-expanded") == "true"
    # Its source line is the one the bubble already shows: not printed twice.
    expect(answer.locator(".vfc-full-body .vfc-source-line")).to_have_count(0)
    page.keyboard.press("Space")
    expect(full).to_be_hidden()


def test_a_traditional_answer_gets_traditional_labels(watched, fake, fake_page):
    page = watched.page
    open_chat(page, fake_page)
    ask(page, "加強針隔多久")
    answer = nth_answer(page, 1)
    answer.get_by_role("button", name="展開全文").click()
    expect(answer.locator(".vfc-full-body")).to_contain_text("加強免疫方式有兩種")
    expect(answer.get_by_role("button", name="收起全文")).to_be_visible()
    expect(answer.locator(".vfc-source summary")).to_contain_text("展開原文")
    answer.locator(".vfc-source summary").click()
    expect(answer.locator(".vfc-source-body")).to_contain_text("原文摘錄：")
    feedback = answer.get_by_role("group", name="這個回答有用嗎？")
    feedback.get_by_role("button", name="沒用").click()
    expect(answer.locator(".vfc-feedback")).to_contain_text("謝謝您的回饋")


def test_declines_and_the_welcome_make_12320_a_tel_link(watched, fake, fake_page):
    page = watched.page
    open_chat(page, fake_page)
    expect(page.locator('.vfc-welcome a[href="tel:12320"]')).to_have_text("12320")
    ask(page, "疫苗是怎么研发出来的")
    decline = nth_answer(page, 1)
    assert decline.get_attribute("data-kind") == "decline"
    link = decline.locator('a[href="tel:12320"]')
    expect(link).to_have_count(1)
    expect(decline.locator(".vfc-text")).to_have_text(DECLINE_TEXT)  # the text itself is unchanged
    expect(decline.locator(".vfc-options").get_by_role("button")).to_have_text([g["title"] for g in GUESSES])
    assert page.evaluate(
        "getComputedStyle(document.querySelector('[data-kind=decline]')).backgroundColor"
    ) != page.evaluate("getComputedStyle(document.querySelector('.vfc-welcome')).backgroundColor")

    ask(page, "宠物能打吗")  # a decline without the number still gets it
    expect(nth_answer(page, 2).locator('a[href="tel:12320"]')).to_have_count(1)


def test_only_the_exact_number_is_linked_and_bot_html_stays_text(watched, fake, fake_page):
    page = watched.page
    open_chat(page, fake_page)
    ask(page, "号码")
    bubble = nth_answer(page, 1)
    expect(bubble.locator(".vfc-text")).to_have_text(NUMBERS_TEXT)
    expect(bubble.locator("a")).to_have_count(1)
    expect(bubble.locator('a[href="tel:12320"]')).to_have_text("12320")
    assert bubble.locator("b, img").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_large_text_mode_persists_across_reload(watched, fake, fake_page):
    page = watched.page
    open_chat(page, fake_page)
    size = lambda: page.evaluate(  # noqa: E731
        "parseFloat(getComputedStyle(document.querySelector('.vfc-welcome .vfc-text')).fontSize)"
    )
    normal = size()
    toggle = page.get_by_role("button", name="长辈模式：放大字号")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert size() >= 1.25 * normal
    # Everything scales, not only the bubbles: the input and the quick questions too.
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.vfc-chip')).fontSize)") >= 19

    page.reload()
    expect(page.locator(".vfc-welcome")).to_be_visible()
    assert page.get_by_role("button", name="长辈模式：放大字号").get_attribute("aria-pressed") == "true"
    assert size() >= 1.25 * normal
    page.get_by_role("button", name="长辈模式：放大字号").click()
    page.reload()
    expect(page.locator(".vfc-welcome")).to_be_visible()
    assert size() == normal


def test_sizes_follow_the_browsers_font_setting(watched, fake, fake_page):
    # rem-based: a reader who set a larger default font gets a larger widget.
    page = watched.page
    open_chat(page, fake_page)
    before = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.vfc-welcome .vfc-text')).fontSize)")
    page.evaluate("document.documentElement.style.fontSize = '20px'")
    after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.vfc-welcome .vfc-text')).fontSize)")
    assert after == pytest.approx(before * 20 / 16)


def no_horizontal_overflow(page, width: int) -> None:
    widths = page.evaluate("""() => ({
        doc: document.documentElement.scrollWidth,
        log: document.querySelector('.vfc-log').scrollWidth - document.querySelector('.vfc-log').clientWidth,
        header: document.querySelector('.vfc-header').scrollWidth - document.querySelector('.vfc-header').clientWidth,
    })""")
    assert widths["doc"] <= width and widths["log"] <= 0 and widths["header"] <= 0, widths
    # The common-question row may scroll sideways on its own (长辈模式 on a phone).
    for element in page.locator(".vfc button:visible:not(.vfc-quick *), .vfc input, .vfc-quick").all():
        box = element.bounding_box()
        assert box is None or (box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5), element


@pytest.mark.parametrize("width", [320, 375])
def test_phone_mode_fills_the_screen_at_any_phone_width(watched, fake, fake_page, width):
    page = watched.page
    page.set_viewport_size({"width": width, "height": 640})
    open_chat(page, fake_page)
    box = page.locator(".vfc").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, width, 640)
    ask(page, "加强针")
    nth_answer(page, 1)
    ask(page, "加强针隔多久")
    nth_answer(page, 2).get_by_role("button", name="展开全文").click()
    send = page.get_by_role("button", name="发送").bounding_box()
    assert send["y"] + send["height"] <= 640
    no_horizontal_overflow(page, width)
    # Targets a finger (or an older reader's finger) can hit.
    heights = {b.inner_text(): b.bounding_box()["height"] for b in page.locator(".vfc button:visible").all()}
    assert min(heights.values()) >= 36, heights
    page.get_by_role("button", name="长辈模式：放大字号").click()
    no_horizontal_overflow(page, width)
    send = page.get_by_role("button", name="发送").bounding_box()
    assert send["y"] + send["height"] <= 640


def test_launcher_bubble_opens_and_closes_the_chat(watched, fake, fake_page):
    page = watched.page
    page.goto(fake_page + "launcher.html")
    bubble = page.get_by_role("button", name="打开新冠疫苗接种问答")
    expect(bubble).to_be_visible()
    expect(bubble).to_contain_text("疫苗问答")
    expect(page.locator(".vfc")).to_be_hidden()
    assert bubble.get_attribute("aria-expanded") == "false"
    bubble.click()
    panel = page.get_by_role("dialog", name="新冠疫苗接种问答")
    expect(panel).to_be_visible()
    expect(page.get_by_role("textbox", name="输入您的问题")).to_be_focused()
    box = panel.bounding_box()
    assert box["x"] + box["width"] <= DESKTOP["width"] and box["y"] + box["height"] <= DESKTOP["height"]
    ask(page, "疫苗是怎么研发出来的")
    expect(nth_answer(page, 1).locator('a[href="tel:12320"]')).to_have_count(1)
    shot(page, "widget-launcher.png")

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bubble).to_be_focused()
    assert bubble.get_attribute("aria-expanded") == "false"
    bubble.click()
    page.get_by_role("button", name="关闭问答窗口").click()
    expect(panel).to_be_hidden()


def test_launcher_panel_fills_a_phone_screen(watched, fake, fake_page):
    page = watched.page
    page.set_viewport_size(PHONE)
    page.goto(fake_page + "launcher.html")
    page.get_by_role("button", name="打开新冠疫苗接种问答").click()
    box = page.locator(".vfc").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, PHONE["width"], PHONE["height"])
    no_horizontal_overflow(page, PHONE["width"])


def screenshot_conversation(page) -> None:
    ask(page, "加强针")
    nth_answer(page, 1)
    ask(page, "加强针隔多久")
    answer = nth_answer(page, 2)
    answer.locator(".vfc-feedback").get_by_role("button", name="有用").click()
    expect(answer.locator(".vfc-feedback")).to_contain_text("谢谢")
    ask(page, "疫苗是怎么研发出来的")
    nth_answer(page, 3)


def test_screenshots_for_the_docs(watched, fake, fake_page):
    """Phone, 长辈模式 and desktop, with every message type on screen."""
    page = watched.page
    open_chat(page, fake_page)
    screenshot_conversation(page)
    nth_answer(page, 2).get_by_role("button", name="展开全文").click()
    # A taller chat (the embedding page's --vfc-height), so one picture holds
    # the clarification, the answer with its full text and the decline.
    page.set_viewport_size({"width": DESKTOP["width"], "height": 1300})
    page.locator("#vaccine-faq-chat").evaluate("c => c.style.setProperty('--vfc-height', '1180px')")
    page.locator(".vfc-log").evaluate("log => { log.scrollTop = log.scrollHeight; }")
    shot(page, "widget-desktop.png")

    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".vfc-log").evaluate("log => { log.scrollTop = log.scrollHeight; }")
    shot(page, "widget-phone.png")

    page.get_by_role("button", name="长辈模式：放大字号").click()
    nth_answer(page, 3).scroll_into_view_if_needed()
    shot(page, "widget-phone-large-text.png")
