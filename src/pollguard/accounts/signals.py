"""Sign-in events from Django and django-axes, turned into audit entries.

Connected in `AccountsConfig.ready`, after axes' own receivers (the app comes later in
INSTALLED_APPS), so `request.axes_locked_out` already says whether this failure locked.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_login_failed

from pollguard.accounts.actions import do_audit_lockout, do_audit_login, do_audit_login_failed
from pollguard.accounts.throttle import client_address


def _address(request: Any) -> str | None:
    return client_address(request) if request is not None else None


def on_login_failed(
    sender: object, credentials: dict[str, Any], request: Any = None, **_: Any
) -> None:
    do_audit_login_failed(
        str(credentials.get("username") or ""),
        _address(request),
        locked_out=bool(getattr(request, "axes_locked_out", False)),
    )


def on_locked_out(
    sender: object, request: Any = None, username: str | None = None, **_: Any
) -> None:
    do_audit_lockout(username or "", _address(request))


def on_logged_in(sender: object, request: Any = None, user: Any = None, **_: Any) -> None:
    if isinstance(user, User):
        do_audit_login(user, _address(request))


def connect() -> None:
    from axes.signals import user_locked_out

    user_login_failed.connect(on_login_failed, dispatch_uid="pollguard.audit_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="pollguard.audit_locked_out")
    user_logged_in.connect(on_logged_in, dispatch_uid="pollguard.audit_login")
