"""Where the WeCom channel's settings come from (bot/channels/env_settings.py
explains the environment-first rule and why `${VAR}` is not used)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.channels.dedup import DedupBackend
from bot.channels.env_settings import common_problems, env_name, read_values
from bot.channels.wxcrypto import DEFAULT_TIMESTAMP_TOLERANCE

PREFIX = "WECOM"
DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
REQUIRED = ("corp_id", "token", "encoding_aes_key", "agent_id", "secret")
OPTIONAL_DEFAULTS: Dict[str, Any] = {
    "api_base": DEFAULT_API_BASE,
    "timestamp_tolerance": DEFAULT_TIMESTAMP_TOLERANCE,
    # memory | redis (BOT_REDIS_* variables); see bot/channels/dedup.py.
    "dedup_store": DedupBackend.MEMORY.value,
}


@dataclass(frozen=True)
class WeComSettings:
    corp_id: str
    token: str = field(repr=False)
    encoding_aes_key: str = field(repr=False)
    agent_id: int
    secret: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE
    timestamp_tolerance: int = DEFAULT_TIMESTAMP_TOLERANCE
    dedup_store: DedupBackend = DedupBackend.MEMORY


def resolve(
    credentials: Optional[Mapping[str, Any]], environ: Mapping[str, str]
) -> Tuple[Optional[WeComSettings], List[str]]:
    """The settings, or None and the reasons (safe to log) why the channel stays off."""
    credentials = credentials or {}
    values, missing = read_values(credentials, environ, PREFIX, REQUIRED, OPTIONAL_DEFAULTS)
    if missing:
        return None, [f"{', '.join(missing)} not set"]
    problems = common_problems(values, credentials, PREFIX)
    try:
        values["agent_id"] = int(values["agent_id"])
    except (TypeError, ValueError):
        problems.append(f"{env_name('agent_id', credentials, PREFIX)} is not an integer")
    if problems:
        return None, problems
    for name in ("corp_id", "token", "encoding_aes_key", "secret", "api_base"):
        values[name] = str(values[name])
    return WeComSettings(**values), []
