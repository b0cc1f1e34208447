"""Runs the two servers the bot is made of, as child processes.

The Rasa server lives in its own Python 3.10 environment (.venv-rasa); the
action server and the retrieval stack in the main one. Used by `make run`,
`python -m bot ask` when no bot is running, and the end-to-end tests.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

import requests
import yaml

from bot.paths import PROJECT_ROOT, RASA_MODEL_FILE

logger = logging.getLogger(__name__)

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
RUN_DIR = PROJECT_ROOT / ".cache" / "run"
# The action server's webhook has no authentication of its own, so it listens
# on loopback unless a deployment says otherwise (e.g. BOT_ACTIONS_HOST=0.0.0.0
# in a container whose port only the Rasa server can reach).
ACTIONS_HOST_ENV = "BOT_ACTIONS_HOST"
DEFAULT_MODEL = PROJECT_ROOT / RASA_MODEL_FILE
RASA_MAX_BODY_BYTES = 256 * 1024
DEFAULT_WEB_PORT = 8000


class StackError(RuntimeError):
    """A server could not be started; the message names the fix."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def cors_origins(web_port: Optional[int] = None) -> List[str]:
    """Origins whose pages may call the Rasa server from a browser.

    BOT_CORS_ORIGINS (comma or space separated) replaces the default, which is
    the demo page's own origin under both names a browser may use for it.
    """
    configured = os.environ.get("BOT_CORS_ORIGINS", "").replace(",", " ").split()
    if configured:
        return configured
    port = web_port or DEFAULT_WEB_PORT
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


def base_env() -> dict:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        RASA_TELEMETRY_ENABLED="false",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        # Two cores: one thread per process keeps the servers from fighting.
        OMP_NUM_THREADS="1",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


