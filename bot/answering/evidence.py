"""What retrieval says about one question, in the answering layer's terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple


@dataclass(frozen=True)
class TargetedSentence:
    """The single sentence of one FAQ answer that best matches the question."""

    passage_id: str
    text: str
    score: float  # fused cosine+BM25, higher = more similar
    lead: float  # over the answer's next-best sentence: how clearly this one is "the" sentence
    # The only sentence of the answer naming the vaccine the question names
    # (科兴是灭活疫苗吗): the text itself says it is the target, whatever the lead.
    named_alone: bool = False


@dataclass(frozen=True)
class RetrievedFaq:
    """Retrieval's view of one FAQ: its score and the passage that earned it."""

    faq_id: Optional[str]  # None for passages outside every answer (article intro)
    score: float  # best of passage and question-bank similarity; higher means more similar
    passage_id: str
    passage_kind: str
    passage_text: str
    passage_score: float = 0.0  # fused cosine+BM25 of the passage
    question_score: float = 0.0  # cosine to the nearest training paraphrase of this FAQ
    target: Optional[TargetedSentence] = None  # None when the answer has a single sentence


@dataclass(frozen=True)
class RetrievalView:
    faqs: Tuple[RetrievedFaq, ...]
    # Cosine to the nearest out-of-scope training question, minus the cosine to
    # the nearest FAQ paraphrase: > 0 means "more like what we decline".
    out_of_scope_lead: float = -1.0


def best_hits(retrieval: Optional[RetrievalView]) -> Dict[str, RetrievedFaq]:
    """The best-scoring hit per FAQ id (hits outside every FAQ are dropped)."""
    hits: Dict[str, RetrievedFaq] = {}
    for hit in retrieval.faqs if retrieval else ():
        if hit.faq_id is not None and (hit.faq_id not in hits or hit.score > hits[hit.faq_id].score):
            hits[hit.faq_id] = hit
    return hits
