"""Sign-in throttling: per account and per address, atomic, audited, explained.

A lockout counts failed sign-ins of one account from any address and, separately, of any
account from one address. Checking the lock and counting a failure happen under one lock,
so parallel guesses cannot slip past the limit; the failure trail survives a later success.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from pollguard.audit.models import AuditEntry

from .personas import PASSWORD, Personas

LIMIT = 3


def sign_in(username: str, password: str, address: str = "10.0.0.1", **extra: Any) -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}, **extra
    )


def signed_in(response: Any) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.fixture
def limit() -> Iterator[None]:
    with override_settings(AXES_FAILURE_LIMIT=LIMIT, POLLGUARD_LOGIN_MAX_FAILURES=LIMIT):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("limit")
class TestSignInThrottling:
    def test_failures_lock_the_account_out_where_they_come_from(self, personas: Personas) -> None:
        for _ in range(LIMIT):
            assert not signed_in(sign_in("ops", "wrong", address="10.0.1.1"))
        assert not signed_in(sign_in("ops", PASSWORD, address="10.0.1.1"))
        assert signed_in(sign_in("chair", PASSWORD, address="10.0.9.9"))

    def test_an_outsider_cannot_lock_an_account_out_everywhere(self, personas: Personas) -> None:
        for i in range(LIMIT):
            assert not signed_in(sign_in("chair", "wrong", address=f"10.0.1.{i}"))
        assert signed_in(sign_in("chair", PASSWORD, address="10.0.9.9"))

    def test_failures_lock_the_address_out_for_every_account(self, personas: Personas) -> None:
        for name in ["ops", "chair", "auditor"][:LIMIT]:
            assert not signed_in(sign_in(name, "wrong", address="10.0.2.1"))
        assert not signed_in(sign_in("ihec", PASSWORD, address="10.0.2.1"))
        assert signed_in(sign_in("ihec", PASSWORD, address="10.0.2.2"))

    def test_usernames_are_counted_whatever_their_case(self, personas: Personas) -> None:
        for name in ["OPS", "Ops", "oPs"][:LIMIT]:
            sign_in(name, "wrong", address="10.0.3.1")
        assert not signed_in(sign_in("ops", PASSWORD, address="10.0.3.1"))

    def test_a_forwarded_for_header_does_not_change_the_address(self, personas: Personas) -> None:
        for i in range(LIMIT):
            sign_in("nobody", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        # Same REMOTE_ADDR: locked, whatever the client claims in X-Forwarded-For.
        assert not signed_in(sign_in("ops", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.77"))

    def test_a_locked_out_user_is_told_so_and_how_long_to_wait(self, personas: Personas) -> None:
        for _ in range(LIMIT):
            sign_in("ops", "wrong")
        response = sign_in("ops", PASSWORD, HTTP_COOKIE="pollguard_language=en")
        assert response.status_code == 200  # the login page, not a raw 403 page
        text = response.content.decode()
        assert 'data-testid="locked-out"' in text
        assert "15 minutes" in text
        arabic = sign_in("ops", PASSWORD, HTTP_COOKIE="pollguard_language=ar").content.decode()
        assert "انتظر 15 دقيقة" in arabic

    def test_the_lockout_lifts_after_the_cool_off(self, personas: Personas) -> None:
        from datetime import timedelta

        from axes.models import AccessAttempt
        from django.utils import timezone

        for _ in range(LIMIT):
            sign_in("ops", "wrong")
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
        assert signed_in(sign_in("ops", PASSWORD))

    def test_a_success_keeps_the_failure_trail(self, personas: Personas) -> None:
        from axes.models import AccessFailureLog, AccessLog

        sign_in("ops", "wrong")
        sign_in("ops", "wrong")
        assert signed_in(sign_in("ops", PASSWORD))
        assert AccessFailureLog.objects.filter(username="ops").count() == 2
        assert AccessLog.objects.filter(username="ops").count() == 1
        assert (
            AuditEntry.objects.filter(action="accounts.login_failed", object_id="ops").count() == 2
        )

    def test_failures_lockouts_and_sign_ins_are_critical_audit_entries(
        self, personas: Personas
    ) -> None:
        for _ in range(LIMIT):
            sign_in("ops", "wrong", address="10.0.4.1")
        sign_in("ops", PASSWORD, address="10.0.4.1")
        sign_in("chair", PASSWORD, address="10.0.4.2")
        entries = AuditEntry.objects.filter(critical=True)
        failed = entries.filter(action="accounts.login_failed", object_id="ops")
        assert failed.count() == LIMIT + 1  # the refused right password counts too
        first = failed.order_by("id").first()
        assert first is not None
        assert first.after == {"address": "10.0.4.1", "locked_out": False}
        assert entries.filter(action="accounts.locked_out", object_id="ops").exists()
        login = entries.get(action="accounts.login", object_id="chair")
        assert login.actor_name == "chair"
        assert login.after == {"address": "10.0.4.2"}


RACE_SCRIPT = r"""
import json, threading
import django
django.setup()
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from django.test import Client
User.objects.filter(username="victim").delete()
User.objects.create_user("victim", password="the-right-one-2010")
checked, lock, start = [], threading.Lock(), threading.Barrier(40)
original = User.check_password
def counting_check(self, raw):
    with lock:
        checked.append(raw)
    threading.Event().wait(0.02)  # widen the window an unguarded check-then-count leaves
    return original(self, raw)
User.check_password = counting_check
answers = []
def guess(i):
    start.wait()
    response = Client(REMOTE_ADDR="10.0.5.1").post(
        "/accounts/login/", {"username": "victim", "password": f"guess-{i}"})
    answers.append((response.status_code, 'data-testid="locked-out"' in response.content.decode()))
threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
for t in threads: t.start()
for t in threads: t.join()
User.objects.filter(username="victim").delete()
print(json.dumps({"checked": len(checked), "answers": answers}))
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_forty_parallel_guesses_check_no_more_passwords_than_the_limit(tmp_path: Path) -> None:
    """40 threads guess at once, in a fresh process on a real database file (SQLite) or the
    test database (PostgreSQL): at most LIMIT passwords are checked, the rest are refused."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="pollguard.web.settings",
        POLLGUARD_DATA_DIR=str(tmp_path),
        POLLGUARD_SECRET_KEY="test-only-secret-key",
        POLLGUARD_LOGIN_MAX_FAILURES=str(LIMIT),
        POLLGUARD_ALLOWED_HOSTS="testserver",
    )
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        )
    run = subprocess.run(
        [sys.executable, "-c", RACE_SCRIPT], env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(result["answers"]) == 40
    assert all(status == 200 for status, _ in result["answers"]), result
    assert result["checked"] <= LIMIT
    assert sum(locked for _, locked in result["answers"]) >= 40 - LIMIT
