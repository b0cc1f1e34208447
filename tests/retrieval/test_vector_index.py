"""The persisted FAISS index: reuse, and every reason to rebuild."""

import dataclasses
import json
import logging
import shutil

import numpy as np
import pytest

from bot.embedding.hashing_encoder import HashingEncoder
from bot.paths import PROJECT_ROOT
from bot.retrieval.hybrid import build_retriever
from bot.retrieval.settings import load_settings
from bot.retrieval.vector_index import (
    INDEX_FILE,
    MANIFEST_FILE,
    VectorIndex,
    load_or_build,
)

ROOT = PROJECT_ROOT


def _build(index_dir, passages, encoder, **kwargs):
    return load_or_build(index_dir, passages, encoder, passage_prompt="passage: ", query_prompt="query: ", **kwargs)


def test_first_call_builds_and_persists(tmp_path, passages):
    encoder = HashingEncoder()
    index = _build(tmp_path / "idx", passages, encoder)
    assert index.built and index.size == len(passages)
    manifest = json.loads((tmp_path / "idx" / MANIFEST_FILE).read_text())
    assert manifest["passage_count"] == len(passages)
    assert manifest["model_id"] and manifest["passages_sha256"] and manifest["format_version"]
    assert (tmp_path / "idx" / INDEX_FILE).is_file()
    # Nothing but the two files is left behind (temp files were renamed).
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == sorted([INDEX_FILE, MANIFEST_FILE])


def test_reload_gives_identical_scores(tmp_path, passages):
    encoder = HashingEncoder()
    first = _build(tmp_path, passages, encoder)
    calls = encoder.calls
    second = _build(tmp_path, passages, encoder)
    assert not second.built
    assert encoder.calls == calls  # nothing re-embedded
    query = encoder.encode_queries(["加强针怎么打"])[0]
    assert np.allclose(first.cosine_all(query), second.cosine_all(query))


def test_scores_are_cosines_higher_is_more_similar(tmp_path, passages):
    encoder = HashingEncoder()
    index = _build(tmp_path, passages, encoder)
    text = passages[5].text
    scores = index.cosine_all(encoder.encode_queries([text])[0])
    assert scores.max() == pytest.approx(1.0, abs=1e-5)
    assert int(np.argmax(scores)) == 5
    assert scores.min() >= -1.0 - 1e-5


def test_rebuild_when_data_changes(tmp_path, passages, caplog):
    encoder = HashingEncoder()
    _build(tmp_path, passages, encoder)
    edited = [dataclasses.replace(passages[0], text="完全不同的问题？")] + passages[1:]
    with caplog.at_level(logging.WARNING, logger="bot.retrieval.vector_index"):
        index = _build(tmp_path, edited, encoder)
    assert index.built
    assert "passages_sha256 changed" in caplog.text
    assert not _build(tmp_path, edited, encoder).built


def test_rebuild_when_model_changes(tmp_path, passages, caplog):
    _build(tmp_path, passages, HashingEncoder(name="model-a"))
    with caplog.at_level(logging.WARNING, logger="bot.retrieval.vector_index"):
        index = _build(tmp_path, passages, HashingEncoder(name="model-b"))
    assert index.built
    assert "model_id changed" in caplog.text


def test_rebuild_when_prompt_changes(tmp_path, passages, caplog):
    encoder = HashingEncoder()
    _build(tmp_path, passages, encoder)
    with caplog.at_level(logging.WARNING, logger="bot.retrieval.vector_index"):
        index = load_or_build(tmp_path, passages, encoder, passage_prompt="doc: ", query_prompt="query: ")
    assert index.built and "passage_prompt changed" in caplog.text


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda d: (d / INDEX_FILE).write_bytes(b"not a faiss index"), "does not match its manifest"),
        (lambda d: (d / INDEX_FILE).write_bytes((d / INDEX_FILE).read_bytes()[:100]), "does not match its manifest"),
        (lambda d: (d / INDEX_FILE).unlink(), "no index file"),
        (lambda d: (d / MANIFEST_FILE).unlink(), "no manifest"),
        (lambda d: (d / MANIFEST_FILE).write_text("{broken json"), "manifest unreadable"),
        (lambda d: (d / MANIFEST_FILE).write_text("[1, 2]"), "not a JSON object"),
    ],
)
def test_rebuild_on_missing_or_corrupt_files(tmp_path, passages, caplog, damage, reason):
    encoder = HashingEncoder()
    _build(tmp_path, passages, encoder)
    damage(tmp_path)
    with caplog.at_level(logging.WARNING, logger="bot.retrieval.vector_index"):
        index = _build(tmp_path, passages, encoder)
    assert index.built and index.size == len(passages)
    assert reason in caplog.text
    assert not _build(tmp_path, passages, encoder).built  # repaired on disk


def test_corrupt_index_matching_its_manifest_hash_is_still_caught(tmp_path, passages, caplog):
    # Garbage whose sha256 was (wrongly) recorded: faiss itself must refuse it.
    encoder = HashingEncoder()
    _build(tmp_path, passages, encoder)
    (tmp_path / INDEX_FILE).write_bytes(b"garbage")
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    import hashlib

    manifest["index_sha256"] = hashlib.sha256(b"garbage").hexdigest()
    (tmp_path / MANIFEST_FILE).write_text(json.dumps(manifest))
    with caplog.at_level(logging.WARNING, logger="bot.retrieval.vector_index"):
        assert _build(tmp_path, passages, encoder).built
    assert "index file unreadable" in caplog.text


def test_unwritable_cache_still_returns_an_index(tmp_path, passages, caplog):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING, logger="bot.retrieval.vector_index"):
        index = _build(blocker / "idx", passages, HashingEncoder())
    assert index.size == len(passages)
    assert "in memory only" in caplog.text


def test_empty_passage_list(tmp_path):
    index = _build(tmp_path, [], HashingEncoder())
    assert index.size == 0
    assert index.cosine_all(np.ones(256, dtype=np.float32)).shape == (0,)


def test_from_vectors_rejects_bad_shapes():
    with pytest.raises(ValueError):
        VectorIndex.from_vectors(np.zeros(5, dtype=np.float32))


def test_retriever_rebuilds_when_faq_file_changes(tmp_path):
    """End to end through the settings: edit data/faq.yml -> new index."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / "faq.yml", data / "faq.yml")
    shutil.copy(ROOT / "data" / "articles.yml", data / "articles.yml")
    settings = load_settings().model_copy(
        update={
            "faq_path": data / "faq.yml",
            "articles_path": data / "articles.yml",
            "index_dir": tmp_path / "index",
        }
    )
    assert build_retriever(settings, encoder=HashingEncoder()).vector_index.built
    assert not build_retriever(settings, encoder=HashingEncoder()).vector_index.built
    faq_text = (data / "faq.yml").read_text(encoding="utf-8")
    (data / "faq.yml").write_text(
        faq_text.replace("question: 加强针怎么打？", "question: 加强针该怎么打？"), encoding="utf-8"
    )
    retriever = build_retriever(settings, encoder=HashingEncoder())
    assert retriever.vector_index.built
    assert any(p.text == "加强针该怎么打？" for p in retriever.passages)
