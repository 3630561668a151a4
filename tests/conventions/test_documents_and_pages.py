"""Generated documents read back as text, and the pages as legal staff and managers use them."""

import io
from datetime import date, time

import docx
import pytest

from conventions import documents, services
from conventions.models import Convention, ConventionStatus
from core.roles import Role
from tests import readers
from tests.conventions.helpers import copies_of, draft, partner_of, signatory_for, signed
from tests.factories import member

pytestmark = pytest.mark.django_db


def pdf_text(stored):
    return readers.pdf_text(stored.file.read())


def docx_text(stored):
    document = docx.Document(io.BytesIO(stored.file.read()))
    return "\n".join(p.text for p in document.paragraphs)


def by_format(stored):
    return {d.format: d for d in stored}


def test_convention_termination_letter_and_committee_documents(legal_user, organization):
    convention = signed(
        legal_user,
        organization,
        termination_mode="notice",
        termination_notice_value=2,
        data_withdrawal_value=1,
        perimeter_postal_codes=["34000", "34070"],
        perimeter_communes=["Montpellier"],
    )
    services.add_obligation(
        user=legal_user,
        convention=convention,
        party=convention.parties.last(),
        description="Tenir la Ville informée de toute évolution du dispositif",
    )
    generated = by_format(documents.generate_convention(convention=convention, user=legal_user))
    text = " ".join(pdf_text(generated["pdf"]).split())
    assert "Application FLAG !" in text
    assert "Engagements de l'association" in text
    assert "34000, 34070" in text
    assert "préavis de 2 mois" in text
    assert "1er mai 2027" in text
    word = docx_text(generated["docx"])
    assert "jusqu'au 1er mai 2027 inclus" in word
    assert "Tenir la Ville informée" in word

    partner = convention.parties.order_by("position").last()
    services.give_notice(
        user=legal_user,
        convention=convention,
        given_by=partner,
        sent_on=date(2025, 1, 27),
        registered_letter_number="1A 234",
        received_on=date(2025, 1, 31),
        today=date(2025, 2, 1),
    )
    convention = Convention.objects.get(pk=convention.pk)
    letter = by_format(documents.generate_termination_letter(convention=convention, user=legal_user))
    text = " ".join(pdf_text(letter["pdf"]).split())
    assert "31 mars 2025" in text  # 31 January + 2 months
    assert "1A 234" in text
    assert "30 avril 2025" in text  # + 1 month to withdraw the data
    assert "31 mars 2025" in docx_text(letter["docx"])


def test_committee_convocation_and_minutes_documents(legal_user, organization):
    convention = signed(legal_user, organization, has_committee=True)
    committee = services.create_committee(user=legal_user, name="Comité de suivi", convention=convention)
    member = services.add_member(user=legal_user, committee=committee, full_name="Claire HÉDON")
    meeting = services.plan_meeting(
        user=legal_user,
        committee=committee,
        meeting_date=date(2024, 5, 29),
        starts_at=time(10),
        agenda="Bilan de la plateforme\nÉvolution des dispositifs",
    )
    services.convene_meeting(user=legal_user, meeting=meeting, sent_on=date(2024, 5, 2))
    services.record_meeting(
        user=legal_user, meeting=meeting, present_member_ids=[member.pk], minutes="Le bilan est positif."
    )
    meeting.refresh_from_db()
    generated = documents.generate_meeting(meeting=meeting, user=legal_user)
    kinds = {(d.kind, d.format): d for d in generated}
    convocation = " ".join(pdf_text(kinds[("committee_convocation", "pdf")]).split())
    assert "29 mai 2024" in convocation and "2 mai 2024" in convocation
    assert "Bilan de la plateforme" in convocation
    minutes = docx_text(kinds[("committee_minutes", "docx")])
    assert "Le bilan est positif." in minutes and "Claire HÉDON" in minutes


def test_list_filters_detail_and_actions(client_for, legal_user, organization, other_organization, make_member):
    partner = partner_of(organization, name="Association HeHop")
    live = signed(legal_user, organization, title="HeHop — communication")
    draft(legal_user, organization, partner=partner, title="Locaux pour réunions")
    client = client_for(legal_user)
    page = client.get("/conventions/")
    assert page.status_code == 200
    assert "HeHop — communication" in page.content.decode()
    filtered = client.get("/conventions/", {"status": "draft"}).content.decode()
    assert "Locaux pour réunions" in filtered and "HeHop — communication" not in filtered
    detail = client.get(f"/conventions/{live.pk}/").content.decode()
    assert "1er mai 2027" in detail and "En vigueur" in detail
    # A refused transition says why, and changes nothing.
    response = client.post(f"/conventions/{live.pk}/action/resume/", {"reason": ""}, follow=True)
    assert "Impossible de passer" in response.content.decode()
    assert Convention.objects.get(pk=live.pk).status == ConventionStatus.ACTIVE
    response = client.post(
        f"/conventions/{live.pk}/action/suspend/", {"reason": "Identification d'un signalant"}, follow=True
    )
    assert Convention.objects.get(pk=live.pk).status == ConventionStatus.SUSPENDED
    stranger = client_for(make_member(other_organization, Role.LEGAL))
    assert stranger.get(f"/conventions/{live.pk}/").status_code == 404
    assert stranger.post(f"/conventions/{live.pk}/action/resume/", {}).status_code == 404
    viewer = client_for(make_member(organization, Role.VIEWER))
    assert viewer.get(f"/conventions/{live.pk}/").status_code == 200
    viewer.post(f"/conventions/{live.pk}/action/resume/", {"reason": "x"})
    assert Convention.objects.get(pk=live.pk).status == ConventionStatus.SUSPENDED


