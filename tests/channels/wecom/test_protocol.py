"""The WeCom channel's protocol pieces on their own: crypto, XML, splitting,
duplicate memory and settings. Fast; no servers. (The crypto, XML, splitting
and dedup modules are shared with the WeChat channel under bot/channels/.)"""

import base64
import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels import wxcrypto as wc
from bot.channels.dedup import DedupBackend, MemorySeenStore, load_store
from bot.channels.splitting import split_text
from bot.channels.wecom.messages import NON_TEXT_REPLY, TEXT_LIMIT_BYTES, WELCOME_REPLY, canned_reply
from bot.channels.wecom.settings import resolve
from bot.channels.wxmessages import MalformedMessage, parse_envelope, parse_message
from bot.paths import PROJECT_ROOT
from tests.support.wecom_client import WeComSide, make_encoding_aes_key, message_xml, sha1_signature

ROOT = PROJECT_ROOT

# Tencent's published sample for the WeCom callback (developer.work.weixin.qq.com,
# document 90968 "加解密方案说明"): the same inputs every official SDK tests against.
OFFICIAL = {"token": "QDG6eK", "key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "corp_id": "wx5823bf96d3bd56c7"}
OFFICIAL_ECHO = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
}
OFFICIAL_POST = {
    "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
    "timestamp": "1409659813",
    "nonce": "1372623149",
    "encrypt": "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/"
    "sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJ"
    "YuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGU"
    "callcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDY"
    "A5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==",
}

# Our own vector, computed from the protocol description (and cross-checked with
# `openssl enc -aes-256-cbc -nopad`): key bytes 0..31, random prefix "0123456789abcdef".
VECTOR_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
VECTOR_CORP = "ww0123456789abcdef"
VECTOR_RANDOM = b"0123456789abcdef"
VECTOR_MSG = "<xml><Content><![CDATA[加强针怎么打]]></Content></xml>".encode()
VECTOR_ENCRYPT = (
    "4j/AuRx71kQlxVlzbpsMWBWuGVtURtQzROb5T/8jrN+TWhRsxR4YBvlcerb1qV4ZZy2hW/WDVtnnHbxnPLKYk7i59H/Rph/"
    "040r2bKoS1UPlmH94R2Ub+Duv9sCwm+hPTChxti46wNBZWx3B7/72Xj//uQr97LfYVizjjIgTxBs="
)


def official_crypto() -> wc.WxCrypto:
    return wc.WxCrypto(OFFICIAL["token"], OFFICIAL["key"], OFFICIAL["corp_id"])


# --- crypto -------------------------------------------------------------------


def test_official_url_verification_sample():
    e = OFFICIAL_ECHO
    plain = official_crypto().open(
        e["msg_signature"], e["timestamp"], e["nonce"], e["echostr"], now=int(e["timestamp"])
    )
    assert plain == b"1616140317555161061"


def test_official_message_sample():
    p = OFFICIAL_POST
    plain = official_crypto().open(
        p["msg_signature"], p["timestamp"], p["nonce"], p["encrypt"], now=int(p["timestamp"])
    )
    message = parse_message(plain)
    assert (message.msg_type, message.content, message.from_user) == ("text", "hello", "mycreate")
    assert message.msg_id == "4561255354251345929" and message.agent_id == "218"


def test_known_vector_both_ways():
    ours = wc.WxCrypto("vaccine-token", VECTOR_KEY, VECTOR_CORP)
    assert ours.encrypt(VECTOR_MSG, random_prefix=VECTOR_RANDOM) == VECTOR_ENCRYPT
    assert ours.decrypt(VECTOR_ENCRYPT) == VECTOR_MSG
    assert WeComSide("vaccine-token", VECTOR_KEY, VECTOR_CORP).seal(VECTOR_MSG, VECTOR_RANDOM) == VECTOR_ENCRYPT


def test_signature_is_sha1_of_the_sorted_parts():
    # sorted: "1700000000" < "42" < "abc" < "vaccine-token"
    assert wc.signature("vaccine-token", "1700000000", "42", "abc") == "f5fcab84719aad8ba199d5e10887b230232bdb26"
    assert sha1_signature("vaccine-token", "1700000000", "42", "abc") == "f5fcab84719aad8ba199d5e10887b230232bdb26"


