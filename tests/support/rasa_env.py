"""Running commands in the Rasa environment from the test environment."""

import subprocess

from bot.serving.stack import PROJECT_ROOT, RASA_BIN, base_env


def run_rasa(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RASA_BIN), *args], cwd=PROJECT_ROOT, env=base_env(), capture_output=True, text=True, timeout=timeout
    )
