"""The Arabic catalog is complete and the committed .mo is compiled from the committed .po.

Arabic is the default interface language, so an untranslated string is a visible bug. The
catalog is extracted with `django-admin makemessages -l ar` (run from src/pollguard) and
compiled with `compilemessages`; these tests catch a forgotten translation, a leftover fuzzy
entry and a .po edited without recompiling.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "src" / "pollguard" / "locale"
PO = LOCALE / "ar" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "ar" / "LC_MESSAGES" / "django.mo"


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (str or list) and flags.

    Enough of the format for a catalog written by gettext's own tools.
    """
    entries: list[dict[str, object]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        if not any(line.startswith("msgid") for line in lines):
            continue
        flags = [f for line in lines if line.startswith("#,") for f in line[2:].split(",")]
        fields: dict[str, list[str]] = {}
        current = ""
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"'):
                fields[current].append(line)
        plurals = sorted(k for k in fields if k.startswith("msgstr["))
        entries.append(
            {
                "msgid": _unquote(fields["msgid"]),
                "msgid_plural": _unquote(fields["msgid_plural"])
                if "msgid_plural" in fields
                else None,
                "msgstr": [_unquote(fields[k]) for k in plurals]
                if plurals
                else _unquote(fields.get("msgstr", ['""'])),
                "flags": [f.strip() for f in flags],
            }
        )
    return entries


ENTRIES = [e for e in parse_po(PO) if e["msgid"]]


def test_the_catalog_has_the_pages_and_the_models() -> None:
    ids = {e["msgid"] for e in ENTRIES}
    assert {"Election overview", "Map of polling centers", "polling center", "Log in"} <= ids


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    untranslated = [
        e["msgid"]
        for e in ENTRIES
        if (isinstance(e["msgstr"], list) and not all(e["msgstr"])) or not e["msgstr"]
    ]
    fuzzy = [e["msgid"] for e in ENTRIES if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_the_header_is_not_fuzzy_and_declares_arabic_plurals() -> None:
    header = PO.read_text(encoding="utf-8").split("\n\n", 2)
    first = next(block for block in header if 'msgid ""' in block)
    assert "#, fuzzy" not in first
    assert "Language: ar" in first
    assert "nplurals=6" in first


def test_the_compiled_catalog_matches_the_po() -> None:
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    stale = []
    for entry in ENTRIES:
        msgid = str(entry["msgid"])
        if entry["msgid_plural"] is None:
            if catalog.gettext(msgid) != entry["msgstr"]:
                stale.append(msgid)
            continue
        forms = entry["msgstr"]
        assert isinstance(forms, list)
        # Arabic plural forms: 0, 1, 2, 3-10, 11-99, 100+ (the header's plural rule).
        for n, form in zip((0, 1, 2, 3, 11, 100), forms, strict=True):
            if catalog.ngettext(msgid, str(entry["msgid_plural"]), n) != form:
                stale.append(f"{msgid} [{n}]")
    assert stale == [], "run compilemessages: the .mo is older than the .po"
