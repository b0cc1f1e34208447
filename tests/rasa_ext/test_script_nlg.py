"""Domain responses in the user's script (bot/rasa_ext/script_nlg.py), built
the way the Rasa server builds it: from the `nlg:` block of endpoints.yml, in
the Rasa environment (a subprocess: this test environment has no rasa)."""

import json
import subprocess

import pytest

from bot.serving.stack import PROJECT_ROOT, base_env
from tests.support.services import ENV_VARS

pytestmark = pytest.mark.slow

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

PROBE = r"""
import asyncio, json, sys
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

domain = Domain.load(["domain.yml", "data/responses"])
nlg = NaturalLanguageGenerator.create(read_endpoint_config(sys.argv[1], "nlg"), domain)
out = {"class": type(nlg).__name__}
for name, texts in json.loads(sys.argv[2]).items():
    events = []
    for text in texts:
        events += [UserUttered(text), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events(name, events)
    out[name] = asyncio.run(nlg.generate("utter_out_of_scope", tracker, "rest"))["text"]
print(json.dumps(out, ensure_ascii=False))
"""

CONVERSATIONS = {
    "traditional": ["懷孕可以打疫苗嗎"],
    "then_a_number": ["懷孕可以打疫苗嗎", "1"],
    "simplified": ["怀孕可以打疫苗吗"],
    "payload_only": ['/choose_faq{"faq_id":"eligibility"}'],
}


@pytest.mark.parametrize("endpoints", ["endpoints.yml", "endpoints.scale-out.yml"])
def test_domain_responses_follow_the_conversations_script(endpoints):
    env = base_env()
    # Values for the ${VARS} in the endpoint files; nothing connects to them here.
    for var in ("RASA_ACTIONS_URL", "BOT_TRACKER_DB", *ENV_VARS):
        env.setdefault(var, "1")
    result = subprocess.run(
        [str(RASA_PYTHON), "-W", "ignore", "-c", PROBE, endpoints, json.dumps(CONVERSATIONS, ensure_ascii=False)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["class"] == "ScriptAwareNaturalLanguageGenerator"
    assert "衛生健康熱線" in out["traditional"] and "卫生" not in out["traditional"]
    assert out["then_a_number"] == out["traditional"]
    assert "卫生健康热线" in out["simplified"]
    assert out["payload_only"] == out["simplified"]
