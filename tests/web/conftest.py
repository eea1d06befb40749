"""Fixtures of the web tests: a small election loaded through the loader, and personas.

`personas` builds, through actions (never by writing models), one user per role of
design.md section 2: the chair, an operations officer, two sector commanders of
different sectors, a commission liaison, an auditor, an intelligence officer, an agency
liaison, a field reporter, and an outsider who has an account but no role.

The package is built in Python (`small_package`), not read from the demo, so each test
stays fast; `make_package` builds variants for the loader tests.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.core import model as core
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Agency, Center, Election, Sector

from .personas import PASSWORD, Personas, make_package


def pytest_configure() -> None:
    # Test-only: a fixed key (production refuses to run without one) and a fast hasher.
    settings.SECRET_KEY = "test-only-secret-key"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Shared counters (rate limits) of this test process only, never the user's data folder.
    settings.POLLGUARD_COUNTERS_FILE = (
        Path(tempfile.mkdtemp(prefix="pollguard-counters-")) / "counters.sqlite3"
    )


@pytest.fixture
def small_package() -> core.ElectionPackage:
    return make_package()


@pytest.fixture
def election(db: None, small_package: core.ElectionPackage) -> Election:
    do_load_package(small_package, acting_user=None)
    return Election.objects.get(code=small_package.election.code)


@pytest.fixture
def personas(election: Election) -> Personas:
    def sector(code: str) -> Sector:
        return Sector.objects.get(election=election, code=code)

    def make(username: str, role: Role, **scope: Any) -> User:
        return do_provision_user(username, password=PASSWORD, role=role, acting_user=None, **scope)

    outsider = User.objects.create_user("outsider", password=PASSWORD)
    return Personas(
        chair=make("chair", Role.CHAIR),
        ops=make("ops", Role.OPERATIONS),
        cmd_rifai=make("cmd-rifai", Role.SECTOR_COMMANDER, sector=sector("RIF")),
        cmd_shatra=make("cmd-shatra", Role.SECTOR_COMMANDER, sector=sector("SHA")),
        commission=make("ihec", Role.COMMISSION),
        auditor=make("auditor", Role.AUDITOR),
        intel=make("intel", Role.INTELLIGENCE),
        liaison_army=make(
            "liaison-army",
            Role.AGENCY_LIAISON,
            agency=Agency.objects.get(election=election, code="IA"),
        ),
        field=make(
            "field-c0003",
            Role.FIELD_REPORTER,
            center=Center.objects.get(election=election, code="C-0003"),
        ),
        outsider=outsider,
    )


@pytest.fixture
def client_for(personas: Personas) -> Any:
    """`client_for("cmd_rifai")`: a test client logged in as that persona."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(personas[name])
        return client

    return make
