"""Settings helpers: environment values are parsed strictly and fail loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pollguard.web.env import database_from_url, default_data_dir, env_bool, env_int, env_secret


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False)])
def test_booleans_accept_the_usual_words(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_a_misspelled_boolean_stops_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "yes please")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_integers_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_N"):
        env_int("X_N", 5)
    monkeypatch.setenv("X_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_N", 5, minimum=1)


def test_secrets_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "key").write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("X_KEY_FILE", str(tmp_path / "key"))
    assert env_secret("X_KEY") == "s3cret"
    monkeypatch.setenv("X_KEY", "other")
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_secret("X_KEY")


def test_a_postgres_url_becomes_a_database_entry() -> None:
    db = database_from_url("postgres://pg%40user:p%2Fw@db.example:6543/pollguard?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("pollguard", "pg@user", "p/w")
    assert (db["HOST"], db["PORT"], db["OPTIONS"]) == ("db.example", "6543", {"sslmode": "require"})


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "sqlite://"])
def test_unsupported_or_incomplete_urls_are_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)


def test_the_data_folder_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("POLLGUARD_DATA_DIR", str(tmp_path))
    assert default_data_dir() == tmp_path
    monkeypatch.delenv("POLLGUARD_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "pollguard"


def settings_in_subprocess(env: dict[str, str], expression: str) -> str:
    """Evaluate `expression` on a freshly imported settings module under `env`."""
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("POLLGUARD_")}
    code = f"import pollguard.web.settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_https_turns_on_secure_cookies_and_hsts(tmp_path: Path) -> None:
    shown = settings_in_subprocess(
        {"POLLGUARD_DATA_DIR": str(tmp_path), "POLLGUARD_HTTPS": "1"},
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS",
    )
    assert shown == "True True 31536000"


def test_production_defaults_are_safe(tmp_path: Path) -> None:
    shown = settings_in_subprocess(
        {"POLLGUARD_DATA_DIR": str(tmp_path)},
        "s.DEBUG, repr(s.SECRET_KEY), s.SESSION_COOKIE_SECURE",
    )
    assert shown == "False '' False"  # no key: Django refuses to sign anything


def test_the_tile_host_is_the_only_outside_image_source(tmp_path: Path) -> None:
    policy = settings_in_subprocess(
        {
            "POLLGUARD_DATA_DIR": str(tmp_path),
            "POLLGUARD_TILE_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
        },
        "s.POLLGUARD_CSP",
    )
    assert "img-src 'self' data: https://*.tile.example.org;" in policy
    assert "script-src 'self';" in policy


def test_the_demo_key_in_the_data_folder_is_used(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("from-the-demo\n", encoding="utf-8")
    assert settings_in_subprocess({"POLLGUARD_DATA_DIR": str(tmp_path)}, "s.SECRET_KEY") == (
        "from-the-demo"
    )


def test_the_trusted_proxy_reaches_waitress_with_its_headers(tmp_path: Path) -> None:
    options = (
        "(o := (__import__('django').setup(), "
        "__import__('pollguard.commands.serve', fromlist=['_']).proxy_options())[1])"
        " and (o['trusted_proxy'], o['trusted_proxy_count'], "
        "sorted(o['trusted_proxy_headers']), o['clear_untrusted_proxy_headers'])"
    )
    env = {"POLLGUARD_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "pollguard.web.settings"}
    shown = settings_in_subprocess({**env, "POLLGUARD_TRUSTED_PROXY": "10.0.0.5"}, options)
    assert shown == (
        "('10.0.0.5', 1, ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto'], True)"
    )
    # Without a proxy waitress trusts no forwarded header at all.
    assert settings_in_subprocess(env, options) == "{}"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("POLLGUARD_TRUSTED_PROXY", "nginx.local"), ("POLLGUARD_TRUSTED_PROXY_HEADERS", "x-real-ip")],
)
def test_a_bad_trusted_proxy_setting_stops_the_process(
    tmp_path: Path, variable: str, value: str
) -> None:
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("POLLGUARD_")}
    env = {**clean, "POLLGUARD_DATA_DIR": str(tmp_path), variable: value}
    if variable.endswith("HEADERS"):
        env["POLLGUARD_TRUSTED_PROXY"] = "127.0.0.1"
    result = subprocess.run(
        [sys.executable, "-c", "import pollguard.web.settings"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert variable in result.stderr
