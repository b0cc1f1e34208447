"""The words of the booster check: the form's questions and re-asks, and the
verdict with the sentences it rests on.

Every statement about vaccination in a verdict is either a quoted sentence of
the article or a plain application of one to the user's own facts (their age,
their doses, a date computed from their last dose). Where the article is
silent the text says so and names who can answer. Single newlines only: the
REST channel splits a message at blank lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, List, Optional

from bot.answering.citation import Source, chinese_date, source_line
from bot.dialogue.booster import BoosterChoice, BoosterRules, Facts, Outcome, Reason, add_months

# What every verdict ends with: the article's age and where to check.
CAVEAT = (
    "提示：以上依据的文章发表于{date}，现行接种政策可能已有变化。"
    "接种前请向接种单位确认，或拨打12320卫生健康热线咨询。本助手不构成医疗建议。"
)
NOT_COVERED_HINT = "这种情况文章里没有讲，请咨询接种单位或拨打12320卫生健康热线。"

ROUTE_NAMES = {"inactivated": "灭活疫苗", "recombinant_protein": "重组蛋白疫苗", "adenovirus_vector": "腺病毒载体疫苗"}

# One headline per reason: the verdict first, in words an older reader on a
# phone takes in at a glance; the details and the quotes follow. {who} is whom
# the check is for: 您, or the relative the user asks about (她, 您老伴).
ASKER = "您"
HEADLINES: Dict[Reason, str] = {
    Reason.INTERVAL_REACHED: "结论：按文章的规定，{who}现在可以接种加强针。",
    Reason.INTERVAL_NOT_REACHED: "结论：按文章的规定，{who}现在还不到打加强针的时候。",
    Reason.INTERVAL_UNCLEAR: "结论：{who}是否已满6个月，要看最后一针的具体日期。",
    Reason.UNDER_AGE: "结论：按文章的规定，{who}目前不在加强针的接种对象之内。",
    Reason.PROTEIN_FULL_COURSE: "结论：按文章的说法，全程接种智飞龙科马的人暂时不用打加强针。",
    Reason.NOT_VACCINATED: "结论：{who}还没有接种新冠疫苗，还谈不上加强针。",
    Reason.PRIMARY_INCOMPLETE: "结论：{who}的全程接种（基础免疫）还没有完成，还不到打加强针这一步。",
    Reason.PROTEIN_COURSE_UNCLEAR: "结论：文章没有写明智飞龙科马全程打几针，没法判断{who}还要不要接着打。",
    Reason.ALREADY_BOOSTED: "结论：按文章的说法{who}已经打过加强针了，再打一针的事文章没有讲。",
    Reason.UNKNOWN_VACCINE: "结论：不知道{who}打的是哪种疫苗，没法对照文章的规定。",
    Reason.UNNAMED_VACCINE: "结论：文章没有讲{who}打的这种疫苗，没法对照文章的规定。",
}


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _route_id(route: Any) -> str:
    """A route id as a plain string: Route members give their value; None gives '', which no table holds."""
    return getattr(route, "value", route) or ""


def vaccine_label(facts: Facts) -> str:
    route = ROUTE_NAMES.get(_route_id(facts.route))
    if facts.vaccine and route and facts.vaccine != route:
        return f"{facts.vaccine}（{route}）"
    return facts.vaccine or route or "不清楚哪种的疫苗"


def facts_line(facts: Facts, who: str = ASKER) -> str:
    parts = []
    if facts.age is not None:
        parts.append(f"{facts.age}岁")
    if facts.vaccine_known or facts.route:
        doses = f"{facts.doses}针" if facts.doses is not None else ""
        parts.append(f"打了{doses}{vaccine_label(facts)}" if doses else f"打的是{vaccine_label(facts)}")
    if facts.last_dose is not None:
        parts.append(f"最后一针在{_window_text(facts.last_dose)}")
    return f"{who}的情况：" + "，".join(parts) + "。" if parts else ""


def _window_text(window) -> str:
    if window.earliest == window.latest:
        return cn_date(window.earliest)
    if (
        (window.earliest.year, window.earliest.month) == (window.latest.year, window.latest.month)
        and window.earliest.day == 1
        and (window.latest.day >= 28)
    ):
        return f"{window.earliest.year}年{window.earliest.month}月"
    return f"{cn_date(window.earliest)}到{cn_date(window.latest)}之间"


def _booster_options(facts: Facts, outcome: Outcome) -> str:
    same = f"原来的{vaccine_label(facts)}" if facts.vaccine else "与前面相同的疫苗"
    others = [name for name in outcome.boosters if name != "same"]
    text = f"加强针的打法：用{same}再打1剂"
    if others:
        text += "；或者“混打”，选" + "或".join(others)
    return text + "。"


def _choice_text(facts: Facts, outcome: Outcome, who: str) -> str:
    wanted = facts.wanted or ROUTE_NAMES.get(_route_id(facts.wanted_route), "")
    if outcome.choice is BoosterChoice.ALLOWED:
        return f"您问的{wanted}：文章写明可以用来打这一针加强针。"
    if outcome.choice is BoosterChoice.SAME_ONLY:
        return (
            f"您问的{wanted}：文章说加强针用“原灭活疫苗”，也就是和前面几针同一种疫苗；"
            f"如果{wanted}和{who}前面打的是同一种，就符合文章的说法，否则请向接种单位确认。"
        )
    if outcome.choice is BoosterChoice.NOT_STATED:
        return f"您问的{wanted}：文章没有提到打完{vaccine_label(facts)}后用它来加强，请向接种单位确认或拨打12320。"
    return ""


def _reason_text(facts: Facts, outcome: Outcome, rules: BoosterRules, who: str) -> List[str]:
    reason, n = outcome.reason, facts.doses
    vaccine = vaccine_label(facts)
    route = _route_id(facts.route)
    if reason is Reason.UNDER_AGE:
        return [
            f"文章所说的加强针接种对象是{rules.min_age}岁及以上人群，{who}{facts.age}岁。"
            f"文章没有讲未满{rules.min_age}岁的人打加强针的安排，具体请咨询接种单位或拨打12320。"
        ]
    if reason is Reason.NOT_VACCINATED:
        return [
            "文章所说的加强针接种对象是已完成全程接种的人；文章还说3周岁以上人群在没有接种禁忌症的情况下"
            "都应该积极主动接种。先打哪种、怎么预约，请咨询接种单位或拨打12320。"
        ]
    if reason is Reason.PRIMARY_INCOMPLETE:
        return [
            f"{who}打了{n}针{vaccine}；文章所说的加强针接种对象是已完成{rules.primary_doses.get(route)}剂次"
            f"{ROUTE_NAMES.get(route, '')}的人。文章没有讲剩下的针什么时候打，请咨询接种单位或拨打12320。"
        ]
    if reason is Reason.PROTEIN_FULL_COURSE:
        return [
            f"{who}打了{n}针{vaccine}。文章没有写明智飞龙科马的全程是几针；"
            f"{who}是否已完成全程，请以接种记录或接种单位的说法为准。"
        ]
    if reason is Reason.PROTEIN_COURSE_UNCLEAR:
        return [
            f"{who}打了{n}针{vaccine}。文章只说全程接种智飞龙科马的人暂不用加强免疫，"
            "没有写明全程共几针、剩下的针什么时候打。" + NOT_COVERED_HINT
        ]
    if reason is Reason.ALREADY_BOOSTED:
        return [
            f"按文章的说法，{vaccine}打{rules.primary_doses.get(route)}针是全程接种，之后再打1剂是加强针；"
            f"{who}已经打了{n}针。文章只讲了这1剂加强针，没有讲之后还要不要再打，"
            "请咨询接种单位或拨打12320卫生健康热线。"
        ]
    if reason is Reason.UNKNOWN_VACCINE:
        return [f"请查看{who}的接种记录，或咨询接种单位、拨打12320卫生健康热线。"]
    if reason is Reason.UNNAMED_VACCINE:
        return [
            f"文章讲的加强针规定只针对它介绍的三种疫苗（灭活疫苗、重组蛋白疫苗、腺病毒载体疫苗），没有讲{vaccine}。"
            f"打过{vaccine}的人要不要、能不能打加强针，请咨询接种单位或拨打12320卫生健康热线。"
        ]
    lines = []
    possible_from, certain_from = outcome.possible_from, outcome.certain_from
    if reason in (Reason.INTERVAL_REACHED, Reason.INTERVAL_NOT_REACHED, Reason.INTERVAL_UNCLEAR):
        # assess() sets both dates whenever it decides on the interval.
        assert possible_from is not None and certain_from is not None
    if reason is Reason.INTERVAL_REACHED:
        lines.append(
            f"{who}是{rules.min_age}岁及以上、已完成全程接种的人，最后一针到现在已满{rules.interval_months}个月"
            f"（{cn_date(certain_from)}满{rules.interval_months}个月）。"
        )
    elif reason is Reason.INTERVAL_NOT_REACHED:
        if possible_from == certain_from:
            lines.append(
                f"文章规定完成全程接种满{rules.interval_months}个月后再打加强针，"
                f"{who}最早可以在{cn_date(certain_from)}接种。"
            )
        else:
            lines.append(
                f"文章规定完成全程接种满{rules.interval_months}个月后再打加强针。按您说的时间，"
                f"最早{cn_date(possible_from)}才满{rules.interval_months}个月（要看最后一针是哪一天），"
                f"到{cn_date(certain_from)}一定已满。"
            )
    elif reason is Reason.INTERVAL_UNCLEAR:
        lines.append(
            f"文章规定完成全程接种满{rules.interval_months}个月后再打加强针。按您说的时间，"
            f"满{rules.interval_months}个月的日子在{cn_date(possible_from)}到"
            f"{cn_date(certain_from)}之间：如果最后一针是在{_months_before(possible_from, rules)}"
            f"或更早打的，现在已经可以打；最晚到{cn_date(certain_from)}一定可以打。"
        )
    lines.append(_booster_options(facts, outcome))
    choice = _choice_text(facts, outcome, who)
    if choice:
        lines.append(choice)
    return lines


def _months_before(day: date, rules: BoosterRules) -> str:
    return cn_date(add_months(day, -rules.interval_months))


def quote_lines(quotes) -> List[str]:
    return [f"“{q.text}”（答问“{q.question.rstrip('？?')}”）" for q in quotes]


def article_source(rules: BoosterRules) -> Source:
    src = rules.source
    return Source(src["article_title"], src["newspaper"], src["date"])


def caveat(rules: BoosterRules) -> str:
    return CAVEAT.format(date=chinese_date(rules.source["date"]))


def verdict_text(facts: Facts, outcome: Outcome, rules: BoosterRules, who: str = ASKER) -> str:
    lines = [line for line in (facts_line(facts, who), HEADLINES[outcome.reason].format(who=who)) if line]
    lines += _reason_text(facts, outcome, rules, who)
    lines.append("文章原文：")
    lines += quote_lines(outcome.quotes)
    lines.append(source_line(article_source(rules)))
    lines.append(caveat(rules))
    return "\n".join(lines)


def lead_text(quotes, rules: BoosterRules, who: str = ASKER) -> str:
    """What the article says, before the form asks about the user's own case."""
    whom = "您本人" if who == ASKER else who
    ask = f"要看{whom}现在能不能打，我再问您几个简单问题（回复“算了”可随时退出）。"
    lines = ["文章里是这样说的：", *quote_lines(quotes), source_line(article_source(rules)), ask]
    return "\n".join(lines)


