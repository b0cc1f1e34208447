"""Where the project lives: every module resolves data, settings and caches
from here, so commands work from any working directory."""

import hashlib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The trained Rasa model, relative to the project root (`make model` writes it).
RASA_MODEL_FILE = Path("models/vaccine-faq.tar.gz")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """A file's sha256, read in chunks (models and indexes are large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()
