"""The API runs a sitting like the pages: same rules, same messages; scoped; query counts pinned."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import Role
from deliberations import services

pytestmark = pytest.mark.django_db


def test_a_whole_sitting_through_the_api(organization, council_factory, api_for):
    council = council_factory(organization, 9, pattern="v{year}-{seq:03}")
    api = api_for(council.clerk)
    people = council.people
    response = api.post(
        "/sittings",
        {"assembly_id": council.assembly.pk, "starts_at": "2024-03-26T18:00:00+01:00", "president_id": people[0].pk},
    )
    assert response.status_code == 201, response.json()
    sitting_id = response.json()["id"]
    late = api.post(f"/sittings/{sitting_id}/convene", {"convocation_date": "2024-03-22"})
    assert late.status_code == 400
    assert late.json()["rule"] == "CGCT L2121-11 et L2121-12 (délai de convocation)"
    assert "20 mars 2024" in late.json()["detail"]
    assert api.post(f"/sittings/{sitting_id}/convene", {"convocation_date": "2024-03-20"}).json()["state"] == "convened"
    item = api.post(
        "/deliberations",
        {"assembly_id": council.assembly.pk, "sitting_id": sitting_id, "title": "Subvention", "subject_code": "7.5"},
    )
    assert item.status_code == 201 and item.json()["number"] == "v2024-001" and item.json()["state"] == "on_agenda"
    item_id = item.json()["id"]
    note = api.post(
        "/deliberations",
        {
            "assembly_id": council.assembly.pk,
            "sitting_id": sitting_id,
            "title": "Rapport annuel",
            "kind": "information",
        },
    ).json()["id"]
    assert api.post(f"/sittings/{sitting_id}/open").status_code == 200
    statuses = {str(p.pk): "present" for p in people[:6]} | {str(people[6].pk): "absent"}
    attendance = api.put(f"/sittings/{sitting_id}/attendance", {"statuses": statuses}).json()
    assert attendance["opening"] == {
        "members_in_office": 9,
        "present": 6,
        "represented": 0,
        "voters": 6,
        "quorum_needed": 5,
        "has_quorum": True,
    }
    refused = api.post(
        f"/sittings/{sitting_id}/proxies",
        {"giver_id": people[7].pk, "holder_id": people[8].pk, "written_on": "2024-03-25"},
    )
    assert refused.status_code == 400 and refused.json()["rule"] == "CGCT L2121-20 (pouvoirs)"
    assert "doit être présent" in refused.json()["detail"]
    proxy = api.post(
        f"/sittings/{sitting_id}/proxies",
        {"giver_id": people[6].pk, "holder_id": people[1].pk, "written_on": "2024-03-25"},
    )
    assert proxy.status_code == 201
    wrong = api.post(
        f"/deliberations/{item_id}/vote", {"votes_for": 6, "votes_against": 0, "abstentions": 0, "not_voting": 0}
    )
    assert wrong.status_code == 400 and "il en faut exactement 7" in wrong.json()["detail"]
    tie = api.post(
        f"/deliberations/{item_id}/vote", {"votes_for": 3, "votes_against": 3, "abstentions": 1, "not_voting": 0}
    )
    assert tie.status_code == 400 and tie.json()["field"] == "president_choice"
    voted = api.post(
        f"/deliberations/{item_id}/vote",
        {"votes_for": 3, "votes_against": 3, "abstentions": 1, "not_voting": 0, "president_choice": "against"},
    )
    assert voted.status_code == 201
    assert voted.json()["vote"]["result_text"] == "rejetée, la voix du président étant prépondérante"
    assert voted.json()["state"] == "rejected"
    # Answered from what the service wrote: the same as reading the item again.
    assert voted.json() == api.get(f"/deliberations/{item_id}").json()
    assert voted.json()["attendance"] == {
        "members_in_office": 9,
        "present": 6,
        "represented": 1,
        "voters": 7,
        "quorum_needed": 5,
        "has_quorum": True,
    }
    cannot = api.post(
        f"/deliberations/{note}/vote", {"votes_for": 7, "votes_against": 0, "abstentions": 0, "not_voting": 0}
    )
    assert cannot.status_code == 400 and "prend acte" in cannot.json()["detail"]
    noted = api.post(f"/deliberations/{note}/take-note").json()
    assert noted["state"] == "taken_note" and noted == api.get(f"/deliberations/{note}").json()
    assert api.post(f"/sittings/{sitting_id}/close").json()["state"] == "closed"
    signed = api.post(f"/deliberations/{item_id}/sign", {"signed_on": "2024-03-27"})
    assert signed.json()["state"] == "signed"
    bad_ack = api.post(
        f"/deliberations/{item_id}/transmission",
        {
            "sent_on": "2024-03-28",
            "nature": "DE",
            "internal_number": "V2024_001",
            "received_on": "2024-03-28",
            "acknowledgement_id": f"034-{organization.siren}-20240326-V2024_002-DE",
        },
    )
    assert bad_ack.status_code == 400 and "numéro V2024_002 au lieu de V2024_001" in bad_ack.json()["detail"]
    sent = api.post(
        f"/deliberations/{item_id}/transmission",
        {
            "sent_on": "2024-03-28",
            "nature": "DE",
            "received_on": "2024-03-28",
            "acknowledgement_id": f"034-{organization.siren}-20240326-V2024_001-DE",
        },
    )
    assert sent.status_code == 200 and sent.json()["transmission"]["internal_number"] == "V2024_001"
    published = api.post(f"/deliberations/{item_id}/publication", {"published_on": "2024-03-29"}).json()
    assert published["state"] == "enforceable" and published["recours_end"] == "2024-05-30"
    again = api.post(f"/sittings/{sitting_id}/close")
    assert again.status_code == 409


def test_tenancy_and_roles(organization, other_organization, council_factory, api_for, make_member):
    council = council_factory(organization, 5)
    sitting = council.sitting()
    outsider = make_member(other_organization, Role.ADMINISTRATOR)
    assert api_for(outsider).get(f"/sittings/{sitting.pk}").status_code == 404
    assert api_for(outsider).post(f"/sittings/{sitting.pk}/close").status_code == 404
    viewer = make_member(organization, Role.VIEWER)
    assert api_for(viewer).get(f"/sittings/{sitting.pk}").status_code == 200
    forbidden = api_for(viewer).put(
        f"/sittings/{sitting.pk}/attendance", {"statuses": {str(council.people[0].pk): "present"}}
    )
    assert forbidden.status_code == 403


def _busy_sitting(council, size):
    """A sitting of ``size`` members with an agenda of ``size // 5`` items, all but two present,
    a proxy and a departure at the second item."""
    sitting = council.sitting()
    items = [council.item(sitting, title=f"Point {n}") for n in range(size // 5)]
    council.attend(sitting, present=size - 2)
    services.register_proxy(
        user=council.clerk,
        sitting=sitting,
        giver=council.people[-1],
        holder=council.people[0],
        written_on=date(2024, 3, 25),
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=council.people[3], deliberation=items[1], status="absent"
    )
    return sitting, items


def _counted(api, path):
    """The queries of a GET once the token's first use is recorded (written once, not per call)."""
    api.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, response.json()
    return len(queries), response.json()


