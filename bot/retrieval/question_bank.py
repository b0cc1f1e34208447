"""The question bank: the NLU training paraphrases as extra matching keys.

Users ask the same things in many ways; the training data already lists those
ways per FAQ (faq/<id>) and for questions the sources do not cover
(out_of_scope). Comparing a question with them (question to question, like
Haystack's FAQ matching) says both "which FAQ is this like?" and "is this like
the questions we decline?". The paraphrases are keys only: what users are shown
always comes from the articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import yaml

from bot.retrieval.passages import USER_QUESTION, Passage

FAQ_PREFIX = "faq/"
OUT_OF_SCOPE = "out_of_scope"


def _examples(block: Optional[str]) -> List[str]:
    lines = (line.strip() for line in (block or "").splitlines())
    return [line[1:].strip() for line in lines if line.startswith("-") and line[1:].strip()]


def load_training_questions(nlu_dir: Path) -> Dict[str, List[str]]:
    """{"faq/<id>" or "out_of_scope": [example, ...]} from Rasa NLU YAML files."""
    found: Dict[str, List[str]] = {}
    for path in sorted(Path(nlu_dir).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            intent = item.get("intent") if isinstance(item, dict) else None
            if intent == OUT_OF_SCOPE or (isinstance(intent, str) and intent.startswith(FAQ_PREFIX)):
                found.setdefault(intent, []).extend(_examples(item.get("examples")))
    return found


def question_keys(training: Dict[str, List[str]], known_faq_ids: Sequence[str]) -> List[Passage]:
    """One key per paraphrase. FAQ ids no longer in data/faq.yml are skipped.
    Out-of-scope keys carry faq_id None."""
    keys: List[Passage] = []
    for intent in sorted(training):
        faq_id = intent[len(FAQ_PREFIX) :] if intent.startswith(FAQ_PREFIX) else None
        if faq_id is not None and faq_id not in known_faq_ids:
            continue
        label = faq_id or OUT_OF_SCOPE
        for n, text in enumerate(training[intent]):
            keys.append(
                Passage(
                    id=f"{label}#u{n}",
                    kind=USER_QUESTION,
                    text=text,
                    faq_id=faq_id,
                    article_id="",
                    article_title="",
                    newspaper="",
                    date="",
                    span=(0, 0),
                )
            )
    return keys


@dataclass(frozen=True)
class BankMatch:
    per_faq: Dict[str, float]  # best cosine to each FAQ's paraphrases
    out_of_scope: float  # best cosine to an out-of-scope example
    nearest: Optional[Passage]


def match(keys: Sequence[Passage], cosines: np.ndarray) -> BankMatch:
    per_faq: Dict[str, float] = {}
    out_of_scope = 0.0
    for key, cos in zip(keys, cosines, strict=True):
        value = float(cos)
        if key.faq_id is None:
            out_of_scope = max(out_of_scope, value)
        elif value > per_faq.get(key.faq_id, -1.0):
            per_faq[key.faq_id] = value
    nearest = keys[int(np.argmax(cosines))] if len(keys) else None
    return BankMatch(per_faq, out_of_scope, nearest)
