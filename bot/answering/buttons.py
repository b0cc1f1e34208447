"""The buttons the bot offers, as Rasa `/intent{json}` payloads.

Rasa parses such a payload without NLU (its RegexMessageHandler), so pressing
a button, or typing its number on a text channel, can never be misread. The
payload forms are the shared contract with the channels, the widget and the
report (see CONTRACT.md); keep them exact.
"""

from __future__ import annotations

import json
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

CHOOSE_FAQ_INTENT = "choose_faq"
NONE_OF_THESE_INTENT = "none_of_these"
SHOW_FULL_ANSWER_INTENT = "show_full_answer"
FAQ_ID_ENTITY = "faq_id"

NONE_OF_THESE = {"title": "都不是", "payload": f"/{NONE_OF_THESE_INTENT}"}
FEEDBACK = [
    {"title": "有用", "payload": '/feedback{"value":"useful"}'},
    {"title": "没用", "payload": '/feedback{"value":"useless"}'},
]


def choose_faq_payload(faq_id: str) -> str:
    # Compact JSON, as in the contract: /choose_faq{"faq_id":"booster_schedule"}
    return f"/{CHOOSE_FAQ_INTENT}" + json.dumps({FAQ_ID_ENTITY: faq_id}, separators=(",", ":"), ensure_ascii=False)


def faq_buttons(faq_ids: Iterable[str], questions: Mapping[str, str]) -> List[Dict[str, str]]:
    """One button per FAQ, titled with the explainer's own question."""
    return [{"title": questions[fid], "payload": choose_faq_payload(fid)} for fid in faq_ids if fid in questions]


def feedback_buttons() -> List[Dict[str, str]]:
    return [dict(b) for b in FEEDBACK]


def parse_payload(payload: str) -> Tuple[Optional[str], Dict]:
    """("choose_faq", {"faq_id": …}) from '/choose_faq{"faq_id":…}'; (None, {}) for anything else."""
    if not isinstance(payload, str) or not payload.startswith("/"):
        return None, {}
    name, brace, rest = payload[1:].partition("{")
    entities: Dict = {}
    if brace:
        try:
            entities = json.loads(brace + rest)
        except ValueError:
            return None, {}
        if not isinstance(entities, dict):
            return None, {}
    return (name.strip() or None), entities
