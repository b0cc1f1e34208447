"""The evaluation sets in eval/: realistic questions kept out of all training data."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

import yaml

DECLINE = "decline"


@dataclass(frozen=True)
class EvalQuestion:
    text: str
    expect: str  # a FAQ id, or "decline"
    kind: str  # paraphrase | inside_answer | out_of_scope
    evidence: Optional[str] = None  # a substring of the answer the reply must contain
    # Other FAQ ids whose answers also genuinely answer the question (a labelled
    # judgement, commented in the YAML); evidence is then not required.
    also: Tuple[str, ...] = ()

    @property
    def in_scope(self) -> bool:
        return self.expect != DECLINE


def load_eval_set(path: Path) -> List[EvalQuestion]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [
        EvalQuestion(q["text"], q["expect"], q["kind"], q.get("evidence"), tuple(q.get("also") or ()))
        for q in raw["questions"]
    ]
