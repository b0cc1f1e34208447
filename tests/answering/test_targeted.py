"""Targeted answers: the sentence a question aims at (bot/answering/targeted.py)."""

from bot.answering.decide import AnswerKind, answer_with
from bot.answering.evidence import RetrievedFaq, TargetedSentence
from bot.answering.intent_view import IntentView
from bot.answering.targeted import targeted_sentences
from bot.retrieval.hybrid import Hit
from bot.retrieval.passages import FAQ_QUESTION, SENTENCE, Passage


def passage(pid, kind, text, faq_id="vaccine_types", count=1):
    return Passage(pid, kind, text, faq_id, "a", "t", "n", "2022-05", (0, 1), count)


def hit(p, score):
    return Hit(p, score, score, 0.0, 0.0)


def test_best_single_sentence_and_its_lead_per_faq():
    hits = [
        hit(passage("vaccine_types#q", FAQ_QUESTION, "我市有哪些新冠病毒疫苗可选择接种？"), 0.95),
        hit(passage("vaccine_types#s0", SENTENCE, "我市现有3种不同技术路线的新冠病毒疫苗。"), 0.80),
        hit(passage("vaccine_types#s1", SENTENCE, "一是……科兴中维的灭活疫苗；……"), 0.88),
        hit(passage("vaccine_types#w2-0", SENTENCE, "我市现有3种……灭活疫苗；……", count=2), 0.93),
        hit(passage("booster_target#s0", SENTENCE, "只有一句。", faq_id="booster_target"), 0.9),
        hit(passage("intro#s0", SENTENCE, "本报讯……", faq_id=None), 0.99),
    ]
    found = targeted_sentences(hits, names=("科兴",))
    assert set(found) == {"vaccine_types"}  # one-sentence answers and intro text have nothing to target
    target = found["vaccine_types"]
    assert target.passage_id == "vaccine_types#s1" and abs(target.lead - 0.08) < 1e-9


BOOSTER = [
    hit(passage("b#s0", SENTENCE, "新冠病毒疫苗加强免疫方式有两种。", faq_id="booster_schedule"), 0.80),
    hit(passage("b#s1", SENTENCE, "一种是…18岁以上人群间隔6个月，再使用原灭活疫苗…", faq_id="booster_schedule"), 0.84),
    hit(passage("b#s2", SENTENCE, "另一种是“混打”…可选择智飞龙科马的重组蛋白疫苗…", faq_id="booster_schedule"), 0.90),
]
INTERVAL = (("个月", "间隔", "满半年"),)


def test_only_a_sentence_the_question_singles_out_is_targeted():
    # A general question singles out no sentence: the whole answer.
    assert targeted_sentences(BOOSTER) == {}
    # 加强针要间隔多久: the best match (混打) says nothing of the interval, another does.
    assert targeted_sentences(BOOSTER, asked=INTERVAL) == {}
    # 智飞加强怎么打: the best match names it, the others do not.
    assert targeted_sentences(BOOSTER, names=("智飞龙科马", "重组蛋白疫苗"))["booster_schedule"].passage_id == "b#s2"
    # The best match states the asked interval and the others do not.
    ranked = [BOOSTER[0], BOOSTER[2], hit(BOOSTER[1].passage, 0.95)]
    assert targeted_sentences(ranked, asked=INTERVAL)["booster_schedule"].passage_id == "b#s1"


def test_a_sentence_written_for_another_primary_series_is_never_the_target():
    # 打过康希诺 加强能打智飞吗: 混打 names both vaccines but is about two inactivated doses.
    same = hit(passage("b#s1", SENTENCE, "一种是…再使用原灭活疫苗或腺病毒载体疫苗…", faq_id="booster_schedule"), 0.84)
    mixed_text = "另一种是“混打”…智飞龙科马…或康希诺的腺病毒载体疫苗。"
    mixed = hit(passage("b#s2", SENTENCE, mixed_text, faq_id="booster_schedule"), 0.9)
    hits = [BOOSTER[0], same, mixed]
    names = ("康希诺", "腺病毒载体疫苗", "智飞龙科马", "重组蛋白疫苗")
    assert targeted_sentences(hits, names=names)["booster_schedule"].passage_id == "b#s2"
    found = targeted_sentences(hits, names=names, not_about={mixed.passage.text})
    assert found["booster_schedule"].passage_id == "b#s1"


def test_the_only_sentence_naming_the_vaccine_is_quoted_at_any_lead():
    kexing = ("科兴", "灭活疫苗")
    hits = [
        hit(passage("vaccine_types#s0", SENTENCE, "我市现有3种不同技术路线的新冠病毒疫苗。"), 0.80),
        hit(passage("vaccine_types#s1", SENTENCE, "一是……科兴中维的灭活疫苗；……"), 0.81),
    ]
    assert targeted_sentences(hits, names=kexing)["vaccine_types"].named_alone
    # Another sentence of the whole answer names it too: the lead decides as usual.
    answers = {"vaccine_types": ["我市现有3种…", "一是……科兴中维的灭活疫苗；……", "科兴另有一句。"]}
    assert not targeted_sentences(hits, names=kexing, answers=answers)["vaccine_types"].named_alone
    target = TargetedSentence("vaccine_types#s1", "一是……科兴中维的灭活疫苗；……", 0.81, 0.01, named_alone=True)
    found = RetrievedFaq("vaccine_types", 0.95, "vaccine_types#q", FAQ_QUESTION, "我市有哪些……？", target=target)
    view = IntentView("faq", 0.99, 0.99, (("vaccine_types", 0.98),))
    quoted = answer_with("vaccine_types", 0.97, view, {"vaccine_types": found}, "hybrid", (), targeted_lead=0.12)
    assert quoted.kind is AnswerKind.PASSAGE


def test_a_clear_target_is_quoted_and_a_weak_one_is_not():
    target = TargetedSentence("vaccine_types#s1", "一是……科兴中维的灭活疫苗；……", 0.88, 0.06)
    found = RetrievedFaq("vaccine_types", 0.95, "vaccine_types#q", FAQ_QUESTION, "我市有哪些……？", target=target)
    view = IntentView("faq", 0.99, 0.99, (("vaccine_types", 0.98),))
    quoted = answer_with("vaccine_types", 0.97, view, {"vaccine_types": found}, "hybrid", (), targeted_lead=0.05)
    assert quoted.kind is AnswerKind.PASSAGE and quoted.passage.passage_text == target.text
    assert quoted.answer_id == "vaccine_types#s1"
    whole = answer_with("vaccine_types", 0.97, view, {"vaccine_types": found}, "hybrid", (), targeted_lead=0.07)
    assert whole.kind is AnswerKind.FAQ
    assert answer_with("vaccine_types", 0.97, view, {"vaccine_types": found}, "hybrid").kind is AnswerKind.FAQ
