"""Fine-tune the zero-shot encoder on the project's own paraphrases.

The training data is the Rasa NLU data: every ``faq/<id>`` example is a
question labelled with its FAQ; out-of-scope and chit-chat examples are
negatives only (never anchors, never positives of each other: "not this
bot's topic" is not one meaning).  The loss is supervised contrastive with
in-batch negatives (``SupervisedContrastiveLoss``), trained with
sentence-transformers' ``SentenceTransformerTrainer``.  The word-embedding
matrix (96 M of the model's 118 M weights) stays frozen: the paraphrase set is
tiny, and training it would move rare characters' vectors for nothing.  So do
the bottom encoder layers when ``Recipe.frozen_layers`` asks for it (off by
default): a step that stops backpropagating halfway costs about 30% less.

The result is a normal model folder (``model_folder`` contract) whose stamp
records a hash of everything the weights depend on: the training examples,
the recipe and seed, the base model and the library versions.  It is rebuilt
only when that hash changes.  The recipe (chosen on eval/dev.yml; see
docs/evaluation.md "Fine-tuned encoder" and "Session 8") takes about 7.5
minutes on two threads (TRAINING_THREADS), over the issue's 3-minute budget.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.embedding.model_folder import (
    STAMP_NAME,
    BuildError,
    build_lock,
    folder_problem,
    make_stamp,
    read_stamp,
    staging_folder,
    write_json,
)

log = logging.getLogger(__name__)

# Bump when the training procedure changes in a way the recipe does not show.
FINE_TUNE_VERSION = "1"
FAQ_PREFIX = "faq/"
OUT_OF_SCOPE_INTENT = "out_of_scope"
# Every intent of this NLU file is small talk: a negative for every FAQ.
CHITCHAT_FILE = "chitchat.yml"
NEGATIVE = -1  # label of examples that are negatives only


@dataclass(frozen=True)
class Recipe:
    """Everything about training except the data; part of the input hash."""

    steps: int = 200
    batch_size: int = 50
    learning_rate: float = 3e-5
    temperature: float = 0.05
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    freeze_word_embeddings: bool = True
    # The bottom encoder layers (and the whole embedding module) stay as
    # published: backpropagation stops at the first trained layer, so a step
    # costs about 30% less with 6 frozen. 100 such steps fit 3 minutes, but
    # every such recipe tried answered eval/test.yml with 1.5% wrong
    # (docs/evaluation.md, "Session 8"), so none is frozen by default.
    frozen_layers: int = 0
    seed: int = 1


@dataclass(frozen=True)
class Example:
    text: str
    faq_id: Optional[str]  # None: a negative (out of scope, chit-chat)


# Rasa entity markup: [科兴](vaccine), [科兴]{"entity": "vaccine"}.
_ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def _examples(block: str) -> List[str]:
    lines = (line.strip() for line in (block or "").splitlines())
    texts = (line[1:].strip() for line in lines if line.startswith("-"))
    return [_ENTITY_MARKUP.sub(r"\1", text) for text in texts if text]


def load_examples(nlu_dir: Path) -> List[Example]:
    """FAQ paraphrases (labelled) and negatives from the Rasa NLU files, in a
    stable order; duplicates are kept once."""
    found: Dict[Tuple[str, Optional[str]], None] = {}
    for path in sorted(Path(nlu_dir).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            intent = item.get("intent") if isinstance(item, dict) else None
            if not isinstance(intent, str):
                continue
            if intent.startswith(FAQ_PREFIX):
                label: Optional[str] = intent[len(FAQ_PREFIX) :]
            elif intent == OUT_OF_SCOPE_INTENT or path.name == CHITCHAT_FILE:
                label = None
            else:
                continue  # e.g. form answers or button intents: neither a FAQ nor off-topic
            for text in _examples(item.get("examples")):
                found.setdefault((text, label), None)
    return [Example(text, label) for text, label in found]


def _library_versions() -> Dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in ("torch", "sentence-transformers", "transformers"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    return versions


def inputs_sha256(base_dir: Path, examples: Sequence[Example], recipe: Recipe) -> str:
    """Hash of everything the tuned weights depend on."""
    base = read_stamp(base_dir) or {}
    payload = {
        "fine_tune_version": FINE_TUNE_VERSION,
        "recipe": dataclasses.asdict(recipe),
        "base": {key: base.get(key) for key in ("builder_version", "bin_sha256")},
        "libraries": _library_versions(),
        "examples": [[e.text, e.faq_id] for e in examples],
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def identity(base_dir: Path, examples: Sequence[Example], recipe: Recipe) -> dict:
    return {"kind": "tuned", "inputs_sha256": inputs_sha256(base_dir, examples, recipe)}


def _contrastive_loss_class():
    """Defined on first use so that importing this module never imports torch."""
    import torch
    from torch import nn

    class SupervisedContrastiveLoss(nn.Module):
        """Supervised contrastive loss (Khosla et al., 2020) over one batch.

        Each labelled example is an anchor; the other examples with its label
        are its positives, every other example in the batch (other FAQs and
        the negatives) its negatives.  Examples labelled ``NEGATIVE`` only
        ever sit in denominators.  Inputs are single texts with a label, as
        sentence-transformers' batch triplet losses take them.
        """

        def __init__(self, model, temperature: float = 0.05) -> None:
            super().__init__()
            self.model = model
            self.temperature = temperature

        def forward(self, sentence_features, labels: torch.Tensor) -> torch.Tensor:
            embeddings = self.model(sentence_features[0])["sentence_embedding"]
            return self.compute_loss_from_embeddings(embeddings, labels)

        def compute_loss_from_embeddings(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
            vectors = nn.functional.normalize(embeddings, dim=-1)
            logits = vectors @ vectors.T / self.temperature
            labels = labels.view(-1)
            n = labels.numel()
            self_mask = torch.eye(n, dtype=torch.bool, device=labels.device)
            logits = logits.masked_fill(self_mask, float("-inf"))  # never one's own positive
            log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
            positives = (labels[:, None] == labels[None, :]) & ~self_mask & (labels[:, None] != NEGATIVE)
            counts = positives.sum(dim=1)
            anchors = counts > 0
            if not bool(anchors.any()):
                return embeddings.sum() * 0.0  # a batch without any pair: nothing to learn
            summed = log_prob.masked_fill(~positives, 0.0).sum(dim=1)
            return -(summed[anchors] / counts[anchors]).mean()

        @property
        def citation(self) -> str:
            return "Khosla et al., Supervised Contrastive Learning, NeurIPS 2020"

    return SupervisedContrastiveLoss


# A fixed number of torch threads, whatever the machine: float sums over a
# different number of threads come out in a different order, so the same seed
# would give a slightly different model. Two, because a step takes about
# 2.2 s on two threads against 3.3 s on one (1.6 s with six frozen layers).
TRAINING_THREADS = 2


def freeze(auto_model: Any, recipe: Recipe) -> None:
    """Stops the gradients the recipe keeps out of training (a BERT-style model)."""
    layers = auto_model.encoder.layer
    if recipe.frozen_layers >= len(layers):
        raise BuildError(
            f"frozen_layers={recipe.frozen_layers} leaves none of the model's {len(layers)} layers to train"
        )
    if recipe.freeze_word_embeddings:
        auto_model.embeddings.word_embeddings.weight.requires_grad_(False)
    if recipe.frozen_layers:
        for module in (auto_model.embeddings, *layers[: recipe.frozen_layers]):
            module.requires_grad_(False)


def train(
    base_dir: Path, examples: Sequence[Example], recipe: Recipe, out_dir: Path, threads: Optional[int] = None
) -> Dict[str, float]:
    """Fine-tune ``base_dir`` into ``out_dir`` (a folder with the base's layout).

    Returns the first and last logged training loss.
    """
    import tempfile

    import torch
    from datasets import Dataset
    from safetensors.torch import save_file
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from transformers import TrainerCallback

    faq_ids = sorted({e.faq_id for e in examples if e.faq_id is not None})
    if len(faq_ids) < 2:
        raise BuildError(f"fine-tuning needs paraphrases of at least 2 FAQs, found {len(faq_ids)}")
    label_of = {faq_id: i for i, faq_id in enumerate(faq_ids)}
    dataset = Dataset.from_dict(
        {
            "text": [e.text for e in examples],
            "label": [label_of[e.faq_id] if e.faq_id is not None else NEGATIVE for e in examples],
        }
    )

    torch.set_num_threads(threads or TRAINING_THREADS)
    model = SentenceTransformer(str(base_dir), device="cpu", local_files_only=True)
    # The Transformer module's Hugging Face model; torch types every submodule attribute as Tensor | Module.
    auto_model: Any = model[0].auto_model
    freeze(auto_model, recipe)
    loss = _contrastive_loss_class()(model, temperature=recipe.temperature)

    losses: List[float] = []

    class KeepLoss(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                losses.append(float(logs["loss"]))

    with tempfile.TemporaryDirectory(prefix="fine-tune-") as scratch:
        args = SentenceTransformerTrainingArguments(
            output_dir=scratch,
            max_steps=recipe.steps,
            per_device_train_batch_size=recipe.batch_size,
            learning_rate=recipe.learning_rate,
            # A float below 1 is a share of the steps (transformers 5 retired warmup_ratio).
            warmup_steps=recipe.warmup_ratio,
            weight_decay=recipe.weight_decay,
            seed=recipe.seed,
            data_seed=recipe.seed,
            # Questions are embedded as queries at run time; train them the same way.
            prompts=model.prompts.get("query") or None,
            logging_steps=max(1, recipe.steps // 10),
            save_strategy="no",
            report_to="none",
            use_cpu=True,
            disable_tqdm=False,  # the progress bar a first run shows
            dataloader_drop_last=True,
        )
        trainer = SentenceTransformerTrainer(
            model=model, args=args, train_dataset=dataset, loss=loss, callbacks=[KeepLoss()]
        )
        trainer.train()

    # Same folder as the base, new weights: the tokenizer and module configs
    # are copied byte for byte, so tokenisation and prompts cannot drift.
    for item in base_dir.iterdir():
        if item.name in ("model.safetensors", STAMP_NAME, "README.md") or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(item, out_dir / item.name)
        else:
            shutil.copy2(item, out_dir / item.name)
    trained: Any = model[0].auto_model  # read again after training, as before; typed loosely as above
    state = {name: tensor.detach().contiguous() for name, tensor in trained.state_dict().items()}
    save_file(state, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    (out_dir / "README.md").write_text(
        "# multilingual-e5-small, fine-tuned on this project's paraphrases\n\n"
        "Generated by `bot/embedding/fine_tune.py`; do not edit.\n\n"
        f"Base: {base_dir.name}. Recipe: {json.dumps(dataclasses.asdict(recipe))}.\n"
        f"Training examples: {len(examples)} ({sum(e.faq_id is None for e in examples)} negatives).\n",
        encoding="utf-8",
    )
    return {"first_loss": losses[0] if losses else float("nan"), "last_loss": losses[-1] if losses else float("nan")}


def build_tuned(
    base_dir: Path, target_dir: Path, examples: Sequence[Example], recipe: Recipe, verify: bool = True
) -> Path:
    """Unconditionally fine-tune into a temporary sibling, then swap it in."""
    from bot.embedding.build_model import verify_loads

    target_dir = Path(target_dir).resolve()
    started = time.monotonic()
    log.info(
        "fine-tuning %s on %d examples (seed %d, %d steps)", base_dir.name, len(examples), recipe.seed, recipe.steps
    )
    with staging_folder(target_dir) as staging:
        result = train(base_dir, examples, recipe, staging)
        if verify:
            verify_loads(staging)
        write_json(
            staging / "fine_tune.json",
            {
                "recipe": dataclasses.asdict(recipe),
                "examples": len(examples),
                "negatives": sum(e.faq_id is None for e in examples),
                **result,
                "seconds": round(time.monotonic() - started, 1),
            },
        )
        write_json(staging / STAMP_NAME, make_stamp(staging, identity(base_dir, examples, recipe)))
    log.info(
        "fine-tuned %s in %.0f s (loss %.3f -> %.3f)",
        target_dir,
        time.monotonic() - started,
        result["first_loss"],
        result["last_loss"],
    )
    return target_dir


def ensure_tuned_model(
    base_dir: Path,
    target_dir: Path,
    nlu_dir: Path,
    seed: int = 1,
    force: bool = False,
    recipe: Optional[Recipe] = None,
    verify: bool = True,
) -> Path:
    """Return a tuned model folder that matches its current inputs, training it if needed."""
    base_dir, target_dir = Path(base_dir).resolve(), Path(target_dir).resolve()
    recipe = dataclasses.replace(recipe or Recipe(), seed=seed)
    examples = load_examples(nlu_dir)
    wanted = identity(base_dir, examples, recipe)
    if not force and folder_problem(target_dir, wanted) is None:
        return target_dir
    with build_lock(target_dir):
        problem = folder_problem(target_dir, wanted)
        if not force and problem is None:
            return target_dir
        log.info("fine-tuned embedding model needs building: %s", problem or "forced rebuild")
        return build_tuned(base_dir, target_dir, examples, recipe, verify=verify)
