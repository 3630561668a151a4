"""The stored documents of a canary collectivité: generated, signed, uploaded template,
certificate, trust anchor and a finished batch."""

from __future__ import annotations

from django.test import TestCase

from tests.canary.canary import PASSPHRASE, Canary, Tenant


def build_documents(t: Tenant, c: Canary) -> None:
    """Stored documents (a signed one among them), a certificate, a trust anchor, an uploaded
    template that prints a canary of its own, and a finished batch."""
    from conventions import documents as convention_documents
    from deliberations import documents as deliberation_documents
    from documents import services
    from documents.models import TemplateFormat

    admin = t.admin
    marker = c("Modèle")
    # A template of the collectivité's own (it prints the marker): another's documents of the
    # same kind must never be rendered with it.
    template_html = (
        '{% extends "documents/base.html" %}{% block title %}{{ title }}{% endblock %}{% block body %}'
        '<p>{{ committee|default("") }} — {{ location|default("") }}</p>'
        "{% for line in agenda|default([]) %}<p>{{ line }}</p>{% endfor %}"
        "{% for m in members|default([]) %}<p>{{ m.name }}, {{ m.role }}, {{ m.organization }}</p>{% endfor %}"
        f"<p>{marker}</p>{{% endblock %}}"
    )
    uploaded = services.upload_template(
        organization=t.organization,
        user=admin,
        kind="committee_convocation",
        template_format=TemplateFormat.HTML,
        data=template_html.encode(),
        filename=f"{c()}.html",
        comment=c("Version"),
    )
    generated = convention_documents.generate_convention(convention=t["convention"], user=admin)
    generated += deliberation_documents.generate_extract(user=admin, deliberation=t["deliberation"])
    # The convocation of the coming sitting, offered on its members' pages.
    generated += deliberation_documents.generate_sitting_document(
        user=admin, sitting=t["coming_sitting"], kind="convocation"
    )
    certificate = services.create_test_certificate(
        organization=t.organization, signatory=t["signatory"], passphrase=PASSPHRASE
    )
    # The written proxy given online, sealed with the certificate (it signs unattended).
    from deliberations.documents.proxies import write_proxy_document

    generated += write_proxy_document(
        proxy_id=t["online_proxy"].pk, channel="link", given_at=t["online_proxy"].created_at
    )
    pdf = next(d for d in generated if d.kind == "convention" and d.format == "pdf")
    signed = services.sign_document(
        document=pdf, certificate=certificate, user=admin, passphrase=PASSPHRASE, reason=c("Motif"), location=c()
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = deliberation_documents.start_sitting_bundle(user=admin, sitting=t["sitting"])
    batch = type(batch).objects.get(pk=batch.pk)
    t.objects.update(
        uploaded_template=uploaded,
        certificate=certificate,
        trust_anchor=t.organization.trust_anchors.get(),
        document=pdf,
        signed_document=signed,
        docx_document=next(d for d in generated if d.kind == "convention" and d.format == "docx"),
        extract=next(d for d in generated if d.kind == "extract" and d.format == "pdf"),
        convocation=next(d for d in generated if d.kind == "convocation" and d.format == "pdf"),
        batch=batch,
        template_marker=marker,
    )
