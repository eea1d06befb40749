"""Starting Django from the `pollguard` CLI: settings, app registry, migrations.

Commands that need the database call `setup()` first, so a fresh machine works with no
separate `migrate` step: the schema is brought up to date quietly on every run (a no-op
when it already is).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def setup(*, migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pollguard.web.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def ensure_local_secret_key(data_dir: Path) -> bool:
    """Create `<data dir>/secret_key` (mode 0600) for the local demo; True if created.

    Only `pollguard demo` calls this. A production server gets its key from
    POLLGUARD_SECRET_KEY or POLLGUARD_SECRET_KEY_FILE instead (docs/architecture.md).
    """
    path = data_dir / "secret_key"
    if path.exists():
        return False
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(50) + "\n")
    return True
