"""The Encoder: clear errors for broken folders, and the vectors of the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.embedding.encoder import Encoder, ModelUnavailableError
from bot.embedding.model_folder import STAMP_NAME


def test_missing_folder_names_the_fix(tmp_path):
    with pytest.raises(ModelUnavailableError) as info:
        Encoder(tmp_path / "no-such-model")
    message = str(info.value)
    assert "no-such-model" in message and "does not exist" in message
    assert "make embedding-model" in message and "python -m bot build-model" in message


def test_incomplete_folder_names_missing_files(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelUnavailableError, match=r"missing .*modules\.json.*build-model"):
        Encoder(tmp_path)


PARAPHRASES = [
    ("新冠疫苗加强针什么时候打？", "第三针疫苗应该在什么时间接种？", "附近哪里有好吃的火锅？"),
    ("打完疫苗能不能喝酒", "接种疫苗后可以饮酒吗？", "如何办理护照？"),
    ("孕妇可以打新冠疫苗吗", "怀孕了能接种新冠疫苗吗", "明天北京天气怎么样"),
    ("接種疫苗後發燒怎麼辦？", "打完针后发热该如何处理？", "股票怎么开户？"),
    ("哪些人不能打新冠疫苗？", "新冠疫苗的接种禁忌有哪些", "推荐几部好看的电影"),
]


@pytest.mark.slow
def test_paraphrase_beats_unrelated(encoder):
    for question, paraphrase, unrelated in PARAPHRASES:
        q, p, u = encoder.encode_queries([question, paraphrase, unrelated])
        assert float(q @ p) > float(q @ u) + 0.03, (question, float(q @ p), float(q @ u))


@pytest.mark.slow
def test_vectors_are_unit_float32(encoder):
    texts = [t for triple in PARAPHRASES for t in triple]
    for vectors in (encoder.encode_queries(texts), encoder.encode_passages(texts)):
        assert vectors.dtype == np.float32 and vectors.shape == (len(texts), 384)
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode_queries([]).shape == (0, 384)
    with pytest.raises(TypeError):
        encoder.encode_queries("加强针")  # a str would be embedded char by char
    # Query and passage prefixes really differ.
    q, p = encoder.encode_queries(["加强针"]), encoder.encode_passages(["加强针"])
    assert float(q[0] @ p[0]) < 0.999


def _copy_with_truncated_weights(model_dir: Path, dest: Path, keep_stamp: bool) -> Path:
    shutil.copytree(model_dir, dest, ignore=shutil.ignore_patterns("model.safetensors"))
    with open(model_dir / "model.safetensors", "rb") as src, open(dest / "model.safetensors", "wb") as out:
        out.write(src.read(50_000_000))
    if not keep_stamp:
        (dest / STAMP_NAME).unlink()
    return dest


@pytest.mark.slow
@pytest.mark.parametrize("keep_stamp", [True, False], ids=["stamped", "unstamped"])
def test_truncated_weights_give_clear_error(model_dir, tmp_path, keep_stamp):
    broken = _copy_with_truncated_weights(model_dir, tmp_path / "broken", keep_stamp)
    with pytest.raises(ModelUnavailableError) as info:
        Encoder(broken)
    message = str(info.value)
    assert "build-model" in message
    if keep_stamp:
        assert "truncated" in message


@pytest.mark.slow
def test_prompts_by_name_give_the_vectors_of_the_hand_written_prefixes(encoder, model_dir):
    """The folder's stored prompts, applied by sentence-transformers, embed exactly
    as the "query: " / "passage: " prefixes the encoder used to add itself."""
    from sentence_transformers import SentenceTransformer

    raw = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True, prompts={})
    texts = ["加强针怎么打", "接種疫苗後，可以喝酒嗎？", "科兴是灭活疫苗"]
    for ours, prefix in ((encoder.encode_queries(texts), "query: "), (encoder.encode_passages(texts), "passage: ")):
        by_hand = raw.encode([prefix + t for t in texts], normalize_embeddings=True, prompt="")
        np.testing.assert_allclose(ours, by_hand, atol=1e-5)
    assert (encoder.query_prompt, encoder.passage_prompt) == ("query: ", "passage: ")


@pytest.mark.slow
def test_prompt_overrides_replace_the_folders(model_dir):
    plain = Encoder(model_dir, threads=1, prompts={"query": "", "passage": ""})
    assert plain.query_prompt == "" and plain.passage_prompt == ""
    q, p = plain.encode_queries(["加强针"]), plain.encode_passages(["加强针"])
    np.testing.assert_allclose(q, p, atol=1e-6)  # no prompt: both sides embed the same text


@pytest.mark.slow
def test_int8_stays_close_to_fp32_and_says_so(encoder, model_dir):
    from bot.embedding.options import Precision

    int8 = Encoder(model_dir, threads=1, precision=Precision.INT8)
    texts = ["加强针怎么打", "打完疫苗能不能喝酒", "七十岁老人能打疫苗吗", "今天天气怎么样"]
    agreement = np.sum(int8.encode_queries(texts) * encoder.encode_queries(texts), axis=1)
    assert agreement.min() > 0.95, agreement
    assert agreement.min() < 0.99999, "int8 vectors identical to fp32: quantisation did not happen"
    assert int8.describe()["precision"] == "int8"
    assert "precision" not in encoder.describe()  # fp32 keeps the identity existing indexes were built with
