"""The Official Account channel's pure pieces: settings, the passive reply's
XML and crypto (checked by the independent client), canned replies and the
猜你想问 buttons. Fast; no servers."""

import pytest

from bot.channels.dedup import DedupBackend
from bot.channels.options import CHOICE_HINT, resolve_choice
from bot.channels.wechat.replies import (
    NO_REPLY,
    NON_TEXT_REPLY,
    TEXT_LIMIT_BYTES,
    WELCOME_TEXT,
    canned_reply,
    encrypted_reply,
    suggestion_buttons,
    text_reply_xml,
    welcome_text,
)
from bot.channels.wechat.settings import DEFAULT_SUGGESTED_FAQS, resolve
from bot.channels.wxcrypto import SignatureError, WxCrypto
from bot.channels.wxmessages import parse_message
from tests.support.wechat_client import WeChatClient, plain_signature, wechat_message_xml
from tests.support.wecom_client import make_encoding_aes_key

KEY = make_encoding_aes_key()
SECRETS = {
    "WECHAT_APP_ID": "wx0123456789abcdef",
    "WECHAT_APP_SECRET": "app-secret-value",
    "WECHAT_TOKEN": "tok-secret",
    "WECHAT_ENCODING_AES_KEY": KEY,
}


# --- settings -----------------------------------------------------------------


def test_off_without_env_and_never_echo_values():
    settings, problems = resolve({}, {})
    assert settings is None and "WECHAT_APP_SECRET" in problems[0] and "WECHAT_TOKEN" in problems[0]
    settings, problems = resolve({}, dict(SECRETS, WECHAT_ENCODING_AES_KEY="!" * 43))
    assert settings is None and not any("!!!!" in p for p in problems)


def test_defaults_and_overrides():
    settings, problems = resolve({}, SECRETS)
    assert problems == [] and settings.app_id == "wx0123456789abcdef"
    assert settings.api_base == "https://api.weixin.qq.com" and settings.reply_deadline == 4.0
    assert settings.dedup_store is DedupBackend.MEMORY and settings.suggested_faqs == DEFAULT_SUGGESTED_FAQS
    assert "app-secret-value" not in repr(settings) and "tok-secret" not in repr(settings)
    settings, _ = resolve(
        {"api_base": "https://example.invalid", "suggested_faqs": ["eligibility"]},
        dict(SECRETS, WECHAT_API_BASE="http://127.0.0.1:9", WECHAT_DEDUP_STORE="redis", WECHAT_REPLY_DEADLINE="2.5"),
    )
    assert settings.api_base == "http://127.0.0.1:9" and settings.dedup_store is DedupBackend.REDIS
    assert settings.reply_deadline == 2.5 and settings.suggested_faqs == ("eligibility",)


@pytest.mark.parametrize(
    "override, word",
    [
        ({"timestamp_tolerance": 301}, "timestamp_tolerance"),  # would outlive the 600 s memory
        ({"reply_deadline": 5}, "reply_deadline"),  # WeChat has given up by then
        ({"reply_deadline": 0}, "reply_deadline"),
        ({"dedup_store": "disk"}, "dedup_store"),
        ({"suggested_faqs": "eligibility"}, "suggested_faqs"),
        ({"api_base": "ftp://x"}, "api_base"),
    ],
)
def test_unsafe_or_wrong_settings_keep_the_channel_off(override, word):
    settings, problems = resolve(override, SECRETS)
    assert settings is None and any(word in p for p in problems), problems


# --- signatures and the passive reply ------------------------------------------


def test_plain_signature_matches_the_independent_client():
    crypto = WxCrypto("tok", KEY, "wxapp")
    crypto.verify_plain(plain_signature("tok", "1700000000", "42"), "1700000000", "42")
    with pytest.raises(SignatureError):
        crypto.verify_plain(plain_signature("tok", "1700000000", "43"), "1700000000", "42")
    with pytest.raises(SignatureError):
        crypto.verify_plain("", "1700000000", "42")


def test_passive_reply_opens_and_verifies_on_wechats_side():
    crypto = WxCrypto("tok", KEY, "wxapp")
    content = "加强针在全程接种6个月后接种。\n【来源】大同日报 ]]> <b>不是标签</b>"
    body = encrypted_reply(crypto, text_reply_xml("o_user", "gh_account", content, now=1700000000))
    reply = WeChatClient("http://unused", "tok", KEY, "wxapp").open_reply(200, body)
    assert reply.content == content
    assert reply.fields["ToUserName"] == "o_user" and reply.fields["FromUserName"] == "gh_account"
    assert reply.fields["MsgType"] == "text" and reply.fields["CreateTime"] == "1700000000"


def test_reply_for_another_account_does_not_open():
    body = encrypted_reply(WxCrypto("tok", KEY, "wxother"), text_reply_xml("o", "gh", "x"))
    with pytest.raises(AssertionError):
        WeChatClient("http://unused", "tok", KEY, "wxapp").open_reply(200, body)


# --- what the account says by itself ------------------------------------------


@pytest.mark.parametrize("kind", ["image", "voice", "location", "video", "link", "shortvideo"])
def test_non_text_messages_get_the_polite_text(kind):
    message = parse_message(wechat_message_xml("gh", "o1", kind, msg_id="5"))
    assert canned_reply(message) == NON_TEXT_REPLY and "请直接输入文字问题" in NON_TEXT_REPLY


def test_text_and_events_are_not_canned():
    assert canned_reply(parse_message(wechat_message_xml("gh", "o1", "text", content="你好", msg_id="6"))) is None
    subscribe = parse_message(wechat_message_xml("gh", "o1", "event", event="subscribe", create_time=7))
    assert canned_reply(subscribe) is None and subscribe.event == "subscribe"
    assert subscribe.dedup_key == "event:o1:7:subscribe"


def test_welcome_numbers_the_suggestions_and_a_number_maps_back():
    faqs = [
        {"id": "eligibility", "question": "哪些人群可以接种新冠病毒疫苗？"},
        {"id": "booster_schedule", "question": "加强针怎么打？"},
    ]
    direct = suggestion_buttons(faqs, choose_faq=True)
    assert direct[1] == {"title": "加强针怎么打", "payload": '/choose_faq{"faq_id":"booster_schedule"}'}
    text = welcome_text(direct)
    assert text.startswith(WELCOME_TEXT) and "\n1. 哪些人群可以接种新冠病毒疫苗\n2. 加强针怎么打\n" in text
    assert text.endswith(CHOICE_HINT) and len(text.encode()) <= TEXT_LIMIT_BYTES
    assert resolve_choice("2", direct) == '/choose_faq{"faq_id":"booster_schedule"}'
    assert resolve_choice("第一个", direct) == '/choose_faq{"faq_id":"eligibility"}'
    assert resolve_choice("3", direct) is None
    # A model without the choose_faq intent gets the question, which NLU answers.
    assert suggestion_buttons(faqs, choose_faq=False)[1]["payload"] == "加强针怎么打？"
    assert "猜你想问" not in welcome_text([])


def test_success_is_the_literal_wechat_expects():
    assert NO_REPLY == "success"
