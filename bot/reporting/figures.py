"""The report's numbers, computed once and shared by the HTML and the CSV."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from bot.feedback.events import faq_of
from bot.reporting.conversations import Conversation, Outcome, Question, Rating, questions, ratings
from bot.reporting.grouping import Group, group_questions
from bot.reporting.nearest_faq import FaqIndex, reference_levels
from bot.reporting.privacy import SenderHasher, redact
from bot.reporting.similarity import Backend, Vectoriser

# The city is in China (UTC+8 all year); days in the report are local days.
CHINA = timezone(timedelta(hours=8), "UTC+8")
TOP_GROUPS = 20


def day_of(ts: float, tz: timezone = CHINA) -> date:
    return datetime.fromtimestamp(ts, tz).date()


@dataclass
class Day:
    day: date
    conversations: int = 0
    questions: int = 0
    answered: int = 0
    clarified: int = 0
    declined: int = 0

    def rate(self, outcome: Outcome) -> Optional[float]:
        return getattr(self, outcome.value) / self.questions if self.questions else None


@dataclass
class RatedAnswer:
    answer_id: str
    title: str  # the FAQ's question
    useless: int = 0
    useful: int = 0
    questions: List[str] = field(default_factory=list)  # questions whose answer was marked 没用


@dataclass
class QuestionRow:
    day: date
    conversation: str  # hashed
    question: str  # redacted
    outcome: str
    kind: str
    answer_id: Optional[str]
    confidence: Optional[float]
    resolved_by_tap: Optional[str]


@dataclass
class ReportData:
    since: Optional[date]
    until: Optional[date]
    days: List[Day]
    totals: Day
    clarify_resolved: Dict[str, int]  # answered / declined / none (no tap)
    declined_groups: List[Group]
    grouping_note: str
    grouping_fallback: bool  # grouped by characters because the model was missing
    reference: Optional[Tuple[float, float]]  # median nearest-FAQ similarity: covered, uncovered questions
    rated: List[RatedAnswer]
    ratings_total: Counter
    rows: List[QuestionRow]
    generated: datetime


def _days_between(first: date, last: date) -> List[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def compute(
    convs: Sequence[Conversation],
    vectoriser: Vectoriser,
    faq_index: FaqIndex,
    hasher: SenderHasher,
    since: Optional[date] = None,
    until: Optional[date] = None,
    fold: Callable[[str], str] = lambda s: s,
    top_groups: int = TOP_GROUPS,
    now: Optional[datetime] = None,
    group_threshold: Optional[float] = None,
) -> ReportData:
    asked: List[Question] = questions(convs)
    per_day: Dict[date, Day] = {}

    def bucket(d: date) -> Day:
        return per_day.setdefault(d, Day(d))

    for conv in convs:
        bucket(day_of(conv.started)).conversations += 1
    rows: List[QuestionRow] = []
    resolved: Counter = Counter()
    for q in asked:
        d = bucket(day_of(q.turn.timestamp))
        d.questions += 1
        outcome = q.turn.outcome
        assert outcome is not None  # questions() keeps only turns with an outcome
        setattr(d, outcome.value, getattr(d, outcome.value) + 1)
        if outcome is Outcome.CLARIFIED:
            resolved[q.resolved_by_tap.value if q.resolved_by_tap else "none"] += 1
        meta = q.turn.answer or {}
        rows.append(
            QuestionRow(
                d.day,
                hasher(q.conversation.sender_id),
                redact(q.turn.text),
                outcome.value,
                str(meta.get("kind")),
                meta.get("answer_id"),
                meta.get("confidence"),
                q.resolved_by_tap.value if q.resolved_by_tap else None,
            )
        )

    if per_day or (since and until):
        first = since or min(per_day)
        last = until or max(per_day)
        days = [per_day.get(d, Day(d)) for d in _days_between(first, last)]
    else:
        days = []
    totals = Day(until or date.today())
    for d in days:
        for name in ("conversations", "questions", "answered", "clarified", "declined"):
            setattr(totals, name, getattr(totals, name) + getattr(d, name))

    declined_texts = [redact(q.turn.text) for q in asked if q.turn.outcome is Outcome.DECLINED and q.turn.typed]
    groups = group_questions(declined_texts, vectoriser, group_threshold, fold=fold)[:top_groups]
    if groups:
        import numpy as np

        for group, (fid, score) in zip(groups, faq_index.nearest(np.stack([g.centroid for g in groups])), strict=True):
            group.nearest_faq, group.nearest_score = fid, score

    found = ratings(convs)
    rated = _rated_answers(found, faq_index)
    totals_ratings = Counter(r.value for r in found)
    return ReportData(
        since,
        until,
        days,
        totals,
        dict(resolved),
        groups,
        vectoriser.note,
        vectoriser.backend is Backend.LEXICAL,
        reference_levels(vectoriser, faq_index),
        rated,
        totals_ratings,
        rows,
        now or datetime.now(CHINA),
    )


def _rated_answers(found: List[Rating], faq_index: FaqIndex) -> List[RatedAnswer]:
    by_answer: Dict[str, RatedAnswer] = {}
    for rating in found:
        answer_id = rating.rated_answer_id or "?"
        entry = by_answer.get(answer_id)
        if entry is None:
            entry = by_answer[answer_id] = RatedAnswer(answer_id, faq_index.title(faq_of(answer_id)))
        if rating.value == "useless":
            entry.useless += 1
            if rating.question is not None:
                entry.questions.append(redact(rating.question.text))
        elif rating.value == "useful":
            entry.useful += 1
    return sorted(by_answer.values(), key=lambda r: (-r.useless, -r.useful, r.answer_id))