def test_list_names_the_manager_even_one_who_left_the_organization(client_for, legal_user, organization, make_member):
    staying = make_member(organization, Role.MANAGER)
    staying.first_name, staying.last_name = "Alice", "Martin"
    staying.save()
    leaving = make_member(organization, Role.MANAGER)
    leaving.first_name, leaving.last_name = "Bruno", "Leroy"
    leaving.save()
    draft(legal_user, organization, title="Suivie par Alice", manager=staying)
    draft(legal_user, organization, title="Suivie par Bruno", manager=leaving)
    draft(legal_user, organization, title="Sans responsable")
    client = client_for(legal_user)
    page = client.get("/conventions/").content.decode()
    assert "<td>Alice Martin</td>" in page and "<td>Bruno Leroy</td>" in page
    # Bruno leaves: no longer in the filter's menu, still named on the conventions he followed.
    leaving.memberships.all().delete()
    page = client.get("/conventions/").content.decode()
    assert "<td>Bruno Leroy</td>" in page
    assert f'<option value="{leaving.pk}"' not in page and f'<option value="{staying.pk}"' in page
    unmanaged = page[page.index("Sans responsable") :]
    assert unmanaged[: unmanaged.index("</tr>")].rstrip().endswith("<td>—</td>")  # its manager's column


def test_create_form_with_clear_errors(client_for, legal_user, organization):
    signatory_for(organization)
    client = client_for(legal_user)
    response = client.post(
        "/conventions/nouvelle/",
        {
            "title": "FLAG !",
            "kind": "backoffice",
            "start_event": "signature",
            "duration_months": 36,
            "duration_days": 0,
            "renewal": "none",
            "tacit_renewals_allowed": 0,
            "renewal_notice_value": 0,
            "renewal_notice_unit": "months",
            "termination_mode": "any_time",
            "termination_notice_value": 0,
            "termination_notice_unit": "months",
            "termination_by_registered_letter": "on",
            "data_withdrawal_value": 0,
            "data_withdrawal_unit": "months",
            "perimeter_postal_codes": "34000\n3407",
        },
    )
    assert response.status_code == 200
    assert "3407" in response.content.decode() and "invalide" in response.content.decode()
    assert not Convention.objects.exists()


# Session, user, roles, the managers' menu, the count, the page's rows, their parties and the
# parties' organizations, the unread badge.
LIST_QUERIES = 9
# Session, user, roles; the convention and its ten collections (``selectors.convention_detail``:
# 11); its deadlines; the menus of its forms (organizations, clause templates); the unread
# badge, the documents and history panels.
PAGE_QUERIES = 20


@pytest.mark.parametrize("rows", [10, 1000])
def test_page_query_counts(client_for, legal_user, organization, rows, django_assert_num_queries):
    partner = partner_of(organization)
    signatory_for(organization)
    conventions = [draft(legal_user, organization, partner=partner, title=f"Convention {n}") for n in range(10)]
    conventions += copies_of(conventions[0], rows - 10)
    client = client_for(legal_user)
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get("/conventions/").content.decode()
    assert f"<td>{partner.name}</td>" in page  # the partner, not the organization itself
    assert f'<a href="/conventions/{conventions[0].pk}/">{conventions[0].reference}</a>' in page
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(f"/conventions/{conventions[0].pk}/").status_code == 200


def test_list_finds_conventions_by_partner_name_or_siren(client_for, api_for, legal_user, organization):
    hehop = partner_of(organization, name="Association HeHop")
    hehop.siren = "732829320"
    hehop.save()
    flag = partner_of(organization, name="Association FLAG !")
    draft(legal_user, organization, partner=hehop, title="Locaux pour réunions")
    draft(legal_user, organization, partner=flag, title="En lieu sûr")
    client = client_for(legal_user)
    page = client.get("/conventions/", {"partner_name": "hehop"}).content.decode()
    assert "Locaux pour réunions" in page and "En lieu sûr" not in page
    assert 'name="partner_name"' in page and '<select name="partner"' not in page  # no menu of every partner
    by_siren = client.get("/conventions/", {"partner_name": "732 829 320"}).content.decode()
    assert "Locaux pour réunions" in by_siren and "En lieu sûr" not in by_siren
    by_id = client.get("/conventions/", {"partner": flag.pk}).content.decode()
    assert "En lieu sûr" in by_id and "Locaux pour réunions" not in by_id
    # The organization itself is a party of every convention: its name finds nothing.
    own = client.get("/conventions/", {"partner_name": organization.name}).content.decode()
    assert "En lieu sûr" not in own and "Locaux pour réunions" not in own
    api = api_for(legal_user).get("/conventions", {"partner_name": "FLAG"}).json()
    assert [c["title"] for c in api["items"]] == ["En lieu sûr"]


