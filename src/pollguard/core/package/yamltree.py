"""election.yaml as a tree of raw scalars that remember their line.

We compose YAML into nodes instead of loading it into Python values for two reasons:
messages must point at the line of the offending key, and YAML 1.1's implicit typing
would silently change a user's values (an unquoted `07:00` is the integer 420, `no` is
False, `2010-03-04` a date). Scalars stay the text the user wrote; the reader types them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from pollguard.core.problems import Problem

YAML_FILE = "election.yaml"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_MAX_DEPTH = 32  # deeper than any real election.yaml; stops recursive aliases


@dataclass(slots=True)
class YScalar:
    """A scalar as written; `value` None for an unquoted null (`~`, `null`, nothing)."""

    value: str | None
    line: int


@dataclass(slots=True)
class YSeq:
    """A YAML sequence."""

    items: list[YNode]
    line: int


@dataclass(slots=True)
class YMap:
    """A YAML mapping: key -> (line of the key, value node)."""

    items: dict[str, tuple[int, YNode]] = field(default_factory=dict)
    line: int = 1


YNode = YScalar | YSeq | YMap


class _TooDeep(Exception):
    pass


def _convert(node: yaml.Node, problems: list[Problem], depth: int = 0) -> YNode:
    line = node.start_mark.line + 1
    if depth > _MAX_DEPTH:
        raise _TooDeep(line)
    if isinstance(node, yaml.ScalarNode):
        value: str = node.value
        if node.style is None and value in _NULLS:
            return YScalar(None, line)
        return YScalar(value, line)
    if isinstance(node, yaml.SequenceNode):
        return YSeq([_convert(item, problems, depth + 1) for item in node.value], line)
    assert isinstance(node, yaml.MappingNode)
    mapping = YMap(line=line)
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
        key = str(key).strip()
        if key in mapping.items:
            first_line = mapping.items[key][0]
            problems.append(
                Problem(
                    YAML_FILE,
                    key_line,
                    "duplicate_key",
                    {"value": key, "first_line": first_line},
                    column="key",
                )
            )
            continue
        child = _convert(value_node, problems, depth + 1)
        if isinstance(child, YMap):
            # A missing key of a nested mapping is reported on the line naming the mapping
            # ("election:"), not on the line of its first key.
            child.line = key_line
        mapping.items[key] = (key_line, child)
    return mapping


def parse_yaml(text: str) -> tuple[YNode | None, list[Problem]]:
    """The node tree of `text`, or the syntax problem with its line."""
    problems: list[Problem] = []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        return None, [Problem(YAML_FILE, line, "yaml_syntax", {"detail": detail})]
    except yaml.YAMLError as exc:
        return None, [Problem(YAML_FILE, None, "yaml_syntax", {"detail": str(exc)})]
    if node is None:
        return None, [Problem(YAML_FILE, None, "empty_file")]
    try:
        return _convert(node, problems), problems
    except _TooDeep as exc:
        detail = "nested too deeply (a recursive alias?)"
        return None, [Problem(YAML_FILE, int(exc.args[0]), "yaml_syntax", {"detail": detail})]
