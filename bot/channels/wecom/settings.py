"""Where the channel's settings come from.

Rasa expands `${VAR}` in credentials.yml but raises when VAR is unset, which
would stop the whole server (and every other channel) on a machine without
WeCom secrets. So credentials.yml only names the variables (`<setting>_env`,
default WECOM_<SETTING>) and this module reads them: an environment variable
that is set wins over a literal value in the file, and when a required setting
is missing the channel stays off with a warning that names variables, never
values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.channels.wecom.crypto import DEFAULT_TIMESTAMP_TOLERANCE, aes_key

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
REQUIRED = ("corp_id", "token", "encoding_aes_key", "agent_id", "secret")
OPTIONAL_DEFAULTS: Dict[str, Any] = {
    "api_base": DEFAULT_API_BASE,
    "timestamp_tolerance": DEFAULT_TIMESTAMP_TOLERANCE,
}


def env_name(setting: str, credentials: Mapping[str, Any]) -> str:
    return str(credentials.get(f"{setting}_env") or f"WECOM_{setting.upper()}")


@dataclass(frozen=True)
class WeComSettings:
    corp_id: str
    token: str = field(repr=False)
    encoding_aes_key: str = field(repr=False)
    agent_id: int
    secret: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE
    timestamp_tolerance: int = DEFAULT_TIMESTAMP_TOLERANCE
    dedup_store: Optional[str] = None
    dedup_store_options: Dict[str, Any] = field(default_factory=dict)


def resolve(credentials: Optional[Mapping[str, Any]],
            environ: Mapping[str, str]) -> Tuple[Optional[WeComSettings], List[str]]:
    """The settings, or None and the reasons (safe to log) why the channel stays off."""
    credentials = credentials or {}
    values: Dict[str, Any] = {}
    missing: List[str] = []
    for setting in REQUIRED + tuple(OPTIONAL_DEFAULTS):
        name = env_name(setting, credentials)
        value = environ.get(name) or credentials.get(setting)
        if value in (None, ""):
            if setting in REQUIRED:
                missing.append(name)
                continue
            value = OPTIONAL_DEFAULTS[setting]
        values[setting] = str(value).strip() if setting != "timestamp_tolerance" else value
    if missing:
        return None, [f"{', '.join(missing)} not set"]

    problems: List[str] = []
    try:
        values["agent_id"] = int(values["agent_id"])
    except ValueError:
        problems.append(f"{env_name('agent_id', credentials)} is not an integer")
    try:
        aes_key(values["encoding_aes_key"])
    except ValueError as exc:
        problems.append(f"{env_name('encoding_aes_key', credentials)}: {exc}")
    try:
        values["timestamp_tolerance"] = int(values["timestamp_tolerance"])
    except (TypeError, ValueError):
        problems.append("timestamp_tolerance is not an integer")
    if not str(values["api_base"]).startswith(("https://", "http://")):
        problems.append("api_base must be an http(s) URL")
    if problems:
        return None, problems

    options = credentials.get("dedup_store_options") or {}
    return WeComSettings(
        dedup_store=credentials.get("dedup_store") or None,
        dedup_store_options=dict(options) if isinstance(options, Mapping) else {},
        **values,
    ), []
