import numpy as np

from bot.retrieval.question_bank import load_training_questions, match, question_keys

NLU = """version: "3.1"
nlu:
- intent: faq/booster_schedule
  examples: |
    - 加强针怎么打
    - 混打可以吗
- intent: faq/retired_faq
  examples: |
    - 这个问题已删除
- intent: out_of_scope
  examples: |
    - 今天天气怎么样
- intent: greet
  examples: |
    - 你好
"""


def test_training_questions_become_keys_but_only_for_known_faqs(tmp_path):
    (tmp_path / "faq.yml").write_text(NLU, encoding="utf-8")
    training = load_training_questions(tmp_path)
    assert set(training) == {"faq/booster_schedule", "faq/retired_faq", "out_of_scope"}
    keys = question_keys(training, ["booster_schedule"])
    assert [(k.faq_id, k.text) for k in keys] == [
        ("booster_schedule", "加强针怎么打"),
        ("booster_schedule", "混打可以吗"),
        (None, "今天天气怎么样"),
    ]
    assert all(k.kind == "user_question" for k in keys)


def test_match_takes_the_best_cosine_per_faq_and_for_out_of_scope(tmp_path):
    (tmp_path / "faq.yml").write_text(NLU, encoding="utf-8")
    keys = question_keys(load_training_questions(tmp_path), ["booster_schedule"])
    result = match(keys, np.array([0.80, 0.93, 0.88]))
    assert result.per_faq == {"booster_schedule": 0.93}
    assert result.out_of_scope == 0.88
    assert result.nearest.text == "混打可以吗"


def test_project_question_bank_covers_every_faq(project_root, faqs):
    training = load_training_questions(project_root / "data" / "nlu")
    keys = question_keys(training, [f.id for f in faqs])
    assert {k.faq_id for k in keys} == {f.id for f in faqs} | {None}
