"""The canary world: collectivités A and B, each text of each carrying its own canary.

The world is built once for the package (several seconds: two collectivités through the
services, their documents rendered and signed), inside a transaction rolled back at the end,
as Django's ``TestCase.setUpTestData`` does; each test runs in a savepoint within it, so what
a test writes is undone before the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tests.canary.world import World, build_world


@pytest.fixture(scope="package")
def canary_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(canary_world: World, db: None) -> World:
    return canary_world
