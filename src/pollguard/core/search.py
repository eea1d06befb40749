"""Forgiving search over a small set of named places: what a citizen types on a phone.

A citizen looking for a polling center types part of its name, its area or its code, in
Arabic or English, often with a letter missing, doubled or swapped for a look-alike. The
matching key is `pollguard.core.arabic.normalize` (hamza, ya and ta marbuta variants are
folded there); on top of it `SearchIndex` forgives a wrong letter by comparing trigrams,
the method of PostgreSQL's pg_trgm `word_similarity`, computed here in plain Python so it
behaves the same on SQLite and PostgreSQL:

- every word of an entry's text is padded ("  word ") and cut into overlapping
  three-character pieces; an inverted index maps each piece to the words holding it;
- a query's words are cut the same way; each query word is compared with the index's
  words (shared pieces over the larger number of pieces), an entry scores the mean of its
  best word per query word; a query that occurs literally in the entry's text scores above
  any fuzzy match, and an exact code first of all.

One missing or extra letter in a word of eight breaks three of its ten pieces, so the
threshold `MIN_SIMILARITY` (0.5) keeps such a match and drops unrelated names. Queries
shorter than three characters and numbers match literally only (their pieces would match
nearly everything; one wrong digit is another center). The index is built once per
published projection and kept by the caller (docs/benchmarks.md has the figures for 10,000
entries).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pollguard.core.arabic import normalize

MIN_SIMILARITY = 0.5
# A word: a run of letters and digits of any script; symbols, punctuation and the hyphen of
# a code ("C-0001" is the words "c" and "0001") separate words.
_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    """The normalized words of `text`; symbols and punctuation separate words."""
    return _WORD.findall(normalize(text))


def trigrams(word: str) -> set[str]:
    """The padded trigrams of one word, as pg_trgm cuts them ("ab" -> "  a", " ab", "ab ")."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _fuzzy(word: str) -> bool:
    """Whether a word may match with a wrong letter: not numbers (one wrong digit is another
    center), not words under three characters (their pieces match nearly everything)."""
    return len(word) >= 3 and not word.isdigit()


@dataclass(frozen=True)
class Hit:
    """One search result: the entry's position in the index and how well it matched."""

    index: int
    score: float


class SearchIndex:
    """A trigram index over the words of entries, each given by the texts it may be found by.

    `texts[i]` are the searchable texts of entry `i` (code, names, area names); the first
    one is its code, which an exact query ranks first.

    Scoring, per query word: its best similarity to any one word of the entry, where the
    similarity of two words is their shared trigrams over the larger trigram count (1.0 for
    the same word). The entry's fuzzy score is the mean over the query's words. The index
    is over the vocabulary (distinct words), so a query compares its words with each
    distinct word once, however many centers share it.
    """

    def __init__(self, texts: Sequence[Iterable[str]]) -> None:
        self._codes: list[str] = []
        self._keys: list[str] = []
        self._lengths: list[int] = []
        self._vocabulary: dict[str, int] = {}
        self._word_grams: list[int] = []  # trigram count per vocabulary word
        self._entries_of: list[list[int]] = []  # entries holding each vocabulary word
        self._grams: dict[str, list[int]] = {}  # trigram -> vocabulary words holding it
        for position, entry_texts in enumerate(texts):
            entry = list(entry_texts)
            self._codes.append(" ".join(words_of(entry[0])) if entry else "")
            words = [word for text in entry for word in words_of(text)]
            self._keys.append(" " + " ".join(words) + " ")
            self._lengths.append(len(words))
            for word in dict.fromkeys(words):
                if _fuzzy(word):
                    self._entries_of[self._word_id(word)].append(position)

    def _word_id(self, word: str) -> int:
        known = self._vocabulary.get(word)
        if known is not None:
            return known
        number = len(self._entries_of)
        self._vocabulary[word] = number
        self._entries_of.append([])
        grams = trigrams(word)
        self._word_grams.append(len(grams))
        for gram in grams:
            self._grams.setdefault(gram, []).append(number)
        return number

    def __len__(self) -> int:
        return len(self._keys)

    def _similar_words(self, word: str, min_similarity: float) -> dict[int, float]:
        """Vocabulary words similar to `word`, with their similarity."""
        grams = trigrams(word)
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(self._grams.get(gram, ()))
        similar: dict[int, float] = {}
        for number, count in shared.items():
            similarity = count / max(len(grams), self._word_grams[number])
            if similarity >= min_similarity:
                similar[number] = similarity
        return similar

    def search(self, query: str, *, min_similarity: float = MIN_SIMILARITY) -> list[Hit]:
        """Entries matching `query`, best first; among equals the shorter entry (fewer words
        beside the match), then index order. [] for an empty query."""
        words = words_of(query)
        if not words:
            return []
        phrase = " ".join(words)
        scores: dict[int, float] = {}
        for position, key in enumerate(self._keys):
            if phrase in key:
                # Literal matches outrank fuzzy ones (whose score is at most 1.0); an exact
                # code outranks everything.
                scores[position] = 3.0 if self._codes[position] == phrase else 2.0
        fuzzy_words = [word for word in words if _fuzzy(word)]
        if fuzzy_words:
            totals: dict[int, float] = {}
            for word in fuzzy_words:
                best: dict[int, float] = {}
                for number, similarity in self._similar_words(word, min_similarity).items():
                    for position in self._entries_of[number]:
                        if similarity > best.get(position, 0.0):
                            best[position] = similarity
                for position, similarity in best.items():
                    totals[position] = totals.get(position, 0.0) + similarity
            for position, total in totals.items():
                score = total / len(words)
                if score >= min_similarity and position not in scores:
                    scores[position] = score
        ranked = sorted(
            scores.items(), key=lambda item: (-round(item[1], 6), self._lengths[item[0]], item[0])
        )
        return [Hit(position, score) for position, score in ranked]
