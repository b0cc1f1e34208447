"""The dialogue evaluation (eval/dialogues.yml): whole conversations driven
through the real stack — the REST channel of a Rasa server with the action
server behind it, as users reach the bot — scored turn by turn.

`python -m bot eval --dialogues` reports turn accuracy over all turns and,
separately, over the follow-up turns (those marked `follow_up: true`), plus
every miss with what the bot did instead.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from bot.dialogue.booster_form import FACT_OF_SLOT
from bot.paths import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "eval" / "dialogues.yml"

DECLINE = "decline"
CHITCHAT = "chitchat"
BOOSTER_CHECK = "booster_check"
SPECIAL = (DECLINE, CHITCHAT, BOOSTER_CHECK)
# What `asks:` may name: the booster check's facts, in the order the form asks them.
FACTS = tuple(fact.value for fact in FACT_OF_SLOT.values())
ANSWER_KINDS = ("faq", "passage")


class DialogueSetError(ValueError):
    pass


@dataclass(frozen=True)
class ExpectedTurn:
    user: str
    expect: Tuple[str, ...]  # FAQ ids, or one of SPECIAL
    follow_up: bool = False
    lead: Optional[str] = None
    asks: Optional[str] = None
    verdict: Optional[str] = None
    note: str = ""


@dataclass(frozen=True)
class Dialogue:
    id: str
    turns: Tuple[ExpectedTurn, ...]


def load_dialogues(path: Path = DEFAULT_PATH, faq_ids: Optional[Iterable[str]] = None) -> List[Dialogue]:
    """Reads and checks the set; every expected FAQ id must exist when `faq_ids` is given."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    known = set(faq_ids) if faq_ids is not None else None
    dialogues, seen = [], set()
    for entry in raw.get("dialogues") or []:
        did = entry.get("id")
        if not did or did in seen:
            raise DialogueSetError(f"{path}: every dialogue needs a unique id, got {did!r}")
        seen.add(did)
        turns = []
        for n, turn in enumerate(entry.get("turns") or [], 1):
            where = f"{path}: {did} turn {n}"
            user, expect = turn.get("user"), turn.get("expect")
            if not isinstance(user, str) or not user.strip():
                raise DialogueSetError(f"{where}: 'user' must be the text the user types")
            expected = tuple(expect) if isinstance(expect, list) else (expect,)
            if not expected or not all(isinstance(e, str) and e for e in expected):
                raise DialogueSetError(f"{where}: 'expect' must be a FAQ id, a list of them, or one of {SPECIAL}")
            for e in expected:
                if e not in SPECIAL and known is not None and e not in known:
                    raise DialogueSetError(f"{where}: unknown FAQ id {e!r}")
            if turn.get("asks") is not None and turn["asks"] not in FACTS:
                raise DialogueSetError(f"{where}: 'asks' must be one of {FACTS}")
            turns.append(
                ExpectedTurn(
                    user,
                    expected,
                    bool(turn.get("follow_up")),
                    turn.get("lead"),
                    turn.get("asks"),
                    turn.get("verdict"),
                    str(turn.get("note") or ""),
                )
            )
        if not turns:
            raise DialogueSetError(f"{path}: {did} has no turns")
        dialogues.append(Dialogue(did, tuple(turns)))
    return dialogues


@dataclass(frozen=True)
class Observed:
    """What the bot did on one turn, as a REST client (and the tracker) sees it."""

    reply: str
    answer: Dict  # custom.answer of the turn's reply, {} when none
    requested_slot: Optional[str] = None
    active_loop: Optional[str] = None

    @property
    def kind(self) -> Optional[str]:
        return self.answer.get("kind")

    @property
    def faq_id(self) -> Optional[str]:
        answer_id = self.answer.get("answer_id")
        return str(answer_id).split("#", 1)[0] if answer_id else None


def _lead_names(vaccine: str) -> List[str]:
    from bot.dialogue.vaccines import catalog

    mention = catalog().canonicalise(vaccine)
    if mention is None:
        return [vaccine]
    if mention.vaccine is not None:
        return [mention.vaccine.name, *mention.vaccine.aliases]
    return list(catalog().route(mention.route).aliases)


def judge(expected: ExpectedTurn, seen: Observed) -> Tuple[bool, str]:
    """(right?, what happened) for one turn."""
    kind = seen.kind
    in_form = seen.active_loop is not None or kind == BOOSTER_CHECK
    if expected.expect == (BOOSTER_CHECK,):
        if not in_form:
            return False, f"not the booster check (kind {kind}, {seen.faq_id})"
        if expected.verdict:
            verdict = seen.answer.get("verdict")
            return verdict == expected.verdict, f"verdict {verdict}"
        if expected.asks:
            # The form requests its own slot (booster_last_dose); labels name the fact (last_dose).
            fact = FACT_OF_SLOT.get(seen.requested_slot)
            return fact is not None and fact.value == expected.asks, f"asks {seen.requested_slot}"
        return True, "booster check"
    if expected.expect == (DECLINE,):
        return kind == "decline", f"kind {kind}" + (f" {seen.faq_id}" if seen.faq_id else "")
    if expected.expect == (CHITCHAT,):
        return not seen.answer or kind not in (*ANSWER_KINDS, "clarify"), f"kind {kind}"
    if kind in ANSWER_KINDS and seen.faq_id in expected.expect:
        if expected.lead:
            # A one-sentence answer has no separate lead: it leads with itself.
            lead = "".join(seen.answer.get("lead") or ()) or seen.reply.split("\n", 1)[0]
            if not any(name in lead for name in _lead_names(expected.lead)):
                return False, f"{seen.faq_id}, but the reply does not lead with {expected.lead}"
        return True, str(seen.faq_id)
    if kind == "clarify" and set(expected.expect) & set(seen.answer.get("options") or ()):
        return False, "one-tap (clarified with the right option)"
    if BOOSTER_CHECK in expected.expect and in_form:
        return True, "booster check"
    return False, f"kind {kind} {seen.faq_id or ''}".strip()


