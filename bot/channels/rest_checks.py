"""What the guarded REST channel accepts (no Rasa import, so it is unit-tested
in the main environment)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional, Tuple

from bot.text.validate import check_question

MAX_SENDER_CHARS = 128


@dataclass(frozen=True)
class Rejection:
    status: int
    code: str
    message: str  # shown to people, so in Chinese

    def as_dict(self) -> dict:
        return {"error": self.code, "message": self.message}


def check_rest_payload(content_type: Optional[str], body: bytes) -> Tuple[Optional[dict], Optional[Rejection]]:
    """(payload with the cleaned message, None), or (None, why it is refused)."""
    if "application/json" not in (content_type or "").lower():
        return None, Rejection(415, "unsupported_media_type", "请以 application/json 格式发送。")
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return None, Rejection(400, "malformed_json", "请求不是有效的 JSON。")
    if not isinstance(payload, dict):
        return None, Rejection(400, "malformed_json", "请求必须是 JSON 对象，包含 sender 和 message。")
    sender = payload.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return None, Rejection(400, "bad_sender", f"sender 必须是 1 到 {MAX_SENDER_CHARS} 个字符的字符串。")
    checked = check_question(payload.get("message"))
    if not checked.ok:
        error, message = checked.error or "bad_message", checked.message or "请用文字输入您的问题。"
        return None, Rejection(413 if error == "too_long" else 400, error, message)
    return {**payload, "message": checked.text}, None
