import textwrap

import pytest

from bot.dialogue.vaccines import CatalogError, Route, catalog, fold, load_catalog, word_breaks


@pytest.mark.parametrize(
    "text, value, route",
    [
        ("科兴", "科兴", Route.INACTIVATED),
        ("北京科兴中维", "科兴", Route.INACTIVATED),
        ("科星", "科兴", Route.INACTIVATED),
        ("科興", "科兴", Route.INACTIVATED),
        ("北京生物", "北京生物", Route.INACTIVATED),
        ("长春生物", "长春生物", Route.INACTIVATED),
        ("長春生物", "长春生物", Route.INACTIVATED),
        ("国药", "国药", Route.INACTIVATED),
        ("國藥", "国药", Route.INACTIVATED),
        ("智飞", "智飞龙科马", Route.RECOMBINANT_PROTEIN),
        ("那智飛的呢", "智飞龙科马", Route.RECOMBINANT_PROTEIN),
        ("龍科馬", "智飞龙科马", Route.RECOMBINANT_PROTEIN),
        ("智非", "智飞龙科马", Route.RECOMBINANT_PROTEIN),
        ("康希诺", "康希诺", Route.ADENOVIRUS_VECTOR),
        ("康希偌", "康希诺", Route.ADENOVIRUS_VECTOR),
        ("康希諾", "康希诺", Route.ADENOVIRUS_VECTOR),
        ("灭活的", "灭活疫苗", Route.INACTIVATED),
        ("重組蛋白", "重组蛋白疫苗", Route.RECOMBINANT_PROTEIN),
        ("腺病毒载体的", "腺病毒载体疫苗", Route.ADENOVIRUS_VECTOR),
        # a named vaccine wins over a route named before it
        ("灭活的科兴", "科兴", Route.INACTIVATED),
    ],
)
def test_canonicalise(text, value, route):
    mention = catalog().canonicalise(text)
    assert mention is not None, text
    assert (mention.value, mention.route) == (value, route)


@pytest.mark.parametrize("text", ["", "没有", "加强针怎么打", "那孕妇呢"])
def test_no_vaccine_named(text):
    assert catalog().canonicalise(text) is None


def test_longest_alias_wins_and_mentions_keep_order():
    mentions = catalog().mentions("先打智飞龙科马再打康希诺")
    assert [m.value for m in mentions] == ["智飞龙科马", "康希诺"]
    assert mentions[0].alias == "智飞龙科马"


@pytest.mark.parametrize(
    "text, breaks",
    [
        ("我妈62 北京生物打了两针", (4,)),
        ("  北京  生物\n打了 ", (2, 4)),  # runs of spaces are one break; none at the ends
        ("ＡＢ 科兴", (2,)),  # full-width letters fold to one character each
        ("İ 科兴", (2,)),  # lower() makes İ two characters: offsets index fold(text)
        ("科兴", ()),
        ("", ()),
    ],
)
def test_word_breaks_index_the_folded_text(text, breaks):
    assert word_breaks(text) == breaks
    assert all(0 < b < len(fold(text)) for b in breaks)


def test_mentions_index_the_text_they_were_found_in():
    # 柯兴 is repaired by the normaliser, which also turns 啥 into the longer 什么.
    source, mentions = catalog().mentions_in("啥打的柯兴")
    assert [(m.value, fold(source)[m.start : m.end]) for m in mentions] == [("科兴", "科兴")]


def test_primary_doses_come_with_the_articles_words(faqs):
    answers = "".join(faq.answer for faq in faqs)
    for info in catalog().routes.values():
        if info.primary_doses is not None:
            assert info.primary_doses_quote in answers
    assert catalog().primary_doses(Route.INACTIVATED) == 2
    assert catalog().primary_doses(Route.ADENOVIRUS_VECTOR) == 1
    # The article gives no dose count for 智飞龙科马: none may be presented as its.
    assert catalog().primary_doses(Route.RECOMBINANT_PROTEIN) is None


def test_every_canonical_name_appears_in_the_article(faqs):
    answers = "".join(faq.answer for faq in faqs)
    for vaccine in catalog().vaccines.values():
        assert vaccine.name in answers


def _write(tmp_path, body):
    path = tmp_path / "vaccines.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


ROUTES = """
routes:
  - {id: inactivated, name: 灭活疫苗, aliases: [灭活], primary_doses: 2, primary_doses_quote: 两剂次}
  - {id: recombinant_protein, name: 重组蛋白疫苗, aliases: [重组蛋白], primary_doses: null}
  - {id: adenovirus_vector, name: 腺病毒载体疫苗, aliases: [腺病毒], primary_doses: 1, primary_doses_quote: 1剂次}
"""


def test_an_alias_claimed_twice_is_refused(tmp_path):
    path = _write(
        tmp_path,
        ROUTES
        + """
vaccines:
  - {id: a, name: 甲, route: inactivated, aliases: [同名]}
  - {id: b, name: 乙, route: inactivated, aliases: [同名]}
""",
    )
    with pytest.raises(CatalogError, match="同名"):
        load_catalog(path)


def test_an_unknown_route_is_refused(tmp_path):
    path = _write(
        tmp_path,
        ROUTES
        + """
vaccines:
  - {id: a, name: 甲, route: mrna, aliases: [甲苗]}
""",
    )
    with pytest.raises(CatalogError, match="mrna"):
        load_catalog(path)


def test_a_dose_count_without_the_articles_words_is_refused(tmp_path):
    path = _write(tmp_path, ROUTES.replace(", primary_doses_quote: 1剂次", "") + "vaccines: []\n")
    with pytest.raises(CatalogError, match="primary_doses_quote"):
        load_catalog(path)


def test_vaccines_the_article_does_not_name():
    assert catalog().unnamed_in("在国外打了两针辉瑞") == "辉瑞"
    assert catalog().unnamed_in("打了两针科兴") is None


def test_an_unnamed_vaccine_may_not_also_be_an_alias(tmp_path):
    path = _write(
        tmp_path,
        ROUTES
        + """
vaccines:
  - {id: a, name: 甲, route: inactivated, aliases: [同名]}
unnamed: [同名]
""",
    )
    with pytest.raises(CatalogError, match="同名"):
        load_catalog(path)
