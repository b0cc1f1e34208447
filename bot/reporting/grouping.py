"""Groups of similar questions (the report's "most frequent declined questions").

Leader clustering, most frequent question first: each question joins the
group whose leader (its most asked question) it is most similar to, if that
clears the threshold, else it starts a new group. Comparing with the leader,
not the centroid: a centroid of many vaccination questions drifts towards
"any vaccination question" and then swallows everything (seen on the
200-conversation demo: one group of 97). Deterministic, one pass, no number of groups to
guess; a few hundred declined questions a week are far below where this
gets slow.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from bot.reporting.similarity import Vectoriser

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def surface_key(text: str, fold: Callable[[str], str] = lambda s: s) -> str:
    """Spelling-level identity: NFKC, lower case, Traditional folded (via
    `fold`), punctuation and spaces removed. 加强针怎么打？ == 加強針 怎麼打"""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _NOISE.sub("", fold(text))


@dataclass
class Group:
    examples: List[Tuple[str, int]]  # (question as first seen, times asked), most asked first
    centroid: np.ndarray = field(repr=False)  # weighted mean of its questions: for the nearest FAQ
    nearest_faq: Optional[str] = None
    nearest_score: float = 0.0

    @property
    def count(self) -> int:
        return sum(n for _, n in self.examples)

    @property
    def label(self) -> str:
        return self.examples[0][0]


def group_questions(
    texts: Sequence[str],
    vectoriser: Vectoriser,
    threshold: Optional[float] = None,
    fold: Callable[[str], str] = lambda s: s,
) -> List[Group]:
    """Groups, largest first (ties: first asked first)."""
    threshold = vectoriser.group_threshold if threshold is None else threshold
    counts: Counter = Counter()
    shown: Dict[str, str] = {}
    for text in texts:
        key = surface_key(text, fold)
        if not key:
            continue
        counts[key] += 1
        shown.setdefault(key, text.strip())
    if not counts:
        return []
    order = sorted(counts, key=lambda k: -counts[k])  # stable: first seen wins ties
    vectors = vectoriser.embed([shown[k] for k in order])
    groups: List[Group] = []
    leaders: List[np.ndarray] = []
    sums: List[np.ndarray] = []
    for key, vector in zip(order, vectors, strict=True):
        best, best_sim = None, threshold
        for i, leader in enumerate(leaders):
            sim = float(vector @ leader)
            if sim >= best_sim:
                best, best_sim = i, sim
        if best is None:
            groups.append(Group([(shown[key], counts[key])], vector.copy()))
            leaders.append(vector)
            sums.append(vector * counts[key])
        else:
            groups[best].examples.append((shown[key], counts[key]))
            sums[best] = sums[best] + vector * counts[key]
            norm = np.linalg.norm(sums[best])
            groups[best].centroid = sums[best] / (norm or 1.0)
    groups.sort(key=lambda g: -g.count)
    return groups
