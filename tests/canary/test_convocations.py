"""The convocations e-mailed to a collectivité's members, the letters on paper and the état
des envois: they name that collectivité only, and the member link opens its own page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from deliberations.models import ConvocationSending
from documents.models import StoredDocument
from tests.canary.reading import document_text, message_text, response_text
from tests.canary.world import World, found

pytestmark = pytest.mark.django_db


def test_convocation_emails_name_only_their_collectivite(world: World) -> None:
    for reader, other in world.pairs():
        emails = reader.objects["convocation_emails"]
        members = {p.email for p in reader.people}
        # Six members by e-mail, the seventh asked for paper.
        assert sorted(m.to[0] for m in emails) == sorted(p.email for p in reader.people[:6])
        for message in emails:
            text = message_text(message)
            assert set(message.to) <= members
            assert found(other.tag, text) == [], message.subject
            assert found(reader.tag, message.subject + text), message.subject


def test_the_member_link_of_a_convocation_opens_the_members_own_page(world: World) -> None:
    base = str(settings.SITE_URL).rstrip("/")
    for reader, other in world.pairs():
        opened = 0
        for message in reader.objects["convocation_emails"]:
            for path in set(re.findall(re.escape(base) + r"(/[^\s\"'<>)]*)", message.body)):
                response = Client().get(path, follow=True)
                assert response.status_code == 200, path
                text = response_text(response)
                assert found(other.tag, text) == [], path
                assert found(reader.tag, text), path
                opened += 1
        assert opened == 6


def test_the_sending_report_and_the_paper_letters_name_only_their_collectivite(world: World) -> None:
    for reader, other in world.pairs():
        sending = ConvocationSending.objects.get(pk=reader.objects["convocation_sending"].pk)
        report = StoredDocument.objects.filter(kind="sending_report", owner_id=sending.sitting_id).latest("version")
        for document in (report, sending.paper_document, sending.document):
            text = document_text(document)
            assert found(other.tag, text) == [], document.title
            assert found(reader.tag, text), document.title
        flat = "".join(document_text(report).split())
        assert sending.document_sha256 in flat
        assert reader.people[6].last_name in document_text(sending.paper_document)


def test_the_api_proof_names_the_readers_members_only(world: World) -> None:
    from core import services as core_services

    for reader, other in world.pairs():
        _token, key = core_services.create_api_token(user=reader.admin, name="preuve")
        client = Client(headers={"Authorization": f"Bearer {key}"})
        mine = client.get(f"/api/v1/sittings/{reader['mailed_sitting'].pk}/convocation-sendings")
        assert mine.status_code == 200
        text = response_text(mine)
        assert found(other.tag, text) == [] and reader.people[1].last_name in text
        theirs = client.get(f"/api/v1/sittings/{other['mailed_sitting'].pk}/convocation-sendings")
        assert theirs.status_code == 404 and found(other.tag, response_text(theirs)) == []
