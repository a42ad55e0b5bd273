"""Settings shared by every profile. Values that differ per installation come from ``env``."""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bereik.conf.env import env
from bereik.conf.logging import configure_logging

PACKAGE_DIR = Path(__file__).resolve().parents[2]
# The working directory is the installation's home: var/ (database, media) lives beside it.
PROJECT_DIR = PACKAGE_DIR.parents[1]
NODE_MODULES = PROJECT_DIR / "node_modules"

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY", "insecure-development-key-only-for-local-use-0123456789abcdef")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "bereik.accounts",
    "bereik.audit",
    "bereik.portal",
    "bereik.cases",
    "bereik.intake",
    "bereik.outreach",
    "bereik.reach",
    "bereik.privacy",
    "bereik.handover",
    "bereik.lifecycle",
    "bereik.reporting",
    "bereik.api",
    "bereik.demo",
    "django.contrib.admin",  # last: the first app's translations win, ours say "Inloggen"
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "bereik.accounts.middleware.RequireVerifiedLoginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bereik.audit.middleware.RequestOriginMiddleware",
    "axes.middleware.AxesMiddleware",
    "bereik.portal.busy.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "bereik.conf.urls"
WSGI_APPLICATION = "bereik.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bereik.portal.context_processors.navigation",
            ],
        },
    },
]


def _database(url: str) -> dict:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        # A relative SQLite path is relative to the project directory, wherever the command runs.
        path = PROJECT_DIR / url.removeprefix("sqlite:///")
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    config = dj_database_url.parse(
        url, conn_max_age=env("DATABASE_CONN_MAX_AGE"), conn_health_checks=True
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work during an import; IMMEDIATE avoids lock upgrades that deadlock.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": _database(env("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The audit trail is this many interleaved hash chains, so writers on PostgreSQL do not all queue
# for one tail (docs/architecture.md, "Concurrency"). Changing it later is safe: each entry names
# its chain.
AUDIT_CHAINS = 16

# Lockout (BIO): failures count per account, whatever the origin address.
AXES_FAILURE_LIMIT = env("LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = env("LOCKOUT_MINUTES") / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by address too would lock out a whole contact centre behind one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = False  # the count restarts after both factors: accounts.services
AXES_LOCKOUT_CALLABLE = "bereik.accounts.views.locked_out"
AXES_VERBOSE = False

# Sessions expire after inactivity: every request renews the cookie's age.
SESSION_COOKIE_AGE = env("SESSION_IDLE_MINUTES") * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "bereik.portal.views.csrf_failure"

OTP_TOTP_ISSUER = "Bereik"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = None

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / env("STATIC_ROOT")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even before collectstatic
STATICFILES_DIRS = [
    ("vendor/utrecht", NODE_MODULES / "@utrecht" / "component-library-css" / "dist"),
    ("vendor/utrecht-tokens", NODE_MODULES / "@utrecht" / "design-tokens" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = PROJECT_DIR / env("MEDIA_ROOT")
INTAKE_STALE_RUN_MINUTES = env("INTAKE_STALE_RUN_MINUTES")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}


def _mailer(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme in ("smtp", "smtps"):
        query = parse_qs(parsed.query)
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parsed.hostname or "localhost",
                "port": parsed.port or (465 if parsed.scheme == "smtps" else 587),
                "username": unquote(parsed.username or ""),
                "password": unquote(parsed.password or ""),
                "use_tls": query.get("tls", ["0"])[0] in ("1", "true"),
                "use_ssl": parsed.scheme == "smtps",
            },
        }
    raise ImproperlyConfigured(f"EMAIL_URL scheme {parsed.scheme!r} is not supported")


# The REST API (bereik.api): token authentication only, JSON in and out, problem+json errors.
BEREIK_LOGIN_EXEMPT_PREFIXES = ("/api/v1/",)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["bereik.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["bereik.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["bereik.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env("API_RATE_LIMIT")},
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bereik.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bereik API",
    "DESCRIPTION": (
        "Signals in, cases and call results out, webhooks. Follows the Dutch API Design Rules "
        "(Logius ADR 2): plural kebab-case resources, camelCase fields, problem+json errors, "
        "page/pageSize pagination and an API-Version header. Integration guide: docs/api.md."
    ),
    "VERSION": "1.0.0",
    "LICENSE": {"name": "EUPL-1.2"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "PREPROCESSING_HOOKS": ["bereik.api.schema.only_api_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bereik.api.schema.add_version_header",
    ],
}

MAILERS = {"default": _mailer(env("EMAIL_URL"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING_CONFIG = None
configure_logging(fmt=env("LOG_FORMAT"), level=env("LOG_LEVEL"))
