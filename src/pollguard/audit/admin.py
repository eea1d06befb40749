"""Django admin for the audit trail (read-only), and the mixin that audits admin edits."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from pollguard.audit.actions import record
from pollguard.audit.models import AuditEntry, Checkpoint


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "actor_name", "action", "object_type", "object_id", "critical"]
    list_filter = ["critical", "action"]
    search_fields = ["actor_name", "action", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Checkpoint)
class CheckpointAdmin(AuditEntryAdmin):
    list_display = ["created_at", "tree_size", "root_hash", "key_id"]
    list_filter = []
    search_fields = ["root_hash"]


# Never copied into an audit row: a password hash or token digest would help an attacker.
SECRET_FIELDS = frozenset({"password", "digest"})


def admin_snapshot(obj: Model) -> dict[str, object]:
    """The object's own columns (secrets left out), as an audit row's before/after."""
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in SECRET_FIELDS
    }


class AuditedAdminMixin:
    """Every add, change and delete made in the Django admin writes a critical audit row.

    Django calls `log_addition`/`log_change` inside the transaction of the change form
    (and `delete_model`/`delete_queryset` do the deletes), so the row commits with the
    change. Views Django does not wrap in a transaction (the password form, the bulk
    delete action) are wrapped by the admin classes, and `record` refuses to run outside
    one anyway.
    """

    def _audit(self, request: HttpRequest, verb: str, obj: Model, message: object) -> None:
        changed: list[str] = []
        if isinstance(message, list):
            for part in message:
                if isinstance(part, dict) and "changed" in part:
                    changed += part["changed"].get("fields", [])
        name = obj._meta.model_name
        if verb == "change" and name == "user" and "password" in changed:
            verb = "change_password"
            name = ""
        action = f"admin.{verb}_{name}".rstrip("_")
        snapshot = admin_snapshot(obj)
        record(
            action,
            acting_user=request.user,
            object_type=name or "user",
            object_id=str(getattr(obj, "username", None) or obj.pk),
            before=snapshot if verb == "delete" else None,
            after=None if verb == "delete" else {**snapshot, "changed": changed},
            critical=True,
        )

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._audit(request, "add", obj, message)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._audit(request, "change", obj, message)
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            self._audit(request, "delete", obj, None)
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, "delete", obj, None)
            super().delete_queryset(request, queryset)  # type: ignore[misc]
