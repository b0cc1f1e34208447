"""Hybrid retrieval: dense cosine + BM25, fused into one score per passage."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.retrieval.bm25 import BM25
from bot.retrieval.fusion import FusionWeights, fuse, saturate_bm25
from bot.retrieval.passages import Passage, build_passages
from bot.retrieval.question_bank import BankMatch, load_training_questions, match, question_keys
from bot.retrieval.settings import RetrievalSettings, encoder_model_path, load_settings, prompt_overrides
from bot.retrieval.tokenize import Tokenizer, load_stopwords
from bot.retrieval.vector_index import PassageEncoder, VectorIndex, load_or_build
from bot.text.homophones import default_corrector
from bot.text.normalize import Normalizer, load_synonyms

logger = logging.getLogger(__name__)
# Shared default for Retriever(fusion=...): FusionWeights is frozen, so one instance serves every call.
DEFAULT_FUSION = FusionWeights()


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # fused; higher means more relevant
    vector_score: float  # cosine similarity, higher means more similar
    bm25_score: float  # raw Okapi BM25 (0 = no shared term)
    bm25_norm: float  # bm25 / (bm25 + saturation), in [0, 1)

    @property
    def faq_id(self) -> str | None:
        return self.passage.faq_id


@dataclass(frozen=True)
class FaqScore:
    faq_id: str
    score: float  # max fused score over this FAQ's passages
    best: Hit  # the passage that earned it


@dataclass(frozen=True)
class Analysis:
    """Everything retrieval says about one question, from one encoding of it."""

    faqs: list[FaqScore]  # best first, as search_faq
    bank: BankMatch | None  # similarity to the training paraphrases, when a question bank is loaded
    # Every passage's hit, in passage order: lets answering pick the sentence
    # inside an answer that a question targets (bot/answering/targeted.py).
    hits: list[Hit] = dataclasses.field(default_factory=list)


class Retriever:
    """Answers "which passages / FAQs match this question?".

    Construct it once per process (see :func:`build_default_retriever`): the
    encoder model and the jieba dictionary are loaded here, not per query.
    """

    def __init__(
        self,
        passages: Sequence[Passage],
        encoder: PassageEncoder,
        vector_index: VectorIndex,
        tokenizer: Tokenizer,
        normalizer: Normalizer,
        fusion: FusionWeights = DEFAULT_FUSION,
        bm25_k1: float = 1.2,
        bm25_b: float = 0.75,
        top_k: int = 5,
        max_query_chars: int = 200,
        index_dir: Path | None = None,
        bank_keys: Sequence[Passage] = (),
        bank_index: VectorIndex | None = None,
    ) -> None:
        if vector_index.size != len(passages):
            raise ValueError(f"vector index has {vector_index.size} vectors for {len(passages)} passages")
        self.passages = list(passages)
        self.encoder = encoder
        self.vector_index = vector_index
        self.tokenizer = tokenizer
        self.normalize = normalizer
        self.fusion = fusion
        self.top_k = top_k
        self.max_query_chars = max_query_chars
        self.index_dir = index_dir
        self.bm25 = BM25([tokenizer.tokenize(p.text) for p in self.passages], k1=bm25_k1, b=bm25_b)
        self.bank_keys = list(bank_keys)
        self.bank_index = bank_index

    def search(self, query: str, top_k: int | None = None) -> list[Hit]:
        """Best passages for ``query``, best first; [] for an empty query."""
        hits = self._score_all(query)
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[: top_k if top_k is not None else self.top_k]

    def search_faq(self, query: str) -> list[FaqScore]:
        """Every FAQ with its best passage's score, best FAQ first.

        Intro passages (faq_id None) belong to no FAQ and are left out.
        """
        return self._rank_faqs(self._score_all(query))

    def analyse(self, query: str) -> Analysis:
        """search_faq plus the question-bank match, encoding the query once."""
        text = self._prepare(query)
        if not text:
            return Analysis([], None)
        vector = self.encoder.encode_queries([text])[0]
        hits = self._score_all(query, vector)
        faqs = self._rank_faqs(hits)
        bank = None
        if self.bank_index is not None and self.bank_keys:
            bank = match(self.bank_keys, self.bank_index.cosine_all(vector))
        return Analysis(faqs, bank, hits)

    @staticmethod
    def _rank_faqs(hits: list[Hit]) -> list[FaqScore]:
        best: dict[str, Hit] = {}
        for hit in hits:
            faq_id = hit.passage.faq_id
            if faq_id is not None and (faq_id not in best or hit.score > best[faq_id].score):
                best[faq_id] = hit
        ranked = [FaqScore(faq_id, hit.score, hit) for faq_id, hit in best.items()]
        ranked.sort(key=lambda item: item.score, reverse=True)
        return ranked

    def describe(self) -> str:
        faqs = len({p.faq_id for p in self.passages if p.faq_id})
        model = getattr(self.encoder, "name", type(self.encoder).__name__)
        state = "built" if self.vector_index.built else "reused"
        return (
            f"{len(self.passages)} passages from {faqs} FAQs, {len(self.bank_keys)} training questions "
            f"in the question bank, model {model}, index {state} at {self.index_dir}"
        )

    def _score_all(self, query: str, query_vector: np.ndarray | None = None) -> list[Hit]:
        text = self._prepare(query)
        if not text or not self.passages:
            return []
        if query_vector is None:
            query_vector = self.encoder.encode_queries([text])[0]
        cosine = self.vector_index.cosine_all(query_vector).astype(np.float64)
        raw_bm25 = self.bm25.scores(self.tokenizer.tokenize(text))
        bm25_norm = saturate_bm25(raw_bm25, self.fusion.bm25_saturation)
        fused = fuse(cosine, bm25_norm, self.fusion)
        return [
            Hit(
                passage=passage,
                score=float(fused[i]),
                vector_score=float(cosine[i]),
                bm25_score=float(raw_bm25[i]),
                bm25_norm=float(bm25_norm[i]),
            )
            for i, passage in enumerate(self.passages)
        ]

    def _prepare(self, query: Any) -> str:
        if not isinstance(query, str):
            query = "" if query is None else str(query)
        # Cut before normalising too: NFKC/OpenCC on a pasted book is wasted work.
        text = self.normalize(query[: self.max_query_chars * 4])
        return text[: self.max_query_chars].strip()


def build_retriever(
    settings: RetrievalSettings,
    encoder: PassageEncoder | None = None,
    knowledge: KnowledgeBase | None = None,
) -> Retriever:
    """Assemble a Retriever from settings; loads the model and index, and the
    knowledge base unless the caller already holds it."""
    if knowledge is None:
        knowledge = load_knowledge_base(settings)
    faqs = knowledge.faqs
    passages = build_passages(knowledge.articles, faqs)
    normalizer = Normalizer(load_synonyms(settings.synonyms_path), default_corrector())
    tokenizer = Tokenizer(
        user_dict=settings.user_dict_path,
        stopwords=load_stopwords(settings.stopwords_path),
        normalizer=normalizer,
    )
    if encoder is None:
        from bot.embedding.loader import load_encoder

        encoder = load_encoder(
            encoder_model_path(settings),
            runtime=settings.runtime,
            threads=settings.threads,
            prompts=prompt_overrides(settings),
            precision=settings.precision,
        )
    # The prompts the encoder really applies (the model folder's, unless the
    # settings override them) are part of what the stored vectors depend on.
    prompts = {
        "passage_prompt": getattr(encoder, "passage_prompt", ""),
        "query_prompt": getattr(encoder, "query_prompt", ""),
    }
    vector_index = load_or_build(settings.index_dir, passages, encoder, **prompts)
    bank_keys = question_keys(load_training_questions(settings.nlu_dir), [f.id for f in faqs])
    bank_index = load_or_build(Path(settings.index_dir) / "question_bank", bank_keys, encoder, **prompts)
    return Retriever(
        passages,
        encoder,
        vector_index,
        tokenizer,
        normalizer,
        fusion=FusionWeights(settings.vector_weight, settings.bm25_weight, settings.bm25_saturation),
        bm25_k1=settings.bm25_k1,
        bm25_b=settings.bm25_b,
        top_k=settings.top_k,
        max_query_chars=settings.max_query_chars,
        index_dir=settings.index_dir,
        bank_keys=bank_keys,
        bank_index=bank_index,
    )


def build_default_retriever(settings: RetrievalSettings | None = None) -> Retriever:
    """A Retriever for ``settings`` (default: settings/retrieval.yml), built on
    every call. Servers keep theirs in the one process-wide cache,
    bot.answering.service.process_service."""
    return build_retriever(settings or load_settings())