@dataclass(frozen=True)
class Question:
    text: str
    buttons: List[Dict[str, str]]


def _inform(entity: str, value) -> str:
    import json

    return "/inform" + json.dumps({entity: value}, ensure_ascii=False, separators=(",", ":"))


VACCINE_CHOICES = ["科兴", "北京生物", "长春生物", "智飞龙科马", "康希诺"]
UNKNOWN_VACCINE = "不记得了"
DOSE_CHOICES = [1, 2, 3]


def question(fact: str, facts: Optional[Facts] = None, who: str = ASKER) -> Question:
    """The form's question for one fact, with quick replies where the answers are few."""
    if fact == "vaccine":
        buttons = [{"title": v, "payload": _inform("vaccine", v)} for v in VACCINE_CHOICES]
        buttons.append({"title": UNKNOWN_VACCINE, "payload": _inform("vaccine", UNKNOWN_VACCINE)})
        return Question(f"{who}之前打的新冠疫苗是哪一种？", buttons)
    if fact == "dose_count":
        label = f"{facts.vaccine}疫苗" if facts and facts.vaccine else "新冠疫苗"
        buttons = [{"title": f"{n}针", "payload": _inform("dose_count", n)} for n in DOSE_CHOICES]
        return Question(f"{label}{who}一共打了几针？", buttons)
    if fact == "age":
        return Question(f"{who}今年多大年龄？（回复数字即可，例如：35）", [])
    if fact == "last_dose":
        return Question(f"{who}最后一针是什么时候打的？（例如：2022年3月、去年10月、半年前）", [])
    raise ValueError(f"no question for {fact!r}")


