"""PostgreSQL and Redis for the tests that need them, from scripts/services.sh
(Debian packages, loopback, throwaway data under .cache/services/)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Dict

import pytest

from bot.paths import PROJECT_ROOT

SERVICES = PROJECT_ROOT / "scripts" / "services.sh"
ENV_VARS = (
    "BOT_PG_HOST",
    "BOT_PG_PORT",
    "BOT_PG_DB",
    "BOT_PG_USER",
    "BOT_PG_PASSWORD",
    "BOT_REDIS_HOST",
    "BOT_REDIS_PORT",
    "BOT_REDIS_DB",
    "BOT_REDIS_PASSWORD",
)


def services(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SERVICES), *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def parse_env(stdout: str) -> Dict[str, str]:
    env = {}
    for name, value in re.findall(r"^export (\w+)=(.*)$", stdout, re.M):
        env[name] = shlex.split(value)[0] if value else ""
    return env


def servers_installed() -> bool:
    postgres = any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return postgres and shutil.which("redis-server") is not None


def running_services():
    """Generator for a fixture: the services' connection variables, stopping
    them afterwards only if this run started them."""
    was_running = services("status").returncode == 0
    started = services("start")
    if started.returncode != 0:
        reason = f"scripts/services.sh start failed:\n{started.stderr[-2000:]}"
        # Skipping is for one case only: a developer without root whose machine
        # lacks the packages (the script cannot install them). Installed servers
        # that fail to start are a failure, and CI always installs them.
        if not servers_installed() and os.geteuid() != 0 and os.environ.get("CI", "").lower() not in ("1", "true"):
            pytest.skip(reason)
        pytest.fail(reason)
    env = parse_env(started.stdout)
    assert set(ENV_VARS) <= set(env), started.stdout
    yield env
    if not was_running:
        services("stop")
