"""Start Django for a benchmark script run as ``python -m bench.<name>``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def setup(*, debug: bool = False) -> None:
    """Configure Django from DJANGO_SETTINGS_MODULE (default ``config.settings.local``).

    Benchmarks run with DEBUG off unless the environment says otherwise: with DEBUG on,
    Django keeps every SQL query in memory and the figures would measure that.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DEBUG", "true" if debug else "false")
    import django

    django.setup()
