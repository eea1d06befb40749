"""Who sees the chain of custody and who records hand-overs.

| role               | items, hand-overs, exceptions, report | record hand-overs, register items |
|--------------------|----------------------------------------|-----------------------------------|
| commission (IHEC)  | all                                    | yes (the materials are theirs)    |
| operations         | all                                    | yes (escorts, the operations room)|
| chair              | all                                    | no (403)                          |
| auditor            | all (read-only)                        | no (403)                          |
| everyone else      | none (404)                             | 404                               |

Closing (settling) a custody exception: the committee chair only (others who see it: 403).

Decision: sector commanders and field reporters do not record hand-overs yet (a
per-sector scope is not built); the center's security chief signs as a witness or a
receiver by name on the operator's form.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from pollguard.accounts.access import AnyUser, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.custody.models import CustodyException, Depot, Handover, Item
from pollguard.registry.access import current_election
from pollguard.registry.models import Election

SEES_CUSTODY = frozenset({Role.CHAIR, Role.OPERATIONS, Role.COMMISSION, Role.AUDITOR})
RECORDS_CUSTODY = frozenset({Role.OPERATIONS, Role.COMMISSION})
# The committee settles exceptions: its chair.
CLOSES_EXCEPTIONS = frozenset({Role.CHAIR})


def sees_custody(user: AnyUser) -> bool:
    return role_of(user) in SEES_CUSTODY


def records_custody(user: AnyUser) -> bool:
    return role_of(user) in RECORDS_CUSTODY


def custody_election(user: AnyUser) -> Election:
    election = current_election(user)
    if election is None or not sees_custody(user):
        raise NotFound("custody")
    return election


def require_record(user: AnyUser) -> Election:
    election = custody_election(user)
    if not records_custody(user):
        raise Forbidden("custody")
    return election


def closes_exceptions(user: AnyUser) -> bool:
    return role_of(user) in CLOSES_EXCEPTIONS


def access_exception_for_close(user: AnyUser, exception_id: str) -> CustodyException:
    try:
        key = uuid.UUID(exception_id)
    except ValueError:
        raise NotFound(exception_id) from None
    exception = exceptions_for(user).filter(uuid=key).first()
    if exception is None:
        raise NotFound(exception_id)
    if not closes_exceptions(user):
        raise Forbidden(exception_id)
    return exception


def items_for(user: AnyUser) -> QuerySet[Item]:
    election = current_election(user)
    if election is None or not sees_custody(user):
        return Item.objects.none()
    return Item.objects.filter(election=election).select_related("station__center")


def access_item(user: AnyUser, code: str) -> Item:
    item = items_for(user).filter(code=code).first()
    if item is None:
        raise NotFound(code)
    return item


def handovers_for(user: AnyUser) -> QuerySet[Handover]:
    election = current_election(user)
    if election is None or not sees_custody(user):
        return Handover.objects.none()
    return Handover.objects.filter(election=election).select_related(
        "item", "escort", "recorded_by"
    )


def exceptions_for(user: AnyUser) -> QuerySet[CustodyException]:
    election = current_election(user)
    if election is None or not sees_custody(user):
        return CustodyException.objects.none()
    return CustodyException.objects.filter(election=election).select_related(
        "item__station__center", "handover"
    )


def depots_for(user: AnyUser) -> QuerySet[Depot]:
    election = current_election(user)
    if election is None or not sees_custody(user):
        return Depot.objects.none()
    return Depot.objects.filter(election=election)


def depots_for_kind(election: Election, kind: str) -> QuerySet[Depot]:
    """An election's depots of one kind (the hand-over form's choices), by code."""
    return Depot.objects.filter(election=election, kind=kind).order_by("code")
