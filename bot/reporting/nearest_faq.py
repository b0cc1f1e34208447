"""The FAQ nearest to a question: its question text and its training
paraphrases (data/nlu) are the keys, a FAQ scores its best key. Used for the
declined groups (which FAQ was closest, and how close) and for --suggest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from bot.paths import PROJECT_ROOT
from bot.reporting.similarity import Vectoriser, per_label

FAQ_PATH = PROJECT_ROOT / "data" / "faq.yml"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
# The calibration set (never eval/test.yml): its questions are labelled
# covered (a FAQ id) or not (decline).
REFERENCE_SET = PROJECT_ROOT / "eval" / "dev.yml"


@dataclass
class FaqIndex:
    questions: Dict[str, str]  # FAQ id -> its question, for display
    labels: List[str]
    keys: np.ndarray

    @classmethod
    def build(cls, vectoriser: Vectoriser, faq_path: Path = FAQ_PATH, nlu_dir: Path = NLU_DIR) -> "FaqIndex":
        from bot.ingest.pipeline import load_faqs
        from bot.retrieval.question_bank import FAQ_PREFIX, load_training_questions

        questions = {faq.id: faq.question for faq in load_faqs(faq_path)}
        labels, texts = [], []
        for fid, question in questions.items():
            labels.append(fid)
            texts.append(question)
        for intent, examples in load_training_questions(nlu_dir).items():
            faq_id = intent[len(FAQ_PREFIX) :] if intent.startswith(FAQ_PREFIX) else None
            if faq_id in questions:
                labels.extend([faq_id] * len(examples))
                texts.extend(examples)
        return cls(questions, labels, vectoriser.embed(texts))

    def scores(self, vectors: np.ndarray) -> List[Dict[str, float]]:
        """Per row: each FAQ's best cosine over its keys."""
        return per_label(vectors, self.keys, self.labels)

    def nearest(self, vectors: np.ndarray) -> List[Tuple[Optional[str], float]]:
        out: List[Tuple[Optional[str], float]] = []
        for scores in self.scores(vectors):
            best = max(scores, key=scores.__getitem__) if scores else None
            out.append((best, scores.get(best, 0.0) if best else 0.0))
        return out

    def title(self, faq_id: Optional[str]) -> str:
        return self.questions.get(faq_id or "", faq_id or "")


def nearest_for(texts: Sequence[str], vectoriser: Vectoriser, index: FaqIndex) -> List[Tuple[Optional[str], float]]:
    return index.nearest(vectoriser.embed(list(texts))) if texts else []


def reference_levels(
    vectoriser: Vectoriser, index: FaqIndex, path: Path = REFERENCE_SET
) -> Optional[Tuple[float, float]]:
    """Median nearest-FAQ similarity of labelled questions the source covers
    and does not cover, so a reader can place a group's similarity on this
    model's scale (e5's cosines are compressed: unrelated questions score
    ~0.85). None when the set is missing or lacks either kind."""
    from bot.evaluation.dataset import load_eval_set

    if not Path(path).is_file():
        return None
    questions = load_eval_set(path)
    covered = [q.text for q in questions if q.in_scope]
    uncovered = [q.text for q in questions if not q.in_scope]
    if not covered or not uncovered:
        return None
    levels = []
    for texts in (covered, uncovered):
        levels.append(float(np.median([score for _, score in index.nearest(vectoriser.embed(texts))])))
    return levels[0], levels[1]
