"""Every page of the site, read by each role of a collectivité: not one word of the other."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from core.roles import Role
from tests.canary.reading import response_text
from tests.canary.urls import OWN_TESTS, POST_ONLY, PUBLIC_BY_ADDRESS, REDIRECTS, addresses, parameters, patterns
from tests.canary.world import ROLES, Tenant, World, found

# Pages whose whole point is the collectivité's own objects: the reader must find its own
# canaries there, or the walk would pass on an empty or broken page.
SHOWS_OWN = frozenset(
    {
        "home",
        "core:dashboard",
        "core:history",
        "parties:organization_list",
        "parties:organization_detail",
        "deliberations:list",
        "deliberations:detail",
        "deliberations:vote",
        "deliberations:ctes_package",
        "deliberations:assembly_list",
        "deliberations:assembly_detail",
        "deliberations:sitting_list",
        "deliberations:sitting_detail",
        "deliberations:attendance",
        "deliberations:public_list",
        "deliberations:public_extract",
        "deliberations:member_page",
        "deliberations:member_annex",
        "deliberations:member_document",
        "deliberations:member_proxy_document",
        "conventions:list",
        "conventions:detail",
        "conventions:amendment_detail",
        "conventions:committee_detail",
        "conventions:meeting_detail",
        "conventions:programme_list",
        "conventions:programme_detail",
        "conventions:clause_list",
        "documents:list",
        "documents:detail",
        "documents:download",
        "documents:template_history",
        "documents:certificates",
        "documents:batch_detail",
        "documents:batch_download",
        "reminders:list",
        "reminders:notifications",
        "reminders:feed",
        "deliberations:public_opendata_deliberations",
        "conventions:public_opendata_subventions",
    }
)


def dual_member(world: World) -> Any:
    """An administrator of both collectivités, with a name of neither."""
    from core.models import Membership
    from tests.factories import UserFactory

    both = UserFactory(username="both", first_name="Dominique", last_name="Double", email="both@example.org")
    for tenant in (world.a, world.b):
        Membership.objects.create(user=both, organization=tenant.organization, role=Role.ADMINISTRATOR)
    return both


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def walk(reader: Tenant, other: Tenant, role: str) -> list[str]:
    """GET every page with the reader's ids; the problems found, one line each."""
    user = reader.users[role]
    client = client_of(user)
    problems = []
    for name, _kwargs, url in addresses(reader):
        if name == "reminders:feed":
            url = reverse(name, kwargs={"token": user.reminder_preference.feed_token})
        response = client.get(url)
        text = response_text(response)
        leaked = found(other.tag, text)
        if leaked:
            problems.append(f"LEAK {role} GET {url} ({name}) {response.status_code}: {leaked}")
        if role == Role.MEMBER and name not in settings.MEMBER_PAGES:
            # An élu's account: every staff page refused (its home sends it to its sittings).
            expected = 302 if name in ("home", "core:dashboard") else 403
            if response.status_code != expected:
                problems.append(f"{role} GET {url} ({name}): {response.status_code}, expected {expected} (élu)")
            continue
        if name in POST_ONLY:
            if response.status_code != 405:
                problems.append(f"{role} GET {url} ({name}): {response.status_code}, expected 405 (POST only)")
            continue
        allowed = {200} if role == Role.ADMINISTRATOR else {200, 403}
        if name in REDIRECTS:
            allowed = allowed | {302}
        if response.status_code not in allowed:
            problems.append(f"{role} GET {url} ({name}): {response.status_code}")
        elif response.status_code == 200 and name in SHOWS_OWN and not found(reader.tag, text):
            problems.append(f"{role} GET {url} ({name}): none of the reader's own names (empty page?)")
    return problems


def test_every_url_pattern_is_walked(world: World) -> None:
    """A new page must join the walk (or the POST-only list): none escapes the canary test."""
    walked = set(parameters(world.a))
    names = {name for name, _pattern in patterns() if not name.startswith(OWN_TESTS)}
    assert names - walked == set()
    assert walked - names == set()
    assert walked >= POST_ONLY | PUBLIC_BY_ADDRESS | REDIRECTS


