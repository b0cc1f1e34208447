import pytest

from bot.answering.follow_up import (
    Conversation,
    bridge_sentences,
    covers_focus,
    lead_sentences,
    plan_follow_up,
    render_lead,
    render_not_covered,
)
from bot.dialogue.focus import FocusReader
from bot.dialogue.vaccines import catalog
from bot.ingest.sentences import split_sentences

SCHEDULE_Q = "加强针怎么打？"


@pytest.fixture(scope="module")
def reader(faqs):
    return FocusReader(" ".join(f"{faq.question} {faq.answer}" for faq in faqs))


@pytest.fixture(scope="module")
def by_id(faqs):
    return {faq.id: faq for faq in faqs}


def plan(reader, text, topic="booster_schedule", question=SCHEDULE_Q, vaccine=None, max_chars=12, offered=None):
    return plan_follow_up(text, Conversation(topic, vaccine, offered), question, reader, catalog(), max_chars)


def test_no_topic_or_a_long_turn_is_no_follow_up(reader):
    assert plan(reader, "那智飞的呢", topic=None) is None
    assert plan(reader, "我想问一下加强针到底应该怎么去打才对呢", max_chars=12) is None


def test_the_query_is_the_topics_question_and_the_turn(reader):
    follow = plan(reader, "那智飞的呢")
    assert follow.query == "加强针怎么打？ 那智飞的呢"
    assert follow.continues and [m.value for m in follow.vaccines] == ["智飞龙科马"]


def test_a_pronoun_takes_the_vaccine_last_named(reader):
    follow = plan(
        reader, "它要打几针", topic="vaccine_types", question="我市有哪些新冠病毒疫苗可选择接种？", vaccine="康希诺"
    )
    assert follow.query == "我市有哪些新冠病毒疫苗可选择接种？ 康希诺 它要打几针"
    assert [m.value for m in follow.vaccines] == ["康希诺"]


@pytest.mark.parametrize(
    "text, topic, question, rewrite",
    [
        # 那X呢 swaps the topic question's subject.
        ("那加强针呢", "why_vaccinate", "为什么要积极接种新冠病毒疫苗？", "为什么要积极接种加强针？"),
        ("那加强针呢", "eligibility", "哪些人群可以接种新冠病毒疫苗？", "哪些人群可以接种加强针？"),
        ("那他能打加强针嘛", "eligibility", "哪些人群可以接种新冠病毒疫苗？", "哪些人群可以接种加强针？"),
        # The swap would drop the interval asked.
        ("那打加强针要隔多久", "eligibility", "哪些人群可以接种新冠病毒疫苗？", None),
        # An aspect alone is asked of the topic's subject.
        ("怎么打", "booster_concept", "加强免疫接种是怎么回事？", "加强免疫怎么打"),
        ("那要隔多久？", "booster_concept", "加强免疫接种是怎么回事？", "加强免疫要隔多久"),
        # Nothing to swap: the same subject, a vaccine, or a question with no subject word.
        ("那加强针呢", "booster_schedule", SCHEDULE_Q, None),
        ("那智飞的呢", "booster_schedule", SCHEDULE_Q, None),
        ("怎么打", "vaccination_progress", "目前我市接种工作的总体情况是怎样的？", None),
    ],
)
def test_the_subject_rewrite(reader, text, topic, question, rewrite):
    follow = plan(reader, text, topic=topic, question=question)
    assert follow.subject_query == rewrite
    assert follow.queries[0] == (rewrite or follow.query)  # the more specific reading first


def test_a_clarifications_first_option_is_continued_before_the_last_answer(reader):
    follow = plan(reader, "智飞龙科马的呢", topic="eligibility", offered="booster_schedule")
    assert follow.topic_faq == "booster_schedule"
    assert Conversation("eligibility").continued_faq == "eligibility"


def test_covers_focus_needs_the_vaccine_and_the_aspect_in_one_sentence(reader, by_id):
    doses = plan(
        reader, "它要打几针", topic="vaccine_types", question="我市有哪些新冠病毒疫苗可选择接种？", vaccine="康希诺"
    )
    assert covers_focus(split_sentences(by_id["booster_target"].answer), doses, catalog())
    assert not covers_focus(split_sentences(by_id["vaccine_types"].answer), doses, catalog())  # 康希诺, but no 剂次


def test_a_vaccine_alone_is_covered_by_an_answer_naming_it(reader, by_id):
    # 那智飞的呢 asks no aspect: the schedule names 智飞龙科马, who may get a booster does not.
    zhifei = plan(reader, "那智飞的呢")
    assert covers_focus(split_sentences(by_id["booster_schedule"].answer), zhifei, catalog())
    assert not covers_focus(split_sentences(by_id["booster_target"].answer), zhifei, catalog())
    assert not covers_focus(split_sentences(by_id["booster_target"].answer), plan(reader, "怎么打"), catalog())


