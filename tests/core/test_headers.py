"""Security headers on every page, and login throttling per address."""

import pytest
from django.test import Client, RequestFactory

from core.middleware import client_address, permissions_policy
from core.roles import Role


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
def test_every_page_has_a_strict_content_security_policy(organization, make_member, client_for):
    client = client_for(make_member(organization, Role.ADMINISTRATOR))
    pages = [
        Client().get("/connexion/"),
        client.get("/tableau-de-bord/"),
        client.get(f"/organisations/{organization.pk}/"),
        client.get("/conventions/"),
        client.get("/page-qui-n-existe-pas/"),
        client.get("/api/v1/docs"),
    ]
    for response in pages:
        policy = directives(response.headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], response.request["PATH_INFO"]
        assert policy["style-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "geolocation=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_pages_carry_no_inline_script_or_style(organization, make_member, client_for):
    page = client_for(make_member(organization, Role.ADMINISTRATOR)).get("/tableau-de-bord/").content.decode()
    assert "<style" not in page and " style=" not in page
    assert "<script>" not in page and "<script src=" in page
    assert '"includeIndicatorStyles": false' in page  # htmx adds no <style> of its own


def test_permissions_policy_header_value():
    assert permissions_policy({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"


def failed_login(client: Client, username: str, address: str) -> int:
    response = client.post("/connexion/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)
    return response.status_code


@pytest.mark.django_db
def test_one_address_trying_many_user_names_is_locked_out(organization, make_member, settings):
    user = make_member(organization, Role.VIEWER)
    client = Client()
    statuses = [failed_login(client, f"agent{n}", "203.0.113.7") for n in range(settings.LOGIN_FAILURES_PER_ADDRESS)]
    # No user name reached its own limit: the address's count locked the last one out.
    assert statuses[:-1] == [200] * (settings.LOGIN_FAILURES_PER_ADDRESS - 1)
    assert statuses[-1] == 429
    # From that address, even the right password of another user is refused for now...
    locked = client.post(
        "/connexion/", {"username": user.username, "password": "secret-pass-123"}, REMOTE_ADDR="203.0.113.7"
    )
    assert locked.status_code == 429 and "bloquée" in locked.content.decode()
    # ...while the same user logs in from another address.
    elsewhere = Client().post(
        "/connexion/", {"username": user.username, "password": "secret-pass-123"}, REMOTE_ADDR="198.51.100.4"
    )
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_a_few_failures_over_several_names_do_not_lock_the_address(organization, make_member, settings):
    user = make_member(organization, Role.VIEWER)
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT * 2):
        assert failed_login(client, f"agent{n % 3}", "203.0.113.8") == 200
    response = client.post(
        "/connexion/", {"username": user.username, "password": "secret-pass-123"}, REMOTE_ADDR="203.0.113.8"
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_one_user_name_is_still_locked_after_its_own_limit(organization, make_member, settings):
    user = make_member(organization, Role.VIEWER)
    client = Client()
    statuses = [failed_login(client, user.username, "203.0.113.9") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    # Another user name from the same address is not locked by it.
    assert failed_login(client, "someone-else", "203.0.113.9") == 200


def test_client_address_behind_the_reverse_proxy(settings):
    factory = RequestFactory()
    settings.TRUSTED_PROXY_HOPS = 1
    # The client wrote the first address; nginx appended the one it saw.
    request = factory.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", REMOTE_ADDR="127.0.0.1")
    assert client_address(request) == "203.0.113.5"
    assert client_address(factory.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    assert client_address(factory.get("/", HTTP_X_FORWARDED_FOR="garbage", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_address(request) == "127.0.0.1"
