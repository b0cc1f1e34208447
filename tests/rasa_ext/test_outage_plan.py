"""The Rasa-side rules, tested without Rasa (they live in Rasa-free modules)."""

from bot.rasa_ext.outage_plan import ANSWERED, BOT_UTTERED, NOTICE, next_outage_action
from bot.rasa_ext.selection_confidence import selection_is_unsure


def test_selection_confidence():
    assert selection_is_unsure([], 0.5, 0.1)
    assert selection_is_unsure([0.4, 0.1], 0.5, 0.1)
    assert selection_is_unsure([0.55, 0.5], 0.5, 0.1)
    assert not selection_is_unsure([0.9, 0.05], 0.5, 0.1)
    assert not selection_is_unsure([0.05, 0.9], 0.5, 0.1)  # order of the input does not matter


def test_outage_plan_does_nothing_when_the_action_answered():
    assert next_outage_action(["action_answer", BOT_UTTERED, ANSWERED], "faq", "action_answer") is None
    # `rasa test` replays the slot but never runs the action, so nothing is uttered.
    assert next_outage_action(["action_answer", ANSWERED], "faq", "action_answer") is None
    assert next_outage_action([], "greet", "action_answer") is None
    assert next_outage_action(["utter_greet", BOT_UTTERED], "greet", "action_answer") is None


def test_outage_plan_answers_from_the_domain_then_says_search_is_down():
    turn = ["action_answer"]
    assert next_outage_action(turn, "faq", "action_answer") == "utter_faq"
    turn += ["utter_faq", BOT_UTTERED]
    assert next_outage_action(turn, "faq", "action_answer") == NOTICE
    turn += [NOTICE, BOT_UTTERED]
    assert next_outage_action(turn, "faq", "action_answer") == "action_listen"


def test_outage_plan_declines_what_it_cannot_answer():
    assert next_outage_action(["action_answer"], "out_of_scope", "action_answer") == "utter_out_of_scope"
    assert next_outage_action(["action_answer"], "nlu_fallback", "action_answer") == "utter_default"
