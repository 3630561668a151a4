"""An avenant that only extends the duration (no article replaced): drafted from the
convention's page, taken to its signature, its page and its document read back."""

from __future__ import annotations

from datetime import date

import pytest

from conventions.models import Amendment, Convention
from documents.models import StoredDocument
from tests.conventions.helpers import adopted_deliberation, signed
from tests.readers import docx_text, pdf_text

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Prolongation d'un an",
    "object": "",
    "new_duration_months": "48",
    "new_end_date": "",
    "new_amount": "",
    "clause": "",
    "new_clause_title": "",
    "new_clause_body": "",
}


def _flat(text):
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_avenant_extending_the_duration_only_from_draft_to_document(legal_user, organization, client_for):
    convention = signed(legal_user, organization, duration_months=36)
    assert convention.end_date == date(2027, 5, 1)
    client = client_for(legal_user)
    base = f"/conventions/{convention.pk}/"
    assert "Rédiger un avenant" in client.get(base).content.decode()

    response = client.post(base + "action/amend/", FORM)
    assert response.status_code == 302
    amendment = Amendment.objects.get(convention=convention)
    assert (amendment.number, amendment.clause, amendment.new_duration_months) == (1, None, 48)
    assert amendment.new_clause_body == "" and amendment.new_clause_title == ""

    page = base + "avenants/1/"
    deliberation = adopted_deliberation(organization, number="V2025-012", day=date(2025, 3, 20))
    assert client.post(page + "approve/", {"deliberations": [deliberation.pk]}).status_code == 302
    assert client.post(page + "send_for_signature/").status_code == 302
    for party, day in zip(convention.parties.order_by("position"), ("2025-04-01", "2025-04-03"), strict=True):
        assert client.post(page + "sign/", {"party": party.pk, "signed_on": day}).status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == "signed"
    convention = Convention.objects.get(pk=convention.pk)
    assert convention.duration_months == 48 and convention.end_date == date(2028, 5, 1)
    assert convention.clauses.count() == 0  # no article added nor replaced

    html = client.get(page).content.decode()
    assert "<td>1er mai 2027</td><td>1er mai 2028</td>" in html
    assert "<td>36 mois</td><td>48 mois</td>" in html
    assert "2027-05-01" not in html and "None" not in html

    assert client.post(page + "documents/").status_code == 302
    stored = {
        d.format: d.file.read()
        for d in StoredDocument.objects.filter(kind="amendment", owner_id=amendment.pk).order_by("version")
    }
    text = _flat(pdf_text(stored["pdf"]))
    assert "Avenant n° 1" in text and "La durée de la convention est portée à 48 mois." in text
    assert "Les autres stipulations de la convention demeurent inchangées." in text
    for absent in ("remplacé par", "Il est ajouté un article", "None", "{{", "2028-05-01"):
        assert absent not in text
    assert "La durée de la convention est portée à 48 mois." in docx_text(stored["docx"])
