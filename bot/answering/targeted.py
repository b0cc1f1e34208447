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

from typing import Dict, Iterable, Sequence

from bot.answering.evidence import TargetedSentence
from bot.retrieval.passages import SENTENCE


def _states(text: str, asked: Sequence[Sequence[str]]) -> bool:
    return all(any(marker in text for marker in markers) for markers in asked)


def targeted_sentences(hits: Iterable, asked: Sequence[Sequence[str]] = ()) -> Dict[str, TargetedSentence]:
    """Per FAQ id, its best single sentence and that sentence's lead over the
    runner-up; FAQs whose answer is one sentence get none (nothing to target).

    `asked` holds, per aspect the question asks (间隔, 剂次…), the words that
    mark the explainer's sentences about it. The embedding ranks the long 混打
    sentence first for most booster questions, 加强针要间隔多久 included; when
    another sentence of the answer states every asked aspect and the best one
    does not, no sentence is targeted and the whole answer is given."""
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
        if asked and not _states(best.passage.text, asked):
            if any(_states(h.passage.text, asked) for h in ranked[1:]):
                continue
        found[faq_id] = TargetedSentence(
            best.passage.id, best.passage.text, float(best.score), float(best.score - ranked[1].score)
        )
    return found
