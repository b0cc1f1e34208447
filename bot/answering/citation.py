"""How an answer names its source. One place, so the generated Rasa responses,
the action and the CLI all cite alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Source:
    article_title: str
    newspaper: str
    date: str  # "YYYY-MM" or "YYYY-MM-DD", as the source manifest gives it
    question: Optional[str] = None  # the explainer's question the text belongs to
    quote: Optional[str] = None

    def as_dict(self) -> dict:
        return {
            "article": self.article_title,
            "newspaper": self.newspaper,
            "date": self.date,
            "question": self.question,
            "quote": self.quote,
        }


def chinese_date(date: str) -> str:
    """'2022-05' -> '2022年5月'; '2022-05-24' -> '2022年5月24日'; anything else unchanged."""
    parts = date.split("-")
    if not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 3:
        return date
    labels = ["年", "月", "日"]
    return "".join(f"{int(p) if i else p}{labels[i]}" for i, p in enumerate(parts))


def source_line(source: Source) -> str:
    line = f"【来源】{source.newspaper}《{source.article_title}》（{chinese_date(source.date)}）"
    if source.question:
        line += f"，答问“{source.question.rstrip('？?')}”"
    return line
