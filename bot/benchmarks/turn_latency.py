"""REST turn latency for intent-only, retrieval-only and hybrid answering, in one run.

    .venv/bin/python -m bot.benchmarks.turn_latency [--rounds 2]

Starts the real stack once per configuration (the action server's
BOT_ANSWER_MODE differs), warms it up, then sends every benchmark question
sequentially through /webhooks/rest/webhook from a single client.

On the hybrid (production) stack it also runs booster check conversations
(the Rasa form), so a form turn and a FAQ turn are measured in the same run on
the same servers: the opening turn (intent booster_check → start action →
form) and each answer inside the form (validation → next question or verdict);
and follow-ups (那智飞的呢 after 加强针怎么打), whose turn may parse and search
up to three rewrites of the question with the conversation's topic.
"""

from __future__ import annotations

import argparse
import time
import uuid

from bot.benchmarks.questions import benchmark_questions
from bot.benchmarks.stats import fmt, summary_ms
from bot.serving.client import BotClient
from bot.serving.stack import Stack, free_port

MODES = ("intent", "retrieval", "hybrid")
FORM_MODE = "hybrid"

# Booster checks as users answer them: typed facts, quick-reply payloads, and
# a FAQ asked in the middle (answered, then the form asks again).
FORM_SCRIPTS = (
    ("我能打加强针吗", "科兴", "两针", "35", "去年10月"),
    ("帮我看看我能不能打第三针", "北京生物", "60岁", "半年多了"),
    ("我能打加强针吗", '/inform{"vaccine":"康希诺"}', '/inform{"dose_count":1}', "42", "2022年3月"),
    ("我前两针是国药，第三针能打智飞吗", "加强针怎么打", "五十", "上个月"),
)


# A question, then a follow-up that only makes sense after it: answered with
# the topic (the rewrites), led with a sentence, or declined as never covered.
FOLLOW_UP_SCRIPTS = (
    ("加强针怎么打", "那智飞的呢"),
    ("孩子多大能打疫苗", "那加强针呢"),
    ("加强针是什么意思", "要隔多久"),
    ("科兴是什么疫苗", "那康希诺呢"),
    ("康希诺是哪种疫苗", "它要打几针"),
    ("大同打了多少针疫苗", "全程的有多少人"),
    ("加强针怎么打", "那孕妇呢"),
    ("为什么要打疫苗", "奥密克戎也管用吗"),
)


def _timed(client: BotClient, sender: str, text: str) -> float:
    started = time.perf_counter()
    client.send(sender, text)
    return time.perf_counter() - started


def measure(mode: str, questions, rounds: int, with_form: bool = False) -> dict:
    """{"faq": stats} and, with the form, {"form_start": …, "form_turn": …, "follow_up": …}."""
    stack = Stack(rasa_port=free_port(), actions_port=free_port(), extra_env={"BOT_ANSWER_MODE": mode})
    with stack:
        client = BotClient(stack.rasa_url)
        for text in questions[:5]:
            client.send(f"warm-{uuid.uuid4().hex}", text)
        if with_form:
            warm = f"warm-{uuid.uuid4().hex}"
            for text in FORM_SCRIPTS[0]:
                client.send(warm, text)
        samples, starts, turns, follow_ups = [], [], [], []
        for _ in range(rounds):
            for text in questions:
                samples.append(_timed(client, f"bench-{uuid.uuid4().hex}", text))
            for script in FORM_SCRIPTS if with_form else ():
                sender = f"bench-form-{uuid.uuid4().hex}"
                starts.append(_timed(client, sender, script[0]))
                turns += [_timed(client, sender, text) for text in script[1:]]
            for first, follow_up in FOLLOW_UP_SCRIPTS if with_form else ():
                sender = f"bench-follow-{uuid.uuid4().hex}"
                client.send(sender, first)
                follow_ups.append(_timed(client, sender, follow_up))
    results = {"faq": summary_ms(samples)}
    if with_form:
        results.update(form_start=summary_ms(starts), form_turn=summary_ms(turns), follow_up=summary_ms(follow_ups))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=MODES,
        default=list(MODES),
        help="configurations to measure (the form is measured on hybrid)",
    )
    args = parser.parse_args()
    questions = benchmark_questions()
    measured = {mode: measure(mode, questions, args.rounds, with_form=mode == FORM_MODE) for mode in args.modes}
    results = {mode: m["faq"] for mode, m in measured.items()}
    print(f"REST turn latency, {len(questions)} questions x {args.rounds} rounds, one client, sequential:")
    for mode, stats in results.items():
        print(f"  {mode:>9}: {fmt(stats)}")
    if "hybrid" in results and "intent" in results:
        print(f"  hybrid / intent-only p50 ratio: {results['hybrid']['p50'] / results['intent']['p50']:.2f}")
    if FORM_MODE not in measured:
        return 0
    form = measured[FORM_MODE]
    print(f"Booster check form on the {FORM_MODE} stack, {len(FORM_SCRIPTS)} conversations x {args.rounds} rounds:")
    print(f"   FAQ turn: {fmt(form['faq'])}")
    print(f"  form open: {fmt(form['form_start'])}")
    print(f"  form turn: {fmt(form['form_turn'])}")
    print(f"  form turn / FAQ turn p50 ratio: {form['form_turn']['p50'] / form['faq']['p50']:.2f}")
    print(f"  follow-up turn ({len(FOLLOW_UP_SCRIPTS)} conversations x {args.rounds} rounds): {fmt(form['follow_up'])}")
    print(f"  follow-up turn / FAQ turn p50 ratio: {form['follow_up']['p50'] / form['faq']['p50']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
