"""The chain-of-custody rules of the core: seal serials and the order of holders."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pollguard.core.custody import (
    SealCondition,
    Stage,
    check_seals,
    next_stage_ok,
    normalize_seal,
    parse_seals,
)


def test_arabic_indic_digits_and_spacing_fold_to_the_printed_serial() -> None:
    assert normalize_seal(" sl-٠٠١٢٣٤ ") == "SL-001234"
    assert normalize_seal("۰۰۱۲۳۴") == "001234"  # Persian digits too
    seals, problems = parse_seals(["SL-٠٠١٢٣٤", "sl-001235"])
    assert (seals, problems) == (["SL-001234", "SL-001235"], [])


def test_malformed_and_repeated_seals_are_named_by_position() -> None:
    _, problems = parse_seals(["SL-001234", "SL-1", "?", "sl-٠٠١٢٣٤"])
    assert [(p.file, p.kind) for p in problems] == [
        ("seals[1]", "seal_malformed"),
        ("seals[2]", "seal_malformed"),
        ("seals[3]", "seal_duplicate"),
    ]
    assert [p.kind for p in parse_seals([])[1]] == ["seals_required"]


def test_a_replaced_seal_is_a_mismatch_both_ways() -> None:
    checks = check_seals(["SL-0001", "SL-0002"], ["SL-0001", "SL-0999"], broken=[])
    assert {(c.serial, c.condition) for c in checks} == {
        ("SL-0001", SealCondition.INTACT),
        ("SL-0999", SealCondition.MISMATCH),
        ("SL-0002", SealCondition.MISMATCH),
    }
    assert check_seals(["SL-0001"], ["SL-0001"], broken=["SL-0001"])[0].condition is (
        SealCondition.BROKEN
    )


@given(st.sampled_from(list(Stage)), st.sampled_from(list(Stage)))
def test_only_the_next_holder_may_receive(giver: Stage, receiver: Stage) -> None:
    assert next_stage_ok(giver, receiver) == (receiver.value == giver.value + 1)
