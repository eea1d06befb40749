"""Django settings for pollguard, read from the environment (docs/architecture.md lists them).

Safe by default: DEBUG off, secure cookies and HSTS behind HTTPS, a Content-Security-Policy,
login throttling. With no configuration at all, data lives in SQLite in the user's data
folder (`POLLGUARD_DATA_DIR`, default `~/.local/share/pollguard`); `DATABASE_URL` switches
to PostgreSQL.

Secret key: `POLLGUARD_SECRET_KEY` / `POLLGUARD_SECRET_KEY_FILE`, else the file
`<data dir>/secret_key` that `pollguard demo` generates for the local demo. Without any of
them a DEBUG run uses a fixed development key, and a production run has no key: Django then
refuses anything that signs (sessions, CSRF) and `pollguard serve` refuses to start.
"""

from __future__ import annotations

import contextlib
import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from pollguard.web.env import (
    database_from_url,
    default_data_dir,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = default_data_dir()
SECRET_KEY_FILE = DATA_DIR / "secret_key"

DEBUG = env_bool("POLLGUARD_DEBUG", False)

SECRET_KEY = env_secret("POLLGUARD_SECRET_KEY")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("POLLGUARD_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("POLLGUARD_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    # Before pollguard.accounts: its sign-in receivers must run after axes' own.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pollguard.web",
    "pollguard.audit",
    "pollguard.registry",
    "pollguard.accounts",
    "pollguard.live",
    "pollguard.jobs",
    "pollguard.planning",
    "pollguard.public",
    "pollguard.operations",
    "pollguard.specialvote",
    "pollguard.custody",
    "pollguard.fieldreports",
    "pollguard.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pollguard.web.middleware.ContentSecurityPolicyMiddleware",
    # Outside authentication, so it sees request.user (sessions and API tokens) on the way out.
    "pollguard.web.middleware.PrivateNoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pollguard.accounts.language_middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pollguard.accounts.sessions.IdleSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "pollguard.accounts.twofactor.TwoFactorMiddleware",
    "pollguard.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost, so the user's language is still active: Django's own refusals on /api/ in JSON.
    "pollguard.web.middleware.ApiErrorShapeMiddleware",
]

ROOT_URLCONF = "pollguard.web.urls"
WSGI_APPLICATION = "pollguard.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pollguard.web.context_processors.pollguard",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------

DATABASE_URL = env_secret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "pollguard.sqlite3",
            "OPTIONS": {
                # Several server threads and CLI processes write at once: WAL lets readers
                # run during a write, IMMEDIATE takes the write lock at BEGIN (no deadlock on
                # lock upgrade) and the timeout makes writers queue instead of failing.
                "timeout": env_int("POLLGUARD_SQLITE_TIMEOUT", 20, minimum=1),
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("POLLGUARD_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- authentication -------------------------------------------------------------------

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- accounts: sign-in throttling, two-factor, sessions, API tokens -------------------
# (one block on purpose; docs/architecture.md, "Accounts", explains each choice)

# django-axes refuses locked-out accounts and addresses before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins before a lockout, counted per (username, address) and, separately, per
# address (any username); and how long the lockout lasts.
POLLGUARD_LOGIN_MAX_FAILURES = env_int("POLLGUARD_LOGIN_MAX_FAILURES", 5, minimum=1)
POLLGUARD_LOGIN_LOCKOUT_MINUTES = env_int("POLLGUARD_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = POLLGUARD_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=POLLGUARD_LOGIN_LOCKOUT_MINUTES)
# An account is locked at the address its failures come from, and an address for every
# account; never an account for everyone: five wrong passwords from an outsider would
# then lock the chair out of every machine (the lockout attack this setting must resist).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# REMOTE_ADDR only: behind our proxy the server has already put the real client there.
AXES_CLIENT_IP_CALLABLE = "pollguard.accounts.throttle.client_address"
AXES_USERNAME_CALLABLE = "pollguard.accounts.throttle.axes_username"
# A success does not wipe earlier failures (they count until the cool-off ends), and the
# logs (AccessFailureLog, AccessLog) are kept; the audit trail has every attempt anyway.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 1_000_000
# Refused attempts during a lockout do not extend it: a guesser cannot keep an owner out.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The login page shows the lockout itself (accounts.views.LoginView), so no AxesMiddleware
# and its bare 403 page.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

# Two-factor sign-in (TOTP app + backup codes) is required of the chair, operations
# officers and staff in production: served over HTTPS and not DEBUG. The local demo (plain
# HTTP) offers it without requiring it.
POLLGUARD_REQUIRE_2FA = env_bool(
    "POLLGUARD_REQUIRE_2FA", env_bool("POLLGUARD_HTTPS", False) and not DEBUG
)
OTP_TOTP_ISSUER = "pollguard"

# Signed out after this long without activity (the live feed's polling does not count);
# a form sent after that is kept and handed back after sign-in (accounts/sessions.py).
POLLGUARD_IDLE_TIMEOUT_MINUTES = env_int("POLLGUARD_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
# An expired form (CSRF) gets a page that explains and offers to reload, not Django's.
CSRF_FAILURE_VIEW = "pollguard.accounts.views.csrf_failure"

# --- security -------------------------------------------------------------------------

HTTPS = env_bool("POLLGUARD_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Only when a reverse proxy terminates TLS and always sets X-Forwarded-Proto/-For itself.
POLLGUARD_BEHIND_PROXY = env_bool("POLLGUARD_BEHIND_PROXY", False)
if POLLGUARD_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# `pollguard serve` behind a reverse proxy (docs/deployment.md): waitress drops every
# X-Forwarded-* header unless the peer is this address, so without it every client would
# look like the proxy (one lockout for everyone; with HTTPS on, a redirect to itself).
# When set, waitress rewrites REMOTE_ADDR, the scheme and the host from the proxy's headers.
POLLGUARD_TRUSTED_PROXY = env_str("POLLGUARD_TRUSTED_PROXY")
if POLLGUARD_TRUSTED_PROXY and POLLGUARD_TRUSTED_PROXY != "*":
    try:
        ipaddress.ip_address(POLLGUARD_TRUSTED_PROXY.strip("[]"))
    except ValueError:
        raise ImproperlyConfigured(
            "POLLGUARD_TRUSTED_PROXY must be the proxy's IP address (or *), "
            f"not {POLLGUARD_TRUSTED_PROXY!r}"
        ) from None
POLLGUARD_TRUSTED_PROXY_HEADERS = [
    header.lower()
    for header in env_list(
        "POLLGUARD_TRUSTED_PROXY_HEADERS",
        ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"],
    )
]
_PROXY_HEADERS = {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"}
if unknown := set(POLLGUARD_TRUSTED_PROXY_HEADERS) - _PROXY_HEADERS:
    raise ImproperlyConfigured(
        f"POLLGUARD_TRUSTED_PROXY_HEADERS: unknown {', '.join(sorted(unknown))}; "
        f"choose from {', '.join(sorted(_PROXY_HEADERS))}"
    )
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("POLLGUARD_SESSION_HOURS", 12, minimum=1) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Map tiles: without a URL the map draws centers on a plain background (no network).
POLLGUARD_TILE_URL = env_str("POLLGUARD_TILE_URL")
POLLGUARD_TILE_ATTRIBUTION = env_str("POLLGUARD_TILE_ATTRIBUTION")


def _tile_source(url: str) -> str:
    """The CSP source for a Leaflet tile template such as https://{s}.tile.example.org/…"""
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


POLLGUARD_CSP = "; ".join(
    [
        "default-src 'self'",
        " ".join(filter(None, ["img-src 'self' data:", _tile_source(POLLGUARD_TILE_URL)])),
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# --- languages and time ---------------------------------------------------------------

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
# Stored in UTC; pages show the current election's time zone (UserPreferencesMiddleware).
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "pollguard_language"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"

# The election shown by pages and the API; empty means the most recently loaded one.
POLLGUARD_ELECTION = env_str("POLLGUARD_ELECTION")

# --- the public page (/public/) ------------------------------------------------------

# How long the server keeps the published projection and each public answer, and how long
# browsers and proxies may keep a page (Cache-Control: public, max-age).
POLLGUARD_PUBLIC_CACHE_SECONDS = env_int("POLLGUARD_PUBLIC_CACHE_SECONDS", 30, minimum=1)
POLLGUARD_PUBLIC_MAX_AGE = env_int("POLLGUARD_PUBLIC_MAX_AGE", 60, minimum=0)
# Requests per client address per window; generous because a mobile operator's NAT puts
# many citizens behind one address.
POLLGUARD_PUBLIC_RATE_LIMIT = env_int("POLLGUARD_PUBLIC_RATE_LIMIT", 300, minimum=1)
POLLGUARD_PUBLIC_RATE_WINDOW = env_int("POLLGUARD_PUBLIC_RATE_WINDOW", 60, minimum=1)

# Django's cache: in the process by default (one `pollguard serve`); a Redis URL shares the
# public page's cache and rate-limit counts between several server processes.
POLLGUARD_CACHE_URL = env_secret("POLLGUARD_CACHE_URL")
# Counters every server process shares without a cache server (rate limits, change
# generations; `pollguard.common.counters`): a small SQLite file, never worth keeping.
POLLGUARD_COUNTERS_FILE = Path(
    env_str("POLLGUARD_COUNTERS_FILE", str(DATA_DIR / "counters.sqlite3"))
)
CACHES: dict[str, dict[str, object]]
if POLLGUARD_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": POLLGUARD_CACHE_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
# A demo or training clock for the special vote's day-and-hours rule: the special-vote
# clock starts at this instant (ISO 8601 with an offset) when the process starts and runs on.
# `pollguard demo` sets it to the demo's special-vote morning; never set it in production.
POLLGUARD_SPECIAL_VOTE_CLOCK = env_str("POLLGUARD_SPECIAL_VOTE_CLOCK")

# --- static files ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Serve straight from the app folders, so a fresh clone needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- live updates ---------------------------------------------------------------------

POLLGUARD_EVENT_RETENTION_HOURS = env_int("POLLGUARD_EVENT_RETENTION_HOURS", 48, minimum=1)

# --- field reports (docs/field-reports.md) ---------------------------------------------

# When station reports are due, in minutes: the opening report after polls open, hourly
# reports every so often while polls are open, the closing report (with the voter count)
# after polls close; the missing-report alarm fires `GRACE` minutes after a deadline.
POLLGUARD_CHECKIN_OPENING_MINUTES = env_int("POLLGUARD_CHECKIN_OPENING_MINUTES", 0, minimum=0)
POLLGUARD_CHECKIN_HOURLY_MINUTES = env_int("POLLGUARD_CHECKIN_HOURLY_MINUTES", 60, minimum=15)
POLLGUARD_CHECKIN_CLOSING_MINUTES = env_int("POLLGUARD_CHECKIN_CLOSING_MINUTES", 60, minimum=0)
POLLGUARD_CHECKIN_GRACE_MINUTES = env_int("POLLGUARD_CHECKIN_GRACE_MINUTES", 15, minimum=0)
# A device time further ahead of the server's than this is refused; ahead by over a minute
# but within it, the report is kept and its device clock flagged.
POLLGUARD_CHECKIN_CLOCK_TOLERANCE_MINUTES = env_int(
    "POLLGUARD_CHECKIN_CLOCK_TOLERANCE_MINUTES", 10, minimum=1
)
# A message without provider id from the same sender with the same text inside this
# window is the provider's retry, stored once.
POLLGUARD_FIELD_DEDUPE_MINUTES = env_int("POLLGUARD_FIELD_DEDUPE_MINUTES", 10, minimum=1)
# Unreadable or refused messages in a row after which a sender is locked.
POLLGUARD_FIELD_MAX_FAILURES = env_int("POLLGUARD_FIELD_MAX_FAILURES", 5, minimum=1)
# Webhook bodies larger than this are refused (413) before they are read.
POLLGUARD_WEBHOOK_MAX_BYTES = env_int("POLLGUARD_WEBHOOK_MAX_BYTES", 65536, minimum=1024)
# The public base URL the SMS gateway calls (Twilio signs the full URL it called).
POLLGUARD_PUBLIC_URL = env_str("POLLGUARD_PUBLIC_URL").rstrip("/")
POLLGUARD_TWILIO_AUTH_TOKEN = env_secret("POLLGUARD_TWILIO_AUTH_TOKEN")
POLLGUARD_RAPIDPRO_SECRET = env_secret("POLLGUARD_RAPIDPRO_SECRET")
# Telegram: the secret given to setWebhook (checked on every update) and the bot token
# (without one the reply job records what it would have sent).
POLLGUARD_TELEGRAM_SECRET = env_secret("POLLGUARD_TELEGRAM_SECRET")
POLLGUARD_TELEGRAM_BOT_TOKEN = env_secret("POLLGUARD_TELEGRAM_BOT_TOKEN")

# --- background jobs (Celery; docs/architecture.md, "Background jobs") -----------------

# Production: a Redis (or RabbitMQ) URL. Empty: kombu's SQLAlchemy transport on a SQLite
# file in the data folder, which needs no server (the demo).
POLLGUARD_BROKER_URL = env_secret("POLLGUARD_BROKER_URL") or (
    f"sqla+sqlite:///{DATA_DIR / 'broker.sqlite3'}"
)
POLLGUARD_BROKER_EMBEDDED = POLLGUARD_BROKER_URL.startswith("sqla+")
# The queue every pollguard process sends to and works on; two installations sharing one
# Redis keep apart by naming their own.
POLLGUARD_QUEUE = env_str("POLLGUARD_QUEUE", "pollguard")
# Whether `pollguard serve` starts a worker (with beat) beside the web server: yes with the
# embedded transport, no with a broker (run `pollguard worker` on the worker machines).
POLLGUARD_SERVE_WORKER = env_bool("POLLGUARD_SERVE_WORKER", POLLGUARD_BROKER_EMBEDDED)
# Server processes `pollguard serve` starts on its one socket; 0 means one per usable core.
POLLGUARD_SERVE_PROCESSES = env_int("POLLGUARD_SERVE_PROCESSES", 0, minimum=0)
# A running job whose row has not moved for this long lost its worker and is marked failed.
POLLGUARD_JOB_STALE_MINUTES = env_int("POLLGUARD_JOB_STALE_MINUTES", 15, minimum=1)
# A plan run of a package with independent parts (governorates) at least this large is
# split into one job per part (design.md section 4); smaller ones run as one job.
POLLGUARD_PLAN_SPLIT_MIN_CENTERS = env_int("POLLGUARD_PLAN_SPLIT_MIN_CENTERS", 1000, minimum=0)
# Escalation deadlines (docs/operations.md) in percent of the documented minutes, e.g. 50
# for a drill at double speed.
POLLGUARD_ESCALATION_PERCENT = env_int("POLLGUARD_ESCALATION_PERCENT", 100, minimum=1)
# Printed plan orders: the PDF is made by Debian's headless chromium (docs/pdf-engine.md
# says why not WeasyPrint), in the worker; the files are kept in the data folder.
POLLGUARD_CHROMIUM = env_str("POLLGUARD_CHROMIUM", "/usr/bin/chromium")
POLLGUARD_ORDERS_DIR = Path(env_str("POLLGUARD_ORDERS_DIR") or DATA_DIR / "orders")
# Report and list exports (reports app): one folder per job, downloaded through the app.
POLLGUARD_REPORTS_DIR = Path(env_str("POLLGUARD_REPORTS_DIR") or DATA_DIR / "reports")
# Scheduled situation reports (Celery beat) during an election's days: one every N minutes.
POLLGUARD_SITREP_EVERY_MINUTES = env_int("POLLGUARD_SITREP_EVERY_MINUTES", 120, minimum=5)

# --- audit trail ----------------------------------------------------------------------

# The Ed25519 key that signs audit checkpoints. Kept outside the database on purpose: whoever
# can rewrite the database must not also be able to sign. Created (mode 0600) on first use or
# by `pollguard audit keygen`; production keeps it on another volume (docs/architecture.md).
POLLGUARD_AUDIT_KEY_FILE = Path(
    env_str("POLLGUARD_AUDIT_KEY_FILE") or DATA_DIR / "audit_signing_key.pem"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("POLLGUARD_LOG_LEVEL", "WARNING")},
}

# SQLite needs its folder before the first connection; whitenoise warns about a missing
# STATIC_ROOT. A read-only container configures both elsewhere, hence no failure here.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
