"""The deployment files parse and agree with each other and with the project.

No Docker engine is available here, so nothing is built or run: these checks
catch the mistakes that do not need one (a service renamed on one side only,
a file the images copy that does not exist, a secret written into the file).
"""
from bot.paths import PROJECT_ROOT
import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = PROJECT_ROOT
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"
SECRET_WORDS = re.compile(r"PASSWORD|TOKEN|SECRET|AES_KEY", re.I)
# ${NAME}, ${NAME:?message} or ${NAME:-} (an optional secret may be empty).
FROM_ENV = re.compile(r"^\$\{[A-Z0-9_]+(:\?[^}]*|:-)?\}$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_has_the_scale_out_services(compose):
    services = compose["services"]
    assert {"rasa-1", "rasa-2", "actions", "postgres", "redis", "nginx"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("rasa-1", "rasa-2"):
        rasa = services[name]
        assert rasa["build"]["dockerfile"] == "deploy/Dockerfile.rasa"
        assert "endpoints.scale-out.yml" in rasa["command"]
        assert rasa["environment"]["RASA_ACTIONS_URL"] == "http://actions:5055/webhook"
        assert rasa["environment"]["BOT_PG_HOST"] == "postgres"
        assert rasa["environment"]["BOT_REDIS_HOST"] == "redis"
    assert services["actions"]["build"]["dockerfile"] == "deploy/Dockerfile.actions"


def test_compose_takes_every_secret_from_the_environment(compose):
    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
                if SECRET_WORDS.search(str(key)) and not isinstance(value, (dict, list)):
                    yield f"{path}.{key}", value
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{path}[{i}]")

    secrets = list(walk(compose, ""))
    assert len(secrets) >= 5, secrets
    for where, value in secrets:
        assert FROM_ENV.match(str(value)), f"{where} = {value!r} is not taken from the environment"
    for name in ("rasa-1", "rasa-2"):
        tokens = [arg for arg in compose["services"][name]["command"] if arg.startswith("--auth-token")]
        assert len(tokens) == 1 and tokens[0].startswith("--auth-token="), tokens
        assert FROM_ENV.match(tokens[0].split("=", 1)[1]), tokens
    # The example file names the variables but holds no usable value.
    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    for line in example.splitlines():
        if "=" in line and not line.startswith("#"):
            assert line.split("=", 1)[1] in ("", "change-me"), line


def test_nginx_balances_webhooks_over_both_rasa_servers(compose):
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream rasa \{(.*?)\}", conf, re.S).group(1)
    servers = re.findall(r"^\s*server\s+([\w-]+):(\d+)", upstream, re.M)
    assert servers == [("rasa-1", "5005"), ("rasa-2", "5005")]
    assert not re.search(r"\b(ip_hash|hash|sticky)\b", upstream), "turns must not be pinned to an instance"
    assert re.search(r"location /webhooks/ \{[^}]*proxy_pass http://rasa;", conf, re.S)
    # Only the webhooks reach Rasa; its HTTP API (/conversations, /model) stays internal.
    assert re.findall(r"^\s*location\s+(.+?)\s*\{", conf, re.M) == ["/webhooks/", "= /config.js", "/"]
    assert conf.count("proxy_pass") == 1
    mounts = compose["services"]["nginx"]["volumes"]
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in mounts
    assert "../web:/usr/share/nginx/html:ro" in mounts
    assert (ROOT / "web" / "index.html").exists() and (ROOT / "web" / "widget.js").exists()


@pytest.mark.parametrize("dockerfile", ["Dockerfile.rasa", "Dockerfile.actions"])
def test_dockerfiles_copy_files_that_exist(dockerfile):
    text = (DEPLOY / dockerfile).read_text(encoding="utf-8")
    copies = re.findall(r"^COPY\s+(?:--\S+\s+)*(.+?)\s+\S+$", text, re.M)
    assert copies
    for sources in copies:
        for source in sources.split():
            if source.startswith("models/"):
                continue  # built by `make model`, not committed
            assert (ROOT / source).exists(), f"{dockerfile} copies missing {source}"


def test_dockerfiles_use_the_pinned_bases():
    assert re.search(r"^FROM rasa/rasa:3\.6\.21-full$", (DEPLOY / "Dockerfile.rasa").read_text(), re.M)
    actions = (DEPLOY / "Dockerfile.actions").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", actions, re.M)
    assert "requirements/app.lock" in actions and "--no-deps" in actions


def test_scale_out_endpoints_come_from_the_environment():
    endpoints = yaml.safe_load((ROOT / "endpoints.scale-out.yml").read_text(encoding="utf-8"))
    tracker, lock = endpoints["tracker_store"], endpoints["lock_store"]
    assert tracker["dialect"] == "postgresql"
    for key in ("url", "port", "db", "username", "password"):
        assert FROM_ENV.match(str(tracker[key])), key
    for key in ("url", "port", "db", "password"):
        assert FROM_ENV.match(str(lock[key])), key
    assert str(lock["key_prefix"]).isalnum()  # Rasa ignores a prefix that is not
    assert endpoints["action_endpoint"]["url"] == "${RASA_ACTIONS_URL}"


def test_scale_out_store_classes_exist():
    # Rasa falls back to an in-memory tracker store, with only a warning, when
    # the class path is wrong; .venv has no Rasa, so check the source.
    endpoints = yaml.safe_load((ROOT / "endpoints.scale-out.yml").read_text(encoding="utf-8"))
    for section in ("tracker_store", "lock_store"):
        module, _, name = endpoints[section]["type"].rpartition(".")
        path = ROOT / Path(*module.split(".")).with_suffix(".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert name in {n.name for n in tree.body if isinstance(n, ast.ClassDef)}, endpoints[section]["type"]
