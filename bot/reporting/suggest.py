"""Active learning: questions the bot declined or had to clarify, each with
the FAQ it most likely meant, written for a person to review.

When the citizen resolved a clarification by tapping a FAQ, that FAQ is the
proposal (the citizen said so); otherwise the nearest FAQ by similarity.
Nothing is approved here: every entry starts with `approve: false`, and
`python -m bot accept FILE` takes only what a reviewer set to true.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from bot.feedback.events import faq_of
from bot.reporting.conversations import Outcome, Question
from bot.reporting.grouping import surface_key
from bot.reporting.nearest_faq import FaqIndex
from bot.reporting.privacy import redact
from bot.reporting.similarity import Vectoriser


class Source(str, Enum):
    CHOSEN = "chosen"  # clarified, and the citizen tapped this FAQ
    CLARIFIED = "clarified"
    DECLINED = "declined"


@dataclass
class Suggestion:
    question: str
    proposed_faq: Optional[str]
    faq_question: str
    score: float
    asked: int
    source: Source
    approve: bool = False

    def as_dict(self) -> dict:
        return {
            "question": self.question,
            "proposed_faq": self.proposed_faq,
            "faq_question": self.faq_question,
            "score": round(self.score, 4),
            "asked": self.asked,
            "source": self.source.value,
            "approve": self.approve,
        }


HEADER = """\
# 待审核的新说法（python -m bot report --suggest 生成）
# Review file: questions the bot declined or had to clarify, with the FAQ
# each one most likely meant. For every entry you agree with, set
#   approve: true
# (and correct proposed_faq if another FAQ is right; its ids are in
# data/faq.yml). Then run:  python -m bot accept <this file>
# accept adds the approved questions to data/nlu/faq_accepted.yml and refuses
# any that are in the evaluation sets. Nothing retrains by itself: run
# `make model` afterwards. Questions are shown with long digit runs masked;
# do not approve a question that still identifies a person.
"""


def suggestions(
    asked: Sequence[Question],
    vectoriser: Vectoriser,
    index: FaqIndex,
    fold: Callable[[str], str] = lambda s: s,
    limit: int = 200,
) -> List[Suggestion]:
    merged: Dict[str, Suggestion] = {}
    pending: List[str] = []
    for q in asked:
        outcome = q.turn.outcome
        if outcome not in (Outcome.DECLINED, Outcome.CLARIFIED) or not q.turn.typed:
            continue
        text = redact(q.turn.text).strip()
        key = surface_key(text, fold)
        if not key:
            continue
        chosen = faq_of(q.tapped_answer_id)
        entry = merged.get(key)
        if entry is None:
            entry = merged[key] = Suggestion(text, None, "", 0.0, 0, Source.DECLINED)
            pending.append(key)
        entry.asked += 1
        if chosen and entry.source != Source.CHOSEN:
            entry.proposed_faq, entry.source = chosen, Source.CHOSEN
        elif outcome is Outcome.CLARIFIED and entry.source == Source.DECLINED:
            entry.source = Source.CLARIFIED
    if pending:
        all_scores = index.scores(vectoriser.embed([merged[k].question for k in pending]))
        for key, scores in zip(pending, all_scores, strict=True):
            entry = merged[key]
            if entry.proposed_faq is None and scores:
                entry.proposed_faq = max(scores, key=scores.__getitem__)
            entry.score = scores.get(entry.proposed_faq or "", 0.0)
            entry.faq_question = index.title(entry.proposed_faq)
    ranked = sorted(merged.values(), key=lambda s: (s.source != Source.CHOSEN, -s.asked, -s.score))
    return ranked[:limit]


def write_review_file(items: Sequence[Suggestion], path: Path) -> Path:
    import yaml

    body = yaml.safe_dump({"suggestions": [s.as_dict() for s in items]}, allow_unicode=True, sort_keys=False, width=120)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + body, encoding="utf-8")
    return path
