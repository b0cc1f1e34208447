"""What a short follow-up adds to the conversation: its focus.

那智飞的呢 adds a vaccine; 那孕妇呢 a group the explainer never mentions;
要隔多久 only an aspect of the current topic. The follow-up logic
(bot/answering/follow_up.py) continues the topic, declines, or leads the reply
with the sentences about the focus accordingly. Word lists live in
data/dictionary/follow_up.yml; vaccines in data/dictionary/vaccines.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

import yaml

from bot.dialogue.vaccines import VaccineCatalog, VaccineMention
from bot.dialogue.vaccines import catalog as default_catalog
from bot.dialogue.word_lists import word_list
from bot.paths import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "data" / "dictionary" / "follow_up.yml"

# 那X呢, X的呢, 那X的话: the X is all the turn says.
_ELLIPSIS = re.compile(r"^(?:那么|那|还有|要是|如果是|换成)?(.{1,12}?)(?:的)?(?:呢|的话)[?？。!！~～]*$")
_CUE = re.compile(r"^(?:那么|那|还有|要是|如果是|换成|那要是|那如果)")
_PUNCT = re.compile(r"[\s,，.。!！?？~～、:：;；\"“”'‘’()（）]+")
_TAIL = re.compile(r"(?:的)?(?:呢|的话)?[?？。!！~～]*$")
# An age (17岁, 六十多岁) asks what the explainer says about ages.
_AGE = re.compile(r"[0-9零〇一二两三四五六七八九十]+多?(?:周岁|岁)")
# jieba parts of speech that name a thing: nouns, names, nominal verbs and
# adjectives, idioms, Latin words, abbreviations (房贷).
NOUN_FLAGS = frozenset({"n", "nr", "nrt", "ns", "nt", "nz", "ng", "vn", "an", "eng", "i", "j"})
# 那打加强针的呢: the verb is not part of the subject swapped in.
_SUBJECT_VERB = re.compile(r"^(?:打|接种|打的|接种的)")
_NUMBER_WORD = re.compile(r"^[0-9零〇一二两三四五六七八九十百]+(?:个|岁|周岁|月|剂|针|次)?")


@dataclass(frozen=True)
class Aspect:
    name: str
    words: Tuple[str, ...]
    sentences_with: Tuple[str, ...]  # marks the explainer's sentences about it
    label: str = ""  # how a decline names it (智飞龙科马的接种间隔)
    # The vaccine and the marker must share a clause, not only a sentence: the
    # 混打 sentence names 智飞龙科马 in one clause and 2剂次 (of the inactivated
    # vaccine) in another, which says nothing of 智飞龙科马's doses.
    same_clause: bool = False


@dataclass(frozen=True)
class FocusRules:
    pronouns: Tuple[str, ...]
    filler: frozenset
    aspects: Tuple[Aspect, ...]
    age_group: Aspect
    not_covered: Tuple[str, ...]
    subjects: Tuple[str, ...] = ()  # what the explainer's questions are about (疫苗, 加强针…)
    count_words: Tuple[str, ...] = ()  # 打了多少, 覆盖率: asks a figure
    uncounted_groups: Tuple[str, ...] = ()  # 加强针, 老人: groups the figures are never given for
    negatable: Tuple[str, ...] = ()  # 阳过: not asked about after a negation (没阳过的)
    negations: Tuple[str, ...] = ()
    comparisons: Tuple[str, ...] = ()  # 哪个好: uncovered only between two things (科兴和国药哪个好)
    compared_by: Tuple[str, ...] = ()

    def uncovered(self, text: str) -> List[Tuple[str, int, int]]:
        """The curated subjects in `text` with their spans: `not_covered`,
        except a negated `negatable` one, and a `comparisons` word only where
        something is compared (和, 还是…)."""
        compares = any(word in text for word in self.compared_by)
        found = []
        for word, start, end in _find_words(text, (*self.not_covered, *self.comparisons)):
            if word in self.negatable and text[:start].rstrip().endswith(self.negations):
                continue
            if word in self.comparisons and word not in self.not_covered and not compares:
                continue
            found.append((word, start, end))
        return sorted(found, key=lambda hit: hit[1])

    def never_covered(self, normalized: str) -> Tuple[str, ...]:
        """What `normalized` asks that the explainer never covers: a curated
        subject (孕妇, 发烧…), or a figure for a group the progress figures
        never break out (加强针打了多少人 -> 加强针的接种人数)."""
        found = [word for word, _, _ in self.uncovered(normalized)]
        if any(word in normalized for word in self.count_words):
            found += [f"{group}的接种数据" for group in self.uncounted_groups if group in normalized]
        return tuple(found)


@dataclass(frozen=True)
class Focus:
    text: str  # the normalised turn
    vaccines: Tuple[VaccineMention, ...] = ()
    aspects: Tuple[Aspect, ...] = ()  # what it asks about the topic (interval, doses, …), incl. age groups
    terms: Tuple[str, ...] = ()  # other content words the explainer uses
    uncovered: Tuple[str, ...] = ()  # words of things the explainer never covers
    pronoun: bool = False  # 它/这个…: refers back to the conversation's vaccine
    ellipsis: bool = False  # 那X呢: X is all the turn says
    cue: bool = False  # starts like a continuation (那…, 还有…)
    subject: Optional[str] = None  # 那加强针呢: the X of 那X呢 when it is one of the rules' subjects

    @property
    def elliptical(self) -> bool:
        """Needs the topic to be understood: a pronoun, 那X呢, or a question with
        no subject of its own (怎么打, 要隔多久)."""
        return self.pronoun or self.ellipsis or not self.terms

    @property
    def anchored(self) -> bool:
        """Says something a topic could be about: a vaccine, an aspect, a
        pronoun, a subject or a content word of two characters or more. 明天大同
        下雨不 has only 不 (the explainer uses it too): nothing ties it to the
        conversation's topic."""
        return bool(
            self.vaccines or self.aspects or self.pronoun or self.subject or any(len(t) > 1 for t in self.terms)
        )

    @property
    def lead_markers(self) -> Tuple[str, ...]:
        """Words marking the sentences a reply should lead with (besides vaccines)."""
        return tuple(m for aspect in self.aspects for m in aspect.sentences_with)


