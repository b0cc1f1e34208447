import pytest

from tests.support.tracker_store import scripted_conversations, write_conversations


@pytest.fixture(scope="session")
def scripted_store(tmp_path_factory):
    """A SQLite tracker store written by Rasa's SQLTrackerStore with the scripted conversations."""
    path = tmp_path_factory.mktemp("store") / "conversations.db"
    write_conversations({"dialect": "sqlite", "db": str(path)}, scripted_conversations())
    return path
