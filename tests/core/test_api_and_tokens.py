import pytest
from django.test import Client

from core.models import ApiToken


@pytest.mark.django_db
def test_token_lifecycle_through_the_api(organization, legal_user, api_for):
    api = api_for(legal_user)
    created = api.post("/tokens", {"name": "script de publication"})
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("cvt_")
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert stored.key_hash != key and key not in stored.key_hash
    second = Client(headers={"Authorization": f"Bearer {key}"})
    assert second.get("/api/v1/me").json()["username"] == legal_user.username
    assert api.delete(f"/tokens/{stored.pk}").status_code == 204
    assert second.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_tokens_page_creates_and_revokes(legal_user, client_for):
    client = client_for(legal_user)
    response = client.post("/compte/jetons/", {"name": "mon script"})
    assert "cvt_" in response.content.decode()
    token = ApiToken.objects.get(user=legal_user)
    client.post(f"/compte/jetons/{token.pk}/revoquer/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_openapi_schema_and_offline_docs(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/organizations" in paths and "/api/v1/tokens" in paths
    docs = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in docs
    assert "http://" not in docs.replace("http://testserver", "") and "https://" not in docs


@pytest.mark.django_db
def test_bad_token_is_refused(client):
    assert Client(headers={"Authorization": "Bearer nope"}).get("/api/v1/me").status_code == 401
