"""The one place where Conventio reads its environment.

Every setting that varies between machines comes from an environment variable read
here, with the embedded default that lets ``make run`` work on a fresh machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CONVENTIO_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ImproperEnvironment(RuntimeError):
    """An environment variable is missing or malformed."""


def string(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperEnvironment(f"The environment variable {name} is required.")
        return default
    return value


def boolean(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperEnvironment(f"{name} must be true or false, not {value!r}.")


def integer(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperEnvironment(f"{name} must be a whole number, not {value!r}.") from exc


def listing(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database(default_sqlite: Path) -> dict[str, Any]:
    """DATABASE_URL (postgres://…, sqlite:///…) or the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite}"
    config = dj_database_url.parse(url, conn_max_age=integer("DATABASE_CONN_MAX_AGE", 0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and a busy timeout let a worker and the web process share the file.
        config.setdefault("OPTIONS", {}).update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    if config["ENGINE"] == "django.db.backends.postgresql":
        # JIT compilation costs 10-20 ms on every large count and buys nothing for short
        # transactional queries (measured in bench/FINDINGS.md, F5).
        config.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    return dict(config)
