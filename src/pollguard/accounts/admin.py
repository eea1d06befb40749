"""Django admin for accounts: profiles inline on users, tokens read-only.

Failed sign-ins are in the django-axes admin pages (access attempts and logs).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import transaction
from django.forms import ModelForm
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest

from pollguard.accounts.models import ApiToken, Profile
from pollguard.audit.actions import record
from pollguard.audit.admin import AuditedAdminMixin


class ProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Profile
    can_delete = False
    autocomplete_fields = ["sector", "agency", "center"]


admin.site.unregister(User)


@admin.register(User)
class PollguardUserAdmin(AuditedAdminMixin, UserAdmin):  # type: ignore[type-arg]
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "profile__role", "is_active"]
    list_select_related = ["profile"]

    def user_change_password(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Django does not wrap this view in a transaction; the audit row needs one.
        with transaction.atomic():
            return super().user_change_password(request, *args, **kwargs)

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm,  # type: ignore[type-arg]
        formsets: list[BaseFormSet],  # type: ignore[type-arg]
        change: bool,
    ) -> None:
        """Role grants made here are audited like `do_provision_user` (critical entry)."""
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            user = form.instance
            profile = Profile.objects.filter(user=user).first()
            record(
                "accounts.admin_change_user",
                acting_user=request.user,
                object_type="user",
                object_id=user.get_username(),
                after={
                    "is_active": user.is_active,
                    "is_superuser": user.is_superuser,
                    "role": profile.role if profile else None,
                    "sector_id": profile.sector_id if profile else None,
                    "agency_id": profile.agency_id if profile else None,
                    "center_id": profile.center_id if profile else None,
                },
                critical=True,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["prefix", "user", "name", "created_at", "revoked_at"]
    list_select_related = ["user"]
    search_fields = ["prefix", "user__username", "name"]
    readonly_fields = ["prefix", "digest", "user", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are created by do_create_api_token, which shows the secret once
