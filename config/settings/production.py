"""Production: every secret from the environment, HTTPS only, nothing embedded."""

from django.core.exceptions import ImproperlyConfigured

from config import env
from config.settings.base import *
from config.settings.base import STORAGES, _mailer

DEBUG = False
SECRET_KEY = env.string("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
ALLOWED_HOSTS = env.listing("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names served in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Served behind nginx (deploy/nginx), which appends the client's address to X-Forwarded-For:
# the login throttling counts that address, not the proxy's. 0 if nothing stands in front.
TRUSTED_PROXY_HOPS = env.integer("TRUSTED_PROXY_HOPS", 1)
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    # S3-compatible storage (django-storages, installed apart: see deploy/README.md); documents
    # are never public: each link is signed and expires.
    _bucket = env.string("S3_BUCKET", "")
    if not _bucket:
        raise ImproperlyConfigured("S3_BUCKET must name the bucket of the documents (STORAGE_BACKEND is S3).")
    _s3: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": env.string("S3_ENDPOINT_URL", "") or None,
            "region_name": env.string("S3_REGION", "") or None,
            "access_key": env.string("S3_ACCESS_KEY", ""),
            "secret_key": env.string("S3_SECRET_KEY", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    STORAGES["default"] = _s3  # type: ignore[assignment]

MAILERS = {"default": _mailer(env.string("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"))}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
}