def test_round_trip_with_the_independent_client():
    key = make_encoding_aes_key()
    ours, theirs = wc.WxCrypto("t", key, "wwcorp"), WeComSide("t", key, "wwcorp")
    for msg in (b"", b"x", "加强针".encode() * 100, bytes(range(256))):
        assert ours.decrypt(theirs.seal(msg)) == msg
        assert theirs.unseal(ours.encrypt(msg)) == msg


def test_wrong_signature_and_wrong_receiver_are_refused():
    key = make_encoding_aes_key()
    ours, theirs = wc.WxCrypto("t", key, "wwcorp"), WeComSide("t", key, "wwcorp")
    sealed = theirs.seal(b"<xml/>")
    params = theirs.signed_params(sealed)
    with pytest.raises(wc.SignatureError):
        ours.open("0" * 40, params["timestamp"], params["nonce"], sealed)
    with pytest.raises(wc.SignatureError):
        ours.open(params["msg_signature"], params["timestamp"], params["nonce"] + "1", sealed)
    ours.open(params["msg_signature"].upper(), params["timestamp"], params["nonce"], sealed)
    with pytest.raises(wc.ReceiverMismatch):
        ours.decrypt(theirs.seal(b"<xml/>", receive_id="wwother"))


def test_stale_and_future_timestamps_are_refused():
    now = time.time()
    wc.check_timestamp(str(int(now) - 200), now)
    for ts in (str(int(now) - 301), str(int(now) + 301), "", "abc", "1e9"):
        with pytest.raises(wc.StaleTimestamp):
            wc.check_timestamp(ts, now)


def test_bad_padding_and_lengths_are_decrypt_errors():
    ours = wc.WxCrypto("t", VECTOR_KEY, VECTOR_CORP)
    for bad in ("", "not base64!", base64.b64encode(b"short").decode(), base64.b64encode(b"\0" * 32).decode()):
        with pytest.raises(wc.DecryptError):
            ours.decrypt(bad)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=200))
def test_garbage_never_escapes_as_another_exception(blob):
    ours = wc.WxCrypto("t", VECTOR_KEY, VECTOR_CORP)
    for candidate in (base64.b64encode(blob).decode(), blob.decode("latin-1")):
        try:
            ours.decrypt(candidate)
        except wc.WxCryptoError:
            pass


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=len(VECTOR_ENCRYPT) - 3))
def test_tampered_ciphertext_is_refused_or_harmless(position):
    ours = wc.WxCrypto("t", VECTOR_KEY, VECTOR_CORP)
    raw = bytearray(base64.b64decode(VECTOR_ENCRYPT))
    raw[position % len(raw)] ^= 0x01
    try:
        plain = ours.decrypt(base64.b64encode(bytes(raw)).decode())
    except wc.WxCryptoError:
        return
    assert plain != VECTOR_MSG  # CBC flips garble a block; the signature is what authenticates


def test_encoding_aes_key_is_validated():
    for bad in ("", "short", VECTOR_KEY + "A", "!" * 43):
        with pytest.raises(ValueError):
            wc.aes_key(bad)
    assert len(wc.aes_key(VECTOR_KEY)) == 32
    assert "QDG6eK" not in repr(official_crypto())


# --- XML ----------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<xml><Encrypt>&x;</Encrypt></xml>"""
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Encrypt>&c;</Encrypt></xml>'
)
PLAIN_DOCTYPE = b"<!DOCTYPE xml><xml><Encrypt>abc</Encrypt></xml>"


@pytest.mark.parametrize(
    "body",
    [
        XXE,
        LAUGHS,
        PLAIN_DOCTYPE,
        b"",
        b"not xml",
        b'{"Encrypt": "x"}',
        b"<xml><Encrypt>abc</Encrypt>",
        b"<notxml><Encrypt>abc</Encrypt></notxml>",
        b"<xml><ToUserName>x</ToUserName></xml>",
        b"\xff\xfe<\x00x\x00",
    ],
)
def test_envelopes_that_are_refused(body):
    with pytest.raises(MalformedMessage):
        parse_envelope(body)


