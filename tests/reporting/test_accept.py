"""accept: approved questions become faq/<id> examples, never evaluation questions."""

import shutil

import pytest
import yaml

from bot.paths import PROJECT_ROOT
from bot.reporting.accept import ACCEPTED_FILE, AcceptError, Refusal, accept
from bot.retrieval.question_bank import load_training_questions


@pytest.fixture
def project(tmp_path):
    nlu, ev = tmp_path / "nlu", tmp_path / "eval"
    nlu.mkdir(), ev.mkdir()
    (nlu / "faq.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: faq/booster_schedule\n  examples: |\n    - 加强针怎么打\n', encoding="utf-8"
    )
    (ev / "test.yml").write_text(
        "questions:\n  - text: 加强针要隔几个月打\n    expect: booster_schedule\n    kind: paraphrase\n",
        encoding="utf-8",
    )
    (ev / "dialogues.yml").write_text("dialogues:\n  - turns:\n      - user: 那智飞的要打几针\n", encoding="utf-8")
    return nlu, ev


def review(tmp_path, *entries):
    path = tmp_path / "review.yml"
    path.write_text(
        yaml.safe_dump(
            {"suggestions": [dict(zip(("question", "proposed_faq", "approve"), e, strict=True)) for e in entries]},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return path


def run(path, project):
    nlu, ev = project
    return accept(path, nlu_dir=nlu, eval_dir=ev, faq_path=PROJECT_ROOT / "data" / "faq.yml")


def test_approved_questions_are_added_per_faq(tmp_path, project):
    result = run(
        review(
            tmp_path,
            ("加强针隔多久打", "booster_schedule", True),
            ("科兴算啥疫苗", "vaccine_types", True),
            ("孕妇能打吗", "eligibility", False),
        ),
        project,
    )
    assert result.added == [("booster_schedule", "加强针隔多久打"), ("vaccine_types", "科兴算啥疫苗")]
    assert result.not_approved == 1 and not result.refused
    training = load_training_questions(project[0])
    assert training["faq/booster_schedule"] == ["加强针怎么打", "加强针隔多久打"]
    assert training["faq/vaccine_types"] == ["科兴算啥疫苗"]
    # A second run adds nothing twice.
    again = run(review(tmp_path, ("加强针隔多久打", "booster_schedule", True)), project)
    assert again.added == [] and again.already_known == ["加强针隔多久打"]


@pytest.mark.parametrize(
    "question", ["加强针要隔几个月打", "加強針要隔幾個月打？", " 加强针，要隔几个月打! ", "那智飞的要打几针"]
)
def test_evaluation_questions_are_refused_in_any_spelling(tmp_path, project, question):
    result = run(review(tmp_path, (question, "booster_schedule", True)), project)
    assert result.added == [] and result.refused[0][1] is Refusal.EVAL_COLLISION
    assert not (project[0] / ACCEPTED_FILE).exists()


def test_unknown_faq_and_empty_questions_are_refused(tmp_path, project):
    result = run(review(tmp_path, ("加强针隔多久打", "no_such_faq", True), ("？？", "booster_schedule", True)), project)
    assert [r[1] for r in result.refused] == [Refusal.UNKNOWN_FAQ, Refusal.EMPTY]


def test_the_real_eval_sets_are_protected(tmp_path):
    """Against the project's own eval/ folder: its first test question cannot be accepted."""
    first = yaml.safe_load((PROJECT_ROOT / "eval" / "test.yml").read_text(encoding="utf-8"))["questions"][0]
    nlu = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", nlu)
    result = accept(review(tmp_path, (first["text"] + "？", "booster_schedule", True)), nlu_dir=nlu)
    assert result.refused and result.refused[0][1] is Refusal.EVAL_COLLISION


@pytest.mark.parametrize("content", ["not: [valid", "suggestions: 3", "- a\n- b\n"])
def test_malformed_review_files_are_rejected(tmp_path, project, content):
    path = tmp_path / "review.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AcceptError):
        run(path, project)
    with pytest.raises(AcceptError, match="找不到"):
        run(tmp_path / "missing.yml", project)
