"""Settings of the D0010 flow service.

Development needs no configuration: SQLite in ``db.sqlite3`` beside this project, DEBUG on.
Every variable is read strictly (``core/environment.py``): switches are ``1`` or ``0``, numbers
are whole numbers, and any other value stops start-up with a message naming the variable.
Set ``DJANGO_PRODUCTION=1`` outside development: then ``DJANGO_SECRET_KEY`` (a strong one) and
``DJANGO_ALLOWED_HOSTS`` must be set (start-up stops with a clear message otherwise), DEBUG is
off and the security settings that ``manage.py check --deploy`` looks for are on.
``DATABASE_URL`` chooses the database (``postgres://user@host:5432/name`` or
``sqlite:///path``).
"""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from import_export.mixins import BaseImportExportMixin
from import_export.resources import Resource

from core.environment import env_bool, env_choice, env_int, env_str

# django-stubs and the import-export stubs make these classes generic (``ModelAdmin[Reading]``,
# ``ExportMixin[Reading]``, ``ModelResource[Reading]``); at run time they are not until this
# gives them a ``__class_getitem__``. No ``reveal_type`` in builtins: one left in code fails.
django_stubs_ext.monkeypatch(
    extra_classes=[BaseImportExportMixin, Resource], include_builtins=False
)

BASE_DIR = Path(__file__).resolve().parent.parent


def _required(name: str) -> str:
    value = env_str(name)
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


PRODUCTION = env_bool("DJANGO_PRODUCTION")
DEBUG = not PRODUCTION and not env_bool("DJANGO_NO_DEBUG")

if PRODUCTION:
    SECRET_KEY = _secret_key()
    ALLOWED_HOSTS = _allowed_hosts()
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in env_str("DJANGO_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()
    ]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = not env_bool("DJANGO_NO_SSL_REDIRECT")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
else:
    SECRET_KEY = env_str(
        "DJANGO_SECRET_KEY",
        default="django-insecure-development-only-key-never-used-in-production",
    )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Pages load scripts, styles, images and fonts from this site only, and nothing inline: no
# inline script, event handler or style attribute runs, so injected markup can do nothing.
# The admin's and this project's templates keep to it (styles in static/d0010/admin.css, the
# export page's script in static/d0010/export.js); the browser tests fail on any violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
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
    "axes",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",  # per-user API tokens (manage.py api_token)
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from this site
    "readings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # the Content-Security-Policy header on every response
    # Refuses a body over its limit from its Content-Length, before anything reads it.
    "core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Turns away who may not upload before CsrfViewMiddleware.process_view reads the body.
    "core.middleware.UploadPermissionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out log-in into its lock-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    try:
        return dict(
            dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=0))
        )
    except ValueError:  # not shown: the URL may hold a password
        raise ImproperlyConfigured(
            "DATABASE_URL is not a database URL that this service can use, such as "
            "postgres://user@host:5432/name or sqlite:///path."
        ) from None