def load_rules(path: Path = DEFAULT_PATH) -> FocusRules:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}

    def words(value, where) -> Tuple[str, ...]:
        return word_list(value, where, path, allow_empty=True)

    aspects = tuple(
        Aspect(
            str(a["name"]),
            words(a.get("words"), f"aspects.{a.get('name')}.words"),
            tuple(a.get("sentences_with") or ()),
            str(a.get("label") or a["name"]),
            bool(a.get("same_clause", False)),
        )
        for a in raw.get("aspects") or ()
    )
    groups = raw.get("age_groups") or {}
    age_group = Aspect(
        "age_group", words(groups.get("words"), "age_groups.words"), tuple(groups.get("sentences_with") or ())
    )
    return FocusRules(
        words(raw.get("pronouns"), "pronouns"),
        frozenset(words(raw.get("filler"), "filler")),
        aspects,
        age_group,
        words(raw.get("not_covered"), "not_covered"),
        words(raw.get("subjects") or [], "subjects"),
        words((raw.get("uncounted") or {}).get("counts") or [], "uncounted.counts"),
        words((raw.get("uncounted") or {}).get("groups") or [], "uncounted.groups"),
        words(raw.get("negatable") or [], "negatable"),
        words(raw.get("negations") or [], "negations"),
        words(raw.get("comparisons") or [], "comparisons"),
        words(raw.get("compared_by") or [], "compared_by"),
    )


