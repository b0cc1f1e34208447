"""The stack runner starts Rasa with endpoints.yml's own keys, filled in with
its ports and files, and keeps the action server on loopback by default."""

import yaml

from bot.serving import stack as stack_module
from bot.serving.stack import PROJECT_ROOT, Stack


def test_endpoints_yml_needs_no_environment_variables():
    # Plain `rasa shell` / `rasa run` / `rasa test` from the project root refuse
    # to start when a ${VAR} in endpoints.yml is unset.
    assert "${" not in (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")


def test_the_stack_fills_in_its_own_action_server_and_database(tmp_path, monkeypatch):
    monkeypatch.setattr(stack_module, "RUN_DIR", tmp_path / "run")
    stack = Stack(rasa_port=6101, actions_port=6102, tracker_db=tmp_path / "c.db")
    config = yaml.safe_load(stack.endpoints_file().read_text(encoding="utf-8"))
    assert config["action_endpoint"]["url"] == "http://127.0.0.1:6102/webhook"
    assert config["tracker_store"]["db"] == str(tmp_path / "c.db")
    assert config["tracker_store"]["type"] == "SQL"  # everything else is kept


def test_placeholders_stay_for_rasa_to_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(stack_module, "RUN_DIR", tmp_path / "run")
    stack = Stack(endpoints="endpoints.scale-out.yml", tracker_db=tmp_path / "c.db")
    config = yaml.safe_load(stack.endpoints_file().read_text(encoding="utf-8"))
    assert config["action_endpoint"]["url"] == "${RASA_ACTIONS_URL}"
    assert config["tracker_store"]["db"] == "${BOT_PG_DB}"


def _spawned_env(monkeypatch, stack):
    seen = {}
    monkeypatch.setattr(stack_module, "_port_open", lambda host, port: False)
    monkeypatch.setattr(Stack, "_spawn", lambda self, name, cmd, env_extra=None: seen.update(env_extra or {}))
    stack.start_action_server()
    return seen


def test_the_action_server_binds_to_loopback_by_default(monkeypatch):
    monkeypatch.delenv(stack_module.ACTIONS_HOST_ENV, raising=False)
    assert _spawned_env(monkeypatch, Stack())["SANIC_HOST"] == "127.0.0.1"


def test_binding_the_action_server_elsewhere_is_explicit(monkeypatch):
    monkeypatch.setenv(stack_module.ACTIONS_HOST_ENV, "0.0.0.0")
    assert _spawned_env(monkeypatch, Stack())["SANIC_HOST"] == "0.0.0.0"