@pytest.mark.parametrize("role", ROLES)
def test_no_page_of_a_shows_anything_of_b(world: World, role: str) -> None:
    problems = walk(world.a, world.b, role)
    assert not problems, "\n".join(problems)


def test_no_page_of_b_shows_anything_of_a(world: World) -> None:
    """The mirror walk, by B's administrator: it also proves B's canaries do show in B's pages."""
    problems = walk(world.b, world.a, Role.ADMINISTRATOR)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.VIEWER])
def test_the_other_collectivites_ids_answer_404(world: World, role: str) -> None:
    """Every page named by B's ids answers 404 to A's users, GET or POST, and shows nothing of B."""
    a, b = world.a, world.b
    client = client_of(a.users[role])
    problems = []
    for name, kwargs, url in addresses(b):
        if not kwargs or name in PUBLIC_BY_ADDRESS:
            continue
        response = client.post(url, {}) if name in POST_ONLY else client.get(url)
        leaked = found(b.tag, response_text(response))
        if leaked:
            problems.append(f"LEAK {role} {response.request['REQUEST_METHOD']} {url} ({name}): {leaked}")
        if response.status_code != 404:
            problems.append(f"{role} {response.request['REQUEST_METHOD']} {url} ({name}): {response.status_code}")
    assert not problems, "\n".join(problems)


def queries(reader: Tenant, other: Tenant) -> list[dict[str, Any]]:
    """Filters and searches naming the other collectivité's objects or words, one at a time."""
    o = other.objects
    return [
        {"q": other.tag},
        {"q": o["convention"].title},
        {"q": o["deliberation"].title},
        {"q": other.people[0].last_name},
        {"partner_name": o["partner"].name},
        {"organization": other.organization.pk},
        {"partner": o["partner"].pk},
        {"manager": other.users[Role.MANAGER].pk},
        {"programme": o["programme"].pk},
        {"assemblee": o["assembly"].pk},
        {"seance": o["sitting"].pk},
        {"seance": o["coming_sitting"].pk},
        {"annee": o["deliberation"].year},
        {"matiere": o["deliberation"].subject_code},
        {"scope": "all", "status": "all"},
        {"unread": "1"},
        {"page": "2"},
    ]


def without_echo(text: str, query: dict[str, Any], tag: str) -> str:
    """The page without the searched words it repeats (in its search box, its links): a
    found row of the other collectivité still shows its other words (reference, partner…)."""
    echoed = found(tag, " ".join(str(value) for value in query.values()))
    if not echoed:
        return text
    return re.sub(r"\b(" + "|".join(map(re.escape, echoed)) + r")\b", "", text, flags=re.IGNORECASE)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.VIEWER])
def test_filters_and_searches_naming_b_show_nothing_of_b(world: World, role: str) -> None:
    """Every page without path parameters (lists, searches, forms), asked with each filter or
    search that names B: nothing of B, whatever the filter."""
    a, b = world.a, world.b
    client = client_of(a.users[role])
    problems = []
    for name, kwargs, url in addresses(a):
        if kwargs or name in POST_ONLY or name in REDIRECTS:
            continue
        for query in queries(a, b):
            response = client.get(url, query)
            leaked = found(b.tag, without_echo(response_text(response), query, b.tag))
            if leaked:
                problems.append(f"LEAK {role} GET {url}?{query} ({name}) {response.status_code}: {leaked}")
    assert not problems, "\n".join(problems)


def test_actions_of_a_answer_nothing_of_b(world: World, django_capture_on_commit_callbacks: Any) -> None:
    """Every POST-only address, posted to with A's ids as the pages' HTMX does (the answer is
    a fragment swapped in place, or the page it redirects to): nothing of B."""
    a, b = world.a, world.b
    o = a.objects
    client = client_of(a.admin)
    posts = [(url, {}) for name, _kwargs, url in addresses(a) if name in POST_ONLY and name != "logout"]
    posts += [
        (reverse("deliberations:action", args=[o["agenda_item"].pk, move]), {}) for move in ("descendre", "monter")
    ]
    posts += [
        (reverse("deliberations:attendance_one", args=[o["running_sitting"].pk, a.people[1].pk]), {"status": "absent"}),
        (reverse("reminders:handle", args=[o["deadline"].pk]), {}),
        (reverse("reminders:reopen", args=[o["deadline"].pk]), {}),
    ]
    problems = []
    with django_capture_on_commit_callbacks(execute=True):
        for url, data in posts:
            for headers in ({"HX-Request": "true"}, {}):
                response = client.post(url, data, headers=headers, follow=True)
                leaked = found(b.tag, response_text(response))
                if leaked:
                    problems.append(f"LEAK POST {url} {headers} {response.status_code}: {leaked}")
    assert not problems, "\n".join(problems)
    # The agenda's rows, swapped in by HTMX after a move, are A's own.
    rows = client.post(
        reverse("deliberations:action", args=[o["agenda_item"].pk, "descendre"]), headers={"HX-Request": "true"}
    )
    assert o["agenda_item"].title in rows.content.decode() and not found(b.tag, rows.content.decode())


