"""The dialogue evaluation set and its scoring (the run itself needs the stack:
`python -m bot eval --dialogues`)."""

import pytest
import yaml

from bot.dialogue.vaccines import catalog
from bot.evaluation.dialogues import (
    DialogueReport,
    DialogueSetError,
    ExpectedTurn,
    Observed,
    TurnResult,
    judge,
    load_dialogues,
)
from bot.text.normalize import normalize_query


@pytest.fixture(scope="module")
def dialogues(project_root, faqs):
    return load_dialogues(project_root / "eval" / "dialogues.yml", [f.id for f in faqs])


def test_the_set_is_big_enough_and_mixed(dialogues):
    turns = [t for d in dialogues for t in d.turns]
    assert len(dialogues) >= 45
    assert sum(t.follow_up for t in turns) >= 40
    assert sum(t.expect == ("decline",) and t.follow_up for t in turns) >= 8
    assert sum(bool(t.verdict) for t in turns) >= 6
    assert sum(bool(t.lead) for t in turns) >= 10


def test_leads_name_canonical_vaccines(dialogues):
    for turn in (t for d in dialogues for t in d.turns if t.lead):
        mention = catalog().canonicalise(turn.lead)
        assert mention is not None and mention.value == turn.lead, turn.lead


def test_no_turn_is_a_training_example(project_root, dialogues):
    training = set()
    for path in (project_root / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" in block:
                training |= {
                    normalize_query(line[2:].strip())
                    for line in block["examples"].splitlines()
                    if line.startswith("- ")
                }
    for turn in (t for d in dialogues for t in d.turns if not t.user.startswith("/")):
        assert normalize_query(turn.user) not in training, turn.user


def test_unknown_faq_ids_and_bad_turns_are_refused(tmp_path):
    path = tmp_path / "d.yml"
    path.write_text(
        "dialogues:\n  - id: a\n    turns:\n      - {user: 加强针怎么打, expect: no_such_faq}\n", encoding="utf-8"
    )
    with pytest.raises(DialogueSetError, match="no_such_faq"):
        load_dialogues(path, ["booster_schedule"])
    path.write_text("dialogues:\n  - id: a\n    turns:\n      - {user: '', expect: decline}\n", encoding="utf-8")
    with pytest.raises(DialogueSetError, match="user"):
        load_dialogues(path, ["booster_schedule"])


def turn(expect, **kw):
    return ExpectedTurn("问", tuple(expect) if isinstance(expect, list) else (expect,), **kw)


ZHIFEI_LEAD = {
    "kind": "faq",
    "answer_id": "booster_schedule",
    "lead": ["另外，全程接种安徽智飞龙科马重组蛋白疫苗的人群，暂不用进行加强免疫。"],
}


@pytest.mark.parametrize(
    "expected, observed, right",
    [
        (turn("booster_schedule"), Observed("", {"kind": "faq", "answer_id": "booster_schedule"}), True),
        (turn("booster_schedule"), Observed("", {"kind": "passage", "answer_id": "booster_schedule#s2"}), True),
        (turn(["booster_target", "eligibility"]), Observed("", {"kind": "faq", "answer_id": "eligibility"}), True),
        (turn("booster_schedule"), Observed("", {"kind": "faq", "answer_id": "booster_target"}), False),
        (turn("booster_schedule"), Observed("", {"kind": "clarify", "options": ["booster_schedule"]}), False),
        (turn("booster_schedule", lead="智飞龙科马"), Observed("", ZHIFEI_LEAD), True),
        (turn("booster_schedule", lead="康希诺"), Observed("", ZHIFEI_LEAD), False),
        (
            turn("booster_schedule", lead="智飞龙科马"),
            Observed("新冠病毒疫苗加强免疫方式有两种。\n【来源】", {"kind": "faq", "answer_id": "booster_schedule"}),
            False,
        ),
        (
            turn("booster_target", lead="康希诺"),
            Observed(
                "目前接种对象为…（即天津康希诺腺病毒载体疫苗）…\n【来源】",
                {"kind": "faq", "answer_id": "booster_target"},
            ),
            True,
        ),
        (turn("decline"), Observed("", {"kind": "decline", "answer_id": None}), True),
        (turn("decline"), Observed("", {"kind": "clarify", "options": ["booster_schedule"]}), False),
        (turn("decline"), Observed("", {"kind": "faq", "answer_id": "booster_schedule"}), False),
        (turn("chitchat"), Observed("不客气", {}), True),
        (turn("chitchat"), Observed("", {"kind": "faq", "answer_id": "booster_schedule"}), False),
        (
            turn("booster_check", asks="age"),
            Observed("", {}, requested_slot="booster_age", active_loop="booster_check_form"),
            True,
        ),
        (
            turn("booster_check", asks="age"),
            Observed("", {}, requested_slot="booster_vaccine", active_loop="booster_check_form"),
            False,
        ),
        (
            turn("booster_check", verdict="too_soon"),
            Observed("", {"kind": "booster_check", "verdict": "too_soon"}),
            True,
        ),
        (
            turn("booster_check", verdict="too_soon"),
            Observed("", {"kind": "booster_check", "verdict": "eligible_now"}),
            False,
        ),
        (turn("booster_check"), Observed("", {"kind": "faq", "answer_id": "booster_target"}), False),
        (turn(["booster_schedule", "booster_check"]), Observed("", {}, active_loop="booster_check_form"), True),
    ],
)
def test_judge(expected, observed, right):
    assert judge(expected, observed)[0] is right


def test_report_separates_follow_up_turns():
    report = DialogueReport(
        [
            TurnResult("a", 1, turn("booster_schedule"), Observed("", {}), True, "ok"),
            TurnResult("a", 2, turn("decline", follow_up=True), Observed("", {}), False, "kind faq"),
            TurnResult("b", 1, turn("booster_schedule", follow_up=True), Observed("", {}), True, "ok"),
        ]
    )
    assert report.turns == (2, 3) and report.follow_up_turns == (1, 2) and report.dialogues == (1, 2)
    assert "a #2 (follow-up)" in report.text("eval/dialogues.yml")
