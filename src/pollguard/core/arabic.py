"""Arabic text for matching, searching and reading numbers.

One module decides how Arabic names are compared everywhere (the package reader, the
registry search, the public "find your center" page, incident intake from SMS), so that
"الناصرية" typed on a phone finds "الناصريه" typed in a spreadsheet.

`normalize` is lossy on purpose: it is a *matching key*, never something to store or show.
Names are always kept and displayed as the user wrote them.
"""

from __future__ import annotations

import math
import re
import unicodedata

# Arabic-Indic (U+0660..U+0669, used in Iraq) and Extended Arabic-Indic (U+06F0..U+06F9,
# the Persian/Urdu forms that Kurdish and Persian keyboards produce) digits, plus the Arabic
# decimal separator (U+066B) and thousands separator (U+066C).
_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬",
    "01234567890123456789.,",
)

# Invisible characters that spreadsheets and phones slip into Arabic text: bidi marks (LRM,
# RLM, ALM, embeddings and isolates), zero-width joiners and the BOM. They change nothing a
# reader sees but make two equal-looking strings differ.
_INVISIBLE = dict.fromkeys(
    [
        0x200B,  # zero width space
        0x200C,  # zero width non-joiner (Persian half-space)
        0x200D,  # zero width joiner
        0x200E,  # left-to-right mark
        0x200F,  # right-to-left mark
        0x061C,  # Arabic letter mark
        0xFEFF,  # byte order mark / zero width no-break space
        *range(0x202A, 0x202F),  # bidi embeddings and overrides
        *range(0x2066, 0x206A),  # bidi isolates
    ]
)

# Characters removed for matching: tatweel (kashida, a purely typographic stretch), the
# harakat and other combining marks (short vowels, shadda, sukun, tanween, maddah, hamza
# marks), the superscript (dagger) alef, and Quranic annotation signs. Names in registers are
# written with or without vowels at the writer's whim; meaning does not change.
_MARKS = dict.fromkeys(
    [
        0x0640,  # tatweel
        *range(0x0610, 0x061B),  # Quranic honorifics and small letters
        *range(0x064B, 0x0660),  # fathatan .. wavy hamza below (harakat, shadda, sukun, ...)
        0x0670,  # superscript alef
        *range(0x06D6, 0x06DD),  # Quranic small high ligatures and signs
        *range(0x06DF, 0x06E9),  # Quranic small high/low signs
        *range(0x06EA, 0x06EE),  # Quranic empty centre stops, small low meem
    ]
)

# Letters folded into one form. These are the spelling variations Iraqi clerks and keyboards
# actually produce for the same name:
# - hamza on or under alef, madda alef and wasla alef are written as bare alef most of the
#   time ("احمد" for "أحمد");
# - alef maqsura and ya are swapped freely at the end of a word ("الرفاعى"/"الرفاعي"),
#   and Persian/Kurdish keyboards type Farsi yeh (U+06CC) and keheh (U+06A9);
# - ta marbuta is often typed as ha ("الناصريه"), and Urdu/Kurdish keyboards give other
#   ha forms;
# - hamza on waw and on ya seat are commonly dropped to the bare seat.
_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ۀ": "ه",
        "ھ": "ه",
        "ە": "ه",
        "ک": "ك",
    }
)

_TRANSLATE = {**_INVISIBLE, **_MARKS}


def to_western_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits with 0-9, ٫ with "." and ٬ with ",".

    Only digits and the two numeric separators change; everything else is left alone, so
    this is safe on whole sentences ("مركز ١٢" becomes "مركز 12").
    """
    return text.translate(_DIGITS)


def normalize(text: str) -> str:
    """Return the matching key of `text` (see the module docstring; never display it).

    Steps, each for a reason:
    1. NFKC folds Arabic presentation forms (from text copied out of PDFs and old systems),
       the lam-alef ligatures and full-width Latin/digits to ordinary characters.
    2. Invisible bidi and zero-width characters, tatweel, harakat, the superscript alef and
       Quranic marks are removed: they do not change which name is meant.
    3. Alef, ya, ta marbuta/ha, hamza-seat and Persian/Kurdish letter variants are folded
       (see `_LETTERS`).
    4. Digits become Western digits, so "١٢" matches "12".
    5. Latin text is case-folded and runs of whitespace become one space.

    The definite article "ال" is kept: stripping it would make "الشطرة" match any word
    containing "شطره" and confuse distinct place names.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_TRANSLATE)
    text = text.translate(_LETTERS)
    text = to_western_digits(text)
    return " ".join(text.casefold().split())


def matches(query: str, text: str) -> bool:
    """True when the normalized `query` occurs in the normalized `text`.

    An empty (or whitespace-only) query matches everything, as an empty search box does.
    """
    return normalize(query) in normalize(text)


# A plain decimal number after digit folding: optional sign, digits with an optional
# fraction, optional exponent. Written out because float() also accepts "nan", "inf" and
# "1_000", none of which a user means in a spreadsheet cell.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
# Thousands separators are accepted only in their exact grouping ("12,345" or "12,345.5"),
# because "3,5" is a decimal number in much of the world and guessing would be wrong.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _clean_number(text: str) -> str:
    if text.isascii():  # the common case, and 3x faster than folding (national packages)
        text = text.strip()
    else:
        text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
        text = to_western_digits(text).strip().replace("\u2212", "-")  # minus sign
    if "," in text:
        if not _GROUPED.fullmatch(text):
            raise ValueError(f"not a number: {text!r}")
        text = text.replace(",", "")
    return text


def parse_number(text: str) -> float:
    """Read a number written with Western, Arabic-Indic or Persian digits.

    Accepts "3.5", "٣٫٥", "۳.۵", "12,345" and "١٢٬٣٤٥"; raises ValueError for anything else,
    including empty text, NaN and infinities.
    """
    cleaned = _clean_number(text)
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(f"not a number: {text!r}")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def parse_int(text: str) -> int:
    """Read a whole number in any of the digit systems `parse_number` accepts.

    "12" and "١٢" give 12; "12.0" is accepted too, because spreadsheets write whole numbers
    that way, but "12.5" raises ValueError.
    """
    cleaned = _clean_number(text)
    if _INTEGER.fullmatch(cleaned):
        return int(cleaned)
    value = parse_number(cleaned)
    if not value.is_integer():
        raise ValueError(f"not a whole number: {text!r}")
    return int(value)
