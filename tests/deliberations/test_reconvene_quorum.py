"""Re-convening faute de quorum (CGCT L2121-17): only after a recorded quorum failure, and
the waiver covers only the first sitting's items that could not be voted."""

from datetime import date

import pytest

from core.errors import DomainError
from deliberations import rules, services
from deliberations.models import Deliberation, DeliberationState, Sitting
from tests.deliberations.conftest import at

pytestmark = pytest.mark.django_db

QUORUM = "CGCT L2121-17 (quorum)"


def reconvene(council, sitting):
    return services.reconvene(
        user=council.clerk, sitting=sitting, starts_at=at(2024, 3, 29), convocation_date=date(2024, 3, 26)
    )


class TestRules:
    def test_a_failure_must_be_recorded(self):
        rules.check_quorum_failure_recorded(attendance_recorded=True, items_without_quorum=1)
        for recorded, lacking in ((False, 0), (False, 2), (True, 0)):
            with pytest.raises(DomainError) as exc:
                rules.check_quorum_failure_recorded(attendance_recorded=recorded, items_without_quorum=lacking)
            assert exc.value.rule == QUORUM

    def test_the_waiver_follows_the_item(self):
        assert rules.quorum_waived(sitting_reconvened=True, item_carried_over=True)
        assert not rules.quorum_waived(sitting_reconvened=True, item_carried_over=False)
        assert not rules.quorum_waived(sitting_reconvened=False, item_carried_over=True)


def test_a_sitting_with_quorum_is_not_reconvened(council):
    sitting = council.sitting()
    item = council.item(sitting)
    council.attend(sitting, present=6)
    with pytest.raises(DomainError) as exc:
        reconvene(council, sitting)
    assert exc.value.rule == QUORUM and "quorum est atteint" in exc.value.message
    item.refresh_from_db()
    assert item.sitting == sitting and item.state == DeliberationState.ON_AGENDA
    assert not Sitting.objects.filter(reconvened_from=sitting).exists()


def test_a_sitting_without_recorded_attendance_is_not_reconvened(council):
    sitting = council.sitting()
    council.item(sitting)
    with pytest.raises(DomainError, match="présences"):
        reconvene(council, sitting)
    assert not Sitting.objects.filter(reconvened_from=sitting).exists()


def test_an_item_added_to_the_reconvened_sitting_needs_the_quorum(council):
    sitting = council.sitting()
    carried = council.item(sitting, title="Sans quorum")
    council.attend(sitting, present=5)
    second = reconvene(council, sitting)
    added = council.item(second, title="Ajouté")
    services.open_sitting(user=council.clerk, sitting=second, opened_at=at(2024, 3, 29))
    council.attend(second, present=3)
    with pytest.raises(DomainError) as exc:
        services.record_vote(
            user=council.clerk, deliberation=added, votes_for=3, votes_against=0, abstentions=0, not_voting=0
        )
    assert exc.value.rule == QUORUM
    added.refresh_from_db()
    assert added.state == DeliberationState.ON_AGENDA
    carried.refresh_from_db()
    vote = services.record_vote(
        user=council.clerk, deliberation=carried, votes_for=3, votes_against=0, abstentions=0, not_voting=0
    )
    assert vote.without_quorum and vote.outcome == "adopted"


def test_only_the_items_left_without_quorum_are_waived(council):
    sitting = council.sitting()
    first, second_item = council.item(sitting, title="A"), council.item(sitting, title="B")
    council.attend(sitting, present=6)
    # Quorum lost from the second item on: the first could have been voted, it was not examined.
    services.record_movement(
        user=council.clerk, sitting=sitting, person=council.people[5], deliberation=second_item, status="absent"
    )
    second = reconvene(council, sitting)
    first.refresh_from_db()
    second_item.refresh_from_db()
    assert (first.sitting, second_item.sitting) == (second, second)
    assert first.quorum_waived_in_id is None
    assert second_item.quorum_waived_in == second
    assert second_item.state_reason == "Quorum non atteint"
    services.open_sitting(user=council.clerk, sitting=second, opened_at=at(2024, 3, 29))
    council.attend(second, present=2)
    with pytest.raises(DomainError, match="Quorum non atteint"):
        services.record_vote(
            user=council.clerk, deliberation=first, votes_for=2, votes_against=0, abstentions=0, not_voting=0
        )
    services.record_vote(
        user=council.clerk, deliberation=second_item, votes_for=2, votes_against=0, abstentions=0, not_voting=0
    )
    assert Deliberation.objects.get(pk=second_item.pk).state == DeliberationState.ADOPTED


def test_the_api_refuses_alike(council, api_for):
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=6)
    answer = api_for(council.clerk).post(
        f"/sittings/{sitting.pk}/reconvene",
        {"starts_at": "2024-03-29T18:00:00+01:00", "convocation_date": "2024-03-26"},
    )
    assert answer.status_code == 400
    assert answer.json()["rule"] == QUORUM
    assert not Sitting.objects.filter(reconvened_from=sitting).exists()


def test_the_api_shows_which_items_are_waived(council, api_for):
    sitting = council.sitting()
    item = council.item(sitting)
    council.attend(sitting, present=5)
    second = reconvene(council, sitting)
    added = council.item(second, title="Ajouté")
    api = api_for(council.clerk)
    assert api.get(f"/deliberations/{item.pk}").json()["quorum_waived_in_id"] == second.pk
    assert api.get(f"/deliberations/{added.pk}").json()["quorum_waived_in_id"] is None


def test_the_convocation_marks_the_items_voted_without_quorum(council):
    from deliberations import documents

    sitting = council.sitting()
    council.item(sitting, title="Reporté")
    council.attend(sitting, present=5)
    second = reconvene(council, sitting)
    council.item(second, title="Ajouté")
    rows = {row["title"]: row["quorum_waived"] for row in documents.convocation_context(second)["items"]}
    assert rows == {"Reporté": True, "Ajouté": False}
    from documents.models import StoredDocument
    from tests.readers import pdf_text

    documents.generate_sitting_document(user=council.clerk, sitting=second, kind="convocation")
    stored = StoredDocument.objects.get(owner_id=second.pk, kind="convocation", format="pdf")
    text = " ".join(pdf_text(stored.file.open("rb").read()).split())
    assert "Reporté (sans condition de quorum)" in text and "Ajouté (sans" not in text
