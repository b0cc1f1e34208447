"""What the Rasa intent layer concluded about one message, read from its parse
data (tracker.latest_message, or /model/parse output)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Tuple

FAQ_INTENT = "faq"
OUT_OF_SCOPE_INTENT = "out_of_scope"


@dataclass(frozen=True)
class IntentView:
    intent: Optional[str]  # what the NLU pipeline finally predicted (may be nlu_fallback)
    confidence: float
    faq_confidence: float  # the `faq` intent's own confidence, even when the gate overrode it
    faq_ranking: Tuple[Tuple[str, float], ...] = field(
        default_factory=tuple
    )  # (faq id, ResponseSelector confidence), best first
    out_of_scope_confidence: float = 0.0

    @property
    def faq_choice(self) -> Optional[str]:
        """The FAQ the intent layer alone would answer, or None when it would not."""
        if self.intent == FAQ_INTENT and self.faq_ranking:
            return self.faq_ranking[0][0]
        return None

    def faq_scores(self) -> Dict[str, float]:
        """P(faq) x P(sub-answer | faq) per FAQ id: comparable across messages."""
        return {fid: self.faq_confidence * conf for fid, conf in self.faq_ranking}


def _sub_intent(key: object, retrieval_intent: str) -> Optional[str]:
    prefix = retrieval_intent + "/"
    return key[len(prefix) :] if isinstance(key, str) and key.startswith(prefix) else None


def intent_view_from_parse(parse: Optional[Mapping], retrieval_intent: str = FAQ_INTENT) -> IntentView:
    """Tolerates missing or malformed parts: a broken parse reads as 'no opinion'."""
    if not isinstance(parse, Mapping):
        return IntentView(None, 0.0, 0.0)
    raw_intent = parse.get("intent")
    intent: Mapping = raw_intent if isinstance(raw_intent, Mapping) else {}
    name = intent.get("name")
    confidence = float(intent.get("confidence") or 0.0)
    ranked = {
        entry.get("name"): float(entry.get("confidence") or 0.0)
        for entry in parse.get("intent_ranking") or []
        if isinstance(entry, Mapping)
    }
    faq_conf = ranked.get(retrieval_intent, 0.0)
    if name == retrieval_intent:
        faq_conf = max(faq_conf, confidence)
    selector = (parse.get("response_selector") or {}).get(retrieval_intent) or {}
    ranking = []
    for entry in selector.get("ranking") or []:
        if not isinstance(entry, Mapping):
            continue
        fid = _sub_intent(entry.get("intent_response_key"), retrieval_intent)
        if fid:
            ranking.append((fid, float(entry.get("confidence") or 0.0)))
    ranking.sort(key=lambda item: item[1], reverse=True)
    oos = ranked.get(OUT_OF_SCOPE_INTENT, confidence if name == OUT_OF_SCOPE_INTENT else 0.0)
    return IntentView(name, confidence, faq_conf, tuple(ranking), oos)
