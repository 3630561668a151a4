"""Annexes through the API (multipart upload, removal) and the page's removal button."""

from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

from core.errors import DomainError
from core.roles import Role
from deliberations import services
from tests.deliberations.test_acts import adopted  # noqa: F401  (fixture)
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n" + b"x" * 100


def _multipart(api, path, data):
    body = encode_multipart("BoUnDaRy", data)
    return api.post(path, body, content_type="multipart/form-data; boundary=BoUnDaRy")


def test_annex_upload_and_removal_through_the_api(adopted, organization, other_organization, api_for):  # noqa: F811
    council, item = adopted
    api = api_for(council.clerk)
    url = f"/deliberations/{item.pk}/annexes"
    created = _multipart(api, url, {"file": SimpleUploadedFile("Convention.pdf", PDF), "title": "Convention FLAG"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["title"], body["content_type"], body["size"], body["transmitted"]) == (
        "Convention FLAG",
        "application/pdf",
        109,
        True,
    )
    fake = _multipart(api, url, {"file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"x" * 100)})
    assert fake.status_code == 400 and "n'est pas accepté" in fake.json()["detail"]
    assert item.annexes.count() == 1
    annex = item.annexes.get()
    stored = annex.file.name
    assert default_storage.exists(stored)
    outsider = api_for(member(other_organization, Role.ADMINISTRATOR))
    assert outsider.delete(f"{url}/{annex.pk}").status_code == 404
    assert _multipart(outsider, url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    viewer = api_for(member(organization, Role.VIEWER))
    assert viewer.delete(f"{url}/{annex.pk}").status_code == 403
    assert _multipart(viewer, url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 403
    assert api.delete(f"{url}/{annex.pk}").status_code == 204
    assert item.annexes.count() == 0 and not default_storage.exists(stored)
    assert api.delete(f"{url}/{annex.pk}").status_code == 404


def test_annexes_no_longer_change_once_transmitted(adopted):  # noqa: F811
    council, item = adopted
    annex = services.add_annex(user=council.clerk, deliberation=item, upload=SimpleUploadedFile("a.pdf", PDF))
    services.sign(user=council.clerk, deliberation=item, signed_on=date(2024, 3, 27))
    services.record_transmission(
        user=council.clerk, deliberation=item, nature="DE", internal_number="2024001", sent_on=date(2024, 3, 28)
    )
    with pytest.raises(DomainError, match="ne changent plus"):
        services.remove_annex(user=council.clerk, annex=annex)
    assert item.annexes.count() == 1


def test_annex_removal_button(adopted, organization, client_for):  # noqa: F811
    council, item = adopted
    annex = services.add_annex(
        user=council.clerk, deliberation=item, upload=SimpleUploadedFile("a.pdf", PDF), title="Plan"
    )
    client = client_for(council.clerk)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Retirer l&#x27;annexe Plan" in page or "Retirer l'annexe Plan" in page
    viewer = client_for(member(organization, Role.VIEWER))
    assert "retirer-annexe" not in viewer.get(item.get_absolute_url()).content.decode()
    action = f"/deliberations/{item.pk}/action/retirer-annexe/"
    assert viewer.post(action, {"annex": annex.pk}).status_code == 403
    assert client.post(action, {"annex": annex.pk}).status_code == 400  # asked first
    assert item.annexes.count() == 1
    done = client.post(action, {"annex": annex.pk, "confirmation": "oui"}, follow=True).content.decode()
    assert "L&#39;annexe est retirée." in done or "L'annexe est retirée." in done
    assert item.annexes.count() == 0
