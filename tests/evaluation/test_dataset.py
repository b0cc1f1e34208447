"""The evaluation-set helpers: leak comparison, NLU example reading, strict labels."""

from bot.evaluation.dataset import (
    EvalQuestion,
    match_key,
    nlu_example_texts,
    shared_questions,
    without_also,
)


def test_match_key_ignores_punctuation_spaces_and_width():
    assert match_key("加强针怎么打？") == match_key("加强针 怎么打")
    assert match_key("加强针，怎么打!!") == match_key("加强针怎么打")
    assert match_key("１８岁能打吗") == match_key("18岁能打吗")


def test_match_key_folds_traditional_characters():
    assert match_key("加強針怎麼打") == match_key("加强针怎么打")


def test_match_key_keeps_different_questions_apart():
    assert match_key("加强针怎么打") != match_key("加强针谁能打")
    assert match_key("18岁能打吗") != match_key("3岁能打吗")


def test_shared_questions_finds_a_training_example_with_a_question_mark():
    training = ["科兴是什么疫苗？", "加强针怎么打"]
    found = shared_questions(["科兴是什么疫苗", "孕妇能打吗"], training)
    assert found == ["科兴是什么疫苗"]


def test_nlu_example_texts_reads_intent_examples_without_entity_markup(tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: faq/booster_schedule\n"
        "  examples: |\n"
        "    - 加强针怎么打\n"
        "    - [科兴](vaccine)打完怎么加强\n"
        '    - [智飞]{"entity": "vaccine"}要加强吗\n'
        "- lookup: vaccine\n"
        "  examples: |\n"
        "    - 科兴\n"
        "- regex: dose_count\n"
        "  examples: |\n"
        "    - \\d针\n",
        encoding="utf-8",
    )
    assert nlu_example_texts(path) == ["加强针怎么打", "科兴打完怎么加强", "智飞要加强吗"]


def test_without_also_drops_only_the_extra_labels():
    question = EvalQuestion(
        "加强针隔多久", "booster_schedule", "inside_answer", "间隔6个月", ("eligibility", "booster_target")
    )
    (strict,) = without_also([question])
    assert strict.also == ()
    assert (strict.text, strict.expect, strict.kind, strict.evidence) == (
        question.text,
        question.expect,
        question.kind,
        question.evidence,
    )
    assert question.also == ("eligibility", "booster_target")  # the input is left as it was
