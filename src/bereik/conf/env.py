"""Every environment variable Bereik reads, in one place.

Settings modules call :func:`env` with a name registered here; reading an unregistered name is a
programming error. ``bereik config_docs`` renders this registry as ``docs/configuration.md`` so the
documentation cannot drift from the code.
"""

import os
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | None
    help: str
    kind: str = "str"  # str | bool | int | list


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in [
        Variable(
            "DJANGO_SETTINGS_MODULE",
            "bereik.conf.settings.local",
            "Settings profile: `bereik.conf.settings.local` (development, demo) or "
            "`bereik.conf.settings.production`.",
        ),
        Variable(
            "DATABASE_URL",
            "sqlite:///var/bereik.sqlite3",
            "Database. SQLite path relative to the working directory for the embedded default; "
            "`postgres://user:password@host:5432/name` in production.",
        ),
        Variable(
            "DATABASE_CONN_MAX_AGE",
            "600",
            "Seconds a process keeps its database connection for the next request (checked before "
            "reuse). `0` opens a new connection for every request: on PostgreSQL each one starts "
            'a server process, milliseconds on every page and every "next resident".',
            "int",
        ),
        Variable(
            "SECRET_KEY",
            None,
            "Django secret key. Required in production (50+ random characters); development uses "
            "a fixed insecure key.",
        ),
        Variable("DEBUG", "false", "Show debug pages. Never in production.", "bool"),
        Variable(
            "ALLOWED_HOSTS",
            "127.0.0.1,localhost",
            "Comma-separated host names the application answers to.",
            "list",
        ),
        Variable(
            "CSRF_TRUSTED_ORIGINS",
            "",
            "Comma-separated origins (`https://bereik.example.nl`) trusted for form posts.",
            "list",
        ),
        Variable(
            "EMAIL_URL",
            "console://",
            "Outgoing e-mail: `console://` prints mails, `smtp://user:pass@host:587?tls=1` sends "
            "them, `smtps://...` for implicit TLS.",
        ),
        Variable(
            "DEFAULT_FROM_EMAIL", "Bereik <noreply@bereik.localhost>", "Sender of system e-mail."
        ),
        Variable(
            "SESSION_IDLE_MINUTES",
            "30",
            "Minutes of inactivity after which a session expires.",
            "int",
        ),
        Variable(
            "LOGIN_FAILURE_LIMIT",
            "5",
            "Failed logins (password or code) after which an account is locked.",
            "int",
        ),
        Variable(
            "LOCKOUT_MINUTES",
            "15",
            "Minutes an account stays locked after too many failed logins.",
            "int",
        ),
        Variable("LOG_FORMAT", "console", "`console` (readable) or `json` (one event per line)."),
        Variable("LOG_LEVEL", "INFO", "Minimum log level."),
        Variable(
            "STATIC_ROOT",
            "var/static",
            "Where `bereik collectstatic` puts static files for the web server.",
        ),
        Variable(
            "MEDIA_ROOT",
            "var/media",
            "Where uploaded files (signal files, reports) are stored.",
        ),
        Variable(
            "INTAKE_STALE_RUN_MINUTES",
            "30",
            "Minutes an import may show no progress before it counts as stopped (its process "
            "was killed) and is marked failed. Keep it above the longest storing phase, which "
            "shows no progress: about 4 minutes for a million rows on two cores.",
            "int",
        ),
        Variable(
            "SECURE_SSL_REDIRECT",
            "true",
            "Production only: redirect plain HTTP to HTTPS. Set to false when a proxy does it.",
            "bool",
        ),
        Variable(
            "SMS_BACKEND",
            "log",
            "How SMS messages leave Bereik: `log` (stored and logged, nothing sent) or `cm` "
            "(CM.com Business Messaging).",
        ),
        Variable(
            "SMS_CM_URL",
            "https://gw.cmtelecom.com/v1.0/message",
            "CM.com messaging gateway endpoint (only with `SMS_BACKEND=cm`).",
        ),
        Variable(
            "SMS_CM_PRODUCT_TOKEN",
            "",
            "CM.com product token (a secret; required with `SMS_BACKEND=cm`).",
        ),
        Variable(
            "SMS_SENDER",
            "Gemeente",
            "Sender shown on SMS messages: up to 11 letters or a phone number.",
        ),
        Variable(
            "SMS_TIMEOUT_SECONDS",
            "10",
            "Seconds to wait for the SMS provider before a message counts as failed.",
            "int",
        ),
        Variable(
            "API_RATE_LIMIT",
            "600/minute",
            "Requests per API token, as `<number>/<second, minute, hour or day>`; more get 429 "
            "with Retry-After.",
        ),
    ]
}

_TRUE = {"1", "true", "yes", "on", "ja"}
_FALSE = {"0", "false", "no", "off", "nee", ""}


def env(name: str, default: str | None = None):
    """Read a registered variable, converted to its kind; ``default`` overrides the registry's."""
    variable = VARIABLES[name]
    raw = os.environ.get(name)
    if raw is None:
        raw = default if default is not None else variable.default
    if raw is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required: {variable.help}")
    if variable.kind == "bool":
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")
    if variable.kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if variable.kind == "list":
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def render_markdown() -> str:
    lines = [
        "# Configuration",
        "",
        "Bereik reads its configuration from environment variables; this page is generated from",
        "`src/bereik/conf/env.py` by `bereik config_docs`.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for variable in VARIABLES.values():
        default = f"`{variable.default}`" if variable.default not in (None, "") else "–"
        lines.append(f"| `{variable.name}` | {default} | {variable.help} |")
    lines += [
        "",
        "Fixed, not configurable: time zone `Europe/Amsterdam`, language `nl`.",
        "",
    ]
    return "\n".join(lines)
