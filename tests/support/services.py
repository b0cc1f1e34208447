"""PostgreSQL and Redis on loopback for tests, from scripts/services.sh.

As root, and always in CI, the script installs what is missing and a failure
fails the test; elsewhere the requesting module is skipped when the services
cannot be started (the same policy as tests/e2e/test_scale_out.py).
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
from typing import Dict

import pytest

from bot.paths import PROJECT_ROOT

SERVICES = PROJECT_ROOT / "scripts" / "services.sh"
REDIS_VARS = ("BOT_REDIS_HOST", "BOT_REDIS_PORT", "BOT_REDIS_DB", "BOT_REDIS_PASSWORD")


def services(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SERVICES), *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def parse_env(stdout: str) -> Dict[str, str]:
    env = {}
    for name, value in re.findall(r"^export (\w+)=(.*)$", stdout, re.M):
        env[name] = shlex.split(value)[0] if value else ""
    return env


def start_services() -> Dict[str, str]:
    """The BOT_* variables of running services; skips or fails (see above) when they cannot start."""
    started = services("start")
    if started.returncode != 0:
        reason = f"scripts/services.sh start failed:\n{started.stderr[-2000:]}"
        if os.geteuid() != 0 and os.environ.get("CI", "").lower() not in ("1", "true"):
            pytest.skip(reason)
        pytest.fail(reason)
    env = parse_env(started.stdout)
    assert set(REDIS_VARS) <= set(env), started.stdout
    return env
