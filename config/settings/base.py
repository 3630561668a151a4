"""Settings shared by every environment. Environment variables are read in config.env."""

from __future__ import annotations

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config import env

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR

SECRET_KEY = env.string("SECRET_KEY", "insecure-local-only-key-do-not-use-in-production")
DEBUG = env.boolean("DEBUG", False)
ALLOWED_HOSTS = env.listing("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.listing("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "django_fsm",
    "simple_history",
    "axes",
    "django_tasks_db",
    "ninja",
    "core",
    "parties",
    "deliberations",
    "conventions",
    "documents",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.MemberPagesOnlyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # Pages and the fragments that HTMX swaps in them (``core.jinja``): ``pages/*.jinja``
        # extend ``layout.jinja``; a fragment is a template that the page includes.
        "NAME": "pages",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "core.jinja.environment",
            "autoescape": True,
            "context_processors": ["core.context_processors.page"],
        },
    },
]

# Forms and widgets through Django's Jinja2 templates of them (core.widgets.WidgetRenderer).
FORM_RENDERER = "core.widgets.WidgetRenderer"

DATABASES = {"default": env.database(VAR_DIR / "conventio.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): after 5 failures for one user name from one address,
# that pair is locked out for 15 minutes; after 30 failures from one address over any user
# names (someone trying names), that address is locked out too
# (core.middleware.LoginThrottleHandler).
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5)
LOGIN_FAILURES_PER_ADDRESS = env.integer("LOGIN_FAILURES_PER_ADDRESS", 30)
AXES_HANDLER = "core.middleware.LoginThrottleHandler"
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address: REMOTE_ADDR, or behind reverse proxies (production) the one the
# first of them saw, read from X-Forwarded-For (core.middleware.client_address).
TRUSTED_PROXY_HOPS = env.integer("TRUSTED_PROXY_HOPS", 0)
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "pages/registration/locked_out.jinja"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

STORAGES = {
    "default": {"BACKEND": env.string("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _mailer(backend: str) -> dict[str, object]:
    """The default mailer; SMTP options only for the SMTP backend."""
    mailer: dict[str, object] = {"BACKEND": backend}
    if backend.endswith("smtp.EmailBackend"):
        mailer["OPTIONS"] = {
            "host": env.string("EMAIL_HOST", "localhost"),
            "port": env.integer("EMAIL_PORT", 25),
            "username": env.string("EMAIL_HOST_USER", ""),
            "password": env.string("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env.boolean("EMAIL_USE_TLS", False),
            "timeout": env.integer("EMAIL_TIMEOUT", 20),
        }
    return mailer


MAILERS = {"default": _mailer(env.string("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"))}
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "Conventio <conventio@localhost>")
SITE_URL = env.string("SITE_URL", "http://127.0.0.1:8000")

# Processes that render a batch of documents (a sitting's extracts): 0, one per CPU.
DOCUMENTS_BATCH_PROCESSES = env.integer("DOCUMENTS_BATCH_PROCESSES", 0)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The management commands to run once a day, in this order (``manage.py serve`` runs them at
# start and then each night; in production, a cron entry or a systemd timer).
DAILY_JOBS = ["apply_convention_dates", "send_reminders"]

# Uploads: nothing larger than this is read into memory; the documents app sets its own
# limits per kind of file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Scripts, styles, fonts and images only from the site itself: no inline script or style
# (layout.jinja tells htmx not to inject its indicator styles), no eval, no framing.
# Images may be data: URIs (the API documentation's icons, organizations' logos).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page uses, refused to every frame and script (core.middleware).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "WARNING")},
}

# Dashboard panels contributed by the apps: "module.callable" taking the request and returning
# the panel's context ({"title", "template", …}) or None.
# The panels of an object's page contributed by the apps: the template global
# ``{{ name(request, obj) }}`` → ("module.callable" taking the user and the object and
# returning the panel's context, the template that prints it).
OBJECT_PANELS = {
    "documents_panel": ("documents.selectors.panel", "panels/documents.jinja"),
}

DASHBOARD_PANELS = [
    "reminders.dashboard.panel",
    "conventions.dashboard.panel",
    "deliberations.dashboard.panel",
    "documents.dashboard.panel",
]

# What an élu's account reaches (core.middleware.MemberPagesOnlyMiddleware): their
# convocations and the personal pages of each sitting, logging in and out, the language.
MEMBER_HOME = "deliberations:my_sittings"
MEMBER_PAGES = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "deliberations:my_sittings",
        "deliberations:my_sitting",
        "deliberations:member_page",
        "deliberations:member_annex",
        "deliberations:member_document",
        "deliberations:member_answer",
        "deliberations:member_proxy",
        "deliberations:member_proxy_withdraw",
        "deliberations:member_proxy_document",
    }
)

# Demo data loaders run in this order by `manage.py load_demo` (a missing module is skipped).
DEMO_LOADERS = [
    "parties.demo",
    "deliberations.demo",
    "deliberations.demo_members",
    "conventions.demo",
    "documents.demo",
    "reminders.demo",
]

# The header's link to the notifications, with the unread count: "module.callable" taking
# the request and returning {"show", "url", "unread", "label", "aria"}.
HEADER_NOTIFICATIONS = "reminders.header.notifications"