@dataclass
class Stack:
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    model: Path = DEFAULT_MODEL
    log_dir: Path = PROJECT_ROOT / ".cache" / "logs"
    start_actions: bool = True
    # Hex, so it can never start with "-" and be read as an option.
    auth_token: str = field(default_factory=lambda: secrets.token_hex(24))
    # Relative to the project root; `BOT_MESSAGING=1 make run` picks credentials.messaging.yml.
    credentials: str = "credentials.yml"
    # Relative to the project root; endpoints.scale-out.yml shares PostgreSQL + Redis between instances.
    endpoints: str = "endpoints.yml"
    # Added to both children's environment (e.g. a channel's secrets in tests).
    extra_env: dict = field(default_factory=dict)
    # When set, start() also serves the web chat widget and its demo page here.
    web_port: Optional[int] = None
    # The SQLite file of the default tracker store (endpoints.yml).
    tracker_db: Path = PROJECT_ROOT / "state" / "conversations.db"
    _procs: List[subprocess.Popen] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def web_url(self) -> Optional[str]:
        # "localhost", not the bind address: it is the origin CORS allows by default.
        return f"http://localhost:{self.web_port}/" if self.web_port else None

    def _spawn(self, name: str, cmd: List[str], env_extra: Optional[dict] = None) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}-{self.rasa_port}.log", "ab")
        env = base_env()
        env["RASA_ACTIONS_URL"] = f"{self.actions_url}/webhook"
        env["BOT_ACTIONS_EAGER"] = "1"
        env.update(env_extra or {})
        env.update(self.extra_env)
        proc = subprocess.Popen(
            cmd,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches us; we stop the children in order
        )
        self._procs.append(proc)
        return proc

    def start_action_server(self) -> subprocess.Popen:
        if _port_open(self.host, self.actions_port):
            raise StackError(f"port {self.actions_port} is already in use; stop what runs there or pick another port")
        # rasa_sdk has no --interface option; it binds to SANIC_HOST (default 0.0.0.0).
        bind = os.environ.get(ACTIONS_HOST_ENV) or self.host
        # The action parses a follow-up rewritten with its topic through the Rasa
        # server's API (bot/answering/rasa_parse.py), on loopback, with this run's token.
        return self._spawn(
            "actions",
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            {"SANIC_HOST": bind, "BOT_RASA_URL": self.rasa_url, "BOT_RASA_TOKEN": self.auth_token},
        )

    def endpoints_file(self) -> Path:
        """The endpoints file Rasa is started with: `self.endpoints` with this
        stack's action server URL and SQLite file filled in. Values given as
        ${VAR} (endpoints.scale-out.yml) stay for Rasa to read from the environment."""
        source = PROJECT_ROOT / self.endpoints
        config = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        action = config.get("action_endpoint") or {}
        if not str(action.get("url", "")).startswith("${"):
            config["action_endpoint"] = {**action, "url": f"{self.actions_url}/webhook"}
        store = config.get("tracker_store") or {}
        if store.get("dialect") == "sqlite" and not str(store.get("db", "")).startswith("${"):
            config["tracker_store"] = {**store, "db": str(self.tracker_db)}
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        target = RUN_DIR / f"endpoints-{self.rasa_port}.yml"
        target.write_text(
            f"# Written by bot/serving/stack.py from {self.endpoints}; do not edit.\n"
            + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        return target

    def _rasa_env(self) -> dict:
        """What the Rasa server reads from the environment."""
        if not RASA_BIN.exists():
            raise StackError(f"{RASA_BIN} is missing; run `make setup`")
        if not self.model.exists():
            raise StackError(f"trained model {self.model} is missing; run `make model`")
        self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        return {
            # Sanic refuses bigger bodies with 413 before any handler runs; the
            # public channels need a few KB at most.
            "SANIC_REQUEST_MAX_SIZE": str(RASA_MAX_BODY_BYTES),
        }

    def run_shell(self) -> int:
        """A terminal chat (bot/serving/shell.py) over the guarded REST channel,
        with both servers behind it; metadata only with BOT_DEBUG=1."""
        from bot.serving.client import BotClient
        from bot.serving.shell import _read_line, chat, debug_enabled

        self.web_port = None  # a terminal chat needs no demo page
        self.start()
        chat(BotClient(self.rasa_url), sys.stdout, _read_line, debug=debug_enabled())
        return 0

    def start_rasa_server(self) -> subprocess.Popen:
        rasa_env = self._rasa_env()
        if _port_open(self.host, self.rasa_port):
            raise StackError(f"port {self.rasa_port} is already in use; stop what runs there or pick another port")
        return self._spawn(
            "rasa",
            [
                str(RASA_BIN),
                "run",
                "--model",
                str(self.model),
                "--port",
                str(self.rasa_port),
                "--interface",
                self.host,
                "--credentials",
                str(self.credentials),
                "--endpoints",
                str(self.endpoints_file()),
                # The HTTP API (trackers, parse) is only open to holders of this run's token.
                "--enable-api",
                f"--auth-token={self.auth_token}",
                # Browsers may call the REST channel only from these pages (the web widget).
                "--cors",
                *cors_origins(self.web_port),
            ],
            rasa_env,
        )

    def start_web_server(self) -> subprocess.Popen:
        assert self.web_port is not None, "start_web_server needs a web_port"
        if _port_open(self.host, self.web_port):
            raise StackError(f"port {self.web_port} is already in use; stop what runs there or pick another port")
        return self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "bot.serving.web_server",
                "--host",
                self.host,
                "--port",
                str(self.web_port),
                "--rasa-url",
                self.rasa_url,
            ],
        )

    def _wait_web_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"http://{self.host}:{self.web_port}/config.js", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise StackError(f"web chat server not ready after {timeout:.0f}s; see logs in {self.log_dir}")
            time.sleep(0.2)

    def wait_ready(self, timeout: float = 180.0, only_actions: bool = False) -> None:
        deadline = time.monotonic() + timeout
        checks: List[Tuple[str, str, Optional[dict]]] = (
            [] if only_actions else [("Rasa server", f"{self.rasa_url}/status", {"token": self.auth_token})]
        )
        if self.start_actions:
            checks.insert(0, ("action server", f"{self.actions_url}/health", None))
        for name, url, params in checks:
            while True:
                dead = [p for p in self._procs if p.poll() is not None]
                if dead:
                    which = " ".join(_args(dead[0])[:3])
                    raise StackError(
                        f"`{which} …` exited early (code {dead[0].returncode}) while waiting for "
                        f"the {name}; see logs in {self.log_dir}"
                    )
                try:
                    resp = requests.get(url, params=params, timeout=2)
                    if resp.ok and (name != "Rasa server" or resp.json().get("model_id")):
                        break
                except (requests.RequestException, ValueError):
                    pass
                if time.monotonic() > deadline:
                    raise StackError(f"{name} not ready after {timeout:.0f}s; see logs in {self.log_dir}")
                time.sleep(0.5)

    def start(self, timeout: float = 180.0) -> "Stack":
        try:
            if self.start_actions:
                self.start_action_server()
            self.start_rasa_server()
            if self.web_port:
                self.start_web_server()
            self.wait_ready(timeout)
            if self.web_port:
                self._wait_web_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop_action_server(self) -> None:
        for proc in list(self._procs):
            if "rasa_sdk" in _args(proc):
                _terminate(proc)
                self._procs.remove(proc)

    def stop(self) -> None:
        # Rasa first, so no turn is in flight when the actions go away.
        for proc in reversed(self._procs):
            _terminate(proc)
        self._procs.clear()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _args(proc: subprocess.Popen) -> List[str]:
    # Popen.args is whatever was passed in: always a list of strings here.
    args = proc.args
    return [str(a) for a in args] if isinstance(args, (list, tuple)) else [str(args)]


def _terminate(proc: subprocess.Popen, grace: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass
