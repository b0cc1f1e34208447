"""The whole bot with the WeCom channel switched on, pointed at a fake WeCom
API on loopback, for the end-to-end tests that talk to it as WeCom does."""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import Iterator

from bot.paths import PROJECT_ROOT
from bot.serving.stack import Stack, free_port
from tests.support.fake_wecom_api import FakeWeComApi
from tests.support.wecom_client import WeComClient, make_encoding_aes_key


@contextmanager
def wecom_stack(fake_api: FakeWeComApi, corp_id: str, agent_id: int) -> Iterator[Stack]:
    """A started stack; `stack.wecom` is a client holding this run's token and key."""
    token, aes_key = secrets.token_hex(12), make_encoding_aes_key()
    env = {
        "WECOM_CORP_ID": corp_id,
        "WECOM_TOKEN": token,
        "WECOM_ENCODING_AES_KEY": aes_key,
        "WECOM_AGENT_ID": str(agent_id),
        "WECOM_SECRET": fake_api.secret,
        "WECOM_API_BASE": fake_api.url,
    }
    stack = Stack(
        rasa_port=free_port(), actions_port=free_port(), log_dir=PROJECT_ROOT / "artifacts" / "logs", extra_env=env
    )
    stack.start(timeout=600)  # a busy two-core machine can take minutes to load the model
    try:
        stack.wecom = WeComClient(  # type: ignore[attr-defined]
            f"{stack.rasa_url}/webhooks/wecom/webhook", token, aes_key, corp_id, agent_id
        )
        yield stack
    finally:
        stack.stop()
