"""Who presides each item, who has the casting vote (CGCT L2121-14, L2121-20), and what the
extract and the procès-verbal say of it."""

import pytest

from core.errors import DomainError
from deliberations import documents, rules, services
from deliberations.models import Deliberation, DeliberationState
from documents.models import StoredDocument
from tests.readers import docx_text, pdf_text

pytestmark = pytest.mark.django_db

CHAIR = "CGCT L2121-14 et L2121-20 (présidence et voix prépondérante)"


class TestRules:
    def test_the_item_chair_else_the_sitting_president(self):
        assert rules.presiding_member(item_chair=None, sitting_president=1) == 1
        assert rules.presiding_member(item_chair=7, sitting_president=1) == 7
        assert rules.presiding_member(item_chair=None, sitting_president=None) is None

    def test_a_tie_is_decided_by_a_casting_vote_except_in_secret(self):
        assert rules.is_tie(votes_for=20, votes_against=20, method="show_of_hands")
        assert rules.is_tie(votes_for=3, votes_against=3, method="public_ballot")
        assert not rules.is_tie(votes_for=3, votes_against=3, method="secret_ballot")
        assert not rules.is_tie(votes_for=0, votes_against=0, method="show_of_hands")
        assert not rules.is_tie(votes_for=4, votes_against=3, method="show_of_hands")

    def test_the_casting_vote_needs_a_present_chair(self):
        rules.check_casting_vote(presiding_name="Michaël Delafosse", presiding_present=True)
        for name, present in ((None, False), ("Michaël Delafosse", False)):
            with pytest.raises(DomainError) as exc:
                rules.check_casting_vote(presiding_name=name, presiding_present=present)
            assert exc.value.rule == CHAIR and exc.value.field == "presided_by"

    def test_the_chair_is_a_member_in_office(self):
        rules.check_chair(in_office=True, name="A")
        with pytest.raises(DomainError, match="membre en exercice"):
            rules.check_chair(in_office=False, name="A")


def tie_sitting(council):
    """A sitting whose president (people[0]) is recorded absent: 10 present, one item."""
    sitting = council.sitting()
    item = council.item(sitting, title="Compte administratif 2023")
    statuses = {p.pk: ("absent" if index == 0 else "present") for index, p in enumerate(council.people)}
    services.set_attendances(user=council.clerk, sitting=sitting, statuses=statuses)
    return sitting, item


def vote_tie(council, item, choice="for"):
    return services.record_vote(
        user=council.clerk,
        deliberation=Deliberation.objects.get(pk=item.pk),
        votes_for=5,
        votes_against=5,
        abstentions=0,
        not_voting=0,
        president_choice=choice,
    )


def test_an_absent_president_has_no_casting_vote(council):
    _sitting, item = tie_sitting(council)
    with pytest.raises(DomainError) as exc:
        vote_tie(council, item)
    assert exc.value.rule == CHAIR
    assert council.people[0].full_name in exc.value.message
    assert Deliberation.objects.get(pk=item.pk).state == DeliberationState.ON_AGENDA


def test_the_member_presiding_the_item_has_the_casting_vote(council):
    _sitting, item = tie_sitting(council)
    chair = council.people[2]
    services.set_item_chair(user=council.clerk, deliberation=item, person=chair, reason="Compte administratif")
    item.refresh_from_db()
    assert item.presided_by == chair
    assert "Compte administratif" in item.history.latest("history_date").history_change_reason
    vote = vote_tie(council, item)
    assert vote.casting_vote and vote.outcome == "adopted"
    context = documents.extract_context(Deliberation.objects.get(pk=item.pk))
    assert context["chair"] == {"name": context["chair"]["name"], "delegated": True}
    assert council.people[2].last_name.upper() in context["chair"]["name"].upper()


def test_the_chair_is_a_member_in_office_and_set_before_the_vote(council, other_organization, council_factory):
    sitting, item = tie_sitting(council)
    stranger = council_factory(other_organization, 1).people[0]
    with pytest.raises(DomainError, match="membre en exercice"):
        services.set_item_chair(user=council.clerk, deliberation=item, person=stranger)
    services.set_item_chair(user=council.clerk, deliberation=item, person=council.people[2])
    vote_tie(council, item)
    with pytest.raises(DomainError) as exc:
        services.set_item_chair(user=council.clerk, deliberation=item, person=council.people[3])
    assert exc.value.rule == CHAIR
    assert Deliberation.objects.get(pk=item.pk).presided_by == council.people[2]