def main_part(text: str) -> str:
    """A page's own content, without the layout and the navigation (whose menus and
    switches list every collectivité of the reader, by design)."""
    match = re.search(r"<main\b.*?</main>", text, flags=re.S)
    return re.sub(r"<nav\b.*?</nav>", "", match.group(0) if match else text, flags=re.S)


def test_pages_of_as_objects_show_nothing_of_b_to_someone_of_both(world: World) -> None:
    """A page about one of A's objects (a convention, a sitting, A's settings…) is about A,
    even for an administrator of both A and B: its forms offer A's programmes, partners,
    people and deliberations, never B's."""
    both = dual_member(world)
    client = client_of(both)
    problems = []
    for name, kwargs, url in addresses(world.a):
        if not kwargs or name in POST_ONLY or name == "reminders:feed":
            continue
        response = client.get(url)
        leaked = found(world.b.tag, main_part(response_text(response)))
        if leaked:
            problems.append(f"LEAK GET {url} ({name}) {response.status_code}: {leaked}")
    assert not problems, "\n".join(problems)


def test_public_pages_of_a_name_only_a(world: World) -> None:
    """The published acts of A, read by anyone (no login), say nothing of B."""
    client = Client()
    for name in ("deliberations:public_list", "deliberations:public_extract"):
        for kwargs in parameters(world.a)[name]:
            text = response_text(client.get(reverse(name, kwargs=kwargs)))
            assert found(world.b.tag, text) == [], name
            assert found(world.a.tag, text), name
    # Searches and filters of the public register naming B find nothing of B in A's register.
    url = reverse("deliberations:public_list", kwargs={"organization_id": world.a.organization.pk})
    for query in queries(world.a, world.b):
        text = response_text(client.get(url, query))
        assert found(world.b.tag, without_echo(text, query, world.b.tag)) == [], query
    # B's public list with A's act: not found, and nothing of B's own acts mislabelled as A's.
    response = client.get(
        reverse(
            "deliberations:public_extract",
            kwargs={"organization_id": world.b.organization.pk, "pk": world.a["deliberation"].pk},
        )
    )
    assert response.status_code == 404
    assert found(world.a.tag, response_text(response)) == []


def test_django_admin_is_closed_to_collectivites(world: World) -> None:
    """The admin site is for the platform's staff: a collectivité's administrator is sent to
    its login, whatever object the address names (its own or the other's)."""
    client = client_of(world.a.admin)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[1]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
        assert found(world.b.tag, response_text(response)) == [], url


def test_member_pages_of_a_name_only_a(world: World) -> None:
    """A member's personal pages, read with no login, say nothing of B; A's token with B's
    annex or document finds nothing."""
    client = Client()
    for name in (
        "deliberations:member_page",
        "deliberations:member_annex",
        "deliberations:member_document",
        "deliberations:member_proxy_document",
    ):
        for kwargs in parameters(world.a)[name]:
            response = client.get(reverse(name, kwargs=kwargs))
            text = response_text(response)
            assert response.status_code == 200, name
            assert found(world.b.tag, text) == [], name
            assert found(world.a.tag, text), name
    token = world.a["member_access"].token
    for name, kwargs in (
        ("deliberations:member_annex", {"token": token, "annex_id": world.b["coming_annex"].pk}),
        ("deliberations:member_document", {"token": token, "document_id": world.b["convocation"].pk}),
    ):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 404, name
        assert found(world.b.tag, response_text(response)) == [], name