def test_query_counts_do_not_grow_with_the_sitting(organization, other_organization, council_factory, api_for):
    counts = {}
    for org, size in ((organization, 10), (other_organization, 120)):
        council = council_factory(org, size)
        sitting, items = _busy_sitting(council, size)
        api = api_for(council.clerk)
        paths = {
            "sitting": f"/sittings/{sitting.pk}",
            "attendance": f"/sittings/{sitting.pk}/attendance",
            "acts": "/deliberations",
            "searched acts": "/deliberations?q=Point",
            "sittings": "/sittings",
            "assemblies": "/assemblies",
            "members": f"/assemblies/{council.assembly.pk}/members?on=2024-03-26",
            "act": f"/deliberations/{items[1].pk}",
        }
        answers = {}
        for name, path in paths.items():
            counts[name, size], answers[name] = _counted(api, path)
        body = answers["attendance"]
        assert len(body["members"]) == size and len(answers["members"]) == size
        assert body["items"][1]["attendance"]["present"] == size - 3
        assert [i["attendance"]["present"] for i in body["items"][:2]] == [size - 2, size - 3]
        assert body["items"][0]["attendance"]["represented"] == 1
        # An act's answer counts its item's attendance (the departure and the proxy) as the
        # sitting's attendance does.
        assert answers["act"]["attendance"] == body["items"][1]["attendance"]
        assert [i["attendance"] for i in answers["sitting"]["agenda"]] == [i["attendance"] for i in body["items"]]
    for name in paths:
        assert counts[name, 10] == counts[name, 120], name
        # At most: the token, the user's roles, the sitting, its agenda, its members in office
        # with their status, its arrivals and departures, its proxies.
        assert counts[name, 120] <= 7, (name, counts[name, 120])


def test_the_deliberation_list_gives_its_columns_scoped_and_filtered(
    organization, other_organization, council_factory, api_for
):
    council = council_factory(organization, 5, pattern="v{year}-{seq:03}")
    sitting = council.sitting()
    first = council.item(sitting, title="Subvention au club de voile")
    council.item(sitting, title="Tarifs de la piscine")
    council_factory(other_organization, 5).item(None, title="Subvention d'ailleurs")
    api = api_for(council.clerk)
    body = api.get("/deliberations").json()
    assert body["count"] == 2
    newest, oldest = body["items"]
    assert oldest == {
        "id": first.pk,
        "assembly_id": council.assembly.pk,
        "sitting_id": sitting.pk,
        "position": first.position,
        "number": first.number,
        "kind": first.kind,
        "title": "Subvention au club de voile",
        "theme": first.theme,
        "subject_code": first.subject_code,
        "rapporteur_id": first.rapporteur_id,
        "presided_by_id": None,
        "quorum_waived_in_id": None,
        "state": first.state,
        "signed_on": None,
        "published_on": None,
        "enforceable_on": None,
    }
    assert newest["title"] == "Tarifs de la piscine"
    found = api.get("/deliberations", {"q": "subvention"}).json()
    assert [d["title"] for d in found["items"]] == ["Subvention au club de voile"]
    # A search reads its matches' ids once (the count), then its page by id, in the list's order.
    assert found["count"] == 1 and found["items"] == [oldest]
    assert api.get("/deliberations", {"q": "subvention", "page": 2}).json() == {"items": [], "count": 1}
    council.item(sitting, title="Subvention à l'école de musique")
    found = api.get("/deliberations", {"q": "subvention"}).json()
    assert found["count"] == 2
    assert [d["title"] for d in found["items"]] == ["Subvention à l'école de musique", "Subvention au club de voile"]
    assert api.get("/deliberations", {"q": "introuvable"}).json() == {"items": [], "count": 0}
    assert api.get("/deliberations", {"sitting_id": sitting.pk}).json()["count"] == 3
