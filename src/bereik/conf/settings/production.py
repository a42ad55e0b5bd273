"""Production profile: secrets required, HTTPS only, secure cookies; passes ``check --deploy``."""

from bereik.conf.env import env

from .base import *  # noqa: F403

DEBUG = env("DEBUG", "false")
SECRET_KEY = env("SECRET_KEY", None)
if SECRET_KEY.startswith("insecure"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set to a random value in production")

if not env("EMAIL_URL").startswith(("smtp://", "smtps://")):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("EMAIL_URL must be an smtp:// or smtps:// URL in production")

SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
