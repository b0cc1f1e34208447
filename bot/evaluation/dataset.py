"""The evaluation sets in eval/: realistic questions kept out of all training data."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

import yaml

DECLINE = "decline"

# Anything that is not a letter, digit or CJK character: punctuation (，？。!),
# symbols and spaces. Two questions that differ only in these are the same
# question to the intent layer and to retrieval, so a leak check must ignore them.
_NOT_WORD = re.compile(r"[\W_]+")

# Rasa's inline entity markup in training examples: [科兴](vaccine) or
# [科兴]{"entity": "vaccine"} — the user typed only the bracketed text.
_ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


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


def without_also(questions: Sequence[EvalQuestion]) -> List[EvalQuestion]:
    """The strict labelling: only `expect` (with its evidence) counts as right.

    Some `also:` labels in eval/test.yml were added after a test run had been
    seen, so a report on that set shows both scorings — with the labels as
    written and with this strict version — and the reader can see how much the
    late labels move the figures."""
    return [dataclasses.replace(q, also=()) for q in questions]


def match_key(text: str) -> str:
    """The form in which two questions are compared for leaks between data sets.

    The project's query normalisation (Traditional -> Simplified, full-width
    forms, known typos and colloquial synonyms: what the models actually see),
    then without punctuation, symbols and spaces, so 「加强针怎么打？」 and
    「加強針 怎麼打」 are the same question."""
    from bot.text.normalize import normalize_query  # lazy: loads OpenCC and the dictionaries

    return _NOT_WORD.sub("", normalize_query(text))


def nlu_example_texts(path: Path) -> List[str]:
    """The user texts of the intent examples in one Rasa NLU file, markup removed.

    Lookup tables, synonyms and regexes are not user questions and are skipped."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    texts = []
    for block in raw.get("nlu") or ():
        if "intent" not in block:
            continue
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                texts.append(_ENTITY_MARKUP.sub(r"\1", line[2:].strip()))
    return texts


def shared_questions(texts: Iterable[str], others: Iterable[str]) -> List[str]:
    """The texts that also occur in `others`, compared by match_key."""
    keys = {match_key(t) for t in others}
    return [t for t in texts if match_key(t) in keys]