def test_covers_focus_without_a_vaccine_needs_the_aspect(reader, by_id):
    # 要打几剂 after 为什么要打加强针: the schedule states 1剂次加强免疫, the concept answer no dose count.
    doses = plan(reader, "要打几剂", topic="booster_concept", question="加强免疫接种是怎么回事？")
    assert covers_focus(split_sentences(by_id["booster_schedule"].answer), doses, catalog())
    assert not covers_focus(split_sentences(by_id["booster_concept"].answer), doses, catalog())
    # 还要加强么 of 重组蛋白: only the schedule says 智飞龙科马's full course needs no booster for now.
    booster = plan(
        reader,
        "打全程这个还要加强么",
        topic="vaccine_types",
        question="我市有哪些新冠病毒疫苗可选择接种？",
        vaccine="重组蛋白疫苗",
    )
    assert covers_focus(split_sentences(by_id["booster_schedule"].answer), booster, catalog())
    assert not covers_focus(split_sentences(by_id["vaccine_types"].answer), booster, catalog())


def test_uncovered_follow_ups_are_flagged(reader):
    assert plan(reader, "那孕妇呢").uncovered == ("孕妇",)
    assert not plan(reader, "那智飞的呢").uncovered


@pytest.mark.parametrize(
    "text, must_lead, must_not_lead",
    [
        ("那智飞的呢", ["暂不用进行加强免疫", "可选择智飞龙科马"], ["市民选择其中一种即可"]),
        ("康希诺的呢", ["康希诺的腺病毒载体疫苗", "使用腺病毒载体疫苗完成1剂次"], ["暂不用进行加强免疫"]),
        ("那科兴的呢", ["同一种新冠病毒灭活疫苗", "全程接种新冠病毒灭活疫苗2剂次"], ["暂不用进行加强免疫"]),
        ("要隔多久", ["间隔6个月"], ["暂不用进行加强免疫"]),
    ],
)
def test_lead_sentences_of_the_booster_schedule(reader, by_id, text, must_lead, must_not_lead):
    lead = "".join(lead_sentences(split_sentences(by_id["booster_schedule"].answer), plan(reader, text), catalog()))
    for words in must_lead:
        assert words in lead
    for words in must_not_lead:
        assert words not in lead


def test_no_lead_when_nothing_narrower_fits(reader, by_id):
    # One-sentence answer: the whole answer is the lead, so none is marked.
    assert lead_sentences(split_sentences(by_id["booster_target"].answer), plan(reader, "康希诺的呢"), catalog()) == []
    assert lead_sentences(split_sentences(by_id["booster_schedule"].answer), plan(reader, "怎么打"), catalog()) == []


def test_a_vaccine_named_only_by_its_route_gets_the_bridging_sentence(reader, by_id, faqs):
    follow = plan(reader, "那科兴的呢")
    lead = lead_sentences(split_sentences(by_id["booster_schedule"].answer), follow, catalog())
    candidates = [(f.id, s) for f in faqs for s in split_sentences(f.answer)]
    bridge = bridge_sentences(follow, lead, catalog(), candidates)
    assert len(bridge) == 1 and bridge[0][0] == "vaccine_types"
    assert "北京科兴中维的灭活疫苗" in bridge[0][1]
    # 智飞龙科马 is named in the schedule itself: no bridge.
    zhifei = plan(reader, "那智飞的呢")
    lead = lead_sentences(split_sentences(by_id["booster_schedule"].answer), zhifei, catalog())
    assert bridge_sentences(zhifei, lead, catalog(), candidates) == []


def test_rendering_quotes_and_cites():
    text = render_lead("智飞龙科马", [(["甲。", "乙。"], "【来源】某报")])
    assert text.splitlines() == ["关于“智飞龙科马”，资料原文是这样说的：", "“甲。乙。”", "【来源】某报"]
    assert "孕妇" in render_not_covered("孕妇") and "12320" in render_not_covered("孕妇")


def test_a_turn_with_its_own_subject_does_not_take_the_vaccine_last_named(reader):
    # 加强针给谁打怎么打 after 那智飞的呢 asks about boosters in general.
    follow = plan(reader, "加强针给谁打怎么打", vaccine="智飞龙科马")
    assert follow.vaccines == () and follow.entity_query is None
    # An aspect alone still asks it of that vaccine.
    assert [m.value for m in plan(reader, "要打几针", vaccine="智飞龙科马").vaccines] == ["智飞龙科马"]


def test_a_bare_number_is_no_follow_up(reader):
    assert plan(reader, "2") is None and plan(reader, "三十五") is None
