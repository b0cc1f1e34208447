import json

import pytest

from bot.channels.rest_checks import MAX_SENDER_CHARS, check_rest_payload

JSON = "application/json"


def body(**payload) -> bytes:
    return json.dumps(payload).encode()


def test_good_request_passes_with_the_cleaned_message():
    payload, rejection = check_rest_payload(JSON, body(sender="u1", message="加强针\x07怎么打"))
    assert rejection is None and payload == {"sender": "u1", "message": "加强针怎么打"}


@pytest.mark.parametrize(
    "content_type, raw, status, code",
    [
        ("text/plain", body(sender="u", message="hi"), 415, "unsupported_media_type"),
        (None, body(sender="u", message="hi"), 415, "unsupported_media_type"),
        (JSON, b"{not json", 400, "malformed_json"),
        (JSON, b"\xff\xfe", 400, "malformed_json"),
        (JSON, b"[1, 2]", 400, "malformed_json"),
        (JSON, b"", 400, "malformed_json"),
        (JSON, body(message="hi"), 400, "bad_sender"),
        (JSON, body(sender=7, message="hi"), 400, "bad_sender"),
        (JSON, body(sender="x" * (MAX_SENDER_CHARS + 1), message="hi"), 400, "bad_sender"),
        (JSON, body(sender="u", message=""), 400, "empty"),
        (JSON, body(sender="u", message=["list"]), 400, "wrong_type"),
        (JSON, body(sender="u", message="问" * 501), 413, "too_long"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(content_type, raw, status, code):
    payload, rejection = check_rest_payload(content_type, raw)
    assert payload is None
    assert (rejection.status, rejection.code) == (status, code)
    assert rejection.message
