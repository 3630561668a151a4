"""core.mail: the same MIME message as Django's, its header classes made once."""

from __future__ import annotations

import email
import email.policy

from django.core import mail as django_mail

from core import mail


def _build(cls):
    message = cls(
        subject="[Conventio] Dans 3 jours : Évaluation annuelle de la convention « Été 2026 »",
        body="Bonjour,\nL'échéance approche.\n",
        from_email="Conventio <ne-pas-repondre@example.org>",
        to=["Élise Durand <elise@example.org>"],
        headers={"Auto-Submitted": "auto-generated", "Date": "Mon, 30 Nov 2026 08:00:00 +0100", "Message-ID": "<1@x>"},
    )
    message.attach_alternative("<p>L'échéance approche.</p>", "text/html")
    return message


def _without_boundaries(data: bytes) -> bytes:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    boundary = parsed.get_boundary()
    return data.replace(boundary.encode(), b"BOUNDARY")


def test_the_message_is_the_one_django_builds():
    for policy in (email.policy.default, email.policy.SMTP):
        ours = _build(mail.EmailMultiAlternatives).message(policy=policy).as_bytes()
        django = _build(django_mail.EmailMultiAlternatives).message(policy=policy).as_bytes()
        assert _without_boundaries(ours) == _without_boundaries(django)
    parsed = email.message_from_bytes(ours, policy=email.policy.default)
    assert parsed["Subject"] == "[Conventio] Dans 3 jours : Évaluation annuelle de la convention « Été 2026 »"
    assert parsed["To"].addresses[0].display_name == "Élise Durand"
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Bonjour,\nL'échéance approche.\n"


def test_each_header_class_is_made_once_per_policy():
    policy = mail.caching_policy(email.policy.SMTP)
    assert policy is mail.caching_policy(email.policy.SMTP)
    assert policy.linesep == "\r\n"
    registry = policy.header_factory
    assert registry["Subject"] is registry["subject"]
    assert registry["To"] is not registry["Subject"]
    assert issubclass(registry["To"], email.headerregistry.AddressHeader)


def test_messages_through_the_backend(mailoutbox):
    _build(mail.EmailMultiAlternatives).send()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].alternatives[0].mimetype == "text/html"


def test_headers_shared_between_messages_give_the_same_bytes():
    # The repeated headers are parsed once and shared: each message written with them, folded
    # lines included, is still the one Django writes.
    sender = "Service des assemblées et des conventions de la Métropole <assemblees-et-conventions@example.org>"
    for _ in range(3):
        for policy in (email.policy.default, email.policy.SMTP):
            ours, django = _build(mail.EmailMultiAlternatives), _build(django_mail.EmailMultiAlternatives)
            ours.from_email = django.from_email = sender
            assert _without_boundaries(ours.message(policy=policy).as_bytes()) == _without_boundaries(
                django.message(policy=policy).as_bytes()
            )
    registry = mail.caching_policy(email.policy.SMTP).header_factory
    assert registry("MIME-Version", "1.0") is registry("MIME-Version", "1.0")
