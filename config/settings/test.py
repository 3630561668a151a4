"""The test suite: SQLite in memory unless DATABASE_URL names another database."""

import os

from config import env
from config.settings.base import *
from config.settings.base import VAR_DIR

if not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
else:
    DATABASES = {"default": env.database(VAR_DIR / "unused.sqlite3")}

DEBUG = False
# The benchmark dataset generator is tested at a tiny scale (tests/bench).
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
LANGUAGE_CODE = "fr"
# Batches render in this process (a pool of processes costs a second to start); the tests
# that exercise the pool set it themselves.
DOCUMENTS_BATCH_PROCESSES = 1
