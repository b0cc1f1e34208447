"""data/booster_rules.yml against the ingested article: every quoted sentence
must be the article's own words, at the span it names, inside the FAQ it names."""

from pathlib import Path

import pytest
import yaml

from bot.dialogue.booster import load_rules, parse_rules

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def article(articles, rules):
    return next(a for a in articles if a.id == rules.source["article_id"])


def test_every_quote_is_the_article_text_at_its_span(rules, article):
    for quote in rules.quotes.values():
        start, end = quote.span
        assert article.text[start:end] == quote.text, quote.id


def test_every_quote_lies_inside_the_answer_of_its_faq(rules, faqs):
    by_id = {f.id: f for f in faqs}
    for quote in rules.quotes.values():
        faq = by_id[quote.faq_id]
        start, end = quote.span
        assert faq.answer_span[0] <= start and end <= faq.answer_span[1], quote.id
        assert quote.text in faq.answer
        assert quote.question == faq.question


def test_source_header_matches_the_article(rules, article):
    assert rules.source["article_title"] == article.title
    assert rules.source["newspaper"] == article.newspaper
    assert rules.source["date"] == article.date


def test_rule_numbers_are_the_ones_the_quotes_state(rules):
    """The numbers the engine computes with appear in the sentences it cites for them."""
    cited = "".join(q.text for q in rules.quote(*rules.min_age_quotes))
    assert f"{rules.min_age}岁" in cited
    cited = "".join(q.text for q in rules.quote(*rules.interval_quotes))
    assert f"{rules.interval_months}个月" in cited
    words = {1: ("1剂次",), 2: ("两剂次", "2剂次")}
    for route, doses in rules.primary_doses.items():
        cited = "".join(q.text for q in rules.quote(*rules.primary_quotes[route]))
        assert any(w in cited for w in words[doses]), route


def test_mixed_booster_vaccines_are_named_in_their_quote(rules):
    for options in rules.boosters.values():
        for option in options:
            cited = "".join(q.text for q in rules.quote(*option.quotes))
            for vaccine in option.vaccines:
                assert vaccine in cited


def test_route_and_vaccine_names_exist_in_the_vaccine_dictionary(rules):
    from bot.dialogue.vaccines import catalog

    known_routes = {r.value for r in catalog().routes}
    assert set(rules.primary_doses) | set(rules.no_booster_doses) | set(rules.boosters) <= known_routes
    for options in rules.boosters.values():
        for option in options:
            for vaccine in option.vaccines:
                assert catalog().by_value(vaccine) is not None, vaccine


def test_a_rule_naming_an_unknown_quote_is_refused():
    data = yaml.safe_load((ROOT / "data" / "booster_rules.yml").read_text(encoding="utf-8"))
    data["min_age"]["quotes"] = ["no_such_quote"]
    with pytest.raises(ValueError, match="no_such_quote"):
        parse_rules(data)


@pytest.mark.parametrize(
    "route, not_about",
    [
        ("inactivated", {"protein_no_booster"}),
        ("adenovirus_vector", {"mixed_booster", "protein_no_booster"}),
        ("recombinant_protein", {"booster_target", "same_vaccine_booster", "mixed_booster"}),
        ("mrna", set()),  # a route no rule speaks about: nothing to rule out
    ],
)
def test_quotes_not_about_a_primary_series(rules, route, not_about):
    assert rules.quotes_not_about(route) == not_about


def test_each_route_specific_quote_is_one_retrieval_sentence(rules, articles, faqs):
    # Answering rules sentences out by their text (bot.answering.service.not_about_the_asker),
    # so each must be exactly one sentence passage as retrieval splits the answers.
    from bot.retrieval.passages import SENTENCE, build_passages

    sentences = {p.text for p in build_passages(articles, faqs) if p.kind == SENTENCE and p.sentence_count == 1}
    for route in rules.boosters:
        for quote_id in rules.quotes_about(route):
            assert rules.quotes[quote_id].text in sentences, quote_id