def _remove(text: str, spans: Iterable[Tuple[int, int]]) -> str:
    """Blanks the spans (keeps positions, so words on either side stay apart)."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


def _find_words(text: str, words: Sequence[str]) -> List[Tuple[str, int, int]]:
    """Non-overlapping occurrences of any of `words`, longest first."""
    found, taken = [], [False] * len(text)
    for word in sorted(set(words), key=len, reverse=True):
        for match in re.finditer(re.escape(word), text):
            if not any(taken[match.start() : match.end()]):
                found.append((word, match.start(), match.end()))
                for i in range(match.start(), match.end()):
                    taken[i] = True
    return found


class FocusReader:
    """Reads the focus of a turn against the explainer's own vocabulary."""

    def __init__(
        self,
        source_text: str,
        rules: Optional[FocusRules] = None,
        vaccines: Optional[VaccineCatalog] = None,
        normalize: Optional[Callable[[str], str]] = None,
        tag: Optional[Callable[[str], List[Tuple[str, str]]]] = None,
        stopwords: Optional[Iterable[str]] = None,
        vocabulary: Optional[Iterable[str]] = None,
    ):
        """`tag(text)` segments text into (word, part-of-speech) pairs (jieba's
        flags); the defaults are the project's normaliser, jieba with the domain
        dictionary, the retrieval stopwords, and the domain dictionary's words
        as `vocabulary`."""
        self.rules = rules or load_rules()
        self.vaccines = vaccines or default_catalog()
        if normalize is None:
            from bot.text.normalize import normalize_query

            normalize = normalize_query
        if stopwords is None:
            from bot.retrieval.tokenize import load_stopwords

            stopwords = load_stopwords()
        self._normalize = normalize
        self._tag = tag or jieba_tagger()
        self._stopwords = frozenset(stopwords) | self.rules.filler
        self.source_text = normalize(source_text)
        self._vocabulary = frozenset(
            normalize(w) for w in (vocabulary if vocabulary is not None else domain_vocabulary())
        )

    def covered(self, word: str) -> bool:
        """True when the explainer uses this word (after normalisation), or the
        project's domain vocabulary names it (新冠疫苗 for 新冠病毒疫苗), or it is
        two such words run together (新冠 + 疫苗)."""
        if word in self.source_text or word in self._vocabulary:
            return True
        return any(self._known(word[:i]) and self._known(word[i:]) for i in range(1, len(word)))

    def _known(self, part: str) -> bool:
        return part in self._stopwords or (len(part) > 1 and (part in self.source_text or part in self._vocabulary))

    def read(self, text: str) -> Focus:
        normalized = self._normalize(text or "")
        compact = _PUNCT.sub("", normalized)
        rules = self.rules
        removed: List[Tuple[int, int]] = []

        mentions = tuple(self.vaccines.scan(compact))
        removed += [(m.start, m.end) for m in mentions]
        blank = _remove(compact, removed)

        hits = rules.uncovered(blank)
        uncovered = [w for w, _, _ in hits]
        blank = _remove(blank, [(s, e) for _, s, e in hits])
        pronoun = bool(_find_words(blank, rules.pronouns))
        blank = _remove(blank, [(s, e) for _, s, e in _find_words(blank, rules.pronouns)])

        aspects: List[Aspect] = []
        for aspect in (*rules.aspects, rules.age_group):
            spans = [(s, e) for _, s, e in _find_words(blank, aspect.words)]
            if aspect is rules.age_group:
                spans += [m.span() for m in _AGE.finditer(blank)]
            if spans:
                aspects.append(aspect)
                blank = _remove(blank, spans)

        # The framing of a follow-up (那…呢) is not part of what it asks about.
        blank = _remove(blank, [m.span() for m in (_CUE.match(blank), _TAIL.search(blank)) if m])
        terms: List[str] = []
        for token, flag in self._tag(blank):
            token = token.strip()
            if not token or token in self._stopwords or _NUMBER_WORD.fullmatch(token):
                continue
            if self.covered(token):
                terms.append(token)
            elif len(token) > 1 and flag in NOUN_FLAGS:
                # A thing the explainer never names (孕妇, 政采贷). Other unknown
                # words (能选, 哪几种) are left alone: too many are just phrasing.
                uncovered.append(token)

        ellipsis_match = _ELLIPSIS.match(compact) if len(compact) <= 14 else None
        said = _SUBJECT_VERB.sub("", ellipsis_match.group(1)) if ellipsis_match else ""
        if said and not (mentions or aspects or terms or uncovered or pronoun or said in rules.subjects):
            # 那猫呢: all the turn adds is a thing the explainer never names, if only one character long.
            uncovered += [token for token, flag in self._tag(said) if flag in NOUN_FLAGS and not self.covered(token)]
        return Focus(
            normalized,
            mentions,
            tuple(aspects),
            tuple(terms),
            tuple(uncovered),
            pronoun,
            ellipsis_match is not None,
            bool(_CUE.match(compact)),
            self._subject(compact, said),
        )

    def _subject(self, compact_text: str, said: str) -> Optional[str]:
        """The subject a follow-up swaps in: the X of 那X呢 (那加强针呢), or the one
        subject word of a turn that starts like a continuation (那他能打加强针嘛)."""
        if said:
            return said if said in self.rules.subjects else None
        if not _CUE.match(compact_text):
            return None
        named = {word for word, _, _ in _find_words(compact_text, self.rules.subjects)}
        return named.pop() if len(named) == 1 else None


def domain_vocabulary() -> List[str]:
    """The words of the jieba user dictionary (data/dictionary/jieba/): the
    explainer's vocabulary as the project already curates it."""
    words = []
    for path in sorted((PROJECT_ROOT / "data" / "dictionary" / "jieba").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.split("#", 1)[0].strip().split(" ")[0]
            if word:
                words.append(word)
    return words


def jieba_tagger() -> Callable[[str], List[Tuple[str, str]]]:
    """jieba's part-of-speech tagger with the domain dictionary, on its own
    tokenizer (loaded on first use), so the global jieba is left untouched."""
    import logging
    import threading
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba 0.42 imports the deprecated pkg_resources
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    state = {}
    lock = threading.Lock()

    def tag(text: str) -> List[Tuple[str, str]]:
        with lock:
            if "tagger" not in state:
                tokenizer = jieba.Tokenizer()
                tokenizer.load_userdict(str(PROJECT_ROOT / "data" / "dictionary" / "jieba" / "user_dict.txt"))
                state["tagger"] = jieba.posseg.POSTokenizer(tokenizer)
        return [(pair.word, pair.flag) for pair in state["tagger"].lcut(text)]

    return tag


def compact(text: str) -> str:
    """The text without spaces and punctuation."""
    return _PUNCT.sub("", text or "")


def without_cue(text: str) -> str:
    """The turn without its continuation framing (那怎么打 → 怎么打)."""
    return _CUE.sub("", compact(text))


_CLAUSE_BREAK = re.compile(r"[，,；;：:]")


def clauses(sentences: Sequence[str]) -> List[str]:
    """The sentences cut at commas, semicolons and colons, in order."""
    return [c for s in sentences for c in _CLAUSE_BREAK.split(s) if c]


def sentences_about(sentences: Sequence[str], markers: Sequence[str]) -> List[str]:
    """The sentences that contain any of the markers, in their order."""
    return [s for s in sentences if any(m and m in s for m in markers)]