@dataclass
class TurnResult:
    dialogue: str
    number: int
    expected: ExpectedTurn
    observed: Observed
    right: bool
    what: str


@dataclass
class DialogueReport:
    results: List[TurnResult] = field(default_factory=list)

    def _rate(self, rows: Sequence[TurnResult]) -> Tuple[int, int]:
        return sum(r.right for r in rows), len(rows)

    @property
    def turns(self) -> Tuple[int, int]:
        return self._rate(self.results)

    @property
    def follow_up_turns(self) -> Tuple[int, int]:
        return self._rate([r for r in self.results if r.expected.follow_up])

    @property
    def booster_verdicts(self) -> Tuple[int, int]:
        return self._rate([r for r in self.results if r.expected.verdict])

    @property
    def dialogues(self) -> Tuple[int, int]:
        by_dialogue: Dict[str, bool] = {}
        for r in self.results:
            by_dialogue[r.dialogue] = by_dialogue.get(r.dialogue, True) and r.right
        return sum(by_dialogue.values()), len(by_dialogue)

    def text(self, set_name: str) -> str:
        def line(label: str, pair: Tuple[int, int]) -> str:
            right, total = pair
            return f"| {label} | {right}/{total} | {100 * right / total:.1f}% |" if total else f"| {label} | 0/0 | – |"

        kinds = Counter(r.observed.kind or "none" for r in self.results if r.expected.follow_up)
        lines = [
            f"Dialogue evaluation: {set_name} — {self.dialogues[1]} conversations, {self.turns[1]} turns "
            f"({self.follow_up_turns[1]} follow-ups, {self.booster_verdicts[1]} booster verdicts).",
            "",
            "| measure | right | rate |",
            "|---|---|---|",
            line("turns", self.turns),
            line("follow-up turns", self.follow_up_turns),
            line("booster verdicts", self.booster_verdicts),
            line("whole conversations", self.dialogues),
            "",
            "Follow-up replies by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
            "",
            "Misses:",
        ]
        misses = [r for r in self.results if not r.right]
        for r in misses:
            expected = "/".join(r.expected.expect)
            marker = " (follow-up)" if r.expected.follow_up else ""
            lines.append(
                f"- {r.dialogue} #{r.number}{marker}: 「{r.expected.user}」 expected {expected}"
                f"{' lead ' + r.expected.lead if r.expected.lead else ''}"
                f"{' verdict ' + r.expected.verdict if r.expected.verdict else ''}, got {r.what}"
            )
        if not misses:
            lines.append("- none")
        return "\n".join(lines)


def _observe(client, sender: str, text: str) -> Observed:
    import requests

    turn = client.send(sender, text)
    requested = loop = None
    if client.auth_token:
        # The form's state is not in the reply; the tracker (run token only) has it.
        resp = requests.get(
            f"{client.base_url}/conversations/{sender}/tracker",
            params={"token": client.auth_token, "include_events": "NONE"},
            timeout=client.timeout,
        )
        if resp.ok:
            state = resp.json()
            requested = (state.get("slots") or {}).get("requested_slot")
            loop = (state.get("active_loop") or {}).get("name")
    return Observed(turn.reply, turn.answer, requested, loop)


def run_dialogues(dialogues: Sequence[Dialogue], client) -> DialogueReport:
    """Each conversation under its own sender id, turn by turn, in order."""
    report = DialogueReport()
    run = uuid.uuid4().hex[:8]
    for dialogue in dialogues:
        sender = f"eval-{run}-{dialogue.id}"
        for number, expected in enumerate(dialogue.turns, 1):
            observed = _observe(client, sender, expected.user)
            right, what = judge(expected, observed)
            report.results.append(TurnResult(dialogue.id, number, expected, observed, right, what))
    return report


def main(
    path: Path = DEFAULT_PATH, url: Optional[str] = None, token: Optional[str] = None, markdown: Optional[str] = None
) -> int:
    """Runs the set against the bot at `url`, or a private stack started for it."""
    from bot.knowledge import load_knowledge_base
    from bot.serving.client import BotClient
    from bot.serving.stack import Stack, free_port

    started = time.monotonic()
    dialogues = load_dialogues(path, load_knowledge_base().faq_ids)
    if url:
        report = run_dialogues(dialogues, BotClient(url, token))
    else:
        state = PROJECT_ROOT / ".cache" / "eval" / f"dialogues-{uuid.uuid4().hex[:8]}.db"
        with Stack(rasa_port=free_port(), actions_port=free_port(), tracker_db=state) as stack:
            report = run_dialogues(dialogues, BotClient(stack.rasa_url, stack.auth_token))
        state.unlink(missing_ok=True)
    # A set outside the project (a draft in /tmp) is named by its full path.
    shown = Path(path)
    text = report.text(str(shown.relative_to(PROJECT_ROOT) if shown.is_relative_to(PROJECT_ROOT) else shown))
    print(text)
    print(f"\n(took {time.monotonic() - started:.0f} s)", file=sys.stderr)
    if markdown:
        Path(markdown).write_text(text + "\n", encoding="utf-8")
    return 0
