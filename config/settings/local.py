"""One machine, embedded defaults: SQLite under var/, console e-mail, DEBUG on."""

from config import env
from config.settings.base import *

DEBUG = env.boolean("DEBUG", True)

# The benchmark dataset command (manage.py generate_bench_data); never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
