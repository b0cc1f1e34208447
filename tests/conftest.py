import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def faqs():
    from bot.ingest.pipeline import load_faqs

    return load_faqs(ROOT / "data" / "faq.yml")


@pytest.fixture(scope="session")
def articles():
    from bot.ingest.pipeline import load_articles

    return load_articles(ROOT / "data" / "articles.yml")


@pytest.fixture(scope="session")
def passages(articles, faqs):
    """The knowledge-base passages of the committed data."""
    from bot.retrieval.passages import build_passages

    return build_passages(articles, faqs)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real Rasa server and action server, on free ports, for the whole session."""
    from bot.serving.stack import Stack, free_port

    # web_port: the web widget's tests drive the demo page against this same stack.
    with Stack(
        rasa_port=free_port(),
        actions_port=free_port(),
        log_dir=ROOT / "artifacts" / "logs",
        web_port=free_port(),
        tracker_db=tmp_path_factory.mktemp("trackers") / "conversations.db",
    ) as running:
        yield running


@pytest.fixture(scope="session")
def client(stack):
    from bot.serving.client import BotClient

    return BotClient(stack.rasa_url, stack.auth_token)


@pytest.fixture(scope="session")
def store_env():
    """PostgreSQL and Redis on loopback (scripts/services.sh), as BOT_PG_* / BOT_REDIS_* variables."""
    from tests.support.services import running_services

    yield from running_services()
