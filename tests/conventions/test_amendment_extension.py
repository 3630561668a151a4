"""An avenant that only extends the duration (no article replaced), drafted from the page."""

from __future__ import annotations

import pytest

from conventions.models import Amendment
from tests.conventions.helpers import signed

pytestmark = pytest.mark.django_db


def test_avenant_extending_the_duration_only_is_drafted_shown_and_rendered(legal_user, organization, client_for):
    convention = signed(legal_user, organization, duration_months=36)
    client = client_for(legal_user)
    response = client.post(
        f"/conventions/{convention.pk}/action/amend/",
        {
            "title": "Prolongation d'un an",
            "object": "",
            "new_duration_months": "48",
            "clause": "",
            "new_clause_title": "",
            "new_clause_body": "",
            "new_end_date": "",
            "new_amount": "",
        },
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get(convention=convention)
    assert amendment.clause is None and amendment.new_duration_months == 48
    page = client.get(f"/conventions/{convention.pk}/avenants/{amendment.number}/")
    assert page.status_code == 200
    docs = client.post(f"/conventions/{convention.pk}/avenants/{amendment.number}/documents/")
    assert docs.status_code == 302
