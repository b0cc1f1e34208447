"""Imports only go downward, and heavy libraries load only where they are used.

The Rasa server's packages (bot.rasa_ext, bot.channels) run in .venv-rasa,
which has no torch: a stray top-level import there would stop Rasa at start-up.
The action server must start without paying for torch until a question needs
retrieval. Each check runs in a fresh interpreter so nothing else has already
imported the library.
"""

import json
import subprocess
import sys

import pytest

from bot.paths import PROJECT_ROOT
from bot.serving.stack import base_env

HEAVY = ("torch", "faiss", "sentence_transformers", "transformers", "onnxruntime", "onnx")
RASA_SIDE = ("bot.rasa_ext", "bot.channels")
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

# Imports every module of the given packages, then reports which heavy
# libraries ended up loaded.
PROBE = """
import importlib, json, pkgutil, sys
loaded, failed = [], {}
for name in %(modules)r:
    module = importlib.import_module(name)
    loaded.append(name)
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
        try:
            importlib.import_module(info.name)
            loaded.append(info.name)
        except ImportError as exc:
            failed[info.name] = str(exc)
print(json.dumps({"loaded": loaded, "failed": failed,
                  "heavy": sorted(m for m in %(heavy)r if m in sys.modules)}))
"""


def _probe(python, modules):
    result = subprocess.run(
        [str(python), "-c", PROBE % {"modules": list(modules), "heavy": HEAVY}],
        cwd=PROJECT_ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa venv is built by `make setup`")
def test_every_rasa_side_module_imports_in_the_rasa_environment_without_heavy_libraries():
    report = _probe(RASA_PYTHON, RASA_SIDE)
    assert not report["failed"], report["failed"]
    assert report["heavy"] == []
    assert len(report["loaded"]) > len(RASA_SIDE)


def test_the_action_server_and_answering_layer_load_torch_lazily():
    report = _probe(sys.executable, ("actions", "bot.answering", "bot.text"))
    assert not report["failed"], report["failed"]
    assert report["heavy"] == [], f"imported at module level: {report['heavy']}"


def test_every_embedding_module_loads_its_runtime_lazily():
    # The encoder's modules (torch or ONNX Runtime) are imported by settings,
    # builders and benchmarks that may never run a model.
    report = _probe(sys.executable, ("bot.embedding",))
    assert not report["failed"], report["failed"]
    assert report["heavy"] == [], f"imported at module level: {report['heavy']}"
    assert {"bot.embedding.onnx_encoder", "bot.embedding.onnx_export", "bot.embedding.loader"} <= set(report["loaded"])


def test_the_probe_notices_a_heavy_import():
    # Guards the guard: the vector index needs faiss at module level, and the
    # same probe must report it.
    report = _probe(sys.executable, ("bot.retrieval.vector_index",))
    assert "faiss" in report["heavy"]
