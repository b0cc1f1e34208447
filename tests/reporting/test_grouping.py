"""Grouping questions: the lexical fallback (fast) and the embedding model (slow)."""

import pytest

from bot.reporting.grouping import group_questions, surface_key
from bot.reporting.similarity import Backend, lexical_vectoriser, load_vectoriser
from bot.text.normalize import Normalizer

FEVER = ["打完疫苗发烧怎么办", "打完疫苗发烧了怎么办？", "打完疫苗發燒怎麼辦", "打疫苗后发烧咋办"]
PREGNANT = ["孕妇能打新冠疫苗吗", "怀孕了可以打疫苗吗"]


def test_surface_key_folds_spelling_only():
    fold = Normalizer()
    assert surface_key("加强针怎么打？", fold) == surface_key(" 加強針 怎麼打 ", fold) == "加强针怎么打"
    assert surface_key("加强针怎么打", fold) != surface_key("加强针咋打", fold)
    assert surface_key("？！ ", fold) == ""


def test_lexical_groups_wordings_and_counts_repeats():
    groups = group_questions(
        FEVER + FEVER[:1] + ["政采贷怎么申请"], lexical_vectoriser(Normalizer()), fold=Normalizer()
    )
    assert groups[0].label == "打完疫苗发烧怎么办"
    assert groups[0].count == 5  # 3 spellings of one question + 2 wordings of it
    assert groups[-1].examples == [("政采贷怎么申请", 1)]


def test_threshold_direction_higher_means_stricter():
    vec = lexical_vectoriser()
    assert len(group_questions(FEVER, vec, threshold=0.99)) > len(group_questions(FEVER, vec, threshold=0.3))
    assert group_questions([], vec) == []


def test_missing_model_falls_back_with_a_plain_note(monkeypatch, tmp_path):
    from bot.reporting import similarity

    def broken():
        raise RuntimeError("Embedding model folder does not exist")

    monkeypatch.setattr(similarity, "embedding_vectoriser", broken)
    vec = load_vectoriser()
    assert vec.backend is Backend.LEXICAL and "嵌入模型不可用" in vec.note
    with pytest.raises(RuntimeError):
        load_vectoriser(Backend.EMBEDDING)


@pytest.mark.slow
def test_embedding_model_groups_paraphrases_apart_from_other_topics():
    vec = load_vectoriser(Backend.EMBEDDING)
    groups = group_questions(FEVER + PREGNANT + ["政采贷怎么申请"], vec, fold=Normalizer())
    by_label = {g.label: {t for t, _ in g.examples} for g in groups}
    fever = next(v for k, v in by_label.items() if "发烧" in k)
    assert {"打完疫苗发烧了怎么办？", "打疫苗后发烧咋办"} <= fever
    assert not fever & set(PREGNANT) and "政采贷怎么申请" not in fever
