"""Export a model folder to ONNX and int8-quantize it, for ``runtime: onnx``.

The folder ``<model folder>-onnx`` (beside the zero-shot or tuned folder it
comes from) holds:

- ``model.onnx``: the BertModel's graph from ``torch.onnx.export`` (token ids
  and attention mask in, last hidden state out; batch and sequence dynamic);
- ``model-int8.onnx``: the same graph through ONNX Runtime's
  ``quantize_dynamic`` (int8 weights, MatMul only, per output channel);
- ``tokenizer.json`` and ``onnx_encoder.json`` (prompts, maximum sequence
  length, pooling), so the encoder needs nothing from the source folder.

Pooling and normalisation stay outside the graph (numpy, in
``bot.embedding.onnx_encoder``): they cost microseconds, and the graph stays
the plain transformer that ONNX Runtime's quantizer knows.

Like the fine-tuned folder, it is built into a temporary sibling, stamped
last with a hash of its inputs (the source folder's identity, the recipe, the
library versions) and rebuilt only when that hash changes.  The export takes
about a minute on one core; nothing here imports torch or onnxruntime at
module level.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from bot.embedding.model_folder import (
    MAX_SEQ_LENGTH,
    BuildError,
    build_lock,
    folder_problem,
    make_stamp,
    read_stamp,
    staging_folder,
    write_json,
)
from bot.embedding.options import Precision
from bot.paths import sha256_file

log = logging.getLogger(__name__)

# Bump when the produced folder changes in a way the recipe does not show.
ONNX_EXPORT_VERSION = "1"
SUFFIX = "-onnx"
STAMP_NAME = "onnx_build.json"
CONFIG_NAME = "onnx_encoder.json"
GRAPH_FILES = {Precision.FP32: "model.onnx", Precision.INT8: "model-int8.onnx"}
REQUIRED_FILES = (*GRAPH_FILES.values(), "tokenizer.json", CONFIG_NAME)
INPUT_NAMES = ("input_ids", "attention_mask")
OUTPUT_NAME = "last_hidden_state"
# Stamp entries of the source folder that say which weights it holds.
_SOURCE_IDENTITY = ("builder_version", "bin_sha256", "kind", "inputs_sha256")


@dataclass(frozen=True)
class OnnxRecipe:
    """How the graph is exported and quantized; part of the input hash.

    The quantisation was chosen by measurement (docs/performance.md): MatMul
    only, per channel, kept the vectors closest to fp32 (median cosine 0.979)
    at 8.8 ms a query; quantizing every op it can, per tensor, was 7.1 ms but
    moved them twice as far (0.960).
    """

    opset: int = 17
    weight_type: str = "QInt8"
    per_channel: bool = True
    op_types: Tuple[str, ...] = ("MatMul",)
    reduce_range: bool = False


def onnx_folder_for(model_dir: Path) -> Path:
    """Where the ONNX export of ``model_dir`` lives: a sibling named ``<name>-onnx``."""
    model_dir = Path(model_dir)
    return model_dir.with_name(model_dir.name + SUFFIX)


def _library_versions() -> Dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in ("torch", "transformers", "onnx", "onnxruntime"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _source_identity(source: Path) -> Dict[str, Any]:
    """What weights ``source`` holds: its build stamp's identity (cheap), or,
    for a folder no builder of ours stamped, the hash of its weights file."""
    stamp = read_stamp(source)
    if stamp:
        return {key: stamp[key] for key in _SOURCE_IDENTITY if key in stamp}
    weights = source / "model.safetensors"
    if not weights.is_file():
        raise BuildError(f"{source} has no model.safetensors to export")
    return {"weights_sha256": sha256_file(weights)}


def inputs_sha256(source: Path, recipe: OnnxRecipe) -> str:
    """Hash of everything the exported graphs depend on."""
    payload = {
        "onnx_export_version": ONNX_EXPORT_VERSION,
        "recipe": dataclasses.asdict(recipe),
        "source": _source_identity(source),
        "libraries": _library_versions(),
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def identity(source: Path, recipe: OnnxRecipe) -> dict:
    return {"kind": "onnx", "inputs_sha256": inputs_sha256(source, recipe)}


def onnx_folder_problem(folder: Path, wanted: Optional[dict] = None) -> Optional[str]:
    """Why ``folder`` is not a complete ONNX export (of ``wanted``'s inputs); None if it is."""
    return folder_problem(folder, wanted, files=REQUIRED_FILES, dirs=(), stamp_name=STAMP_NAME)


def encoder_config(source: Path) -> dict:
    """What the ONNX encoder must do around the graph to match the torch one:
    the folder's prompts, maximum sequence length and (mean) pooling."""

    def read(name: str) -> dict:
        try:
            data = json.loads((source / name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BuildError(f"cannot read {source / name}: {exc}") from exc
        return data if isinstance(data, dict) else {}

    pooling = read("1_Pooling/config.json")
    modules = json.loads((source / "modules.json").read_text(encoding="utf-8"))
    # Only what the encoder reimplements may be exported; anything else
    # would silently give other vectors than the torch encoder.
    if not pooling.get("pooling_mode_mean_tokens") or not pooling.get("include_prompt", True):
        raise BuildError(f"{source}: only mean pooling over all tokens can run on ONNX Runtime")
    if not any(str(m.get("type", "")).endswith("Normalize") for m in modules):
        raise BuildError(f"{source}: the ONNX encoder always normalises; this folder does not")
    prompts = read("config_sentence_transformers.json").get("prompts") or {}
    return {
        "prompts": {name: str(prompts.get(name) or "") for name in ("query", "passage")},
        "max_seq_length": int(read("sentence_bert_config.json").get("max_seq_length") or MAX_SEQ_LENGTH),
        "pooling": "mean",
        "normalize": True,
    }


def export_fp32(source: Path, out: Path, recipe: OnnxRecipe) -> None:
    """``torch.onnx.export`` of the folder's BertModel (the module the torch encoder runs)."""
    import warnings

    import torch
    from transformers import AutoModel, AutoTokenizer

    # The folder's own loading arguments (no pooler: mean pooling never uses it).
    model_args = json.loads((source / "sentence_bert_config.json").read_text(encoding="utf-8")).get("model_args", {})
    model = AutoModel.from_pretrained(str(source), local_files_only=True, **model_args).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)

    class LastHiddenState(torch.nn.Module):
        # The exported graph's whole interface: two inputs, one output.
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # Two texts of different lengths, so padding and the mask are traced as such.
    sample = tokenizer(["query: 加强针怎么打", "query: 新冠疫苗加强针什么时候打？"], return_tensors="pt", padding=True)
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad(), warnings.catch_warnings():
        # The tracer warns about Python control flow it folds for these shapes;
        # the batch parity test (tests/embedding/test_onnx_encoder.py) is the check.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(model),
            (sample["input_ids"], sample["attention_mask"]),
            str(out),
            input_names=list(INPUT_NAMES),
            output_names=[OUTPUT_NAME],
            dynamic_axes={**{name: axes for name in INPUT_NAMES}, OUTPUT_NAME: axes},
            opset_version=recipe.opset,
            do_constant_folding=True,
            dynamo=False,
        )


def quantize_int8(fp32: Path, out: Path, recipe: OnnxRecipe) -> None:
    """ONNX Runtime's dynamic quantisation: weights int8 once, activations per call."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32),
        str(out),
        weight_type=QuantType[recipe.weight_type],
        per_channel=recipe.per_channel,
        reduce_range=recipe.reduce_range,
        op_types_to_quantize=list(recipe.op_types),
    )


def verify_loads(folder: Path) -> None:
    """Load both graphs the way the bot will and embed one sentence."""
    import numpy as np

    from bot.embedding.onnx_encoder import OnnxEncoder

    for precision in GRAPH_FILES:
        vec = OnnxEncoder(folder, precision=precision).encode_queries(["新冠疫苗加强针什么时候打？"])
        if vec.ndim != 2 or vec.shape[0] != 1 or not np.isfinite(vec).all():
            raise BuildError(f"{precision.value} smoke encode returned shape {vec.shape} or non-finite values")


def build_onnx(source: Path, target: Path, recipe: OnnxRecipe, verify: bool = True) -> Path:
    """Unconditionally export and quantize into a temporary sibling, then swap it in."""
    target = Path(target).absolute()
    started = time.monotonic()
    log.info("exporting %s to ONNX (opset %d) and quantizing it", source.name, recipe.opset)
    with staging_folder(target) as staging:
        config = encoder_config(source)
        export_fp32(source, staging / GRAPH_FILES[Precision.FP32], recipe)
        quantize_int8(staging / GRAPH_FILES[Precision.FP32], staging / GRAPH_FILES[Precision.INT8], recipe)
        shutil.copyfile(source / "tokenizer.json", staging / "tokenizer.json")
        write_json(staging / CONFIG_NAME, {**config, "recipe": dataclasses.asdict(recipe)})
        if verify:
            verify_loads(staging)
        # The stamp is written last: a folder with a valid stamp is complete.
        write_json(staging / STAMP_NAME, make_stamp(staging, identity(source, recipe), files=REQUIRED_FILES))
    log.info("built %s in %.0f s", target, time.monotonic() - started)
    return target


def ensure_onnx_model(
    source: Path, target: Optional[Path] = None, force: bool = False, recipe: Optional[OnnxRecipe] = None, verify=True
) -> Path:
    """Return the ONNX export of ``source``, building it only if missing or stale."""
    # Not resolved: the export goes beside the folder as the settings name it,
    # even when that folder is a symlink to another checkout's cache.
    source = Path(source).absolute()
    target = Path(target or onnx_folder_for(source)).absolute()
    recipe = recipe or OnnxRecipe()
    wanted = identity(source, recipe)
    if not force and onnx_folder_problem(target, wanted) is None:
        return target
    with build_lock(target):
        # Another process may have finished the build while we waited.
        problem = onnx_folder_problem(target, wanted)
        if not force and problem is None:
            return target
        log.info("ONNX export needs building: %s", problem or "forced rebuild")
        return build_onnx(source, target, recipe, verify=verify)
