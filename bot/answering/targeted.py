"""Targeted answers: when one sentence inside an FAQ answer is what a question
asks (科兴是灭活疫苗吗, 智飞打完三针还要加强吗), the reply leads with that
sentence, quoted and cited, and offers the whole answer after it.

A sentence is "the" sentence when it matches the question clearly better than
the other sentences of the same answer (its lead, on the fused retrieval
score). The lead needed is fitted on eval/dev.yml (`python -m bot calibrate`):
a quote that misses what was asked is a wrong answer, while a whole answer
that contains it is merely long.
"""

from __future__ import annotations

from typing import Dict, Iterable

from bot.answering.evidence import TargetedSentence
from bot.retrieval.passages import SENTENCE


def targeted_sentences(hits: Iterable) -> Dict[str, TargetedSentence]:
    """Per FAQ id, its best single sentence and that sentence's lead over the
    runner-up; FAQs whose answer is one sentence get none (nothing to target)."""
    per_faq: Dict[str, list] = {}
    for hit in hits:
        passage = hit.passage
        # Single sentences only: a two-sentence window is not a targeted quote.
        if passage.faq_id is None or passage.kind != SENTENCE or passage.sentence_count != 1:
            continue
        per_faq.setdefault(passage.faq_id, []).append(hit)
    found = {}
    for faq_id, sentence_hits in per_faq.items():
        if len(sentence_hits) < 2:
            continue
        ranked = sorted(sentence_hits, key=lambda h: h.score, reverse=True)
        best = ranked[0]
        found[faq_id] = TargetedSentence(
            best.passage.id, best.passage.text, float(best.score), float(best.score - ranked[1].score)
        )
    return found
