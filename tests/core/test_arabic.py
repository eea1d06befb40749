"""Arabic text normalization: the spelling variants Iraqi registers really contain."""

from __future__ import annotations

import pytest

from pollguard.core.arabic import matches, normalize, parse_int, parse_number, to_western_digits


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("الناصرية", "الناصريه"),  # ta marbuta typed as ha
        ("أحمد", "احمد"),  # hamza on alef dropped
        ("إحمد", "احمد"),  # hamza under alef
        ("آمنة", "امنه"),  # madda alef
        ("ٱلله", "الله"),  # wasla alef
        ("مُحَمَّد", "محمد"),  # harakat and shadda
        ("الرفاعى", "الرفاعي"),  # alef maqsura for ya
        ("الشـــطرة", "الشطرة"),  # tatweel
        ("مؤمن", "مومن"),  # hamza on waw
        ("هيئة", "هييه"),  # hamza on ya seat
        ("کاظم", "كاظم"),  # Persian keheh
        ("علی", "علي"),  # Farsi yeh
        ("رحمٰن", "رحمن"),  # superscript alef
        ("ﻻ", "لا"),  # presentation-form ligature, as copied from a PDF
        ("مركز ١٢", "مركز 12"),  # Arabic-Indic digits
        ("مركز ۱۲", "مركز 12"),  # Persian digits
        ("  سوق   الشيوخ ", "سوق الشيوخ"),  # spaces
        ("Suq al-SHUYUKH", "suq al-shuyukh"),  # Latin case
        ("\u200fالجبايش\u200e", "الجبايش"),  # bidi marks from a spreadsheet
    ],
)
def test_it_normalizes_spelling_variants_to_the_same_key(one: str, other: str) -> None:
    assert normalize(one) == normalize(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("الشطرة", "الشرطة"),  # shatra vs police: different words, same letters
        ("الرفاعي", "الفرات"),
        ("سوق", "صوق"),  # seen and sad are different letters
        ("حسن", "حسين"),  # different names
    ],
)
def test_it_keeps_different_names_apart(one: str, other: str) -> None:
    assert normalize(one) != normalize(other)


def test_it_keeps_the_definite_article() -> None:
    assert normalize("الناصرية") == "الناصريه"


def test_matches_finds_a_center_by_a_misspelled_part_of_its_name() -> None:
    assert matches("ناصريه", "إعدادية الناصرية للبنين")
    assert matches("احمد", "مدرسة أَحْمَد الوائلي")
    assert not matches("الشطرة", "إعدادية الناصرية")


def test_matches_with_an_empty_query_matches_everything() -> None:
    assert matches("  ", "أي نص")


def test_it_converts_arabic_indic_and_persian_digits_only() -> None:
    assert to_western_digits("مركز ١٢٣ / ۴۵۶") == "مركز 123 / 456"
    assert to_western_digits("٣٫٥") == "3.5"
    assert to_western_digits("١٢٬٠٠٠") == "12,000"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("١٢٣", 123.0),
        ("٣٫٥", 3.5),
        ("۳٫۵", 3.5),
        ("3.5", 3.5),
        (" 42 ", 42.0),
        ("-٤٦٫٢", -46.2),
        ("\u2212" + "7", -7.0),  # the Unicode minus sign Word and Excel like to use
        ("12,345", 12345.0),
        ("١٢٬٣٤٥٫٥", 12345.5),
        ("\u200f31.044", 31.044),  # a right-to-left mark before the number
        ("1e3", 1000.0),
    ],
)
def test_parse_number_reads_every_digit_system(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text", ["", " ", "abc", "3,5", "1,23", "nan", "inf", "1_000", "٣٫٥٫١", "12 34", "0x10"]
)
def test_parse_number_refuses_what_is_not_a_plain_number(text: str) -> None:
    with pytest.raises(ValueError, match="number"):
        parse_number(text)


@pytest.mark.parametrize(("text", "value"), [("١٢٣", 123), ("12", 12), ("12.0", 12), ("-۵", -5)])
def test_parse_int_reads_whole_numbers(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["12.5", "٣٫٥", "", "twelve"])
def test_parse_int_refuses_fractions_and_words(text: str) -> None:
    with pytest.raises(ValueError, match="number"):
        parse_int(text)


def test_parse_int_keeps_large_integers_exact() -> None:
    assert parse_int("12345678901234567890") == 12345678901234567890
