"""When a small-talk reading stands, and when a vaccination question overrules it."""

import pytest

from bot.dialogue.small_talk import keeps_small_talk, load_small_talk_rules
from tests.support.nlu_examples import nlu_examples


@pytest.mark.parametrize(
    "intent, text, keeps",
    [
        ("capabilities", "你能做什么", True),
        ("capabilities", "怎么打", False),
        ("feedback", "没用", True),
        ("feedback", "这个回答不管用", True),
        ("feedback", "管用多久啊", False),
        ("goodbye", "都这么多人打了 我还用打吗", False),
        ("goodbye", "打扰了 再见", True),
        ("thank", "谢谢 那加强针呢", False),
        ("thank", "谢谢，明白了", True),
        ("greet", "你好 科兴还要加强不", False),
        # A vaccine's name counts as vaccination.
        ("thank", "谢谢 那康希诺呢", False),
        # A bare number is an option or a fact no channel mapped, never 再见.
        ("goodbye", "2", False),
        ("goodbye", "35。", False),
        ("thank", "两", False),
        ("goodbye", "886", True),
        # Other intents and button payloads are never touched.
        ("faq", "怎么打", True),
        ("feedback", '/feedback{"value":"useful"}', True),
    ],
)
def test_keeps_small_talk(intent, text, keeps):
    assert keeps_small_talk(intent, text) is keeps


def test_no_small_talk_training_example_is_overruled():
    """The rule and the training data agree: every small-talk example keeps its intent."""
    intents = load_small_talk_rules().intents
    examples = [(i, text) for i, text, _ in nlu_examples("chitchat.yml", "feedback.yml") if i in intents]
    assert examples
    assert [text for intent, text in examples if not keeps_small_talk(intent, text)] == []


def test_a_broken_word_list_fails_loudly(tmp_path):
    path = tmp_path / "small_talk.yml"
    path.write_text("intents: [greet]\ntopic: []\nnot_topic: [打扰]\nasks: [吗]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="topic"):
        load_small_talk_rules(path)
