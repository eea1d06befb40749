"""Every write of the accounts app: users and roles, API tokens, languages, the chosen
election, sign-in audit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pollguard.accounts.access import forget_profile, token_digest
from pollguard.accounts.choices import Language, Role
from pollguard.accounts.models import ApiToken, Profile
from pollguard.accounts.throttle import normalize_username
from pollguard.audit.actions import record

if TYPE_CHECKING:  # annotations only: accounts sits below the registry (pyproject.toml layers)
    from pollguard.registry.models import Agency, Center, Election, Sector

AnyUser = AbstractBaseUser | AnonymousUser
ANONYMOUS_ACTOR = "anonymous"
TOKEN_PREFIX = "pg_"  # noqa: S105 - a visible marker, not a secret


def _check_scope(
    role: Role, sector: Sector | None, agency: Agency | None, center: Center | None
) -> None:
    """Each scoped role needs exactly its scope; unscoped roles take none."""
    wanted = {
        Role.SECTOR_COMMANDER: "sector",
        Role.AGENCY_LIAISON: "agency",
        Role.FIELD_REPORTER: "center",
    }.get(role)
    given = {
        name
        for name, value in (("sector", sector), ("agency", agency), ("center", center))
        if value
    }
    if given != ({wanted} if wanted else set()):
        raise ValueError(f"role {role.value} needs scope {wanted or 'none'}, got {sorted(given)}")


def _profile_state(profile: Profile | None) -> dict[str, object] | None:
    if profile is None:
        return None
    return {
        "role": profile.role,
        "sector": profile.sector.code if profile.sector else None,
        "agency": profile.agency.code if profile.agency else None,
        "center": profile.center.code if profile.center else None,
        "language": profile.language,
    }


def do_provision_user(
    username: str,
    *,
    password: str | None,
    role: Role,
    sector: Sector | None = None,
    agency: Agency | None = None,
    center: Center | None = None,
    language: Language = Language.ARABIC,
    acting_user: AnyUser | None,
) -> User:
    """Create the user, or update its password (when given), role and scope.

    Re-running with the same values changes nothing but the password hash, so the demo
    and set-up scripts can call it every time. Granting a role is security-relevant,
    hence a critical (hash-chained) audit entry.
    """
    _check_scope(role, sector, agency, center)
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        profile = Profile.objects.select_related("sector", "agency", "center").filter(user=user)
        existing = profile.first()
        before = _profile_state(existing)
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        values = {
            "role": role.value,
            "sector": sector,
            "agency": agency,
            "center": center,
            "language": existing.language if existing else language.value,
        }
        profile_row, _ = Profile.objects.update_or_create(user=user, defaults=values)
        after = _profile_state(profile_row)
        if before != after:
            record(
                "accounts.provision_user",
                acting_user=acting_user,
                object_type="user",
                object_id=username,
                before=before,
                after=after,
                critical=True,
            )
    forget_profile(user)
    return user


def do_set_user_language(user: AnyUser, language: Language, *, acting_user: AnyUser) -> None:
    """Remember the interface language the user chose (applied at every request)."""
    if not user.is_authenticated:
        return
    with transaction.atomic():
        changed = (
            Profile.objects.filter(user_id=user.pk)
            .exclude(language=language.value)
            .update(language=language.value)
        )
        if changed:
            record(
                "accounts.set_language",
                acting_user=acting_user,
                object_type="user",
                object_id=user.get_username(),
                after={"language": language.value},
            )
    forget_profile(user)


def do_choose_election(user: AnyUser, election: Election, *, acting_user: AnyUser) -> bool:
    """Make `election` the one the user's pages, API and live feed show; True if it changed.

    Stored on the profile, so the choice follows the user to every browser and token.
    Choosing the election already chosen writes nothing. The caller checked that the user
    may choose it (`registry.access.access_election`).
    """
    if not user.is_authenticated:
        return False
    with transaction.atomic():
        # No join here: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        profile = Profile.objects.filter(user_id=user.pk).select_for_update().first()
        if profile is None or profile.election_id == election.pk:
            return False
        before = profile.election.code if profile.election is not None else None
        profile.election = election
        profile.save(update_fields=["election"])
        record(
            "accounts.choose_election",
            acting_user=acting_user,
            object_type="user",
            object_id=user.get_username(),
            before={"election": before},
            after={"election": election.code},
        )
    forget_profile(user)
    return True


@dataclass(frozen=True, slots=True)
class NewToken:
    """A just-created token: `raw` is shown once and never stored."""

    token: ApiToken
    raw: str


TOKEN_DEFAULT_DAYS = 30
TOKEN_MAX_DAYS = 90
# last_used_at is bookkeeping: written at most this often, not at every API request.
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


def do_create_api_token(
    user: User,
    *,
    name: str = "",
    days: int = TOKEN_DEFAULT_DAYS,
    read_only: bool = False,
    acting_user: AnyUser | None,
) -> NewToken:
    """Create an API token for `user`, valid `days` days (1 to 90); only its digest is kept."""
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValueError(f"a token lives 1 to {TOKEN_MAX_DAYS} days, not {days}")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=raw[:10],
            digest=token_digest(raw),
            expires_at=timezone.now() + timedelta(days=days),
            read_only=read_only,
        )
        record(
            "accounts.create_api_token",
            acting_user=acting_user,
            object_type="api_token",
            object_id=token.prefix,
            after={
                "user": user.get_username(),
                "name": token.name,
                "expires_at": token.expires_at.isoformat(),
                "read_only": read_only,
            },
            critical=True,
        )
    return NewToken(token, raw)


def do_revoke_api_token(token: ApiToken, *, acting_user: AnyUser | None) -> None:
    """Revoke a token; a revoked token authenticates nothing."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            record(
                "accounts.revoke_api_token",
                acting_user=acting_user,
                object_type="api_token",
                object_id=token.prefix,
                critical=True,
            )


