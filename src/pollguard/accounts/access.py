"""Who a user is in pollguard: their profile and role, resolved once per request.

Object-level checks (which centers, units... a user may see) live in each app's
`access.py` and start from `role_of` / `profile_of` here.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.utils import timezone

from pollguard.accounts.choices import Role
from pollguard.accounts.models import ApiToken, Profile
from pollguard.common.errors import NotFound

AnyUser = AbstractBaseUser | AnonymousUser
_CACHE = "_pollguard_profile"
_MISSING = object()

# Roles that see every center, station and unit of the election.
SEES_ALL_REGISTRY = frozenset({Role.CHAIR, Role.OPERATIONS, Role.AUDITOR})
# Roles that may read raw intelligence reports (design.md: "visible only to those who need
# them"); the auditor reads them read-only. Everyone else gets 404 for every report.
SEES_INTEL = frozenset({Role.CHAIR, Role.INTELLIGENCE, Role.AUDITOR})
# Roles that file and edit intelligence reports.
FILES_INTEL = frozenset({Role.CHAIR, Role.INTELLIGENCE})
# Roles that may change things at all; the auditor and the commission read only here.
WRITES_CENTER_STATUS = frozenset({Role.CHAIR, Role.OPERATIONS, Role.SECTOR_COMMANDER})


def profile_of(user: AnyUser) -> Profile | None:
    """The user's profile, fetched once and cached on the user object; None for no role."""
    if not user.is_authenticated or not user.is_active:
        return None
    cached: Any = getattr(user, _CACHE, _MISSING)
    if cached is _MISSING:
        # The chosen election and the scope rows come with it: every page asks for them.
        cached = (
            Profile.objects.select_related("election", "sector", "agency", "center")
            .filter(user_id=user.pk)
            .first()
        )
        setattr(user, _CACHE, cached)
    assert cached is None or isinstance(cached, Profile)
    return cached


def role_of(user: AnyUser) -> Role | None:
    profile = profile_of(user)
    return Role(profile.role) if profile is not None else None


def forget_profile(user: AnyUser) -> None:
    """Drop the cached profile (after an action changed it)."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_for(raw: str) -> ApiToken | None:
    """The live API token `raw` names, with its user; None if unknown, revoked, expired or
    owned by an inactive user."""
    if not raw:
        return None
    # The user's profile comes in the same query (`profile_of` would fetch it next, one
    # more round trip on every API request); its election and scope rows are read when
    # used: most API users have none of them (a null key costs no query), and joining all
    # four cost more Python time than the rest of a request (docs/benchmarks.md,
    # "Special-vote check-in").
    token = (
        ApiToken.objects.select_related("user__profile")
        .filter(
            digest=token_digest(raw),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    if token is not None:
        try:
            profile: Profile | None = token.user.profile
        except Profile.DoesNotExist:
            profile = None
        setattr(token.user, _CACHE, profile)
    return token


def user_for_token(raw: str) -> User | None:
    """The active user owning a live API token, or None."""
    token = token_for(raw)
    return token.user if token is not None else None


def tokens_of(user: User) -> list[ApiToken]:
    """The user's own tokens, newest first (the tokens page)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at"))


def access_own_token(user: User, prefix: str) -> ApiToken:
    """One of the user's own tokens; another user's token is simply not found."""
    token = ApiToken.objects.filter(user=user, prefix=prefix).first()
    if token is None:
        raise NotFound(prefix)
    return token
