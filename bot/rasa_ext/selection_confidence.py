"""When is a ResponseSelector ranking too weak to answer from? (No Rasa import,
so the rule is unit-tested in the project's main environment.)"""

from __future__ import annotations

from typing import Sequence


def selection_is_unsure(confidences: Sequence[float], threshold: float, ambiguity: float) -> bool:
    """True when the best sub-answer is below `threshold`, or beats the runner-up
    by less than `ambiguity`. An empty ranking is unsure."""
    if not confidences:
        return True
    ordered = sorted((float(c) for c in confidences), reverse=True)
    if ordered[0] < threshold:
        return True
    return len(ordered) > 1 and ordered[0] - ordered[1] < ambiguity
