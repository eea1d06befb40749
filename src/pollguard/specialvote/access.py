"""Who sees the special vote and who may check voters in or undo a check-in.

| role               | check-ins, tallies, reconciliation | check in | undo a check-in |
|--------------------|------------------------------------|----------|-----------------|
| commission (IHEC)  | all                                | yes      | no (403)        |
| chair              | all                                | no (403) | yes             |
| operations         | all                                | no (403) | no (403)        |
| auditor            | all (read-only)                    | no (403) | no (403)        |
| everyone else      | none (404)                         | 404      | 404             |

Decisions where design.md is silent: the supervisor who may undo a check-in is the
committee chair (there is no commission-supervisor role; the chair also resolves the
double-vote conflicts, "for the committee"), so the clerk who checked a voter in can never
take it back alone. Sector commanders, agency liaisons, intelligence officers and field
reporters have no part in the special vote (404, as for something that does not exist).
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from pollguard.accounts.access import AnyUser, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.registry.access import current_election
from pollguard.registry.models import Election
from pollguard.specialvote.models import SpecialCheckin

SEES_SPECIAL_VOTE = frozenset({Role.CHAIR, Role.OPERATIONS, Role.COMMISSION, Role.AUDITOR})
CHECKS_IN = frozenset({Role.COMMISSION})
UNDOES_CHECKINS = frozenset({Role.CHAIR})


def sees_special_vote(user: AnyUser) -> bool:
    return role_of(user) in SEES_SPECIAL_VOTE


def can_check_in(user: AnyUser) -> bool:
    return role_of(user) in CHECKS_IN


def can_undo(user: AnyUser) -> bool:
    return role_of(user) in UNDOES_CHECKINS


def special_vote_election(user: AnyUser) -> Election:
    """The user's current election if the user sees the special vote; else 404."""
    election = current_election(user)
    if election is None or not sees_special_vote(user):
        raise NotFound("special-vote")
    return election


def require_check_in(user: AnyUser) -> Election:
    """The election to check voters in for; 404 if the special vote is unseen, else 403."""
    election = special_vote_election(user)
    if not can_check_in(user):
        raise Forbidden("special-checkins")
    return election


def checkins_for(user: AnyUser) -> QuerySet[SpecialCheckin]:
    election = current_election(user)
    if election is None or not sees_special_vote(user):
        return SpecialCheckin.objects.none()
    return SpecialCheckin.objects.filter(election=election).select_related(
        "station",
        "center",
        "recorded_by",
        "undone_by",
        "conflict_with__station",
        "conflict_with__center",
    )


def access_checkin(user: AnyUser, checkin_id: str) -> SpecialCheckin:
    try:
        key = uuid.UUID(checkin_id)
    except ValueError:
        raise NotFound(checkin_id) from None
    checkin = checkins_for(user).filter(uuid=key).first()
    if checkin is None:
        raise NotFound(checkin_id)
    return checkin


def access_conflict_for_resolve(user: AnyUser, checkin_id: str) -> SpecialCheckin:
    """A double-vote conflict the user (the chair, for the committee) may decide."""
    checkin = access_checkin(user, checkin_id)
    if not can_undo(user):
        raise Forbidden(checkin_id)
    return checkin


def access_checkin_for_undo(user: AnyUser, checkin_id: str) -> SpecialCheckin:
    checkin = access_checkin(user, checkin_id)
    if not can_undo(user):
        raise Forbidden(checkin_id)
    return checkin