def test_detail_page_shows_evaluation_attachments_apart_from_annexes(
    client_for, manager_user, legal_user, organization, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    convention = signed(legal_user, organization, annual_evaluation=True)
    evaluation = convention.evaluations.order_by("number").first()
    services.record_evaluation(
        user=manager_user, evaluation=evaluation, held_on=date(2025, 5, 5), outcome="positive", today=date(2025, 5, 6)
    )
    pdf = b"%PDF-1.7\n%minimal\n"
    services.add_annex(
        user=manager_user,
        convention=convention,
        title="Bilan 2025",
        name="bilan.pdf",
        content=pdf,
        evaluation=evaluation,
    )
    services.add_annex(user=legal_user, convention=convention, title="Plan des locaux", name="plan.pdf", content=pdf)
    page = client_for(legal_user).get(f"/conventions/{convention.pk}/").content.decode()
    evaluations = page[page.index('id="evaluations-title"') : page.index('id="committees-title"')]
    annexes = page[page.index('id="annexes-title"') :]
    assert "Bilan 2025</a>" in evaluations and "Plan des locaux" not in evaluations
    assert "Plan des locaux</a>" in annexes and "Bilan 2025" not in annexes


def test_detail_page_names_the_party_that_gave_notice_and_the_renewed_convention(client_for, legal_user, organization):
    from conventions.models import TerminationMode

    convention = signed(legal_user, organization, termination_mode=TerminationMode.NOTICE, termination_notice_value=2)
    partner = convention.parties.select_related("organization").order_by("position").last()
    services.give_notice(
        user=legal_user,
        convention=convention,
        given_by=partner,
        sent_on=date(2024, 12, 27),
        registered_letter_number="1A 234 567 8901 2",
        today=date(2024, 12, 31),
    )
    successor = services.renew_expressly(user=legal_user, convention=convention)
    client = client_for(legal_user)
    notice_page = client.get(f"/conventions/{convention.pk}/").content.decode()
    notice = notice_page[notice_page.index('id="notice-title"') :]
    assert f"<dt>Par</dt><dd>{partner.organization.name}</dd>" in notice
    assert f'<a href="/conventions/{successor.pk}/">{successor.reference}</a>' in notice_page
    renewal_page = client.get(f"/conventions/{successor.pk}/").content.decode()
    assert f'<a href="/conventions/{convention.pk}/">{convention.reference}</a>' in renewal_page


def test_search_by_a_part_of_the_title_or_reference_whatever_its_case(client_for, api_for, legal_user, organization):
    first = draft(legal_user, organization, title="Festival des Arts de la rue")
    second = draft(legal_user, organization, title="Locaux associatifs")
    third = draft(legal_user, organization, title="Prêt de matériel")
    client = client_for(legal_user)

    def found(text: str) -> set[str]:
        page = client.get("/conventions/", {"q": text}).content.decode()
        return {c.title for c in (first, second, third) if c.title in page}

    assert found("festival") == found("FESTIVAL") == found("arts DE la") == {first.title}
    assert found(second.reference.lower()) == {second.title}  # the reference, in another case
    assert found("assoc") == {second.title}
    # The title kept upper-cased with its reference, never a text across the two.
    assert found(f"{third.title[-4:]}{third.reference[:3]}") == set()
    assert found("%") == found("_") == set()  # the wildcards of LIKE are plain characters
    # When the title changes, the database recomputes what is searched.
    Convention.objects.filter(pk=third.pk).update(title="Prêt de chapiteaux")
    third.refresh_from_db()
    assert found("CHAPITEAU") == {"Prêt de chapiteaux"} and found("matériel") == set()
    rows = api_for(legal_user).get("/conventions", {"q": "FESTIV"}).json()
    assert [r["id"] for r in rows["items"]] == [first.pk]


def test_the_list_names_the_partners_not_the_organization(legal_user, organization, other_organization):
    from conventions import selectors

    partner = partner_of(organization, name="Association du Festival")
    conventions = [
        draft(legal_user, organization, partner=partner, title="Festival d'été"),
        signed(legal_user, organization, title="Festival d'hiver"),
    ]
    draft(member(other_organization, Role.LEGAL), other_organization, title="Festival d'ailleurs")
    summaries = {c.pk: c for c in selectors.convention_summaries(legal_user)}
    assert set(summaries) == {c.pk for c in conventions}  # nothing of another collectivité
    assert selectors.partner_names(summaries[conventions[0].pk]) == ["Association du Festival"]
    assert organization.name not in selectors.partner_names(summaries[conventions[1].pk])
