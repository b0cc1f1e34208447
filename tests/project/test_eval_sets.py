"""Hygiene of the evaluation sets in eval/: no leaks into training data or
between the sets, and labels that refer to what the source really says.

dev.yml is where the answering combiner and its thresholds are fitted, test.yml
and holdout.yml are only reported on; a question shared between them (or with
the NLU training data) would make the reported figures look better than what
new users get. Questions are compared by match_key: after the project's
normalisation (Traditional -> Simplified, typos, synonyms) and without
punctuation or spaces."""

import pytest

from bot.evaluation.dataset import DECLINE, load_eval_set, match_key, nlu_example_texts, shared_questions

EVAL_SETS = ("dev.yml", "test.yml", "holdout.yml")
KINDS = {"paraphrase", "inside_answer", "out_of_scope"}


@pytest.fixture(scope="module")
def eval_sets(project_root):
    return {name: load_eval_set(project_root / "eval" / name) for name in EVAL_SETS}


@pytest.fixture(scope="module")
def training_texts(project_root):
    return [text for path in sorted((project_root / "data" / "nlu").glob("*.yml")) for text in nlu_example_texts(path)]


@pytest.mark.parametrize("name", EVAL_SETS)
def test_eval_questions_are_not_training_examples(name, eval_sets, training_texts):
    leaked = shared_questions([q.text for q in eval_sets[name]], training_texts)
    assert not leaked, f"{name}: also in data/nlu: {leaked}"


@pytest.mark.parametrize(
    "first, second", [("dev.yml", "test.yml"), ("dev.yml", "holdout.yml"), ("test.yml", "holdout.yml")]
)
def test_eval_sets_share_no_question(first, second, eval_sets):
    shared = shared_questions([q.text for q in eval_sets[first]], [q.text for q in eval_sets[second]])
    assert not shared, f"in both {first} and {second}: {shared}"


@pytest.mark.parametrize("name", EVAL_SETS)
def test_no_question_is_asked_twice_in_a_set(name, eval_sets):
    keys = [match_key(q.text) for q in eval_sets[name]]
    repeated = sorted({q.text for q, k in zip(eval_sets[name], keys, strict=True) if keys.count(k) > 1})
    assert not repeated, f"{name}: {repeated}"


@pytest.mark.parametrize("name", EVAL_SETS)
def test_labels_refer_to_the_source(name, eval_sets, faqs):
    answers = {faq.id: faq.display_answer for faq in faqs}
    for q in eval_sets[name]:
        assert q.kind in KINDS, q
        if not q.in_scope:
            assert q.kind == "out_of_scope" and not q.evidence and not q.also, q
            continue
        assert q.expect in answers and q.kind != "out_of_scope", q
        assert all(other in answers and other != q.expect for other in q.also), q
        if q.kind == "inside_answer":
            assert q.evidence, q
        if q.evidence:
            # The scorer looks for the evidence in what the user reads.
            assert q.evidence in answers[q.expect], q


def test_holdout_is_large_enough_and_rich_in_health_near_misses(eval_sets):
    holdout = eval_sets["holdout.yml"]
    assert len(holdout) >= 150
    assert sum(q.expect == DECLINE for q in holdout) >= 40
    assert {q.expect for q in holdout if q.in_scope} == {
        "why_vaccinate",
        "eligibility",
        "vaccine_types",
        "booster_concept",
        "booster_target",
        "booster_schedule",
        "vaccination_progress",
    }
    assert sum(q.kind == "inside_answer" for q in holdout) >= 30


def test_annotated_entities_are_written_as_the_normaliser_will_see_them():
    # The text normaliser folds 科興 to 科兴 before the extractors run; an
    # annotation [科興](vaccine) would teach EntitySynonymMapper to map every
    # 科兴 back to 科興. Such examples must name their value explicitly.
    import re

    from bot.paths import PROJECT_ROOT
    from bot.text.normalize import normalize_query

    bad = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in re.finditer(r"\[([^\]]+)\]\((\w+)\)", line):
                if normalize_query(match.group(1)) not in (match.group(1), match.group(1).lower()):
                    bad.append(f"{path.name}:{number} {match.group(0)}")
    assert not bad, bad
