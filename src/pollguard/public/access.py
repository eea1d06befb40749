"""Who may write and publish public notices: the one place these rules live.

| role                 | notices page, list     | create, publish, unpublish |
|----------------------|------------------------|----------------------------|
| chair, operations    | yes                    | yes                        |
| auditor              | yes (read-only)        | no (403)                   |
| everyone else        | none (404)             | none (404)                 |

The public page itself needs no access check: it reads only the published projection
(`projection.py`), which holds nothing a citizen may not see.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from pollguard.accounts.access import AnyUser, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.public.models import PublicNotice
from pollguard.registry.access import current_election

MANAGES_NOTICES = frozenset({Role.CHAIR, Role.OPERATIONS})
SEES_NOTICES = MANAGES_NOTICES | {Role.AUDITOR}


def sees_notices(user: AnyUser) -> bool:
    return role_of(user) in SEES_NOTICES


def manages_notices(user: AnyUser) -> bool:
    return role_of(user) in MANAGES_NOTICES


def require_manage_notices(user: AnyUser) -> None:
    """403 for a role that sees notices but may not change them, 404 for everyone else."""
    if not sees_notices(user):
        raise NotFound("notices")
    if not manages_notices(user):
        raise Forbidden("notices")


def notices_for(user: AnyUser) -> QuerySet[PublicNotice]:
    """The notices of the user's current election, newest first; none for other roles."""
    election = current_election(user)
    if not sees_notices(user) or election is None:
        return PublicNotice.objects.none()
    return PublicNotice.objects.filter(election=election).select_related("center", "created_by")


def access_notice_for_change(user: AnyUser, notice_id: str) -> PublicNotice:
    """The notice to publish or unpublish; 404 if missing or not visible, 403 if read-only."""
    require_manage_notices(user)
    try:
        key = uuid.UUID(notice_id)
    except ValueError:
        raise NotFound(notice_id) from None
    notice = notices_for(user).filter(uuid=key).first()
    if notice is None:
        raise NotFound(notice_id)
    return notice