def test_envelope_fields():
    env = parse_envelope(WeComSide.envelope("QUJD", "wwcorp", "1000002"))
    assert (env.encrypt, env.to_user, env.agent_id) == ("QUJD", "wwcorp", "1000002")


def test_message_kinds_and_canned_replies():
    text = parse_message(message_xml("ww", "u1", "text", content="加强针 <怎么> 打", msg_id="9"))
    assert text.content == "加强针 <怎么> 打" and text.dedup_key == "msg:9" and canned_reply(text) is None
    image = parse_message(message_xml("ww", "u1", "image", msg_id="10"))
    assert canned_reply(image) == NON_TEXT_REPLY and "请直接输入文字问题" in NON_TEXT_REPLY
    for kind in ("voice", "video", "location", "link", "file"):
        assert canned_reply(parse_message(message_xml("ww", "u1", kind, msg_id="11"))) == NON_TEXT_REPLY
    enter = parse_message(message_xml("ww", "u1", "event", event="enter_agent", create_time=5))
    assert canned_reply(enter) == WELCOME_REPLY and "请直接输入文字问题" in WELCOME_REPLY
    assert enter.dedup_key == "event:u1:5:enter_agent"
    assert canned_reply(parse_message(message_xml("ww", "u1", "event", event="LOCATION"))) is None
    assert canned_reply(parse_message(message_xml("ww", "u1", "text", content="  ", msg_id="12"))) == NON_TEXT_REPLY
    with pytest.raises(MalformedMessage):
        parse_message(b"<xml><MsgType>text</MsgType></xml>")


# --- splitting ----------------------------------------------------------------


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def test_short_reply_is_one_message():
    reply = "加强针在完成全程接种6个月后接种。\n【来源】大同日报"
    assert split_text(reply, TEXT_LIMIT_BYTES) == [reply]


def test_long_reply_splits_on_sentences_and_keeps_the_source_line():
    sentence = "接种新冠疫苗加强针可以进一步提高保护效果，降低重症和死亡风险。"
    source = "【来源】大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月）"
    reply = sentence * 60 + "\n" + source
    chunks = split_text(reply, TEXT_LIMIT_BYTES)
    assert len(chunks) > 1
    assert all(_utf8(c) <= TEXT_LIMIT_BYTES for c in chunks)
    assert all(c.endswith("。") for c in chunks[:-1])
    assert chunks[-1].endswith(source)
    assert "".join(chunks).replace("\n", "") == reply.replace("\n", "")


def test_a_line_without_breaks_is_cut_between_characters():
    text = "疫" * 3000 + "😷" * 700
    chunks = split_text(text, TEXT_LIMIT_BYTES)
    assert all(_utf8(c) <= TEXT_LIMIT_BYTES for c in chunks)
    assert "".join(chunks) == text
    tiny = split_text("a😷b😷c", limit=5)
    assert all(_utf8(c) <= 5 for c in tiny) and "".join(tiny) == "a😷b😷c"


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("疫苗加强针接种。！？，、\n abc😷")), max_size=400),
    st.integers(min_value=4, max_value=64),
)
def test_split_never_exceeds_the_limit_or_loses_text(text, limit):
    chunks = split_text(text, limit)
    assert all(0 < _utf8(c) <= limit for c in chunks)
    squeeze = lambda s: "".join(s.split())  # noqa: E731 - cuts may drop whitespace at the edges only
    assert squeeze("".join(chunks)) == squeeze(text)


# --- duplicate memory ---------------------------------------------------------


def test_seen_store_answers_once_and_forgets_after_ttl():
    clock = [0.0]
    store = MemorySeenStore(ttl=10, max_entries=3, clock=lambda: clock[0])
    assert store.check_and_remember("a") and not store.check_and_remember("a")
    clock[0] = 11
    assert store.check_and_remember("a")


def test_seen_store_is_bounded():
    store = MemorySeenStore(ttl=1000, max_entries=3)
    for key in "abcde":
        assert store.check_and_remember(key)
    assert len(store) == 3
    assert store.check_and_remember("a")  # evicted oldest first
    assert not store.check_and_remember("e")


