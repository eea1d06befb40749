"""Password login with throttling of repeated failures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from pollguard.accounts.access import client_address, login_locked_out
from pollguard.accounts.actions import do_clear_login_failures, do_record_login_failure


class ThrottledModelBackend(ModelBackend):
    """Django's username/password backend, locked per (username, address) after N failures.

    While locked out even the right password is refused, so guessing cannot continue;
    the lock lifts by itself after `POLLGUARD_LOGIN_LOCKOUT_MINUTES`.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username:
            return None
        address = client_address(request)
        if login_locked_out(username, address):
            # PermissionDenied stops Django from trying further backends.
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            do_record_login_failure(username, address)
        else:
            do_clear_login_failures(username, address)
        return user
