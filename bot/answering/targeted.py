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

from typing import Collection, Dict, Iterable, Mapping, Optional, Sequence

from bot.answering.evidence import TargetedSentence
from bot.retrieval.passages import SENTENCE


def _states(text: str, asked: Sequence[Sequence[str]]) -> bool:
    return all(any(marker in text for marker in markers) for markers in asked)


def _names(text: str, names: Sequence[str]) -> bool:
    return any(name in text for name in names)


def _pick(ranked: Sequence, asked: Sequence[Sequence[str]], names: Sequence[str]):
    """The best sentence when it is the one the question singles out, else None.

    The embedding ranks the long 混打 sentence first for most booster
    questions, general ones (加强针用什么疫苗打) and 加强针要间隔多久 included.
    So a sentence is quoted only when the question singles it out: it names
    the vaccine the question names, or states every aspect the question asks,
    where the answer's other sentences do not. And never when another sentence
    states the asked aspects and the best one does not."""
    best = ranked[0].passage.text
    others = [h.passage.text for h in ranked[1:]]
    if asked and not _states(best, asked) and any(_states(o, asked) for o in others):
        return None
    by_name = bool(names) and _names(best, names) and not all(_names(o, names) for o in others)
    by_aspect = bool(asked) and _states(best, asked) and not all(_states(o, asked) for o in others)
    return ranked[0] if by_name or by_aspect else None


def targeted_sentences(
    hits: Iterable,
    asked: Sequence[Sequence[str]] = (),
    names: Sequence[str] = (),
    answers: Optional[Mapping[str, Sequence[str]]] = None,
    not_about: Collection[str] = (),
) -> Dict[str, TargetedSentence]:
    """Per FAQ id, its best single sentence and that sentence's lead over the
    runner-up, when the question singles it out (_pick); FAQs whose answer is
    one sentence get none (nothing to target).

    `asked` holds, per aspect the question asks (间隔, 剂次…), the words that
    mark the explainer's sentences about it; `names`, the words naming the
    vaccines it names (with their technology routes); `answers`, every
    sentence of each answer, to tell whether the target is the only one naming
    the vaccine (else the retrieved sentences are all there is to compare);
    `not_about`, sentences written for someone else than the asker (another
    primary series), which are neither quoted nor compared."""
    per_faq: Dict[str, list] = {}
    for hit in hits:
        passage = hit.passage
        # Single sentences only: a two-sentence window is not a targeted quote.
        if passage.faq_id is None or passage.kind != SENTENCE or passage.sentence_count != 1:
            continue
        if passage.text in not_about:
            continue
        per_faq.setdefault(passage.faq_id, []).append(hit)
    found = {}
    for faq_id, sentence_hits in per_faq.items():
        if len(sentence_hits) < 2:
            continue
        ranked = sorted(sentence_hits, key=lambda h: h.score, reverse=True)
        best = _pick(ranked, asked, names)
        if best is None:
            continue
        whole = [t for t in (answers or {}).get(faq_id, ()) if t not in not_about] or [h.passage.text for h in ranked]
        alone = bool(names) and [t for t in whole if _names(t, names)] == [best.passage.text]
        found[faq_id] = TargetedSentence(
            best.passage.id, best.passage.text, float(best.score), float(best.score - ranked[1].score), alone
        )
    return found