INTRO = "好的，我来对照文章里的规定帮您看看。先问您几个简单问题（回复“算了”可随时退出）。"

# {who} as in HEADLINES.
REASKS = {
    "age_invalid": "这个年龄好像不太对。请告诉我{who}的实际年龄，用数字回复就行，例如：35。",
    "age_missing": "没看懂{who}的年龄。请用数字回复，例如：35。",
    "doses_invalid": "这个针数好像不太对。请告诉我{who}一共打了几针新冠疫苗，例如：2。",
    "doses_missing": "没看懂{who}打了几针。请回复数字，例如：2。",
    "date_future": "这个日期还没到呢。请告诉我{who}最后一针实际是什么时候打的，例如：去年10月。",
    "date_too_early": "这个日期早于新冠疫苗开始接种的时间，可能写错了。请再说一次最后一针的时间，例如：2022年3月。",
    "date_unknown": "大概的时间也可以，例如：去年10月、半年前。实在记不清，可以查看接种记录，或回复“算了”退出。",
    "date_missing": "没看懂这个时间。请告诉我最后一针大概是什么时候打的，例如：2022年3月、去年10月、半年前。",
    "vaccine_missing": "没听出是哪种疫苗。请点选下面的疫苗，或回复疫苗名称，例如：科兴。不记得的话点“不记得了”。",
}


def reask(key: str, who: str = ASKER) -> str:
    return REASKS[key].format(who=who)
