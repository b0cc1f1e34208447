"""Bad input fails with IngestError naming the file, and writes nothing."""

from pathlib import Path

import pytest

from bot.ingest.errors import IngestError
from bot.ingest.pipeline import ingest_all, load_articles, load_faqs

NO_QA_PAGE = "市委常委会召开会议\n\n本报讯（记者 甲）会议研究了有关工作。\n"
QA_PAGE = "防疫问答\n\n本报讯（记者 乙）专家答疑。\n\n问：要接种吗？\n答：要。\n"


def _manifest(tmp_path: Path, page: bytes, extra: str = "") -> Path:
    (tmp_path / "page.txt").write_bytes(page)
    manifest = tmp_path / "sources.yml"
    manifest.write_text(
        'sources:\n  - id: test_page\n    file: page.txt\n    newspaper: 测试报\n    date: "2024-01"\n' + extra,
        encoding="utf-8",
    )
    return manifest


def _ingest(tmp_path: Path, manifest: Path):
    return ingest_all(manifest, tmp_path / "out" / "articles.yml", tmp_path / "out" / "faq.yml")


@pytest.mark.parametrize(
    "page, message",
    [
        (b"", "page.txt: source file is empty"),
        (b"\n \n\t\n", "page.txt: source file is empty"),
        (NO_QA_PAGE.encode("utf-8"), "page.txt: no 问：/答： pairs"),
        ("本报讯没有标题的一段文字。".encode("utf-8"), "page.txt: no articles found"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "page.txt: not valid UTF-8"),
        (QA_PAGE.encode("gbk"), "page.txt: not valid UTF-8"),
        (b"\x00\x01\x02binary", "page.txt: contains control characters"),
    ],
)
def test_bad_pages(tmp_path, page, message):
    manifest = _manifest(tmp_path, page)
    with pytest.raises(IngestError, match=message):
        _ingest(tmp_path, manifest)
    assert not (tmp_path / "out").exists()


def test_good_minimal_page_passes(tmp_path):
    _, faqs = _ingest(tmp_path, _manifest(tmp_path, QA_PAGE.encode("utf-8")))
    assert [(p.question, p.answer) for p in faqs] == [("要接种吗？", "要。")]


def test_missing_source_file(tmp_path):
    manifest = _manifest(tmp_path, b"")
    (tmp_path / "page.txt").unlink()
    with pytest.raises(IngestError, match="page.txt: cannot read"):
        _ingest(tmp_path, manifest)


def test_manifest_ids_must_match_the_pair_count(tmp_path):
    manifest = _manifest(tmp_path, QA_PAGE.encode("utf-8"), "    faq_ids:\n      防疫问答: [one, two]\n")
    with pytest.raises(IngestError, match="lists 2 faq_ids for '防疫问答' but the article has 1"):
        _ingest(tmp_path, manifest)


def test_manifest_ids_must_name_an_existing_title(tmp_path):
    manifest = _manifest(tmp_path, QA_PAGE.encode("utf-8"), "    faq_ids:\n      不存在的标题: [one]\n")
    with pytest.raises(IngestError, match="no article has that title"):
        _ingest(tmp_path, manifest)


def test_malformed_manifest(tmp_path):
    manifest = tmp_path / "sources.yml"
    manifest.write_text("sources:\n  - id: x\n    date: 2024-01-01\n", encoding="utf-8")
    with pytest.raises(IngestError, match="sources.yml: source #1: 'file'"):
        _ingest(tmp_path, manifest)


def test_loaders_reject_foreign_files(tmp_path):
    bogus = tmp_path / "faq.yml"
    bogus.write_text("faqs: [{id: x}]\n", encoding="utf-8")
    with pytest.raises(IngestError, match="faq.yml: FaqPair #1 lacks"):
        load_faqs(bogus)
    bogus.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(IngestError, match="faq.yml"):
        load_articles(bogus)
