"""Problems found in a user's input, rendered as `file:line: message` in English or Arabic.

The core cannot use Django's translation machinery, so its user-facing messages live in
one catalog here: each message kind has an English and an Arabic template with named
placeholders. Tests assert on `kind` (stable), never on the wording.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

Lang = str  # "en" or "ar"

# kind -> (English template, Arabic template). Placeholders use str.format names.
MESSAGES: dict[str, tuple[str, str]] = {}


def register_messages(catalog: Mapping[str, tuple[str, str]]) -> None:
    """Add message kinds to the catalog; a kind may be registered once only."""
    for kind, pair in catalog.items():
        if kind in MESSAGES and MESSAGES[kind] != pair:
            raise ValueError(f"message kind registered twice: {kind}")
        MESSAGES[kind] = pair


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can.

    `line` is the 1-based physical line of a CSV/YAML file (the header is line 1) or the
    row number of an XLSX sheet; None when the problem concerns the whole file.
    """

    file: str
    line: int | None
    kind: str
    params: Mapping[str, object] = field(default_factory=dict)
    column: str | None = None

    def message(self, lang: Lang = "en") -> str:
        en, ar = MESSAGES.get(self.kind, (self.kind, self.kind))
        template = ar if lang == "ar" else en
        values = {"column": self.column or "", **self.params}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return f"{template} {dict(values)!r}"

    def render(self, lang: Lang = "en") -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message(lang)}"


def user_language(explicit: str | None = None) -> Lang:
    """`--lang` wins; otherwise Arabic when LANGUAGE/LC_ALL/LC_MESSAGES/LANG starts with ar."""
    if explicit:
        return "ar" if explicit.lower().startswith("ar") else "en"
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ar" if value.lower().startswith("ar") else "en"
    return "en"


class InvalidInput(Exception):
    """Raised with every problem found, so callers report them all at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems

    def render(self, lang: Lang = "en") -> list[str]:
        return [p.render(lang) for p in self.problems]
