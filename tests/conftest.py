"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from core import services as core_services
from core.roles import Role
from tests.factories import OrganizationFactory, member

CHROMIUM_CANDIDATES = [os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"]


@pytest.fixture
def organization() -> Any:
    return OrganizationFactory(name="Ville de Testville", population=40000)


@pytest.fixture
def other_organization() -> Any:
    return OrganizationFactory(name="Ville d'Ailleurs")


@pytest.fixture
def make_member() -> Any:
    return member


@pytest.fixture
def legal_user(organization: Any) -> Any:
    return member(organization, Role.LEGAL)


@pytest.fixture
def clerk_user(organization: Any) -> Any:
    return member(organization, Role.CLERK)


@pytest.fixture
def manager_user(organization: Any) -> Any:
    return member(organization, Role.MANAGER)


@pytest.fixture
def viewer_user(organization: Any) -> Any:
    return member(organization, Role.VIEWER)


@pytest.fixture
def admin_user_of(organization: Any) -> Any:
    return member(organization, Role.ADMINISTRATOR)


def logged_client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def client_for() -> Any:
    return logged_client


class ApiClient:
    """A test client that sends a real bearer token, as scripts do."""

    def __init__(self, user: Any) -> None:
        _token, key = core_services.create_api_token(user=user, name="tests")
        self.client = Client(headers={"Authorization": f"Bearer {key}"})
        self.user = user

    def __getattr__(self, method: str) -> Any:
        call = getattr(self.client, method)

        def send(path: str, data: Any = None, **kwargs: Any) -> Any:
            if method in {"post", "put", "patch", "delete"} and data is not None:
                kwargs.setdefault("content_type", "application/json")
            return call(f"/api/v1{path}", data, **kwargs) if data is not None else call(f"/api/v1{path}", **kwargs)

        return send


@pytest.fixture
def api_for() -> Any:
    return ApiClient


# --- Browser tests (headless Chromium driven by Playwright) -----------------------------


def _chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and shutil.which(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = _chromium_path()
    if path is None:
        message = (
            "Browser tests need Chromium: install Debian's package (apt-get install chromium) "
            "or set CHROMIUM_PATH, then run make test again."
        )
        if os.environ.get("CONVENTIO_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page: Any) -> Any:
    """Log in through the real form, as a person would."""

    def do_login(user: Any, password: str = "secret-pass-123") -> Any:
        page.goto("/connexion/")
        page.get_by_label("Identifiant").fill(user.username)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        return page

    return do_login


AXE_SCRIPT = os.path.join(os.path.dirname(__file__), "e2e", "vendor", "axe.min.js")


@pytest.fixture
def accessibility_violations(page: Any) -> Any:
    """Run axe-core (WCAG 2.1 A and AA rules) on the current page; return the violations."""

    def check() -> list[dict[str, Any]]:
        page.wait_for_load_state("load")
        page.add_script_tag(path=AXE_SCRIPT)
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        return [
            {"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"][:3]]}
            for v in result["violations"]
        ]

    return check


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Tables come from the models (--no-migrations); add what only migrations create:
    the PostgreSQL full-text index of deliberations, on (assembly, vector)."""
    import importlib

    from django.apps import apps
    from django.db import connection

    search_index = importlib.import_module("deliberations.migrations.0005_scoped_search_index")
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        search_index.scoped_index(apps, editor)
