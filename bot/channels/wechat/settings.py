"""Where the Official Account channel's settings come from: credentials.yml
names the environment variables (default WECHAT_<SETTING>); see
bot/channels/env_settings.py for the rules shared with WeCom."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.channels.dedup import DedupBackend
from bot.channels.env_settings import common_problems, read_values
from bot.channels.wxcrypto import DEFAULT_TIMESTAMP_TOLERANCE

PREFIX = "WECHAT"
DEFAULT_API_BASE = "https://api.weixin.qq.com"
# WeChat gives up on a callback after 5 s and retries it; answering at 4 s
# leaves room for the network and for encrypting the reply.
DEFAULT_REPLY_DEADLINE = 4.0
MAX_REPLY_DEADLINE = 4.5
# The questions the subscribe welcome offers (猜你想问): the ones people ask most,
# the same four the web widget shows as quick replies.
DEFAULT_SUGGESTED_FAQS = ("eligibility", "vaccine_types", "booster_schedule", "booster_target")
REQUIRED = ("app_id", "app_secret", "token", "encoding_aes_key")
OPTIONAL_DEFAULTS: Dict[str, Any] = {
    "api_base": DEFAULT_API_BASE,
    "timestamp_tolerance": DEFAULT_TIMESTAMP_TOLERANCE,
    # memory | redis (BOT_REDIS_* variables); see bot/channels/dedup.py.
    "dedup_store": DedupBackend.MEMORY.value,
    "reply_deadline": DEFAULT_REPLY_DEADLINE,
}


@dataclass(frozen=True)
class WeChatSettings:
    app_id: str
    app_secret: str = field(repr=False)
    token: str = field(repr=False)
    encoding_aes_key: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE
    timestamp_tolerance: int = DEFAULT_TIMESTAMP_TOLERANCE
    dedup_store: DedupBackend = DedupBackend.MEMORY
    reply_deadline: float = DEFAULT_REPLY_DEADLINE
    suggested_faqs: Tuple[str, ...] = DEFAULT_SUGGESTED_FAQS


def resolve(
    credentials: Optional[Mapping[str, Any]], environ: Mapping[str, str]
) -> Tuple[Optional[WeChatSettings], List[str]]:
    """The settings, or None and the reasons (safe to log) why the channel stays off."""
    credentials = credentials or {}
    values, missing = read_values(credentials, environ, PREFIX, REQUIRED, OPTIONAL_DEFAULTS)
    if missing:
        return None, [f"{', '.join(missing)} not set"]
    problems = common_problems(values, credentials, PREFIX)
    try:
        values["reply_deadline"] = float(values["reply_deadline"])
        if not 0 < values["reply_deadline"] <= MAX_REPLY_DEADLINE:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(f"reply_deadline must be a number of seconds above 0 and at most {MAX_REPLY_DEADLINE}")
    suggested = credentials.get("suggested_faqs", DEFAULT_SUGGESTED_FAQS)
    if not isinstance(suggested, (list, tuple)) or not all(isinstance(s, str) and s for s in suggested):
        problems.append("suggested_faqs must be a list of FAQ ids")
    if problems:
        return None, problems
    for name in ("app_id", "app_secret", "token", "encoding_aes_key", "api_base"):
        values[name] = str(values[name])
    return WeChatSettings(suggested_faqs=tuple(suggested), **values), []
