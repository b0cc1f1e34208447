"""Reading a channel's settings from credentials.yml and the environment.

Rasa expands `${VAR}` in credentials.yml but raises when VAR is unset, which
would stop the whole server (and every other channel) on a machine without a
channel's secrets. So credentials.yml only names the variables
(`<setting>_env`, default <PREFIX>_<SETTING>) and the channel reads them: an
environment variable that is set wins over a literal value in the file, and
when a required setting is missing the channel stays off with a warning that
names variables, never values. Shared by the WeCom and WeChat channels, with
the checks both need on the replay window and the delivery memory.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence, Tuple

from bot.channels.dedup import backend_from, replay_window_problem
from bot.channels.wxcrypto import aes_key


def env_name(setting: str, credentials: Mapping[str, Any], prefix: str) -> str:
    return str(credentials.get(f"{setting}_env") or f"{prefix}_{setting.upper()}")


def read_values(
    credentials: Mapping[str, Any],
    environ: Mapping[str, str],
    prefix: str,
    required: Sequence[str],
    optional: Mapping[str, Any],
) -> Tuple[Dict[str, Any], List[str]]:
    """Each setting's value (environment first, then the file, then the default) and
    the names of the variables that a missing required setting should come from."""
    values: Dict[str, Any] = {}
    missing: List[str] = []
    for setting in tuple(required) + tuple(optional):
        name = env_name(setting, credentials, prefix)
        value = environ.get(name) or credentials.get(setting)
        if value in (None, ""):
            if setting in required:
                missing.append(name)
                continue
            value = optional[setting]
        values[setting] = value.strip() if isinstance(value, str) else value
    return values, missing


def common_problems(values: Dict[str, Any], credentials: Mapping[str, Any], prefix: str) -> List[str]:
    """Checks (and conversions, in place) every WeCom/WeChat channel needs:
    the EncodingAESKey, the API base URL, the timestamp window and the dedup store."""
    problems: List[str] = []
    try:
        aes_key(str(values["encoding_aes_key"]))
    except ValueError as exc:
        problems.append(f"{env_name('encoding_aes_key', credentials, prefix)}: {exc}")
    if not str(values["api_base"]).startswith(("https://", "http://")):
        problems.append("api_base must be an http(s) URL")
    try:
        values["dedup_store"] = backend_from(values.get("dedup_store"))
    except ValueError as exc:
        problems.append(str(exc))
    try:
        values["timestamp_tolerance"] = int(values["timestamp_tolerance"])
    except (TypeError, ValueError):
        problems.append("timestamp_tolerance is not an integer")
    else:
        window = replay_window_problem(values["timestamp_tolerance"])
        if window:
            problems.append(window)
    return problems