DATABASES = {"default": _database()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN, so two imports queue instead of failing half-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", default=120),
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
# One UK format for dates and times throughout the admin: 06/12/2024, 06/12/2024 14:30.
FORMAT_MODULE_PATH = ["core.formats"]

# -- kept flow files --------------------------------------------------------------------------
# The bytes of every attempted file, by SHA-256 (readings/services/raw_files.py), in a storage
# of their own: a folder beside the project by default (var/, git-ignored), or an S3 bucket
# through django-storages (README, Settings), which must then be installed.
FLOW_FILES_STORAGES = {"filesystem": "filesystem", "s3": "s3"}


def _flow_files_storage() -> dict[str, Any]:
    kind = env_choice("D0010_FLOW_FILES_STORAGE", "filesystem", FLOW_FILES_STORAGES)
    if kind == "filesystem":
        location = env_str("D0010_FLOW_FILES_DIR", default=str(BASE_DIR / "var" / "flow-files"))
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            # No base URL: the bytes are served only through the admin's checked download.
            "OPTIONS": {"location": location, "base_url": None},
        }
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "D0010_FLOW_FILES_STORAGE=s3 needs django-storages[s3] installed "
            "(pip install 'django-storages[s3]')."
        )
    bucket = env_str("D0010_FLOW_FILES_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("D0010_FLOW_FILES_STORAGE=s3 needs D0010_FLOW_FILES_BUCKET.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        # Credentials and region come from the usual AWS variables or the instance's role.
        "OPTIONS": {
            "bucket_name": bucket,
            "location": env_str("D0010_FLOW_FILES_PREFIX", default="flow-files"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "flow_files": _flow_files_storage(),
}

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGIN_URL = "admin:login"

# -- clients and the login throttle (django-axes) ---------------------------------------------
# Reverse proxies in front of the service that each append the address they were sent from to
# X-Forwarded-For (nginx: proxy_add_x_forwarded_for). The client's address is the entry that
# many places from the right (core/clients.py); 0 believes no header and uses REMOTE_ADDR. In
# production the service is behind one proxy (it already trusts X-Forwarded-Proto from it).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
# Failures are counted per user name (whatever the address) and per address (whatever the
# name): ten wrong passwords are answered as such, the eleventh locks that name and that
# address out, the right password included, until 30 minutes pass without another try.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 11
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True  # each try while locked restarts the wait
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "core.login_throttle.lockout_response"  # a page in the admin's style
AXES_CLIENT_STR_CALLABLE = "core.login_throttle.describe_client"  # names them in the log
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, beside the per-name/address counts

# -- uploads and request bodies ---------------------------------------------------------------
# Largest D0010 file accepted through the admin, and the most that the files of one upload may
# be together; the command line has no limit.
D0010_UPLOAD_MAX_BYTES = env_int("D0010_UPLOAD_MAX_BYTES", default=50 * 1024 * 1024, minimum=1)
# A form's data outside its files: the admin's forms send a few kilobytes at most. A request
# to any page but the upload page may have a body this large and no larger; the upload page's
# may have D0010_UPLOAD_MAX_BYTES more (51 MiB by default). A larger Content-Length is refused
# with 413 before the body is read (core/middleware.py), and the reverse proxy should refuse
# it too (README, Security).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files are spooled to a temporary file
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_HANDLERS = [
    "core.uploads.BodyLimitUploadHandler",  # counts every file's bytes against the limit
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# -- the REST API (readings/api) ----------------------------------------------------------------
# Requests a signed-in user (a token, or the admin's session) may make to the API, per minute;
# beyond that, 429 with a JSON body that says when to try again.
API_READS_PER_MINUTE = env_int("API_READS_PER_MINUTE", default=240, minimum=1)
API_UPLOADS_PER_MINUTE = env_int("API_UPLOADS_PER_MINUTE", default=20, minimum=1)
REST_FRAMEWORK = {
    # The token first: a request without credentials is answered 401 with
    # "WWW-Authenticate: Token", not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["readings.api.permissions.ModelPermissions"],
    "DEFAULT_THROTTLE_CLASSES": ["readings.api.throttling.PerUserThrottle"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "readings.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "D0010 flow service API",
    "DESCRIPTION": (
        "Upload D0010 (Meter Readings) flow files and read what they told: flow files, import "
        "attempts, meter points and their readings. Authenticate with a token "
        "(`Authorization: Token <key>`, from `manage.py api_token USERNAME`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from this site's static files: no CDN, so the strict CSP holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# -- import-export ----------------------------------------------------------------------------
IMPORT_EXPORT_SKIP_ADMIN_ACTION_EXPORT_UI = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# -- logging ----------------------------------------------------------------------------------
LOG_LEVELS = {level: level for level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # A record about a request names its method, path and client, never its body,
        # cookies or headers (core/logs.py).
        "plain": {
            "()": "core.logs.RequestSafeFormatter",
            "format": "{asctime} {levelname} {name}: {message}",
            "style": "{",
        },
    },
    "handlers": {
        # The command line already reports every file; set READINGS_LOG_LEVEL=INFO to see
        # the log of imports (file, outcome, counts, duration) on standard error as well.
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "level": env_choice("READINGS_LOG_LEVEL", "ERROR", LOG_LEVELS),
        },
        # Server errors with their tracebacks and security events, on standard error in
        # production as in development, whatever READINGS_LOG_LEVEL says.
        "errors": {"class": "logging.StreamHandler", "formatter": "plain", "level": "WARNING"},
    },
    "loggers": {
        "readings": {"handlers": ["console"], "level": "INFO", "propagate": True},
        # Django's own handlers for these print only while DEBUG is on (or mail ADMINS, which
        # this service does not use): without these, a 500 in production was logged nowhere.
        "django.request": {"handlers": ["errors"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["errors"], "level": "WARNING", "propagate": False},
        # Request bodies refused for their size.
        "core": {"handlers": ["errors"], "level": "WARNING", "propagate": False},
        # Failed log-ins and lock-outs (successful log-ins are INFO, in the admin's records).
        "axes": {"handlers": ["errors"], "level": "WARNING", "propagate": False},
    },
}
