"""`python -m bot accept FILE`: approved suggestions become training data.

Approved questions are appended as `faq/<id>` examples to
data/nlu/faq_accepted.yml (a file of its own, so a reviewer's additions are
easy to see and to revert). A question is refused when it is one of the
evaluation questions (eval/*.yml) after folding spelling differences
(punctuation, spaces, full-width forms, Traditional characters): training on
them would make the reported answer quality a lie. Nothing retrains here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import yaml

from bot.paths import PROJECT_ROOT
from bot.reporting.grouping import surface_key

ACCEPTED_FILE = "faq_accepted.yml"
MAX_QUESTION_CHARS = 200
FAQ_PREFIX = "faq/"

HEADER = """\
# Questions citizens asked, approved by a reviewer from a `python -m bot report
# --suggest` review file and added by `python -m bot accept` (docs/operations.md).
# Each is a training paraphrase of its FAQ; none may be an evaluation question.
"""


class AcceptError(ValueError):
    """The review file cannot be used at all (the message is for the reviewer)."""


class Refusal(str, Enum):
    EVAL_COLLISION = "与评测集中的问题相同（评测问题不能进入训练数据）"
    UNKNOWN_FAQ = "proposed_faq 不是 data/faq.yml 中的问答编号"
    EMPTY = "问题为空"
    TOO_LONG = f"问题超过 {MAX_QUESTION_CHARS} 个字"


@dataclass
class AcceptResult:
    added: List[Tuple[str, str]] = field(default_factory=list)  # (faq id, question)
    refused: List[Tuple[str, Refusal, str]] = field(default_factory=list)  # (question, reason, detail)
    already_known: List[str] = field(default_factory=list)
    not_approved: int = 0
    written: Optional[Path] = None


def _default_fold() -> Callable[[str], str]:
    from bot.text.normalize import Normalizer

    # Traditional->Simplified only (no synonyms or typo fixes): two questions
    # collide when they are the same question spelled differently.
    normalizer = Normalizer()
    return normalizer


def eval_keys(eval_dir: Path, fold: Callable[[str], str]) -> Dict[str, str]:
    """surface key -> "file: question" for every question in eval/*.yml."""
    keys: Dict[str, str] = {}
    for path in sorted(Path(eval_dir).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("questions") or []:
            text = item.get("text") if isinstance(item, dict) else None
            if isinstance(text, str):
                keys.setdefault(surface_key(text, fold), f"{path.name}: {text}")
        # eval/dialogues.yml holds conversations: every user line counts too.
        for dialogue in data.get("dialogues") or []:
            for turn in (dialogue.get("turns") or []) if isinstance(dialogue, dict) else []:
                text = turn.get("user") if isinstance(turn, dict) else None
                if isinstance(text, str):
                    keys.setdefault(surface_key(text, fold), f"{path.name}: {text}")
    return keys


def training_keys(nlu_dir: Path, fold: Callable[[str], str]) -> set:
    from bot.retrieval.question_bank import load_training_questions

    return {surface_key(t, fold) for examples in load_training_questions(nlu_dir).values() for t in examples}


def load_review_file(path: Path) -> List[dict]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AcceptError(f"找不到审核文件 {path}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AcceptError(f"审核文件 {path} 不是有效的 YAML：{exc}") from None
    items = data.get("suggestions") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise AcceptError(f"审核文件 {path} 缺少 suggestions 列表（请用 python -m bot report --suggest 生成）")
    return items


def _read_accepted(path: Path) -> Dict[str, List[str]]:
    if not path.is_file():
        return {}
    from bot.retrieval.question_bank import _examples

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        item["intent"]: _examples(item.get("examples"))
        for item in data.get("nlu") or []
        if isinstance(item, dict) and isinstance(item.get("intent"), str)
    }


def _write_accepted(path: Path, by_intent: Dict[str, List[str]]) -> None:
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {q}" for q in by_intent[intent])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# Rasa reads [text](entity) and [text]{...} inside examples as annotations;
# a citizen's brackets are just brackets.
_MARKUP = str.maketrans("[](){}", "［］（）｛｝")


def _clean(text: str) -> str:
    # One line: each example is one "- " line of a literal block.
    return " ".join(str(text).split()).translate(_MARKUP)


def accept(
    review_file: Path,
    nlu_dir: Path = PROJECT_ROOT / "data" / "nlu",
    eval_dir: Path = PROJECT_ROOT / "eval",
    faq_path: Path = PROJECT_ROOT / "data" / "faq.yml",
    fold: Optional[Callable[[str], str]] = None,
) -> AcceptResult:
    from bot.ingest.pipeline import load_faqs

    fold = fold or _default_fold()
    items = load_review_file(review_file)
    known_faqs = {faq.id for faq in load_faqs(faq_path)}
    evals = eval_keys(eval_dir, fold)
    seen = training_keys(nlu_dir, fold)
    target = Path(nlu_dir) / ACCEPTED_FILE
    by_intent = _read_accepted(target)
    result = AcceptResult()
    for item in items:
        if item.get("approve") is not True:
            result.not_approved += 1
            continue
        question = _clean(item.get("question") or "")
        faq_id = str(item.get("proposed_faq") or "")
        key = surface_key(question, fold)
        if not key:
            result.refused.append((question, Refusal.EMPTY, ""))
        elif len(question) > MAX_QUESTION_CHARS:
            result.refused.append((question, Refusal.TOO_LONG, ""))
        elif faq_id not in known_faqs:
            result.refused.append((question, Refusal.UNKNOWN_FAQ, faq_id))
        elif key in evals:
            result.refused.append((question, Refusal.EVAL_COLLISION, evals[key]))
        elif key in seen:
            result.already_known.append(question)
        else:
            by_intent.setdefault(FAQ_PREFIX + faq_id, []).append(question)
            seen.add(key)
            result.added.append((faq_id, question))
    if result.added:
        _write_accepted(target, by_intent)
        result.written = target
    return result
