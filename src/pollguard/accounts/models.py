"""Who is who: a profile per user (role and scope) and API tokens.

Failed sign-ins are counted by django-axes (its AccessAttempt, AccessFailureLog and
AccessLog tables) and audited; see `accounts.throttle`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.accounts.choices import Language, Role


class Profile(models.Model):
    """A user's role and the part of the election it covers.

    Which scope field matters depends on the role: `sector` for a sector commander,
    `agency` for an agency liaison, `center` for a field reporter. A user without a profile
    has no role and sees nothing. The scope row belongs to one election; in another
    election the scope is the row with the same code (`registry.access`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    sector = models.ForeignKey(
        "registry.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
        help_text=_("The sector a sector commander is responsible for."),
    )
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
        help_text=_("The agency an agency liaison represents."),
    )
    center = models.ForeignKey(
        "registry.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
        help_text=_("The center a field reporter reports from."),
    )
    election = models.ForeignKey(
        "registry.Election",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chosen election"),
        help_text=_(
            "The election this user's pages and API show; empty: the default election "
            "(POLLGUARD_ELECTION, else the latest loaded)."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        default=Language.ARABIC,
        help_text=_("Interface language, applied at every request."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored; `prefix` identifies it.

    A token is a credential of its own: signing out of a browser session leaves it valid,
    but it always expires (at most 90 days), a password change revokes all of the user's
    tokens, and the tokens page revokes one or all of them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What it is for."))
    prefix = models.CharField(
        _("prefix"), max_length=16, help_text=_("The first characters, shown to recognise it.")
    )
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("expires at"),
        help_text=_("After this moment the token opens nothing; at most 90 days after creation."),
    )
    read_only = models.BooleanField(
        _("read-only"),
        default=False,
        help_text=_("A read-only token may only read (GET); any change is refused with 403."),
    )
    last_used_at = models.DateTimeField(
        _("last used at"),
        null=True,
        blank=True,
        help_text=_("Updated at most every few minutes."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
