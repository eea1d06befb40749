"""The incident lifecycle as a table: to-state → (allowed from-states, roles, guards).

docs/operations.md shows the same table; `tests/web/test_incidents.py` checks that every
row of it holds here. Sector commanders act in their own sector only (`access.py`).

Guards:
- `reason`: a non-empty reason is required (rejecting, reopening).
- `master`: `duplicate_of` names another incident of the same election that is not itself
  a duplicate (the duplicate is linked to it, never deleted; its reporters carried over).
- `assignment`: the incident has a unit assigned (dispatch creates it; `dispatched` is only
  reached through `do_dispatch_unit`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pollguard.accounts.choices import Role
from pollguard.operations.choices import IncidentState as S

_ROOM = frozenset({Role.CHAIR, Role.OPERATIONS})
_ROOM_AND_SECTOR = _ROOM | {Role.SECTOR_COMMANDER}


@dataclass(frozen=True)
class Rule:
    """Who may move an incident into a state, from which states, under which guards."""

    sources: frozenset[S]
    roles: frozenset[Role]
    guards: frozenset[str] = frozenset()
    critical: bool = False  # hash-chained audit entry marked critical


TRANSITIONS: dict[S, Rule] = {
    S.VERIFIED: Rule(frozenset({S.REPORTED}), _ROOM_AND_SECTOR),
    S.REJECTED: Rule(
        frozenset({S.REPORTED, S.VERIFIED}), _ROOM_AND_SECTOR, frozenset({"reason"}), True
    ),
    S.DUPLICATE: Rule(
        frozenset({S.REPORTED, S.VERIFIED}), _ROOM_AND_SECTOR, frozenset({"master"}), True
    ),
    S.DISPATCHED: Rule(frozenset({S.VERIFIED}), _ROOM_AND_SECTOR, frozenset({"assignment"})),
    S.ON_SCENE: Rule(frozenset({S.DISPATCHED}), _ROOM_AND_SECTOR | {Role.AGENCY_LIAISON}),
    S.RESOLVED: Rule(
        frozenset({S.VERIFIED, S.DISPATCHED, S.ON_SCENE}), _ROOM_AND_SECTOR | {Role.AGENCY_LIAISON}
    ),
    S.CLOSED: Rule(frozenset({S.RESOLVED, S.REJECTED, S.DUPLICATE}), _ROOM, critical=True),
    # Reopening: a closed, resolved or rejected incident starts again from "reported".
    S.REPORTED: Rule(
        frozenset({S.REJECTED, S.RESOLVED, S.CLOSED}), _ROOM, frozenset({"reason"}), True
    ),
}


def allowed_targets(state: S, role: Role | None) -> list[S]:
    """The states an incident in `state` may move to for `role` (guards not checked)."""
    if role is None:
        return []
    return [to for to, rule in TRANSITIONS.items() if state in rule.sources and role in rule.roles]
