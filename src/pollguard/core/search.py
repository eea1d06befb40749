"""Forgiving search over a small set of named places: what a citizen types on a phone.

A citizen looking for a polling center types part of its name, its area or its code, in
Arabic or English, often with a letter missing, doubled or swapped for a look-alike. The
matching key is `pollguard.core.arabic.normalize` (hamza, ya and ta marbuta variants are
folded there); on top of it `SearchIndex` forgives a wrong letter by comparing trigrams,
the method of PostgreSQL's pg_trgm `word_similarity`, computed here in plain Python so it
behaves the same on SQLite and PostgreSQL:

- every word of an entry's text is padded ("  word ") and cut into overlapping
  three-character pieces; an inverted index maps each piece to the entries holding it;
- a query's words are cut the same way; an entry's score is the share of the query's
  pieces it holds (1.0: every piece); a query that occurs literally in the entry's text
  scores above any fuzzy match, and an exact code first of all.

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
    """An inverted trigram index over entries, each given by the texts it may be found by.

    `texts[i]` are the searchable texts of entry `i` (code, names, area names); the first
    one is its code, which an exact query ranks first.
    """

    def __init__(self, texts: Sequence[Iterable[str]]) -> None:
        self._codes: list[str] = []
        self._keys: list[str] = []
        self._grams: dict[str, list[int]] = {}
        for position, entry_texts in enumerate(texts):
            entry = list(entry_texts)
            self._codes.append(" ".join(words_of(entry[0])) if entry else "")
            words = [word for text in entry for word in words_of(text)]
            self._keys.append(" " + " ".join(words) + " ")
            grams: set[str] = set()
            for word in words:
                if _fuzzy(word):
                    grams |= trigrams(word)
            for gram in grams:
                self._grams.setdefault(gram, []).append(position)

    def __len__(self) -> int:
        return len(self._keys)

    def search(self, query: str, *, min_similarity: float = MIN_SIMILARITY) -> list[Hit]:
        """Entries matching `query`, best first (ties in index order); [] for an empty query."""
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
        query_grams: set[str] = set()
        for word in words:
            if _fuzzy(word):
                query_grams |= trigrams(word)
        if query_grams:
            shared: Counter[int] = Counter()
            for gram in query_grams:
                shared.update(self._grams.get(gram, ()))
            total = len(query_grams)
            for position, count in shared.items():
                score = count / total
                if score >= min_similarity and position not in scores:
                    scores[position] = score
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [Hit(position, score) for position, score in ranked]