def test_extract_and_minutes_name_who_presided(council):
    sitting, item = tie_sitting(council)
    chair = council.people[2]
    services.set_item_chair(user=council.clerk, deliberation=item, person=chair)
    vote_tie(council, item, choice="against")
    services.close_sitting(user=council.clerk, sitting=sitting)
    deliberation = Deliberation.objects.get(pk=item.pk)
    documents.generate_extract(user=council.clerk, deliberation=deliberation)
    documents.generate_sitting_document(user=council.clerk, sitting=sitting, kind="minutes")
    surname = chair.last_name.upper()
    for owner, kind in ((deliberation.pk, "extract"), (sitting.pk, "minutes")):
        for stored in StoredDocument.objects.filter(owner_id=owner, kind=kind):
            data = stored.file.open("rb").read()
            text = " ".join((pdf_text(data) if stored.format == "pdf" else docx_text(data)).split())
            assert surname in text.upper(), (kind, stored.format)
            assert "qui préside, est prépondérante" in text, (kind, stored.format)
            assert "pour ce point" in text.lower(), (kind, stored.format)


def test_the_api_records_the_chair_and_refuses_the_absent_president(council, api_for):
    _sitting, item = tie_sitting(council)
    api = api_for(council.clerk)
    tie = {"votes_for": 5, "votes_against": 5, "abstentions": 0, "not_voting": 0, "president_choice": "for"}
    refused = api.post(f"/deliberations/{item.pk}/vote", tie)
    assert refused.status_code == 400 and refused.json()["rule"] == CHAIR
    answer = api.post(f"/deliberations/{item.pk}/chair", {"person_id": council.people[2].pk, "reason": "CA"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["presided_by_id"] == council.people[2].pk
    voted = api.post(f"/deliberations/{item.pk}/vote", tie)
    assert voted.status_code == 201, voted.content
    assert voted.json()["vote"]["casting_vote"] is True


def test_the_chair_can_be_patched_with_the_item(council, api_for):
    _sitting, item = tie_sitting(council)
    api = api_for(council.clerk)
    answer = api.patch(f"/deliberations/{item.pk}", {"presided_by_id": council.people[3].pk})
    assert answer.status_code == 200, answer.content
    assert answer.json()["presided_by_id"] == council.people[3].pk
    assert Deliberation.objects.get(pk=item.pk).title == "Compte administratif 2023"
    back = api.patch(f"/deliberations/{item.pk}", {"presided_by_id": None})
    assert back.status_code == 200 and back.json()["presided_by_id"] is None
    unknown = api.patch(f"/deliberations/{item.pk}", {"presided_by_id": 999_999})
    assert unknown.status_code == 400 and unknown.json()["field"] == "presided_by_id"


def test_the_admin_shows_the_chair_without_letting_it_bypass_the_rules(council, client_for, make_member, organization):
    from core.roles import Role

    _sitting, item = tie_sitting(council)
    admin = make_member(organization, Role.ADMINISTRATOR)
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    page = client_for(admin).get(f"/admin/deliberations/deliberation/{item.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Présidence du point" in html and 'name="presided_by"' not in html


def test_the_vote_may_name_who_presides(council, api_for):
    _sitting, item = tie_sitting(council)
    api = api_for(council.clerk)
    tie = {"votes_for": 5, "votes_against": 5, "abstentions": 0, "not_voting": 0, "president_choice": "against"}
    refused = api.post(f"/deliberations/{item.pk}/vote", {**tie, "presided_by_id": council.people[0].pk})
    assert refused.status_code == 400 and refused.json()["rule"] == CHAIR
    assert Deliberation.objects.get(pk=item.pk).presided_by_id is None  # nothing half-saved
    voted = api.post(f"/deliberations/{item.pk}/vote", {**tie, "presided_by_id": council.people[4].pk})
    assert voted.status_code == 201, voted.content
    body = voted.json()
    assert body["presided_by_id"] == council.people[4].pk and body["vote"]["outcome"] == "rejected"