def _revoke_all_tokens(user: User, *, acting_user: AnyUser | None, reason: str) -> int:
    """Inside the caller's transaction: revoke every live token of `user`, audited."""
    changed = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if changed:
        record(
            "accounts.revoke_all_api_tokens",
            acting_user=acting_user,
            object_type="user",
            object_id=user.get_username(),
            after={"revoked": changed, "reason": reason},
            critical=True,
        )
    return changed


def do_revoke_all_api_tokens(user: User, *, acting_user: AnyUser | None) -> int:
    """Revoke every live token of `user` at once; returns how many."""
    with transaction.atomic():
        return _revoke_all_tokens(user, acting_user=acting_user, reason="requested")


def do_change_own_password(user: User, new_password: str, *, acting_user: User) -> int:
    """Set a new password (already validated) and revoke all of the user's API tokens.

    A password change is what someone does who fears their account is known to others, so
    the tokens made with the old password go too. Django ends the user's other sessions by
    itself (the session hash changes). Returns how many tokens were revoked.
    """
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        revoked = _revoke_all_tokens(user, acting_user=acting_user, reason="password_changed")
        record(
            "accounts.change_password",
            acting_user=acting_user,
            object_type="user",
            object_id=user.get_username(),
            after={"revoked_tokens": revoked},
            critical=True,
        )
    return revoked


def do_note_token_use(token: ApiToken) -> None:
    """Remember when a token was last used, at most every few minutes (not audited)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def do_audit_login_failed(username: str, address: str | None, *, locked_out: bool) -> None:
    """Record a refused sign-in (wrong password, unknown name, or refused while locked out).

    Critical, so the trail of guesses is hash-chained; nothing deletes it, a later success
    included. The actor is unknown: whoever typed the name is not necessarily its owner.
    """
    with transaction.atomic():
        record(
            "accounts.login_failed",
            acting_user=None,
            actor_name=ANONYMOUS_ACTOR,
            object_type="user",
            object_id=normalize_username(username),
            after={"address": address, "locked_out": locked_out},
            critical=True,
        )


def do_audit_lockout(username: str, address: str | None) -> None:
    """Record that an account or an address reached the failure limit (or was refused again)."""
    with transaction.atomic():
        record(
            "accounts.locked_out",
            acting_user=None,
            actor_name=ANONYMOUS_ACTOR,
            object_type="user",
            object_id=normalize_username(username),
            after={"address": address},
            critical=True,
        )


def do_audit_login(user: User, address: str | None) -> None:
    """Record a completed sign-in (after the second factor, when there is one)."""
    with transaction.atomic():
        record(
            "accounts.login",
            acting_user=user,
            object_type="user",
            object_id=user.get_username(),
            after={"address": address},
            critical=True,
        )


BACKUP_CODE_COUNT = 10


def do_start_totp_enrollment(user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator device (made once, reused until confirmed).

    Not audited: it grants nothing until `do_confirm_totp_device`."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def do_confirm_totp_device(device: TOTPDevice, *, acting_user: User) -> list[str]:
    """Turn two-factor sign-in on (the code was checked); returns new backup codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        codes = _new_backup_codes(device.user)
        record(
            "accounts.enable_two_factor",
            acting_user=acting_user,
            object_type="user",
            object_id=device.user.get_username(),
            after={"device": "totp", "backup_codes": len(codes)},
            critical=True,
        )
    return codes


def do_renew_backup_codes(user: User, *, acting_user: User) -> list[str]:
    """Replace the user's backup codes (the old ones stop working)."""
    with transaction.atomic():
        codes = _new_backup_codes(user)
        record(
            "accounts.renew_backup_codes",
            acting_user=acting_user,
            object_type="user",
            object_id=user.get_username(),
            after={"backup_codes": len(codes)},
            critical=True,
        )
    return codes


def do_remove_two_factor(user: User, *, acting_user: User) -> None:
    """Remove the authenticator and the backup codes (the password was checked)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record(
            "accounts.disable_two_factor",
            acting_user=acting_user,
            object_type="user",
            object_id=user.get_username(),
            critical=True,
        )


def do_audit_two_factor_failed(user: User, address: str | None) -> None:
    """Record a wrong second-factor code (after a right password)."""
    with transaction.atomic():
        record(
            "accounts.two_factor_failed",
            acting_user=None,
            actor_name=ANONYMOUS_ACTOR,
            object_type="user",
            object_id=user.get_username(),
            after={"address": address},
            critical=True,
        )