def test_memory_is_the_default_store():
    store = load_store(DedupBackend.MEMORY, "wecom:x", {})
    assert isinstance(store, MemorySeenStore) and store.ttl == 600


# --- settings and credentials files -------------------------------------------

SECRETS = {
    "WECOM_CORP_ID": "wwcorp",
    "WECOM_TOKEN": "tok-secret",
    "WECOM_ENCODING_AES_KEY": VECTOR_KEY,
    "WECOM_AGENT_ID": "1000002",
    "WECOM_SECRET": "very-secret",
}


def test_settings_off_without_env_and_never_echo_values():
    settings_, problems = resolve({}, {})
    assert settings_ is None and "WECOM_SECRET" in problems[0]
    settings_, problems = resolve({}, dict(SECRETS, WECOM_ENCODING_AES_KEY="!" * 43))
    assert settings_ is None and not any("!!!!" in p for p in problems)
    settings_, problems = resolve({}, dict(SECRETS, WECOM_AGENT_ID="abc"))
    assert settings_ is None and "WECOM_AGENT_ID" in problems[0]


def test_settings_from_env_and_file():
    creds = {"secret_env": "MY_SECRET", "api_base": "https://example.invalid", "timestamp_tolerance": 120}
    env = dict(SECRETS, MY_SECRET="from-my-var")
    settings_, problems = resolve(creds, env)
    assert problems == [] and settings_.secret == "from-my-var" and settings_.agent_id == 1000002
    assert settings_.api_base == "https://example.invalid" and settings_.timestamp_tolerance == 120
    assert settings_.dedup_store is DedupBackend.MEMORY
    assert "very-secret" not in repr(settings_) and "tok-secret" not in repr(settings_)
    overridden, _ = resolve(creds, dict(env, WECOM_API_BASE="http://127.0.0.1:9"))
    assert overridden.api_base == "http://127.0.0.1:9"


def test_credentials_files():
    default = yaml.safe_load((ROOT / "credentials.yml").read_text())
    wecom = default["bot.channels.wecom.WeComInput"]
    assert "bot.channels.rest.GuardedRestInput" in default and "telegram" not in default
    assert set(wecom) >= {"corp_id_env", "token_env", "encoding_aes_key_env", "agent_id_env", "secret_env"}
    assert not any("${" in str(v) for v in wecom.values())  # Rasa would refuse to start without them
    messaging = yaml.safe_load((ROOT / "credentials.messaging.yml").read_text())
    assert "bot.channels.rest.GuardedRestInput" in messaging and messaging["bot.channels.wecom.WeComInput"] == wecom
    assert messaging["telegram"] == {
        "access_token": "${TELEGRAM_ACCESS_TOKEN}",
        "verify": "${TELEGRAM_VERIFY}",
        "webhook_url": "${TELEGRAM_WEBHOOK_URL}",
    }


def test_timestamp_tolerance_cannot_outlive_the_duplicate_memory():
    # Accepted at most 300 s either side of now: first delivery and replay are
    # at most 600 s apart, exactly what the 600 s memory covers.
    assert resolve({"timestamp_tolerance": 300}, SECRETS)[0].timestamp_tolerance == 300
    for bad in (301, 3600, 0, -5, "abc"):
        settings_, problems = resolve({"timestamp_tolerance": bad}, SECRETS)
        assert settings_ is None and "timestamp_tolerance" in problems[0], (bad, problems)
    assert resolve({}, dict(SECRETS, WECOM_TIMESTAMP_TOLERANCE="900"))[0] is None


def test_dedup_store_setting():
    assert resolve({"dedup_store": "redis"}, SECRETS)[0].dedup_store is DedupBackend.REDIS
    assert resolve({}, dict(SECRETS, WECOM_DEDUP_STORE="REDIS"))[0].dedup_store is DedupBackend.REDIS
    settings_, problems = resolve({"dedup_store": "memcached"}, SECRETS)
    assert settings_ is None and "memory, redis" in problems[0]
