"""AtomicRedisLockStore against a real Redis, with the race forced rather than
hoped for (tests/support/lock_race.py): the stock store loses a ticket under
the forced interleaving, ours never does. The scale-out tests cover the same
fault end to end, but only when the timing happens to line up."""

import json
import subprocess

import pytest

from bot.paths import PROJECT_ROOT
from bot.serving.stack import base_env

pytestmark = pytest.mark.slow

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"


def run_race(kind: str, store_env: dict) -> dict:
    result = subprocess.run(
        [str(RASA_PYTHON), "-m", "tests.support.lock_race", kind],
        cwd=PROJECT_ROOT,
        env={**base_env(), **store_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_forced_interleaving_breaks_rasas_own_store(store_env):
    # Guards the harness: if this stops failing the stock store, the test
    # below proves nothing.
    outcome = run_race("stock", store_env)
    assert outcome["tickets"][0] == outcome["tickets"][1]
    assert len(outcome["stored"]) == 1


def test_the_atomic_store_issues_distinct_tickets_and_keeps_both(store_env):
    outcome = run_race("atomic", store_env)
    assert sorted(outcome["tickets"]) == [0, 1]
    assert outcome["stored"] == [0, 1]
