"""The forgiving search of the public page (pollguard.core.search), without Django."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pollguard.core.search import SearchIndex, trigrams, words_of

NAMES = [
    ["C-0001", "مدرسة الحكمة الابتدائية - الناصرية", "Al-Hikma Primary School", "البلدة"],
    ["C-0002", "ثانوية سيبويه للبنات - الناصرية", "Sibawayh Girls Secondary", "البلدة"],
    ["C-0010", "مدرسة الحكيم", "Al-Hakim School", "الرفاعي"],
    ["C-0120", "إعدادية الغراف", "Al-Gharraf Preparatory", "الشطرة"],
]
INDEX = SearchIndex(NAMES)
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def top(query: str) -> int | None:
    hits = INDEX.search(query)
    return hits[0].index if hits else None


def test_trigrams_are_padded_like_pg_trgm() -> None:
    assert trigrams("ab") == {"  a", " ab", "ab "}


def test_words_are_normalized_and_split_on_symbols() -> None:
    assert words_of("C-0001, مدرسةُ  الحكمة!") == ["c", "0001", "مدرسه", "الحكمه"]


def test_an_exact_code_ranks_first_and_numbers_are_never_fuzzy() -> None:
    assert top("C-0001") == 0
    assert [h.index for h in INDEX.search("0001")] == [0]
    assert INDEX.search("0003") == []


def test_spelling_variants_and_one_wrong_letter_still_find_the_center() -> None:
    assert top("مدرسه الحكمه") == 0  # ta marbuta as ha
    assert top("الابتداىيه") == 0  # hamza seat and ya variants
    assert top("الحمة") == 0  # a letter missing
    assert top("الحكمةة") == 0  # a letter doubled
    assert top("اعداديه الغراف") == 3  # hamza dropped
    assert top("hikam") == 0  # two letters swapped


def test_unrelated_or_empty_queries_find_nothing() -> None:
    assert INDEX.search("مستشفى") == []
    assert INDEX.search("") == []
    assert INDEX.search("!!! ???") == []


@settings(max_examples=60, deadline=None)
@given(
    word=st.text(alphabet=ARABIC_LETTERS, min_size=7, max_size=12),
    position=st.integers(min_value=1, max_value=5),
)
def test_a_word_of_seven_letters_or_more_is_found_with_one_letter_missing(
    word: str, position: int
) -> None:
    index = SearchIndex([["C-1", "مدرسة " + word], ["C-2", "ثانوية الفرات"]])
    misspelled = word[:position] + word[position + 1 :]
    assert 0 in [hit.index for hit in index.search(misspelled)]
