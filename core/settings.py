"""Settings of the D0010 flow service.

Development needs no configuration: SQLite in ``db.sqlite3`` beside this project, DEBUG on.
Set ``DJANGO_PRODUCTION=1`` outside development: then ``DJANGO_SECRET_KEY`` (a strong one) and
``DJANGO_ALLOWED_HOSTS`` must be set (start-up stops with a clear message otherwise), DEBUG is
off and the security settings that ``manage.py check --deploy`` looks for are on.
``DATABASE_URL`` chooses the database (``postgres://user@host:5432/name`` or
``sqlite:///path``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from import_export.mixins import BaseImportExportMixin
from import_export.resources import Resource

# django-stubs and the import-export stubs make these classes generic (``ModelAdmin[Reading]``,
# ``ExportMixin[Reading]``, ``ModelResource[Reading]``); at run time they are not until this
# gives them a ``__class_getitem__``. No ``reveal_type`` in builtins: one left in code fails.
django_stubs_ext.monkeypatch(
    extra_classes=[BaseImportExportMixin, Resource], include_builtins=False
)

BASE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set when DJANGO_PRODUCTION is on (see README, 'Deploying')."
        )
    return value


def _secret_key() -> str:
    key = _required("DJANGO_SECRET_KEY")
    # What `manage.py check --deploy` calls insecure (security.W009) stops start-up here.
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters, "
            "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    return key


def _allowed_hosts() -> list[str]:
    hosts = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
    if not hosts:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must name at least one host, e.g. flows.example.com."
        )
    return hosts


PRODUCTION = _flag("DJANGO_PRODUCTION")
DEBUG = not PRODUCTION and not _flag("DJANGO_NO_DEBUG")

if PRODUCTION:
    SECRET_KEY = _secret_key()
    ALLOWED_HOSTS = _allowed_hosts()
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = not _flag("DJANGO_NO_SSL_REDIRECT")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
else:
    SECRET_KEY = os.environ.get(
        "DJANGO_SECRET_KEY", "django-insecure-development-only-key-never-used-in-production"
    )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "core.apps.FlowAdminConfig",  # the project's AdminSite replaces django.contrib.admin's
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "readings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "core.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "core.wsgi.application"

# -- database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN, so two imports queue instead of failing half-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_TIMEOUT", "120")),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGIN_URL = "admin:login"

# -- uploads ----------------------------------------------------------------------------------
# Largest D0010 file accepted through the admin; the command line has no limit.
D0010_UPLOAD_MAX_BYTES = int(os.environ.get("D0010_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads are spooled to a temporary file
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# -- import-export ----------------------------------------------------------------------------
IMPORT_EXPORT_SKIP_ADMIN_ACTION_EXPORT_UI = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# -- logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        # The command line already reports every file; set READINGS_LOG_LEVEL=INFO to see
        # the log of imports (file, outcome, counts, duration) on standard error as well.
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "level": os.environ.get("READINGS_LOG_LEVEL", "ERROR"),
        },
    },
    "loggers": {
        "readings": {"handlers": ["console"], "level": "INFO", "propagate": True},
    },
}
