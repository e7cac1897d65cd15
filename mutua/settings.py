"""Mutua settings, driven by environment variables with safe defaults.

Every variable is documented in `.env.example`. Out of the box Mutua runs on SQLite in debug mode;
`DJANGO_ENV=production` turns on the secure settings and refuses to start without a real secret.
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

# Lets `admin.ModelAdmin[Circle]` and the like, which mypy needs, run (docs/decisions/0016).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value when DJANGO_ENV=production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", "Mutua")
# Who runs this instance, named where the interface would say "the host" (e.g. "Fundació Exemple").
# Empty: the interface says "the people who run this site" in each language.
ORGANISATION_NAME = env("MUTUA_ORGANISATION", "")

INSTALLED_APPS = [
    # Django's admin on MutuaAdminSite: a second factor for staff and no roster anywhere (DESIGN §2).
    "mutua.core.adminconfig.MutuaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mutua.core",
    "mutua.accounts",
    "mutua.circles",
    "mutua.meetings",
    "mutua.governance",
    "mutua.care",
    "mutua.matching",
    "mutua.notifications",
    "mutua.listings",
    "mutua.api",
    # Demo data (`manage.py seed_demo`); imports every app above, imported by none.
    "mutua.demo",
    "django_tasks_db",
    # The one scheduler of time-driven work (`manage.py crontask`, decision 0017).
    "crontask",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mutua.core.middleware.NoStoreMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "mutua.core.middleware.RejectNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Loads the person first: answers 503 when the database cannot be reached (before the login
    # requirement could send a signed-in person to the login page), then the inactivity timeout.
    "mutua.core.middleware.DatabaseUnavailableMiddleware",
    "mutua.accounts.middleware.UserPreferencesMiddleware",
    "mutua.core.middleware.MutuaLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages middleware so it can say why the person was logged out; still before any
    # view runs (the login requirement acts in process_view, after every middleware's request phase).
    "mutua.accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees view errors first: Mutua's own error pages with DEBUG on too.
    "mutua.core.middleware.ErrorPagesMiddleware",
]

ROOT_URLCONF = "mutua.urls"
WSGI_APPLICATION = "mutua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mutua.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the development server and background work share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The only backend: every password login (the login page, /admin/login/) goes through its throttle.
AUTHENTICATION_BACKENDS = ["mutua.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
# Staff TOTP (django-otp): the issuer names the site in authenticator apps; no admin page ever shows
# a device's secret key again after enrolment.
OTP_TOTP_ISSUER = SITE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_REDIRECT_URL = "circles:mine"
LOGOUT_REDIRECT_URL = "core:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Login throttling: at most LOGIN_RATE_LIMIT failed attempts per email and per IP address in the window.
LOGIN_RATE_LIMIT = int(env("LOGIN_RATE_LIMIT", "5"))
LOGIN_RATE_WINDOW_SECONDS = int(env("LOGIN_RATE_WINDOW_SECONDS", "900"))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("it", "Italiano"), ("ca", "Català")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

_EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": (
            {
                "host": env("EMAIL_HOST", "localhost"),
                "port": int(env("EMAIL_PORT", "25")),
                "username": env("EMAIL_HOST_USER"),
                "password": env("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 10,
            }
            if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Mutua <no-reply@localhost>")

# A strict Content-Security-Policy: no inline scripts or styles, nothing from other origins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
CSRF_FAILURE_VIEW = "mutua.core.errorviews.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(60 * 60 * 24 * 14)))
# Log out after this long without a request (default one hour): groups deal with health and
# addiction, and people often use shared or family devices; an hour still covers writing a long post.
SESSION_IDLE_TIMEOUT_SECONDS = int(env("SESSION_IDLE_TIMEOUT_SECONDS", str(60 * 60)))
LANGUAGE_COOKIE_SAMESITE = "Lax"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes browsers refuse these cookies unless they are Secure, for Path=/ and
    # without a Domain, so no subdomain can set or overwrite them. (Renaming logs everyone out once.)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True

# Logs never carry a group's topic or content: we log request paths (which hold only random codes)
# and never request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Django's default config gives the "django" logger its own console handler, and it propagates to
    # the root's as well: every line printed twice (the file-watcher line four times in `make run`).
    # One handler, at the root.
    # The scheduler (APScheduler inside `manage.py crontask`) would log every job it starts: warnings
    # and errors only.
    "loggers": {
        "django": {"handlers": [], "level": env("LOG_LEVEL", "INFO")},
        "apscheduler": {"level": "WARNING"},
    },
}

# Mutua's own host defaults (P4).
MUTUA_MIN_MEMBERS = int(env("MUTUA_MIN_MEMBERS", "5"))
MUTUA_MAX_MEMBERS = int(env("MUTUA_MAX_MEMBERS", "10"))
MUTUA_SEAT_OFFER_DAYS = int(env("MUTUA_SEAT_OFFER_DAYS", "7"))
MUTUA_DIRECTORY_PAGE_SIZE = 20

NINJA_PAGINATION_PER_PAGE = 20

# Background jobs (Django's tasks framework). The database backend needs `manage.py db_worker`
# running (`make run` starts one); TASKS_BACKEND=immediate runs jobs inline (tests, tiny installs).
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env("TASKS_BACKEND", "db") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
MUTUA_PROPOSAL_DAYS = int(env("MUTUA_PROPOSAL_DAYS", "7"))
# /healthz reports "tasks" when a ready task has waited longer than this (no worker is taking jobs).
HEALTHZ_TASK_MAX_WAIT_SECONDS = int(env("HEALTHZ_TASK_MAX_WAIT_SECONDS", "600"))

# Self-government (docs/decisions/0021): a proposal's default time to answer, the share of members who
# must take a stance for a consent decision to stand, the default quorum of a majority vote, the days
# members have to answer a join request, and how long a dissolved group's content is kept.
MUTUA_PROPOSAL_DAYS = int(env("MUTUA_PROPOSAL_DAYS", "7"))
MUTUA_CONSENT_MIN_PARTICIPATION = float(env("MUTUA_CONSENT_MIN_PARTICIPATION", "0.5"))
MUTUA_MAJORITY_QUORUM = float(env("MUTUA_MAJORITY_QUORUM", "0.5"))
MUTUA_JOIN_REQUEST_DAYS = int(env("MUTUA_JOIN_REQUEST_DAYS", "3"))
MUTUA_DISSOLVED_RETENTION_DAYS = int(env("MUTUA_DISSOLVED_RETENTION_DAYS", "90"))

# Online rooms: the video service's base URL; a room is this URL plus an unguessable name (P7).
MUTUA_VIDEO_BASE_URL = os.environ.get("MUTUA_VIDEO_BASE_URL", "https://meet.jit.si/")
# Members check themselves in from this many minutes before a meeting starts until it ends.
MUTUA_CHECKIN_OPENS_MINUTES = 30

# Time-driven work (decision 0017): each app's tasks.py puts its periodic tasks on the schedule with
# `@periodic(...)`, and `manage.py crontask` (exactly one per installation; `make run` starts it)
# enqueues them for the workers. With REDIS_URL set, a Redis lock makes a second scheduler give up.
CRONTASK = {"REDIS_URL": REDIS_URL or None}
# A notification email that fails is tried again after these pauses (seconds), then given up.
MUTUA_EMAIL_BACKOFF_SECONDS = [
    int(s) for s in env_list("MUTUA_EMAIL_BACKOFF_SECONDS", "60,300,1800,7200,21600")
]
# An email claimed by a worker longer ago than this is taken again: that worker must have died. Far
# above the mail server's timeout (10 s), so a slow send is never taken over.
MUTUA_EMAIL_CLAIM_TIMEOUT_SECONDS = int(env("MUTUA_EMAIL_CLAIM_TIMEOUT_SECONDS", "600"))
# How long before a seat offer or a proposal closes the person gets a reminder.
MUTUA_REMINDER_HOURS = int(env("MUTUA_REMINDER_HOURS", "24"))
